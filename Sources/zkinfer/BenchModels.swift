import Foundation
import ZKAlgebra
import ZKBench
import ZKGroth16
import ZKModel
import ZKClaim

/// Where the sample models live: `$ZKINFER_CIRCUITS`, else `Circuits/` under the working directory.
func circuitsDirectory() -> String {
    ProcessInfo.processInfo.environment["ZKINFER_CIRCUITS"] ?? "Circuits"
}

/// The `models` suite of `zkinfer bench`: for every sample model in `Circuits/` and every zoo model in `Circuits/zoo/`
/// (a folder with model.onnx, calibration.json, input.json, test_split.json and expected.json), compile with its
/// calibration (public weights; the scale bits expected.json's `scale_bits` names, else the default), set up, prove and
/// verify (the full claim check, with the key's pairing work prepared once as a validator does; medians over the
/// repetitions), and measure accuracy on the full test split with the integer reference
/// interpreter (the circuit's exact semantics) against the float labels and predictions.
func runModelSuite(_ options: BenchModelOptions, progress: @escaping BenchProgress) throws -> [ModelBenchResult] {
    let root = circuitsDirectory()
    let fm = FileManager.default
    guard let entries = try? fm.contentsOfDirectory(atPath: root) else {
        progress("models suite: no \(root)/ directory (run from a checkout or set ZKINFER_CIRCUITS); skipped")
        return []
    }
    var results: [ModelBenchResult] = []
    let zoo = ((try? fm.contentsOfDirectory(atPath: path(root, "zoo"))) ?? []).sorted().map { "zoo/" + $0 }
    for name in entries.sorted() + zoo {
        let dir = path(root, name)
        let needed = ["model.onnx", "calibration.json", "input.json", "test_split.json", "expected.json"]
        guard needed.allSatisfy({ fm.fileExists(atPath: path(dir, $0)) }) else { continue }
        progress("models: \(name)")
        ProcessMemory.resetPeak()
        let onnx = try readFile(path(dir, "model.onnx"))
        let clock = ContinuousClock()
        var start = clock.now
        let graph = try modelStep(path(dir, "model.onnx")) { try ONNXImporter.load(onnx) }
        let calibration = try modelStep(path(dir, "calibration.json")) {
            try InputFile.samples(try loadInputs(path(dir, "calibration.json")), size: graph.size(graph.input))
        }
        let expectedData = try readFile(path(dir, "expected.json"))
        let scaleBits = ((try? JSONSerialization.jsonObject(with: expectedData)) as? [String: Any])?["scale_bits"] as? Int ?? 8
        let q = try modelStep(name) {
            try Quantizer.quantize(graph, options: QuantizationOptions(scaleBits: scaleBits, calibration: calibration), onnxDigest: blake2bHex([UInt8](onnx)))
        }
        let compiled = try modelStep(name) { try CompiledModel(model: q) }
        let structure = try modelStep(name) { try compiled.constraintSystem() }
        let compileSeconds = seconds(clock.now - start)

        start = clock.now
        let pk = try Groth16.setup(structure.system, threads: options.threads)
        let setupSeconds = seconds(clock.now - start)

        let sample = try loadInputs(path(dir, "input.json"))[0]
        var circuit = structure
        var proof: Proof?
        let prove = try BenchMeasurement.time(warmup: options.warmup, repetitions: options.repetitions) {
            circuit = try compiled.circuit(for: sample)
            proof = try Groth16.prove(pk, witness: circuit.witness, threads: options.threads)
        }
        let claim = try ClaimVerifier.makeClaim(name: name, compiled: compiled, circuit: circuit, input: sample, proof: proof!,
                                                verificationKey: pk.verificationKey)
        var valid = false
        // A verifier that checks many claims under one key prepares its pairing work once.
        let prepared = PreparedVerificationKey(pk.verificationKey)
        let verify = try BenchMeasurement.time(warmup: options.warmup, repetitions: max(options.repetitions, 5)) {
            valid = try ClaimVerifier.verify(claim, preparedKey: prepared).valid
        }
        guard valid else { throw CLIError("models suite: the claim for \(name) does not verify", exitCode: 1) }
        let peak = ProcessMemory.peakResidentBytes

        // Accuracy on the full test split (integer interpreter = the circuit's semantics).
        let split = try loadInputs(path(dir, "test_split.json"))
        guard let expected = try JSONSerialization.jsonObject(with: expectedData) as? [String: Any] else {
            throw CLIError("\(path(dir, "expected.json")): not a JSON object")
        }
        var correct = 0, agree = 0, floatCorrect = 0
        if expected["task"] as? String == "regression" {
            // Regressors: "correct" = within 1 % of the target's range of the true value, "agree" = within 1 % of onnxruntime's.
            guard let targets = expected["targets"] as? [Double], let floats = expected["float_values"] as? [Double],
                  targets.count == split.count, floats.count == split.count, !split.isEmpty else {
                throw CLIError("\(path(dir, "expected.json")): expected targets and float_values for every test sample")
            }
            let tolerance = 0.01 * ((targets.max() ?? 0) - (targets.min() ?? 0))
            for (k, x) in split.enumerated() {
                let out = try modelStep(name) { try IntegerInterpreter.run(q, input: q.quantizeInput(x)) }
                let v = q.dequantize(out, tensor: q.output)[0]
                if abs(v - targets[k]) <= tolerance { correct += 1 }
                if abs(v - floats[k]) <= tolerance { agree += 1 }
                if abs(floats[k] - targets[k]) <= tolerance { floatCorrect += 1 }
            }
        }
        let labels = expected["labels"] as? [Int] ?? [], floatPredictions = expected["float_predictions"] as? [Int] ?? []
        guard expected["task"] as? String == "regression" || (labels.count == split.count && floatPredictions.count == split.count && !split.isEmpty) else {
            throw CLIError("\(path(dir, "expected.json")): expected labels and float_predictions for every test sample")
        }
        for (k, x) in split.enumerated() where !labels.isEmpty {
            let all = try modelStep(name) { try IntegerInterpreter.runAll(q, input: q.quantizeInput(x)) }
            let out = all[q.output]
            var best = firstArgmax(out)
            if let l = q.label { best = all[l.tensor][0] }  // a classifier's proven label
            else if q.outputTensor.count == 1 && out.count == 1 { best = out[0] }  // ArgMax output
            if best == labels[k] { correct += 1 }
            if best == floatPredictions[k] { agree += 1 }
            if floatPredictions[k] == labels[k] { floatCorrect += 1 }
        }
        let total = Double(structure.system.constraintCount)
        let layers = structure.layers.map {
            LayerBenchResult(name: $0.layer, op: $0.onnxOp.isEmpty ? $0.ops.joined(separator: ",") : $0.onnxOp, constraints: $0.constraints,
                             share: Double($0.constraints) / total)
        } + [LayerBenchResult(name: "(statement + outputs)", op: "binding", constraints: structure.bindingConstraints,
                              share: Double(structure.bindingConstraints) / total)]
        results.append(ModelBenchResult(
            name: name, constraints: structure.system.constraintCount, layers: layers, compileSeconds: compileSeconds,
            setupSeconds: setupSeconds, proveSeconds: prove.median, verifySeconds: verify.median,
            accuracyFloat: Double(floatCorrect) / Double(split.count), accuracyQuantized: Double(correct) / Double(split.count),
            agreement: Double(agree) / Double(split.count), provingKeyBytes: ProvingKeyFile.serialize(pk).count,
            verificationKeyBytes: try pk.verificationKey.snarkjs.jsonData().count, proofBytes: 256, peakMemoryBytes: peak))
        progress(String(format: "models: %@: %d constraints, prove %.3f s, verify %.2f ms, agreement %.1f%%", name,
                        structure.system.constraintCount, prove.median, verify.median * 1000, 100 * Double(agree) / Double(split.count)))
    }
    return results
}
