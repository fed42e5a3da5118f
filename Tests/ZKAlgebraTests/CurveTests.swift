import XCTest
import ZKAlgebra
import ZKBigNum

func randomG1(_ rng: inout SeededGenerator) -> G1 { G1.generator * Fr.random(using: &rng) }
func randomG2(_ rng: inout SeededGenerator) -> G2 { G2.generator * Fr.random(using: &rng) }

/// Slow, obviously-correct double-and-add used as the reference for wNAF scalar multiplication.
func naiveMultiply<C>(_ p: JacobianPoint<C>, _ k: BigNum) -> JacobianPoint<C> {
    var acc = JacobianPoint<C>.infinity
    for i in stride(from: k.bitWidth - 1, through: 0, by: -1) {
        acc = acc.doubled()
        if k.bit(i) { acc = acc + p }
    }
    return acc
}

/// A point on the G2 twist that is *not* in the order-r subgroup (the twist's cofactor is large).
func twistPointOutsideSubgroup(start: UInt64 = 1) -> G2Affine {
    var k = start
    while true {
        let x = Fq2(Fq(k), Fq.one)
        if let y = (x.squared() * x + BN254G2.b).squareRoot() {
            let p = G2Affine(x: x, y: y)
            if !G2(p).multiplied(byLimbs: Fr.modulus.limbs(count: 4)!).isInfinity { return p }
        }
        k += 1
    }
}

final class CurveTests: XCTestCase {
    let rLimbs = Fr.modulus.limbs(count: 4)!

    func groupLaws<C>(_ random: (inout SeededGenerator) -> JacobianPoint<C>, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<50 {
            let p = random(&rng), q = random(&rng), s = random(&rng)
            XCTAssertTrue(p.isOnCurve)
            XCTAssertEqual((p + q) + s, p + (q + s), "associativity")
            XCTAssertEqual(p + q, q + p, "commutativity")
            XCTAssertEqual(p + .infinity, p, "identity")
            XCTAssertEqual(JacobianPoint<C>.infinity + p, p, "identity")
            XCTAssertTrue((p + (-p)).isInfinity, "inverse")
            XCTAssertEqual(p.doubled(), p + p, "doubling = adding to itself")
            XCTAssertEqual(p.adding(q.affine), p + q, "mixed addition")
            XCTAssertEqual(p.adding(p.affine), p.doubled(), "mixed doubling")
            XCTAssertTrue(p.adding((-p).affine).isInfinity, "mixed inverse")
            XCTAssertEqual(p.affine.jacobian, p)
            XCTAssertTrue(p.affine.isOnCurve)
            XCTAssertTrue((p.doubled() + q).isOnCurve)
            XCTAssertTrue(p.multiplied(byLimbs: rLimbs).isInfinity, "r·P = 0")
        }
        XCTAssertTrue(JacobianPoint<C>.infinity.doubled().isInfinity)
        XCTAssertEqual(JacobianPoint<C>.infinity.affine, .infinity)
    }

    func testG1GroupLaws() { groupLaws(randomG1, seed: 21) }
    func testG2GroupLaws() { groupLaws(randomG2, seed: 22) }

    func scalarMultiplication<C>(_ g: JacobianPoint<C>, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        for i in 0..<40 {
            let limbs = (0..<(i % 5)).map { _ in rng.next() }
            let k = BigNum(limbs: limbs)
            XCTAssertEqual(g.multiplied(byLimbs: limbs), naiveMultiply(g, k))
        }
        for small: UInt64 in [0, 1, 2, 3, 15, 16, 17, 31, 32, 33, 255] {
            XCTAssertEqual(g.multiplied(byLimbs: [small]), naiveMultiply(g, BigNum(small)))
        }
        // (r − 1)·P = −P, r·P = 0, (r + 1)·P = P; scalars ≥ r and 2^256 − 1 are fine.
        let r = Fr.modulus
        XCTAssertEqual(g.multiplied(byLimbs: (r - BigNum(1)).limbs(count: 4)!), -g)
        XCTAssertEqual(g.multiplied(byLimbs: (r + BigNum(1)).limbs(count: 4)!), g)
        let max = [UInt64](repeating: ~0, count: 4)
        XCTAssertEqual(g.multiplied(byLimbs: max), naiveMultiply(g, BigNum(limbs: max)))
        XCTAssertEqual(g * Fr(5), g + g + g + g + g)
    }

    func testG1ScalarMultiplication() { scalarMultiplication(G1.generator, seed: 23) }
    func testG2ScalarMultiplication() { scalarMultiplication(G2.generator, seed: 24) }

    func testGenerators() {
        XCTAssertEqual(BN254G1.generator, G1Affine(x: Fq(1), y: Fq(2)))
        XCTAssertTrue(BN254G1.generator.isInSubgroup)
        XCTAssertTrue(BN254G2.generator.isOnCurve)
        XCTAssertTrue(BN254G2.generator.isInSubgroup)
        XCTAssertTrue(G2.generator.multiplied(byLimbs: rLimbs).isInfinity)
        // b' = 3/(9+u).
        XCTAssertEqual(BN254.twistB * Fq2.xi, Fq2(Fq(3), .zero))
        // p = 36u⁴ + 36u³ + 24u² + 6u + 1 and r = 36u⁴ + 36u³ + 18u² + 6u + 1.
        let u = BigNum(BN254.u)
        let u2 = u * u, u3 = u2 * u, u4 = u3 * u
        XCTAssertEqual(Fq.modulus, BigNum(36) * u4 + BigNum(36) * u3 + BigNum(24) * u2 + BigNum(6) * u + BigNum(1))
        XCTAssertEqual(Fr.modulus, BigNum(36) * u4 + BigNum(36) * u3 + BigNum(18) * u2 + BigNum(6) * u + BigNum(1))
    }

    func testOffCurveAndSubgroupChecks() {
        XCTAssertFalse(G1Affine(x: Fq(1), y: Fq(3)).isOnCurve)
        XCTAssertFalse(G1Affine(x: Fq(1), y: Fq(3)).isInSubgroup)
        let outside = twistPointOutsideSubgroup()
        XCTAssertTrue(outside.isOnCurve)
        XCTAssertFalse(outside.isInSubgroup)
        XCTAssertFalse(G2Affine(x: BN254G2.generator.x, y: BN254G2.generator.x).isOnCurve)
    }

    /// The ψ-based G2 membership test agrees with `[r]Q = 0` on points inside and outside G2.
    func testG2SubgroupCheckMatchesOrderCheck() {
        var rng = SeededGenerator(seed: 25)
        var outside = 0, inside = 0
        var k: UInt64 = 1
        while outside < 20 {
            let x = Fq2(Fq.random(using: &rng), Fq(k))
            k += 1
            guard let y = (x.squared() * x + BN254G2.b).squareRoot() else { continue }
            let p = G2Affine(x: x, y: y)
            let byOrder = G2(p).multiplied(byLimbs: rLimbs).isInfinity
            XCTAssertEqual(p.isInSubgroup, byOrder)
            if !byOrder { outside += 1 }
        }
        for _ in 0..<20 {
            let p = randomG2(&rng)
            XCTAssertTrue(p.isInSubgroup)
            inside += 1
        }
        // Cofactor clearing of an outside point lands inside: h = 2p − r.
        let h = Fq.modulus * BigNum(2) - Fr.modulus
        let cleared = G2(twistPointOutsideSubgroup()).multiplied(byLimbs: h.limbs(count: 5)!)
        XCTAssertTrue(cleared.isInSubgroup)
        XCTAssertEqual(inside, 20)
    }

    func testBatchToAffine() {
        var rng = SeededGenerator(seed: 26)
        var points = (0..<30).map { _ in randomG1(&rng) }
        points[3] = .infinity
        let affine = batchToAffine(points)
        for (p, a) in zip(points, affine) { XCTAssertEqual(p.affine, a) }
    }
}
