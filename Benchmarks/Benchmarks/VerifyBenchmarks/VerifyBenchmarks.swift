import Benchmark
import Foundation
import ZKClaim
import ZKGroth16
import ZKModel

/// Batch verification (issue 17): 1,000 digits-MLP claims (75 public signals each, JSON bytes as `prove` writes them)
/// verified in process — one at a time (each claim's checks and its own pairing check, spread over the threads) against
/// the combined check (`ClaimVerifier.verifyBatch`), both with every claim-level check. Throughput = 1000 / time.
let benchmarks: @Sendable () -> Void = {
    let claims = ClaimsBox()
    for threads in [1, 2] {
        for combine in [false, true] {
            Benchmark("digits MLP: verify 1000 claims \(combine ? "batched" : "one at a time"), \(threads) thread\(threads == 1 ? "" : "s") (ms)",
                      configuration: .init(metrics: [.wallClock], timeUnits: .milliseconds, maxDuration: .seconds(10), maxIterations: 10)) { benchmark in
                let (inputs, key) = try claims.get()
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    let report = try ClaimVerifier.verifyBatch(inputs, keys: [key], threads: threads, combine: combine)
                    precondition(report.allValid)
                    blackHole(report)
                }
            }
        }
    }
}

/// Compiles the digits MLP, runs setup and proves 1,000 claims (on the 50 test inputs), once.
final class ClaimsBox: @unchecked Sendable {
    private var cached: ([BatchClaimInput], VerificationKey)?
    func get() throws -> ([BatchClaimInput], VerificationKey) {
        if let cached { return cached }
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Circuits/digits_mlp")
        let onnx = try Data(contentsOf: dir.appendingPathComponent("model.onnx"))
        let size = try ONNXImporter.load(onnx).size(0)
        let calibration = try InputFile.samples(InputFile.parse(Data(contentsOf: dir.appendingPathComponent("calibration.json"))), size: size)
        let inputs = try InputFile.parse(Data(contentsOf: dir.appendingPathComponent("test_inputs.json")))
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(calibration: calibration))
        let pk = try Groth16.setup(try compiled.circuit(for: inputs[0]).system)
        var out: [BatchClaimInput] = []
        for i in 0..<1000 {
            let x = inputs[i % inputs.count]
            let circuit = try compiled.circuit(for: x)
            let claim = try ClaimVerifier.makeClaim(name: "digits_mlp", compiled: compiled, circuit: circuit, input: x,
                                                    proof: try Groth16.prove(pk, witness: circuit.witness), verificationKey: pk.verificationKey)
            out.append(BatchClaimInput(name: "\(i)", json: try ClaimVerifier.encode(claim)))
        }
        cached = (out, pk.verificationKey)
        return cached!
    }
}
