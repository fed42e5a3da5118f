import XCTest
import ZKAlgebra
import ZKConstraints
import ZKCircuit

final class CircuitBuilderTests: XCTestCase {
    func testWireLayoutPublicInputsFirstInDeclarationOrder() throws {
        let b = CircuitBuilder()
        let a = b.privateInput(Fr(3), name: "a")
        let p1 = b.publicInput(Fr(5), name: "p1")
        let c = b.privateInput(Fr(4))
        let prod = b.mul(a, c, label: "a*c")  // 12
        let p2 = b.publicInput(Fr(17), name: "p2")
        b.assertEqual(prod + p1, p2, label: "prod + p1 = p2")

        XCTAssertEqual(b.publicCount, 2)
        XCTAssertEqual(b.privateCount, 3)
        XCTAssertEqual(b.wireIndex(of: b.one), 0)
        XCTAssertEqual(b.wireIndex(of: p1), 1)
        XCTAssertEqual(b.wireIndex(of: p2), 2)
        XCTAssertEqual(b.wireIndex(of: a), 3)
        XCTAssertEqual(b.wireIndex(of: c), 4)
        XCTAssertEqual(b.wireIndex(of: prod), 5)
        XCTAssertEqual(b.name(of: a), "a")
        XCTAssertEqual(b.name(of: p2), "p2")
        XCTAssertNil(b.name(of: c))
        XCTAssertEqual(p1.kind, .publicInput(0))
        XCTAssertEqual(a.kind, .privateWire(0))
        XCTAssertEqual(b.one.kind, .one)

        let (system, witness, publicValues) = b.build()
        XCTAssertEqual(system.publicCount, 2)
        XCTAssertEqual(system.wireCount, 6)
        XCTAssertEqual(system.constraintCount, 2)
        XCTAssertEqual(witness, [.one, Fr(5), Fr(17), Fr(3), Fr(4), Fr(12)])
        XCTAssertEqual(publicValues, [Fr(5), Fr(17)])
        XCTAssertEqual(publicValues, Array(witness[1...system.publicCount]))
        try system.check(witness)

        // Rows reference the final wire numbers.
        XCTAssertEqual(system.terms(0, .a), [Term(wire: 3, coefficient: .one)])
        XCTAssertEqual(system.terms(0, .b), [Term(wire: 4, coefficient: .one)])
        XCTAssertEqual(system.terms(0, .c), [Term(wire: 5, coefficient: .one)])
        XCTAssertEqual(system.terms(1, .a), [Term(wire: 1, coefficient: .one), Term(wire: 2, coefficient: -Fr.one), Term(wire: 5, coefficient: .one)])
        XCTAssertEqual(system.terms(1, .b), [Term(wire: 0, coefficient: .one)])
        XCTAssertEqual(system.terms(1, .c), [])
        XCTAssertEqual(system.label(0), "a*c")
        XCTAssertEqual(system.label(1), "prod + p1 = p2")

        // A wrong public value is caught by the labelled constraint.
        var bad = witness
        bad[2] = Fr(18)
        let e = assertViolated(system, bad)
        XCTAssertEqual(e?.label, "prod + p1 = p2")
    }

    func testExpressionsAndValues() {
        let b = CircuitBuilder()
        let x = b.privateInput(Fr(7))
        let y = b.publicInput(Fr(11))
        let e = Fr(2) * x - y + Fr(5) - (x * Fr(3)) + (-y) + x  // 2·7 − 11 + 5 − 21 − 11 + 7 = −17
        XCTAssertEqual(b.value(of: e), Fr(signed: -17))
        XCTAssertEqual(b.value(of: x), Fr(7))
        XCTAssertEqual(b.value(of: b.one), .one)
        let s = e.simplified()  // 0·x − 2y + 5 → x dropped
        XCTAssertEqual(Set(s.terms.map(\.variable)), [y, .one])
        XCTAssertEqual(b.value(of: s), Fr(signed: -17))
        XCTAssertFalse(s.isConstant)
        XCTAssertTrue((x - x + Fr(3)).isConstant)
        var acc = LinearExpression.zero
        acc += x; acc += x; acc -= y; acc += Fr(1); acc -= Fr(2)
        XCTAssertEqual(b.value(of: acc), Fr(signed: 14 - 11 - 1))
        XCTAssertEqual(b.constraintCount, 0, "expressions are free")
        XCTAssertEqual(b.privateCount, 1)
    }

    /// The classic x³ + x + 5 = 35 with public output.
    func testCubicCircuit() throws {
        let (system, witness) = try CircuitBuilder.checkCircuit { b in
            let out = b.publicInput(Fr(35), name: "out")
            let x = b.privateInput(Fr(3), name: "x")
            let x2 = b.mul(x, x, label: "x²")
            let x3 = b.mul(x2, x, label: "x³")
            b.assertEqual(x3 + x + Fr(5), out, label: "out")
        }
        XCTAssertEqual(system.constraintCount, 3)
        XCTAssertEqual(system.publicCount, 1)
        XCTAssertEqual(witness, [.one, Fr(35), Fr(3), Fr(9), Fr(27)])
        // Changing x alone, or the intermediate, breaks it.
        var w = witness; w[2] = Fr(4)
        XCTAssertEqual(assertViolated(system, w)?.label, "x²")
        w = witness; w[4] = Fr(28)
        XCTAssertEqual(assertViolated(system, w)?.label, "x³")
        w = witness; w[1] = Fr(36)
        XCTAssertEqual(assertViolated(system, w)?.label, "out")
    }

    func testCheckCircuitReportsFirstFailingLabel() {
        XCTAssertThrowsError(try CircuitBuilder.checkCircuit { b in
            let x = b.privateInput(Fr(3))
            let y = b.privateInput(Fr(4))
            b.assertMul(x, y, equals: LinearExpression.constant(Fr(12)), label: "ok")
            b.assertEqual(x, y, label: "x = y")
        }) { error in
            guard let e = error as? UnsatisfiedConstraint else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(e.index, 1)
            XCTAssertEqual(e.label, "x = y")
            XCTAssertEqual(e.a, -Fr.one)
            XCTAssertEqual(e.b, .one)
            XCTAssertEqual(e.c, .zero)
        }
    }

    func testLabelsCanBeTurnedOff() throws {
        let b = CircuitBuilder(recordsLabels: false)
        let x = b.privateInput(Fr(300))
        _ = b.toBits(x, count: 9)
        let (system, witness, _) = b.build()
        try system.check(witness)
        XCTAssertEqual(system.constraintCount, 10)
        XCTAssertNil(system.label(0))
        XCTAssertNil(system.label(9))
    }

    /// The same square chain as the raw ConstraintSystem test, through the builder.
    func testBuilderSquareChainMemory() throws {
        let n = 100_000
        let b = CircuitBuilder(recordsLabels: false)
        let x0 = b.publicInput(Fr(3))
        var x = x0
        for _ in 0..<n {
            let sq = b.value(of: x) * b.value(of: x)
            let next = b.witness(sq + b.value(of: x0))
            b.assertMul(x, x, equals: next - x0)
            x = next
        }
        let (system, witness, publicValues) = b.build()
        XCTAssertEqual(system.constraintCount, n)
        XCTAssertEqual(publicValues, [Fr(3)])
        try system.check(witness)
        let perConstraint = Double(system.estimatedBytes) / Double(n)
        print("CircuitBuilder square chain: \(n) constraints, estimatedBytes = \(system.estimatedBytes) (\(String(format: "%.2f", perConstraint)) bytes/constraint)")
        XCTAssertLessThan(perConstraint, 64)
    }
}
