// ClaimVerifier.auditProblems: a claim is matched against the host's compile output, opening the salted ONNX
// digest and the Poseidon weight commitment.

import Foundation
import XCTest
import ZKAlgebra
import ZKModel
import ZKClaim

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
        XCTAssertEqual(try ClaimVerifier.auditProblems(claim, compiled: compiled, onnx: onnx), [])

        // The same file compiled again: another salt, so neither commitment opens.
        let again = try PF.compile("iris_logreg", Visibility(input: .public, weights: .private))
        let p1 = try ClaimVerifier.auditProblems(claim, compiled: again, onnx: onnx)
        XCTAssertTrue(p1.contains("model.onnxDigest does not open to this ONNX file with this salt"), "\(p1)")
        XCTAssertTrue(p1.contains("model.weightsCommitment does not open to these weights with this salt"), "\(p1)")

        // circuit.json with one weight off by one unit: the claim (made from the honest directory) still opens against
        // the model re-derived from model.onnx; the edited circuit.json is reported.
        let changed = try withOneWeightChanged(compiled)
        XCTAssertEqual(try ClaimVerifier.auditProblems(claim, compiled: changed, onnx: onnx), ["circuit.json was not compiled from this ONNX file"])

        // The host proves with the edited weights (same key shape, same digests in circuit.json): the audit re-derives
        // the weights from model.onnx, so the claim's commitment and model digest do not open. (On the old audit, which
        // trusted circuit.json's weights, this claim matched.)
        let cheat = try PF.proveClaim("iris_logreg", changed, input: try PF.input("iris_logreg")).claim
        let p0 = try ClaimVerifier.auditProblems(cheat, compiled: changed, onnx: onnx)
        XCTAssertTrue(p0.contains("model.weightsCommitment does not open to these weights with this salt"), "\(p0)")
        XCTAssertTrue(p0.contains("model.modelDigest is not this model's"), "\(p0)")

        // Another ONNX file with this circuit.json.
        let p2 = try ClaimVerifier.auditProblems(claim, compiled: compiled, onnx: other)
        XCTAssertTrue(p2.contains("circuit.json was not compiled from this ONNX file"), "\(p2)")
        XCTAssertTrue(p2.contains("model.onnxDigest does not open to this ONNX file with this salt"), "\(p2)")
        XCTAssertTrue(p2.contains { $0.hasPrefix("the ONNX file cannot be quantized with the claim's recorded settings") }, "\(p2)")

        // A claim about the public-weights compile of the same file.
        let pub = try PF.compile("iris_logreg", Visibility(input: .public, weights: .public))
        let p3 = try ClaimVerifier.auditProblems(try PF.proveClaim("iris_logreg", pub, input: try PF.input("iris_logreg")).claim,
                                             compiled: compiled, onnx: onnx)
        XCTAssertTrue(p3.contains("visibility differs from this model's"), "\(p3)")
    }

    func testPublicWeightsClaimMatchesItsModel() throws {
        let onnx = try PF.data("iris_logreg", "model.onnx")
        let compiled = try PF.compile("iris_logreg", Visibility())
        let claim = try PF.proveClaim("iris_logreg", compiled, input: try PF.input("iris_logreg")).claim
        XCTAssertEqual(try ClaimVerifier.auditProblems(claim, compiled: compiled, onnx: onnx), [])
        // A corrupt model file is malformed input (exit 2), not a verdict.
        assertModelError(try ClaimVerifier.auditProblems(claim, compiled: compiled, onnx: onnx + Data([0])))
        // The host compiles M′ (one weight changed) but keeps M's digest in circuit.json, sets up and proves: the audit
        // re-derives the graph from model.onnx and rejects the claim (the old audit compared it with circuit.json).
        let changed = try withOneWeightChanged(compiled)
        XCTAssertEqual(changed.model.onnxDigest, compiled.model.onnxDigest)
        let cheat = try PF.proveClaim("iris_logreg", changed, input: try PF.input("iris_logreg")).claim
        let p = try ClaimVerifier.auditProblems(cheat, compiled: changed, onnx: onnx)
        XCTAssertTrue(p.contains("model.quantizedDigest is not this quantized graph's"), "\(p)")
        XCTAssertTrue(p.contains("model.modelDigest is not this model's"), "\(p)")
        XCTAssertTrue(p.contains("circuit.json was not compiled from this ONNX file"), "\(p)")
    }
}
