import XCTest
import ZKAlgebra
import ZKBigNum

/// Fr and Fq checked against GMP (mpz) as the oracle: ≥ 10,000 random cases per operation, plus edge values.
final class FieldTests: XCTestCase {
    static let randomCases = 10_000

    func checkAgainstGMP<F: MontgomeryField>(_: F.Type, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let p = F.modulus
        let edges = edgeValues(F.self)
        var pairs: [(BigNum, BigNum)] = []
        for a in edges { for b in edges { pairs.append((a, b)) } }
        for _ in 0..<Self.randomCases {
            pairs.append((F.random(using: &rng).bigNum, F.random(using: &rng).bigNum))
        }
        var checked = 0
        for (a, b) in pairs {
            guard let x = F(a), let y = F(b) else { return XCTFail("canonical value rejected") }
            XCTAssertEqual(x.bigNum, a)
            XCTAssertEqual((x + y).bigNum, (a + b).mod(p), "add \(a) \(b)")
            XCTAssertEqual((x - y).bigNum, (a - b).mod(p), "sub \(a) \(b)")
            XCTAssertEqual((x * y).bigNum, (a * b).mod(p), "mul \(a) \(b)")
            XCTAssertEqual(x.squared().bigNum, (a * a).mod(p), "square \(a)")
            XCTAssertEqual((-x).bigNum, (-a).mod(p), "neg \(a)")
            XCTAssertEqual(x.doubled().bigNum, (a + a).mod(p), "double \(a)")
            XCTAssertEqual(x.halved().doubled(), x, "halve \(a)")
            if a.isZero {
                XCTAssertNil(x.inverse())
            } else {
                XCTAssertEqual(x.inverse()?.bigNum, a.inverse(modulus: p), "inverse \(a)")
            }
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, Self.randomCases)
    }

    func testFrAgainstGMP() { checkAgainstGMP(Fr.self, seed: 1) }
    func testFqAgainstGMP() { checkAgainstGMP(Fq.self, seed: 2) }

    func checkPow<F: MontgomeryField>(_: F.Type, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let p = F.modulus
        for i in 0..<Self.randomCases {
            let a = F.random(using: &rng)
            // Mix exponent sizes: one limb, four limbs, and an exponent larger than p.
            let limbCount = [1, 4, 5][i % 3]
            let e = (0..<limbCount).map { _ in rng.next() }
            XCTAssertEqual(a.power(e).bigNum, a.bigNum.power(BigNum(limbs: e), modulus: p))
        }
        // Fermat: a^(p−1) = 1 for a ≠ 0; 0^0 = 1.
        XCTAssertTrue(F(7).power(p - BigNum(1)).isOne)
        XCTAssertTrue(F.zero.power([0]).isOne)
    }

    func testFrPow() { checkPow(Fr.self, seed: 3) }
    func testFqPow() { checkPow(Fq.self, seed: 4) }

    func checkSqrt<F: MontgomeryField>(_: F.Type, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let p = F.modulus
        var squares = 0, nonSquares = 0
        for _ in 0..<Self.randomCases {
            let a = F.random(using: &rng)
            let legendre = a.bigNum.legendre(p)
            XCTAssertEqual(a.legendre(), legendre)
            if let s = a.squareRoot() {
                XCTAssertEqual(s.squared(), a)
                squares += 1
            } else {
                XCTAssertEqual(legendre, -1)
                nonSquares += 1
            }
            // Squares always have a root.
            let sq = a.squared()
            XCTAssertEqual(sq.squareRoot()?.squared(), sq)
        }
        XCTAssertGreaterThan(squares, Self.randomCases / 3)
        XCTAssertGreaterThan(nonSquares, Self.randomCases / 3)
        XCTAssertEqual(F.zero.squareRoot(), F.zero)
        XCTAssertNil(F.quadraticNonResidue.squareRoot())
    }

    func testFqSqrt() { checkSqrt(Fq.self, seed: 5) }
    func testFrSqrt() { checkSqrt(Fr.self, seed: 6) }

    /// The hard-coded Montgomery constants equal what GMP computes from the modulus.
    func checkConstants<F: MontgomeryField>(_: F.Type, decimal: String) {
        let p = BigNum(decimal)!
        XCTAssertEqual(F.modulus, p)
        XCTAssertTrue(p.isProbablePrime())
        XCTAssertEqual(p.bitWidth, F.bitLength)
        let r = BigNum(1) << 256
        XCTAssertEqual(BigNum(limbs: [F.one.l0, F.one.l1, F.one.l2, F.one.l3]), r.mod(p))
        XCTAssertEqual(BigNum(limbs: [F.r2.l0, F.r2.l1, F.r2.l2, F.r2.l3]), (r * r).mod(p))
        let inv = (-(p.inverse(modulus: BigNum(1) << 64)!)).mod(BigNum(1) << 64)
        XCTAssertEqual(BigNum(F.inverseNegated), inv)
        // 2-adicity and the root of unity.
        let s = F.twoAdicity
        XCTAssertTrue(((p - BigNum(1)) >> s).bit(0))
        let w = F.twoAdicRootOfUnity
        XCTAssertTrue(w.power(BigNum(1) << s).isOne)
        XCTAssertFalse(w.power(BigNum(1) << (s - 1)).isOne)
        XCTAssertEqual(F.quadraticNonResidue.legendre(), -1)
    }

    func testFrConstants() {
        checkConstants(Fr.self, decimal: "21888242871839275222246405745257275088548364400416034343698204186575808495617")
        XCTAssertEqual(Fr.twoAdicity, 28)
    }
    func testFqConstants() {
        checkConstants(Fq.self, decimal: "21888242871839275222246405745257275088696311157297823662689037894645226208583")
    }

    func testCanonicalEncodings() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<1000 {
            let a = Fq.random(using: &rng)
            XCTAssertEqual(Fq(bigEndianBytes: a.bigEndianBytes), a)
            XCTAssertEqual(Fq(littleEndianBytes: a.littleEndianBytes), a)
            XCTAssertEqual(Fq(decimal: a.description), a)
            XCTAssertEqual(BigNum(bigEndian: a.bigEndianBytes), a.bigNum)
        }
        let q = Fq.modulus
        // Values ≥ p, non-canonical decimals and wrong lengths are rejected.
        XCTAssertNil(Fq(bigEndianBytes: q.bigEndianBytes(count: 32)!))
        XCTAssertNil(Fq(bigEndianBytes: [UInt8](repeating: 0xff, count: 32)))
        XCTAssertNil(Fq(bigEndianBytes: [UInt8](repeating: 0, count: 31)))
        XCTAssertNil(Fq(bigEndianBytes: [UInt8](repeating: 0, count: 33)))
        XCTAssertNil(Fq(decimal: q.description))
        XCTAssertNil(Fq(decimal: "01"))
        XCTAssertNil(Fq(decimal: "-1"))
        XCTAssertNil(Fq(decimal: "+1"))
        XCTAssertNil(Fq(decimal: ""))
        XCTAssertNil(Fq(decimal: " 1"))
        XCTAssertNil(Fq(decimal: "1e3"))
        XCTAssertNil(Fq(decimal: String(repeating: "9", count: 200)))
        XCTAssertEqual(Fq(decimal: "0"), Fq.zero)
        XCTAssertEqual(Fq(decimal: (q - BigNum(1)).description), -Fq.one)
        XCTAssertEqual(Fr(reducing: Fr.modulus + BigNum(5)), Fr(5))
        XCTAssertEqual(Fr(reducing: BigNum(-1)), -Fr.one)
        XCTAssertEqual(Fr(signed: -3), -Fr(3))
    }

    func testRandomIsUniformish() {
        // Rejection sampling: all values < p and top bits take both values.
        var rng = SeededGenerator(seed: 8)
        var topSeen = Set<UInt64>()
        for _ in 0..<2000 {
            let v = Fr.random(using: &rng).canonicalLimbs
            topSeen.insert(v[3] >> 60)
        }
        XCTAssertTrue(topSeen.contains(0) && topSeen.contains(3))
        // The CSPRNG path produces distinct values.
        XCTAssertNotEqual(Fr.random(), Fr.random())
    }

    func testBatchInvert() {
        var rng = SeededGenerator(seed: 9)
        var values = (0..<100).map { i in i % 7 == 0 ? Fq.zero : Fq.random(using: &rng) }
        let original = values
        batchInvert(&values)
        for (v, inv) in zip(original, values) {
            if v.isZero { XCTAssertTrue(inv.isZero) } else { XCTAssertTrue((v * inv).isOne) }
        }
    }

    /// Fq2's batch inversion goes through the Fq norms: every non-zero element (including ones with a zero
    /// component, and `i`-multiples whose norm is a square) gets its own inverse (checked against `inverse()`);
    /// zeros stay zero; all-zero and single-element batches work.
    func testBatchInvertFq2ThroughNorms() {
        var rng = SeededGenerator(seed: 10)
        var values: [Fq2] = [.zero, .one, Fq2(.zero, .one), Fq2(Fq.random(using: &rng), .zero), Fq2(.zero, Fq.random(using: &rng))]
        for i in 0..<60 { values.append(i % 9 == 0 ? .zero : Fq2(Fq.random(using: &rng), Fq.random(using: &rng))) }
        let original = values
        batchInvert(&values)
        for (v, inv) in zip(original, values) {
            if v.isZero { XCTAssertTrue(inv.isZero) } else {
                XCTAssertEqual(inv, v.inverse())
                XCTAssertEqual(v * inv, .one)
            }
        }
        var zeros = [Fq2](repeating: .zero, count: 5)
        batchInvert(&zeros)
        XCTAssertEqual(zeros, [Fq2](repeating: .zero, count: 5))
        let x = Fq2(Fq.random(using: &rng), Fq.random(using: &rng))
        var one = [x]
        batchInvert(&one)
        XCTAssertEqual(one, [x.inverse()!])
    }
}
