import ZKBigNum
import ZKSodium

/// `a·b + c + d` as a 128-bit (hi, lo) pair; cannot overflow.
@inlinable @inline(__always)
internal func madd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (hi: UInt64, lo: UInt64) {
    let p = UInt128(a) &* UInt128(b) &+ UInt128(c) &+ UInt128(d)
    return (UInt64(truncatingIfNeeded: p &>> 64), UInt64(truncatingIfNeeded: p))
}

/// A flag as 0 or 1 without a branch (`b ? 1 : 0` becomes control flow that defeats
/// LLVM's carry-chain matching). The `& 1` keeps only the bit that belongs to the `Bool`
/// (LLVM leaves the other bits of a stored `i1` unspecified); it folds into a plain `zext`.
@inlinable @inline(__always)
internal func bit(_ b: Bool) -> UInt64 { UInt64(unsafeBitCast(b, to: UInt8.self) & 1) }

/// `a + b + carry` → (sum, carry-out ∈ {0,1}); carry must be 0 or 1.
/// Written with `addingReportingOverflow` so that chains compile to `add`/`adc`.
@inlinable @inline(__always)
internal func addc(_ a: UInt64, _ b: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
    let (s1, o1) = a.addingReportingOverflow(b)
    let (s2, o2) = s1.addingReportingOverflow(carry)
    return (s2, bit(o1) | bit(o2))
}

/// `a − b − borrow` → (difference, borrow-out ∈ {0,1}); borrow must be 0 or 1.
/// Written with `subtractingReportingOverflow` so that chains compile to `sub`/`sbb`.
@inlinable @inline(__always)
internal func subb(_ a: UInt64, _ b: UInt64, _ borrow: UInt64) -> (UInt64, UInt64) {
    let (d1, o1) = a.subtractingReportingOverflow(b)
    let (d2, o2) = d1.subtractingReportingOverflow(borrow)
    return (d2, bit(o1) | bit(o2))
}

/// A prime field whose elements are 4×64-bit limbs in **Montgomery form** (`a·2^256 mod p`),
/// always fully reduced (`< p`), so equal elements have equal limbs.
///
/// The concrete fields ``Fr`` and ``Fq`` supply the constants; the arithmetic lives once, in
/// this protocol's extension, as `@inlinable` code that the compiler specialises per field.
/// Multiplication is CIOS without an extra carry word (the "no-carry" idea of El Housni–Botrel
/// 2022, Alg. 2), valid because the top limb of the modulus is below `2^63 − 1`: the running
/// value stays below `2p < 2^255`. Extension-field code in this module also uses the
/// double-width kernels in `FieldKernels.swift` (full products, one reduction per sum).
public protocol MontgomeryField: Sendable, Hashable, CustomStringConvertible {
    /// Montgomery-form limbs, least significant first.
    var l0: UInt64 { get }
    var l1: UInt64 { get }
    var l2: UInt64 { get }
    var l3: UInt64 { get }
    /// Builds an element from Montgomery-form limbs that the caller guarantees are `< p`.
    init(montgomeryLimbs l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64)

    /// The modulus p, least significant limb first.
    static var p0: UInt64 { get }
    static var p1: UInt64 { get }
    static var p2: UInt64 { get }
    static var p3: UInt64 { get }
    /// `−p⁻¹ mod 2^64`.
    static var inverseNegated: UInt64 { get }
    /// `2^512 mod p` (Montgomery form of `2^256`), to convert into Montgomery form.
    static var r2: Self { get }
    /// `2^256 mod p`, the Montgomery form of one.
    static var one: Self { get }
    /// Bit length of p.
    static var bitLength: Int { get }
    /// Largest `s` with `2^s | p − 1`.
    static var twoAdicity: Int { get }
    /// A primitive `2^twoAdicity`-th root of unity.
    static var twoAdicRootOfUnity: Self { get }
    /// A quadratic non-residue.
    static var quadraticNonResidue: Self { get }
    /// Short name for messages ("Fr", "Fq").
    static var name: String { get }
}

extension MontgomeryField {
    @inlinable public static var zero: Self { Self(montgomeryLimbs: 0, 0, 0, 0) }

    @inlinable public var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }
    @inlinable public var isOne: Bool { self == Self.one }

    /// The modulus as a ``BigNum``.
    public static var modulus: BigNum { BigNum(limbs: [p0, p1, p2, p3]) }

    // MARK: Addition

    /// Subtracts p once if `(s0..s3) ≥ p`. Input must be `< 2p`. Branch-free (a mask selects
    /// the result), so the outcome neither mispredicts nor leaks through timing.
    @inlinable @inline(__always)
    internal static func reduceOnce(_ s0: UInt64, _ s1: UInt64, _ s2: UInt64, _ s3: UInt64) -> Self {
        let (d0, b0) = subb(s0, p0, 0)
        let (d1, b1) = subb(s1, p1, b0)
        let (d2, b2) = subb(s2, p2, b1)
        let (d3, b3) = subb(s3, p3, b2)
        let keep = 0 &- b3  // all ones when s < p (keep s), zero otherwise (take d)
        return Self(montgomeryLimbs: (s0 & keep) | (d0 & ~keep), (s1 & keep) | (d1 & ~keep),
                    (s2 & keep) | (d2 & ~keep), (s3 & keep) | (d3 & ~keep))
    }

    @inlinable @inline(__always)
    public static func + (a: Self, b: Self) -> Self {
        // p < 2^254, so a + b < 2^255 never carries out of the top limb.
        let (s0, c0) = addc(a.l0, b.l0, 0)
        let (s1, c1) = addc(a.l1, b.l1, c0)
        let (s2, c2) = addc(a.l2, b.l2, c1)
        let (s3, _) = addc(a.l3, b.l3, c2)
        return reduceOnce(s0, s1, s2, s3)
    }

    @inlinable @inline(__always)
    public static func - (a: Self, b: Self) -> Self {
        let (d0, b0) = subb(a.l0, b.l0, 0)
        let (d1, b1) = subb(a.l1, b.l1, b0)
        let (d2, b2) = subb(a.l2, b.l2, b1)
        let (d3, b3) = subb(a.l3, b.l3, b2)
        let mask = 0 &- b3  // add p back only on borrow, without a branch
        let (e0, c0) = addc(d0, p0 & mask, 0)
        let (e1, c1) = addc(d1, p1 & mask, c0)
        let (e2, c2) = addc(d2, p2 & mask, c1)
        let (e3, _) = addc(d3, p3 & mask, c2)
        return Self(montgomeryLimbs: e0, e1, e2, e3)
    }

    @inlinable @inline(__always)
    public static prefix func - (a: Self) -> Self { zero - a }  // 0 − 0 = 0 without a borrow: no special case

    @inlinable @inline(__always) public func doubled() -> Self { self + self }
    @inlinable @inline(__always) public static func += (a: inout Self, b: Self) { a = a + b }
    @inlinable @inline(__always) public static func -= (a: inout Self, b: Self) { a = a - b }
    @inlinable @inline(__always) public static func *= (a: inout Self, b: Self) { a = a * b }

    /// `a / 2 mod p`. Branch-free: p is added (masked) when `a` is odd, then shifted.
    @inlinable @inline(__always)
    public func halved() -> Self {
        let mask = 0 &- (l0 & 1)  // add p (result < 2^255, no overflow) to make it even
        let (s0, c0) = addc(l0, Self.p0 & mask, 0)
        let (s1, c1) = addc(l1, Self.p1 & mask, c0)
        let (s2, c2) = addc(l2, Self.p2 & mask, c1)
        let (s3, _) = addc(l3, Self.p3 & mask, c2)
        return Self(montgomeryLimbs: (s0 >> 1) | (s1 << 63), (s1 >> 1) | (s2 << 63), (s2 >> 1) | (s3 << 63), s3 >> 1)
    }

    // MARK: Multiplication

    /// One CIOS round: `t ← (t + a·bi + m·p) / 2^64`. Each 4×1 product is first collected into
    /// five limbs with one carry chain and then added with a second, so the compiler emits
    /// straight `add`/`adc` runs instead of an add-with-zero after every `mul`.
    @inlinable @inline(__always)
    internal static func mulRound(_ a: Self, _ bi: UInt64,
                                  _ t0: inout UInt64, _ t1: inout UInt64, _ t2: inout UInt64, _ t3: inout UInt64) {
        var c: UInt64
        // u = t + a·bi (five limbs; t < 2p < 2^255, so u < 2^320)
        let (h0, l0) = a.l0.multipliedFullWidth(by: bi), (h1, l1) = a.l1.multipliedFullWidth(by: bi)
        let (h2, l2) = a.l2.multipliedFullWidth(by: bi), (h3, l3) = a.l3.multipliedFullWidth(by: bi)
        let r1: UInt64, r2: UInt64, r3: UInt64
        (r1, c) = addc(l1, h0, 0); (r2, c) = addc(l2, h1, c); (r3, c) = addc(l3, h2, c)
        let r4 = h3 &+ c
        let u0: UInt64, u1: UInt64, u2: UInt64, u3: UInt64
        (u0, c) = addc(t0, l0, 0); (u1, c) = addc(t1, r1, c); (u2, c) = addc(t2, r2, c); (u3, c) = addc(t3, r3, c)
        let u4 = r4 &+ c
        // (u + m·p) / 2^64 with m chosen so that the low limb vanishes
        let m = u0 &* inverseNegated
        let (g0, k0) = m.multipliedFullWidth(by: p0), (g1, k1) = m.multipliedFullWidth(by: p1)
        let (g2, k2) = m.multipliedFullWidth(by: p2), (g3, k3) = m.multipliedFullWidth(by: p3)
        let s1: UInt64, s2: UInt64, s3: UInt64
        (s1, c) = addc(k1, g0, 0); (s2, c) = addc(k2, g1, c); (s3, c) = addc(k3, g2, c)
        let s4 = g3 &+ c
        (_, c) = addc(u0, k0, 0); (t0, c) = addc(u1, s1, c); (t1, c) = addc(u2, s2, c); (t2, c) = addc(u3, s3, c)
        t3 = u4 &+ s4 &+ c
    }

    /// Montgomery product `a·b·2^-256 mod p` (both in Montgomery form, so this is field multiplication).
    @inlinable @inline(__always)
    public static func * (a: Self, b: Self) -> Self {
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0
        mulRound(a, b.l0, &t0, &t1, &t2, &t3)
        mulRound(a, b.l1, &t0, &t1, &t2, &t3)
        mulRound(a, b.l2, &t0, &t1, &t2, &t3)
        mulRound(a, b.l3, &t0, &t1, &t2, &t3)
        return reduceOnce(t0, t1, t2, t3)
    }

    @inlinable @inline(__always)
    public func squared() -> Self { self * self }

    /// `self^e` for an exponent given as little-endian 64-bit limbs (plain integer, not Montgomery).
    @inlinable
    public func power(_ exponent: [UInt64]) -> Self {
        var result = Self.one
        var started = false
        for limb in exponent.reversed() {
            for bit in stride(from: 63, through: 0, by: -1) {
                if started { result = result.squared() }
                if (limb >> UInt64(bit)) & 1 == 1 {
                    result = started ? result * self : self
                    started = true
                }
            }
        }
        return result
    }

    /// `self^e` for a non-negative ``BigNum`` exponent.
    public func power(_ exponent: BigNum) -> Self {
        precondition(!exponent.isNegative, "negative exponent")
        let n = max(1, (exponent.bitWidth + 63) / 64)
        return power(exponent.limbs(count: n)!)
    }

    /// `self^e` for a machine-word exponent.
    @inlinable public func power(_ exponent: UInt64) -> Self { power([exponent]) }

    /// `p − 2` as limbs, for Fermat inversion.
    @inlinable internal static var pMinusTwo: [UInt64] {
        let (d0, b0) = subb(p0, 2, 0)
        let (d1, b1) = subb(p1, 0, b0)
        let (d2, b2) = subb(p2, 0, b1)
        let (d3, _) = subb(p3, 0, b2)
        return [d0, d1, d2, d3]
    }

    /// The multiplicative inverse, or nil for zero. Constant-time in the value (Fermat: `a^(p−2)`).
    @inlinable
    public func inverse() -> Self? {
        isZero ? nil : power(Self.pMinusTwo)
    }

    // MARK: Conversions

    /// Plain (non-Montgomery) canonical limbs, least significant first.
    @inlinable
    public var canonicalLimbs: [UInt64] {
        let c = canonicalTuple
        return [c.0, c.1, c.2, c.3]
    }

    /// Plain (non-Montgomery) canonical limbs, least significant first, without allocating (hot serializers).
    @inlinable
    public var canonicalTuple: (UInt64, UInt64, UInt64, UInt64) {
        let c = self * Self(montgomeryLimbs: 1, 0, 0, 0)  // multiply by 1 → divides by R
        return (c.l0, c.l1, c.l2, c.l3)
    }

    /// Builds an element from plain limbs; nil if the value is `≥ p` (non-canonical).
    @inlinable
    public init?(canonicalLimbs v: [UInt64]) {
        guard v.count == 4 else { return nil }
        // Reject ≥ p: compute v − p and look at the borrow.
        let (_, b0) = subb(v[0], Self.p0, 0)
        let (_, b1) = subb(v[1], Self.p1, b0)
        let (_, b2) = subb(v[2], Self.p2, b1)
        let (_, b3) = subb(v[3], Self.p3, b2)
        guard b3 == 1 else { return nil }
        self = Self(montgomeryLimbs: v[0], v[1], v[2], v[3]) * Self.r2
    }

    /// A small integer as a field element.
    @inlinable
    public init(_ value: UInt64) {
        self = Self(montgomeryLimbs: value, 0, 0, 0) * Self.r2  // value < p always
    }

    /// A signed small integer (negative values map to `p − |v|`).
    @inlinable
    public init(signed value: Int64) {
        let m = Self(value.magnitude)
        self = value < 0 ? -m : m
    }

    /// The canonical value; nil when `value` is negative or `≥ p`.
    public init?(_ value: BigNum) {
        guard !value.isNegative, let limbs = value.limbs(count: 4) else { return nil }
        self.init(canonicalLimbs: limbs)
    }

    /// `value mod p` (any sign, any size).
    public init(reducing value: BigNum) {
        self.init(value.mod(Self.modulus))!
    }

    /// Strict decimal: only ASCII digits, no sign, no leading zeros (except "0"), value `< p`.
    public init?(decimal text: String) {
        let u = text.utf8
        guard !u.isEmpty, u.count <= 80, u.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        guard u.count == 1 || u.first != 48 else { return nil }
        guard let big = BigNum(text) else { return nil }
        self.init(big)
    }

    /// The canonical value as a ``BigNum``.
    public var bigNum: BigNum { BigNum(limbs: canonicalLimbs) }

    /// Decimal text of the canonical value.
    public var description: String { bigNum.toString() }

    /// Canonical 32-byte big-endian encoding.
    @inlinable
    public var bigEndianBytes: [UInt8] {
        let v = canonicalLimbs
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<4 {
            let limb = v[3 - i]
            for j in 0..<8 { out[i * 8 + j] = UInt8(truncatingIfNeeded: limb >> UInt64(56 - 8 * j)) }
        }
        return out
    }

    /// Canonical 32-byte little-endian encoding (iden3 `.r1cs`/`.wtns` style).
    @inlinable public var littleEndianBytes: [UInt8] { Array(bigEndianBytes.reversed()) }

    /// Decodes exactly 32 big-endian bytes; nil for other lengths or values `≥ p`.
    @inlinable
    public init?(bigEndianBytes bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var limbs = [UInt64](repeating: 0, count: 4)
        for (k, byte) in bytes.enumerated() {
            let limbIndex = 3 - k / 8
            limbs[limbIndex] = (limbs[limbIndex] << 8) | UInt64(byte)
        }
        self.init(canonicalLimbs: limbs)
    }

    /// Decodes exactly 32 little-endian bytes; nil for other lengths or values `≥ p`.
    @inlinable
    public init?(littleEndianBytes bytes: some Collection<UInt8>) {
        self.init(bigEndianBytes: Array(bytes).reversed())
    }

    // MARK: Random

    /// Uniform element by rejection sampling (draw `bitLength` bits, retry when `≥ p`).
    @inlinable
    public static func random<R: RandomNumberGenerator>(using rng: inout R) -> Self {
        let topMask: UInt64 = bitLength % 64 == 0 ? ~0 : (1 << UInt64(bitLength % 64)) - 1
        while true {
            let v = [rng.next(), rng.next(), rng.next(), rng.next() & topMask]
            if let x = Self(canonicalLimbs: v) { return x }
        }
    }

    /// Uniform element from libsodium's CSPRNG.
    public static func random() -> Self {
        var rng = SecureRandomNumberGenerator()
        return random(using: &rng)
    }

    // MARK: Square roots and residuosity

    /// `(p − 1) / 2` as limbs.
    @inlinable internal static var halfPMinusOne: [UInt64] {
        let v = [p0 &- 1, p1, p2, p3]  // p is odd, so no borrow
        return [(v[0] >> 1) | (v[1] << 63), (v[1] >> 1) | (v[2] << 63), (v[2] >> 1) | (v[3] << 63), v[3] >> 1]
    }

    /// Legendre symbol: 0 for zero, 1 for a non-zero square, −1 otherwise.
    @inlinable
    public func legendre() -> Int {
        if isZero { return 0 }
        return power(Self.halfPMinusOne).isOne ? 1 : -1
    }

    /// A square root (either one), or nil when none exists. Tonelli–Shanks, with the
    /// `p ≡ 3 (mod 4)` shortcut `a^((p+1)/4)` when the 2-adicity is 1.
    public func squareRoot() -> Self? {
        if isZero { return self }
        let p = Self.modulus
        if Self.twoAdicity == 1 {
            let x = power((p + BigNum(1)) >> 2)
            return x.squared() == self ? x : nil
        }
        guard legendre() == 1 else { return nil }
        // p − 1 = 2^s · t, t odd.
        let s = Self.twoAdicity
        let t = (p - BigNum(1)) >> s
        var m = s
        var c = Self.twoAdicRootOfUnity
        var x = power((t + BigNum(1)) >> 1)
        var b = power(t)
        while !b.isOne {
            var i = 0
            var b2i = b
            while !b2i.isOne { b2i = b2i.squared(); i += 1 }
            var e = c
            for _ in 0..<(m - i - 1) { e = e.squared() }
            x = x * e
            c = e.squared()
            b = b * c
            m = i
        }
        return x
    }

    /// Whether the canonical value is greater than `(p − 1)/2` (the "larger" of ±x).
    public var isLexicographicallyLargest: Bool {
        let v = canonicalLimbs, h = Self.halfPMinusOne
        for i in stride(from: 3, through: 0, by: -1) where v[i] != h[i] { return v[i] > h[i] }
        return false
    }
}
