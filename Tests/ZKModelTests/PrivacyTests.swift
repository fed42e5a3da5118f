// Issue 6 ("private weights, hidden inputs, receipts"): the privacy properties a verifier relies on.
//
// * WeightBindingPrivacyTests: private weights are bound by the public commitment — another set
//   of weights (one unit apart) has another commitment, and neither the claim checks nor Groth16
//   accept the original proof under it; the honest circuit for the other weights is the same
//   constraint system but produces the other commitment.
// * CircuitBindingPrivacyTests: the binding inside the circuit (witness tampering, the packing
//   overflow that only the range checks rule out).
// * InputPrivacyTests: hashed and private inputs in claims.
// * CostSplitPrivacyTests: what private weights cost.
// * LargeModelPrivacyTests: the WeightBinding checks on the two 28×28 models.
// Signatures and leak checks are in PrivacySignatureTests.swift / PrivacyLeakTests.swift,
// helpers in PrivacySupport.swift; the CLI side in Tests/zkinferCLITests/PrivacyCLITests.swift.
// Every class name ends in "PrivacyTests": `--filter PrivacyTests` selects them all.
//
// Tests run in release (public API only).

import Foundation
import XCTest
import ZKAlgebra
import ZKConstraints
import ZKGroth16
import ZKModel
import ZKClaim
import ZKPoseidon

private typealias PF = PrivacyFixtures

final class WeightBindingPrivacyTests: XCTestCase {
    /// Everything issue 6 asks of a model with private weights; `proveOther` also proves the
    /// other weights with the same key (a second proof).
    static func checkBinding(_ name: String, proveOther: Bool = true) throws {
        let clock = ContinuousClock()
        let start = clock.now
        let compiled = try PF.compile(name, Visibility(input: .public, weights: .private))
        let compileTime = PF.seconds(clock.now - start)
        let m = compiled.model
        let commitment = try XCTUnwrap(compiled.weightsCommitment)
        let input = try PF.input(name)
        let p = try PF.proveClaim(name, compiled, input: input)
        let vk = p.verificationKey

        // The honest claim: the commitment is public signal 1 and the claim verifies.
        XCTAssertEqual(p.circuit.publicSignals[1], commitment)
        XCTAssertEqual(p.claim.publicSignalLayout.prefix(2), ["statement", "weights_commitment"])
        XCTAssertEqual(p.claim.model.weightsCommitment, commitment.description)
        XCTAssertEqual(p.circuit.output, try IntegerInterpreter.run(m, input: m.quantizeInput(input)))
        XCTAssertEqual(p.circuit.publicSignals, try CircuitLowering.publicSignals(digest: compiled.statementDigest, header: StatementHeader(model: compiled.model), weightsCommitment: commitment,
                                                                              input: try m.quantizeInput(input), inputHash: nil, output: p.circuit.output))
        let split = p.circuit.costSplit
        XCTAssertEqual(split.multiplications, PF.weightUses(m).inBounds)
        XCTAssertEqual(split.multiplications + split.rangeChecks + split.hashing + split.binding + split.other, p.circuit.system.constraintCount)
        let honest = try ClaimVerifier.verify(p.claim, key: vk)
        XCTAssertTrue(honest.valid, "\(honest.problems)")

        // The commitment is Poseidon.hashMany([salt] ++ packed weights), as documented.
        let salt = try XCTUnwrap(m.weightSalt.flatMap { Fr(decimal: $0) })
        XCTAssertEqual(Poseidon.hashMany([salt] + PF.packedWords(PF.privateParameters(m))), commitment)

        // Other weights: one weight of the first private layer moved by one unit (inside its width).
        let node = try XCTUnwrap(PF.firstPrivateNode(m))
        let j = node.weights.count / 2
        let other = PF.modifyingParameters(m, node: node.index, weights: true) { $0[j] = PF.oneUnitChange($0[j], bits: node.wb) }
        XCTAssertNotEqual(other, m)
        XCTAssertNoThrow(try other.validate(), "the changed weight stays inside its bit width")
        let otherCommitment = try CircuitLowering.weightCommitment(other)
        XCTAssertNotEqual(otherCommitment, commitment)
        // The weight-free identity (and so the circuit) is shared; the model digest folds in the commitment, so it differs.
        let otherCompiled = try CompiledModel(model: other)
        XCTAssertEqual(otherCompiled.statementDigest, compiled.statementDigest)
        XCTAssertNotEqual(otherCompiled.modelDigest, compiled.modelDigest)
        XCTAssertEqual(otherCompiled.weightsCommitment, otherCommitment)

        // (a) The claim restated with the other commitment (field, model digest, statement and commitment signals, all
        // consistent): only the proof can catch it, and it does.
        var forged = p.claim
        forged.model.weightsCommitment = otherCommitment.description
        forged.model.modelDigest = otherCompiled.modelDigest
        forged.publicSignals[0] = try CircuitLowering.statementSignal(statementDigest: compiled.statementDigest, header: StatementHeader(model: m),
                                                                      weightsCommitment: otherCommitment).description
        forged.publicSignals[1] = otherCommitment.description
        var v = try ClaimVerifier.verify(forged, key: vk)
        XCTAssertFalse(v.valid)
        XCTAssertEqual(v.problems, ["the Groth16 proof does not verify for these public signals"])
        // The commitment signal alone changed: the model digest and the statement give it away before the proof.
        forged = p.claim
        forged.model.weightsCommitment = otherCommitment.description
        forged.publicSignals[1] = otherCommitment.description
        v = try ClaimVerifier.verify(forged, key: vk)
        XCTAssertTrue(v.problems.contains("model.modelDigest is not BLAKE2b(onnxDigest ‖ quantizedDigest ‖ weightsCommitment)"), "\(v.problems)")
        // Only the field changed: caught before the proof.
        forged = p.claim
        forged.model.weightsCommitment = otherCommitment.description
        XCTAssertFalse(try ClaimVerifier.verify(forged, key: vk).valid)
        // Without a commitment at all.
        forged = p.claim
        forged.model.weightsCommitment = nil
        XCTAssertFalse(try ClaimVerifier.verify(forged, key: vk).valid)

        // (b) Another output, consistently restated: the proof fails.
        for k in [0, p.claim.output.quantized.count - 1] {
            v = try ClaimVerifier.verify(PF.claimWithOutput(p.claim, k, delta: 1), key: vk)
            XCTAssertFalse(v.valid)
            XCTAssertEqual(v.problems, ["the Groth16 proof does not verify for these public signals"])
        }

        // (c) The honest circuit for the other weights: same constraint system, its own witness
        // satisfies it, but its public signal 1 is the other commitment.
        let q = try m.quantizeInput(input)
        let otherCircuit = try CircuitLowering.build(other, input: q, digest: compiled.statementDigest)
        XCTAssertNoThrow(try otherCircuit.system.check(otherCircuit.witness))
        XCTAssertEqual(try circuitDigest(otherCircuit.system), try circuitDigest(p.circuit.system), "weights are witness values, not constants")
        XCTAssertEqual(otherCircuit.publicSignals[1], otherCommitment)
        XCTAssertNotEqual(otherCircuit.publicSignals[1], p.circuit.publicSignals[1])
        // Its witness with the original commitment put in (wire 2 = public signal 1) does not satisfy the system.
        var spliced = otherCircuit.witness
        spliced[2] = commitment
        XCTAssertFalse(otherCircuit.system.isSatisfied(by: spliced))

        // (d) Groth16 directly: the proof verifies only with the original commitment.
        var publics = p.circuit.publicSignals
        XCTAssertTrue(try Groth16.verify(vk, proof: p.proof, publicInputs: publics))
        publics[1] = otherCommitment
        XCTAssertFalse(try Groth16.verify(vk, proof: p.proof, publicInputs: publics))

        var otherProve = 0.0
        if proveOther {
            // The same key proves the other weights, but only under their own commitment.
            let t = clock.now
            let otherProof = try Groth16.prove(p.provingKey, witness: otherCircuit.witness)
            otherProve = PF.seconds(clock.now - t)
            XCTAssertTrue(try Groth16.verify(vk, proof: otherProof, publicInputs: otherCircuit.publicSignals))
            var mixed = otherCircuit.publicSignals
            mixed[1] = commitment
            XCTAssertFalse(try Groth16.verify(vk, proof: otherProof, publicInputs: mixed))
            // The forgery attempted end to end: the other weights' witness carrying the original
            // commitment, proved anyway (the prover does not check), does not verify.
            let forgedProof = try Groth16.prove(p.provingKey, witness: spliced)
            XCTAssertFalse(try Groth16.verify(vk, proof: forgedProof, publicInputs: Array(spliced[1...otherCircuit.system.publicCount])))
        }
        print(String(format: "[privacy] %@ private weights: %d constraints (mul %d, range %d, hash %d, binding %d, other %d); compile %.2f s, witness %.2f s, setup %.2f s, prove %.2f s%@",
                     name, p.circuit.system.constraintCount, p.circuit.costSplit.multiplications, p.circuit.costSplit.rangeChecks,
                     p.circuit.costSplit.hashing, p.circuit.costSplit.binding, p.circuit.costSplit.other,
                     compileTime, p.timings.witness, p.timings.setup, p.timings.prove,
                     proveOther ? String(format: ", second prove %.2f s", otherProve) : ""))
    }

    func testIrisLogregPrivateWeights() throws { try Self.checkBinding("iris_logreg") }
    func testDigitsMLPPrivateWeights() throws { try Self.checkBinding("digits_mlp") }
    func testDigitsCNNPrivateWeights() throws { try Self.checkBinding("digits_cnn") }
}

final class CircuitBindingPrivacyTests: XCTestCase {
    /// The circuit with labels, for the honest input of `name`.
    func labelled(_ name: String) throws -> (CompiledModel, ModelCircuit, [Int]) {
        let compiled = try PF.compile(name, Visibility(input: .public, weights: .private))
        let q = try compiled.model.quantizeInput(PF.input(name))
        let c = try CircuitLowering.build(compiled.model, input: q, digest: compiled.statementDigest, recordsLabels: true)
        try c.system.check(c.witness)
        return (compiled, c, q)
    }

    /// A weight wire changed in the witness (nothing else): the check fails. The weight wires are
    /// found as the left factor of the `dense.mul` / `conv.mul` products.
    func checkWeightWireTampering(_ name: String) throws {
        let (compiled, c, _) = try labelled(name)
        let weights = Set(compiled.model.nodes.flatMap { n -> [Int] in
            switch n.op {
            case .dense(_, let w, _, _, _) where n.hasPrivateWeights: return w
            case .conv(_, let w, _, _, _) where n.hasPrivateWeights: return w
            default: return []
            }
        }.map { Fr(signed: Int64($0)) })
        var wires: [Int] = []
        for i in 0..<c.system.constraintCount where ["dense.mul", "conv.mul"].contains(c.system.label(i) ?? "") {
            let a = c.system.terms(i, .a)
            XCTAssertEqual(a.count, 1)
            XCTAssertEqual(a.first?.coefficient, .one)
            if let w = a.first?.wire { wires.append(w) }
        }
        let distinct = Array(Set(wires)).sorted()
        XCTAssertEqual(wires.count, PF.weightUses(compiled.model).inBounds)
        XCTAssertFalse(distinct.isEmpty)
        // Sample: the first, last and every 97th distinct weight wire.
        let sample = Set([distinct.first!, distinct.last!] + stride(from: 0, to: distinct.count, by: 97).map { distinct[$0] })
        for w in sample.sorted() {
            XCTAssertTrue(weights.contains(c.witness[w]), "wire \(w) holds a weight")
            for delta in [Fr.one, -Fr.one, Fr(2).power(8)] {
                var bad = c.witness
                bad[w] += delta
                XCTAssertThrowsError(try c.system.check(bad), "\(name): weight wire \(w) + \(delta)")
            }
        }
    }

    func testWeightWireTamperingIris() throws { try checkWeightWireTampering("iris_logreg") }
    func testWeightWireTamperingDigitsMLP() throws { try checkWeightWireTampering("digits_mlp") }
    func testWeightWireTamperingDigitsCNN() throws { try checkWeightWireTampering("digits_cnn") }

    /// The packing overflow: weight j + 2^wb and weight j+1 − 1 pack to the same word, so the
    /// commitment is the same; the circuit (every wire re-solved honestly for these weights)
    /// then fails exactly at that weight's range check, and the commitment constraint holds.
    func checkPackingOverflow(_ name: String) throws {
        let (compiled, c, q) = try labelled(name)
        let m = compiled.model
        let node = try XCTUnwrap(PF.firstPrivateNode(m))
        let wb = node.wb
        // j, j+1 in the first packed word (the first node starts word 0), w[j+1] − 1 still in range.
        let perWord = 248 / wb
        let j = try XCTUnwrap((0..<min(perWord - 1, node.weights.count - 1)).first { node.weights[$0 + 1] > -(1 << (wb - 1)) })
        let forged = PF.modifyingParameters(m, node: node.index, weights: true) {
            $0[j] += 1 << wb
            $0[j + 1] -= 1
        }
        XCTAssertThrowsError(try forged.validate(), "the model check rejects a weight beyond its bit width")
        XCTAssertEqual(PF.packedWords(PF.privateParameters(forged)), PF.packedWords(PF.privateParameters(m)))
        XCTAssertEqual(try CircuitLowering.weightCommitment(forged), compiled.weightsCommitment, "same packed words, same commitment")

        let fc = try CircuitLowering.build(forged, input: q, digest: compiled.statementDigest, recordsLabels: true)
        XCTAssertEqual(try circuitDigest(fc.system), try circuitDigest(c.system))
        XCTAssertEqual(fc.publicSignals[1], compiled.weightsCommitment)
        XCTAssertThrowsError(try fc.system.check(fc.witness)) { error in
            XCTAssertEqual((error as? UnsatisfiedConstraint)?.label, "signedBits[0]", "\(error)")
        }
        let bad = PF.unsatisfied(fc.system, fc.witness)
        XCTAssertFalse(bad.isEmpty)
        XCTAssertFalse(bad.contains { $0.1 == "weights commitment" }, "the hash binding itself is satisfied: only range checks stop the forgery")
        XCTAssertTrue(bad.allSatisfy { ($0.1 ?? "").hasPrefix("signedBits") }, "\(bad.prefix(10))")
        // The honest witness shows where the forged weight's range check sits: the first failure
        // precedes every product of that layer.
        let firstMul = (0..<fc.system.constraintCount).first { ["dense.mul", "conv.mul"].contains(fc.system.label($0) ?? "") }
        XCTAssertLessThan(try XCTUnwrap(bad.first).0, try XCTUnwrap(firstMul))
    }

    func testPackingOverflowIris() throws { try checkPackingOverflow("iris_logreg") }
    func testPackingOverflowDigitsMLP() throws { try checkPackingOverflow("digits_mlp") }
    func testPackingOverflowDigitsCNN() throws { try checkPackingOverflow("digits_cnn") }

    /// Honestly solved circuits for other weights, biases of every private layer included: with
    /// the original commitment spliced in, the commitment constraint is what fails.
    func testEveryParameterClassIsBound() throws {
        for name in ["iris_logreg", "digits_mlp", "digits_cnn"] {
            let (compiled, _, q) = try labelled(name)
            let m = compiled.model
            var changes = 0
            for (k, n) in m.nodes.enumerated() {
                guard let wb = n.weightBits, let bb = n.biasBits else { continue }
                for (isWeight, bits) in [(true, wb), (false, bb)] {
                    let other = PF.modifyingParameters(m, node: k, weights: isWeight) { $0[$0.count - 1] = PF.oneUnitChange($0[$0.count - 1], bits: bits) }
                    let oc = try CircuitLowering.build(other, input: q, digest: compiled.statementDigest, recordsLabels: true)
                    XCTAssertNoThrow(try oc.system.check(oc.witness))
                    XCTAssertNotEqual(oc.publicSignals[1], compiled.weightsCommitment, "\(name) node \(k) \(isWeight ? "weight" : "bias")")
                    var spliced = oc.witness
                    spliced[2] = try XCTUnwrap(compiled.weightsCommitment)
                    // The commitment binding fails; so does the statement hash (statement = Poseidon(base, commitment)), whose
                    // wires were solved for the other commitment — and nothing else.
                    let statementEnd = try XCTUnwrap((0..<oc.system.constraintCount).first {
                        oc.system.label($0) == "statement (model digest, header and weights commitment)" })
                    let violated = PF.unsatisfied(oc.system, spliced)
                    XCTAssertTrue(violated.contains { $0.1 == "weights commitment" }, "\(violated)")
                    XCTAssertTrue(violated.allSatisfy { $0.1 == "weights commitment" || $0.0 <= statementEnd }, "\(violated)")
                    changes += 1
                }
            }
            XCTAssertGreaterThanOrEqual(changes, 2, name)
        }
    }
}

final class InputPrivacyTests: XCTestCase {
    /// `round(x·2^scale)`, half away from zero: the documented input quantization, re-done here.
    func quantized(_ x: [Double], scale: Int) -> [Int] { x.map { Int(($0 * Double(sign: .plus, exponent: scale, significand: 1)).rounded()) } }

    func testHashedInputClaims() throws {
        let name = "iris_logreg"
        let compiled = try PF.compile(name, Visibility(input: .hashed, weights: .private))
        let input = try PF.input(name)
        let salt = Fr.random()
        let p = try PF.proveClaim(name, compiled, input: input, inputSalt: salt)
        let vk = p.verificationKey
        let q = quantized(input, scale: compiled.model.inputTensor.scale)
        XCTAssertEqual(q, try compiled.model.quantizeInput(input))
        let hash = Poseidon.hashMany([salt] + q.map { Fr(signed: Int64($0)) })
        XCTAssertEqual(p.claim.input.hash, hash.description)
        XCTAssertEqual(p.claim.input.visibility, .hashed)
        XCTAssertEqual(p.claim.input.values, [])
        XCTAssertEqual(p.claim.input.quantized, [])
        XCTAssertEqual(p.claim.publicSignalLayout, ["statement", "weights_commitment", "input_hash", "output[3]"])
        XCTAssertEqual(p.circuit.publicSignals[2], hash)
        XCTAssertEqual(p.claim.publicSignals[2], hash.description)
        let verdict = try ClaimVerifier.verify(p.claim, key: vk)
        XCTAssertTrue(verdict.valid, "\(verdict.problems)")

        // Another hash, consistently restated: the proof fails.
        let otherInput = quantized(try PF.testInputs(name)[1], scale: compiled.model.inputTensor.scale)
        XCTAssertNotEqual(otherInput, q)
        for other in [hash + .one, Poseidon.hashMany([salt + .one] + q.map { Fr(signed: Int64($0)) }),
                      Poseidon.hashMany([salt] + otherInput.map { Fr(signed: Int64($0)) })] {
            XCTAssertNotEqual(other, hash)
            var c = p.claim
            c.input.hash = other.description
            c.publicSignals[2] = other.description
            let v = try ClaimVerifier.verify(c, key: vk)
            XCTAssertFalse(v.valid)
            XCTAssertEqual(v.problems, ["the Groth16 proof does not verify for these public signals"])
            XCTAssertFalse(try Groth16.verify(vk, proof: p.proof, publicInputs: c.publicSignals.map { try Fr(snarkjsDecimal: $0) }))
        }
        // input.hash alone changed, or missing, or the input stated as well: invalid before the proof.
        var c = p.claim
        c.input.hash = (hash + .one).description
        XCTAssertFalse(try ClaimVerifier.verify(c, key: vk).valid)
        c = p.claim
        c.input.hash = nil
        XCTAssertFalse(try ClaimVerifier.verify(c, key: vk).valid)
        c = p.claim
        c.input.quantized = q
        c.input.values = compiled.model.dequantize(q, tensor: 0)
        XCTAssertFalse(try ClaimVerifier.verify(c, key: vk).valid)

        // A fresh salt blinds the same input to another hash; salt 0 is the unblinded hash.
        let again = try compiled.circuit(for: input, inputSalt: Fr.random())
        XCTAssertNotEqual(again.publicSignals[2], hash)
        XCTAssertEqual(again.output, p.circuit.output)
        let unsalted = try compiled.circuit(for: input)
        XCTAssertEqual(unsalted.publicSignals[2], Poseidon.hashMany([.zero] + q.map { Fr(signed: Int64($0)) }))

        // In the circuit: the hash signal is bound (another hash with the honest witness fails).
        var w = p.circuit.witness
        w[3] = hash + .one
        XCTAssertFalse(p.circuit.system.isSatisfied(by: w))
    }

    func testHashedInputPublicWeights() throws {
        let name = "digits_mlp"
        let compiled = try PF.compile(name, Visibility(input: .hashed, weights: .public))
        let input = try PF.input(name)
        let salt = Fr.random()
        let p = try PF.proveClaim(name, compiled, input: input, inputSalt: salt)
        XCTAssertEqual(p.claim.publicSignalLayout, ["statement", "input_hash", "output[10]"])
        let q = quantized(input, scale: compiled.model.inputTensor.scale)
        XCTAssertEqual(p.claim.input.hash, Poseidon.hashMany([salt] + q.map { Fr(signed: Int64($0)) }).description)
        XCTAssertTrue(try ClaimVerifier.verify(p.claim, key: p.verificationKey).valid)
        var c = p.claim
        let other = (try Fr(snarkjsDecimal: c.publicSignals[1]) + .one).description
        c.input.hash = other
        c.publicSignals[1] = other
        XCTAssertFalse(try ClaimVerifier.verify(c, key: p.verificationKey).valid)
    }

    func testPrivateInputClaims() throws {
        let name = "iris_logreg"
        let compiled = try PF.compile(name, Visibility(input: .private, weights: .private))
        let input = try PF.input(name)
        let p = try PF.proveClaim(name, compiled, input: input)
        let vk = p.verificationKey
        XCTAssertEqual(p.claim.input.values, [])
        XCTAssertEqual(p.claim.input.quantized, [])
        XCTAssertNil(p.claim.input.hash)
        XCTAssertEqual(p.claim.input.visibility, .private)
        XCTAssertEqual(p.claim.publicSignalLayout, ["statement", "weights_commitment", "output[3]"])
        XCTAssertEqual(p.claim.publicSignals.count, 2 + 3)
        let verdict = try ClaimVerifier.verify(p.claim, key: vk)
        XCTAssertTrue(verdict.valid, "\(verdict.problems)")

        // Stating the input anyway (the true one): flagged.
        let q = try compiled.model.quantizeInput(input)
        var c = p.claim
        c.input.quantized = q
        c.input.values = compiled.model.dequantize(q, tensor: 0)
        var v = try ClaimVerifier.verify(c, key: vk)
        XCTAssertFalse(v.valid)
        XCTAssertEqual(v.problems, ["a hidden input must not be stated in the claim"])
        c = p.claim
        c.input.values = input
        XCTAssertFalse(try ClaimVerifier.verify(c, key: vk).valid)
        // A hash for a private input, or a claim that says the input is public.
        c = p.claim
        c.input.hash = "1"
        XCTAssertFalse(try ClaimVerifier.verify(c, key: vk).valid)
        c = p.claim
        c.input.visibility = nil
        XCTAssertFalse(try ClaimVerifier.verify(c, key: vk).valid)
        c = p.claim
        c.visibility.input = .public
        c.input.visibility = nil
        c.input.quantized = q
        c.input.values = compiled.model.dequantize(q, tensor: 0)
        v = try ClaimVerifier.verify(c, key: vk)
        XCTAssertFalse(v.valid)
        // The output is still bound.
        v = try ClaimVerifier.verify(PF.claimWithOutput(p.claim, 0, delta: -1), key: vk)
        XCTAssertEqual(v.problems, ["the Groth16 proof does not verify for these public signals"])
    }

    /// A private input outside the range the circuit checks cannot be witnessed: the input wire
    /// moved past its bound fails the check.
    func testPrivateInputIsRangeChecked() throws {
        let name = "iris_logreg"
        let compiled = try PF.compile(name, Visibility(input: .private, weights: .public))
        let q = try compiled.model.quantizeInput(PF.input(name))
        let c = try CircuitLowering.build(compiled.model, input: q, digest: compiled.statementDigest, recordsLabels: true)
        try c.system.check(c.witness)
        // Public signals: digest, output[3]; the first private wire is input[0].
        let first = 1 + c.system.publicCount
        XCTAssertEqual(c.witness[first], Fr(signed: Int64(q[0])))
        // The input's range checks come first (after the digest binding): the check fails there.
        let inputRow = try XCTUnwrap(c.layers.first { $0.layer.hasPrefix("(input") })
        XCTAssertGreaterThan(inputRow.rangeBits, 0)
        let hi = compiled.model.inputTensor.hi[0]
        for v in [q[0] + 4 * hi + 4, -4 * hi - 4, hi + 1 + (1 << 20)] {
            var bad = c.witness
            bad[first] = Fr(signed: Int64(v))
            XCTAssertThrowsError(try c.system.check(bad)) { error in
                let u = error as? UnsatisfiedConstraint
                XCTAssertEqual(u?.label, "input range", "\(error)")
                XCTAssertLessThanOrEqual(u?.index ?? .max, inputRow.constraints, "fails at the input's own range check")
            }
        }
    }
}

final class CostSplitPrivacyTests: XCTestCase {
    func checkCost(_ name: String, file: String? = nil) throws {
        for weights in WeightVisibility.allCases {
            for input in InputVisibility.allCases {
                let compiled: CompiledModel
                if let file {
                    let onnx = try Data(contentsOf: PF.circuits.appendingPathComponent("ops").appendingPathComponent(file))
                    compiled = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(visibility: Visibility(input: input, weights: weights))).0
                } else {
                    compiled = try PF.compile(name, Visibility(input: input, weights: weights))
                }
                let c = try compiled.constraintSystem()
                let s = c.costSplit
                let label = "\(name) weights \(weights) input \(input)"
                XCTAssertEqual(s.multiplications + s.rangeChecks + s.hashing + s.binding + s.other, c.system.constraintCount, label)
                XCTAssertEqual(c.layers.reduce(0) { $0 + $1.constraints } + c.bindingConstraints, c.system.constraintCount, label)
                let uses = PF.weightUses(compiled.model)
                if weights == .private {
                    XCTAssertEqual(s.multiplications, uses.inBounds, label)
                    XCTAssertGreaterThan(s.multiplications, 0, label)
                    XCTAssertGreaterThan(s.hashing, 0, label)
                    // Each parameter is range-checked to its width: that many constraints at least.
                    let bits = PF.privateParameters(compiled.model).reduce(0) { $0 + $1.bits }
                    XCTAssertGreaterThanOrEqual(s.rangeChecks, bits, label)
                } else {
                    XCTAssertEqual(s.multiplications, 0, label)
                    XCTAssertEqual(uses.inBounds, 0, label)
                    XCTAssertEqual(s.hashing > 0, input == .hashed, label)
                }
                if weights == .private, input == .public, uses.inBounds != uses.fullWindows { print("[privacy] \(name): \(uses.fullWindows - uses.inBounds) conv taps fall on padding (no multiplication)") }
            }
        }
    }

    func testIrisCost() throws { try checkCost("iris_logreg") }
    func testDigitsMLPCost() throws { try checkCost("digits_mlp") }
    func testDigitsCNNCost() throws { try checkCost("digits_cnn") }
    func testStridedPaddedConvCost() throws { try checkCost("conv_stride_pad_globalavg", file: "conv_stride_pad_globalavg.onnx") }
    func testMaxPoolConvCost() throws { try checkCost("maxpool_stride1", file: "maxpool_stride1.onnx") }

    /// Dense: exactly in × out products per private layer (no padding to account for).
    func testDenseUsesAreInTimesOut() throws {
        let compiled = try PF.compile("digits_mlp", Visibility(input: .public, weights: .private))
        let dims = compiled.model.nodes.compactMap { n -> Int? in
            if case .dense(_, _, _, let i, let o) = n.op { return i * o } else { return nil }
        }
        XCTAssertEqual(dims, [64 * 32, 32 * 10])
        XCTAssertEqual(try compiled.constraintSystem().costSplit.multiplications, 64 * 32 + 32 * 10)
    }
}

/// The two 28×28 models (~400k–500k constraints with private weights): the full check of
/// WeightBindingPrivacyTests (setup + prove ≈ 30–45 s each on the 2-core build machine; the
/// second prove of the other weights is skipped). `ZKINFER_PRIVACY_QUICK=1` runs a reduced check
/// instead (no Groth16): constraint count and cost split, witness satisfaction, the commitment
/// as public signal 1, and the binding (other weights give another commitment; the original
/// spliced into their witness fails).
final class LargeModelPrivacyTests: XCTestCase {
    var quick: Bool { ProcessInfo.processInfo.environment["ZKINFER_PRIVACY_QUICK"] == "1" }

    func checkReduced(_ name: String) throws {
        if !quick { return try WeightBindingPrivacyTests.checkBinding(name, proveOther: false) }
        let clock = ContinuousClock()
        var t = clock.now
        let compiled = try PF.compile(name, Visibility(input: .public, weights: .private))
        let compileTime = PF.seconds(clock.now - t)
        let m = compiled.model
        let commitment = try XCTUnwrap(compiled.weightsCommitment)
        let input = try PF.input(name)
        let q = try m.quantizeInput(input)
        t = clock.now
        let c = try compiled.circuit(for: input)
        let witnessTime = PF.seconds(clock.now - t)
        t = clock.now
        try c.system.check(c.witness)
        let checkTime = PF.seconds(clock.now - t)
        let s = c.costSplit
        XCTAssertEqual(s.multiplications + s.rangeChecks + s.hashing + s.binding + s.other, c.system.constraintCount)
        XCTAssertEqual(s.multiplications, PF.weightUses(m).inBounds)
        XCTAssertGreaterThan(s.hashing, 0)
        XCTAssertEqual(try compiled.constraintSystem().system.constraintCount, c.system.constraintCount)
        XCTAssertEqual(c.publicSignals[1], commitment)
        XCTAssertEqual(c.output, try IntegerInterpreter.run(m, input: q))
        XCTAssertEqual(c.publicSignals, try CircuitLowering.publicSignals(digest: compiled.statementDigest, header: StatementHeader(model: compiled.model), weightsCommitment: commitment,
                                                                      input: q, inputHash: nil, output: c.output))
        // Binding: one weight one unit off → another commitment; the original spliced in fails.
        let node = try XCTUnwrap(PF.firstPrivateNode(m))
        let j = node.weights.count / 2
        let other = PF.modifyingParameters(m, node: node.index, weights: true) { $0[j] = PF.oneUnitChange($0[j], bits: node.wb) }
        let oc = try CircuitLowering.build(other, input: q, digest: compiled.statementDigest)
        XCTAssertEqual(try circuitDigest(oc.system), try circuitDigest(c.system))
        XCTAssertTrue(oc.system.isSatisfied(by: oc.witness))
        XCTAssertNotEqual(oc.publicSignals[1], commitment)
        XCTAssertEqual(oc.publicSignals[1], try CircuitLowering.weightCommitment(other))
        var spliced = oc.witness
        spliced[2] = commitment
        XCTAssertFalse(oc.system.isSatisfied(by: spliced))
        print(String(format: "[privacy] %@ private weights (reduced check, no Groth16): %d constraints (mul %d, range %d, hash %d, binding %d, other %d), %d wires; compile %.2f s, witness %.2f s, check %.2f s",
                     name, c.system.constraintCount, s.multiplications, s.rangeChecks, s.hashing, s.binding, s.other, c.system.wireCount,
                     compileTime, witnessTime, checkTime))
    }

    func testMnistMLPPrivateWeights() throws { try checkReduced("mnist_mlp_784_56_10") }
    func testMnistCNNPrivateWeights() throws { try checkReduced("mnist_cnn_lenet") }
}
