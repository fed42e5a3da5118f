// The checks a verifier runs on a claim: making claims, decoding them strictly, verifying them.

import Foundation
import ZKModel
import ZKAlgebra
import ZKConstraints
import ZKFormats
import ZKGroth16
import ZKSodium

/// The verdict on a claim.
public struct ClaimVerdict: Sendable {
    public var valid: Bool
    /// Why it is invalid (empty when valid).
    public var problems: [String]
    /// The signer's public key (hex) when the claim is signed.
    public var signer: String? = nil
    /// nil: unsigned; otherwise whether the signature is valid (an invalid one makes the claim invalid).
    public var signatureValid: Bool? = nil
}

public enum ClaimVerifier {
    /// The claim's human-readable statement for its settings: `makeClaim` writes it and `verify` requires it verbatim,
    /// so a claim that verifies never carries an edited description.
    public static func statementText(privateWeights: Bool, input: InputVisibility) -> String {
        let hidden = input != .public
        return "output = model(input): the quantized model identified by model.modelDigest (ONNX file \(privateWeights ? "salted commitment " : "")onnxDigest, quantized graph quantizedDigest\(privateWeights ? ", private weights bound by weightsCommitment" : "")), run on \(hidden ? "a hidden input within the model's input range\(input == .hashed ? " whose Poseidon hash is input.hash" : "")" : "input.quantized"), yields output.quantized; proven with Groth16 over BN254 under the verification key verificationKeyDigest. output.transformed (if present) is computed from output.values outside the proof."
    }

    /// Builds a claim from a proof. `inputSalt` is the blinding of a hashed input. `circuitDigest`, when the
    /// caller has already computed ``circuitDigest(_:)`` of `circuit.system` (and checked it), saves recomputing it.
    public static func makeClaim(name: String, compiled: CompiledModel, circuit: ModelCircuit, input: [Double], proof: Proof,
                                 verificationKey: VerificationKey, inputSalt: Fr = .zero,
                                 circuitDigest knownCircuitDigest: String? = nil) throws -> Claim {
        let m = compiled.model
        let qIn = try m.quantizeInput(input)
        let outT = m.outputTensor
        let outValues = m.dequantize(circuit.output, tensor: m.output)
        let best = firstArgmax(circuit.output)
        let p = proof.snarkjs
        let pj = try JSONDecoder().decode(ClaimProof.self, from: try p.jsonData())
        let inVis = m.visibility.input
        let privateWeights = compiled.weightsCommitment != nil
        let layout = PublicSignalLayout(model: m).names
        let hash = inVis == .hashed ? CircuitLowering.inputHash(qIn.map { Fr(signed: Int64($0)) }, salt: inputSalt).description : nil
        let hidden = inVis != .public
        return Claim(
            claimVersion: Claim.version, zkinfer: zkinferVersion,
            statement: statementText(privateWeights: privateWeights, input: inVis),
            model: ClaimModel(name: name, onnxDigest: m.onnxDigest, quantizedDigest: compiled.quantizedDigest, modelDigest: compiled.modelDigest,
                              circuitDigest: try knownCircuitDigest ?? circuitDigest(circuit.system), constraints: circuit.system.constraintCount,
                              weightsCommitment: compiled.weightsCommitment?.description),
            verificationKeyDigest: try verificationKey.digest, visibility: m.visibility,
            quantization: ClaimQuantization(scaleBits: m.scaleBits, inputBound: m.inputBound, calibrated: m.calibrated, rounding: "half-up",
                                            inputRangeInCircuit: m.checksInputRangeInCircuit, tensorScales: m.tensorScales,
                                            calibrationDigest: m.calibrationDigest),
            publicSignalLayout: layout,
            input: ClaimTensor(shape: m.inputTensor.shape, values: hidden ? [] : m.dequantize(qIn, tensor: 0), quantized: hidden ? [] : qIn,
                               scale: m.inputTensor.scale, visibility: hidden ? inVis : nil, hash: hash),
            output: ClaimOutput(shape: outT.shape, values: outValues, quantized: circuit.output, scale: outT.scale,
                                transform: m.outputTransform,
                                transformed: m.outputTransform == .none ? nil : FloatInterpreter.applyTransform(m.outputTransform, outValues),
                                argmax: best,
                                label: try m.label.map { l in
                                    guard let i = circuit.label, l.classes.indices.contains(i) else { throw ModelError.invalidCircuit("the circuit's label index is not a class") }
                                    return ClaimLabel(index: i, value: l.classes[i], classes: l.classes)
                                }),
            publicSignals: circuit.publicSignals.map { $0.description },
            proof: pj, signature: nil)
    }

    /// Decodes claim.json strictly: besides the types, every key must be one zkinfer writes (an unknown key, or a
    /// `null` where zkinfer writes nothing, is an error naming it), so nothing unverified can ride along in a claim.
    public static func decode(_ data: Data) throws -> Claim {
        let claim: Claim
        do { claim = try JSONDecoder().decode(Claim.self, from: data) } catch {
            throw ModelError.invalidClaim("\(error)")
        }
        let raw: KeyShape
        do { raw = try JSONShapeScanner.shape(of: data) } catch { throw ModelError.invalidClaim("\(error)") }
        guard let known = try? KeyShape.of(claim) else { throw ModelError.invalidClaim("not a JSON object") }
        if let key = unexpectedKey(raw, known, path: "") { throw ModelError.invalidClaim("unknown key '\(key)'") }
        return claim
    }

    /// The first key path in `raw` (the file's shape) that `known` (the shape the decoded claim encodes to) lacks,
    /// recursing through objects and arrays.
    static func unexpectedKey(_ raw: KeyShape, _ known: KeyShape, path: String) -> String? {
        if let r = raw.keys {
            guard let k = known.keys else { return path.isEmpty ? "(top level)" : path }
            for key in r.keys.sorted() {
                let p = path.isEmpty ? key : path + "." + key
                guard let kv = k[key] else { return p }
                if let bad = unexpectedKey(r[key]!, kv, path: p) { return bad }
            }
        } else if let r = raw.items, let k = known.items, r.count == k.count {
            for (i, (rv, kv)) in zip(r, k).enumerated() where !rv.isScalar {  // a scalar has no keys
                if let bad = unexpectedKey(rv, kv, path: "\(path)[\(i)]") { return bad }
            }
        }
        return nil
    }

    public static func encode(_ claim: Claim) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try enc.encode(claim)
    }

    /// The snarkjs proof inside a claim; throws `ModelError.invalidClaim` if it is not a valid
    /// encoding of curve points (on the curve, in the subgroup, canonical).
    public static func proof(of claim: Claim) throws -> Proof {
        let p = claim.proof
        do {
            return Proof(snarkjs: try SnarkjsProof(piA: p.pi_a, piB: p.pi_b, piC: p.pi_c, protocol: p.protocol, curve: p.curve))
        } catch { throw ModelError.invalidClaim("proof: \(error)") }
    }

    /// Every check a verifier makes: key digest, model digest, input range, consistency of the
    /// stated values with the public signals, then the Groth16 proof itself. `options` adds the checks a
    /// verifier may ask for (re-derivation from the ONNX file, a pinned weights commitment) and the test-only
    /// `allowForgeableKey`. Fails closed: anything it cannot interpret is an error or a problem, never a pass.
    public static func verify(_ claim: Claim, key: VerificationKey, options: ClaimCheckOptions = ClaimCheckOptions()) throws -> ClaimVerdict {
        try verify(claim, key: key, prepared: nil, options: options)
    }

    /// ``verify(_:key:options:)`` with the key's pairing work done once (`PreparedVerificationKey`): the same checks,
    /// for a verifier that checks many claims under one key.
    public static func verify(_ claim: Claim, preparedKey: PreparedVerificationKey, options: ClaimCheckOptions = ClaimCheckOptions()) throws -> ClaimVerdict {
        try verify(claim, key: preparedKey.key, prepared: preparedKey, options: options)
    }

    static func verify(_ claim: Claim, key: VerificationKey, prepared: PreparedVerificationKey?, options: ClaimCheckOptions) throws -> ClaimVerdict {
        let checked = try claimChecks(claim, key: KeyFacts(key), options: options)
        guard let statement = checked.statement else { return checked.verdict(proofValid: nil) }
        let ok = (try? prepared.map { try Groth16.verify($0, proof: statement.proof, publicInputs: statement.publicInputs) }
                  ?? Groth16.verify(key, proof: statement.proof, publicInputs: statement.publicInputs)) ?? false
        return checked.verdict(proofValid: ok)
    }

    /// What the claim checks need of the key, computed once for a batch.
    struct KeyFacts {
        let publicCount: Int
        let digest: String
        let forgeabilityWarnings: [String]
        init(_ key: VerificationKey) throws {
            publicCount = key.publicCount
            digest = try key.digest
            forgeabilityWarnings = key.forgeabilityWarnings
        }
    }

    /// The outcome of every check of a claim but the pairing check.
    struct ClaimChecks {
        var problems: [String]
        var signer: String?
        var signatureValid: Bool?
        /// The proof and its public signals, when the claim got far enough for the pairing check to decide.
        var statement: BatchProof?

        /// The verdict once the pairing check ran (`proofValid`) or was not reached (nil).
        func verdict(proofValid: Bool?) -> ClaimVerdict {
            var problems = self.problems
            if proofValid == false { problems.append("the Groth16 proof does not verify for these public signals") }
            if signatureValid == false { problems.append("the host signature is invalid") }
            return ClaimVerdict(valid: problems.isEmpty && proofValid == true, problems: problems,
                                signer: signer, signatureValid: signatureValid)
        }
    }

    /// Every check of ``verify(_:key:options:)`` but the pairing check, which the caller runs on `statement`
    /// (alone or in a batch). Throws for a claim it cannot interpret.
    static func claimChecks(_ claim: Claim, key: KeyFacts, options: ClaimCheckOptions) throws -> ClaimChecks {
        var problems: [String] = []
        guard claim.claimVersion == Claim.version else { throw ModelError.invalidClaim("claim version \(claim.claimVersion)") }
        if !options.allowForgeableKey { problems += key.forgeabilityWarnings }
        let keyDigest = key.digest
        if claim.verificationKeyDigest != keyDigest {
            problems.append("the claim names verification key \(claim.verificationKeyDigest), but the given key is \(keyDigest)")
        }
        for (what, d) in [("model.onnxDigest", claim.model.onnxDigest), ("model.quantizedDigest", claim.model.quantizedDigest),
                          ("model.modelDigest", claim.model.modelDigest), ("model.circuitDigest", claim.model.circuitDigest),
                          ("verificationKeyDigest", claim.verificationKeyDigest)] where !isCanonicalDigest(d) {
            problems.append("\(what) is not 64 lowercase hex digits")
        }
        if let d = claim.quantization.calibrationDigest, !isCanonicalDigest(d) { problems.append("quantization.calibrationDigest is not 64 lowercase hex digits") }
        if let c = claim.ceremony { problems += ceremonyRecordProblems(c) }
        // Nothing below can be recomputed from non-canonical digests: fail closed here.
        if !isCanonicalDigest(claim.model.onnxDigest) || !isCanonicalDigest(claim.model.quantizedDigest) {
            return ClaimChecks(problems: problems, signer: claim.signature?.publicKey, signatureValid: nil, statement: nil)
        }
        func decimal(_ s: String?, _ what: String) throws -> Fr? {
            guard let s else { return nil }
            guard let v = try? Fr(snarkjsDecimal: s) else { throw ModelError.invalidClaim("\(what) is not a canonical decimal < r") }
            return v
        }
        let commitment = try decimal(claim.model.weightsCommitment, "model.weightsCommitment")
        if try CompiledModel.modelDigest(onnx: claim.model.onnxDigest, quantized: claim.model.quantizedDigest, weightsCommitment: commitment)
            != claim.model.modelDigest {
            problems.append(commitment == nil ? "model.modelDigest is not BLAKE2b(onnxDigest ‖ quantizedDigest)"
                                              : "model.modelDigest is not BLAKE2b(onnxDigest ‖ quantizedDigest ‖ weightsCommitment)")
        }
        if let pinned = options.weightsCommitment, commitment != pinned {
            problems.append(commitment == nil ? "the claim has no weights commitment, but --weights-commitment \(pinned.hex) was required"
                                              : "model.weightsCommitment is \(commitment!.hex), not the required \(pinned.hex)")
        }
        if let onnx = options.onnx { problems += try modelFileProblems(claim, onnx: onnx) }
        let input = claim.input, output = claim.output
        guard (0...60).contains(input.scale), (0...60).contains(output.scale) else { throw ModelError.invalidClaim("scale out of range") }
        let inVis = claim.visibility.input
        if (input.visibility ?? .public) != inVis { problems.append("input.visibility disagrees with visibility.input") }
        guard output.quantized.count == output.values.count, output.quantized.count == output.shape.reduce(1, { $0 &* $1 }) else {
            throw ModelError.invalidClaim("output sizes disagree with its shape")
        }
        if inVis == .public {
            guard input.quantized.count == input.values.count, input.quantized.count == input.shape.reduce(1, { $0 &* $1 }) else {
                throw ModelError.invalidClaim("input sizes disagree with its shape")
            }
            // As integers: |q| ≤ round(inputBound·2^scale), the quantizer's own bound of the input tensor.
            let limit = try quantizedInputBound(claim.quantization.inputBound, scale: input.scale)
            for (i, q) in input.quantized.enumerated() where q < -limit || q > limit {
                problems.append("input.quantized[\(i)] = \(q) is outside the model's input range [-\(limit), \(limit)]")
                break
            }
            let fin = Double(sign: .plus, exponent: -input.scale, significand: 1)
            if zip(input.quantized, input.values).contains(where: { Double($0) * fin != $1 }) { problems.append("input.values do not match input.quantized") }
        } else if !input.quantized.isEmpty || !input.values.isEmpty {
            problems.append("a hidden input must not be stated in the claim")
        }
        let fout = Double(sign: .plus, exponent: -output.scale, significand: 1)
        if zip(output.quantized, output.values).contains(where: { Double($0) * fout != $1 }) { problems.append("output.values do not match output.quantized") }
        if !output.quantized.isEmpty && output.argmax != firstArgmax(output.quantized) { problems.append("output.argmax is not the index of the largest output") }
        if output.transform == .none {
            if output.transformed != nil { problems.append("output.transformed is present, but output.transform is none") }
        } else {
            // Recomputed here, with a relative tolerance for libm differences between platforms (a few ulps of exp and
            // the normalising division; the absolute term only covers subnormal results).
            let expected = FloatInterpreter.applyTransform(output.transform, output.values)
            let matches = output.transformed.map { t in t.count == expected.count && zip(t, expected).allSatisfy { abs($0 - $1) <= 1e-12 * abs($1) + 1e-300 } }
            if matches != true { problems.append("output.transformed is not \(output.transform.rawValue)(output.values)") }
        }
        if (claim.visibility.weights == .private) != (commitment != nil) { problems.append("private weights need model.weightsCommitment (and public weights must not have one)") }
        let inputHash = try decimal(input.hash, "input.hash")
        if (inVis == .hashed) != (inputHash != nil) { problems.append("a hashed input needs input.hash (and only a hashed input has one)") }
        // The descriptive fields must be exactly what makeClaim writes for these settings.
        if claim.quantization.rounding != "half-up" { problems.append("quantization.rounding must be \"half-up\" (the only rounding zkinfer proves)") }
        if claim.visibility.output != "public" { problems.append("visibility.output must be \"public\" (outputs are always public signals)") }
        let privateWeights = claim.visibility.weights == .private
        if claim.statement != statementText(privateWeights: privateWeights, input: inVis) {
            problems.append("statement is not the statement zkinfer writes for these visibility settings")
        }
        let counts = (input.shape.reduce(1, { $0 &* $1 }), output.shape.reduce(1, { $0 &* $1 }))
        if let l = output.label, !(l.classes.indices.contains(l.index) && l.classes[l.index] == l.value) {
            problems.append("output.label.value is not classes[output.label.index]")
        }
        let layout = PublicSignalLayout(privateWeights: privateWeights, input: inVis, inputCount: counts.0, outputCount: counts.1,
                                        label: output.label != nil)
        if claim.publicSignalLayout != layout.names {
            problems.append("publicSignalLayout does not name the claim's public signals")
        }
        let header = try StatementHeader(claim: claim)
        let statementDigest = try CompiledModel.statementDigest(onnx: claim.model.onnxDigest, quantized: claim.model.quantizedDigest)
        // nil when the claim's parts do not fit its own layout (e.g. private weights without a commitment): already a
        // problem above, and then no signal list can match.
        let expected = try? CircuitLowering.publicSignals(layout, digest: statementDigest, header: header, weightsCommitment: commitment,
                                                          input: inVis == .public ? input.quantized : nil, inputHash: inputHash, output: output.quantized,
                                                          label: output.label?.index)
        let stated = try claim.publicSignals.enumerated().map { i, s -> Fr in
            guard let v = try? Fr(snarkjsDecimal: s) else { throw ModelError.invalidClaim("publicSignals[\(i)] is not a canonical decimal < r") }
            return v
        }
        if stated != expected { problems.append("publicSignals do not encode the stated model digest, header (shapes, scales, input bound, transform, visibility), input and output") }
        if stated.count != key.publicCount {
            problems.append("the key expects \(key.publicCount) public signals; the claim has \(stated.count)")
            return ClaimChecks(problems: problems, signer: claim.signature?.publicKey, signatureValid: try checkSignature(claim), statement: nil)
        }
        let proof = try proof(of: claim)
        return ClaimChecks(problems: problems, signer: claim.signature?.publicKey, signatureValid: try checkSignature(claim),
                           statement: BatchProof(proof: proof, publicInputs: stated))
    }
}

/// Optional checks of ``ClaimVerifier/verify(_:key:options:)``.
public struct ClaimCheckOptions: Sendable {
    /// Accept a key that offers no soundness (δ = γ, δ = 1, a point at infinity, a free public signal). Only for
    /// tests of other things: a claim under such a key can be forged by anyone.
    public var allowForgeableKey = false
    /// Require this weights commitment (`verify --weights-commitment`).
    public var weightsCommitment: Fr? = nil
    /// The ONNX file (`verify --model`, public weights): re-quantized with the claim's recorded settings, its
    /// digest and quantized digest must be the claim's.
    public var onnx: Data? = nil
    public init(allowForgeableKey: Bool = false, weightsCommitment: Fr? = nil, onnx: Data? = nil) {
        self.allowForgeableKey = allowForgeableKey
        self.weightsCommitment = weightsCommitment
        self.onnx = onnx
    }
}

/// Format problems of a claim's ceremony record (the record itself is checked against a key chain by
/// `zkinfer verify --zkey`).
func ceremonyRecordProblems(_ c: ClaimCeremony) -> [String] {
    func isHex128(_ s: String) -> Bool { s.count == 128 && s.allSatisfy { "0123456789abcdef".contains($0) } }
    var problems: [String] = []
    if !isHex128(c.circuitHash) { problems.append("ceremony.circuitHash is not 128 lowercase hex digits") }
    if c.contributions.isEmpty { problems.append("ceremony.contributions is empty (a key without contributions offers no soundness)") }
    for (i, k) in c.contributions.enumerated() {
        if k.index != i + 1 { problems.append("ceremony.contributions[\(i)].index is \(k.index), expected \(i + 1)") }
        if !isHex128(k.hash) { problems.append("ceremony.contributions[\(i)].hash is not 128 lowercase hex digits") }
    }
    if let p = c.ptau, !isHex128(p.lastChallenge) { problems.append("ceremony.ptau.lastChallenge is not 128 lowercase hex digits") }
    return problems
}
