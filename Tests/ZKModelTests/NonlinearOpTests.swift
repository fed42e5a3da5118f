// Issue 14: nonlinear layers (Circuits/nonlinear_ops, from generate_nonlinear_ops.py): the float graph against
// onnxruntime, the circuit against the integer interpreter bit for bit, the dequantized output against the float model.

import Foundation
import XCTest
import ZKAlgebra
import ZKConstraints
import ZKModel
import ZKClaim

final class NonlinearOpTests: XCTestCase {
    static let dir = Repo.circuits.appendingPathComponent("nonlinear_ops")
    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".onnx") }.map { String($0.dropLast(5)) }.sorted()
    }

    func fixture(_ name: String) throws -> (Data, OpFixture) {
        let onnx = try Data(contentsOf: Self.dir.appendingPathComponent(name + ".onnx"))
        let f = try JSONDecoder().decode(OpFixture.self, from: try Data(contentsOf: Self.dir.appendingPathComponent(name + ".json")))
        return (onnx, f)
    }

    func testEveryOpIsCovered() throws {
        XCTAssertEqual(Self.names.count, 29)
    }

    func testFloatGraphMatchesOnnxRuntime() throws {
        try assertFloatGraphsMatchOnnxRuntime(Self.dir, Self.names)
    }

    func testCircuitMatchesInterpreterAndFloat() throws {
        for name in Self.names {
            let (onnx, f) = try fixture(name)
            let graph = try ONNXImporter.load(onnx)
            let compiled: CompiledModel
            do { compiled = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 8, calibration: f.inputs)).0 } catch {
                XCTFail("\(name): \(error)"); continue
            }
            let m = compiled.model
            var worst = 0.0
            for (k, x) in f.inputs.enumerated() {
                let float = try FloatInterpreter.run(graph, input: x)
                let reference = try IntegerInterpreter.run(m, input: try m.quantizeInput(x))
                let c = try compiled.circuit(for: x)
                XCTAssertEqual(c.output, reference, "\(name) sample \(k): circuit vs integer interpreter")
                XCTAssertNoThrow(try c.system.check(c.witness), "\(name) sample \(k)")
                let deq = m.dequantize(c.output, tensor: m.output)
                let scale = (float.map(abs).max() ?? 0)
                for (a, b) in zip(deq, float) { worst = max(worst, abs(a - b) / max(scale, 1)) }
            }
            XCTAssertLessThan(worst, 0.05, "\(name): dequantized circuit vs float (relative to the largest output)")
            print("nonlinear_ops \(name): constraints \(try compiled.constraintSystem().system.constraintCount), worst relative error \(worst)")
            XCTAssertEqual(try circuitDigest(try compiled.constraintSystem().system), try circuitDigest(try compiled.circuit(for: f.inputs[0]).system), name)
        }
    }
}
