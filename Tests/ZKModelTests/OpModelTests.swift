import Foundation
import XCTest
import ZKAlgebra
import ZKConstraints
import ZKModel
import ZKClaim

/// The op-coverage micro models of Circuits/ops: the float graph against onnxruntime, then a
/// 12-bit compile calibrated on the five inputs, with the circuit against the float output (within
/// the quantization error), against the integer interpreter (exactly) and its witness checked.
final class OpModelTests: XCTestCase {
    static let opsDir = Repo.circuits.appendingPathComponent("ops")

    /// Every `ops/*.onnx` with its json.
    func opModels() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.opsDir.path)
            .filter { $0.hasSuffix(".onnx") }.map { String($0.dropLast(5)) }.sorted()
        XCTAssertEqual(names.count, 10, "Circuits/ops holds the 10 micro models of Circuits/README.md")
        return names
    }

    func fixture(_ name: String) throws -> (Data, OpFixture) {
        let onnx = try Data(contentsOf: Self.opsDir.appendingPathComponent(name + ".onnx"))
        let f = try JSONDecoder().decode(OpFixture.self, from: try Data(contentsOf: Self.opsDir.appendingPathComponent(name + ".json")))
        return (onnx, f)
    }

    func testFloatGraphMatchesOnnxRuntime() throws {
        for name in try opModels() {
            let (onnx, f) = try fixture(name)
            let g = try ONNXImporter.load(onnx)
            XCTAssertEqual(g.inputShape, f.input_shape, name)
            XCTAssertEqual(f.inputs.count, 5, name)
            for (k, x) in f.inputs.enumerated() {
                let y = FloatInterpreter.applyTransform(g.outputTransform, try FloatInterpreter.run(g, input: x))
                XCTAssertEqual(y.count, f.outputs[k].count, "\(name) sample \(k)")
                for (a, b) in zip(y, f.outputs[k]) {
                    XCTAssertEqual(a, b, accuracy: 1e-4 + 1e-4 * abs(b), "\(name) sample \(k): float graph vs onnxruntime")
                }
            }
        }
    }

    func testQuantizedCircuitMatchesFloatAndInterpreter() throws {
        for name in try opModels() {
            let (onnx, f) = try fixture(name)
            let graph = try ONNXImporter.load(onnx)
            let calibration = try InputFile.samples([f.inputs.flatMap { $0 }], size: graph.size(graph.input))
            XCTAssertEqual(calibration, f.inputs, name)
            let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 12, calibration: calibration))
            let m = compiled.model
            XCTAssertTrue(m.calibrated, name)
            XCTAssertEqual(m.outputTransform, graph.outputTransform, name)
            for (k, x) in f.inputs.enumerated() {
                let float = try FloatInterpreter.run(graph, input: x)
                let q = try m.quantizeInput(x)
                let reference = try IntegerInterpreter.run(m, input: q)
                let c = try compiled.circuit(for: x)
                XCTAssertEqual(c.output, reference, "\(name) sample \(k): circuit vs integer interpreter")
                XCTAssertNoThrow(try c.system.check(c.witness), "\(name) sample \(k): witness")
                if name == "argmax_output" {
                    XCTAssertEqual(c.output, f.outputs[k].map { Int($0) }, "\(name) sample \(k): argmax index")
                    XCTAssertEqual(m.outputTensor.scale, 0)
                    continue
                }
                let deq = m.dequantize(c.output, tensor: m.output)
                let maxAbs = float.map(abs).max() ?? 0
                let tolerance = 0.02 * maxAbs + 1e-3
                for (i, (a, b)) in zip(deq, float).enumerated() {
                    XCTAssertEqual(a, b, accuracy: tolerance, "\(name) sample \(k) [\(i)]: dequantized circuit output vs float (max |y| \(maxAbs))")
                }
                // After the output transform too (sigmoid_output): the transform is monotone and
                // 1-Lipschitz-ish, so the same tolerance holds.
                if m.outputTransform != .none {
                    let t = FloatInterpreter.applyTransform(m.outputTransform, deq)
                    for (a, b) in zip(t, f.outputs[k]) { XCTAssertEqual(a, b, accuracy: tolerance, "\(name) sample \(k): transformed") }
                }
            }
        }
    }

    /// `matmul_add_clip`'s sample 0 saturates at the Clip bound: the quantized output hits 6 exactly.
    func testClipSaturatesExactly() throws {
        let (onnx, f) = try fixture("matmul_add_clip")
        let graph = try ONNXImporter.load(onnx)
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 12, calibration: f.inputs))
        let m = compiled.model
        let c = try compiled.circuit(for: f.inputs[0])
        let deq = m.dequantize(c.output, tensor: m.output)
        XCTAssertTrue(f.outputs[0].contains(6), "fixture: sample 0 hits the upper bound")
        for (a, b) in zip(deq, f.outputs[0]) where b == 6 || b == 0 {
            XCTAssertEqual(a, b, "clamped values are exact")
        }
        XCTAssertEqual(try FloatInterpreter.run(graph, input: f.inputs[0]).max(), 6)
    }
}
