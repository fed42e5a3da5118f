/// Double-width ("lazy reduction") kernels: full 512-bit products and a separate Montgomery
/// reduction, so that sums and differences of products can be reduced once (Aranha, Karabina,
/// Longa, Gebotys, López 2011). Only for extension-field formulas inside this module; the
/// public API still takes and returns fully reduced Montgomery-form elements.

/// A 512-bit unsigned value, 8 limbs, least significant first.
@frozen @usableFromInline
internal struct Wide: Sendable {
    @usableFromInline var w0, w1, w2, w3, w4, w5, w6, w7: UInt64

    @inlinable @inline(__always)
    init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64,
         _ w4: UInt64, _ w5: UInt64, _ w6: UInt64, _ w7: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
        self.w4 = w4; self.w5 = w5; self.w6 = w6; self.w7 = w7
    }

    /// `a + b mod 2^512`.
    @inlinable @inline(__always)
    static func + (a: Wide, b: Wide) -> Wide {
        let (s0, c0) = addc(a.w0, b.w0, 0), (s1, c1) = addc(a.w1, b.w1, c0)
        let (s2, c2) = addc(a.w2, b.w2, c1), (s3, c3) = addc(a.w3, b.w3, c2)
        let (s4, c4) = addc(a.w4, b.w4, c3), (s5, c5) = addc(a.w5, b.w5, c4)
        let (s6, c6) = addc(a.w6, b.w6, c5), (s7, _) = addc(a.w7, b.w7, c6)
        return Wide(s0, s1, s2, s3, s4, s5, s6, s7)
    }

    /// `a − b mod 2^512` and the borrow-out (1 when `a < b`).
    @inlinable @inline(__always)
    static func subtract(_ a: Wide, _ b: Wide) -> (Wide, UInt64) {
        let (d0, b0) = subb(a.w0, b.w0, 0), (d1, b1) = subb(a.w1, b.w1, b0)
        let (d2, b2) = subb(a.w2, b.w2, b1), (d3, b3) = subb(a.w3, b.w3, b2)
        let (d4, b4) = subb(a.w4, b.w4, b3), (d5, b5) = subb(a.w5, b.w5, b4)
        let (d6, b6) = subb(a.w6, b.w6, b5), (d7, b7) = subb(a.w7, b.w7, b6)
        return (Wide(d0, d1, d2, d3, d4, d5, d6, d7), b7)
    }

    /// `a − b` for `a ≥ b` (no borrow-out by assumption).
    @inlinable @inline(__always)
    static func - (a: Wide, b: Wide) -> Wide { subtract(a, b).0 }
}

extension MontgomeryField {
    /// Full product of two 256-bit values given as limbs (operands may be unreduced, `< 2^256`).
    @inlinable @inline(__always)
    internal static func mulWide(_ a0: UInt64, _ a1: UInt64, _ a2: UInt64, _ a3: UInt64,
                                 _ b0: UInt64, _ b1: UInt64, _ b2: UInt64, _ b3: UInt64) -> Wide {
        var c: UInt64
        var t0, t1, t2, t3, t4, t5, t6, t7: UInt64
        (c, t0) = madd(a0, b0, 0, 0)
        (c, t1) = madd(a1, b0, 0, c)
        (c, t2) = madd(a2, b0, 0, c)
        (t4, t3) = madd(a3, b0, 0, c)
        (c, t1) = madd(a0, b1, t1, 0)
        (c, t2) = madd(a1, b1, t2, c)
        (c, t3) = madd(a2, b1, t3, c)
        (t5, t4) = madd(a3, b1, t4, c)
        (c, t2) = madd(a0, b2, t2, 0)
        (c, t3) = madd(a1, b2, t3, c)
        (c, t4) = madd(a2, b2, t4, c)
        (t6, t5) = madd(a3, b2, t5, c)
        (c, t3) = madd(a0, b3, t3, 0)
        (c, t4) = madd(a1, b3, t4, c)
        (c, t5) = madd(a2, b3, t5, c)
        (t7, t6) = madd(a3, b3, t6, c)
        return Wide(t0, t1, t2, t3, t4, t5, t6, t7)
    }

    /// Full product of two field elements (each `< p`, so the product is `< p²`).
    @inlinable @inline(__always)
    internal static func mulWide(_ a: Self, _ b: Self) -> Wide {
        mulWide(a.l0, a.l1, a.l2, a.l3, b.l0, b.l1, b.l2, b.l3)
    }

    /// `a + b` without reduction, as limbs (`< 2p < 2^255` for reduced inputs).
    @inlinable @inline(__always)
    internal static func addNoReduce(_ a: Self, _ b: Self) -> (UInt64, UInt64, UInt64, UInt64) {
        let (s0, c0) = addc(a.l0, b.l0, 0), (s1, c1) = addc(a.l1, b.l1, c0)
        let (s2, c2) = addc(a.l2, b.l2, c1), (s3, _) = addc(a.l3, b.l3, c2)
        return (s0, s1, s2, s3)
    }

    /// `T + p·2^256` when `borrow` is 1, else `T` (mod 2^512): makes a difference of products
    /// that went negative (`> −p·2^256`) non-negative again, without a branch.
    @inlinable @inline(__always)
    internal static func fixBorrow(_ t: Wide, _ borrow: UInt64) -> Wide {
        let m = 0 &- borrow
        let (s4, c4) = addc(t.w4, p0 & m, 0), (s5, c5) = addc(t.w5, p1 & m, c4)
        let (s6, c6) = addc(t.w6, p2 & m, c5), (s7, _) = addc(t.w7, p3 & m, c6)
        return Wide(t.w0, t.w1, t.w2, t.w3, s4, s5, s6, s7)
    }

    /// Montgomery reduction `T·2^-256 mod p`, fully reduced. Requires `T < p·2^256`.
    @inlinable @inline(__always)
    internal static func montgomeryReduce(_ t: Wide) -> Self {
        var t0 = t.w0, t1 = t.w1, t2 = t.w2, t3 = t.w3, t4 = t.w4, t5 = t.w5, t6 = t.w6, t7 = t.w7
        var c: UInt64, m: UInt64, hi: UInt64
        m = t0 &* inverseNegated
        (c, _) = madd(m, p0, t0, 0)
        (c, t1) = madd(m, p1, t1, c)
        (c, t2) = madd(m, p2, t2, c)
        (c, t3) = madd(m, p3, t3, c)
        (t4, hi) = addc(t4, c, 0)
        m = t1 &* inverseNegated
        (c, _) = madd(m, p0, t1, 0)
        (c, t2) = madd(m, p1, t2, c)
        (c, t3) = madd(m, p2, t3, c)
        (c, t4) = madd(m, p3, t4, c)
        (t5, hi) = addc(t5, c, hi)
        m = t2 &* inverseNegated
        (c, _) = madd(m, p0, t2, 0)
        (c, t3) = madd(m, p1, t3, c)
        (c, t4) = madd(m, p2, t4, c)
        (c, t5) = madd(m, p3, t5, c)
        (t6, hi) = addc(t6, c, hi)
        m = t3 &* inverseNegated
        (c, _) = madd(m, p0, t3, 0)
        (c, t4) = madd(m, p1, t4, c)
        (c, t5) = madd(m, p2, t5, c)
        (c, t6) = madd(m, p3, t6, c)
        (t7, _) = addc(t7, c, hi)  // (T + M·p)/2^256 < 2p < 2^255: nothing carries out
        return reduceOnce(t4, t5, t6, t7)
    }
}
