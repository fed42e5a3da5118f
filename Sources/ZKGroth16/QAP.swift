import ZKAlgebra
import ZKConstraints

/// The R1CS → QAP reduction shared by setup and the prover.
public enum QAP {
    /// The domain size for `constraintCount` constraints and `publicCount` public inputs: the
    /// smallest power of two ≥ `constraintCount + publicCount + 1` (room for the public-input rows).
    public static func domainSize(constraintCount: Int, publicCount: Int) -> Int {
        var n = 1
        while n < constraintCount + publicCount + 1 { n <<= 1 }
        return n
    }

    /// The A and B matrices of `system`, with the public-input rows `A[m + i][i] = 1`, `i = 0...publicCount`.
    public static func matrices(_ system: ConstraintSystem) -> (a: SparseMatrix, b: SparseMatrix) {
        var a = SparseMatrix(), b = SparseMatrix()
        let m = system.constraintCount
        for j in 0..<m {
            system.forEachTerm(j, .a) { a.append(row: j, wire: $0, value: $1) }
            system.forEachTerm(j, .b) { b.append(row: j, wire: $0, value: $1) }
        }
        for i in 0...system.publicCount { a.append(row: m + i, wire: i, value: .one) }
        return (a, b)
    }

    /// Whether `a` and `b` are exactly ``matrices(_:)`` of `system` (same entries in the same order), checked entry by
    /// entry without building them: how a loaded key is matched against its circuit at no memory cost.
    public static func matches(_ system: ConstraintSystem, a: SparseMatrix, b: SparseMatrix) -> Bool {
        let m = system.constraintCount
        var ka = 0, kb = 0, same = true
        for j in 0..<m where same {
            system.forEachTerm(j, .a) { wire, value in
                if same, ka >= a.count || a.rows[ka] != UInt32(j) || a.wires[ka] != UInt32(wire) || a.values[ka] != value { same = false }
                ka += 1
            }
            system.forEachTerm(j, .b) { wire, value in
                if same, kb >= b.count || b.rows[kb] != UInt32(j) || b.wires[kb] != UInt32(wire) || b.values[kb] != value { same = false }
                kb += 1
            }
        }
        guard same, kb == b.count, ka + system.publicCount + 1 == a.count else { return false }
        for i in 0...system.publicCount where a.rows[ka + i] != UInt32(m + i) || a.wires[ka + i] != UInt32(i) || a.values[ka + i] != .one {
            return false
        }
        return true
    }

    /// Rows `⟨A_j, w⟩` for `j < domainSize` (zero beyond the matrix's rows).
    static func evaluateRows(_ matrix: SparseMatrix, witness: UnsafeBufferPointer<Fr>, into out: UnsafeMutableBufferPointer<Fr>) {
        for i in 0..<out.count { out[i] = .zero }
        matrix.rows.withUnsafeBufferPointer { rows in
            matrix.wires.withUnsafeBufferPointer { wires in
                matrix.values.withUnsafeBufferPointer { values in
                    for k in 0..<rows.count {
                        let r = Int(rows[k])
                        out[r] = out[r] + values[k] * witness[Int(wires[k])]
                    }
                }
            }
        }
    }
}
