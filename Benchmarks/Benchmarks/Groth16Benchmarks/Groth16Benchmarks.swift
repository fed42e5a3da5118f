import Benchmark
import ZKAlgebra
import Foundation
import ZKConstraints
import ZKFormats
import ZKGroth16

/// Groth16 prove and verify on the square chain `x_{i+1} = x_i² + x_0` (full-width witness values),
/// 2^k − 3 constraints for k = 12 … 20 (with 2 public inputs the snarkjs public-input rows then fill
/// the domain of 2^k exactly; 2^k constraints would need a domain of 2^(k+1)), 1 and 2 threads. Setup runs outside the measurement.
/// Peak memory is reported by the malloc metrics; key and proof sizes are printed once per size.
/// Loading (2 threads, files written once to a temporary directory, warm page cache): the `proving.key`,
/// the same key as a snarkjs `.zkey` read whole, the `.zkey` opened as `groth16 prove --zkey` opens it (points left in
/// the file), and open + prove (each point section read just before its MSM) — the prover's whole work apart from the
/// witness check — beside whole-key load + prove.
let benchmarks: @Sendable () -> Void = {
    let sizes = [12, 14, 16, 18, 20]
    for logN in sizes {
        let (system, witness) = SyntheticCircuits.squareChain(count: (1 << logN) - 3, publicCount: 2)
        // Keys are built lazily inside the first benchmark that needs them (setup is slow at 2^20).
        let keyBox = KeyBox(system: system)
        for threads in [1, 2] {
            Benchmark("Groth16 prove 2^\(logN), \(threads) thread\(threads == 1 ? "" : "s")",
                      configuration: .init(metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds,
                                           maxDuration: .seconds(20), maxIterations: logN >= 18 ? 3 : 10)) { benchmark in
                let pk = keyBox.key
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations { blackHole(try Groth16.prove(pk, witness: witness, threads: threads)) }
            }
        }
        let loadConfig = Benchmark.Configuration(metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds,
                                                 maxDuration: .seconds(20), maxIterations: logN >= 18 ? 3 : 10)
        Benchmark("Groth16 load proving.key 2^\(logN), 2 threads", configuration: loadConfig) { benchmark in
            let url = keyBox.files.provingKey
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try ProvingKeyFile.read(from: url, threads: 2)) }
        }
        Benchmark("Groth16 load .zkey 2^\(logN), 2 threads", configuration: loadConfig) { benchmark in
            let path = keyBox.files.zkey.path
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try ProvingKey(zkeyFile: path, threads: 2))
            }
        }
        Benchmark("Groth16 open .zkey 2^\(logN), 2 threads", configuration: loadConfig) { benchmark in
            let path = keyBox.files.zkey.path
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try ZKeyProvingFile(path: path, threads: 2)) }  // as `groth16 prove --zkey`
        }
        Benchmark("Groth16 open .zkey + prove 2^\(logN), 2 threads", configuration: loadConfig) { benchmark in
            let path = keyBox.files.zkey.path
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try Groth16.prove(try ZKeyProvingFile(path: path, threads: 2), witness: witness, threads: 2))
            }
        }
        Benchmark("Groth16 load .zkey + prove 2^\(logN), 2 threads", configuration: loadConfig) { benchmark in
            let path = keyBox.files.zkey.path
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let pk = try ProvingKey(zkeyFile: path, threads: 2)
                blackHole(try Groth16.prove(consume pk, witness: witness, threads: 2))
            }
        }
        Benchmark("Groth16 verify 2^\(logN) (2 public inputs)",
                  configuration: .init(metrics: [.wallClock], timeUnits: .microseconds, maxDuration: .seconds(3))) { benchmark in
            let pk = keyBox.key
            let pvk = PreparedVerificationKey(pk.verificationKey)
            let proof = try Groth16.prove(pk, witness: witness)
            let publics = Array(witness[1...2])
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try Groth16.verify(pvk, proof: proof, publicInputs: publics)) }
        }
    }
}

/// Builds the proving key once, on first use.
final class KeyBox: @unchecked Sendable {
    let system: ConstraintSystem
    private var cached: ProvingKey?
    init(system: ConstraintSystem) { self.system = system }
    private var written: (provingKey: URL, zkey: URL)?
    /// The key written once as `proving.key` and as a snarkjs `.zkey` in a temporary directory.
    var files: (provingKey: URL, zkey: URL) {
        if let written { return written }
        let pk = key
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-groth16-bench-\(pk.domainSize)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files = (directory.appendingPathComponent("proving.key"), directory.appendingPathComponent("circuit.zkey"))
        try! ProvingKeyFile.write(pk, to: files.0)
        try! Data(pk.zkey.serialized()).write(to: files.1)
        written = files
        return files
    }
    var key: ProvingKey {
        if let cached { return cached }
        let pk = try! Groth16.setup(system)
        print("\(system.constraintCount) constraints: proving key \(ProvingKeyFile.serialize(pk).count) bytes, constraint system \(system.estimatedBytes) bytes")
        cached = pk
        return pk
    }
}
