/// `Fq2 = Fq[u]/(u² + 1)`: elements `c0 + c1·u`. The base field of G2's twist.
@frozen
public struct Fq2: Sendable, Hashable, CustomStringConvertible {
    public var c0: Fq
    public var c1: Fq

    @inlinable @inline(__always)
    public init(_ c0: Fq, _ c1: Fq) { self.c0 = c0; self.c1 = c1 }

    @inlinable public static var zero: Fq2 { Fq2(.zero, .zero) }
    @inlinable public static var one: Fq2 { Fq2(.one, .zero) }
    /// `ξ = 9 + u`, the non-residue defining Fq6 and the sextic twist.
    @inlinable public static var xi: Fq2 { Fq2(Fq(9), .one) }

    @inlinable public var isZero: Bool { c0.isZero && c1.isZero }
    @inlinable public var isOne: Bool { self == .one }

    @inlinable @inline(__always) public static func + (a: Fq2, b: Fq2) -> Fq2 { Fq2(a.c0 + b.c0, a.c1 + b.c1) }
    @inlinable @inline(__always) public static func - (a: Fq2, b: Fq2) -> Fq2 { Fq2(a.c0 - b.c0, a.c1 - b.c1) }
    @inlinable @inline(__always) public static prefix func - (a: Fq2) -> Fq2 { Fq2(-a.c0, -a.c1) }
    @inlinable @inline(__always) public static func += (a: inout Fq2, b: Fq2) { a = a + b }
    @inlinable @inline(__always) public static func -= (a: inout Fq2, b: Fq2) { a = a - b }
    @inlinable @inline(__always) public static func *= (a: inout Fq2, b: Fq2) { a = a * b }
    @inlinable @inline(__always) public func doubled() -> Fq2 { Fq2(c0.doubled(), c1.doubled()) }
    @inlinable @inline(__always) public func halved() -> Fq2 { Fq2(c0.halved(), c1.halved()) }

    /// Karatsuba with lazy reduction: 3 full 512-bit products and 2 Montgomery reductions
    /// (`c0 = REDC(a0b0 − a1b1)`, `c1 = REDC((a0+a1)(b0+b1) − a0b0 − a1b1)`).
    @inlinable @inline(__always)
    public static func * (a: Fq2, b: Fq2) -> Fq2 {
        let v0 = Fq.mulWide(a.c0, b.c0)
        let v1 = Fq.mulWide(a.c1, b.c1)
        let (x0, x1, x2, x3) = Fq.addNoReduce(a.c0, a.c1)  // < 2p
        let (y0, y1, y2, y3) = Fq.addNoReduce(b.c0, b.c1)
        let s = Fq.mulWide(x0, x1, x2, x3, y0, y1, y2, y3)  // < 4p²
        let (d, borrow) = Wide.subtract(v0, v1)             // a0b0 − a1b1 ∈ (−p², p²)
        let c0 = Fq.montgomeryReduce(Fq.fixBorrow(d, borrow))  // + p·2^256 if negative: < p·2^256
        let c1 = Fq.montgomeryReduce(s - v0 - v1)           // a0b1 + a1b0 < 2p² < p·2^256
        return Fq2(c0, c1)
    }

    /// Multiplication by a base-field element.
    @inlinable @inline(__always)
    public static func * (a: Fq2, b: Fq) -> Fq2 { Fq2(a.c0 * b, a.c1 * b) }

    /// Complex squaring: 2 base multiplications.
    @inlinable @inline(__always)
    public func squared() -> Fq2 {
        let t = c0 * c1
        return Fq2((c0 + c1) * (c0 - c1), t.doubled())
    }

    /// Multiplication by `ξ = 9 + u`: `(9a0 − a1) + (a0 + 9a1)u`.
    @inlinable @inline(__always)
    public func mulByNonResidue() -> Fq2 {
        let a8 = c0.doubled().doubled().doubled()
        let b8 = c1.doubled().doubled().doubled()
        return Fq2(a8 + c0 - c1, b8 + c1 + c0)
    }

    /// The conjugate `c0 − c1·u` (= Frobenius).
    @inlinable @inline(__always) public func conjugate() -> Fq2 { Fq2(c0, -c1) }

    /// Norm to Fq: `c0² + c1²`.
    @inlinable public var norm: Fq { c0.squared() + c1.squared() }

    /// Inverse, or nil for zero.
    @inlinable
    public func inverse() -> Fq2? {
        guard let t = norm.inverse() else { return nil }
        return Fq2(c0 * t, -(c1 * t))
    }

    /// `self^e`, exponent as little-endian limbs.
    @inlinable
    public func power(_ exponent: [UInt64]) -> Fq2 {
        var result = Fq2.one
        for limb in exponent.reversed() {
            for bit in stride(from: 63, through: 0, by: -1) {
                result = result.squared()
                if (limb >> UInt64(bit)) & 1 == 1 { result = result * self }
            }
        }
        return result
    }

    /// A square root, or nil when `self` is not a square in Fq2.
    /// Uses the norm: if `a = x²` then `N(a) = N(x)²`, so `x0² = (c0 ± √N)/2`, `x1 = c1/(2x0)`.
    public func squareRoot() -> Fq2? {
        if isZero { return self }
        if c1.isZero {
            if let r = c0.squareRoot() { return Fq2(r, .zero) }
            // c0 is a non-square in Fq: √c0 = √(−c0)·u since u² = −1.
            if let r = (-c0).squareRoot() { return Fq2(.zero, r) }
            return nil
        }
        guard let s = norm.squareRoot() else { return nil }
        var x0sq = (c0 + s).halved()
        if x0sq.legendre() != 1 { x0sq = (c0 - s).halved() }
        guard let x0 = x0sq.squareRoot(), let inv = x0.doubled().inverse() else { return nil }
        let candidate = Fq2(x0, c1 * inv)
        return candidate.squared() == self ? candidate : nil
    }

    /// Lexicographic order used by compressed encodings: compare `c1` first, then `c0` when `c1 = 0`.
    public var isLexicographicallyLargest: Bool {
        c1.isZero ? c0.isLexicographicallyLargest : c1.isLexicographicallyLargest
    }

    public var description: String { "(\(c0) + \(c1)·u)" }
}
