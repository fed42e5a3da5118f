internal import CGMP

/// Montgomery multiplication of 4-limb numbers done through GMP's mpn layer
/// (`mpn_mul_n` for the product, `mpn_addmul_1` for each REDC step).
///
/// It exists to compare zkinfer's fixed-width kernel with GMP honestly (see the
/// benchmarks and the README); it is correct but not used on any hot path.
/// Inputs and output are little-endian limbs, in Montgomery form, each `< modulus`.
public struct MPNMontgomery4: Sendable {
    public let modulus: [UInt64]
    /// `-modulus⁻¹ mod 2^64`.
    public let inverseNegated: UInt64

    public init(modulus: [UInt64]) {
        precondition(modulus.count == 4 && modulus[0] & 1 == 1, "odd 4-limb modulus expected")
        self.modulus = modulus
        // Newton iteration for the inverse modulo 2^64.
        var inv: UInt64 = 1
        for _ in 0..<6 { inv = inv &* (2 &- modulus[0] &* inv) }
        inverseNegated = 0 &- inv
    }

    /// `a·b·2^-256 mod modulus`.
    public func multiply(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: 4)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    multiply(pa.baseAddress!, pb.baseAddress!, into: po.baseAddress!)
                }
            }
        }
        return out
    }

    /// Pointer form used by the benchmark: no allocation per call.
    public func multiply(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, into result: UnsafeMutablePointer<UInt64>) {
        withUnsafeTemporaryAllocation(of: UInt.self, capacity: 9) { t in
            let tp = t.baseAddress!
            tp[8] = 0
            a.withMemoryRebound(to: UInt.self, capacity: 4) { ap in
                b.withMemoryRebound(to: UInt.self, capacity: 4) { bp in
                    zk_mpn_mul_n(tp, ap, bp, 4)
                }
            }
            modulus.withUnsafeBufferPointer { mb in
                mb.baseAddress!.withMemoryRebound(to: UInt.self, capacity: 4) { mp in
                    for i in 0..<4 {
                        let m = UInt(UInt64(tp[i]) &* inverseNegated)
                        let carry = zk_mpn_addmul_1(tp + i, mp, 4, m)
                        _ = zk_mpn_add_1(tp + i + 4, tp + i + 4, 5 - i, carry)
                    }
                    // Result is t[4..<8] (+ t[8] carry); subtract the modulus once if needed.
                    if tp[8] != 0 || zk_mpn_cmp(tp + 4, mp, 4) >= 0 {
                        _ = zk_mpn_sub_n(tp + 4, tp + 4, mp, 4)
                    }
                }
            }
            for i in 0..<4 { result[i] = UInt64(tp[4 + i]) }
        }
    }
}
