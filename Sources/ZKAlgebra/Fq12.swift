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

    /// `γ[k−1][i] = ξ^(i·(p^k − 1)/6)` for `k = 1, 2, 3` and `i = 0...5` (Montgomery form, canonical).
    ///
    /// Built from the canonical constants in ``frobeniusCoefficientTable`` rather than by 18 exponentiations at
    /// first use, which cost ~0.3 ms of every short-lived process's start (e.g. `zkinfer verify`, whose G2 subgroup
    /// checks need ψ). A test recomputes them from their definition (``frobeniusCoefficientsFromDefinition()``).
    public static let frobeniusCoefficients: [[Fq2]] = frobeniusCoefficientTable.map { row in
        row.map { pair in Fq2(Fq(canonicalLimbs: pair[0])!, Fq(canonicalLimbs: pair[1])!) }
    }

    /// The coefficients computed from their definition with GMP exponents (slow; for tests).
    public static func frobeniusCoefficientsFromDefinition() -> [[Fq2]] {
        let p = Fq.modulus
        return (1...3).map { k in
            let e = (p.power(k) - BigNum(1)) / BigNum(6)
            return (0..<6).map { i in
                let exp = e * BigNum(i)
                return Fq2.xi.power(exp.limbs(count: max(1, (exp.bitWidth + 63) / 64))!)
            }
        }
    }

    /// `ξ^(i·(p^k − 1)/6)` as canonical little-endian limbs `[c0, c1]` (ξ = 9 + u), rows k = 1, 2, 3.
    /// Generated with exact integer arithmetic (Python `pow` over Fq2) and checked by `TowerTests.testFrobeniusTable`.
    static let frobeniusCoefficientTable: [[[[UInt64]]]] = [
        [ // k = 1
            [[0x0000000000000001, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000], [0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000]],
            [[0xd60b35dadcc9e470, 0x5c521e08292f2176, 0xe8b99fdd76e68b60, 0x1284b71c2865a7df], [0xca5cf05f80f362ac, 0x747992778eeec7e5, 0xa6327cfe12150b8e, 0x246996f3b4fae7e6]],
            [[0x99e39557176f553d, 0xb78cc310c2c3330c, 0x4c0bec3cf559b143, 0x2fb347984f7911f7], [0x1665d51c640fcba2, 0x32ae2a1d0b7c9dce, 0x4ba4cc8bd75a0794, 0x16c9e55061ebae20]],
            [[0xdc54014671a0135a, 0xdbaae0eda9c95998, 0xdc5ec698b6e2f9b9, 0x063cf305489af5dc], [0x82d37f632623b0e3, 0x21807dc98fa25bd2, 0x0704b5a7ec796f2b, 0x07c03cbcac41049a]],
            [[0x848a1f55921ea762, 0xd33365f7be94ec72, 0x80f3c0b75a181e84, 0x05b54f5e64eea801], [0xc13b4711cd2b8126, 0x3685d2ea1bdec763, 0x9f3a80b03b0b1c92, 0x2c145edbe7fd8aee]],
            [[0x2ea2c810eab7692f, 0x425c459b55aa1bd3, 0xe93a3661a4353ff4, 0x0183c1e74f798649], [0x24c6b8ee6e0c2c4b, 0xb080cb99678e2ac0, 0xa27fb246c7729f7d, 0x12acf2ca76fd0675]],
        ],
        [ // k = 2
            [[0x0000000000000001, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000], [0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000]],
            [[0xe4bd44e5607cfd49, 0xc28f069fbb966e3d, 0x5e6dd9e7e0acccb0, 0x30644e72e131a029], [0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000]],
            [[0xe4bd44e5607cfd48, 0xc28f069fbb966e3d, 0x5e6dd9e7e0acccb0, 0x30644e72e131a029], [0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000]],
            [[0x3c208c16d87cfd46, 0x97816a916871ca8d, 0xb85045b68181585d, 0x30644e72e131a029], [0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000]],
            [[0x5763473177fffffe, 0xd4f263f1acdb5c4f, 0x59e26bcea0d48bac, 0x0000000000000000], [0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000]],
            [[0x5763473177ffffff, 0xd4f263f1acdb5c4f, 0x59e26bcea0d48bac, 0x0000000000000000], [0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000]],
        ],
        [ // k = 3
            [[0x0000000000000001, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000], [0x0000000000000000, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000]],
            [[0xe86f7d391ed4a67f, 0x894cb38dbe55d24a, 0xefe9608cd0acaa90, 0x19dc81cfcc82e4bb], [0x7694aa2bf4c0c101, 0x7f03a5e397d439ec, 0x06cbeee33576139d, 0x00abf8b60be77d73]],
            [[0x7b746ee87bdcfb6d, 0x805ffd3d5d6942d3, 0xbaff1c77959f25ac, 0x0856e078b755ef0a], [0x380cab2baaa586de, 0x0fdf31bf98ff2631, 0xa9f30e6dec26094f, 0x04f1de41b3d1766f]],
            [[0x5fcc8ad066dce9ed, 0xbbd689a3bea870f4, 0xdbf17f1dca9e5ea3, 0x2a275b6d9896aa4c], [0xb94d0cb3b2594c64, 0x7600ecc7d8cf6eba, 0xb14b900e9507e932, 0x28a411b634f09b8f]],
            [[0x0e1a92bc3ccbf066, 0xe633094575b06bcb, 0x19bee0f7b5b2444e, 0x0bc58c6611c08dab], [0x5fe3ed9d730c239f, 0xa44a9e08737f96e5, 0xfeb0f6ef0cd21d04, 0x23d5e999e1910a12]],
            [[0xebde847076261b43, 0x2ed68098967c84a5, 0x711699fa3b4d3f69, 0x13c49044952c0905], [0x1f25041384282499, 0x3e2ddaea20028021, 0x9fb1b2282a48633d, 0x16db366a59b1dd0b]],
        ],
    ]

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
