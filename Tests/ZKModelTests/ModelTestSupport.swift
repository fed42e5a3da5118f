import Foundation
import XCTest
import ZKAlgebra
import ZKConstraints
import ZKGroth16
import ZKModel
import ZKClaim

/// Repository paths, found from this file's location (the fixtures are plain files, not SwiftPM resources).
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let circuits = root.appendingPathComponent("Circuits")
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func sample(_ model: String, _ file: String) -> URL {
        circuits.appendingPathComponent(model).appendingPathComponent(file)
    }
    static func data(_ url: URL) throws -> Data { try Data(contentsOf: url) }
}

/// The five sample models of Circuits/.
let sampleModels = ["iris_logreg", "digits_mlp", "digits_cnn", "mnist_mlp_784_56_10", "mnist_cnn_lenet"]

/// `expected.json` of a sample model (onnxruntime's outputs and predictions).
struct ExpectedFile: Decodable {
    var float_accuracy: Double
    var test_count: Int
    var labels: [Int]
    var float_predictions: [Int]
    var float_outputs: [[Double]]
    var input_shape: [Int]
    var output_shape: [Int]
}

/// `ops/<name>.json`: five inputs and onnxruntime's outputs.
struct OpFixture: Decodable {
    var inputs: [[Double]]
    var outputs: [[Double]]
    var input_shape: [Int]
    var output_shape: [Int]
    var output_dtype: String
}

/// A sample model compiled once per test process (compilation is deterministic, so sharing it
/// between test classes only saves time).
struct CompiledSample {
    var name: String
    var onnx: Data
    var compiled: CompiledModel
    var graph: FloatGraph
    var calibration: [[Double]]
}

enum SampleCache {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var compiled: [String: CompiledSample] = [:]

    /// Compiles `Circuits/<name>/model.onnx` with its calibration.json and the default 8 scale bits.
    static func get(_ name: String) throws -> CompiledSample {
        lock.lock()
        defer { lock.unlock() }
        if let c = compiled[name] { return c }
        let onnx = try Repo.data(Repo.sample(name, "model.onnx"))
        let graph = try ONNXImporter.load(onnx)
        let rows = try InputFile.parse(try Repo.data(Repo.sample(name, "calibration.json")))
        let calibration = try InputFile.samples(rows, size: graph.size(graph.input))
        let (c, g) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 8, calibration: calibration))
        let s = CompiledSample(name: name, onnx: onnx, compiled: c, graph: g, calibration: calibration)
        compiled[name] = s
        return s
    }
}

/// The digits MLP proven on its `input.json` sample, with everything a claim test needs.
struct ProvenDigitsClaim {
    var sample: CompiledSample
    var input: [Double]
    var circuit: ModelCircuit
    var provingKey: ProvingKey
    var claim: Claim
    var key: VerificationKey { provingKey.verificationKey }
}

/// A fresh setup and proof each call (tests that tamper with keys or proofs get their own).
func provenDigitsClaim() throws -> ProvenDigitsClaim {
    let s = try SampleCache.get("digits_mlp")
    let x = try loadInputs("digits_mlp", "input.json")[0]
    let circuit = try s.compiled.circuit(for: x)
    let pk = try Groth16.setup(circuit.system)
    let claim = try ClaimVerifier.makeClaim(name: "digits_mlp", compiled: s.compiled, circuit: circuit, input: x,
                                            proof: try Groth16.prove(pk, witness: circuit.witness), verificationKey: pk.verificationKey)
    return ProvenDigitsClaim(sample: s, input: x, circuit: circuit, provingKey: pk, claim: claim)
}

func loadInputs(_ model: String, _ file: String) throws -> [[Double]] {
    try InputFile.parse(try Repo.data(Repo.sample(model, file)))
}

func loadExpected(_ model: String) throws -> ExpectedFile {
    try JSONDecoder().decode(ExpectedFile.self, from: try Repo.data(Repo.sample(model, "expected.json")))
}

/// Index of the first maximum.
func argmax<T: Comparable>(_ v: [T]) -> Int {
    var best = 0
    for k in v.indices where v[k] > v[best] { best = k }
    return best
}

/// Asserts that `body` throws a `ModelError` (any case) and returns it; fails on success or
/// on any other error type.
@discardableResult
func assertModelError<T>(_ body: @autoclosure () throws -> T, _ message: @autoclosure () -> String = "",
                         file: StaticString = #filePath, line: UInt = #line) -> ModelError? {
    do {
        _ = try body()
        XCTFail("expected a ModelError, but it succeeded \(message())", file: file, line: line)
        return nil
    } catch let e as ModelError {
        return e
    } catch {
        XCTFail("expected a ModelError, got \(type(of: error)): \(error) \(message())", file: file, line: line)
        return nil
    }
}

/// Asserts that `witness` violates some constraint of `system` (an `UnsatisfiedConstraint`, not a
/// malformed-witness error) and returns the violation.
@discardableResult
func assertUnsatisfied(_ system: ConstraintSystem, _ witness: [Fr], _ message: @autoclosure () -> String = "",
                       file: StaticString = #filePath, line: UInt = #line) -> UnsatisfiedConstraint? {
    do {
        try system.check(witness)
        XCTFail("forged witness satisfies the system \(message())", file: file, line: line)
        return nil
    } catch let e as UnsatisfiedConstraint {
        return e
    } catch {
        XCTFail("expected UnsatisfiedConstraint, got \(error) \(message())", file: file, line: line)
        return nil
    }
}

/// Seeded, reproducible (SplitMix64, from ZKAlgebra).
typealias TestRNG = SplitMix64

/// Wall-clock seconds of `body`, printed with a label (the suite's timing report).
@discardableResult
func timed<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
    let clock = ContinuousClock()
    let start = clock.now
    let r = try body()
    let d = clock.now - start
    let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    print("[timing] \(label): \(String(format: "%.3f", s)) s")
    return r
}

/// The float graph of every micro model `dir/<name>.onnx` against onnxruntime's outputs in `dir/<name>.json`.
func assertFloatGraphsMatchOnnxRuntime(_ dir: URL, _ names: [String], file: StaticString = #filePath, line: UInt = #line) throws {
    for name in names {
        let onnx = try Data(contentsOf: dir.appendingPathComponent(name + ".onnx"))
        let f = try JSONDecoder().decode(OpFixture.self, from: try Data(contentsOf: dir.appendingPathComponent(name + ".json")))
        let g = try ONNXImporter.load(onnx)
        XCTAssertEqual(g.inputShape, f.input_shape, name, file: file, line: line)
        for (k, x) in f.inputs.enumerated() {
            let y = try FloatInterpreter.run(g, input: x)
            XCTAssertEqual(y.count, f.outputs[k].count, "\(name) sample \(k)", file: file, line: line)
            for (a, b) in zip(y, f.outputs[k]) {
                XCTAssertEqual(a, b, accuracy: 1e-4 + 1e-4 * abs(b), "\(name) sample \(k): float graph vs onnxruntime", file: file, line: line)
            }
        }
    }
}
