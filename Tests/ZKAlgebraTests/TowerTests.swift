import XCTest
import ZKAlgebra
import ZKBigNum

func randomFq2(_ rng: inout SeededGenerator) -> Fq2 { Fq2(Fq.random(using: &rng), Fq.random(using: &rng)) }
func randomFq6(_ rng: inout SeededGenerator) -> Fq6 { Fq6(randomFq2(&rng), randomFq2(&rng), randomFq2(&rng)) }
func randomFq12(_ rng: inout SeededGenerator) -> Fq12 { Fq12(randomFq6(&rng), randomFq6(&rng)) }

/// The extension tower, checked against slow definitions: schoolbook polynomial products reduced
/// by the defining relations, powers by GMP-size exponents, and field laws.
final class TowerTests: XCTestCase {
    /// Fq2 multiplication against (a0 + a1u)(b0 + b1u) with u² = −1 computed in GMP.
    func testFq2AgainstGMP() {
        var rng = SeededGenerator(seed: 11)
        let q = Fq.modulus
        for _ in 0..<2000 {
            let a = randomFq2(&rng), b = randomFq2(&rng)
            let (a0, a1, b0, b1) = (a.c0.bigNum, a.c1.bigNum, b.c0.bigNum, b.c1.bigNum)
            let p = a * b
            XCTAssertEqual(p.c0.bigNum, (a0 * b0 - a1 * b1).mod(q))
            XCTAssertEqual(p.c1.bigNum, (a0 * b1 + a1 * b0).mod(q))
            XCTAssertEqual(a.squared(), a * a)
            XCTAssertEqual(a.mulByNonResidue(), a * Fq2.xi)
            if let inv = a.inverse() { XCTAssertEqual(a * inv, .one) }
            XCTAssertEqual(a.squared().squareRoot()?.squared(), a.squared())
            if let r = a.squareRoot() { XCTAssertEqual(r.squared(), a) }
        }
        XCTAssertNil(Fq2.zero.inverse())
        // ξ is neither a square nor a cube (needed for the sextic twist).
        XCTAssertNil(Fq2.xi.squareRoot())
        let q2m1 = q * q - BigNum(1)
        XCTAssertFalse(Fq2.xi.power(((q2m1) / BigNum(3)).limbs(count: 8)!).isOne)
    }

    /// Fq6 multiplication against schoolbook (c0 + c1v + c2v²)(…) with v³ = ξ.
    func testFq6AgainstSchoolbook() {
        var rng = SeededGenerator(seed: 12)
        for _ in 0..<500 {
            let a = randomFq6(&rng), b = randomFq6(&rng)
            let x = [a.c0, a.c1, a.c2], y = [b.c0, b.c1, b.c2]
            var prod = [Fq2](repeating: .zero, count: 5)
            for i in 0..<3 { for j in 0..<3 { prod[i + j] = prod[i + j] + x[i] * y[j] } }
            let expected = Fq6(prod[0] + prod[3] * Fq2.xi, prod[1] + prod[4] * Fq2.xi, prod[2])
            XCTAssertEqual(a * b, expected)
            XCTAssertEqual(a.squared(), a * a)
            XCTAssertEqual(a.mulByV(), a * Fq6(.zero, .one, .zero))
            XCTAssertEqual(a.mulBy01(b.c0, b.c1), a * Fq6(b.c0, b.c1, .zero))
            if let inv = a.inverse() { XCTAssertEqual(a * inv, .one) }
        }
    }

    /// Fq12 against schoolbook over Fq2 with w⁶ = ξ, in the basis wⁱ.
    func testFq12AgainstSchoolbook() {
        var rng = SeededGenerator(seed: 13)
        func coefficients(_ a: Fq12) -> [Fq2] { [a.c0.c0, a.c1.c0, a.c0.c1, a.c1.c1, a.c0.c2, a.c1.c2] }
        func fromCoefficients(_ g: [Fq2]) -> Fq12 { Fq12(Fq6(g[0], g[2], g[4]), Fq6(g[1], g[3], g[5])) }
        for _ in 0..<200 {
            let a = randomFq12(&rng), b = randomFq12(&rng)
            let x = coefficients(a), y = coefficients(b)
            var prod = [Fq2](repeating: .zero, count: 11)
            for i in 0..<6 { for j in 0..<6 { prod[i + j] = prod[i + j] + x[i] * y[j] } }
            var reduced = Array(prod[0..<6])
            for k in 6..<11 { reduced[k - 6] = reduced[k - 6] + prod[k] * Fq2.xi }
            XCTAssertEqual(a * b, fromCoefficients(reduced))
            XCTAssertEqual(a.squared(), a * a)
            if let inv = a.inverse() { XCTAssertEqual(a * inv, .one) }
            // Sparse line multiplication.
            let (l0, l1, l3) = (randomFq2(&rng), randomFq2(&rng), randomFq2(&rng))
            XCTAssertEqual(a.mulByLine(l0, l1, l3), a * fromCoefficients([l0, l1, .zero, l3, .zero, .zero]))
        }
    }

    /// Frobenius maps equal raising to p, p², p³; conjugation equals raising to p⁶.
    func testFrobenius() {
        var rng = SeededGenerator(seed: 14)
        let q = Fq.modulus
        for _ in 0..<5 {
            let a = randomFq12(&rng)
            for k in 1...3 {
                let byMap = a.frobenius(k), byPower = a.power(q.power(k))
                XCTAssertTrue(byMap == byPower, "frobenius(\(k))")
            }
            let conjugate = a.conjugate(), byPower = a.power(q.power(6))
            XCTAssertTrue(conjugate == byPower, "conjugate")
        }
    }

    /// The stored Frobenius coefficient table equals ξ^(i·(p^k − 1)/6) computed from its definition.
    func testFrobeniusTable() {
        let stored = Fq12.frobeniusCoefficients, computed = Fq12.frobeniusCoefficientsFromDefinition()
        XCTAssertEqual(stored.count, 3)
        for k in 0..<3 {
            XCTAssertEqual(stored[k].count, 6)
            for i in 0..<6 { XCTAssertTrue(stored[k][i] == computed[k][i], "γ[\(k)][\(i)]") }
        }
    }

    /// Cyclotomic squaring and the power by u agree with generic squaring/power on the cyclotomic subgroup.
    func testCyclotomicOperations() {
        var rng = SeededGenerator(seed: 15)
        for _ in 0..<20 {
            let a = randomFq12(&rng)
            // Map into the cyclotomic subgroup: a^((p⁶−1)(p²+1)).
            var t = a.conjugate() * a.inverse()!
            t = t.frobenius(2) * t
            XCTAssertEqual(t.cyclotomicSquared(), t.squared())
            XCTAssertEqual(t.cyclotomicPowerByU(), t.power([BN254.u]))
        }
    }
}
