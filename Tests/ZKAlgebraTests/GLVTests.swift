import XCTest
import ZKAlgebra
import ZKBigNum

/// The GLV endomorphism against plain double-and-add.
final class GLVTests: XCTestCase {
    func testConstantsAndDecomposition() {
        let beta = G1Endomorphism.beta, lambda = G1Endomorphism.lambda
        XCTAssertFalse(beta.isOne)
        XCTAssertTrue((beta * beta * beta).isOne)
        XCTAssertTrue((lambda * lambda + lambda + .one).isZero)
        var rng = SplitMix64(seed: 7)
        for i in 0..<300 {
            let k: Fr = i == 0 ? .zero : i == 1 ? .one : i == 2 ? -Fr.one : i == 3 ? lambda : Fr.random(using: &rng)
            let d = G1Endomorphism.decompose(k)
            let k1 = Fr(BigNum(limbs: d.k1))!, k2 = Fr(BigNum(limbs: d.k2))!
            XCTAssertEqual((d.negative1 ? -k1 : k1) + (d.negative2 ? -k2 : k2) * lambda, k)
            XCTAssertLessThanOrEqual(BigNum(limbs: d.k1).bitWidth, 128)
            XCTAssertLessThanOrEqual(BigNum(limbs: d.k2).bitWidth, 128)
        }
    }

    /// The fixed-width split used by the MSM: `k1 + k2·λ ≡ k (mod r)` and both halves below 2^130, on
    /// edge scalars (0, 1, r − 1, λ, −λ, 2^253, values near the lattice's rounding boundaries) and random ones.
    func testFixedWidthSplit() {
        let lambda = G1Endomorphism.lambda
        var rng = SplitMix64(seed: 17)
        var scalars: [Fr] = [.zero, .one, -Fr.one, lambda, -lambda, lambda + .one, Fr(canonicalLimbs: [0, 0, 0, 1 << 61])!,
                             Fr(canonicalLimbs: [~0, ~0, ~0, (1 << 61) - 1])!, Fr(2).power([253])]
        for _ in 0..<2000 { scalars.append(Fr.random(using: &rng)) }
        // Scalars with a small k2 or a small k1 (k = a + b·λ with small a, b) sit at the rounding boundaries.
        for a in [0, 1, 2, 3] { for b in [0, 1, 2] { scalars.append(Fr(UInt64(a)) + Fr(UInt64(b)) * lambda); scalars.append(-(Fr(UInt64(a)) + Fr(UInt64(b)) * lambda)) } }
        for k in scalars {
            let c = k.canonicalTuple
            let d = G1Endomorphism.split(c)
            let k1 = Fr(canonicalLimbs: [d.k1.0, d.k1.1, d.k1.2, 0])!, k2 = Fr(canonicalLimbs: [d.k2.0, d.k2.1, d.k2.2, 0])!
            XCTAssertEqual((d.negative1 ? -k1 : k1) + (d.negative2 ? -k2 : k2) * lambda, k, "\(k)")
            XCTAssertEqual(d.k1.2 >> 2, 0, "|k1| < 2^130 for \(k)")
            XCTAssertEqual(d.k2.2 >> 2, 0, "|k2| < 2^130 for \(k)")
        }
    }

    /// `(β·x, y)` is `[λ]P` on G1 and, with the twist's own choice of β, `[λ]Q` on G2 (the MSM relies on both).
    func testEndomorphismOnBothGroups() {
        var rng = SplitMix64(seed: 19)
        let lambda = G1Endomorphism.lambda
        for _ in 0..<20 {
            let p = (BN254G1.generator.jacobian * Fr.random(using: &rng)).affine
            XCTAssertEqual(BN254G1.endomorphism(p), (p.jacobian * lambda).affine)
            let q = (BN254G2.generator.jacobian * Fr.random(using: &rng)).affine
            XCTAssertEqual(BN254G2.endomorphism(q), (q.jacobian * lambda).affine)
        }
        XCTAssertTrue(BN254G1.endomorphism(.infinity).isInfinity)
        XCTAssertTrue(BN254G2.endomorphism(.infinity).isInfinity)
    }

    func testGLVMultiplicationMatchesDoubleAndAdd() {
        var rng = SplitMix64(seed: 11)
        let g = BN254G1.generator.jacobian
        for i in 0..<100 {
            let p = g * Fr.random(using: &rng)
            let k: Fr = i == 0 ? .zero : i == 1 ? .one : i == 2 ? -Fr.one : Fr.random(using: &rng)
            XCTAssertEqual(p.multiplied(by: G1Endomorphism.decompose(k)), p * k)
            XCTAssertEqual(p.endomorphism(), p * G1Endomorphism.lambda)
        }
        XCTAssertTrue(G1.infinity.multiplied(by: G1Endomorphism.decompose(Fr(5))).isInfinity)
    }
}

final class GLVBatchTests: XCTestCase {
    func testBatchMultiplyMatchesPlainMultiplication() {
        var rng = SplitMix64(seed: 3)
        let g = BN254G1.generator.jacobian
        var points = (0..<300).map { _ in (g * Fr.random(using: &rng)).affine }
        points[5] = .infinity
        points[17] = points[16]
        points[18] = -points[16]
        for k in [Fr.one, -Fr.one, Fr(2), Fr.random(using: &rng), Fr.random(using: &rng)] {
            let got = G1Endomorphism.multiply(points, by: G1Endomorphism.decompose(k))
            XCTAssertEqual(got, points.map { ($0.jacobian * k).affine })
        }
        XCTAssertEqual(G1Endomorphism.multiply([], by: G1Endomorphism.decompose(Fr(3))), [])
    }
}
