import XCTest
import ZKAlgebra
import ZKBigNum

/// A deliberately naive pairing used as the reference: Q is untwisted into E(Fq12) via
/// `(x, y) ↦ (x·w², y·w³)`, the Miller loop runs in affine coordinates with full Fq12 arithmetic
/// over the same loop parameter, and the result goes through the naive exponent `(p¹²−1)/r`.
enum ReferencePairing {
    struct Point { var x: Fq12; var y: Fq12; var infinity = false }

    static func embed(_ a: Fq) -> Fq12 { Fq12(Fq6(Fq2(a, .zero), .zero, .zero), .zero) }
    static func untwist(_ q: G2Affine) -> Point {
        // w² = v, w³ = v·w.
        Point(x: Fq12(Fq6(.zero, q.x, .zero), .zero), y: Fq12(.zero, Fq6(.zero, q.y, .zero)))
    }

    /// Line through T and S (tangent when equal) evaluated at P; updates T ← T + S.
    static func step(_ t: inout Point, _ s: Point, _ p: Point) -> Fq12 {
        let lambda: Fq12
        if t.x == s.x && t.y == s.y {
            let x2 = t.x.squared()
            lambda = (x2 + x2 + x2) * (t.y + t.y).inverse()!
        } else {
            lambda = (s.y - t.y) * (s.x - t.x).inverse()!
        }
        let line = p.y - t.y - lambda * (p.x - t.x)
        let x3 = lambda.squared() - t.x - s.x
        let y3 = lambda * (t.x - x3) - t.y
        t = Point(x: x3, y: y3)
        return line
    }

    static func frobenius(_ p: Point) -> Point { Point(x: p.x.frobenius(1), y: p.y.frobenius(1)) }

    static func pairing(_ p1: G1Affine, _ q2: G2Affine) -> Fq12 {
        let p = Point(x: embed(p1.x), y: embed(p1.y))
        let q = untwist(q2)
        let negQ = Point(x: q.x, y: Fq12.zero - q.y)
        var t = q
        var f = Fq12.one
        let naf = Pairing.loopNAF
        for i in stride(from: naf.count - 2, through: 0, by: -1) {
            f = f.squared() * step(&t, t, p)
            if naf[i] == 1 { f = f * step(&t, q, p) }
            if naf[i] == -1 { f = f * step(&t, negQ, p) }
        }
        let q1 = frobenius(q)
        var q2p = frobenius(q1)
        q2p.y = Fq12.zero - q2p.y
        f = f * step(&t, q1, p)
        f = f * step(&t, q2p, p)
        let modulus = Fq.modulus
        return f.power((modulus.power(12) - BigNum(1)) / Fr.modulus)
    }
}

final class PairingTests: XCTestCase {
    func testLoopParameter() {
        var value = BigNum(0)
        for (i, d) in Pairing.loopNAF.enumerated() { value = value + BigNum(Int(d)) * (BigNum(1) << i) }
        XCTAssertEqual(value, BigNum(BN254.u) * BigNum(6) + BigNum(2))
        for i in 1..<Pairing.loopNAF.count { XCTAssertTrue(Pairing.loopNAF[i] == 0 || Pairing.loopNAF[i - 1] == 0, "NAF") }
    }

    func testMatchesReferencePairing() {
        var rng = SeededGenerator(seed: 31)
        for _ in 0..<3 {
            let p = randomG1(&rng).affine, q = randomG2(&rng).affine
            XCTAssertEqual(Pairing.pairing(p, q), ReferencePairing.pairing(p, q))
        }
        XCTAssertEqual(Pairing.pairing(BN254G1.generator, BN254G2.generator),
                       ReferencePairing.pairing(BN254G1.generator, BN254G2.generator))
    }

    func testFinalExponentiationIsExact() {
        var rng = SeededGenerator(seed: 32)
        let exponent = (Fq.modulus.power(12) - BigNum(1)) / Fr.modulus
        for _ in 0..<3 {
            let f = randomFq12(&rng)
            XCTAssertEqual(Pairing.finalExponentiation(f), f.power(exponent))
        }
    }

    func testBilinearity() {
        var rng = SeededGenerator(seed: 33)
        let g1 = BN254G1.generator, g2 = BN254G2.generator
        let e = Pairing.pairing(g1, g2)
        for _ in 0..<5 {
            let a = Fr.random(using: &rng), b = Fr.random(using: &rng)
            let lhs = Pairing.pairing((G1(g1) * a).affine, (G2(g2) * b).affine)
            XCTAssertEqual(lhs, e.power((a * b).canonicalLimbs))
            XCTAssertEqual(Pairing.pairing((G1(g1) * a).affine, g2), Pairing.pairing(g1, (G2(g2) * a).affine))
        }
        // e(P1 + P2, Q) = e(P1, Q)·e(P2, Q).
        let p1 = randomG1(&rng), p2 = randomG1(&rng), q = randomG2(&rng).affine
        XCTAssertEqual(Pairing.pairing((p1 + p2).affine, q), Pairing.pairing(p1.affine, q) * Pairing.pairing(p2.affine, q))
    }

    func testNonDegeneracyAndOrder() {
        let e = Pairing.pairing(BN254G1.generator, BN254G2.generator)
        XCTAssertFalse(e.isOne)
        XCTAssertTrue(e.power(Fr.modulus).isOne)
        XCTAssertTrue(Pairing.pairing(.infinity, BN254G2.generator).isOne)
        XCTAssertTrue(Pairing.pairing(BN254G1.generator, .infinity).isOne)
    }

    func testMultiPairing() {
        var rng = SeededGenerator(seed: 34)
        let a = Fr.random(using: &rng), b = Fr.random(using: &rng)
        let g1 = G1.generator, g2 = G2.generator
        // e(aP, bQ)·e(−abP, Q) = 1.
        XCTAssertTrue(Pairing.check([((g1 * a).affine, (g2 * b).affine), ((g1 * (a * b)).affine.negated, g2.affine)]))
        XCTAssertFalse(Pairing.check([((g1 * a).affine, (g2 * b).affine), ((g1 * (a * b + Fr.one)).affine.negated, g2.affine)]))
        // Four pairs, product one.
        let c = Fr.random(using: &rng), d = Fr.random(using: &rng)
        let pairs: [(G1Affine, G2Affine)] = [
            ((g1 * a).affine, (g2 * b).affine), ((g1 * c).affine, (g2 * d).affine),
            ((g1 * (a * b)).affine.negated, g2.affine), ((g1 * (c * d)).affine.negated, g2.affine),
        ]
        XCTAssertTrue(Pairing.check(pairs))
        XCTAssertTrue(Pairing.check(prepared: pairs.map { ($0.0, G2Prepared($0.1)) }))
        XCTAssertTrue(Pairing.check([]))
        XCTAssertTrue(Pairing.check([(.infinity, g2.affine)]))
        // Product of separate pairings equals the multi-Miller-loop result.
        let product = pairs.map { Pairing.pairing($0.0, $0.1) }.reduce(Fq12.one, *)
        XCTAssertTrue(product.isOne)
    }
}

extension AffinePoint {
    var negated: AffinePoint { -self }
}
