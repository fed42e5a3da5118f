// Issue 12, item 1: the input range check is exact, so the interval bounds the lowering relies on (here: the Clip
// side it drops) hold for every satisfying witness.

import Foundation
import XCTest
import ZKAlgebra
import ZKConstraints
import ZKGroth16
import ZKModel
import ZKClaim

final class ExactRangeTests: XCTestCase {
    static let clipONNX = Repo.fixtures.appendingPathComponent("soundness").appendingPathComponent("clip01.onnx")

    /// Clip(0, 1) calibrated to inputs in [0, 1]: the bounds say the upper side cannot trigger, so it is dropped.
    func compileClip(_ input: InputVisibility, checkInputRange: Bool = false) throws -> CompiledModel {
        var o = QuantizationOptions(scaleBits: 8, calibration: [[0, 0.25, 0.5, 1]], visibility: Visibility(input: input))
        o.checkInputRange = checkInputRange
        return try CompiledModel.compile(onnx: try Data(contentsOf: Self.clipONNX), options: o).0
    }

    static let settings: [(InputVisibility, Bool)] = [(.private, false), (.hashed, false), (.public, true)]

    func testOutOfRangeInputsFailTheCheckWithEveryOtherWireSolved() throws {
        for (visibility, check) in Self.settings {
            let c = try compileClip(visibility, checkInputRange: check)
            let t = c.model.inputTensor
            let (lo, hi) = (t.lo[0], t.hi[0])
            guard case .clamp(_, _, let mx?) = c.model.nodes[0].op else { return XCTFail("expected a Clip with an upper side") }
            XCTAssertLessThanOrEqual(hi, mx, "the upper side is provably inactive, so the lowering drops it")
            for good in [lo, hi, 0] {
                let circuit = try CircuitLowering.build(c.model, input: [good, 0, 0, 0], digest: c.statementDigest, inputSalt: Fr(7))
                XCTAssertTrue(circuit.system.isSatisfied(by: circuit.witness), "\(visibility): \(good) is in range")
            }
            for bad in [lo - 1, hi + 1, 2 * hi - 1] {
                // A hostile prover's witness: every wire solved from the out-of-range input.
                let circuit = try CircuitLowering.build(c.model, input: [0, bad, 0, 0], digest: c.statementDigest, inputSalt: Fr(7),
                                                        recordsLabels: true, solveOutOfRangeInput: true)
                assertUnsatisfied(circuit.system, circuit.witness, "\(visibility) input \(bad) outside [\(lo), \(hi)]")
                // Only the input range check is violated: everything downstream accepts the value.
                let violated = PrivacyFixtures.unsatisfied(circuit.system, circuit.witness)
                XCTAssertTrue(violated.allSatisfy { $0.1 == "input range" }, "\(visibility) input \(bad): \(violated)")
            }
        }
    }

    /// The attack of the issue: a hidden input of hi + 1 would pass through the dropped upper side and claim an output
    /// above 1, which Clip(0, 1) cannot produce. No proof for it verifies.
    func testClipModelCannotBeProvenWithAHiddenInputAboveTheRange() throws {
        for (visibility, check) in Self.settings {
            let c = try compileClip(visibility, checkInputRange: check)
            let hi = c.model.inputTensor.hi[0]
            let forged = try CircuitLowering.build(c.model, input: [hi + 1, 0, 0, 0], digest: c.statementDigest, inputSalt: Fr(3),
                                                   solveOutOfRangeInput: true)
            XCTAssertEqual(forged.output[0], hi + 1, "the dropped side would let the out-of-range value through")
            XCTAssertFalse(forged.system.isSatisfied(by: forged.witness))
            let pk = try Groth16.setup(try c.constraintSystem().system)
            let proof = try Groth16.prove(pk, witness: forged.witness)
            XCTAssertFalse(try Groth16.verify(pk.verificationKey, proof: proof, publicInputs: forged.publicSignals),
                           "\(visibility): a proof of an impossible Clip output verified")
        }
    }
}
