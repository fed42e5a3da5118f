import ZKAlgebra
import ZKConstraints
import ZKFormats

extension VerificationKey {
    /// From a parsed snarkjs `verification_key.json` (points already checked on curve and in subgroup).
    public init(snarkjs vk: SnarkjsVerificationKey) {
        self.init(alpha1: vk.alpha1, beta2: vk.beta2, gamma2: vk.gamma2, delta2: vk.delta2, ic: vk.ic)
    }

    /// `e(α, β)` as snarkjs writes it in `vk_alphabeta_12`: ffjavascript's final exponentiation
    /// raises to `m·(p¹²−1)/r` with `m = 2u(6u²+3u+1)`, so the exact pairing is raised to m.
    public var snarkjsAlphaBeta: [[[String]]] {
        let m: [UInt64] = [0x2e5d_4e22_3dde_daf4, 0x1ea9_6b02_d9d9_e38d, 0x3bec_47df_15e3_07c8]
        let e = Pairing.pairing(alpha1, beta2).power(m)
        return [[e.c0.c0, e.c0.c1, e.c0.c2], [e.c1.c0, e.c1.c1, e.c1.c2]].map { $0.map { [$0.c0.description, $0.c1.description] } }
    }

    /// The snarkjs `verification_key.json` form (with `vk_alphabeta_12`).
    public var snarkjs: SnarkjsVerificationKey {
        SnarkjsVerificationKey(alpha1: alpha1, beta2: beta2, gamma2: gamma2, delta2: delta2, ic: ic, alphabeta12: snarkjsAlphaBeta)
    }
}

extension Proof {
    public init(snarkjs p: SnarkjsProof) { self.init(a: p.a, b: p.b, c: p.c) }
    public var snarkjs: SnarkjsProof { SnarkjsProof(a: a, b: b, c: c) }
}

extension ProvingKey {
    /// A proving key from a snarkjs Groth16 `.zkey` (after any number of phase-2 contributions).
    /// Proofs made with it verify under the `verification_key.json` that snarkjs exports from the same file.
    public init(zkey: ZKeyGroth16) throws {
        var ma = SparseMatrix(), mb = SparseMatrix()
        for c in zkey.coefficients {
            switch c.matrix {
            case .a: ma.append(row: c.constraint, wire: c.signal, value: c.value)
            case .b: mb.append(row: c.constraint, wire: c.signal, value: c.value)
            }
        }
        try self.init(zkey: zkey, matrixA: ma, matrixB: mb)
    }

    /// Reads a snarkjs Groth16 `.zkey` for proving: the checks of
    /// `ZKeyGroth16(contentsOfFile: path, validateSubgroup: false, threads: threads)` (every point `< q` and on its
    /// curve; the B2 points not subgroup-checked, see ``Groth16/prove(_:witness:threads:progress:)``), then
    /// ``init(zkey:)``. Each point section is read straight into its array and the coefficients straight into the
    /// matrices, so no section is held twice. Throws `FormatError` for a malformed file, `CocoaError` when it cannot
    /// be read, ``Groth16Error`` for an unsupported domain size.
    public init(zkeyFile path: String, threads: Int? = nil) throws {
        var zkey = try ZKeyGroth16(contentsOfFile: path, validateSubgroup: false, threads: threads, coefficientColumns: true)
        let columns = zkey.coefficientColumns!
        zkey.coefficientColumns = nil
        let (a, b) = (columns.a, columns.b)
        try self.init(zkey: zkey, matrixA: SparseMatrix(rows: a.rows, wires: a.signals, values: a.values),
                      matrixB: SparseMatrix(rows: b.rows, wires: b.signals, values: b.values))
    }

    private init(zkey: ZKeyGroth16, matrixA ma: SparseMatrix, matrixB mb: SparseMatrix) throws {
        guard zkey.domainSize > 0, zkey.domainSize & (zkey.domainSize - 1) == 0, zkey.domainSize <= 1 << 27 else {
            throw Groth16Error.keyMismatch("zkey domain size \(zkey.domainSize) is not a supported power of two")
        }
        self.init(publicCount: zkey.nPublic, wireCount: zkey.nVars, domainSize: zkey.domainSize,
                  alpha1: zkey.alpha1, beta1: zkey.beta1, beta2: zkey.beta2, delta1: zkey.delta1, delta2: zkey.delta2,
                  a: zkey.a, b1: zkey.b1, b2: zkey.b2, c: zkey.c, h: zkey.h,
                  matrixA: ma, matrixB: mb,
                  verificationKey: VerificationKey(alpha1: zkey.alpha1, beta2: zkey.beta2, gamma2: zkey.gamma2, delta2: zkey.delta2, ic: zkey.ic))
    }
}

/// A snarkjs Groth16 `.zkey` opened for one proof (``Groth16/prove(_:witness:threads:progress:)-(ZKeyProvingFile,_,_,_)``): the
/// header, the verification key and the QAP matrices are read and checked when it is opened (the checks of
/// ``ProvingKey/init(zkeyFile:threads:)``, and the sizes of the point sections); the point sections stay in the open file,
/// and the prover reads each one — checked then: every coordinate `< q`, every point on its curve, the B2 points not
/// subgroup-checked — just before the MSM that uses it, and drops it after. So a proof holds at most one point array in
/// memory, where ``ProvingKey`` holds all five from the start (about 5× the largest at 2^18).
///
/// The file stays open until the value (and every copy) is gone, so the points come from the file that was checked
/// when opened even if its path is replaced meanwhile.
public struct ZKeyProvingFile: Sendable {
    /// Public signals (wires `1 ... publicCount`).
    public let publicCount: Int
    /// Wires, including the constant-one wire 0.
    public let wireCount: Int
    /// The evaluation domain size (a power of two, at most 2^27).
    public let domainSize: Int
    /// The key's verification key (its G2 points subgroup-checked).
    public let verificationKey: VerificationKey
    let header: ProverKeyHeader
    var matrixA: SparseMatrix
    var matrixB: SparseMatrix
    let points: ZKeyPointSections

    /// Opens the `.zkey` at `path` (coefficient and point checks on `threads` threads, nil: every core). Throws
    /// `FormatError` for a malformed file, `CocoaError` when it cannot be read, ``Groth16Error`` for an unsupported
    /// domain size.
    public init(path: String, threads: Int? = nil) throws {
        var (zkey, points) = try ZKeyGroth16.openForProving(path: path, threads: threads)
        guard zkey.domainSize <= 1 << 27 else {
            throw Groth16Error.keyMismatch("zkey domain size \(zkey.domainSize) is not a supported power of two")
        }
        let columns = zkey.coefficientColumns!
        zkey.coefficientColumns = nil
        publicCount = zkey.nPublic
        wireCount = zkey.nVars
        domainSize = zkey.domainSize
        verificationKey = VerificationKey(alpha1: zkey.alpha1, beta2: zkey.beta2, gamma2: zkey.gamma2, delta2: zkey.delta2, ic: zkey.ic)
        header = ProverKeyHeader(publicCount: zkey.nPublic, wireCount: zkey.nVars, domainSize: zkey.domainSize, alpha1: zkey.alpha1,
                                 beta1: zkey.beta1, beta2: zkey.beta2, delta1: zkey.delta1, delta2: zkey.delta2)
        matrixA = SparseMatrix(rows: columns.a.rows, wires: columns.a.signals, values: columns.a.values)
        matrixB = SparseMatrix(rows: columns.b.rows, wires: columns.b.signals, values: columns.b.values)
        self.points = points
    }
}

extension ProvingKey {
    /// This key as a snarkjs Groth16 `.zkey` (sections 1–9; ``ZKeyGroth16/serialized()`` writes the file), so
    /// that keys from `groth16 setup` can be proved with by snarkjs or rapidsnark and by the `.zkey` path here.
    /// `ProvingKey(zkey: key.zkey)` gives back the same key.
    public var zkey: ZKeyGroth16 {
        var coefficients: [ZKeyCoefficient] = []
        coefficients.reserveCapacity(matrixA.count + matrixB.count)
        for (matrix, m) in [(ZKeyCoefficient.Matrix.a, matrixA), (.b, matrixB)] {
            for k in 0..<m.count {
                coefficients.append(ZKeyCoefficient(matrix: matrix, constraint: Int(m.rows[k]), signal: Int(m.wires[k]), value: m.values[k]))
            }
        }
        let vk = verificationKey
        return ZKeyGroth16(nVars: wireCount, nPublic: publicCount, domainSize: domainSize, alpha1: alpha1, beta1: beta1,
                           beta2: beta2, gamma2: vk.gamma2, delta1: delta1, delta2: delta2, ic: vk.ic, coefficients: coefficients,
                           a: a, b1: b1, b2: b2, c: c, h: h)
    }
}

extension ConstraintSystem {
    /// The constraint system of a circom `.r1cs` file given as its bytes (public signals = outputs then public
    /// inputs), parsed straight into the compact storage: the same checks and result as
    /// `ConstraintSystem(r1cs: R1CSFile(bytes:))` without the intermediate per-constraint arrays (about 4×
    /// less peak memory and time for large circuits). Throws `FormatError`.
    public init(r1csBytes bytes: [UInt8]) throws {
        var system: ConstraintSystem?
        var a: [Term] = [], b: [Term] = [], c: [Term] = []
        func copy(_ from: [R1CSTerm], _ to: inout [Term]) {
            to.removeAll(keepingCapacity: true)
            for t in from { to.append(Term(wire: t.wire, coefficient: t.coefficient)) }
        }
        _ = try R1CSFile(bytes: bytes, header: { counts in
            var s = ConstraintSystem(publicCount: counts.nPublic, privateCount: counts.nWires - 1 - counts.nPublic)
            s.reserveCapacity(constraints: counts.nConstraints)
            system = s
        }) { ta, tb, tc in
            copy(ta, &a); copy(tb, &b); copy(tc, &c)
            system!.addConstraint(LinearCombination(a), LinearCombination(b), LinearCombination(c))
        }
        self = system!
    }

    /// Checks `witness` against the circuit in the circom `.r1cs` file at `path` while reading it
    /// (``R1CSFile/init(contentsOfFile:header:streaming:)``), keeping no constraint: the result and errors of
    /// `ConstraintSystem(r1csBytes:)` on the file's bytes followed by ``check(_:)``, but neither the file nor the
    /// circuit is ever in memory whole. A malformed file throws its `FormatError` even when an earlier constraint is
    /// unsatisfied; then `WitnessError`, or the lowest unsatisfied constraint (``UnsatisfiedConstraint``). Returns the
    /// header counts. The check runs on this thread as the file is parsed, reading at least `chunkBytes` of the
    /// constraints at a time (4 MiB by default; less memory for a check that runs beside the prover).
    public static func check(_ witness: [Fr], r1csFile path: String, chunkBytes: Int = 1 << 22) throws -> R1CSFile.Counts {
        precondition(chunkBytes > 0, "chunkBytes must be positive")
        var counts: R1CSFile.Counts?
        var failure: Error?
        var index = 0
        try witness.withUnsafeBufferPointer { w in
            _ = try R1CSFile(contentsOfFile: path, chunkBytes: chunkBytes, header: { c in
                counts = c
                if w.count != c.nWires { failure = WitnessError.wrongLength(expected: c.nWires, got: w.count) }
                else if w.first != .one { failure = WitnessError.constantWireNotOne }
            }) { ta, tb, tc in
                defer { index += 1 }
                guard failure == nil else { return }
                func evaluate(_ terms: [R1CSTerm]) -> Fr {
                    var sum = Fr.zero
                    for t in terms { sum += w[t.wire] * t.coefficient }
                    return sum
                }
                let (a, b, c) = (evaluate(ta), evaluate(tb), evaluate(tc))
                if a * b != c { failure = UnsatisfiedConstraint(index: index, label: nil, a: a, b: b, c: c) }
            }
        }
        if let failure { throw failure }
        return counts!
    }

    /// The constraint system of a circom `.r1cs` file (public signals = outputs then public inputs).
    public init(r1cs: R1CSFile) throws {
        try r1cs.validate()
        self.init(publicCount: r1cs.nPublic, privateCount: r1cs.nWires - 1 - r1cs.nPublic)
        reserveCapacity(constraints: r1cs.nConstraints)
        func lc(_ terms: [R1CSTerm]) -> LinearCombination { LinearCombination(terms.map { Term(wire: $0.wire, coefficient: $0.coefficient) }) }
        for c in r1cs.constraints { addConstraint(lc(c.a), lc(c.b), lc(c.c)) }
    }
}
