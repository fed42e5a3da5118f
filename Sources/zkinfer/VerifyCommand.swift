import ArgumentParser
import Foundation
import ZKAlgebra
import ZKFormats
import ZKGroth16
import ZKModel

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a claim (claim.json) or a Groth16 proof (snarkjs JSON files).",
        discussion: """
            zkinfer verify OUT/claim.json --vk DIR/verification_key.json
              checks the key digest, the model digest, the input range, that the public signals encode the stated \
              model, input and output, and the proof.
            zkinfer verify --vk verification_key.json --proof proof.json --public public.json
              checks a snarkjs proof alone.
            Prints a one-line verdict. Exit code 0 = valid, 1 = invalid, 2 = malformed input.
            """)

    @Argument(help: "claim.json written by `zkinfer prove`.")
    var claim: String?
    @Option(name: .long, help: "verification_key.json (snarkjs format).")
    var vk: String
    @Option(name: .long, help: "proof.json (snarkjs format), without a claim.")
    var proof: String?
    @Option(name: .long, help: "public.json (snarkjs format), without a claim.")
    var `public`: String?
    @Option(name: .long, help: "With a claim: require it to be signed by this Ed25519 public key (hex).")
    var signer: String?
    @Flag(name: .long, help: "Machine-readable JSON on stdout.")
    var json = false

    func validate() throws {
        if claim == nil && (proof == nil || self.public == nil) {
            throw ValidationError("give a claim.json, or both --proof and --public")
        }
        if claim != nil && (proof != nil || self.public != nil) {
            throw ValidationError("give either a claim.json or --proof/--public, not both")
        }
    }

    func run() throws {
        if let claim { return try verifyClaim(claim) }
        guard let proof, let `public` = self.public else { return }
        let key = try loadVerificationKey(vk)
        let proofData = try readFile(proof), publicData = try readFile(`public`)
        let p = try withFile(proof, "invalid proof") { Proof(snarkjs: try SnarkjsProof(jsonData: proofData)) }
        let inputs = try withFile(`public`, "invalid public signals") { try SnarkjsPublicSignals(jsonData: publicData).values }
        guard inputs.count == key.publicCount else {
            throw CLIError("\(`public`): \(inputs.count) public signals, but \(vk) expects \(key.publicCount)")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let valid = try withFile(proof, "verification failed") { try Groth16.verify(key, proof: p, publicInputs: inputs) }
        let elapsed = clock.now - start
        if json {
            printJSON(["valid": valid, "publicSignals": inputs.count, "verifySeconds": seconds(elapsed), "warnings": key.forgeabilityWarnings])
        } else {
            print(valid ? "OK: proof is valid (\(inputs.count) public signals)" : "INVALID: proof does not verify")
        }
        if !valid { throw CLIError("proof is invalid", exitCode: 1).silenced }
    }
}

extension VerifyCommand {
    func verifyClaim(_ claimPath: String) throws {
        let key = try loadVerificationKey(vk)
        let claimData = try readFile(claimPath)
        let claim = try modelStep(claimPath) { try ClaimVerifier.decode(claimData) }
        let clock = ContinuousClock()
        let start = clock.now
        var verdict = try modelStep(claimPath) { try ClaimVerifier.verify(claim, key: key) }
        let elapsed = clock.now - start
        if let signer, verdict.signer?.lowercased() != signer.lowercased() {
            verdict.valid = false
            verdict.problems.append(verdict.signer == nil ? "the claim is not signed (expected signer \(signer))" : "signed by \(verdict.signer!), not by the required signer \(signer)")
        }
        let signature: String
        switch verdict.signatureValid {
        case nil: signature = "unsigned"
        case true?: signature = "signed by \(verdict.signer ?? "?") (signature valid)"
        case false?: signature = "signature by \(verdict.signer ?? "?") is INVALID"
        }
        if json {
            var sig: [String: Any] = ["signed": verdict.signatureValid != nil]
            if let v = verdict.signatureValid { sig["valid"] = v; sig["publicKey"] = verdict.signer ?? "" }
            printJSON(["valid": verdict.valid, "problems": verdict.problems, "model": claim.model.name, "modelDigest": claim.model.modelDigest,
                       "signature": sig,
                       "output": ["shape": claim.output.shape, "values": claim.output.values, "argmax": claim.output.argmax],
                       "verifySeconds": seconds(elapsed)])
        } else if verdict.valid {
            print("OK: claim is valid: \(claim.model.name) (model \(claim.model.modelDigest.prefix(16))…) output \(formatFloats(claim.output.values)) argmax \(claim.output.argmax) [\(String(format: "%.2f", seconds(elapsed) * 1000)) ms]; \(signature)")
        } else {
            print("INVALID: " + verdict.problems.joined(separator: "; ") + "; \(signature)")
        }
        if !verdict.valid { throw SilentExit(code: 1) }
    }
}

extension CLIError {
    /// An error whose message was already printed as the verdict.
    var silenced: SilentExit { SilentExit(code: exitCode) }
}

/// Exits with a code and prints nothing more.
struct SilentExit: Error { let code: Int32 }
