import ArgumentParser
import Foundation
import ZKAlgebra
import ZKGroth16
import ZKModel
import ZKClaim

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "End-to-end showcase: prove a digits classifier's output (compile, setup, prove, verify), then Groth16 on a square chain.",
        discussion: """
            Part 1 (when --model exists, as in a checkout): compiles the ONNX model with its calibration samples, runs the \
            Groth16 setup, proves the model's output on --input, verifies the claim and checks that a claim with a changed \
            output is rejected. Part 2: a pairing check and Groth16 on x_{i+1} = x_i² + x_0.
            """)

    @Option(name: .long, help: "log2 of the number of constraints in the square-chain circuit (1...20).")
    var logConstraints = 12
    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?
    @Option(name: .long, help: "ONNX model for part 1.")
    var model = "Circuits/digits_mlp/model.onnx"
    @Option(name: .long, help: "Calibration samples for part 1 (default: calibration.json beside the model).")
    var calibrate: String?
    @Option(name: .long, help: "Input for part 1 (default: input.json beside the model).")
    var input: String?

    func validate() throws {
        guard (1...20).contains(logConstraints) else { throw ValidationError("--log-constraints must be in 1...20") }
    }

    func run() throws {
        var ok = true
        if FileManager.default.fileExists(atPath: model) {
            ok = try modelDemo() && ok
        } else {
            print("(part 1 skipped: \(model) not found; run from a checkout or pass --model)")
        }
        ok = try squareChainDemo() && ok
        if !ok { throw CLIError("demo failed", exitCode: 1) }
    }

    func modelDemo() throws -> Bool {
        let dir = (model as NSString).deletingLastPathComponent
        let calibrationPath = calibrate ?? path(dir, "calibration.json"), inputPath = input ?? path(dir, "input.json")
        let clock = ContinuousClock()
        let onnx = try readFile(model)
        var start = clock.now
        let graph = try modelStep(model) { try ONNXImporter.load(onnx) }
        let calibration = try modelStep(calibrationPath) { try InputFile.samples(try loadInputs(calibrationPath), size: graph.size(graph.input)) }
        let q = try modelStep(model) {
            try Quantizer.quantize(graph, options: QuantizationOptions(calibration: calibration), onnxDigest: blake2bHex([UInt8](onnx)))
        }
        let compiled = try modelStep(model) { try CompiledModel(model: q) }
        let sample = try loadInputs(inputPath)[0]
        let circuit = try modelStep(inputPath) { try compiled.circuit(for: sample) }
        let compileTime = clock.now - start
        start = clock.now
        let pk = try Groth16.setup(circuit.system, threads: threads)
        let setupTime = clock.now - start
        let (proof, timings) = try Groth16.proveWithTimings(pk, witness: circuit.witness, threads: threads)
        let claim = try modelStep(inputPath) {
            try ClaimVerifier.makeClaim(name: modelName(model), compiled: compiled, circuit: circuit, input: sample, proof: proof, verificationKey: pk.verificationKey)
        }
        start = clock.now
        let verdict = try ClaimVerifier.verify(claim, key: pk.verificationKey)
        let verifyTime = clock.now - start
        var forged = claim
        let winner = forged.output.argmax, runnerUp = forged.output.quantized.indices.filter { $0 != winner }.max { forged.output.quantized[$0] < forged.output.quantized[$1] } ?? 0
        forged.output.quantized.swapAt(winner, runnerUp)
        forged.output.values.swapAt(winner, runnerUp)
        forged.output.argmax = runnerUp
        let n = 1 + compiled.model.inputTensor.count
        for (k, v) in forged.output.quantized.enumerated() { forged.publicSignals[n + k] = Fr(signed: Int64(v)).description }
        let forgedRejected = try !ClaimVerifier.verify(forged, key: pk.verificationKey).valid
        let probabilities = claim.output.transformed ?? claim.output.values
        print("""
            Model \(modelName(model)) (\(model)): input \(compiled.model.inputTensor.shape) → output \(compiled.model.outputTensor.shape)
              compile \(String(format: "%8.3f", seconds(compileTime))) s   \(circuit.system.constraintCount) constraints, \(circuit.system.wireCount) wires, \(circuit.system.publicCount) public signals
              setup   \(String(format: "%8.3f", seconds(setupTime))) s   proving key \(ProvingKeyFile.serialize(pk).count) bytes
              prove   \(String(format: "%8.3f", seconds(timings.total))) s   proof 256 bytes (128 compressed)
              verify  \(String(format: "%8.3f", seconds(verifyTime) * 1000)) ms  claim: \(verdict.valid ? "valid" : "INVALID \(verdict.problems)")
              predicted class \(claim.output.argmax) (p = \(String(format: "%.3f", probabilities[claim.output.argmax]))); a claim naming class \(runnerUp) instead: \(forgedRejected ? "rejected" : "ACCEPTED")
            """)
        return verdict.valid && forgedRejected
    }

    func squareChainDemo() throws -> Bool {
        let clock = ContinuousClock()
        // 1. Bilinearity on BN254: e(a·P, b·Q) = e(ab·P, Q).
        let a = Fr.random(), b = Fr.random()
        var start = clock.now
        let ok = Pairing.check([((G1.generator * a).affine, (G2.generator * b).affine),
                                (-(G1.generator * (a * b)).affine, BN254G2.generator)])
        let pairingTime = clock.now - start
        print("pairing check e(aP, bQ)·e(−abP, Q) = 1: \(ok ? "holds" : "FAILS") (\(String(format: "%.2f", seconds(pairingTime) * 1000)) ms for 2 pairs)")

        // 2. Groth16 on x_{i+1} = x_i² + x_0.
        let m = 1 << logConstraints
        let (system, witness) = SyntheticCircuits.squareChain(count: m, x0: Fr(7), publicCount: 2)
        try system.check(witness)
        start = clock.now
        let pk = try Groth16.setup(system, threads: threads)
        let setupTime = clock.now - start
        let (proof, timings) = try Groth16.proveWithTimings(pk, witness: witness, threads: threads)
        let publics = Array(witness[1...2])
        start = clock.now
        let valid = try Groth16.verify(pk.verificationKey, proof: proof, publicInputs: publics)
        let verifyTime = clock.now - start
        var bad = publics; bad[0] += Fr.one
        let rejects = try !Groth16.verify(pk.verificationKey, proof: proof, publicInputs: bad)
        let proofBytes = proof.a.ethereumBytes.count + proof.b.ethereumBytes.count + proof.c.ethereumBytes.count
        let compressed = proof.a.compressedBytes.count + proof.b.compressedBytes.count + proof.c.compressedBytes.count
        print("Groth16 square chain: \(system.constraintCount) constraints, \(system.wireCount) wires, 2 public inputs")
        print("  setup   \(String(format: "%8.3f", seconds(setupTime))) s   proving key \(ProvingKeyFile.serialize(pk).count) bytes")
        print("  prove   \(String(format: "%8.3f", seconds(timings.total))) s   (\(timings))")
        print("  verify  \(String(format: "%8.3f", seconds(verifyTime) * 1000)) ms  proof \(proofBytes) bytes (\(compressed) compressed)")
        print("  verdict: \(valid ? "valid" : "INVALID"); with a tampered public input: \(rejects ? "rejected" : "ACCEPTED")")
        return ok && valid && rejects
    }
}
