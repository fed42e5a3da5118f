/// The optimal ate pairing on BN254: `e: G1 × G2 → GT ⊂ Fq12*`.
///
/// Miller loop over `6u + 2` in signed binary (NAF), with the two final line additions at
/// `ψ(Q)` and `−ψ²(Q)`; lines are computed in homogeneous projective coordinates on the twist
/// and multiplied in sparsely. The final exponentiation raises to exactly `(p¹² − 1)/r`:
/// the easy part `(p⁶ − 1)(p² + 1)` by conjugation, inversion and Frobenius, and the hard part
/// `(p⁴ − p² + 1)/r` by the Scott et al. (2009) addition chain in `u` with cyclotomic squarings.
/// Values are the exact reduced pairing. (snarkjs's `vk_alphabeta_12` is this value raised to
/// `m = 2u(6u²+3u+1)`, from ffjavascript's final exponentiation; see `VerificationKey.snarkjsAlphaBeta`.)
public enum Pairing {
    /// `6u + 2` in NAF, least significant digit first.
    public static let loopNAF: [Int8] = {
        var k = UInt128(BN254.u) * 6 + 2
        var digits: [Int8] = []
        while k > 0 {
            if k & 1 == 1 {
                let d: Int8 = (k & 3) == 3 ? -1 : 1
                digits.append(d)
                k = d == 1 ? k - 1 : k + 1
            } else {
                digits.append(0)
            }
            k >>= 1
        }
        return digits
    }()

    /// `e(P, Q)`.
    public static func pairing(_ p: G1Affine, _ q: G2Affine) -> Fq12 {
        finalExponentiation(millerLoop([(p, G2Prepared(q))]))
    }

    /// Whether `∏ e(Pᵢ, Qᵢ) = 1`, with one shared Miller loop and one final exponentiation.
    /// Points are assumed valid (decoders check curve and subgroup membership).
    public static func check(_ pairs: [(G1Affine, G2Affine)]) -> Bool {
        finalExponentiation(millerLoop(pairs.map { ($0.0, G2Prepared($0.1)) })).isOne
    }

    /// Same as ``check(_:)`` with G2 points whose line coefficients are precomputed.
    public static func check(prepared pairs: [(G1Affine, G2Prepared)]) -> Bool {
        finalExponentiation(millerLoop(pairs)).isOne
    }

    /// The product of the Miller-loop values `∏ f_{6u+2,Qᵢ}(Pᵢ)·(Frobenius lines)` before final exponentiation.
    /// Pairs with a point at infinity contribute 1.
    public static func millerLoop(_ pairs: [(G1Affine, G2Prepared)]) -> Fq12 {
        // Plain loops over local arrays (a nested function capturing `f` and the line index
        // would box them on the heap).
        var xs: [Fq] = [], ys: [Fq] = [], lines: [[LineCoefficients]] = []
        xs.reserveCapacity(pairs.count); ys.reserveCapacity(pairs.count); lines.reserveCapacity(pairs.count)
        for (p, q) in pairs where !p.isInfinity && !q.isInfinity {
            xs.append(p.x); ys.append(p.y); lines.append(q.lines)
        }
        let n = xs.count
        if n == 0 { return .one }
        let naf = loopNAF
        var f = Fq12.one
        var index = 0
        for i in stride(from: naf.count - 2, through: 0, by: -1) {
            if index > 0 { f = f.squared() }  // 1² = 1: skip the first squaring
            let steps = naf[i] != 0 ? 2 : 1
            for _ in 0..<steps {
                for k in 0..<n {
                    let l = lines[k][index]
                    f = f.mulByLine(l.a * ys[k], l.b * xs[k], l.c)
                }
                index += 1
            }
        }
        for _ in 0..<2 {  // the lines at ψ(Q) and −ψ²(Q)
            for k in 0..<n {
                let l = lines[k][index]
                f = f.mulByLine(l.a * ys[k], l.b * xs[k], l.c)
            }
            index += 1
        }
        return f
    }

    /// `f^((p¹² − 1)/r)`.
    public static func finalExponentiation(_ f: Fq12) -> Fq12 {
        // Easy part: f^((p⁶ − 1)(p² + 1)).
        guard let inv = f.inverse() else { return .zero }
        var t1 = f.conjugate() * inv
        t1 = t1.frobenius(2) * t1
        // Hard part: (p⁴ − p² + 1)/r (Scott, Benger, Charlemagne, Dominguez Perez, Kachisa 2009).
        let fp = t1.frobenius(1)
        let fp2 = t1.frobenius(2)
        let fp3 = fp2.frobenius(1)
        let fu = t1.cyclotomicPowerByU()
        let fu2 = fu.cyclotomicPowerByU()
        let fu3 = fu2.cyclotomicPowerByU()
        let y3 = fu.frobenius(1).conjugate()
        let fu2p = fu2.frobenius(1)
        let fu3p = fu3.frobenius(1)
        let y2 = fu2.frobenius(2)
        let y0 = fp * fp2 * fp3
        let y1 = t1.conjugate()
        let y5 = fu2.conjugate()
        let y4 = (fu * fu2p).conjugate()
        let y6 = (fu3 * fu3p).conjugate()
        var t0 = y6.cyclotomicSquared() * y4 * y5
        var t = y3 * y5 * t0
        t0 = t0 * y2
        t = (t.cyclotomicSquared() * t0).cyclotomicSquared()
        t0 = t * y1
        t = t * y0
        return t0.cyclotomicSquared() * t
    }
}

/// Coefficients of one Miller-loop line, independent of P: the line at `P = (xP, yP)` is
/// `a·yP + (b·xP)·w + c·w³` (up to a factor in Fq2, which the final exponentiation removes).
@frozen
public struct LineCoefficients: Sendable, Hashable {
    public var a: Fq2
    public var b: Fq2
    public var c: Fq2
}

/// A G2 point with its Miller-loop line coefficients precomputed (reuse them for a fixed Q,
/// such as a verification key's γ and δ).
public struct G2Prepared: Sendable {
    public let point: G2Affine
    public let lines: [LineCoefficients]
    public var isInfinity: Bool { point.isInfinity }

    public init(_ q: G2Affine) {
        point = q
        guard !q.isInfinity else { lines = []; return }
        var lines: [LineCoefficients] = []
        lines.reserveCapacity(Pairing.loopNAF.count * 2)
        // T in homogeneous projective coordinates (x = X/Z, y = Y/Z).
        var tx = q.x, ty = q.y, tz = Fq2.one
        let negQ = -q
        let naf = Pairing.loopNAF
        for i in stride(from: naf.count - 2, through: 0, by: -1) {
            lines.append(G2Prepared.doubleStep(&tx, &ty, &tz))
            if naf[i] == 1 { lines.append(G2Prepared.addStep(&tx, &ty, &tz, q)) }
            if naf[i] == -1 { lines.append(G2Prepared.addStep(&tx, &ty, &tz, negQ)) }
        }
        let q1 = q.psi()
        let q2 = -(q1.psi())
        lines.append(G2Prepared.addStep(&tx, &ty, &tz, q1))
        lines.append(G2Prepared.addStep(&tx, &ty, &tz, q2))
        self.lines = lines
    }

    /// `T ← 2T` and the tangent line at T: `2YZ·yP − 3X²·xP·w + (Y² − 3b'Z²)·w³`.
    @inline(__always)
    static func doubleStep(_ x: inout Fq2, _ y: inout Fq2, _ z: inout Fq2) -> LineCoefficients {
        let a = (x * y).halved()
        let b = y.squared()
        let c = z.squared()
        let e = BN254.twistB * (c.doubled() + c)  // 3b'Z²
        let f = e.doubled() + e                   // 9b'Z²
        let g = (b + f).halved()
        let h = (y + z).squared() - (b + c)       // 2YZ
        let j = x.squared()
        let line = LineCoefficients(a: h, b: -(j.doubled() + j), c: b - e)
        let ee = e.squared()
        x = a * (b - f)
        y = g.squared() - (ee.doubled() + ee)
        z = b * h
        return line
    }

    /// `T ← T + Q` (Q affine) and the line through T and Q: `λ·yP − θ·xP·w + (θ·xQ − λ·yQ)·w³`
    /// with `θ = Y − yQ·Z`, `λ = X − xQ·Z`.
    @inline(__always)
    static func addStep(_ x: inout Fq2, _ y: inout Fq2, _ z: inout Fq2, _ q: G2Affine) -> LineCoefficients {
        let theta = y - q.y * z
        let lambda = x - q.x * z
        let line = LineCoefficients(a: lambda, b: -theta, c: theta * q.x - lambda * q.y)
        let c = theta.squared()
        let d = lambda.squared()
        let e = lambda * d
        let f = z * c
        let g = x * d
        let h = e + f - g.doubled()
        x = lambda * h
        y = (g - h) * theta - y * e
        z = e * z
        return line
    }
}
