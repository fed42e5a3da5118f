// Issue 6, zero knowledge — what a test can show. Groth16 proofs are re-randomized on every
// prove (fresh r, s): two proofs of the same statement differ and both verify. And the files a
// prover publishes (claim.json, proof.json, public.json) contain no private weight, bias, input,
// packed weight word or salt in plain form.
//
// What this cannot show: zero knowledge itself (that the proof reveals nothing computable about
// the witness) is a property of Groth16 with an honest setup, not something a text search can
// establish. The search catches plain leaks — a secret value written into a file, as a decimal
// integer, as its field encoding or as the float the user gave — not encodings it does not try
// (hex, scaled floats, hashes with low-entropy inputs). Small values are skipped because small
// integers occur everywhere; the models are compiled with more scale bits so that many of their
// parameters are large, distinctive numbers.

import Foundation
import XCTest
import ZKAlgebra
import ZKFormats
import ZKGroth16
import ZKModel
import ZKClaim

private typealias PF = PrivacyFixtures

/// Whether `token` occurs in `text` as a whole number (not inside a longer number, word or hex string).
private func privacyContainsNumber(_ text: String, _ token: String) -> Bool {
    let body: Set<Character> = Set("0123456789abcdefABCDEFxX.+-eE_")
    var search = text[...]
    while let r = search.range(of: token) {
        let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
        let after = r.upperBound == text.endIndex ? nil : text[r.upperBound]
        let beforeOK = before.map { !body.contains($0) } ?? true
        let afterOK = after.map { !body.contains($0) } ?? true
        if beforeOK && afterOK { return true }
        search = text[r.upperBound...]
    }
    return false
}

final class LeakagePrivacyTests: XCTestCase {
    /// Two proofs of the same witness under the same key: different, both valid, both claims valid.
    func testProofsAreRerandomized() throws {
        let name = "iris_logreg"
        let p = try PF.proveClaim(name, PF.compile(name, Visibility(input: .private, weights: .private)), input: PF.input(name))
        let second = try Groth16.prove(p.provingKey, witness: p.circuit.witness)
        XCTAssertNotEqual(second.a, p.proof.a)
        XCTAssertNotEqual(second.b, p.proof.b)
        XCTAssertNotEqual(second.c, p.proof.c)
        XCTAssertTrue(try Groth16.verify(p.verificationKey, proof: p.proof, publicInputs: p.circuit.publicSignals))
        XCTAssertTrue(try Groth16.verify(p.verificationKey, proof: second, publicInputs: p.circuit.publicSignals))
        let claim2 = try ClaimVerifier.makeClaim(name: name, compiled: p.compiled, circuit: p.circuit, input: p.input, proof: second,
                                                 verificationKey: p.verificationKey)
        XCTAssertTrue(try ClaimVerifier.verify(claim2, key: p.verificationKey).valid)
        XCTAssertTrue(try ClaimVerifier.verify(p.claim, key: p.verificationKey).valid)
        var same = claim2
        same.proof = p.claim.proof
        XCTAssertEqual(same, p.claim, "the claims differ only in the proof")
        XCTAssertNotEqual(claim2.proof, p.claim.proof)
    }

    /// An input of distinctive values: each sample value mapped to 0.3…0.9 × the input bound,
    /// so every quantized value is a large, unround number.
    func distinctive(_ x: [Double], bound: Double) -> [Double] {
        x.enumerated().map { i, v in
            let f = (v / bound + 0.371 + 0.0173 * Double(i)).truncatingRemainder(dividingBy: 1)
            return bound * (0.3 + 0.6 * abs(f))
        }
    }

    struct Secret { var what: String; var tokens: [String] }

    func checkNoPlainLeak(_ name: String, scaleBits: Int) throws {
        let compiled = try PF.compile(name, Visibility(input: .private, weights: .private), scaleBits: scaleBits)
        let m = compiled.model
        let input = distinctive(try PF.input(name), bound: m.inputBound)
        let p = try PF.proveClaim(name, compiled, input: input)
        XCTAssertTrue(try ClaimVerifier.verify(p.claim, key: p.verificationKey).valid)
        // The three files `zkinfer prove` writes, byte for byte as it writes them.
        let files = [
            "claim.json": String(decoding: try ClaimVerifier.encode(p.claim), as: UTF8.self),
            "proof.json": String(decoding: try p.proof.snarkjs.jsonData(), as: UTF8.self),
            "public.json": String(decoding: try SnarkjsPublicSignals(values: p.circuit.publicSignals).jsonData(), as: UTF8.self),
        ]

        var secrets: [Secret] = []
        let params = PF.privateParameters(m).map(\.value)
        let large = params.filter { abs($0) >= 1000 }
        for v in Set(large) { secrets.append(Secret(what: "parameter \(v)", tokens: [String(v), Fr(signed: Int64(v)).description])) }
        let q = try m.quantizeInput(input)
        let largeInputs = q.filter { abs($0) >= 1000 }
        for (i, x) in q.enumerated() where abs(x) >= 1000 {
            secrets.append(Secret(what: "input[\(i)] = \(x)", tokens: [String(x), Fr(signed: Int64(x)).description]))
        }
        for (i, x) in input.enumerated() { secrets.append(Secret(what: "input float [\(i)]", tokens: [String(x), String(Float(x))])) }
        let salt = try XCTUnwrap(m.weightSalt)
        secrets.append(Secret(what: "weight salt", tokens: [salt]))
        // The plain hash of the ONNX file would let a verifier confirm a guessed model: the claim carries its
        // salted commitment instead, which opens with the salt.
        let fileDigest = try blake2bHex([UInt8](try PF.data(name, "model.onnx")))
        secrets.append(Secret(what: "plain ONNX digest", tokens: [fileDigest]))
        XCTAssertEqual(p.claim.model.onnxDigest, try QuantizedModel.onnxCommitment(fileDigest: fileDigest, salt: try XCTUnwrap(Fr(decimal: salt))))
        for (i, w) in PF.packedWords(PF.privateParameters(m)).enumerated() { secrets.append(Secret(what: "packed word \(i)", tokens: [w.description])) }

        // Enough distinctive secrets for the search to mean something.
        XCTAssertGreaterThanOrEqual(large.count, min(50, params.count / 4), "\(name): too few parameters ≥ 1000 at scale bits \(scaleBits)")
        XCTAssertEqual(largeInputs.count, q.count, "\(name): every input value should be distinctive")

        var leaks: [String] = []
        for s in secrets {
            for (file, text) in files {
                for t in s.tokens where t.count >= 4 && privacyContainsNumber(text, t) { leaks.append("\(s.what) as \(t) in \(file)") }
            }
            // Long decimals (field elements, salt) also must not appear inside anything.
            for (file, text) in files { for t in s.tokens where t.count >= 20 && text.contains(t) { leaks.append("\(s.what) inside \(file)") } }
        }
        XCTAssertEqual(leaks, [], "\(name): plain leaks")

        // Controls: the same search finds the values where they are stated.
        let circuitJSON = String(decoding: try compiled.circuitJSON(), as: UTF8.self)
        XCTAssertTrue(large.allSatisfy { privacyContainsNumber(circuitJSON, String($0)) }, "the search finds every parameter in circuit.json")
        XCTAssertTrue(circuitJSON.contains(salt))
        var stated = p.claim
        stated.input.quantized = q
        stated.input.values = m.dequantize(q, tensor: 0)
        let statedText = String(decoding: try ClaimVerifier.encode(stated), as: UTF8.self)
        XCTAssertTrue(q.allSatisfy { privacyContainsNumber(statedText, String($0)) }, "the search finds a stated input")
        print("[privacy] \(name) scale bits \(scaleBits): searched claim/proof/public (\(files.values.reduce(0) { $0 + $1.utf8.count }) bytes) for \(large.count) parameters ≥ 1000 (of \(params.count)), \(q.count) inputs, the salt and \(PF.packedWords(PF.privateParameters(m)).count) packed words: none found; \(p.circuit.system.constraintCount) constraints, prove \(String(format: "%.2f", p.timings.prove)) s")
    }

    /// With private weights each compile draws a fresh salt, so the ONNX commitment and the weight commitment differ
    /// between two compiles of the same file (and so do the quantized and model digests, which cover it).
    func testONNXCommitmentIsSalted() throws {
        let a = try PF.compile("iris_logreg", Visibility(input: .public, weights: .private))
        let b = try PF.compile("iris_logreg", Visibility(input: .public, weights: .private))
        let fileDigest = try blake2bHex([UInt8](try PF.data("iris_logreg", "model.onnx")))
        XCTAssertNotEqual(a.model.onnxDigest, b.model.onnxDigest)
        XCTAssertNotEqual(a.model.onnxDigest, fileDigest)
        XCTAssertNotEqual(a.weightsCommitment, b.weightsCommitment)
        XCTAssertNotEqual(a.modelDigest, b.modelDigest)
        for c in [a, b] {
            let salt = try XCTUnwrap(c.model.weightSalt.flatMap { Fr(decimal: $0) })
            XCTAssertEqual(c.model.onnxDigest, try QuantizedModel.onnxCommitment(fileDigest: fileDigest, salt: salt))
            XCTAssertNotEqual(c.model.onnxDigest, try QuantizedModel.onnxCommitment(fileDigest: fileDigest, salt: salt + .one))
        }
        // Public weights keep the plain file digest.
        XCTAssertEqual(try PF.compile("iris_logreg", Visibility(input: .public, weights: .public)).model.onnxDigest, fileDigest)
    }

    func testNoPlainLeakIris() throws { try checkNoPlainLeak("iris_logreg", scaleBits: 16) }
    func testNoPlainLeakDigitsMLP() throws { try checkNoPlainLeak("digits_mlp", scaleBits: 12) }

    /// With private weights, the public view of a sample model (what the model digest covers and
    /// what the constraint system is built from) keeps no trained parameter: every dense/conv
    /// weight and bias is committed, BatchNorm and bias additions are folded into them, and no
    /// affine/leaky-ReLU/clamp op carries learned constants. (Graphs whose constants cannot be
    /// folded — e.g. ops/sub_mul_div_const — keep those as public constants.)
    func testSampleModelsKeepNoParameterPublic() throws {
        for name in ["iris_logreg", "digits_mlp", "digits_cnn", "mnist_mlp_784_56_10", "mnist_cnn_lenet"] {
            let compiled = try PF.compile(name, Visibility(input: .private, weights: .private))
            let view = compiled.model.publicView
            XCTAssertNil(view.weightSalt, name)
            var privateNodes = 0
            for n in view.nodes {
                switch n.op {
                case .dense(_, let w, let b, _, _), .conv(_, let w, let b, _, _):
                    XCTAssertTrue(n.hasPrivateWeights, name)
                    XCTAssertEqual(w, [], name)
                    XCTAssertEqual(b, [], name)
                    privateNodes += 1
                case .affine, .leakyRelu, .clamp: XCTFail("\(name): public \(n.op.kind) op in layer \(n.layer)")
                case .sumPool(_, _, let mult): XCTAssertTrue(mult.allSatisfy { $0 == 1 }, name)
                default: break
                }
            }
            XCTAssertGreaterThan(privateNodes, 0, name)
        }
    }

    func testNumberSearch() {
        XCTAssertTrue(privacyContainsNumber("[\"1234\", 5]", "1234"))
        XCTAssertTrue(privacyContainsNumber("\"quantized\" : [\n    -1234,", "-1234"))
        XCTAssertTrue(privacyContainsNumber("x: 1234}", "1234"))
        XCTAssertFalse(privacyContainsNumber("12345", "1234"))
        XCTAssertFalse(privacyContainsNumber("91234", "1234"))
        XCTAssertFalse(privacyContainsNumber("-1234", "1234"))
        XCTAssertFalse(privacyContainsNumber("0.1234", "1234"))
        XCTAssertFalse(privacyContainsNumber("ab1234cd", "1234"))
        XCTAssertFalse(privacyContainsNumber("1234e-5", "1234"))
    }
}
