/// `Fq6 = Fq2[v]/(v³ − ξ)` with `ξ = 9 + u`: elements `c0 + c1·v + c2·v²`.
@frozen
public struct Fq6: Sendable, Hashable {
    public var c0: Fq2
    public var c1: Fq2
    public var c2: Fq2

    @inlinable @inline(__always)
    public init(_ c0: Fq2, _ c1: Fq2, _ c2: Fq2) { self.c0 = c0; self.c1 = c1; self.c2 = c2 }

    @inlinable public static var zero: Fq6 { Fq6(.zero, .zero, .zero) }
    @inlinable public static var one: Fq6 { Fq6(.one, .zero, .zero) }
    @inlinable public var isZero: Bool { c0.isZero && c1.isZero && c2.isZero }

    @inlinable @inline(__always) public static func + (a: Fq6, b: Fq6) -> Fq6 { Fq6(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2) }
    @inlinable @inline(__always) public static func - (a: Fq6, b: Fq6) -> Fq6 { Fq6(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2) }
    @inlinable @inline(__always) public static prefix func - (a: Fq6) -> Fq6 { Fq6(-a.c0, -a.c1, -a.c2) }
    @inlinable @inline(__always) public func doubled() -> Fq6 { Fq6(c0.doubled(), c1.doubled(), c2.doubled()) }

    /// Karatsuba-style multiplication: 6 Fq2 multiplications.
    @inlinable
    public static func * (a: Fq6, b: Fq6) -> Fq6 {
        let t0 = a.c0 * b.c0, t1 = a.c1 * b.c1, t2 = a.c2 * b.c2
        let c0 = ((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).mulByNonResidue() + t0
        let c1 = (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.mulByNonResidue()
        let c2 = (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1
        return Fq6(c0, c1, c2)
    }

    /// Multiplication by an Fq2 scalar.
    @inlinable @inline(__always)
    public static func * (a: Fq6, b: Fq2) -> Fq6 { Fq6(a.c0 * b, a.c1 * b, a.c2 * b) }

    /// Multiplication by a sparse `b0 + b1·v` (5 Fq2 multiplications).
    @inlinable
    public func mulBy01(_ b0: Fq2, _ b1: Fq2) -> Fq6 {
        let t0 = c0 * b0, t1 = c1 * b1
        let r0 = ((c1 + c2) * b1 - t1).mulByNonResidue() + t0
        let r1 = (c0 + c1) * (b0 + b1) - t0 - t1
        let r2 = (c0 + c2) * b0 - t0 + t1
        return Fq6(r0, r1, r2)
    }

    /// Chung–Hasan SQR2 squaring.
    @inlinable
    public func squared() -> Fq6 {
        let s0 = c0.squared()
        let s1 = (c0 * c1).doubled()
        let s2 = (c0 - c1 + c2).squared()
        let s3 = (c1 * c2).doubled()
        let s4 = c2.squared()
        return Fq6(s3.mulByNonResidue() + s0, s4.mulByNonResidue() + s1, s1 + s2 + s3 - s0 - s4)
    }

    /// Multiplication by `v`: `(c0, c1, c2)·v = (ξ·c2, c0, c1)`.
    @inlinable @inline(__always)
    public func mulByV() -> Fq6 { Fq6(c2.mulByNonResidue(), c0, c1) }

    @inlinable
    public func inverse() -> Fq6? {
        let t0 = c0.squared() - (c1 * c2).mulByNonResidue()
        let t1 = c2.squared().mulByNonResidue() - c0 * c1
        let t2 = c1.squared() - c0 * c2
        let det = c0 * t0 + (c2 * t1 + c1 * t2).mulByNonResidue()
        guard let inv = det.inverse() else { return nil }
        return Fq6(t0 * inv, t1 * inv, t2 * inv)
    }
}
