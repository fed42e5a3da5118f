// Issue 12, items 2 and 3: the model identity is checkable against the ONNX file (`verify --model`), and with
// private weights the weights commitment is part of it (`modelDigest`, the statement, `--weights-commitment`).

import Foundation
import XCTest
import ZKAlgebra
import ZKGroth16
import ZKModel
import ZKClaim

private typealias PF = PrivacyFixtures

final class ModelIdentityTests: XCTestCase {
    /// A model M′ ≠ M compiled by a hostile host that writes M's digest into its circuit.json: the float graph of
    /// M with one weight of the first dense layer changed, quantized with M's settings and M's ONNX digest.
    func forgedCompile(of s: CompiledSample) throws -> CompiledModel {
        var g = s.graph
        let k = try XCTUnwrap(g.nodes.firstIndex { if case .dense = $0.op { return true } else { return false } })
        guard case .dense(let i, var w, let b, let nIn, let nOut) = g.nodes[k].op else { XCTFail("node \(k) is not dense"); return s.compiled }
        w[0] += 0.5
        g.nodes[k].op = .dense(input: i, weights: w, bias: b, inFeatures: nIn, outFeatures: nOut)
        let q = try Quantizer.quantize(g, options: QuantizationOptions(scaleBits: 8, calibration: s.calibration),
                                       onnxDigest: s.compiled.model.onnxDigest)
        return try CompiledModel(model: q)
    }

    func testForgedDigestIsCaughtByRederivingFromTheONNXFile() throws {
        let s = try SampleCache.get("digits_mlp")
        let forged = try forgedCompile(of: s)
        XCTAssertEqual(forged.model.onnxDigest, s.compiled.model.onnxDigest)
        XCTAssertNotEqual(forged.quantizedDigest, s.compiled.quantizedDigest)
        let x = try loadInputs("digits_mlp", "input.json")[0]
        let circuit = try forged.circuit(for: x)
        let pk = try Groth16.setup(circuit.system)
        let claim = try ClaimVerifier.makeClaim(name: "digits_mlp", compiled: forged, circuit: circuit, input: x,
                                                proof: try Groth16.prove(pk, witness: circuit.witness), verificationKey: pk.verificationKey)
        // Without the ONNX file, nothing distinguishes it: it verifies as a claim about M's file.
        XCTAssertTrue(try ClaimVerifier.verify(claim, key: pk.verificationKey).valid)
        // With M.onnx, the graph is re-derived and does not match.
        let v = try ClaimVerifier.verify(claim, key: pk.verificationKey, options: ClaimCheckOptions(onnx: s.onnx))
        XCTAssertFalse(v.valid)
        XCTAssertTrue(v.problems.contains { $0.hasPrefix("model.quantizedDigest is not the digest of the graph re-derived") }, "\(v.problems)")
        // The honest claim passes with the same file (SampleModelTests checks every sample model).
        let honest = try provenDigitsClaim()
        XCTAssertTrue(try ClaimVerifier.verify(honest.claim, key: honest.key, options: ClaimCheckOptions(onnx: s.onnx)).valid)
        // Edited recorded scales do not re-derive the claim's graph either.
        var edited = honest.claim
        edited.quantization.tensorScales = edited.quantization.tensorScales.map { $0.map { min(30, $0 + 1) } }
        XCTAssertFalse(try ClaimVerifier.verify(edited, key: honest.key, options: ClaimCheckOptions(onnx: s.onnx)).valid)
        // A claim without recorded scales cannot be re-derived: invalid with --model, not a pass.
        var old = honest.claim
        old.quantization.tensorScales = nil
        let vo = try ClaimVerifier.verify(old, key: honest.key, options: ClaimCheckOptions(onnx: s.onnx))
        XCTAssertFalse(vo.valid)
        XCTAssertTrue(vo.problems.contains { $0.contains("does not record its tensor scales") }, "\(vo.problems)")
        // A malformed file is an error (exit 2), not a verdict.
        assertModelError(try ClaimVerifier.verify(honest.claim, key: honest.key, options: ClaimCheckOptions(onnx: Data([0x08, 0xff]))))
    }

    func testCalibrationDigestAndScalesAreRecorded() throws {
        let s = try SampleCache.get("iris_logreg")
        var o = QuantizationOptions(scaleBits: 8, calibration: s.calibration)
        let calibrationFile = try Repo.data(Repo.sample("iris_logreg", "calibration.json"))
        o.calibrationDigest = try blake2bHex([UInt8](calibrationFile))
        let c = try CompiledModel.compile(onnx: s.onnx, options: o).0
        XCTAssertEqual(c.model.calibrationDigest, o.calibrationDigest)
        XCTAssertEqual(c.model.tensorScales?.count, s.graph.shapes.count)
        // Re-deriving with the recorded scales instead of the samples gives the same graph.
        var r = QuantizationOptions(scaleBits: 8)
        r.recorded = RecordedQuantization(tensorScales: try XCTUnwrap(c.model.tensorScales), inputBound: c.model.inputBound, calibrated: true)
        r.calibrationDigest = o.calibrationDigest
        let again = try CompiledModel.compile(onnx: s.onnx, options: r).0
        XCTAssertEqual(again.quantizedDigest, c.quantizedDigest)
        XCTAssertEqual(again.model, c.model)
    }

    /// One key proves two weight sets of the same bit widths; the claims name different model digests (and statement
    /// signals), and `--weights-commitment` pins one of them. (Before, both claims had the same modelDigest.)
    func testPrivateWeightsCommitmentIsPartOfTheIdentity() throws {
        let compiled = try PF.compile("iris_logreg", Visibility(input: .public, weights: .private))
        var m = compiled.model
        let k = try XCTUnwrap(m.nodes.firstIndex { $0.hasPrivateWeights })
        guard case .dense(let i, var w, let b, let nIn, let nOut) = m.nodes[k].op else { return XCTFail("dense expected") }
        w[0] += w[0] > 0 ? -1 : 1
        m.nodes[k].op = .dense(input: i, weights: w, bias: b, inFeatures: nIn, outFeatures: nOut)
        let other = try CompiledModel(model: m)
        XCTAssertEqual(other.statementDigest, compiled.statementDigest, "the weight-free identity is shared")
        XCTAssertNotEqual(other.modelDigest, compiled.modelDigest, "other weights, another model identity")

        let x = try PF.input("iris_logreg")
        let c1 = try compiled.circuit(for: x), c2 = try other.circuit(for: x)
        XCTAssertEqual(try circuitDigest(c1.system), try circuitDigest(c2.system), "one circuit, so one key, for both weight sets")
        XCTAssertEqual(try circuitDigest(try compiled.constraintSystem().system), try circuitDigest(c1.system),
                       "the constraint-only build (compile, setup) is the proving circuit, Poseidon constants included")
        XCTAssertNotEqual(c1.publicSignals[0], c2.publicSignals[0], "the statement signal covers the commitment")
        let pk = try Groth16.setup(c1.system)
        func claim(_ c: CompiledModel, _ circuit: ModelCircuit) throws -> Claim {
            try ClaimVerifier.makeClaim(name: "iris", compiled: c, circuit: circuit, input: x,
                                        proof: try Groth16.prove(pk, witness: circuit.witness), verificationKey: pk.verificationKey)
        }
        let claim1 = try claim(compiled, c1), claim2 = try claim(other, c2)
        XCTAssertTrue(try ClaimVerifier.verify(claim1, key: pk.verificationKey).valid)
        XCTAssertTrue(try ClaimVerifier.verify(claim2, key: pk.verificationKey).valid)
        XCTAssertNotEqual(claim1.model.modelDigest, claim2.model.modelDigest)
        // Pinning the first commitment rejects the second claim, and accepts the first.
        let pin = ClaimCheckOptions(weightsCommitment: try XCTUnwrap(compiled.weightsCommitment))
        XCTAssertTrue(try ClaimVerifier.verify(claim1, key: pk.verificationKey, options: pin).valid)
        let v2 = try ClaimVerifier.verify(claim2, key: pk.verificationKey, options: pin)
        XCTAssertFalse(v2.valid)
        XCTAssertTrue(v2.problems.contains { $0.hasPrefix("model.weightsCommitment is 0x") }, "\(v2.problems)")
        // The second claim cannot borrow the first identity: the model digest no longer matches its commitment.
        var borrowed = claim2
        borrowed.model.modelDigest = claim1.model.modelDigest
        XCTAssertFalse(try ClaimVerifier.verify(borrowed, key: pk.verificationKey).valid)
        // Nor the first commitment with its own proof: the statement and commitment signals no longer match the proof.
        var swapped = claim2
        swapped.model.weightsCommitment = claim1.model.weightsCommitment
        swapped.model.modelDigest = claim1.model.modelDigest
        swapped.publicSignals = claim1.publicSignals
        XCTAssertFalse(try ClaimVerifier.verify(swapped, key: pk.verificationKey).valid)
        // The hex form round-trips.
        let c = try XCTUnwrap(compiled.weightsCommitment)
        XCTAssertEqual(Fr(hex: c.hex), c)
        XCTAssertNil(Fr(hex: "0x" + String(repeating: "f", count: 64)), "≥ r is not canonical")
        XCTAssertNil(Fr(hex: "0x123"))
    }
}
