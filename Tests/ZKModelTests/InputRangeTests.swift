import XCTest
import ZKAlgebra
import ZKCircuit
import ZKConstraints
import ZKGroth16
import ZKModel
import ZKClaim

/// The statement header and `--check-input-range`: what binds the claim fields the verifier
/// interprets, and where the input's range is enforced.
final class InputRangeTests: XCTestCase {
    /// digits_mlp compiled with public inputs range-checked in the circuit.
    func compiledWithRangeCheck() throws -> (CompiledModel, [Double]) {
        let s = try SampleCache.get("digits_mlp")
        var o = QuantizationOptions(scaleBits: 8, calibration: s.calibration)
        o.checkInputRange = true
        let (c, _) = try CompiledModel.compile(onnx: s.onnx, options: o)
        return (c, try loadInputs("digits_mlp", "input.json")[0])
    }

    func testInCircuitRangeCheckRejectsOutOfRangeInputs() throws {
        let (c, x) = try compiledWithRangeCheck()
        let plain = try SampleCache.get("digits_mlp").compiled
        let circuit = try c.circuit(for: x)
        try circuit.system.check(circuit.witness)
        // One exact range check per input element: [−B, B] with B = 2^m costs m + 3 constraints (m + 1 bits, the top
        // flag and its product), one more than the old power-of-two check that admitted [−2B, 2B).
        let extra = circuit.system.constraintCount - (try plain.circuit(for: x)).system.constraintCount
        let t = c.model.inputTensor
        XCTAssertTrue((0..<t.count).allSatisfy { t.lo[$0] == -t.hi[$0] && t.hi[$0] > 0 && t.hi[$0] & (t.hi[$0] - 1) == 0 })
        let perInput = (2 * t.hi[0]).trailingZeroBitCount + 2
        XCTAssertEqual(extra, t.count * perInput)
        XCTAssertEqual(circuit.layers.first?.layer, "(input range)")
        // An input far outside the range in a column no weight reads: with the in-circuit check the
        // witness no longer satisfies the system (without it, it would: see BadInputTests).
        guard case .dense(_, let w, _, let nIn, let nOut) = c.model.nodes[0].op,
              let dead = (0..<nIn).first(where: { i in (0..<nOut).allSatisfy { w[$0 * nIn + i] == 0 } }) else {
            return XCTFail("expected a column of zero weights")
        }
        var witness = circuit.witness
        witness[2 + dead] = Fr(signed: Int64(4 * c.model.inputTensor.hi[dead]))
        XCTAssertFalse(circuit.system.isSatisfied(by: witness))
        let plainCircuit = try plain.circuit(for: x)
        var plainWitness = plainCircuit.witness
        plainWitness[2 + dead] = Fr(signed: Int64(4 * plain.model.inputTensor.hi[dead]))
        XCTAssertTrue(plainCircuit.system.isSatisfied(by: plainWitness), "control: without the check the column is unconstrained")
    }

    func testHeaderBindsClaimFieldsAndRangeMode() throws {
        let (c, x) = try compiledWithRangeCheck()
        let circuit = try c.circuit(for: x)
        let pk = try Groth16.setup(circuit.system)
        let claim = try ClaimVerifier.makeClaim(name: "digits_mlp", compiled: c, circuit: circuit, input: x,
                                                proof: try Groth16.prove(pk, witness: circuit.witness), verificationKey: pk.verificationKey)
        XCTAssertEqual(claim.quantization.inputRangeInCircuit, true)
        XCTAssertTrue(try ClaimVerifier.verify(claim, key: pk.verificationKey).valid)
        XCTAssertTrue(StatementHeader(model: c.model).text.hasSuffix(";range=circuit"))
        // Every header field changes the statement signal.
        var edits: [(String, (inout Claim) -> Void)] = [
            ("range mode", { $0.quantization.inputRangeInCircuit = false }),
            ("input bound", { $0.quantization.inputBound *= 2 }),
            ("output scale", { $0.output.scale += 1; $0.output.values = $0.output.values.map { $0 / 2 } }),
            ("transform", { $0.output.transform = .sigmoid; $0.output.transformed = FloatInterpreter.applyTransform(.sigmoid, $0.output.values) }),
        ]
        edits.append(("output shape", { $0.output.shape = [10, 1] }))
        for (what, edit) in edits {
            var forged = claim
            edit(&forged)
            let v = try ClaimVerifier.verify(forged, key: pk.verificationKey)
            XCTAssertFalse(v.valid, what)
            XCTAssertTrue(v.problems.contains { $0.hasPrefix("publicSignals do not encode") }, "\(what): \(v.problems)")
        }
        // A bound that is not a power of two cannot be stated.
        var odd = claim
        odd.quantization.inputBound = 3
        XCTAssertThrowsError(try ClaimVerifier.verify(odd, key: pk.verificationKey))
    }

    func testUppercaseDigestsAreNotCanonical() throws {
        let p = try provenDigitsClaim()
        let (pk, claim) = (p.provingKey, p.claim)
        var upper = claim
        upper.model.circuitDigest = upper.model.circuitDigest.uppercased()
        XCTAssertFalse(try ClaimVerifier.verify(upper, key: pk.verificationKey).valid)
        XCTAssertThrowsError(try ClaimVerifier.signedBytes(upper))
    }
}
