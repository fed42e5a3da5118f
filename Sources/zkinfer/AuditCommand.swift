import ArgumentParser
import Foundation
import ZKModel
import ZKClaim

/// `zkinfer audit DIR CLAIM`: for an auditor the host has given its compile directory.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check that a claim was made with the model compiled in DIR (opens the ONNX and weight commitments).",
        discussion: """
            For an auditor who is given the host's compile directory (model.onnx and circuit.json, which hold the \
            private weights and their salt): recomputes the claim's onnxDigest (with private weights: the salted \
            commitment, opened with the salt), quantizedDigest, modelDigest and weightsCommitment (Poseidon over the \
            weights and the salt) from DIR and compares them with the claim. With --vk the claim itself is verified \
            too (as `zkinfer verify`). Exit code 0 = the claim is about this model (and valid, with --vk), \
            1 = it is not (or invalid), 2 = malformed input.
            """)

    @Argument(help: "A directory written by `zkinfer compile` (needs model.onnx and circuit.json).")
    var directory: String
    @Argument(help: "claim.json written by `zkinfer prove`.")
    var claim: String
    @Option(name: .long, help: "Also verify the claim under this verification_key.json.")
    var vk: String?
    @Flag(name: .long, help: "Machine-readable JSON on stdout.")
    var json = false

    func run() throws {
        let compiled = try loadCompiled(directory)
        let onnx = try readFile(path(directory, "model.onnx"))
        let claimData = try readFile(claim)
        let decoded = try modelStep(claim) { try ClaimVerifier.decode(claimData) }
        var problems = try modelStep(path(directory, "model.onnx")) { try ClaimVerifier.auditProblems(decoded, compiled: compiled, onnx: onnx) }
        if let vk {
            let key = try loadVerificationKey(vk)
            problems += try modelStep(claim) { try ClaimVerifier.verify(decoded, key: key) }.problems
        }
        let weights = compiled.model.visibility.weights == .private ? "private weights, commitment opened" : "public weights"
        if json {
            printJSON(["matches": problems.isEmpty, "problems": problems, "model": decoded.model.name,
                       "modelDigest": compiled.modelDigest, "privateWeights": compiled.model.visibility.weights == .private,
                       "verified": vk != nil])
        } else if problems.isEmpty {
            print("OK: the claim is about the model in \(directory) (model \(compiled.modelDigest.prefix(16))…, \(weights))\(vk != nil ? "; claim valid" : "")")
        } else {
            print("MISMATCH: " + problems.joined(separator: "; "))
        }
        if !problems.isEmpty { throw SilentExit(code: 1) }
    }
}
