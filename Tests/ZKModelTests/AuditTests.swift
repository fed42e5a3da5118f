// ClaimVerifier.auditProblems: a claim is matched against the host's compile output, opening the salted ONNX
// digest and the Poseidon weight commitment.

import Foundation
import XCTest
import ZKAlgebra
import ZKModel

private typealias PF = PrivacyFixtures

final class AuditTests: XCTestCase {
    /// The same model with its first dense weight moved one unit towards zero (stays inside its bit width).
    func withOneWeightChanged(_ c: CompiledModel) throws -> CompiledModel {
        var m = c.model
        let k = try XCTUnwrap(m.nodes.firstIndex { if case .dense = $0.op { return true } else { return false } })
        guard case .dense(let i, var w, let b, let nIn, let nOut) = m.nodes[k].op else { XCTFail("node \(k) is not dense"); return c }
        w[0] += w[0] > 0 ? -1 : 1
        m.nodes[k].op = .dense(input: i, weights: w, bias: b, inFeatures: nIn, outFeatures: nOut)
        return try CompiledModel(model: m)
    }

    func testPrivateWeightsClaimOpensAgainstItsModel() throws {
        let onnx = try PF.data("iris_logreg", "model.onnx"), other = try PF.data("digits_mlp", "model.onnx")
        let compiled = try PF.compile("iris_logreg", Visibility(input: .public, weights: .private))
        let claim = try PF.proveClaim("iris_logreg", compiled, input: try PF.input("iris_logreg")).claim
        XCTAssertEqual(ClaimVerifier.auditProblems(claim, compiled: compiled, onnx: onnx), [])

        // The same file compiled again: another salt, so neither commitment opens.
        let again = try PF.compile("iris_logreg", Visibility(input: .public, weights: .private))
        let p1 = ClaimVerifier.auditProblems(claim, compiled: again, onnx: onnx)
        XCTAssertTrue(p1.contains("model.onnxDigest does not open to this ONNX file with this salt"), "\(p1)")
        XCTAssertTrue(p1.contains("model.weightsCommitment does not open to these weights with this salt"), "\(p1)")

        // One weight off by one unit: only the weight commitment fails (the digests cover the weight-free graph).
        let changed = try withOneWeightChanged(compiled)
        XCTAssertEqual(ClaimVerifier.auditProblems(claim, compiled: changed, onnx: onnx),
                       ["model.weightsCommitment does not open to these weights with this salt"])

        // Another ONNX file with this circuit.json.
        let p2 = ClaimVerifier.auditProblems(claim, compiled: compiled, onnx: other)
        XCTAssertTrue(p2.contains("circuit.json was not compiled from this ONNX file"), "\(p2)")
        XCTAssertTrue(p2.contains("model.onnxDigest does not open to this ONNX file with this salt"), "\(p2)")

        // A claim about the public-weights compile of the same file.
        let pub = try PF.compile("iris_logreg", Visibility(input: .public, weights: .public))
        let p3 = ClaimVerifier.auditProblems(try PF.proveClaim("iris_logreg", pub, input: try PF.input("iris_logreg")).claim,
                                             compiled: compiled, onnx: onnx)
        XCTAssertTrue(p3.contains("visibility differs from this model's"), "\(p3)")
    }

    func testPublicWeightsClaimMatchesItsModel() throws {
        let onnx = try PF.data("iris_logreg", "model.onnx")
        let compiled = try PF.compile("iris_logreg", Visibility())
        let claim = try PF.proveClaim("iris_logreg", compiled, input: try PF.input("iris_logreg")).claim
        XCTAssertEqual(ClaimVerifier.auditProblems(claim, compiled: compiled, onnx: onnx), [])
        XCTAssertTrue(ClaimVerifier.auditProblems(claim, compiled: compiled, onnx: onnx + Data([0]))
            .contains("model.onnxDigest is not the BLAKE2b-256 of this ONNX file"))
        let changed = try withOneWeightChanged(compiled)
        let p = ClaimVerifier.auditProblems(claim, compiled: changed, onnx: onnx)
        XCTAssertTrue(p.contains("model.quantizedDigest is not this quantized graph's"), "\(p)")
        XCTAssertTrue(p.contains("model.modelDigest is not this model's"), "\(p)")
    }
}
