import Benchmark
import Foundation
import ZKGroth16
import ZKModel

/// Classical models (issue 15): the 16-tree, depth-6 random forest on 64 features of Circuits/zoo (the performance
/// target's model) — import + quantization + constraint build, the witness of one input, and the Groth16 proof of it
/// (2 threads). Whole-process figures (`zkinfer prove`) are in the closing note; `zkinfer bench --suite models`
/// covers every zoo model.
let benchmarks: @Sendable () -> Void = {
    let zoo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Circuits/zoo")
    for name in ["digits_random_forest", "wine_gradient_boosting"] {
        let dir = zoo.appendingPathComponent(name)
        // calibration.json holds the samples flattened into one row (EZKL's shape); InputFile.samples splits them.
        guard let onnx = try? Data(contentsOf: dir.appendingPathComponent("model.onnx")),
              let size = try? ONNXImporter.load(onnx).size(0),
              let calibration = try? InputFile.samples(InputFile.parse(Data(contentsOf: dir.appendingPathComponent("calibration.json"))), size: size),
              let input = try? InputFile.parse(Data(contentsOf: dir.appendingPathComponent("input.json")))[0] else { continue }
        let box = ModelBox(onnx: onnx, calibration: calibration)
        Benchmark("\(name): import, quantize, build constraints (ms)",
                  configuration: .init(metrics: [.wallClock], timeUnits: .milliseconds, maxDuration: .seconds(5))) { benchmark in
            for _ in benchmark.scaledIterations {
                let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(calibration: calibration))
                blackHole(try compiled.constraintSystem())
            }
        }
        Benchmark("\(name): witness (ms)", configuration: .init(metrics: [.wallClock], timeUnits: .milliseconds, maxDuration: .seconds(5))) { benchmark in
            let compiled = try box.compiled()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try compiled.circuit(for: input)) }
        }
        Benchmark("\(name): prove, 2 threads (ms)",
                  configuration: .init(metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds, maxDuration: .seconds(10))) { benchmark in
            let compiled = try box.compiled()
            let pk = try box.key()
            let circuit = try compiled.circuit(for: input)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try Groth16.prove(pk, witness: circuit.witness, threads: 2)) }
        }
    }
}

/// Compiles the model and runs setup once, on first use.
final class ModelBox: @unchecked Sendable {
    let onnx: Data, calibration: [[Double]]
    private var model: CompiledModel?, pk: ProvingKey?
    init(onnx: Data, calibration: [[Double]]) { self.onnx = onnx; self.calibration = calibration }
    func compiled() throws -> CompiledModel {
        if let model { return model }
        let (c, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(calibration: calibration))
        model = c
        return c
    }
    func key() throws -> ProvingKey {
        if let pk { return pk }
        let k = try Groth16.setup(try compiled().constraintSystem().system)
        pk = k
        return k
    }
}
