import ArgumentParser
import Foundation
import ZKAlgebra
import ZKConstraints
import ZKFormats
import ZKGroth16

struct Groth16Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groth16",
        abstract: "Groth16 setup and proving for circom circuits (.r1cs/.wtns), with our keys or snarkjs .zkey files.",
        subcommands: [Setup.self, Prove.self])

    struct Options: ParsableArguments {
        @Option(name: .long, help: "Worker threads (default: all cores).")
        var threads: Int?
        @Flag(name: .long, help: "Machine-readable JSON on stdout.")
        var json = false
        @Flag(name: .long, help: "No progress output on stderr.")
        var quiet = false

        func validate() throws {
            if let t = threads, t < 1 || t > 1024 { throw ValidationError("--threads must be between 1 and 1024") }
        }
    }

    static func loadR1CS(_ path: String) throws -> ConstraintSystem {
        let bytes = try readFileBytesOrExplain(path)
        return try withFile(path, "invalid .r1cs") { try ConstraintSystem(r1csBytes: bytes) }
    }

    /// A zkinfer `proving.key` or a snarkjs `.zkey` for proving (point sections decoded on `threads` threads). The
    /// `.zkey`'s B2 points are not subgroup-checked (nothing depends on it; `Groth16.prove` checks the proof's B);
    /// it is read one section at a time.
    static func loadProvingKey(_ path: String, zkey: Bool, threads: Int?) throws -> ProvingKey {
        if !zkey {
            return try withFile(path, "invalid proving key") { try ProvingKeyFile.read(from: URL(fileURLWithPath: path), threads: threads) }
        }
        guard FileManager.default.isReadableFile(atPath: path) else { throw CLIError("\(path): cannot read file") }
        return try withFile(path, "invalid .zkey") {
            try ProvingKey(zkeyFile: path, threads: threads)
        }
    }

    static func loadWitness(_ path: String) throws -> [Fr] {
        let data = try readFile(path)
        return try withFile(path, "invalid .wtns") { try WitnessFile(data: data).values }
    }

    struct Setup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "setup",
            abstract: "Circuit-specific trusted setup (single party, libsodium randomness, toxic waste zeroed in memory).",
            discussion: "Writes DIR/proving.key (zkinfer binary format) and DIR/verification_key.json (snarkjs format).")

        @Argument(help: "The circuit, as a circom .r1cs file.")
        var circuit: String
        @Option(name: .shortAndLong, help: "Output directory.")
        var output: String
        @OptionGroup var options: Options

        func run() throws {
            let progress = ProgressReporter(quiet: options.quiet)
            let system = try Groth16Command.loadR1CS(circuit)
            let clock = ContinuousClock()
            let start = clock.now
            let pk = try withFile(circuit, "setup failed") { try Groth16.setup(system, threads: options.threads, progress: progress.callback) }
            let elapsed = clock.now - start
            progress.finish()
            try makeDirectory(output)
            let pkPath = (output as NSString).appendingPathComponent("proving.key")
            let vkPath = (output as NSString).appendingPathComponent("verification_key.json")
            let pkBytes = ProvingKeyFile.serialize(pk)
            try writeFile(Data(pkBytes), pkPath)
            try writeFile(try pk.verificationKey.snarkjs.jsonData(), vkPath)
            if options.json {
                printJSON(["constraints": system.constraintCount, "wires": system.wireCount, "publicInputs": system.publicCount,
                           "domainSize": pk.domainSize, "setupSeconds": seconds(elapsed), "provingKey": pkPath,
                           "provingKeyBytes": pkBytes.count, "verificationKey": vkPath])
            } else {
                print("setup: \(system.constraintCount) constraints, \(system.wireCount) wires, \(system.publicCount) public; domain \(pk.domainSize)")
                print("wrote \(pkPath) (\(pkBytes.count) bytes) and \(vkPath) in \(String(format: "%.2f", seconds(elapsed))) s")
            }
        }
    }

    struct Prove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prove",
            abstract: "Prove a circom witness with a zkinfer proving key or a snarkjs .zkey.",
            discussion: "Writes DIR/proof.json and DIR/public.json (snarkjs format). The witness is checked against the circuit first.")

        @Option(name: .long, help: "The circuit (.r1cs).")
        var r1cs: String
        @Option(name: .long, help: "The witness (.wtns).")
        var wtns: String
        @Option(name: .long, help: "A zkinfer proving key (DIR/proving.key).")
        var pk: String?
        @Option(name: .long, help: "A snarkjs Groth16 .zkey instead of --pk.")
        var zkey: String?
        @Option(name: .shortAndLong, help: "Output directory.")
        var output: String
        @OptionGroup var options: Options

        func validate() throws {
            if (pk == nil) == (zkey == nil) { throw ValidationError("give exactly one of --pk and --zkey") }
        }

        func run() throws {
            let progress = ProgressReporter(quiet: options.quiet)
            let keyPath = pk ?? zkey!
            // The key is read on another thread while the circuit and witness are parsed and checked here (the
            // parses are serial; the key's points decode on all threads). Errors are reported in the serial order:
            // circuit, witness, check, then key.
            let keyResult = ResultBox<ProvingKey>()
            let (isZKey, threads) = (zkey != nil, options.threads)
            let loading = DispatchGroup()
            DispatchQueue.global().async(group: loading) {
                keyResult.set(Result { try Groth16Command.loadProvingKey(keyPath, zkey: isZKey, threads: threads) })
            }
            defer { loading.wait() }
            // The circuit is needed only to check the witness and the key's shape (and, for --pk, its matrices):
            // it is released before proving, and the key is handed to the prover, which releases each of its
            // arrays when done with it.
            let witness: [Fr]
            let (constraintCount, publicCount): (Int, Int)
            var key: ProvingKey
            do {
                let system = try Groth16Command.loadR1CS(r1cs)
                witness = try Groth16Command.loadWitness(wtns)
                do { try system.check(witness, threads: options.threads) } catch {
                    throw CLIError("\(wtns): witness does not satisfy \(r1cs): \(describe(error))")
                }
                loading.wait()
                key = try keyResult.take()
                guard key.wireCount == system.wireCount, key.publicCount == system.publicCount else {
                    throw CLIError("\(keyPath): key is for a circuit with \(key.wireCount) wires and \(key.publicCount) public signals; \(r1cs) has \(system.wireCount) and \(system.publicCount)")
                }
                if pk != nil {
                    guard QAP.matches(system, a: key.matrixA, b: key.matrixB) else { throw CLIError("\(keyPath): proving key was made for a different circuit than \(r1cs)") }
                }
                (constraintCount, publicCount) = (system.constraintCount, system.publicCount)
            }
            let (proof, timings): (Proof, ProverTimings)
            do {
                (proof, timings) = try Groth16.proveWithTimings(consume key, witness: witness, threads: options.threads, progress: progress.callback)
            } catch {
                throw CLIError("\(keyPath): proving failed: \(describe(error))")
            }
            progress.finish()
            let publics = Array(witness[1..<(1 + publicCount)])
            try makeDirectory(output)
            let proofPath = (output as NSString).appendingPathComponent("proof.json")
            let publicPath = (output as NSString).appendingPathComponent("public.json")
            try writeFile(try proof.snarkjs.jsonData(), proofPath)
            try writeFile(try SnarkjsPublicSignals(values: publics).jsonData(), publicPath)
            if options.json {
                printJSON(["proof": proofPath, "public": publicPath, "constraints": constraintCount,
                           "proveSeconds": seconds(timings.total),
                           "phases": ["rows": seconds(timings.rows), "ntt": seconds(timings.ntt), "msmA": seconds(timings.msmA),
                                      "msmB1": seconds(timings.msmB1), "msmB2": seconds(timings.msmB2), "msmC": seconds(timings.msmC),
                                      "msmH": seconds(timings.msmH)]])
            } else {
                print("proved \(constraintCount) constraints in \(String(format: "%.3f", seconds(timings.total))) s (\(timings))")
                print("wrote \(proofPath) and \(publicPath)")
            }
        }
    }
}

/// A result filled in by one thread and read by another after a `DispatchGroup.wait()` (which orders the two).
final class ResultBox<T>: @unchecked Sendable {
    private var result: Result<T, Error>?
    private let lock = NSLock()
    func set(_ r: Result<T, Error>) { lock.lock(); result = r; lock.unlock() }
    func get() throws -> T {
        lock.lock(); defer { lock.unlock() }
        return try result!.get()
    }
    /// The result, leaving the box empty (so the box holds no second reference to it).
    func take() throws -> T {
        lock.lock(); defer { lock.unlock() }
        let r = result!
        result = nil
        return try r.get()
    }
}
