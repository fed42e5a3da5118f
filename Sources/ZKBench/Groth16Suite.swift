import Foundation
import ZKAlgebra
import ZKConstraints
import ZKFormats
import ZKGroth16

extension Bench {
    /// The `groth16` suite: for each k in `groth16Logs`, the square chain `x_{i+1} = x_i² + x_0`
    /// with 2^k − 3 constraints and 2 public inputs (so the QAP domain is exactly 2^k):
    ///
    /// * `setup` — one run (s); `prove` — `warmup` untimed then `repetitions` timed runs (s), with
    ///   the prover's phases (`prove.rows`, `prove.ntt`, `prove.msmA`, `prove.msmB1`, `prove.msmB2`,
    ///   `prove.msmC`, `prove.msmH`: medians over the same runs); `verify` — prepared verification
    ///   key, a calibrated loop (ms);
    /// * `constraints`, `wires`, `domainSize` (count); `provingKeyBytes` (the `proving.key` file),
    ///   `verificationKeyBytes` (snarkjs `verification_key.json`), `proofBytes` (256, uncompressed
    ///   Ethereum encoding), `proofBytesCompressed` (128);
    /// * `peakMemoryBytes` — VmHWM after setup and proving, with the peak reset just before this
    ///   size's circuit is built (see ``ProcessMemory``); `rssDeltaBytes` — that peak minus the
    ///   RSS at the reset. Where the reset is refused, the peak is the process peak so far (the
    ///   suite's `peakMemory` parameter says which);
    /// * loading, from files written to a temporary directory (warm page cache, as a prover sees them):
    ///   `load.provingKey` — read and check the `proving.key`; `load.zkey` — the same key as a snarkjs
    ///   `.zkey` (`ProvingKey.zkey`), read a section at a time as `groth16 prove --zkey` does (B2 not
    ///   subgroup-checked); `prove.zkey` — that load plus a proof, the prover's whole work on a `.zkey`
    ///   (s, `repetitions` runs each); `zkeyBytes`.
    public static func runGroth16(_ config: BenchConfiguration, progress: BenchProgress? = nil) throws -> [BenchRow] {
        var rows: [BenchRow] = []
        for log in config.groth16Logs {
            let label = "groth16 2^\(log)"
            ProcessMemory.resetPeak()
            let rssBefore = ProcessMemory.residentBytes
            progress?("\(label): building the circuit")
            let (system, witness) = SyntheticCircuits.squareChain(count: (1 << log) - 3, x0: Fr(7), publicCount: 2)
            let size = system.constraintCount
            func row(_ metric: String, _ value: Double, _ unit: String) {
                rows.append(BenchRow(suite: "groth16", name: "square chain", size: size, metric: metric, value: value, unit: unit))
            }
            func timing(_ metric: String, _ m: BenchMeasurement, _ unit: String) {
                rows.append(BenchRow(suite: "groth16", name: "square chain", size: size, metric: metric, m, unit: unit))
            }

            progress?("\(label): setup")
            var key: ProvingKey?
            let setup = try BenchMeasurement.time(warmup: 0, repetitions: 1) {
                key = try Groth16.setup(system, threads: config.threads)
            }
            let pk = key!

            var runs: [(proof: Proof, timings: ProverTimings)] = []
            for i in 0..<(config.warmup + config.repetitions) {
                progress?("\(label): prove \(i < config.warmup ? "(warm-up)" : "\(i - config.warmup + 1)/\(config.repetitions)")")
                let run = try Groth16.proveWithTimings(pk, witness: witness, threads: config.threads)
                if i >= config.warmup { runs.append(run) }
            }
            let peak = ProcessMemory.peakResidentBytes

            progress?("\(label): verify")
            let proof = runs[runs.count - 1].proof
            let publics = Array(witness[1...2])
            let pvk = PreparedVerificationKey(pk.verificationKey)
            guard try Groth16.verify(pvk, proof: proof, publicInputs: publics) else {
                throw BenchError.invalidConfiguration("\(label): the proof does not verify")
            }
            let verify = BenchMeasurement.loop(minimumSampleSeconds: config.minimumSampleSeconds, repetitions: config.repetitions) { n in
                for _ in 0..<n { blackHole(try? Groth16.verify(pvk, proof: proof, publicInputs: publics)) }
            }

            progress?("\(label): loading the key files")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let pkURL = directory.appendingPathComponent("proving.key"), zkeyURL = directory.appendingPathComponent("circuit.zkey")
            try ProvingKeyFile.write(pk, to: pkURL)
            let zkeyFile = pk.zkey.serialized()
            try Data(zkeyFile).write(to: zkeyURL)
            let loadProvingKey = try BenchMeasurement.time(warmup: 0, repetitions: config.repetitions) {
                blackHole(try ProvingKeyFile.read(from: pkURL, threads: config.threads))
            }
            // The whole key with every point section decoded, and the key as `groth16 prove --zkey` opens it (header,
            // verification key and coefficients; the points are read by the prover, each before its MSM).
            let loadZKeyTime = try BenchMeasurement.time(warmup: 0, repetitions: config.repetitions) {
                blackHole(try ProvingKey(zkeyFile: zkeyURL.path, threads: config.threads))
            }
            func openZKey() throws -> ZKeyProvingFile { try ZKeyProvingFile(path: zkeyURL.path, threads: config.threads) }
            let openZKeyTime = try BenchMeasurement.time(warmup: 0, repetitions: config.repetitions) { blackHole(try openZKey()) }
            var zkeyProof: Proof?
            let proveZKey = try BenchMeasurement.time(warmup: 0, repetitions: config.repetitions) {
                zkeyProof = try Groth16.prove(try openZKey(), witness: witness, threads: config.threads)
            }
            guard let zkeyProof, try Groth16.verify(pvk, proof: zkeyProof, publicInputs: publics) else {
                throw BenchError.invalidConfiguration("\(label): the proof from the .zkey does not verify")
            }

            progress?("\(label): key sizes")
            let pkBytes = ProvingKeyFile.serialize(pk).count
            let vkBytes = try pk.verificationKey.snarkjs.jsonData().count
            let proofBytes = proof.a.ethereumBytes.count + proof.b.ethereumBytes.count + proof.c.ethereumBytes.count
            let compressedBytes = proof.a.compressedBytes.count + proof.b.compressedBytes.count + proof.c.compressedBytes.count

            row("constraints", Double(size), "count")
            row("wires", Double(system.wireCount), "count")
            row("domainSize", Double(pk.domainSize), "count")
            timing("setup", setup, "s")
            func phase(_ metric: String, _ get: (ProverTimings) -> Duration) {
                timing(metric, BenchMeasurement(samples: runs.map { seconds(get($0.timings)) }), "s")
            }
            phase("prove", \.total)
            phase("prove.rows", \.rows)
            phase("prove.ntt", \.ntt)
            phase("prove.msmA", \.msmA)
            phase("prove.msmB1", \.msmB1)
            phase("prove.msmB2", \.msmB2)
            phase("prove.msmC", \.msmC)
            phase("prove.msmH", \.msmH)
            timing("verify", verify, "ms")
            row("provingKeyBytes", Double(pkBytes), "bytes")
            row("verificationKeyBytes", Double(vkBytes), "bytes")
            row("proofBytes", Double(proofBytes), "bytes")
            row("proofBytesCompressed", Double(compressedBytes), "bytes")
            timing("load.provingKey", loadProvingKey, "s")
            timing("load.zkey", loadZKeyTime, "s")
            timing("load.zkeyOpen", openZKeyTime, "s")
            timing("prove.zkey", proveZKey, "s")
            row("zkeyBytes", Double(zkeyFile.count), "bytes")
            row("peakMemoryBytes", Double(peak), "bytes")
            row("rssDeltaBytes", Double(Swift.max(0, peak - rssBefore)), "bytes")
        }
        return rows
    }
}
