/// The arithmetic a curve's coordinate field must offer (``Fq`` for G1, ``Fq2`` for G2).
public protocol CurveBaseField: Sendable, Hashable {
    static var zero: Self { get }
    static var one: Self { get }
    var isZero: Bool { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
    func squared() -> Self
    func doubled() -> Self
    func inverse() -> Self?
    /// Replaces each non-zero `values[j]` (j < count) by its inverse and leaves zeros as they are, with one field
    /// inversion for all of them; `scratch` holds `count` elements of working space. The MSM's batch-affine
    /// additions call it once per round.
    static func invertNonZero(_ values: UnsafeMutablePointer<Self>, scratch: UnsafeMutablePointer<Self>, count: Int)
}

extension CurveBaseField {
    /// Montgomery's trick: prefix products, one inversion, then 2 multiplications per element on the way back.
    @inlinable @inline(__always)
    public static func invertNonZero(_ values: UnsafeMutablePointer<Self>, scratch prefix: UnsafeMutablePointer<Self>, count: Int) {
        var acc = Self.one
        for j in 0..<count {
            prefix[j] = acc
            let d = values[j]
            if !d.isZero { acc = acc * d }
        }
        var inv = acc.inverse() ?? Self.one  // acc is a product of non-zero values
        var j = count - 1
        while j >= 0 {
            let d = values[j]
            if !d.isZero {
                values[j] = inv * prefix[j]
                inv = inv * d
            }
            j -= 1
        }
    }
}

extension Fq: CurveBaseField {}
extension Fr: CurveBaseField {}
extension Fq2: CurveBaseField {
    /// Through the norms: `1/d = conj(d) / N(d)` with `N(d) = d0² + d1²` in Fq, which is zero only for `d = 0` (−1 is
    /// not a square mod q, as q ≡ 3 mod 4). The prefix products run over Fq: per element 2 squarings and
    /// 5 Fq multiplications, against 3 Fq2 multiplications (about 9 Fq multiplications) for Montgomery's trick
    /// over Fq2. `scratch[j]` holds (N(d_j), the product of the norms before j).
    @inlinable @inline(__always)
    public static func invertNonZero(_ values: UnsafeMutablePointer<Fq2>, scratch: UnsafeMutablePointer<Fq2>, count: Int) {
        var acc = Fq.one
        for j in 0..<count {
            let d = values[j]
            let n = d.c0.squared() + d.c1.squared()
            scratch[j] = Fq2(n, acc)
            if !n.isZero { acc = acc * n }
        }
        var inv = acc.inverse() ?? Fq.one  // acc is a product of non-zero norms
        var j = count - 1
        while j >= 0 {
            let n = scratch[j].c0
            if !n.isZero {
                let invN = inv * scratch[j].c1
                inv = inv * n
                let d = values[j]
                values[j] = Fq2(d.c0 * invN, -(d.c1 * invN))
            }
            j -= 1
        }
    }
}

/// A short-Weierstrass curve `y² = x³ + b` over `Base`, with a prime-order subgroup of order r.
public protocol CurveParameters: Sendable {
    associatedtype Base: CurveBaseField
    static var b: Base { get }
    static var generator: AffinePoint<Self> { get }
    static var name: String { get }
    /// Whether an on-curve point lies in the order-r subgroup.
    static func isInSubgroup(_ p: JacobianPoint<Self>) -> Bool
}

/// An affine point `(x, y)` or the point at infinity. Not necessarily on the curve: decoders
/// check ``isOnCurve`` and ``isInSubgroup``; arithmetic assumes valid points.
@frozen
public struct AffinePoint<C: CurveParameters>: Sendable, Hashable {
    public var x: C.Base
    public var y: C.Base
    /// The point at infinity is stored as `(0, 0)`, which is on neither the curve nor the twist (`b ≠ 0`), so no
    /// flag is needed: a G1 point is 64 bytes and a G2 point 128 (the sizes of the key files' points, and one
    /// cache line for G1). Decoders that read `(0, 0)` from a format where it is not the infinity encoding reject
    /// it themselves (snarkjs JSON writes infinity as `[0, 1, 0]`).
    @inlinable public var isInfinity: Bool { x.isZero && y.isZero }

    /// The affine point `(x, y)`; `(0, 0)` is the point at infinity.
    @inlinable
    public init(x: C.Base, y: C.Base) { self.x = x; self.y = y }

    @inlinable public static var infinity: AffinePoint { AffinePoint(x: .zero, y: .zero) }

    @inlinable public static func == (a: AffinePoint, b: AffinePoint) -> Bool {
        a.isInfinity ? b.isInfinity : (!b.isInfinity && a.x == b.x && a.y == b.y)
    }
    public func hash(into h: inout Hasher) {
        h.combine(x)
        h.combine(y)
    }

    /// `y² = x³ + b` (infinity counts as on the curve).
    @inlinable public var isOnCurve: Bool { isInfinity || y.squared() == x.squared() * x + C.b }
    /// On the curve and in the order-r subgroup.
    public var isInSubgroup: Bool { isOnCurve && C.isInSubgroup(JacobianPoint(self)) }

    @inlinable public static prefix func - (p: AffinePoint) -> AffinePoint {
        p.isInfinity ? p : AffinePoint(x: p.x, y: -p.y)
    }
    @inlinable public var jacobian: JacobianPoint<C> { JacobianPoint(self) }
}

/// A point in Jacobian coordinates `(X, Y, Z)` ↦ `(X/Z², Y/Z³)`; `Z = 0` is infinity.
/// Formulas for `a = 0` curves from the Explicit-Formulas Database (dbl-2009-l, add-2007-bl, madd-2007-bl).
@frozen
public struct JacobianPoint<C: CurveParameters>: Sendable {
    public var x: C.Base
    public var y: C.Base
    public var z: C.Base

    @inlinable @inline(__always)
    public init(x: C.Base, y: C.Base, z: C.Base) { self.x = x; self.y = y; self.z = z }

    @inlinable
    public init(_ p: AffinePoint<C>) {
        if p.isInfinity { self = .infinity } else { x = p.x; y = p.y; z = .one }
    }

    @inlinable public static var infinity: JacobianPoint { JacobianPoint(x: .one, y: .one, z: .zero) }
    @inlinable public static var generator: JacobianPoint { JacobianPoint(C.generator) }
    @inlinable public var isInfinity: Bool { z.isZero }

    @inlinable
    public var affine: AffinePoint<C> {
        guard let zi = z.inverse() else { return .infinity }
        let zi2 = zi.squared()
        return AffinePoint(x: x * zi2, y: y * zi2 * zi)
    }

    /// `Y² = X³ + b·Z⁶`.
    @inlinable public var isOnCurve: Bool {
        if isInfinity { return true }
        let z2 = z.squared(), z6 = z2.squared() * z2
        return y.squared() == x.squared() * x + C.b * z6
    }

    @inlinable public static prefix func - (p: JacobianPoint) -> JacobianPoint { JacobianPoint(x: p.x, y: -p.y, z: p.z) }

    /// Doubling (dbl-2009-l): 2M + 5S.
    @inlinable
    public func doubled() -> JacobianPoint {
        if isInfinity { return self }
        let a = x.squared(), b = y.squared(), c = b.squared()
        let d = ((x + b).squared() - a - c).doubled()
        let e = a.doubled() + a
        let f = e.squared()
        let x3 = f - d.doubled()
        let y3 = e * (d - x3) - c.doubled().doubled().doubled()
        let z3 = (y * z).doubled()
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// Addition (add-2007-bl): 11M + 5S; handles infinity, `P + P` and `P + (−P)`.
    @inlinable
    public static func + (p: JacobianPoint, q: JacobianPoint) -> JacobianPoint {
        if p.isInfinity { return q }
        if q.isInfinity { return p }
        let z1z1 = p.z.squared(), z2z2 = q.z.squared()
        let u1 = p.x * z2z2, u2 = q.x * z1z1
        let s1 = p.y * q.z * z2z2, s2 = q.y * p.z * z1z1
        let h = u2 - u1
        let r = (s2 - s1).doubled()
        if h.isZero { return r.isZero ? p.doubled() : .infinity }
        let i = h.doubled().squared()
        let j = h * i
        let v = u1 * i
        let x3 = r.squared() - j - v.doubled()
        let y3 = r * (v - x3) - (s1 * j).doubled()
        let z3 = ((p.z + q.z).squared() - z1z1 - z2z2) * h
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    /// Mixed addition with an affine point (madd-2007-bl): 7M + 4S.
    @inlinable
    public func adding(_ q: AffinePoint<C>) -> JacobianPoint {
        if q.isInfinity { return self }
        if isInfinity { return JacobianPoint(q) }
        let z1z1 = z.squared()
        let u2 = q.x * z1z1
        let s2 = q.y * z * z1z1
        let h = u2 - x
        let r = (s2 - y).doubled()
        if h.isZero { return r.isZero ? doubled() : .infinity }
        let hh = h.squared()
        let i = hh.doubled().doubled()
        let j = h * i
        let v = x * i
        let x3 = r.squared() - j - v.doubled()
        let y3 = r * (v - x3) - (y * j).doubled()
        let z3 = (z + h).squared() - z1z1 - hh
        return JacobianPoint(x: x3, y: y3, z: z3)
    }

    @inlinable public static func - (p: JacobianPoint, q: JacobianPoint) -> JacobianPoint { p + (-q) }
    @inlinable public static func += (p: inout JacobianPoint, q: JacobianPoint) { p = p + q }

    /// Scalar multiplication by an integer given as little-endian limbs (any size, not reduced),
    /// using a width-5 signed-digit (wNAF) recoding. Not constant-time.
    @inlinable
    public func multiplied(byLimbs k: [UInt64]) -> JacobianPoint {
        let digits = wnaf(k, width: 5)
        if digits.isEmpty || isInfinity { return .infinity }
        // Odd multiples P, 3P, ..., 15P.
        var table = [JacobianPoint](repeating: self, count: 8)
        let twice = doubled()
        for i in 1..<8 { table[i] = table[i - 1] + twice }
        var acc = JacobianPoint.infinity
        for d in digits.reversed() {
            acc = acc.doubled()
            if d > 0 { acc = acc + table[Int(d) >> 1] } else if d < 0 { acc = acc - table[Int(-d) >> 1] }
        }
        return acc
    }

    /// `[k]P` for a scalar-field element (its canonical value).
    @inlinable
    public static func * (p: JacobianPoint, k: Fr) -> JacobianPoint { p.multiplied(byLimbs: k.canonicalLimbs) }
    @inlinable
    public static func * (k: Fr, p: JacobianPoint) -> JacobianPoint { p.multiplied(byLimbs: k.canonicalLimbs) }

    /// On the curve and in the order-r subgroup.
    public var isInSubgroup: Bool { isOnCurve && C.isInSubgroup(self) }
}

extension JacobianPoint: Equatable, Hashable {
    /// Projective equality: `X1·Z2² = X2·Z1²` and `Y1·Z2³ = Y2·Z1³`.
    @inlinable
    public static func == (p: JacobianPoint, q: JacobianPoint) -> Bool {
        if p.isInfinity || q.isInfinity { return p.isInfinity && q.isInfinity }
        let z1z1 = p.z.squared(), z2z2 = q.z.squared()
        return p.x * z2z2 == q.x * z1z1 && p.y * z2z2 * q.z == q.y * z1z1 * p.z
    }
    public func hash(into h: inout Hasher) { h.combine(affine) }
}

/// Width-`w` non-adjacent form of a little-endian multi-limb integer: digits are 0 or odd,
/// `|d| < 2^(w−1)`, least significant first.
@inlinable
internal func wnaf(_ limbs: [UInt64], width w: Int) -> [Int8] {
    var k = limbs
    var digits: [Int8] = []
    digits.reserveCapacity(limbs.count * 64 + 1)
    let window = UInt64(1) << UInt64(w)
    @inline(__always) func isZero(_ v: [UInt64]) -> Bool { v.allSatisfy { $0 == 0 } }
    k.append(0)  // room for the carry from subtracting negative digits
    while !isZero(k) {
        var d: Int64 = 0
        if k[0] & 1 == 1 {
            let mod = Int64(k[0] & (window - 1))
            d = mod >= Int64(window >> 1) ? mod - Int64(window) : mod
            if d > 0 {
                var borrow = UInt64(d)
                for i in 0..<k.count where borrow != 0 { let (v, o) = k[i].subtractingReportingOverflow(borrow); k[i] = v; borrow = o ? 1 : 0 }
            } else {
                var carry = UInt64(-d)
                for i in 0..<k.count where carry != 0 { let (v, o) = k[i].addingReportingOverflow(carry); k[i] = v; carry = o ? 1 : 0 }
            }
        }
        digits.append(Int8(d))
        // k >>= 1
        for i in 0..<k.count { k[i] = (k[i] >> 1) | (i + 1 < k.count ? k[i + 1] << 63 : 0) }
    }
    return digits
}

/// Converts many Jacobian points to affine with one inversion (Montgomery's trick).
@inlinable
public func batchToAffine<C: CurveParameters>(_ points: [JacobianPoint<C>]) -> [AffinePoint<C>] {
    var zs = points.map { $0.z }
    batchInvert(&zs)
    return zip(points, zs).map { p, zi in
        if p.isInfinity { return .infinity }
        let zi2 = zi.squared()
        return AffinePoint(x: p.x * zi2, y: p.y * zi2 * zi)
    }
}

/// Batch inversion: inverts every non-zero element with one field inversion (``CurveBaseField/invertNonZero(_:scratch:count:)``:
/// Montgomery's trick, `3(n−1)` multiplications; Fq2 through its norms). Zeros are left as zero.
@inlinable
public func batchInvert<F: CurveBaseField>(_ values: inout [F]) {
    let n = values.count
    guard n > 0 else { return }
    var scratch = [F](repeating: F.one, count: n)
    values.withUnsafeMutableBufferPointer { v in
        scratch.withUnsafeMutableBufferPointer { s in F.invertNonZero(v.baseAddress!, scratch: s.baseAddress!, count: n) }
    }
}
