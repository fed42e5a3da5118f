import XCTest
import ZKAlgebra
import ZKCircuit
import ZKPoseidon

final class PoseidonGadgetTests: XCTestCase {
    /// A built circuit: its satisfiability check, honest witness and output wire.
    /// (The test target does not depend on ZKConstraints, so the system is kept behind a closure.)
    private struct Built {
        let check: ([Fr]) throws -> Void
        let witness: [Fr]
        let outWire: Int
        var outValue: Fr { witness[outWire] }
    }

    /// Builds `b`'s circuit, checks the honest witness, and returns it with the wire of `out`.
    private func build(_ b: CircuitBuilder, output out: Variable,
                       file: StaticString = #filePath, line: UInt = #line) throws -> Built {
        let (system, witness, _) = b.build()
        try system.check(witness)
        let wire = b.wireIndex(of: out)
        XCTAssertEqual(witness[wire], b.value(of: out), file: file, line: line)
        return Built(check: { try system.check($0) }, witness: witness, outWire: wire)
    }

    private func buildAndCheck(_ define: (CircuitBuilder) throws -> Variable,
                               file: StaticString = #filePath, line: UInt = #line) throws -> Built {
        let b = CircuitBuilder()
        return try build(b, output: try define(b), file: file, line: line)
    }

    /// The honest witness with wire `wire` replaced by `value + 1` must violate some constraint.
    private func assertWrongValueRejected(_ built: Built, wire: Int? = nil,
                                          file: StaticString = #filePath, line: UInt = #line) {
        var forged = built.witness
        let w = wire ?? built.outWire
        forged[w] = forged[w] + .one
        XCTAssertThrowsError(try built.check(forged), "forged wire \(w) accepted", file: file, line: line) {
            XCTAssertTrue(String(describing: type(of: $0)).contains("UnsatisfiedConstraint"), "\($0)", file: file, line: line)
        }
    }

    // MARK: Known answers through the circuit

    func testFixtureHashesThroughGadget() throws {
        let fixture = try CircomlibPoseidonFixture.load()
        for c in fixture.cases {
            let inputs = c.inputs.map { fr($0) }
            let r = try buildAndCheck { b in try b.poseidon(inputs.map { b.privateInput($0) }) }
            XCTAssertEqual(r.outValue, fr(hex: c.hash_hex), "t = \(c.t)")
            assertWrongValueRejected(r)
            // Public inputs work the same way.
            let rp = try buildAndCheck { b in try b.poseidon(inputs.map { b.publicInput($0) }) }
            XCTAssertEqual(rp.outValue, fr(hex: c.hash_hex))
        }
    }

    func testFixturePermutationThroughGadget() throws {
        let fixture = try CircomlibPoseidonFixture.load()
        let expected = fixture.permutation_t3_input_0_1_2.map { fr(hex: $0) }
        let b = CircuitBuilder()
        let inputs = [0, 1, 2].map { b.privateInput(Fr(UInt64($0))) }
        let lanes = try b.poseidonPermutation(inputs)
        XCTAssertEqual(lanes.map { b.value(of: $0) }, expected)
        // Pin each lane to a public output and check the system.
        let outs = lanes.map { lane -> Variable in
            let o = b.publicInput(b.value(of: lane))
            b.assertEqual(o, lane)
            return o
        }
        XCTAssertEqual(b.publicValues, expected)
        let built = try build(b, output: outs[0])
        XCTAssertEqual(b.constraintCount, 3 * (8 * 3 + 57) + 3)
        for o in outs { assertWrongValueRejected(built, wire: b.wireIndex(of: o)) }
    }

    func testPublishedHashesThroughGadget() throws {
        for n in [5, 8, 16] {
            let inputs = (1...n).map { Fr(UInt64($0)) }
            let r = try buildAndCheck { b in try b.poseidon(inputs.map { b.privateInput($0) }) }
            XCTAssertEqual(r.outValue, fr(publishedHashesOneToN[n - 1]), "n = \(n)")
        }
    }

    // MARK: Gadget == native, every width

    func testGadgetMatchesNativeForEveryWidth() throws {
        var rng = PoseidonTestRNG(seed: 2024)
        var report: [String] = ["t  R_P  constraints  wires  max-terms/row  nonzeros"]
        for t in 2...17 {
            let inputs = rng.fields(t - 1)
            let b = CircuitBuilder(recordsLabels: false)
            let vars = inputs.map { b.privateInput($0) }
            let before = b.constraintCount
            let out = try b.poseidon(vars)
            let constraints = b.constraintCount - before
            let rP = Poseidon.partialRounds(width: t)!
            XCTAssertEqual(constraints, 3 * (8 * t + rP - 1) + 1, "t = \(t)")
            XCTAssertEqual(b.value(of: out), try Poseidon.hash(inputs), "t = \(t)")
            let (system, witness, _) = b.build()
            try system.check(witness)
            assertWrongValueRejected(Built(check: { try system.check($0) }, witness: witness, outWire: b.wireIndex(of: out)))
            var maxTerms = 0, nonzeros = 0
            for i in 0..<system.constraintCount {
                let n = [system.terms(i, .a).count, system.terms(i, .b).count, system.terms(i, .c).count]
                maxTerms = max(maxTerms, n.max()!)
                nonzeros += n.reduce(0, +)
            }
            XCTAssertLessThanOrEqual(maxTerms, t + rP + 2, "t = \(t): partial-round rows stay bounded")
            report.append("\(t)  \(rP)  \(constraints)  \(b.privateCount - (t - 1))  \(maxTerms)  \(nonzeros)")
        }
        print("Poseidon gadget cost per hash (inputs are wires):\n" + report.joined(separator: "\n"))
    }

    /// The raw permutation: 3 constraints per S-box, t per full round and 1 per partial round.
    func testPermutationCostPerWidth() throws {
        var rng = PoseidonTestRNG(seed: 5)
        for t in 2...17 {
            let state = rng.fields(t)
            let b = CircuitBuilder(recordsLabels: false)
            let lanes = try b.poseidonPermutation(state.map { b.privateInput($0) })
            XCTAssertEqual(b.constraintCount, 3 * (8 * t + Poseidon.partialRounds(width: t)!), "t = \(t)")
            var native = state
            try Poseidon.permute(&native)
            XCTAssertEqual(lanes.map { b.value(of: $0) }, native, "t = \(t)")
        }
    }

    func testLinearExpressionInputs() throws {
        var rng = PoseidonTestRNG(seed: 11)
        let (x, y) = (Fr.random(using: &rng), Fr.random(using: &rng))
        let b = CircuitBuilder()
        let vx = b.publicInput(x), vy = b.privateInput(y)
        let exprs: [LinearExpression] = [vx + vy, vx * Fr(3) - vy + Fr(7), vy - vy + Fr(9)]
        let out = try b.poseidon(exprs)
        XCTAssertEqual(b.value(of: out), try Poseidon.hash([x + y, x * Fr(3) - y + Fr(7), Fr(9)]))
        assertWrongValueRejected(try build(b, output: out))
        // Lane 0 (capacity) and lane 3 (the constant 9) are free in the first round.
        XCTAssertEqual(b.constraintCount, 3 * (8 * 4 + 56 - 2) + 1)
    }

    func testConstantInputsCostOnlyTheOutputConstraint() throws {
        let b = CircuitBuilder()
        let out = try b.poseidon([LinearExpression.constant(Fr(1)), .constant(Fr(2))])
        XCTAssertEqual(b.value(of: out), fr(publishedHashesOneToN[1]))
        XCTAssertEqual(b.constraintCount, 1)
        assertWrongValueRejected(try build(b, output: out))
    }

    // MARK: hashMany

    func testPoseidonManyMatchesNative() throws {
        var rng = PoseidonTestRNG(seed: 77)
        for n in [0, 1, 15, 16, 17, 100] {
            let values = rng.fields(n)
            let b = CircuitBuilder(recordsLabels: false)
            let out = b.poseidonMany(values.map { b.privateInput($0) })
            XCTAssertEqual(b.value(of: out), Poseidon.hashMany(values), "n = \(n)")
            let blocks = max(1, (n + 15) / 16)
            XCTAssertLessThanOrEqual(b.constraintCount, 612 * blocks + 1, "n = \(n)")
            assertWrongValueRejected(try build(b, output: out))
        }
    }

    // MARK: Soundness

    /// Changing any single gadget wire (and nothing else) breaks the system.
    func testTamperedIntermediateWireRejected() throws {
        let b = CircuitBuilder()
        let inputs = [Fr(3), Fr(4)].map { b.privateInput($0) }
        let before = b.privateCount
        let out = try b.poseidon(inputs)
        let built = try build(b, output: out)
        let gadgetWires = (1 + b.publicCount + before)..<(1 + b.publicCount + b.privateCount)
        XCTAssertEqual(gadgetWires.count, 3 * (8 * 3 + 57 - 1) + 1)
        for w in gadgetWires { assertWrongValueRejected(built, wire: w) }
        // Changing an input without recomputing the hash is caught too.
        assertWrongValueRejected(built, wire: b.wireIndex(of: inputs[0]))
        XCTAssertEqual(b.value(of: out), try Poseidon.hash([Fr(3), Fr(4)]))
    }

    // MARK: Errors

    func testGadgetInputCountErrors() {
        let b = CircuitBuilder()
        let v = b.privateInput(.one)
        XCTAssertThrowsError(try b.poseidon([Variable]())) { XCTAssertEqual($0 as? PoseidonError, .invalidInputCount(0)) }
        XCTAssertThrowsError(try b.poseidon([Variable](repeating: v, count: 17))) {
            XCTAssertEqual($0 as? PoseidonError, .invalidInputCount(17))
        }
        XCTAssertThrowsError(try b.poseidonExpression([Variable]())) { XCTAssertEqual($0 as? PoseidonError, .invalidInputCount(0)) }
        XCTAssertThrowsError(try b.poseidonPermutation([v])) { XCTAssertEqual($0 as? PoseidonError, .invalidStateWidth(1)) }
        XCTAssertThrowsError(try b.poseidonPermutation([Variable](repeating: v, count: 18))) {
            XCTAssertEqual($0 as? PoseidonError, .invalidStateWidth(18))
        }
        XCTAssertEqual(b.constraintCount, 0, "rejected calls add nothing")
    }
}
