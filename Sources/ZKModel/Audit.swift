// Audit: does a claim name the model compiled in a host's directory? For a verifier who is later given the host's
// compile directory (model.onnx and circuit.json, with the private weights and their salt), e.g. under an NDA.

import Foundation
import ZKAlgebra

extension ClaimVerifier {
    /// The mismatches between `claim` and the model compiled from `onnx` into `compiled` (empty: the claim is about
    /// this model). It opens the commitments rather than trusting circuit.json's copies of them:
    /// - the ONNX identity: BLAKE2b-256 of `onnx`, or with private weights its salted commitment under the salt
    ///   (``QuantizedModel/onnxCommitment(fileDigest:salt:)``);
    /// - the quantized-graph and model digests, recomputed from circuit.json (``CompiledModel/init(model:)``);
    /// - with private weights, the Poseidon commitment recomputed from the weights and the salt;
    /// - the visibility settings.
    /// It does not check the proof: ``verify(_:key:)`` does that.
    public static func auditProblems(_ claim: Claim, compiled: CompiledModel, onnx: Data) -> [String] {
        var problems: [String] = []
        let m = compiled.model
        let fileDigest = blake2bHex([UInt8](onnx))
        let expectedONNX: String
        if m.visibility.weights == .private {
            guard let salt = m.weightSalt.flatMap({ Fr(decimal: $0) }) else { return ["circuit.json: private weights without a valid salt"] }
            expectedONNX = QuantizedModel.onnxCommitment(fileDigest: fileDigest, salt: salt)
        } else {
            expectedONNX = fileDigest
        }
        if m.onnxDigest != expectedONNX { problems.append("circuit.json was not compiled from this ONNX file") }
        if claim.model.onnxDigest != expectedONNX {
            problems.append(m.visibility.weights == .private
                ? "model.onnxDigest does not open to this ONNX file with this salt"
                : "model.onnxDigest is not the BLAKE2b-256 of this ONNX file")
        }
        if claim.model.quantizedDigest != compiled.quantizedDigest { problems.append("model.quantizedDigest is not this quantized graph's") }
        if claim.model.modelDigest != compiled.modelDigest { problems.append("model.modelDigest is not this model's") }
        if claim.model.weightsCommitment != compiled.weightsCommitment?.description {
            problems.append(compiled.weightsCommitment == nil
                ? "the claim has a weights commitment, but this model's weights are public"
                : "model.weightsCommitment does not open to these weights with this salt")
        }
        if claim.visibility != m.visibility { problems.append("visibility differs from this model's") }
        return problems
    }
}
