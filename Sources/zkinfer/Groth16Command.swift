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

    /// Parses the `.r1cs` at `path` as it is read, keeping nothing (for its errors alone).
    static func validateR1CS(_ path: String) throws {
        do { _ = try R1CSFile(contentsOfFile: path, header: { _ in }) { _, _, _ in } } catch { throw r1csError(path, error) }
    }

    /// Checks `witness` (read from `wtns`) against the `.r1cs` at `path` while reading it, keeping no constraint.
    static func checkR1CS(_ path: String, witness: [Fr], _ wtns: String, chunkBytes: Int = 1 << 22) throws -> R1CSFile.Counts {
        do { return try ConstraintSystem.check(witness, r1csFile: path, chunkBytes: chunkBytes) } catch let error where error is WitnessError || error is UnsatisfiedConstraint {
            throw CLIError("\(wtns): witness does not satisfy \(path): \(describe(error))")
        } catch { throw r1csError(path, error) }
    }

    /// The messages of ``loadR1CS(_:)`` for a `.r1cs` that cannot be read or is malformed.
    private static func r1csError(_ path: String, _ error: Error) -> CLIError {
        error is CocoaError ? CLIError("\(path): cannot read file (\(describe(error)))") : CLIError("\(path): invalid .r1cs: \(describe(error))")
    }

    static func loadR1CS(_ path: String) throws -> ConstraintSystem {
        let bytes = try readFileBytesOrExplain(path)
        return try withFile(path, "invalid .r1cs") { try ConstraintSystem(r1csBytes: bytes) }
    }

    /// A key for `groth16 prove`: a zkinfer `proving.key` read whole (points decoded on `threads` threads), or a snarkjs
    /// `.zkey` opened with its point sections left in the file until the prover reads each one (their B2 points are not
    /// subgroup-checked: nothing depends on it, and `Groth16.prove` checks the proof's B).
    enum ProverKey {
        case provingKey(ProvingKey)
        case zkey(ZKeyProvingFile)

        var wireCount: Int {
            switch self { case let .provingKey(k): k.wireCount; case let .zkey(k): k.wireCount }
        }
        var publicCount: Int {
            switch self { case let .provingKey(k): k.publicCount; case let .zkey(k): k.publicCount }
        }
    }

    static func loadProvingKey(_ path: String, zkey: Bool, threads: Int?) throws -> ProverKey {
        if !zkey {
            return .provingKey(try withFile(path, "invalid proving key") { try ProvingKeyFile.read(from: URL(fileURLWithPath: path), threads: threads) })
        }
        guard FileManager.default.isReadableFile(atPath: path) else { throw CLIError("\(path): cannot read file") }
        return .zkey(try withFile(path, "invalid .zkey") { try ZKeyProvingFile(path: path, threads: threads) })
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
            discussion: "Writes DIR/proof.json and DIR/public.json (snarkjs format). The witness is checked against the circuit (with --zkey while the .r1cs is read, never holding it, on a thread of its own beside the proof, which stops when the check fails); nothing is written unless it passes, and its errors come first. A .zkey's point sections are read from the open file one at a time, just before the MSM that uses each; a point that fails its checks then stops the proof (exit 2, no output).")

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
            let keyResult = ResultBox<ProverKey>()
            let (isZKey, threads) = (zkey != nil, options.threads)
            let loading = DispatchGroup()
            DispatchQueue.global().async(group: loading) {
                keyResult.set(Result { try Groth16Command.loadProvingKey(keyPath, zkey: isZKey, threads: threads) })
            }
            defer { loading.wait() }
            let witness: [Fr]
            let (constraintCount, publicCount): (Int, Int)
            let (proof, timings): (Proof, ProverTimings)
            if isZKey {
                do { witness = try Groth16Command.loadWitness(wtns) } catch {
                    try Groth16Command.validateR1CS(r1cs)  // the circuit's own errors first, as with --pk
                    throw error
                }
                let counts: R1CSFile.Counts
                (proof, timings, counts) = try proveWithZKey(keyPath, witness: witness, keyResult: keyResult, loading: loading,
                                                             progress: progress)
                (constraintCount, publicCount) = (counts.nConstraints, counts.nPublic)
            } else {
                // The circuit is needed to check the witness and the key's matrices; it lives only in this scope, so it
                // is released before proving. The key is handed to the prover, which releases each of its arrays when
                // done with it.
                let key: ProvingKey
                do {
                    let system = try Groth16Command.loadR1CS(r1cs)
                    witness = try Groth16Command.loadWitness(wtns)
                    do { try system.check(witness, threads: options.threads) } catch {
                        throw CLIError("\(wtns): witness does not satisfy \(r1cs): \(describe(error))")
                    }
                    (constraintCount, publicCount) = (system.constraintCount, system.publicCount)
                    loading.wait()
                    guard case let .provingKey(loaded) = try keyResult.take() else { throw CLIError("\(keyPath): not a proving key") }
                    try Groth16Command.checkKeyShape(loaded.wireCount, loaded.publicCount, keyPath, system.wireCount, publicCount, r1cs)
                    guard QAP.matches(system, a: loaded.matrixA, b: loaded.matrixB) else {
                        throw CLIError("\(keyPath): proving key was made for a different circuit than \(r1cs)")
                    }
                    key = loaded
                }
                do {
                    (proof, timings) = try Groth16.proveWithTimings(consume key, witness: witness, threads: options.threads,
                                                                    progress: progress.callback)
                } catch { throw CLIError("\(keyPath): proving failed: \(describe(error))") }
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
                                      "msmH": seconds(timings.msmH), "pointReads": seconds(timings.pointReads)]])
            } else {
                print("proved \(constraintCount) constraints in \(String(format: "%.3f", seconds(timings.total))) s (\(timings))")
                print("wrote \(proofPath) and \(publicPath)")
            }
        }
    }
}

extension Groth16Command.Prove {
    /// `groth16 prove --zkey`: the witness is checked against the `.r1cs` on a thread of its own, beside the proof
    /// (the streaming check is serial and needs the file's whole section, the prover its own threads; run one after the
    /// other, one core would idle through the check). Nothing is written until the check has passed, and a failed check
    /// stops the prover at its next phase; its errors come before the key's and the prover's, in the order of the serial
    /// flow: circuit, witness, check, key, proving.
    func proveWithZKey(_ keyPath: String, witness: [Fr], keyResult: ResultBox<Groth16Command.ProverKey>, loading: DispatchGroup,
                       progress: ProgressReporter) throws -> (Proof, ProverTimings, R1CSFile.Counts) {
        let (r1cs, wtns) = (self.r1cs, self.wtns)
        let checkResult = ResultBox<R1CSFile.Counts>()
        let checking = DispatchGroup()
        DispatchQueue.global().async(group: checking) {
            // 1 MiB at a time: the check may still run when the prover's first MSM reaches its peak memory.
            checkResult.set(Result { try Groth16Command.checkR1CS(r1cs, witness: witness, wtns, chunkBytes: 1 << 20) })
        }
        defer { checking.wait() }
        /// The circuit's counts once its check has passed, or the check's error.
        func checked() throws -> R1CSFile.Counts {
            checking.wait()
            return try checkResult.get()
        }
        loading.wait()
        let file: ZKeyProvingFile
        do {
            // Taken out of the box and the enum, so that the prover holds the only reference (it frees the matrices
            // after the rows).
            switch try keyResult.take() {
            case let .zkey(f): file = f
            case .provingKey: throw CLIError("\(keyPath): not a .zkey")
            }
        } catch {
            _ = try checked()
            throw error
        }
        let (keyWires, keyPublic) = (file.wireCount, file.publicCount)
        // A witness that does not fit the key stops the prover (witnessLength) before any work.
        let proving: Result<(Proof, ProverTimings), Error>
        do {
            // A failed check stops the prover at its next phase (the check's error is reported below).
            proving = .success(try Groth16.proveWithTimings(consume file, witness: witness, threads: options.threads,
                                                            progress: progress.callback, stop: { checkResult.hasFailed }))
        } catch { proving = .failure(error) }
        let counts = try checked()
        try Groth16Command.checkKeyShape(keyWires, keyPublic, keyPath, counts.nWires, counts.nPublic, r1cs)
        do {
            let (proof, timings) = try proving.get()
            return (proof, timings, counts)
        } catch let error as FormatError {
            // A point section of the .zkey, read while proving, failed its checks.
            throw CLIError("\(keyPath): invalid .zkey: \(describe(error))")
        } catch {
            throw CLIError("\(keyPath): proving failed: \(describe(error))")
        }
    }
}

extension Groth16Command {
    /// The key must be for a circuit with the `.r1cs`'s wire and public-signal counts.
    static func checkKeyShape(_ keyWires: Int, _ keyPublic: Int, _ keyPath: String, _ wires: Int, _ publics: Int, _ r1cs: String) throws {
        guard keyWires == wires, keyPublic == publics else {
            throw CLIError("\(keyPath): key is for a circuit with \(keyWires) wires and \(keyPublic) public signals; \(r1cs) has \(wires) and \(publics)")
        }
    }
}

/// A result filled in by one thread and read by another after a `DispatchGroup.wait()` (which orders the two).
final class ResultBox<T>: @unchecked Sendable {
    private var result: Result<T, Error>?
    private let lock = NSLock()
    func set(_ r: Result<T, Error>) { lock.lock(); result = r; lock.unlock() }
    /// Whether the result is in and is an error.
    var hasFailed: Bool {
        lock.lock(); defer { lock.unlock() }
        if case .failure = result { return true }
        return false
    }
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
