import ArgumentParser
import ZKCeremony
import Foundation
import ZKAlgebra
import ZKFormats
import ZKGroth16
import ZKModel
import ZKClaim

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a claim (claim.json) or a Groth16 proof (snarkjs JSON files).",
        discussion: """
            zkinfer verify OUT/claim.json --vk DIR/verification_key.json [--model MODEL.onnx] [--weights-commitment HEX]
              checks the key (a forgeable key — δ = γ, δ = 1, a point at infinity, a free public signal — makes the \
              claim invalid), the key digest, the model digest, the input range, that the public signals encode the \
              stated model, input and output, and the proof. --model re-derives the quantized graph from the ONNX file \
              with the claim's recorded quantization and checks onnxDigest and quantizedDigest (public weights). \
              --weights-commitment pins the private weights' commitment.
            zkinfer verify --vk verification_key.json --proof proof.json --public public.json
              checks a snarkjs proof alone (a forgeable key makes it invalid too).
            zkinfer verify --batch FILE|DIR --vk VK [--vk VK2 ...] [--json] [--signer HEX] [--weights-commitment HEX]
              checks many claims: every claim-level check per claim, the pairing checks of the claims under each key \
              combined into one random linear combination (bad claims found by bisection). DIR: its *.json files and \
              the claim.json of each subdirectory (as `prove -o DIR/NAME` writes them); FILE: one claim, or JSON Lines \
              (one claim per line). Each claim is checked under the --vk whose digest it names. One verdict per claim \
              (--json: one object per line: claim, valid, reason, problems, modelDigest); exit 0 only if all are valid, \
              1 if any is invalid or malformed, 2 if the batch itself cannot be read.
            Prints a one-line verdict headed by what the proof binds (model digest, output); the model's name is an \
            unbound label. Exit code 0 = valid, 1 = invalid, 2 = malformed input.
            """)

    @Argument(help: "claim.json written by `zkinfer prove`.")
    var claim: String?
    @Option(name: .customLong("vk"), help: "verification_key.json (snarkjs format); with --batch, repeatable (each claim is checked under the key it names).")
    var vks: [String] = []
    var vk: String { vks.first ?? "" }
    @Option(name: .long, help: "Verify many claims: a directory of claims, or a file of claims (JSON Lines).")
    var batch: String?
    @Option(name: .long, help: "With --batch: worker threads (default: all cores).")
    var threads: Int?
    @Flag(name: .long, help: "With --batch: check each claim's proof alone instead of combining them (the one-at-a-time reference; same verdicts, slower).")
    var oneAtATime = false
    @Option(name: .long, help: "proof.json (snarkjs format), without a claim.")
    var proof: String?
    @Option(name: .long, help: "public.json (snarkjs format), without a claim.")
    var `public`: String?
    @Option(name: .long, help: "With a claim: require it to be signed by this Ed25519 public key (hex).")
    var signer: String?
    @Option(name: .long, help: "With a claim (public weights): the ONNX file it must be about; the quantized graph is re-derived from it.")
    var model: String?
    @Option(name: .long, help: "With a claim (private weights): require this weights commitment (64 hex digits, optionally 0x-prefixed).")
    var weightsCommitment: String?
    @Option(name: .long, help: "With a claim: the ceremony's final .zkey; checks its contribution chain and that --vk is the key it produced.")
    var zkey: String?
    @Option(name: .long, help: "With --zkey: require this contribution hash (128 hex digits as `ceremony contribute` printed it, spaces allowed) in the chain; repeatable.")
    var requireContribution: [String] = []
    @Flag(name: .long, help: "Accept a key that offers no soundness (δ = γ, δ = 1, ...) and only warn. For tests of other things.")
    var allowForgeableKey = false
    @Flag(name: .long, help: "Machine-readable JSON on stdout.")
    var json = false

    func validate() throws {
        if vks.isEmpty { throw ValidationError("--vk is required") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if batch != nil {
            if claim != nil || proof != nil || self.public != nil { throw ValidationError("--batch takes no claim.json, --proof or --public") }
            if model != nil || zkey != nil { throw ValidationError("--model and --zkey are for a single claim, not --batch") }
            if let w = weightsCommitment, Fr(hex: w) == nil {
                throw ValidationError("--weights-commitment must be 64 hex digits (optionally 0x-prefixed) encoding a value below the BN254 group order")
            }
            return
        }
        if threads != nil || oneAtATime { throw ValidationError("--threads and --one-at-a-time are for --batch") }
        if vks.count > 1 { throw ValidationError("give one --vk (several only with --batch)") }
        if claim == nil && (proof == nil || self.public == nil) {
            throw ValidationError("give a claim.json, or both --proof and --public")
        }
        if claim != nil && (proof != nil || self.public != nil) {
            throw ValidationError("give either a claim.json or --proof/--public, not both")
        }
        if claim == nil && (model != nil || weightsCommitment != nil || signer != nil) {
            throw ValidationError("--model, --weights-commitment and --signer need a claim.json")
        }
        if claim == nil && zkey != nil { throw ValidationError("--zkey needs a claim.json") }
        if zkey == nil && !requireContribution.isEmpty { throw ValidationError("--require-contribution needs --zkey (the chain it is checked in)") }
        for h in requireContribution where parseContributionHash(h) == nil { throw ValidationError("--require-contribution: \"\(h)\" is not 128 hex digits") }
        if let w = weightsCommitment, Fr(hex: w) == nil {
            throw ValidationError("--weights-commitment must be 64 hex digits (optionally 0x-prefixed) encoding a value below the BN254 group order")
        }
    }

    func run() throws {
        if let batch { return try verifyBatch(batch) }
        if let claim { return try verifyClaim(claim) }
        guard let proof, let `public` = self.public else { return }
        let key = try loadVerificationKey(vk, printWarnings: allowForgeableKey)
        let proofData = try readFile(proof), publicData = try readFile(`public`)
        let p = try withFile(proof, "invalid proof") { Proof(snarkjs: try SnarkjsProof(jsonData: proofData)) }
        let inputs = try withFile(`public`, "invalid public signals") { try SnarkjsPublicSignals(jsonData: publicData).values }
        guard inputs.count == key.publicCount else {
            throw CLIError("\(`public`): \(inputs.count) public signals, but \(vk) expects \(key.publicCount)")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let proofValid = try withFile(proof, "verification failed") { try Groth16.verify(key, proof: p, publicInputs: inputs) }
        let elapsed = clock.now - start
        let keyProblems = allowForgeableKey ? [] : key.forgeabilityWarnings
        var problems = keyProblems
        if !proofValid { problems.append("the Groth16 proof does not verify for these public signals") }
        let valid = problems.isEmpty
        if json {
            printJSON(["valid": valid, "problems": problems, "publicSignals": inputs.count, "verifySeconds": seconds(elapsed),
                       "warnings": allowForgeableKey ? key.forgeabilityWarnings : []])
        } else {
            print(valid ? "OK: proof is valid (\(inputs.count) public signals)" : "INVALID: " + problems.joined(separator: "; "))
        }
        if !valid { throw SilentExit(code: 1) }
    }
}

extension VerifyCommand {
    func verifyClaim(_ claimPath: String) throws {
        let key = try loadVerificationKey(vk, printWarnings: allowForgeableKey)
        let claimData = try readFile(claimPath)
        let claim = try modelStep(claimPath) { try ClaimVerifier.decode(claimData) }
        var options = ClaimCheckOptions(allowForgeableKey: allowForgeableKey, weightsCommitment: weightsCommitment.flatMap { Fr(hex: $0) })
        if let model {
            let onnx = try readFile(model)
            _ = try modelStep(model) { try ONNXImporter.load(onnx) }  // a malformed file is exit 2, naming it
            options.onnx = onnx
        }
        let clock = ContinuousClock()
        let start = clock.now
        var verdict = try modelStep(claimPath) { try ClaimVerifier.verify(claim, key: key, options: options) }
        let elapsed = clock.now - start
        var ceremonyNote = claim.ceremony == nil ? "single-party setup key (no ceremony recorded)" : "key from a ceremony of \(claim.ceremony!.contributions.count) contribution(s) (not checked: give --zkey)"
        if let zkey {
            let problems = try ceremonyProblems(claim: claim, key: key, zkeyPath: zkey)
            if problems.isEmpty {
                ceremonyNote = "key produced by the ceremony in \(zkey) (chain verified\(requireContribution.isEmpty ? "" : ", required contribution present"))"
            } else {
                verdict.valid = false
                verdict.problems += problems
            }
        }
        requireSigner(&verdict)
        let signature: String
        switch verdict.signatureValid {
        case nil: signature = "unsigned"
        case true?: signature = "signed by \(verdict.signer ?? "?") (signature valid)"
        case false?: signature = "signature by \(verdict.signer ?? "?") is INVALID"
        }
        // The commitment as verify prints it (hex); nil for public weights or an unparseable value (already a problem).
        let commitment = claim.model.weightsCommitment.flatMap { try? Fr(snarkjsDecimal: $0) }?.hex
        if json {
            var sig: [String: Any] = ["signed": verdict.signatureValid != nil]
            if let v = verdict.signatureValid { sig["valid"] = v; sig["publicKey"] = verdict.signer ?? "" }
            var out: [String: Any] = [
                "valid": verdict.valid, "problems": verdict.problems, "modelDigest": claim.model.modelDigest,
                "model": claim.model.name, "label": claim.model.name, "signature": sig,
                "output": ["shape": claim.output.shape, "values": claim.output.values, "quantized": claim.output.quantized,
                           "argmax": claim.output.argmax],
                "modelFileChecked": model != nil, "verifySeconds": seconds(elapsed),
                "forgeableKeyWarnings": allowForgeableKey ? key.forgeabilityWarnings : [],
            ]
            if let commitment { out["weightsCommitment"] = commitment }
            out["setup"] = claim.ceremony == nil ? "single-party" : "ceremony"
            out["ceremonyChecked"] = zkey != nil
            if let c = claim.ceremony { out["ceremony"] = ["circuitHash": c.circuitHash, "contributions": c.contributions.map { ["index": $0.index, "name": $0.name ?? "", "hash": $0.hash] }] }
            if let l = claim.output.label { out["predictedLabel"] = ["index": l.index, "value": l.value, "classes": l.classes] }
            printJSON(out)
        } else if verdict.valid {
            var line = "OK: claim is valid: model \(claim.model.modelDigest) output \(formatFloats(claim.output.values)) argmax \(claim.output.argmax)"
            if let l = claim.output.label { line += " predicted label \"\(l.value)\" (proven)" }
            if let commitment { line += "; weights commitment \(commitment)" }
            if model != nil { line += "; model re-derived from \(model!)" }
            line += "; \(ceremonyNote)"
            line += "; \(signature); label \"\(claim.model.name)\" (not bound by the proof) [\(String(format: "%.2f", seconds(elapsed) * 1000)) ms]"
            print(line)
        } else {
            print("INVALID: " + verdict.problems.joined(separator: "; ") + "; \(signature)")
        }
        if !verdict.valid { throw SilentExit(code: 1) }
    }
}

extension VerifyCommand {
    /// `--signer`: the claim must be signed by that key (its signature is checked by the claim checks).
    func requireSigner(_ verdict: inout ClaimVerdict) {
        guard let signer, verdict.signer?.lowercased() != signer.lowercased() else { return }
        verdict.valid = false
        verdict.problems.append(verdict.signer == nil ? "the claim is not signed (expected signer \(signer))" : "signed by \(verdict.signer!), not by the required signer \(signer)")
    }

    /// `verify --batch`: loads the claims and keys, verifies them together, prints one verdict per claim.
    func verifyBatch(_ path: String) throws {
        let keys = try vks.map { try loadVerificationKey($0, printWarnings: allowForgeableKey) }
        let claims = try loadClaimBatch(path)
        let options = ClaimCheckOptions(allowForgeableKey: allowForgeableKey, weightsCommitment: weightsCommitment.flatMap { Fr(hex: $0) })
        let clock = ContinuousClock()
        let start = clock.now
        var report = try ClaimVerifier.verifyBatch(claims, keys: keys, options: options, threads: threads, combine: !oneAtATime)
        let elapsed = seconds(clock.now - start)
        for i in report.results.indices where report.results[i].verdict != nil { requireSigner(&report.results[i].verdict!) }
        var lines = ""
        for r in report.results {
            if json {
                var out: [String: Any] = ["claim": r.name, "valid": r.valid, "reason": r.reason, "problems": r.verdict?.problems ?? [r.reason],
                                          "malformed": r.malformed != nil]
                if let d = r.modelDigest { out["modelDigest"] = d }
                if let d = r.verificationKeyDigest { out["verificationKeyDigest"] = d }
                if let s = r.verdict?.signer { out["signer"] = s }
                let data = (try? JSONSerialization.data(withJSONObject: out, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
                lines += String(decoding: data, as: UTF8.self) + "\n"
            } else {
                lines += (r.valid ? "OK: \(r.name): model \(r.modelDigest ?? "?")" : "INVALID: \(r.name): \(r.reason)") + "\n"
            }
        }
        print(lines, terminator: "")
        let valid = report.results.filter(\.valid).count, malformed = report.results.filter { $0.malformed != nil }.count
        let rate = elapsed > 0 ? Double(claims.count) / elapsed : 0
        let summary = "batch: \(claims.count) claims, \(valid) valid, \(claims.count - valid) invalid (\(malformed) malformed); "
            + "\(report.combinedChecks) combined and \(report.singleChecks) single pairing checks; "
            + String(format: "%.1f ms, %.0f claims/s", elapsed * 1000, rate)
        if json { FileHandle.standardError.write(Data("zkinfer: \(summary)\n".utf8)) } else { print(summary) }
        if !report.allValid { throw SilentExit(code: 1) }
    }
}

/// The claims of `verify --batch PATH`. A directory: its `*.json` files and the `claim.json` of each immediate
/// subdirectory, in name order. A file: one claim (a JSON object), or JSON Lines (one claim per non-empty line,
/// named `FILE:LINE`). Unreadable paths and an empty batch are errors (exit 2).
func loadClaimBatch(_ path: String) throws -> [BatchClaimInput] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw CLIError("\(path): no such file or directory") }
    var claims: [BatchClaimInput] = []
    if isDirectory.boolValue {
        let base = URL(fileURLWithPath: path)
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path).sorted() } catch {
            throw CLIError("\(path): cannot list directory (\(describe(error)))")
        }
        for name in names where !name.hasPrefix(".") {
            let url = base.appendingPathComponent(name)
            var sub: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &sub) else { continue }
            if sub.boolValue {
                let claim = url.appendingPathComponent("claim.json")
                if FileManager.default.fileExists(atPath: claim.path) { claims.append(BatchClaimInput(name: claim.path, json: try readFile(claim.path))) }
            } else if name.hasSuffix(".json") {
                claims.append(BatchClaimInput(name: url.path, json: try readFile(url.path)))
            }
        }
    } else {
        let data = try readFile(path)
        if (try? JSONSerialization.jsonObject(with: data)) is [String: Any] {
            claims.append(BatchClaimInput(name: path, json: data))
        } else {
            var lineNumber = 0
            for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                lineNumber += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                claims.append(BatchClaimInput(name: "\(path):\(lineNumber)", json: Data(line)))
            }
        }
    }
    if claims.isEmpty { throw CLIError("\(path): no claims found (a directory needs *.json files or */claim.json; a file needs a claim or JSON Lines)") }
    return claims
}

extension CLIError {
    /// An error whose message was already printed as the verdict.
    var silenced: SilentExit { SilentExit(code: exitCode) }
}

/// Exits with a code and prints nothing more.
struct SilentExit: Error { let code: Int32 }

extension VerifyCommand {
    /// The ceremony checks of `verify --zkey`: the chain in FINAL.zkey (transcripts, proofs of knowledge, δ),
    /// that the verification key given is exactly the one the chain produced, that the claim's ceremony record
    /// (if any) is that chain, and that every --require-contribution hash is in it.
    func ceremonyProblems(claim: Claim, key: VerificationKey, zkeyPath: String) throws -> [String] {
        let final = try loadPhaseTwoKey(zkeyPath)
        var problems: [String] = []
        let chain: [PhaseTwo.ContributionSummary]
        do { chain = try PhaseTwo.verifyChain(final) } catch let e as CeremonyError {
            return ["\(zkeyPath): ceremony chain invalid: \(e.description)"]
        }
        if chain.isEmpty { problems.append("\(zkeyPath) has no contribution (δ = 1): the key offers no soundness") }
        let p = try ceremonyStep(zkeyPath) { try PhaseTwo.verificationKeyPoints(final) }
        let produced = VerificationKey(alpha1: p.alpha1, beta2: p.beta2, gamma2: p.gamma2, delta2: p.delta2, ic: p.ic)
        if produced != key { problems.append("the verification key \(vk) is not the one \(zkeyPath)'s ceremony produced") }
        if let c = claim.ceremony {
            if c.circuitHash != hexString(final.circuitHash) { problems.append("the claim's ceremony.circuitHash is not \(zkeyPath)'s") }
            if c.contributions.map(\.hash) != chain.map(\.hashHex) { problems.append("the claim's ceremony.contributions are not \(zkeyPath)'s chain") }
        }
        for h in missingContributions(requireContribution, in: chain) {
            problems.append("required contribution \(h.prefix(16))… is not in \(zkeyPath)'s chain")
        }
        return problems
    }
}
