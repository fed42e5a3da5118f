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
