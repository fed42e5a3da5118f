/// Fixed-base scalar multiplication with a precomputed table (8-bit windows): `[k]G` for many
/// scalars `k` and one base `G` costs 32 mixed additions each. Used by the trusted setup to
/// compute the proving key's queries. Not constant-time.
public struct FixedBaseTable<C: CurveParameters>: Sendable {
    /// `table[j·255 + (d − 1)] = [d·2^(8j)]G` for window j < 32 and digit d in 1...255.
    @usableFromInline let table: [AffinePoint<C>]

    public init(base: JacobianPoint<C>) {
        var points: [JacobianPoint<C>] = []
        points.reserveCapacity(32 * 255)
        var windowBase = base
        for _ in 0..<32 {
            var acc = windowBase
            for _ in 1...255 {
                points.append(acc)
                acc = acc + windowBase
            }
            windowBase = acc  // 256 · windowBase
        }
        table = batchToAffine(points)
    }

    /// `[k]G` for a scalar-field element (its canonical value).
    @inlinable
    public func multiply(_ k: Fr) -> JacobianPoint<C> {
        let limbs = k.canonicalLimbs
        var acc = JacobianPoint<C>.infinity
        for j in 0..<32 {
            let digit = Int((limbs[j >> 3] >> UInt64((j & 7) * 8)) & 0xff)
            if digit != 0 { acc = acc.adding(table[j * 255 + digit - 1]) }
        }
        return acc
    }
}
