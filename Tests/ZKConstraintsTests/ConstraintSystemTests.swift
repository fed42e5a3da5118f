import XCTest
import ZKAlgebra
import ZKConstraints

final class ConstraintSystemTests: XCTestCase {
    /// w1 (public) = w2 · w3; w4 = w2 + w3 (as (w2 + w3) · 1 = w4).
    private func smallSystem() -> ConstraintSystem {
        var cs = ConstraintSystem(publicCount: 1, privateCount: 3)
        cs.addConstraint(.wire(2), .wire(3), .wire(1), label: "product")
        cs.addConstraint(.wire(2) + .wire(3), .constant(.one), .wire(4), label: "sum")
        return cs
    }

    func testAcceptsSatisfyingWitness() throws {
        let cs = smallSystem()
        XCTAssertEqual(cs.wireCount, 5)
        XCTAssertEqual(cs.publicCount, 1)
        XCTAssertEqual(cs.privateCount, 3)
        XCTAssertEqual(cs.constraintCount, 2)
        let w: [Fr] = [.one, Fr(12), Fr(3), Fr(4), Fr(7)]
        XCTAssertNoThrow(try cs.check(w))
        XCTAssertTrue(cs.isSatisfied(by: w))
    }

    /// The parallel check names the same (lowest) violated constraint as the serial one, for any thread count.
    func testParallelCheckNamesTheLowestViolation() throws {
        // x_{i+1} = x_i² + x_0 for 20,000 steps.
        let n = 20_000
        var cs = ConstraintSystem(publicCount: 0, privateCount: n + 1)
        var w: [Fr] = [.one, Fr(3)]
        for i in 0..<n {
            cs.addConstraint(.wire(1 + i), .wire(1 + i), .wire(2 + i) - .wire(1))
            w.append(w[1 + i] * w[1 + i] + w[1])
        }
        for threads in [1, 2, 3, 7, 64] { XCTAssertNoThrow(try cs.check(w, threads: threads)) }
        XCTAssertNoThrow(try cs.check(w, threads: nil))
        var bad = w
        bad[2 + 15_000] += .one   // x_15001: breaks constraints 15,000 and 15,001
        bad[2 + 4_000] += .one    // x_4001: breaks 4,000 and 4,001
        for threads in [1, 2, 3, 7, 64] {
            XCTAssertThrowsError(try cs.check(bad, threads: threads)) { e in
                XCTAssertEqual((e as? UnsatisfiedConstraint)?.index, 4_000, "threads \(threads)")
            }
        }
        XCTAssertThrowsError(try cs.check(Array(w.dropLast()), threads: 2))
    }

    func testNamesFirstViolatedConstraint() {
        let cs = smallSystem()
        // Product holds, sum does not: constraint 1 ("sum") with a = 3 + 4, b = 1, c = 8.
        let w: [Fr] = [.one, Fr(12), Fr(3), Fr(4), Fr(8)]
        XCTAssertFalse(cs.isSatisfied(by: w))
        do {
            try cs.check(w)
            XCTFail("expected a violation")
        } catch let e as UnsatisfiedConstraint {
            XCTAssertEqual(e.index, 1)
            XCTAssertEqual(e.label, "sum")
            XCTAssertEqual(e.a, Fr(7))
            XCTAssertEqual(e.b, .one)
            XCTAssertEqual(e.c, Fr(8))
            XCTAssertTrue(e.description.contains("sum"), e.description)
        } catch { XCTFail("unexpected \(error)") }
        // Both wrong: the first one (index 0, "product") is reported.
        do {
            try cs.check([.one, Fr(13), Fr(3), Fr(4), Fr(8)])
            XCTFail("expected a violation")
        } catch let e as UnsatisfiedConstraint {
            XCTAssertEqual(e.index, 0)
            XCTAssertEqual(e.label, "product")
            XCTAssertEqual(e.a, Fr(3)); XCTAssertEqual(e.b, Fr(4)); XCTAssertEqual(e.c, Fr(13))
        } catch { XCTFail("unexpected \(error)") }
    }

    func testMalformedWitnesses() {
        let cs = smallSystem()
        XCTAssertThrowsError(try cs.check([.one, Fr(12), Fr(3), Fr(4)])) { e in
            XCTAssertEqual(e as? WitnessError, .wrongLength(expected: 5, got: 4))
        }
        XCTAssertThrowsError(try cs.check([.one, Fr(12), Fr(3), Fr(4), Fr(7), .zero])) { e in
            XCTAssertEqual(e as? WitnessError, .wrongLength(expected: 5, got: 6))
        }
        XCTAssertThrowsError(try cs.check([])) { e in
            XCTAssertEqual(e as? WitnessError, .wrongLength(expected: 5, got: 0))
        }
        // witness[0] ≠ 1, even if the constraints would hold under the scaled constant.
        XCTAssertThrowsError(try cs.check([Fr(2), Fr(12), Fr(3), Fr(4), Fr(7)])) { e in
            XCTAssertEqual(e as? WitnessError, .constantWireNotOne)
        }
        XCTAssertThrowsError(try cs.check([.zero, .zero, .zero, .zero, .zero])) { e in
            XCTAssertEqual(e as? WitnessError, .constantWireNotOne)
        }
    }

    func testNormalizationMergesAndDropsZeros() {
        let lc: LinearCombination = [(3, Fr(2)), (1, Fr(5)), (3, -Fr(2)), (2, .zero), (1, .one), (4, Fr(9)), (0, Fr(7))]
        let n = lc.normalized()
        XCTAssertEqual(n.terms, [Term(wire: 0, coefficient: Fr(7)), Term(wire: 1, coefficient: Fr(6)), Term(wire: 4, coefficient: Fr(9))])
        // Same value under any witness.
        let w: [Fr] = [.one, Fr(10), Fr(20), Fr(30), Fr(40)]
        XCTAssertEqual(lc.evaluate(w), n.evaluate(w))
        XCTAssertEqual(n.normalized(), n)
        // x − x is empty; constant(0) and ·0 are empty.
        XCTAssertTrue((LinearCombination.wire(2, Fr(5)) - .wire(2, Fr(5))).normalized().terms.isEmpty)
        XCTAssertTrue(LinearCombination.constant(.zero).terms.isEmpty)
        XCTAssertTrue((LinearCombination.wire(1) * .zero).terms.isEmpty)
        // The system stores rows normalized.
        var cs = ConstraintSystem(publicCount: 0, privateCount: 4)
        cs.addConstraint(lc, .wire(2) + .wire(2), .wire(1) - .wire(1))
        XCTAssertEqual(cs.terms(0, .a), n.terms)
        XCTAssertEqual(cs.terms(0, .b), [Term(wire: 2, coefficient: Fr(2))])
        XCTAssertEqual(cs.terms(0, .c), [])
        XCTAssertEqual(cs.termCount, 4)
    }

    /// 100,000 constraints `x_{i+1} = x_i² + x_0` as `x_i · x_i = x_{i+1} − x_0`.
    func testSquareChainMemory() throws {
        let n = 100_000
        var cs = ConstraintSystem(publicCount: 1, privateCount: n)  // wire 1 = x_0 (public), wires 2... = x_1...x_n
        cs.reserveCapacity(constraints: n, termsPerConstraint: 4)
        for i in 0..<n {
            let xi = i + 1  // wire of x_i
            cs.addConstraint(.wire(xi), .wire(xi), .wire(xi + 1) - .wire(1))
        }
        XCTAssertEqual(cs.constraintCount, n)
        XCTAssertEqual(cs.termCount, 4 * n)
        var w: [Fr] = [.one, Fr(3)]
        w.reserveCapacity(n + 2)
        for i in 0..<n { w.append(w[i + 1] * w[i + 1] + w[1]) }
        try cs.check(w)
        w[n / 2] += .one
        XCTAssertFalse(cs.isSatisfied(by: w))

        let bytes = cs.estimatedBytes
        let perConstraint = Double(bytes) / Double(n)
        print("ConstraintSystem square chain: \(n) constraints, estimatedBytes = \(bytes) (\(String(format: "%.2f", perConstraint)) bytes/constraint)")
        XCTAssertGreaterThan(bytes, 0)
        XCTAssertLessThan(perConstraint, 64)
    }
}
