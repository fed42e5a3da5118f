import Foundation
import XCTest
import ZKAlgebra
import ZKConstraints
import ZKGroth16
import ZKModel
import ZKClaim

/// The five sample models end to end: import, calibrated quantization (8 scale bits), the circuit
/// against the integer interpreter on the test inputs, quantized accuracy on the full test split,
/// and one Groth16 proof per model with its claim — and every tampered claim rejected.
final class SampleModelTests: XCTestCase {
    // MARK: Import against onnxruntime

    /// The float graph reproduces onnxruntime's outputs (after the stripped Softmax) on the first
    /// test inputs, and its argmax its predictions on the whole split.
    func checkFloatGraph(_ name: String) throws {
        let s = try SampleCache.get(name)
        let expected = try loadExpected(name)
        let inputs = try loadInputs(name, "test_inputs.json")
        XCTAssertEqual(s.graph.inputShape, expected.input_shape, name)
        XCTAssertEqual(s.graph.outputShape, expected.output_shape, name)
        XCTAssertEqual(inputs.count, expected.float_outputs.count, name)
        for (k, x) in inputs.enumerated() {
            let y = FloatInterpreter.applyTransform(s.graph.outputTransform, try FloatInterpreter.run(s.graph, input: x))
            let ref = expected.float_outputs[k]
            XCTAssertEqual(y.count, ref.count, "\(name) sample \(k)")
            for (a, b) in zip(y, ref) {
                XCTAssertEqual(a, b, accuracy: 1e-4 + 1e-4 * abs(b), "\(name) sample \(k): float graph vs onnxruntime")
            }
        }
        let split = try loadInputs(name, "test_split.json")
        XCTAssertEqual(split.count, expected.test_count, name)
        var agree = 0
        for (k, x) in split.enumerated() where argmax(try FloatInterpreter.run(s.graph, input: x)) == expected.float_predictions[k] { agree += 1 }
        XCTAssertEqual(agree, split.count, "\(name): float graph argmax vs onnxruntime predictions")
    }

    // MARK: Circuit = integer interpreter

    /// For every sample of test_inputs.json: the circuit's output equals the integer interpreter's
    /// exactly, its public signals are (digest, input, output), and the witness satisfies the system.
    func checkCircuitMatchesInterpreter(_ name: String) throws {
        let s = try SampleCache.get(name)
        let m = s.compiled.model
        let inputs = try loadInputs(name, "test_inputs.json")
        XCTAssertEqual(inputs.count, name == "iris_logreg" ? 30 : 50, "\(name): test_inputs.json")
        let shape = try s.compiled.constraintSystem()
        let clock = ContinuousClock()
        var buildTime = Duration.zero, checkTime = Duration.zero
        try timed("\(name): \(inputs.count) circuits built and checked (\(shape.system.constraintCount) constraints)") {
            for (k, x) in inputs.enumerated() {
                let q = try m.quantizeInput(x)
                let reference = try IntegerInterpreter.run(m, input: q)
                let t0 = clock.now
                let c = try s.compiled.circuit(for: x)
                buildTime += clock.now - t0
                XCTAssertEqual(c.output, reference, "\(name) sample \(k): circuit output vs integer interpreter")
                XCTAssertEqual(c.publicSignals, try CircuitLowering.publicSignals(digest: s.compiled.statementDigest, header: StatementHeader(model: s.compiled.model),
                                                                              weightsCommitment: nil, input: q, inputHash: nil, output: reference),
                               "\(name) sample \(k): public signals")
                XCTAssertEqual(c.system.constraintCount, shape.system.constraintCount, "\(name) sample \(k): structure depends on the input")
                XCTAssertEqual(c.system.wireCount, shape.system.wireCount, "\(name) sample \(k)")
                if k == 0 {
                    // The constraint-only build (compile, setup; no witness solved) is the same system, term for term.
                    XCTAssertEqual(try circuitDigest(c.system), try circuitDigest(shape.system), "\(name): constraint-only build differs")
                }
                let t1 = clock.now
                XCTAssertNoThrow(try c.system.check(c.witness), "\(name) sample \(k): witness does not satisfy the circuit")
                checkTime += clock.now - t1
            }
        }
        print("[timing] \(name): circuit(for:) \(buildTime / inputs.count) per sample, check \(checkTime / inputs.count) per sample")
    }

    // MARK: Accuracy

    /// Quantized argmax (integer interpreter) agrees with onnxruntime's predictions on ≥ 98 % of
    /// the full test split.
    func checkAccuracy(_ name: String) throws {
        let s = try SampleCache.get(name)
        let m = s.compiled.model
        let expected = try loadExpected(name)
        let split = try loadInputs(name, "test_split.json")
        XCTAssertEqual(split.count, expected.float_predictions.count)
        var agree = 0, correct = 0
        for (k, x) in split.enumerated() {
            let y = try IntegerInterpreter.run(m, input: try m.quantizeInput(x))
            let p = argmax(y)
            if p == expected.float_predictions[k] { agree += 1 }
            if p == expected.labels[k] { correct += 1 }
        }
        let rate = Double(agree) / Double(split.count)
        print("[accuracy] \(name): quantized argmax agrees with float on \(agree)/\(split.count) (\(String(format: "%.2f", 100 * rate)) %); quantized accuracy \(correct)/\(split.count), float \(expected.float_accuracy)")
        XCTAssertGreaterThanOrEqual(rate, 0.98, "\(name): quantized vs float agreement \(agree)/\(split.count)")
    }

    // MARK: Proofs and claims

    /// Setup, prove, verify one claim; a second proof of the same input differs (fresh randomness);
    /// every tampered claim gets an invalid verdict (not an error).
    func checkProofAndTampering(_ name: String) throws {
        let s = try SampleCache.get(name)
        let compiled = s.compiled
        let inputs = try loadInputs(name, "test_inputs.json")
        let (x, y) = (inputs[0], inputs[1])
        let cx = try compiled.circuit(for: x), cy = try compiled.circuit(for: y)
        let pk = try timed("\(name): setup (\(cx.system.constraintCount) constraints)") { try Groth16.setup(cx.system) }
        let vk = pk.verificationKey
        let proof = try timed("\(name): prove") { try Groth16.prove(pk, witness: cx.witness) }
        let proof2 = try Groth16.prove(pk, witness: cx.witness)
        let proofY = try Groth16.prove(pk, witness: cy.witness)
        XCTAssertNotEqual(proof, proof2, "\(name): two proofs of the same input must differ (fresh randomness)")
        XCTAssertTrue(try Groth16.verify(vk, proof: proof2, publicInputs: cx.publicSignals))

        let claim = try ClaimVerifier.makeClaim(name: name, compiled: compiled, circuit: cx, input: x, proof: proof, verificationKey: vk)
        var verdict = try ClaimVerifier.verify(claim, key: vk)
        XCTAssertTrue(verdict.valid, "\(name): honest claim: \(verdict.problems)")
        XCTAssertEqual(claim.output.quantized, cx.output)
        XCTAssertEqual(claim.output.argmax, argmax(cx.output))
        XCTAssertEqual(claim.model.modelDigest, compiled.modelDigest)
        XCTAssertEqual(claim.model.constraints, cx.system.constraintCount)
        // verify --model: the graph re-derived from the ONNX file with the claim's recorded quantization is the claim's.
        XCTAssertEqual(claim.quantization.tensorScales, compiled.model.tensorScales)
        verdict = try ClaimVerifier.verify(claim, key: vk, options: ClaimCheckOptions(onnx: s.onnx))
        XCTAssertTrue(verdict.valid, "\(name): honest claim with --model: \(verdict.problems)")
        // ... and not for another sample model's file.
        let otherName = name == "digits_mlp" ? "iris_logreg" : "digits_mlp"
        verdict = try ClaimVerifier.verify(claim, key: vk, options: ClaimCheckOptions(onnx: try SampleCache.get(otherName).onnx))
        XCTAssertFalse(verdict.valid, "\(name): accepted with --model \(otherName)")
        XCTAssertTrue(verdict.problems.contains("model.onnxDigest is not the BLAKE2b-256 of the given ONNX file"), "\(verdict.problems)")
        // Encoding round trip.
        let decoded = try ClaimVerifier.decode(try ClaimVerifier.encode(claim))
        XCTAssertEqual(decoded, claim)
        XCTAssertTrue(try ClaimVerifier.verify(decoded, key: vk).valid)
        // The second proof gives a valid claim too.
        XCTAssertTrue(try ClaimVerifier.verify(try ClaimVerifier.makeClaim(name: name, compiled: compiled, circuit: cx, input: x, proof: proof2,
                                                                         verificationKey: vk), key: vk).valid)

        func rejected(_ label: String, _ key: VerificationKey = vk, _ edit: (inout Claim) throws -> Void) rethrows {
            var c = claim
            try edit(&c)
            XCTAssertNotEqual(c, claim, "\(name) \(label): the edit changed nothing")
            do {
                let v = try ClaimVerifier.verify(c, key: key)
                XCTAssertFalse(v.valid, "\(name) \(label): tampered claim accepted")
                XCTAssertFalse(v.problems.isEmpty, "\(name) \(label)")
            } catch {
                XCTFail("\(name) \(label): verify threw \(error) instead of an invalid verdict")
            }
        }
        let outFactor = Double(sign: .plus, exponent: -claim.output.scale, significand: 1)
        let inFactor = Double(sign: .plus, exponent: -claim.input.scale, significand: 1)
        func reencode(_ c: inout Claim) {
            guard let header = try? StatementHeader(claim: c),
                  let digest = try? CompiledModel.statementDigest(onnx: c.model.onnxDigest, quantized: c.model.quantizedDigest),
                  let signals = try? CircuitLowering.publicSignals(digest: digest, header: header, weightsCommitment: nil,
                                                                  input: c.input.quantized, inputHash: nil, output: c.output.quantized)
            else { return XCTFail("claim header") }
            c.publicSignals = signals.map { $0.description }
        }
        func bumpOutput(_ c: inout Claim) {
            c.output.quantized[0] += 1
            c.output.values[0] = Double(c.output.quantized[0]) * outFactor
            c.output.argmax = argmax(c.output.quantized)
            if c.output.transform != .none { c.output.transformed = FloatInterpreter.applyTransform(c.output.transform, c.output.values) }
        }
        func bumpInput(_ c: inout Claim) {
            // Stay inside the input range so only the proof can catch it.
            c.input.quantized[0] += c.input.quantized[0] > 0 ? -1 : 1
            c.input.values[0] = Double(c.input.quantized[0]) * inFactor
        }
        rejected("output.quantized[0] + 1 (values, argmax updated)") { bumpOutput(&$0) }
        rejected("output.quantized[0] + 1 with re-encoded public signals") { bumpOutput(&$0); reencode(&$0) }
        rejected("output.values[0] changed alone") { $0.output.values[0] += 1 }
        if claim.output.transform != .none {
            rejected("output.transformed changed") { $0.output.transformed![0] += 0.25 }
            rejected("output.transformed changed by one part in 10^9") { $0.output.transformed![$0.output.argmax] *= 1 + 1e-9 }
            rejected("output.transformed dropped") { $0.output.transformed = nil }
        } else {
            rejected("output.transformed added") { $0.output.transformed = FloatInterpreter.applyTransform(.softmax, $0.output.values) }
        }
        rejected("output.argmax changed") { $0.output.argmax = ($0.output.argmax + 1) % $0.output.quantized.count }
        rejected("input.quantized[0] changed (values updated)") { bumpInput(&$0) }
        rejected("input.quantized[0] changed with re-encoded public signals") { bumpInput(&$0); reencode(&$0) }
        rejected("input.quantized[0] outside the input range, re-encoded") {
            $0.input.quantized[0] = Int(claim.quantization.inputBound / inFactor) + 1
            $0.input.values[0] = Double($0.input.quantized[0]) * inFactor
            reencode(&$0)
        }
        rejected("model.onnxDigest changed") { $0.model.onnxDigest = flipHex($0.model.onnxDigest) }
        try rejected("model.onnxDigest changed, modelDigest and public signals recomputed") {
            $0.model.onnxDigest = flipHex($0.model.onnxDigest)
            $0.model.modelDigest = try CompiledModel.modelDigest(onnx: $0.model.onnxDigest, quantized: $0.model.quantizedDigest, weightsCommitment: nil)
            reencode(&$0)
        }
        try rejected("model.quantizedDigest changed, modelDigest and public signals recomputed") {
            $0.model.quantizedDigest = flipHex($0.model.quantizedDigest)
            $0.model.modelDigest = try CompiledModel.modelDigest(onnx: $0.model.onnxDigest, quantized: $0.model.quantizedDigest, weightsCommitment: nil)
            reencode(&$0)
        }
        rejected("statement text edited") { $0.statement = $0.statement.replacingOccurrences(of: "Groth16", with: "Groth17") }
        rejected("statement of another visibility") { $0.statement = ClaimVerifier.statementText(privateWeights: true, input: .hashed) }
        rejected("publicSignalLayout edited") { $0.publicSignalLayout[$0.publicSignalLayout.count - 1] = "output[0]" }
        rejected("publicSignalLayout dropped an entry") { $0.publicSignalLayout.removeLast() }
        rejected("visibility.output not public") { $0.visibility.output = "private" }
        rejected("model.modelDigest changed") { $0.model.modelDigest = flipHex($0.model.modelDigest) }
        rejected("model.modelDigest changed, public signals re-encoded") { $0.model.modelDigest = flipHex($0.model.modelDigest); reencode(&$0) }
        rejected("one public signal changed") {
            let last = $0.publicSignals.count - 1
            $0.publicSignals[last] = (Fr(snarkjsDecimalOrZero: $0.publicSignals[last]) + Fr.one).description
        }
        rejected("public signals of another input (proof unchanged)") {
            $0.publicSignals = cy.publicSignals.map { $0.description }
        }
        let yClaim = try ClaimVerifier.makeClaim(name: name, compiled: compiled, circuit: cy, input: y, proof: proofY, verificationKey: vk)
        XCTAssertTrue(try ClaimVerifier.verify(yClaim, key: vk).valid, "\(name): claim for the second input")
        rejected("proof swapped for another input's proof") { $0.proof = yClaim.proof }
        rejected("another input's claim with this proof") { $0 = yClaim; $0.proof = claim.proof }

        // Wrong keys: one with an altered input commitment (IC[0] ← IC[1]) for every model, and
        // for all but LeNet (whose setup alone takes ~12 s) a second setup of the same circuit.
        var altered = vk
        altered.ic[0] = vk.ic[1]
        var wrongKeys = [("altered key", altered)]
        if cx.system.constraintCount < 50_000 { wrongKeys.append(("second setup", try Groth16.setup(cx.system).verificationKey)) }
        for (label, wrongKey) in wrongKeys {
            XCTAssertNotEqual(try wrongKey.digest, try vk.digest, label)
            verdict = try ClaimVerifier.verify(claim, key: wrongKey)
            XCTAssertFalse(verdict.valid, "\(name): claim accepted under the \(label)")
            try rejected("claim relabelled with the \(label)'s digest", wrongKey) { $0.verificationKeyDigest = try wrongKey.digest }
        }
    }

    // MARK: Per model

    func testIrisLogReg() throws {
        try checkFloatGraph("iris_logreg")
        try checkCircuitMatchesInterpreter("iris_logreg")
        try checkAccuracy("iris_logreg")
    }
    func testIrisLogRegProof() throws { try checkProofAndTampering("iris_logreg") }

    func testDigitsMLP() throws {
        try checkFloatGraph("digits_mlp")
        try checkCircuitMatchesInterpreter("digits_mlp")
        try checkAccuracy("digits_mlp")
    }
    func testDigitsMLPProof() throws { try checkProofAndTampering("digits_mlp") }

    func testDigitsCNN() throws {
        try checkFloatGraph("digits_cnn")
        try checkCircuitMatchesInterpreter("digits_cnn")
        try checkAccuracy("digits_cnn")
    }
    func testDigitsCNNProof() throws { try checkProofAndTampering("digits_cnn") }

    func testMnistMLP() throws {
        try checkFloatGraph("mnist_mlp_784_56_10")
        try checkCircuitMatchesInterpreter("mnist_mlp_784_56_10")
        try checkAccuracy("mnist_mlp_784_56_10")
    }
    func testMnistMLPProof() throws { try checkProofAndTampering("mnist_mlp_784_56_10") }

    func testMnistLeNet() throws {
        try checkFloatGraph("mnist_cnn_lenet")
        try checkCircuitMatchesInterpreter("mnist_cnn_lenet")
        try checkAccuracy("mnist_cnn_lenet")
    }
    func testMnistLeNetProof() throws { try checkProofAndTampering("mnist_cnn_lenet") }

    /// The compiled model survives circuit.json: same digests, same circuit.
    func testCircuitJSONRoundTrip() throws {
        for name in sampleModels {
            let s = try SampleCache.get(name)
            let back = try CompiledModel(circuitJSON: try s.compiled.circuitJSON())
            XCTAssertEqual(back.model, s.compiled.model, name)
            XCTAssertEqual(back.quantizedDigest, s.compiled.quantizedDigest, name)
            XCTAssertEqual(back.modelDigest, s.compiled.modelDigest, name)
            XCTAssertEqual(back.model.onnxDigest, try blake2bHex([UInt8](s.onnx)), name)
            XCTAssertTrue(back.model.calibrated, name)
            XCTAssertEqual(back.model.scaleBits, 8, name)
        }
    }

    /// Compilation is deterministic: the same ONNX and calibration give the same digests.
    func testCompilationIsDeterministic() throws {
        let s = try SampleCache.get("digits_cnn")
        let (again, _) = try CompiledModel.compile(onnx: s.onnx, options: QuantizationOptions(scaleBits: 8, calibration: s.calibration))
        XCTAssertEqual(again.modelDigest, s.compiled.modelDigest)
        XCTAssertEqual(try circuitDigest(try again.constraintSystem().system), try circuitDigest(try s.compiled.constraintSystem().system))
        // Another scale changes the model digest.
        let (other, _) = try CompiledModel.compile(onnx: s.onnx, options: QuantizationOptions(scaleBits: 10, calibration: s.calibration))
        XCTAssertNotEqual(other.modelDigest, s.compiled.modelDigest)
    }
}

/// Flips the last hex digit of a digest.
func flipHex(_ s: String) -> String {
    guard let last = s.last else { return "0" }
    return String(s.dropLast()) + (last == "0" ? "1" : "0")
}

extension Fr {
    /// Parses a canonical decimal, or zero (test helper).
    init(snarkjsDecimalOrZero s: String) {
        self = (try? Fr(snarkjsDecimal: s)) ?? .zero
    }
}
