import ZKBigNum

/// `Fq12 = Fq6[w]/(w² − v)`: elements `c0 + c1·w`. Pairing values (the target group GT) live here.
///
/// Seen as a degree-6 extension of Fq2 with `w⁶ = ξ`, the coefficient of `wⁱ` is
/// `c0.c0, c1.c0, c0.c1, c1.c1, c0.c2, c1.c2` for `i = 0...5`; the Frobenius maps act on that basis.
@frozen
public struct Fq12: Sendable, Hashable {
    public var c0: Fq6
    public var c1: Fq6

    @inlinable @inline(__always)
    public init(_ c0: Fq6, _ c1: Fq6) { self.c0 = c0; self.c1 = c1 }

    @inlinable public static var one: Fq12 { Fq12(.one, .zero) }
    @inlinable public static var zero: Fq12 { Fq12(.zero, .zero) }
    @inlinable public var isOne: Bool { self == .one }
    @inlinable public var isZero: Bool { c0.isZero && c1.isZero }

    @inlinable @inline(__always) public static func + (a: Fq12, b: Fq12) -> Fq12 { Fq12(a.c0 + b.c0, a.c1 + b.c1) }
    @inlinable @inline(__always) public static func - (a: Fq12, b: Fq12) -> Fq12 { Fq12(a.c0 - b.c0, a.c1 - b.c1) }

    /// Karatsuba: 3 Fq6 multiplications.
    @inlinable
    public static func * (a: Fq12, b: Fq12) -> Fq12 {
        let t0 = a.c0 * b.c0, t1 = a.c1 * b.c1
        return Fq12(t0 + t1.mulByV(), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1)
    }
    @inlinable @inline(__always) public static func *= (a: inout Fq12, b: Fq12) { a = a * b }

    /// Complex squaring: 2 Fq6 multiplications.
    @inlinable
    public func squared() -> Fq12 {
        let ab = c0 * c1
        let t = (c0 + c1) * (c0 + c1.mulByV())
        return Fq12(t - ab - ab.mulByV(), ab.doubled())
    }

    /// `c0 − c1·w`: the `p⁶`-Frobenius, and the inverse of an element of the cyclotomic subgroup.
    @inlinable @inline(__always)
    public func conjugate() -> Fq12 { Fq12(c0, -c1) }

    @inlinable
    public func inverse() -> Fq12? {
        let t = c0.squared() - c1.squared().mulByV()
        guard let inv = t.inverse() else { return nil }
        return Fq12(c0 * inv, -(c1 * inv))
    }

    /// Multiplication by a sparse line value `a + b·w + c·w³` (positions w⁰, w¹, w³): 13 Fq2 multiplications.
    @inlinable
    public func mulByLine(_ a: Fq2, _ b: Fq2, _ c: Fq2) -> Fq12 {
        // line = (a, 0, 0) + (b, c, 0)·w
        let t0 = c0 * a
        let t1 = c1.mulBy01(b, c)
        let s = (c0 + c1).mulBy01(a + b, c)
        return Fq12(t0 + t1.mulByV(), s - t0 - t1)
    }

    /// `self^e`, exponent as little-endian limbs (plain square-and-multiply; for tests and rare use).
    public func power(_ exponent: [UInt64]) -> Fq12 {
        var result = Fq12.one
        for limb in exponent.reversed() {
            for bit in stride(from: 63, through: 0, by: -1) {
                result = result.squared()
                if (limb >> UInt64(bit)) & 1 == 1 { result = result * self }
            }
        }
        return result
    }

    /// `self^e` for a non-negative ``BigNum`` exponent.
    public func power(_ exponent: BigNum) -> Fq12 {
        power(exponent.limbs(count: max(1, (exponent.bitWidth + 63) / 64))!)
    }

    // MARK: Frobenius

    /// `γ[k−1][i] = ξ^(i·(p^k − 1)/6)` for `k = 1, 2, 3` and `i = 0...5`, computed once from ξ.
    public static let frobeniusCoefficients: [[Fq2]] = {
        let p = Fq.modulus
        return (1...3).map { k in
            let e = (p.power(k) - BigNum(1)) / BigNum(6)
            return (0..<6).map { i in
                let exp = e * BigNum(i)
                return Fq2.xi.power(exp.limbs(count: max(1, (exp.bitWidth + 63) / 64))!)
            }
        }
    }()

    /// The `p^k`-power Frobenius for `k = 1, 2, 3`: conjugate each Fq2 coefficient `k` times and
    /// scale the coefficient of `wⁱ` by `ξ^(i(p^k−1)/6)`.
    @inlinable
    public func frobenius(_ k: Int) -> Fq12 {
        precondition((1...3).contains(k), "frobenius power must be 1, 2 or 3")
        let g = Fq12.frobeniusCoefficients[k - 1]
        // Odd powers conjugate each Fq2 coefficient (x^p = x̄ in Fq2); even powers leave them.
        let x = k == 2 ? self : Fq12(
            Fq6(c0.c0.conjugate(), c0.c1.conjugate(), c0.c2.conjugate()),
            Fq6(c1.c0.conjugate(), c1.c1.conjugate(), c1.c2.conjugate()))
        return Fq12(
            Fq6(x.c0.c0, x.c0.c1 * g[2], x.c0.c2 * g[4]),
            Fq6(x.c1.c0 * g[1], x.c1.c1 * g[3], x.c1.c2 * g[5]))
    }

    // MARK: Cyclotomic subgroup

    /// Granger–Scott squaring, valid only for elements of the cyclotomic subgroup
    /// (norm 1 over Fq2, e.g. anything after the easy part of the final exponentiation).
    @inlinable
    public func cyclotomicSquared() -> Fq12 {
        // Names: g0 = c0.c0, g2 = c0.c1, g4 = c0.c2, g1 = c1.c0, g3 = c1.c1, g5 = c1.c2.
        let t0 = c1.c1.squared(), t1 = c0.c0.squared()
        let t6 = (c1.c1 + c0.c0).squared() - t0 - t1
        let t2 = c0.c2.squared(), t3 = c1.c0.squared()
        let t7 = (c0.c2 + c1.c0).squared() - t2 - t3
        let t4 = c1.c2.squared(), t5 = c0.c1.squared()
        let t8 = ((c1.c2 + c0.c1).squared() - t4 - t5).mulByNonResidue()
        let u0 = t0.mulByNonResidue() + t1
        let u2 = t2.mulByNonResidue() + t3
        let u4 = t4.mulByNonResidue() + t5
        let z00 = (u0 - c0.c0).doubled() + u0
        let z01 = (u2 - c0.c1).doubled() + u2
        let z02 = (u4 - c0.c2).doubled() + u4
        let z10 = (t8 + c1.c0).doubled() + t8
        let z11 = (t6 + c1.c1).doubled() + t6
        let z12 = (t7 + c1.c2).doubled() + t7
        return Fq12(Fq6(z00, z01, z02), Fq6(z10, z11, z12))
    }

    /// `self^u` for the BN parameter `u = 4965661367192848881`, by cyclotomic squarings and
    /// multiplications along the NAF of `u` (63 digits, 24 non-zero instead of 28 set bits).
    /// Valid only in the cyclotomic subgroup, where the inverse needed for −1 digits is the conjugate.
    @inlinable
    public func cyclotomicPowerByU() -> Fq12 {
        // u = positive − negative (NAF digits as bit masks); the top digit (bit 62) is +1 and seeds `result`.
        let positive: UInt64 = 0x450a_1404_4a89_0a01, negative: UInt64 = 0x0020_8150_0020_0010
        let inverse = conjugate()
        var result = self
        for bit in stride(from: 61, through: 0, by: -1) {
            result = result.cyclotomicSquared()
            if (positive >> UInt64(bit)) & 1 == 1 { result = result * self }
            if (negative >> UInt64(bit)) & 1 == 1 { result = result * inverse }
        }
        return result
    }
}
