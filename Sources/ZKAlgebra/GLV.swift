import ZKBigNum

/// The GLV endomorphism of BN254 G1: `φ(x, y) = (β·x, y) = [λ](x, y)` with β a primitive cube root
/// of unity in Fq and λ one in Fr. A scalar `k` splits as `k ≡ k1 + k2·λ (mod r)` with
/// `|k1|, |k2| < 2^128` (Babai rounding against a short lattice basis), so `[k]P = [k1]P + [k2]φ(P)`
/// takes half the doublings of a plain double-and-add. All constants are derived here from first
/// principles (cube roots by exponentiation, the basis by the extended Euclidean algorithm on
/// (r, λ), as in Hankerson–Menezes–Vanstone Alg. 3.74) and checked on first use.
public enum G1Endomorphism {
    /// A decomposed scalar: magnitudes (two 64-bit limbs each) and signs.
    public struct Decomposition: Sendable, Equatable {
        public var k1: [UInt64], negative1: Bool
        public var k2: [UInt64], negative2: Bool
    }

    struct Parameters: Sendable {
        let beta: Fq
        let lambda: BigNum
        let r: BigNum
        let a1: BigNum, b1: BigNum, a2: BigNum, b2: BigNum
    }

    static let parameters: Parameters = {
        let q = Fq.modulus, r = Fr.modulus
        func cubeRoot<F: MontgomeryField>(_: F.Type, _ p: BigNum) -> F {
            var g: UInt64 = 2
            while true {
                let w = F(g).power((p - BigNum(1)) / BigNum(3))
                if !w.isOne { return w }
                g += 1
            }
        }
        var beta = cubeRoot(Fq.self, q)
        let lambda0 = cubeRoot(Fr.self, r)
        let gen = BN254G1.generator
        let image = G1Affine(x: beta * gen.x, y: gen.y)
        var lambda = lambda0
        if (gen.jacobian * lambda0).affine != image {
            lambda = lambda0 * lambda0
            if (gen.jacobian * lambda).affine != image { beta = beta * beta; lambda = lambda0 }
        }
        precondition((gen.jacobian * lambda).affine == G1Affine(x: beta * gen.x, y: gen.y), "GLV: no matching (β, λ)")
        // Short basis of {(a, b) : a + b·λ ≡ 0 mod r}.
        let l = lambda.bigNum
        var (rPrev, rCur) = (r, l)
        var (tPrev, tCur) = (BigNum(0), BigNum(1))
        var rows: [(BigNum, BigNum)] = [(rPrev, tPrev), (rCur, tCur)]
        while !rCur.isZero {
            let qt = rPrev / rCur
            (rPrev, rCur) = (rCur, rPrev - qt * rCur)
            (tPrev, tCur) = (tCur, tPrev - qt * tCur)
            rows.append((rCur, tCur))
        }
        // l: the last index with r_l ≥ √r, i.e. r_l² ≥ r.
        var idx = 0
        for (i, row) in rows.enumerated() where !(row.0 * row.0 < r) { idx = i }
        let (a1, b1) = (rows[idx + 1].0, -rows[idx + 1].1)
        let c0 = (rows[idx].0, -rows[idx].1), c2 = (rows[idx + 2].0, -rows[idx + 2].1)
        let n0 = c0.0 * c0.0 + c0.1 * c0.1, n2 = c2.0 * c2.0 + c2.1 * c2.1
        let (a2, b2) = n0 < n2 || n0 == n2 ? c0 : c2
        return Parameters(beta: beta, lambda: l, r: r, a1: a1, b1: b1, a2: a2, b2: b2)
    }()

    /// β (the x-coordinate factor of φ).
    public static var beta: Fq { parameters.beta }
    /// λ with `φ(P) = [λ]P` on G1.
    public static var lambda: Fr { Fr(parameters.lambda)! }

    /// `k = k1 + k2·λ (mod r)` with `|k1|, |k2| < 2^128`.
    public static func decompose(_ k: Fr) -> Decomposition {
        let p = parameters
        let kk = k.bigNum
        func roundDiv(_ x: BigNum) -> BigNum {
            let half = p.r >> 1
            return x.isNegative ? -((-x + half) / p.r) : (x + half) / p.r
        }
        let c1 = roundDiv(p.b2 * kk), c2 = roundDiv(-(p.b1 * kk))
        let k1 = kk - c1 * p.a1 - c2 * p.a2
        let k2 = -(c1 * p.b1) - c2 * p.b2
        func split(_ v: BigNum) -> ([UInt64], Bool) {
            let m = v.magnitude
            return (m.limbs(count: 2) ?? m.limbs(count: 4)!, v.isNegative)
        }
        let (m1, n1) = split(k1), (m2, n2) = split(k2)
        return Decomposition(k1: m1, negative1: n1, k2: m2, negative2: n2)
    }
}

extension JacobianPoint where C == BN254G1 {
    /// `φ(P) = (β·X, Y, Z)` (the endomorphism in Jacobian coordinates).
    @inlinable
    public func endomorphism() -> JacobianPoint { JacobianPoint(x: x * G1Endomorphism.beta, y: y, z: z) }

    /// `[k]P` by GLV with a precomputed decomposition of `k` (interleaved width-5 wNAF of the two
    /// halves over odd-multiple tables of P and φ(P)). Equal to `self * k`; checked in the tests.
    public func multiplied(by d: G1Endomorphism.Decomposition) -> JacobianPoint {
        if isInfinity { return self }
        let w1 = wnaf(d.k1, width: 5), w2 = wnaf(d.k2, width: 5)
        let p1 = d.negative1 ? -self : self
        var t1 = [JacobianPoint](repeating: p1, count: 8)
        let twice = p1.doubled()
        for i in 1..<8 { t1[i] = t1[i - 1] + twice }
        let flip = d.negative1 != d.negative2
        let t2 = t1.map { q -> JacobianPoint in let e = q.endomorphism(); return flip ? -e : e }
        var acc = JacobianPoint.infinity
        for i in stride(from: max(w1.count, w2.count) - 1, through: 0, by: -1) {
            acc = acc.doubled()
            if i < w1.count, w1[i] != 0 { let v = Int(w1[i]); acc = v > 0 ? acc + t1[v >> 1] : acc - t1[(-v) >> 1] }
            if i < w2.count, w2[i] != 0 { let v = Int(w2[i]); acc = v > 0 ? acc + t2[v >> 1] : acc - t2[(-v) >> 1] }
        }
        return acc
    }
}

extension G1Endomorphism {
    /// `[k]Pᵢ` for many points and one scalar (given decomposed), in affine form: GLV with
    /// interleaved width-5 wNAF digits computed once, per-point odd-multiple tables normalized to
    /// affine in blocks (one field inversion per block), and mixed additions in the main loop.
    /// Equal to `points.map { ($0.jacobian * k).affine }` (checked in the tests).
    public static func multiply(_ points: [G1Affine], by d: Decomposition) -> [G1Affine] {
        let w1 = wnaf(d.k1, width: 5), w2 = wnaf(d.k2, width: 5)
        let top = max(w1.count, w2.count)
        let flip = d.negative1 != d.negative2
        let beta = Self.beta
        var out: [G1Affine] = []
        out.reserveCapacity(points.count)
        let block = 256
        var start = 0
        while start < points.count {
            let end = min(points.count, start + block)
            let base = points[start..<end].map { d.negative1 ? -$0 : $0 }
            let n = base.count
            // Odd multiples P, 3P, …, 15P, all affine.
            let two = batchToAffine(base.map { $0.jacobian.doubled() })
            var entries = [G1](repeating: .infinity, count: 7 * n)
            for i in 0..<n where !base[i].isInfinity {
                var acc = base[i].jacobian
                for j in 0..<7 { acc = acc.adding(two[i]); entries[j * n + i] = acc }
            }
            let odd = batchToAffine(entries)
            var results = [G1](repeating: .infinity, count: n)
            for i in 0..<n {
                let p = base[i]
                if p.isInfinity { continue }
                var t1 = [G1Affine](repeating: p, count: 8)
                for j in 0..<7 { t1[j + 1] = odd[j * n + i] }
                let t2 = t1.map { q -> G1Affine in
                    let e = G1Affine(x: q.x * beta, y: q.y)
                    return flip ? -e : e
                }
                var acc = G1.infinity
                var k = top - 1
                while k >= 0 {
                    acc = acc.doubled()
                    if k < w1.count, w1[k] != 0 { let v = Int(w1[k]); acc = acc.adding(v > 0 ? t1[v >> 1] : -t1[(-v) >> 1]) }
                    if k < w2.count, w2[k] != 0 { let v = Int(w2[k]); acc = acc.adding(v > 0 ? t2[v >> 1] : -t2[(-v) >> 1]) }
                    k -= 1
                }
                results[i] = acc
            }
            out += batchToAffine(results)
            start = end
        }
        return out
    }
}

// MARK: - Fixed-width splitting for MSM

/// A curve of BN254 with the GLV endomorphism `(x, y) ↦ (β·x, y)` acting on its order-r subgroup as
/// multiplication by ``G1Endomorphism/lambda`` (the same λ for G1 and G2: for the twist the cube root
/// β is chosen to match; derived and checked at first use).
public protocol GLVCurve: CurveParameters {
    /// β: the cube root of unity in Fq with `(β·x, y) = [λ]P` on this curve (derived and checked at first use; read it
    /// once outside a loop, as its first read runs that derivation).
    static var endomorphismBeta: Fq { get }
    /// `(β·x, y)` for `beta` = ``endomorphismBeta``: `[λ]P` for a point `P` of the order-r subgroup (infinity maps to
    /// infinity). Takes β as an argument so that hot loops read it once.
    static func endomorphism(_ p: AffinePoint<Self>, beta: Fq) -> AffinePoint<Self>
}

extension GLVCurve {
    /// `[λ]P` for a point `P` of the order-r subgroup, as `(β·x, y)` (infinity maps to infinity).
    @inlinable public static func endomorphism(_ p: AffinePoint<Self>) -> AffinePoint<Self> {
        endomorphism(p, beta: endomorphismBeta)
    }
}

extension BN254G1: GLVCurve {
    public static var endomorphismBeta: Fq { G1Endomorphism.beta }
    @inlinable public static func endomorphism(_ p: G1Affine, beta: Fq) -> G1Affine {
        p.isInfinity ? p : G1Affine(x: p.x * beta, y: p.y)
    }
}

extension BN254G2: GLVCurve {
    /// β for the twist: the cube root of unity in Fq under which `(β·x, y) = [λ]Q` on G2.
    static let twistBeta: Fq = {
        let g = BN254G2.generator, target = (g.jacobian * G1Endomorphism.lambda).affine
        for beta in [G1Endomorphism.beta, G1Endomorphism.beta * G1Endomorphism.beta]
        where G2Affine(x: g.x * beta, y: g.y) == target { return beta }
        preconditionFailure("GLV: no cube root of unity acts as λ on G2")
    }()

    public static var endomorphismBeta: Fq { twistBeta }
    @inlinable public static func endomorphism(_ p: G2Affine, beta: Fq) -> G2Affine {
        p.isInfinity ? p : G2Affine(x: p.x * beta, y: p.y)
    }
}

/// A 192-bit two's-complement word (limbs least significant first) for the fixed-width GLV split.
@frozen @usableFromInline
struct Word192: Sendable {
    @usableFromInline var l0, l1, l2: UInt64
    @inlinable init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64) { self.l0 = l0; self.l1 = l1; self.l2 = l2 }

    @inlinable static func + (a: Word192, b: Word192) -> Word192 {
        let (s0, c0) = addc(a.l0, b.l0, 0), (s1, c1) = addc(a.l1, b.l1, c0)
        return Word192(s0, s1, a.l2 &+ b.l2 &+ c1)
    }
    @inlinable static prefix func - (a: Word192) -> Word192 { Word192(~a.l0, ~a.l1, ~a.l2) + Word192(1, 0, 0) }
    @inlinable static func - (a: Word192, b: Word192) -> Word192 { a + (-b) }
    /// `a·b mod 2^192`.
    @inlinable static func * (a: Word192, b: Word192) -> Word192 {
        var c: UInt64
        var t0, t1, t2: UInt64
        (c, t0) = madd(a.l0, b.l0, 0, 0)
        (c, t1) = madd(a.l0, b.l1, c, 0)
        t2 = a.l0 &* b.l2 &+ c
        (c, t1) = madd(a.l1, b.l0, t1, 0)
        t2 = t2 &+ a.l1 &* b.l1 &+ c
        t2 = t2 &+ a.l2 &* b.l0
        return Word192(t0, t1, t2)
    }
    @inlinable var isNegative: Bool { l2 >> 63 == 1 }
}

extension G1Endomorphism {
    /// The lattice constants in fixed width for ``split(_:)``: `gᵢ = ⌊|bⱼ|·2^256 / r⌋` and the basis
    /// as 192-bit two's-complement words (all arithmetic in `split` is mod 2^192; the true values of k1, k2
    /// are below 2^130 in magnitude, so they are recovered exactly).
    @usableFromInline
    struct FixedWidth: Sendable {
        @usableFromInline let g1: Word192, g1Negative: Bool   // c1 ≈ round(b2·k/r)
        @usableFromInline let g2: Word192, g2Negative: Bool   // c2 ≈ round(−b1·k/r)
        @usableFromInline let a1: Word192, b1: Word192, a2: Word192, b2: Word192
    }

    @usableFromInline
    static let fixedWidth: FixedWidth = {
        let p = parameters
        let two256 = BigNum(1) << 256, two192 = BigNum(1) << 192
        func word(_ v: BigNum) -> Word192 {
            let l = ((v % two192 + two192) % two192).limbs(count: 3)!
            return Word192(l[0], l[1], l[2])
        }
        func quotient(_ v: BigNum) -> Word192 {
            let q = (v.magnitude * two256) / p.r
            precondition(q < two192, "GLV: lattice constant too large")
            return word(q)
        }
        return FixedWidth(g1: quotient(p.b2), g1Negative: p.b2.isNegative,
                          g2: quotient(p.b1), g2Negative: !p.b1.isNegative && !p.b1.isZero,
                          a1: word(p.a1), b1: word(p.b1), a2: word(p.a2), b2: word(p.b2))
    }()

    /// `k = k1 + k2·λ (mod r)` for a canonical scalar given as plain limbs, in fixed width (no allocation):
    /// magnitudes as three 64-bit limbs (each `< 2^130`) and signs. Agrees with ``decompose(_:)`` up to
    /// the rounding of the lattice coefficients (floor instead of round, each off by at most 2), which keeps
    /// `|k1|, |k2| < 2^130`; checked in the tests against the identity `k1 + k2·λ ≡ k (mod r)`.
    @inlinable
    public static func split(_ k: (UInt64, UInt64, UInt64, UInt64))
        -> (k1: (UInt64, UInt64, UInt64), negative1: Bool, k2: (UInt64, UInt64, UInt64), negative2: Bool) {
        let f = fixedWidth
        var c1 = highProduct(k, f.g1), c2 = highProduct(k, f.g2)
        if f.g1Negative { c1 = -c1 }
        if f.g2Negative { c2 = -c2 }
        let k1 = Word192(k.0, k.1, k.2) - c1 * f.a1 - c2 * f.a2
        let k2 = -(c1 * f.b1 + c2 * f.b2)
        let m1 = k1.isNegative ? -k1 : k1, m2 = k2.isNegative ? -k2 : k2
        precondition(m1.l2 >> 2 == 0 && m2.l2 >> 2 == 0, "GLV split out of range")
        return ((m1.l0, m1.l1, m1.l2), k1.isNegative, (m2.l0, m2.l1, m2.l2), k2.isNegative)
    }

    /// `⌊a·g / 2^256⌋ mod 2^192` for a 256-bit `a` and a 192-bit `g`.
    @inlinable
    static func highProduct(_ a: (UInt64, UInt64, UInt64, UInt64), _ g: Word192) -> Word192 {
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0, t4: UInt64 = 0, t5: UInt64 = 0, t6: UInt64 = 0
        func row(_ ai: UInt64, _ r0: inout UInt64, _ r1: inout UInt64, _ r2: inout UInt64, _ r3: inout UInt64) {
            var c: UInt64
            (c, r0) = madd(ai, g.l0, r0, 0)
            (c, r1) = madd(ai, g.l1, r1, c)
            (c, r2) = madd(ai, g.l2, r2, c)
            r3 = c
        }
        row(a.0, &t0, &t1, &t2, &t3)
        var u3: UInt64 = 0, u4: UInt64 = 0
        row(a.1, &t1, &t2, &t3, &u4); t4 = u4
        row(a.2, &t2, &t3, &t4, &u3); t5 = u3
        row(a.3, &t3, &t4, &t5, &t6)
        _ = t0
        return Word192(t4, t5, t6)
    }
}
