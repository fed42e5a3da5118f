import XCTest
import ZKAlgebra


final class NTTTests: XCTestCase {
    private func randomVector(_ n: Int, _ rng: inout SeededGenerator) -> [Fr] {
        (0..<n).map { _ in Fr.random(using: &rng) }
    }

    /// Horner evaluation of `coefficients` at `x`.
    private func evaluate(_ coefficients: [Fr], at x: Fr) -> Fr {
        var acc = Fr.zero
        for c in coefficients.reversed() { acc = acc * x + c }
        return acc
    }

    private func domain(_ logSize: Int, file: StaticString = #filePath, line: UInt = #line) throws -> Domain {
        try XCTUnwrap(Domain(logSize: logSize), file: file, line: line)
    }

    func testDomainConstruction() throws {
        XCTAssertNil(Domain(size: 0))
        XCTAssertNil(Domain(size: 3))
        XCTAssertNil(Domain(size: 1000))
        XCTAssertNil(Domain(logSize: -1))
        XCTAssertNil(Domain(logSize: 29))
        XCTAssertNil(Domain.covering((1 << 28) + 1))
        XCTAssertEqual(Domain.covering(0)?.size, 1)
        XCTAssertEqual(Domain.covering(1000)?.size, 1024)
        XCTAssertEqual(Domain.covering(1024)?.size, 1024)
        let d = try XCTUnwrap(Domain(size: 64))
        XCTAssertEqual(d.logSize, 6)
        XCTAssertEqual(d.omega * d.omegaInverse, Fr.one)
        XCTAssertEqual(d.sizeInverse * Fr(64), Fr.one)
        XCTAssertEqual(d.cosetShift, Fr.multiplicativeGenerator)
        XCTAssertEqual(d.cosetShift * d.cosetShiftInverse, Fr.one)
    }

    func testRootOfUnityHasExactOrder() throws {
        for k in 0...16 {
            let d = try domain(k)
            XCTAssertEqual(d.omega.power(UInt64(d.size)), Fr.one, "ω^n = 1 for 2^\(k)")
            if k > 0 { XCTAssertEqual(d.omega.power(UInt64(d.size / 2)), Fr.zero - Fr.one, "ω^(n/2) = −1 for 2^\(k)") }
        }
        // The underlying 2^28-th root itself.
        var w = Fr.twoAdicRootOfUnity
        for _ in 0..<27 { w = w.squared() }
        XCTAssertEqual(w, Fr.zero - Fr.one)
    }

    func testRoundTrip() throws {
        var rng = SeededGenerator(seed: 10)
        for k in [0, 1, 2, 3, 5, 10, 12, 13, 16] {
            let d = try domain(k)
            let x = randomVector(d.size, &rng)
            for threads in [1, 2] {
                var y = x
                d.forward(&y, threads: threads)
                d.inverse(&y, threads: threads)
                XCTAssertEqual(y, x, "inverse(forward) size 2^\(k) threads \(threads)")
                d.cosetForward(&y, threads: threads)
                d.cosetInverse(&y, threads: threads)
                XCTAssertEqual(y, x, "cosetInverse(cosetForward) size 2^\(k) threads \(threads)")
            }
        }
    }

    func testForwardMatchesNaiveEvaluation() throws {
        var rng = SeededGenerator(seed: 11)
        for k in 0...8 {
            let d = try domain(k)
            let coefficients = randomVector(d.size, &rng)
            var fast = coefficients
            d.forward(&fast, threads: 1)
            var reference = coefficients
            d.forwardReference(&reference)
            var x = Fr.one
            var naive: [Fr] = []
            for _ in 0..<d.size { naive.append(evaluate(coefficients, at: x)); x = x * d.omega }
            XCTAssertEqual(fast, naive, "forward vs naive, size 2^\(k)")
            XCTAssertEqual(reference, naive, "radix-2 reference vs naive, size 2^\(k)")
        }
    }

    func testForwardMatchesRadix2Reference() throws {
        var rng = SeededGenerator(seed: 12)
        // 2^11 is one cache block; larger sizes add radix-2 and radix-4 passes over the array.
        for k in [9, 11, 12, 13, 14, 15] {
            let d = try domain(k)
            let x = randomVector(d.size, &rng)
            var reference = x
            d.forwardReference(&reference)
            for threads in [1, 2, 3] {
                var y = x
                d.forward(&y, threads: threads)
                XCTAssertEqual(y, reference, "size 2^\(k) threads \(threads)")
            }
        }
    }

    func testCosetForwardMatchesNaiveEvaluation() throws {
        var rng = SeededGenerator(seed: 13)
        for k in [0, 1, 4, 7] {
            let d = try domain(k)
            let coefficients = randomVector(d.size, &rng)
            var y = coefficients
            d.cosetForward(&y, threads: 2)
            var x = d.cosetShift
            for i in 0..<d.size {
                XCTAssertEqual(y[i], evaluate(coefficients, at: x), "coset point \(i), size 2^\(k)")
                x = x * d.omega
            }
        }
    }

    func testInverseRecoversCoefficientsFromEvaluations() throws {
        var rng = SeededGenerator(seed: 14)
        let d = try domain(6)
        let coefficients = randomVector(d.size, &rng)
        var evaluations: [Fr] = []
        var x = Fr.one
        for _ in 0..<d.size { evaluations.append(evaluate(coefficients, at: x)); x = x * d.omega }
        var recovered = evaluations
        d.inverse(&recovered)
        XCTAssertEqual(recovered, coefficients)
        var cosetEvaluations: [Fr] = []
        x = d.cosetShift
        for _ in 0..<d.size { cosetEvaluations.append(evaluate(coefficients, at: x)); x = x * d.omega }
        d.cosetInverse(&cosetEvaluations)
        XCTAssertEqual(cosetEvaluations, coefficients)
    }

    func testThreadCountsGiveIdenticalResults() throws {
        var rng = SeededGenerator(seed: 15)
        let d = try domain(16)
        let x = randomVector(d.size, &rng)
        var one = x, two = x, many = x
        d.forward(&one, threads: 1)
        d.forward(&two, threads: 2)
        d.forward(&many, threads: 7)
        XCTAssertEqual(one, two)
        XCTAssertEqual(one, many)
        var c1 = x, c2 = x
        d.cosetForward(&c1, threads: 1)
        d.cosetForward(&c2, threads: 2)
        XCTAssertEqual(c1, c2)
        d.cosetInverse(&c1, threads: 1)
        d.cosetInverse(&c2, threads: 2)
        XCTAssertEqual(c1, c2)
        XCTAssertEqual(c1, x)
    }

    func testBufferVariants() throws {
        var rng = SeededGenerator(seed: 16)
        let d = try domain(12)
        let x = randomVector(d.size, &rng)
        var viaArray = x
        d.forward(&viaArray, threads: 2)
        var viaBuffer = x
        viaBuffer.withUnsafeMutableBufferPointer { d.forward($0, threads: 2) }
        XCTAssertEqual(viaBuffer, viaArray)
        viaBuffer.withUnsafeMutableBufferPointer { d.inverse($0, threads: 2) }
        XCTAssertEqual(viaBuffer, x)
    }

    func testPolynomialMultiplication() {
        var rng = SeededGenerator(seed: 17)
        XCTAssertEqual(Domain.multiplyPolynomials([], [Fr.one]), [])
        XCTAssertEqual(Domain.multiplyPolynomials([Fr(3)], [Fr(5)]), [Fr(15)])
        for (na, nb) in [(1, 7), (3, 5), (16, 17), (17, 40), (100, 157), (512, 513), (300, 1)] {
            let a = randomVector(na, &rng), b = randomVector(nb, &rng)
            var schoolbook = [Fr](repeating: .zero, count: na + nb - 1)
            for i in 0..<na { for j in 0..<nb { schoolbook[i + j] = schoolbook[i + j] + a[i] * b[j] } }
            XCTAssertEqual(Domain.multiplyPolynomials(a, b), schoolbook, "\(na)×\(nb)")
            XCTAssertEqual(Domain.multiplyPolynomials(a, b, threads: 1), schoolbook, "\(na)×\(nb), 1 thread")
        }
    }

    func testVanishingPolynomial() throws {
        var rng = SeededGenerator(seed: 18)
        let d = try domain(5)
        var x = Fr.one
        for _ in 0..<d.size {
            XCTAssertTrue(d.evaluateVanishingPolynomial(at: x).isZero)
            x = x * d.omega
        }
        let tau = Fr.random(using: &rng)
        XCTAssertEqual(d.evaluateVanishingPolynomial(at: tau), tau.power(UInt64(d.size)) - Fr.one)
        XCTAssertFalse(d.evaluateVanishingPolynomial(at: d.cosetShift).isZero)
    }

    func testLagrangeEvaluationsMatchNaiveFormula() throws {
        var rng = SeededGenerator(seed: 19)
        for k in [0, 1, 3, 4] {
            let d = try domain(k)
            let tau = Fr.random(using: &rng)
            let fast = d.lagrangeEvaluations(at: tau)
            let points = (0..<d.size).map { d.omega.power(UInt64($0)) }
            for i in 0..<d.size {
                var num = Fr.one, den = Fr.one
                for j in 0..<d.size where j != i {
                    num = num * (tau - points[j])
                    den = den * (points[i] - points[j])
                }
                XCTAssertEqual(fast[i], num * den.inverse()!, "L_\(i) size 2^\(k)")
            }
        }
    }

    func testLagrangeInterpolationIdentity() throws {
        var rng = SeededGenerator(seed: 20)
        let d = try domain(10)
        let coefficients = randomVector(d.size, &rng)
        var evaluations = coefficients
        d.forward(&evaluations)
        for tau in [Fr.random(using: &rng), d.cosetShift, Fr.zero] {
            let l = d.lagrangeEvaluations(at: tau)
            var sum = Fr.zero
            for i in 0..<d.size { sum = sum + l[i] * evaluations[i] }
            XCTAssertEqual(sum, evaluate(coefficients, at: tau))
        }
        // τ inside the domain: the unit vector.
        let k = 37
        let l = d.lagrangeEvaluations(at: d.omega.power(UInt64(k)))
        for i in 0..<d.size { XCTAssertEqual(l[i], i == k ? Fr.one : Fr.zero) }
        XCTAssertEqual(try domain(0).lagrangeEvaluations(at: .one), [Fr.one])
    }
}
