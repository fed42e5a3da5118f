// Issue 13, part D: the exporter-style zoo of Circuits/zoo (generate_zoo.py): the float graph against
// onnxruntime, the circuit against the integer interpreter, quantized-vs-float argmax agreement on the full test
// split (≥ 99 %), and one proof per model whose claim verifies, also against the ONNX file (--model).

import Foundation
import XCTest
import ZKAlgebra
import ZKGroth16
import ZKModel
import ZKClaim

final class ZooModelTests: XCTestCase {
    static let zoo = Repo.circuits.appendingPathComponent("zoo")
    static let names = ["digits_resnet", "digits_cnn_pytorch", "digits_rows_seq", "digits_conv1d", "digits_depthwise", "digits_tokens",
                        "digits_mlp_tanh", "digits_mlp_sigmoid", "digits_mlp_gelu", "digits_mlp_gelu_tanh", "digits_attention", "digits_transformer"]

    func file(_ model: String, _ name: String) throws -> Data {
        try Data(contentsOf: Self.zoo.appendingPathComponent(model).appendingPathComponent(name))
    }

    func checkZooModel(_ name: String, proveOutputTransform: Bool = false, scaleBits: Int = 8) throws {
        let onnx = try file(name, "model.onnx")
        let graph = try ONNXImporter.load(onnx, proveOutputTransform: proveOutputTransform)
        let expected = try JSONDecoder().decode(ExpectedFile.self, from: try file(name, "expected.json"))
        let calibration = try InputFile.samples(InputFile.parse(try file(name, "calibration.json")), size: graph.size(graph.input))
        XCTAssertEqual(graph.inputShape, expected.input_shape, name)
        // Float graph = onnxruntime.
        let inputs = try InputFile.parse(try file(name, "test_inputs.json"))
        for (k, x) in inputs.enumerated() {
            // onnxruntime's outputs are after any final Softmax/Sigmoid; the float graph stops before a stated transform.
            for (a, b) in zip(FloatInterpreter.applyTransform(graph.outputTransform, try FloatInterpreter.run(graph, input: x)), expected.float_outputs[k]) {
                XCTAssertEqual(a, b, accuracy: 1e-4 + 1e-4 * abs(b), "\(name) sample \(k): float graph vs onnxruntime")
            }
        }
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: scaleBits, calibration: calibration),
                                                      proveOutputTransform: proveOutputTransform)
        let m = compiled.model
        // Circuit = integer interpreter, bit for bit.
        for x in inputs.prefix(5) {
            let c = try compiled.circuit(for: x)
            XCTAssertEqual(c.output, try IntegerInterpreter.run(m, input: try m.quantizeInput(x)), name)
            XCTAssertNoThrow(try c.system.check(c.witness), name)
        }
        // Agreement with the float model on the full test split.
        let split = try InputFile.parse(try file(name, "test_split.json"))
        var agree = 0, correct = 0
        var worstError = 0.0
        for (k, x) in split.enumerated() {
            let q = try IntegerInterpreter.run(m, input: try m.quantizeInput(x))
            let p = argmax(q)
            if k < expected.float_outputs.count {
                let deq = FloatInterpreter.applyTransform(m.outputTransform, m.dequantize(q, tensor: m.output))
                for (a, b) in zip(deq, expected.float_outputs[k]) { worstError = max(worstError, abs(a - b)) }
            }
            if p == expected.float_predictions[k] { agree += 1 }
            if p == expected.labels[k] { correct += 1 }
        }
        let rate = Double(agree) / Double(split.count)
        let shape = try compiled.constraintSystem()
        print("[zoo] \(name): \(shape.system.constraintCount) constraints; agreement \(agree)/\(split.count); max |output error| \(worstError) (\(m.outputTransform == .none ? "outputs" : "after \(m.outputTransform.rawValue)")); quantized accuracy \(correct)/\(split.count), float \(expected.float_accuracy)")
        XCTAssertGreaterThanOrEqual(rate, 0.99, "\(name): quantized vs float agreement \(agree)/\(split.count)")
        // One proof; the claim verifies, also re-derived from the ONNX file.
        let x = inputs[0]
        let circuit = try compiled.circuit(for: x)
        let pk = try Groth16.setup(circuit.system)
        let claim = try ClaimVerifier.makeClaim(name: name, compiled: compiled, circuit: circuit, input: x,
                                                proof: try Groth16.prove(pk, witness: circuit.witness), verificationKey: pk.verificationKey)
        let v = try ClaimVerifier.verify(claim, key: pk.verificationKey, options: ClaimCheckOptions(onnx: onnx))
        XCTAssertTrue(v.valid, "\(name): \(v.problems)")
        // The prepared-key path gives the same verdicts, also on a claim whose output (and public signal) was changed.
        let prepared = PreparedVerificationKey(pk.verificationKey)
        XCTAssertTrue(try ClaimVerifier.verify(claim, preparedKey: prepared).valid, name)
        var forged = claim
        let last = forged.output.quantized.count - 1
        forged.output.quantized[last] += 1
        forged.output.values[last] = Double(forged.output.quantized[last]) * Double(sign: .plus, exponent: -forged.output.scale, significand: 1)
        forged.output.argmax = firstArgmax(forged.output.quantized)
        if forged.output.transform != .none { forged.output.transformed = FloatInterpreter.applyTransform(forged.output.transform, forged.output.values) }
        forged.publicSignals[forged.publicSignals.count - 1] = (Fr(signed: Int64(forged.output.quantized[last]))).description
        XCTAssertFalse(try ClaimVerifier.verify(forged, preparedKey: prepared).valid, name)
        XCTAssertFalse(try ClaimVerifier.verify(forged, key: pk.verificationKey).valid, name)
    }

    func testResidualCNN() throws { try checkZooModel("digits_resnet") }
    func testPyTorchExportedCNN() throws { try checkZooModel("digits_cnn_pytorch") }
    func testSequenceModelOverRows() throws { try checkZooModel("digits_rows_seq") }
    func testConv1DNet() throws { try checkZooModel("digits_conv1d") }
    func testDepthwiseSeparable() throws { try checkZooModel("digits_depthwise") }
    func testTokenModelWithEmbeddingTable() throws { try checkZooModel("digits_tokens") }
    // Issue 14: nonlinear layers.
    func testTanhMLP() throws { try checkZooModel("digits_mlp_tanh") }
    func testSigmoidMLP() throws { try checkZooModel("digits_mlp_sigmoid") }
    func testSigmoidMLPWithProvenSoftmax() throws { try checkZooModel("digits_mlp_sigmoid", proveOutputTransform: true) }
    func testGELUMLPErfForm() throws { try checkZooModel("digits_mlp_gelu") }
    func testGELUMLPTanhForm() throws { try checkZooModel("digits_mlp_gelu_tanh") }
    // The attention models' random features give low-margin predictions: at --scale-bits 8 the quantized argmax agrees
    // with the float model on 349/360 (attention) and 345/360 (transformer) test images; at 12, 359 and 360.
    func testSelfAttentionClassifier() throws { try checkZooModel("digits_attention", scaleBits: 12) }
    func testTransformerEncoderBlock() throws { try checkZooModel("digits_transformer", scaleBits: 12) }

    func testEveryZooModelIsTested() throws {
        let dirs = try FileManager.default.contentsOfDirectory(atPath: Self.zoo.path).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(Set(dirs), Set(Self.names + TreeEnsembleTests.zooNames))
    }
}
