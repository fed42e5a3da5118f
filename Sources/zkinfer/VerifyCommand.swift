import ArgumentParser
import Foundation
import ZKAlgebra
import ZKFormats
import ZKGroth16

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a Groth16 proof (snarkjs JSON files).",
        discussion: "Prints a one-line verdict. Exit code 0 = valid, 1 = invalid proof, 2 = malformed input.")

    @Option(name: .long, help: "verification_key.json (snarkjs format).")
    var vk: String
    @Option(name: .long, help: "proof.json (snarkjs format).")
    var proof: String
    @Option(name: .long, help: "public.json (snarkjs format).")
    var `public`: String
    @Flag(name: .long, help: "Machine-readable JSON on stdout.")
    var json = false

    func run() throws {
        let vkData = try readFile(vk), proofData = try readFile(proof), publicData = try readFile(self.public)
        let key = try withFile(vk, "invalid verification key") { VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: vkData)) }
        let p = try withFile(proof, "invalid proof") { Proof(snarkjs: try SnarkjsProof(jsonData: proofData)) }
        let inputs = try withFile(self.public, "invalid public signals") { try SnarkjsPublicSignals(jsonData: publicData).values }
        guard inputs.count == key.publicCount else {
            throw CLIError("\(self.public): \(inputs.count) public signals, but \(vk) expects \(key.publicCount)")
        }
        for w in key.forgeabilityWarnings {
            FileHandle.standardError.write(Data("zkinfer: WARNING: \(vk): \(w)\n".utf8))
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

extension CLIError {
    /// An error whose message was already printed as the verdict.
    var silenced: SilentExit { SilentExit(code: exitCode) }
}

/// Exits with a code and prints nothing more.
struct SilentExit: Error { let code: Int32 }
