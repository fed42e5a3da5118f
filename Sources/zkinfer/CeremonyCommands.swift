import ArgumentParser
import Foundation
import ZKAlgebra
@_spi(Testing) import ZKCeremony
import ZKFormats
import ZKGroth16
import ZKSodium

// `zkinfer ptau …` (phase 1) and `zkinfer ceremony …` (phase 2): a snarkjs-compatible multi-party
// Groth16 setup. Exit codes: 0 success, 1 a failed ceremony check, 2 malformed input or usage.

/// Runs a ceremony step, turning its errors into CLI messages: a failed check exits 1, anything else 2.
func ceremonyStep<T>(_ file: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as CLIError { throw e } catch let e as CeremonyError {
        if case .verificationFailed(let m) = e { throw CLIError("\(file): INVALID: \(m)", exitCode: 1) }
        throw CLIError("\(file): \(e.description)")
    } catch {
        throw CLIError("\(file): \(describe(error))")
    }
}

func loadPtau(_ path: String) throws -> PowersOfTau {
    let data = try readFile(path)
    return try ceremonyStep(path) { try PowersOfTau(bytes: [UInt8](data)) }
}

func loadPhaseTwoKey(_ path: String) throws -> PhaseTwoKey {
    let data = try readFile(path)
    return try ceremonyStep(path) { try PhaseTwoKey(bytes: [UInt8](data)) }
}

func loadR1CSFile(_ path: String) throws -> R1CSFile {
    let data = try readFile(path)
    return try withFile(path, "invalid .r1cs") { try R1CSFile(data: data) }
}

/// A beacon value given as hex (1–255 bytes).
func parseBeacon(_ s: String) throws -> [UInt8] {
    guard let b = bytes(fromHex: s), !b.isEmpty, b.count < 256 else {
        throw CLIError("beacon hash must be an even number of hex digits (1 to 255 bytes), got \"\(s)\"")
    }
    return b
}

/// Shared options of the contribution commands.
struct ContributionOptions: ParsableArguments {
    @Option(name: .long, help: "The contributor's name, recorded in the file (at most 64 characters).")
    var name: String?
    @Option(name: .long, help: "Extra entropy text, hashed together with 64 bytes from libsodium (never needed; never stored).")
    var entropy: String?
    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let name, name.count > 64 || name.utf8.count > 255 { throw ValidationError("--name is at most 64 characters") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }
}

// MARK: ptau

struct PtauCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ptau",
        abstract: "Phase 1 (powers of tau), the same files and checks as snarkjs `powersoftau`.",
        discussion: """
            A whole small ceremony without other tools: `ptau new 12 -o pot12_0000.ptau`, each participant \
            `ptau contribute IN OUT --name NAME`, a public random beacon `ptau beacon IN OUT HASH 10`, then \
            `ptau prepare IN OUT` (Lagrange sections for phase 2) and `ptau verify FILE`. Files from public ceremonies \
            (e.g. the Hermez powersOfTau28_hez_final_NN.ptau) are read as they are.
            """,
        subcommands: [PtauNew.self, PtauContribute.self, PtauBeacon.self, PtauPrepare.self, PtauVerify.self])
}

struct PtauNew: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "new", abstract: "A blank powers-of-tau file for 2^POWER constraints (snarkjs `powersoftau new bn128`).")
    @Argument(help: "The power (1 to 27).") var power: Int
    @Option(name: .shortAndLong, help: "Output .ptau.") var output: String
    @Flag(name: .customLong("insecure-prepared-for-benchmarks"), help: ArgumentHelp(
        "Tests and benchmarks only: write a prepared file from secrets drawn here and discarded, with no contribution (`ptau verify` rejects it).",
        visibility: .hidden))
    var insecurePrepared = false

    func run() throws {
        if insecurePrepared {
            func secret() -> Fr { var x = Fr.random(); while x.isZero { x = Fr.random() }; return x }
            var (t, a, b) = (secret(), secret(), secret())
            let bytes = try ceremonyStep(output) { try PhaseOne.knownSecretsPreparedFile(power: power, tau: t, alpha: a, beta: b) }
            Sodium.zeroize(&t); Sodium.zeroize(&a); Sodium.zeroize(&b)
            try writeFile(Data(bytes), output)
            FileHandle.standardError.write(Data("zkinfer: WARNING: \(output) is an insecure prepared file for tests and benchmarks (no contribution; never use it for real keys)\n".utf8))
            print("wrote \(output) (\(bytes.count) bytes, power \(power), prepared, no contribution)")
            return
        }
        let bytes = try ceremonyStep(output) { try PhaseOne.newFile(power: power) }
        try writeFile(Data(bytes), output)
        print(formatSnarkjsHash(PhaseOne.firstChallengeHash(power: power), title: "First Contribution Hash:"))
        print("wrote \(output) (\(bytes.count) bytes, power \(power))")
    }
}

struct PtauContribute: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contribute", abstract: "Add a contribution (fresh τ, α, β from libsodium; zeroed after use).")
    @Argument(help: "The current .ptau.") var input: String
    @Argument(help: "The new .ptau.") var output: String
    @OptionGroup var options: ContributionOptions

    func run() throws {
        let file = try loadPtau(input)
        let r = try ceremonyStep(input) {
            try PhaseOne.contribute(file, name: options.name, entropy: Array((options.entropy ?? "").utf8), threads: options.threads ?? ceremonyDefaultThreads())
        }
        try writeFile(Data(r.bytes), output)
        print(formatSnarkjsHash(r.responseHash, title: "Contribution Response Hash imported: "))
        print(formatSnarkjsHash(r.nextChallenge, title: "Next Challenge Hash: "))
        print("wrote \(output)")
    }
}

struct PtauBeacon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "beacon", abstract: "Add a contribution derived from a public random beacon (deterministic; anyone can check it).")
    @Argument(help: "The current .ptau.") var input: String
    @Argument(help: "The new .ptau.") var output: String
    @Argument(help: "The beacon value, hex (e.g. a future block hash).") var hash: String
    @Argument(help: "log2 of the number of SHA-256 iterations (10 to 63).") var iterationsExp: Int
    @Option(name: .long, help: "A name for the beacon.") var name: String?
    @Option(name: .long, help: "Worker threads (default: all cores).") var threads: Int?

    func run() throws {
        let beacon = try parseBeacon(hash)
        let file = try loadPtau(input)
        let r = try ceremonyStep(input) {
            try PhaseOne.beacon(file, name: name, beaconHash: beacon, iterationsExp: iterationsExp, threads: threads ?? ceremonyDefaultThreads())
        }
        try writeFile(Data(r.bytes), output)
        print(formatSnarkjsHash(r.responseHash, title: "Contribution Response Hash imported: "))
        print(formatSnarkjsHash(r.nextChallenge, title: "Next Challenge Hash: "))
        print("wrote \(output)")
    }
}

struct PtauPrepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare", abstract: "Add the Lagrange sections phase 2 needs (snarkjs `powersoftau prepare phase2`; deterministic).")
    @Argument(help: "The final .ptau.") var input: String
    @Argument(help: "The prepared .ptau.") var output: String
    @Option(name: .long, help: "Worker threads (default: all cores).") var threads: Int?

    func run() throws {
        let file = try loadPtau(input)
        let bytes = try ceremonyStep(input) { try PhaseOne.prepare(file, threads: threads ?? ceremonyDefaultThreads()) }
        try writeFile(Data(bytes), output)
        print("wrote \(output) (\(bytes.count) bytes, Lagrange bases for domains 2^0 … 2^\(file.power))")
    }
}

struct PtauVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check a powers-of-tau file: every contribution, the powers, the hashes and the Lagrange sections.",
        discussion: "Exit 0 when the file is sound, 1 when a check fails (the message names it), 2 when it cannot be read.")
    @Argument(help: "The .ptau.") var file: String
    @Option(name: .long, help: "Worker threads (default: all cores).") var threads: Int?
    @Flag(name: .long, help: "Machine-readable JSON on stdout.") var json = false

    func run() throws {
        let ptau = try loadPtau(file)
        let report = try ceremonyStep(file) { try PhaseOne.verify(ptau, threads: threads ?? ceremonyDefaultThreads()) }
        if json {
            printJSON(["valid": true, "power": report.power, "ceremonyPower": report.ceremonyPower, "prepared": report.prepared,
                       "nextChallenge": hexString(report.nextChallenge),
                       "contributions": report.contributions.map { c -> [String: Any] in
                           var o: [String: Any] = ["index": c.index, "name": c.name ?? "", "nextChallenge": hexString(c.nextChallenge),
                                                   "responseHash": hexString(c.responseHash)]
                           if let b = c.beaconHash { o["beaconHash"] = b; o["iterationsExp"] = c.iterationsExp ?? 0 }
                           return o
                       }])
        } else {
            print(PhaseOne.describe(report))
        }
    }
}

// MARK: ceremony (phase 2)

struct CeremonyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ceremony",
        abstract: "Phase 2 (per circuit), the same .zkey files and checks as snarkjs `zkey`.",
        discussion: """
            `ceremony new CIRCUIT.r1cs FILE.ptau -o 0000.zkey`, then each participant `ceremony contribute IN OUT \
            --name NAME`, optionally a final `ceremony beacon IN OUT HASH 10`; anyone checks the result with `ceremony \
            verify CIRCUIT.r1cs FILE.ptau FINAL.zkey` (or `--from 0000.zkey` without the .ptau) and exports the \
            verification key with `ceremony export-vk`. The key is sound if one contributor kept its secret. For a model, \
            `zkinfer setup DIR --ptau` / `--zkey` wrap new and verify.
            """,
        subcommands: [CeremonyNew.self, CeremonyContribute.self, CeremonyBeacon.self, CeremonyVerify.self, CeremonyExportVK.self])
}

struct CeremonyNew: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "new", abstract: "The initial key of a circuit (snarkjs `zkey new`, byte for byte).")
    @Argument(help: "The circuit (.r1cs).") var circuit: String
    @Argument(help: "A prepared .ptau.") var ptau: String
    @Option(name: .shortAndLong, help: "Output .zkey.") var output: String
    @Option(name: .long, help: "Worker threads (default: all cores).") var threads: Int?

    func run() throws {
        let r1cs = try loadR1CSFile(circuit)
        let file = try loadPtau(ptau)
        let bytes = try ceremonyStep(circuit) { try PhaseTwo.newKey(r1cs: r1cs, ptau: file, threads: threads ?? ceremonyDefaultThreads()) }
        let key = try ceremonyStep(output) { try PhaseTwoKey(bytes: bytes) }
        try writeFile(Data(bytes), output)
        print(formatSnarkjsHash(key.circuitHash, title: "Circuit hash: "))
        print("wrote \(output) (\(bytes.count) bytes; domain \(key.domainSize), \(key.nVars) signals, \(key.nPublic) public)")
    }
}

struct CeremonyContribute: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contribute", abstract: "Add a contribution to a .zkey (fresh δ′ from libsodium; zeroed after use).")
    @Argument(help: "The current .zkey.") var input: String
    @Argument(help: "The new .zkey.") var output: String
    @OptionGroup var options: ContributionOptions

    func run() throws {
        let key = try loadPhaseTwoKey(input)
        let r = try ceremonyStep(input) {
            try PhaseTwo.contribute(key, name: options.name, entropy: Array((options.entropy ?? "").utf8), threads: options.threads ?? ceremonyDefaultThreads())
        }
        try writeFile(Data(r.bytes), output)
        print(formatSnarkjsHash(r.circuitHash, title: "Circuit Hash: "))
        print(formatSnarkjsHash(r.contributionHash, title: "Contribution Hash: "))
        print("wrote \(output) (contribution #\(key.contributions.count + 1)); keep the contribution hash to check later that your contribution is in the final key")
    }
}

struct CeremonyBeacon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "beacon", abstract: "Add a contribution derived from a public random beacon (deterministic).")
    @Argument(help: "The current .zkey.") var input: String
    @Argument(help: "The new .zkey.") var output: String
    @Argument(help: "The beacon value, hex.") var hash: String
    @Argument(help: "log2 of the number of SHA-256 iterations (10 to 63).") var iterationsExp: Int
    @Option(name: .long, help: "A name for the beacon.") var name: String?
    @Option(name: .long, help: "Worker threads (default: all cores).") var threads: Int?

    func run() throws {
        let beacon = try parseBeacon(hash)
        let key = try loadPhaseTwoKey(input)
        let r = try ceremonyStep(input) {
            try PhaseTwo.beacon(key, name: name, beaconHash: beacon, iterationsExp: iterationsExp, threads: threads ?? ceremonyDefaultThreads())
        }
        try writeFile(Data(r.bytes), output)
        print(formatSnarkjsHash(r.circuitHash, title: "Circuit Hash: "))
        print(formatSnarkjsHash(r.contributionHash, title: "Contribution Hash: "))
        print("wrote \(output)")
    }
}

struct CeremonyVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a phase-2 chain: CIRCUIT.r1cs FILE.ptau FINAL.zkey (snarkjs `zkey verify`), or --from 0000.zkey FINAL.zkey.",
        discussion: """
            Rebuilds the initial key from the circuit and the .ptau (or takes --from), then checks each contribution's \
            proof of knowledge and transcript, δ, that sections 3–7 are unchanged and that L and H were scaled by δ⁻¹ \
            (random linear combinations). Prints each contribution's hash in snarkjs's format. Exit 0 if the chain is \
            sound, 1 if a check fails (the message names it), 2 for unreadable input.
            """)
    @Argument(help: "CIRCUIT.r1cs FILE.ptau FINAL.zkey, or FINAL.zkey with --from.") var files: [String]
    @Option(name: .long, help: "The initial key (from `ceremony new` / snarkjs `zkey new`) instead of the circuit and the .ptau.") var from: String?
    @Option(name: .long, help: "Require this contribution hash (128 hex digits, spaces allowed) in the chain; repeatable.") var requireContribution: [String] = []
    @Option(name: .long, help: "Worker threads (default: all cores).") var threads: Int?
    @Flag(name: .long, help: "Machine-readable JSON on stdout.") var json = false

    func validate() throws {
        if from == nil && files.count != 3 { throw ValidationError("give CIRCUIT.r1cs FILE.ptau FINAL.zkey, or --from 0000.zkey FINAL.zkey") }
        if from != nil && files.count != 1 { throw ValidationError("with --from, give only FINAL.zkey") }
        for h in requireContribution where parseContributionHash(h) == nil { throw ValidationError("--require-contribution: \"\(h)\" is not 128 hex digits") }
    }

    func run() throws {
        let finalPath = files.last!
        let key = try loadPhaseTwoKey(finalPath)
        let t = threads ?? ceremonyDefaultThreads()
        let report: PhaseTwo.Report
        if let from {
            let initial = try loadPhaseTwoKey(from)
            report = try ceremonyStep(finalPath) { try PhaseTwo.verify(initial: initial, final: key, threads: t) }
        } else {
            let r1cs = try loadR1CSFile(files[0])
            let ptau = try loadPtau(files[1])
            report = try ceremonyStep(finalPath) { try PhaseTwo.verify(r1cs: r1cs, ptau: ptau, final: key, threads: t) }
        }
        let missing = missingContributions(requireContribution, in: report.contributions)
        if json {
            printJSON(["valid": missing.isEmpty, "circuitHash": hexString(report.circuitHash), "legacyCircuitHash": report.legacyCircuitHash,
                       "missingContributions": missing,
                       "contributions": report.contributions.map { c -> [String: Any] in
                           var o: [String: Any] = ["index": c.index, "name": c.name ?? "", "hash": c.hashHex]
                           if let b = c.beaconHash { o["beaconHash"] = b; o["iterationsExp"] = c.iterationsExp ?? 0 }
                           return o
                       }])
        } else {
            print(PhaseTwo.describe(report))
            if report.legacyCircuitHash { print("(circuit hash in the encoding snarkjs used before 2023)") }
            if key.contributions.isEmpty { print("WARNING: no contribution: δ = 1, anyone can forge proofs with this key") }
        }
        if !missing.isEmpty {
            if !json { print("INVALID: required contribution not in the chain: \(missing.joined(separator: ", "))") }
            throw SilentExit(code: 1)
        }
    }
}

/// A contribution hash as typed or pasted from snarkjs's output (hex, whitespace ignored); nil unless 64 bytes.
func parseContributionHash(_ s: String) -> String? {
    let t = String(s.filter { !$0.isWhitespace }).lowercased()
    guard let b = bytes(fromHex: t), b.count == 64 else { return nil }
    return hexString(b)
}

func missingContributions(_ required: [String], in chain: [PhaseTwo.ContributionSummary]) -> [String] {
    let have = Set(chain.map(\.hashHex))
    return required.compactMap(parseContributionHash).filter { !have.contains($0) }
}

struct CeremonyExportVK: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-vk", abstract: "The snarkjs verification_key.json of a .zkey (snarkjs `zkey export verificationkey`).")
    @Argument(help: "The .zkey.") var input: String
    @Option(name: .shortAndLong, help: "Output verification_key.json (default: stdout).") var output: String?

    func run() throws {
        let key = try loadPhaseTwoKey(input)
        let p = try ceremonyStep(input) { try PhaseTwo.verificationKeyPoints(key) }
        let vk = VerificationKey(alpha1: p.alpha1, beta2: p.beta2, gamma2: p.gamma2, delta2: p.delta2, ic: p.ic)
        let data = try withFile(input, "cannot encode the verification key") { try vk.snarkjs.jsonData() }
        if let output { try writeFile(data, output); print("wrote \(output)") } else { print(String(decoding: data, as: UTF8.self)) }
        if key.contributions.isEmpty { FileHandle.standardError.write(Data("zkinfer: WARNING: \(input) has no contribution (δ = 1): anyone can forge proofs for this key\n".utf8)) }
    }
}
