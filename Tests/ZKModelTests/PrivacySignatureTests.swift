// Issue 6, receipts: the host's Ed25519 signature over ClaimVerifier.signedBytes covers every
// byte a claim attests (digests, public signals, proof); a change to any of them, to the
// signature or to the public key makes the signature invalid (or the claim undecodable), never a crash.

import Foundation
import XCTest
import ZKAlgebra
import ZKGroth16
import ZKModel
import ZKClaim
import ZKSodium

private typealias PF = PrivacyFixtures

private func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
private func unhex(_ s: String) -> [UInt8] {
    let c = Array(s.utf8)
    return stride(from: 0, to: c.count - 1, by: 2).map { UInt8(String(decoding: c[$0...$0 + 1], as: UTF8.self), radix: 16)! }
}

/// Big-endian bytes with byte `j` changed, the result still a canonical element (< modulus).
private func changedByte<F: MontgomeryField>(_ x: F, _ j: Int) -> F {
    let be = x.bigEndianBytes
    for candidate in [be[j] ^ 0x01, be[j] ^ 0x80, be[j] &- 1, be[j] &+ 1] {
        var b = be
        b[j] = candidate
        if let y = F(bigEndianBytes: b), y != x { return y }
    }
    preconditionFailure("no canonical change of byte \(j)")
}

final class SignedClaimPrivacyTests: XCTestCase {
    /// One proven claim (iris, private weights, public input) shared by this class.
    nonisolated(unsafe) static var cached: PrivacyFixtures.ProvenClaim?
    func proven() throws -> PrivacyFixtures.ProvenClaim {
        if let p = Self.cached { return p }
        let name = "iris_logreg"
        let p = try PF.proveClaim(name, PF.compile(name, Visibility(input: .public, weights: .private)), input: PF.input(name))
        Self.cached = p
        return p
    }

    func testSignedClaimVerifiesAndNamesSigner() throws {
        let p = try proven()
        let key = Ed25519KeyPair()
        XCTAssertNil(try ClaimVerifier.checkSignature(p.claim))
        XCTAssertNil(try ClaimVerifier.verify(p.claim, key: p.verificationKey).signatureValid)
        var c = p.claim
        try ClaimVerifier.sign(&c, with: key)
        let s = try XCTUnwrap(c.signature)
        XCTAssertEqual(s.algorithm, "ed25519")
        XCTAssertEqual(s.publicKey, hex(key.publicKey))
        XCTAssertEqual(unhex(s.signature).count, 64)
        XCTAssertEqual(try ClaimVerifier.checkSignature(c), true)
        let msg = try ClaimVerifier.signedBytes(c)
        XCTAssertTrue(Ed25519KeyPair.verify(signature: unhex(s.signature), message: msg, publicKey: key.publicKey))
        XCTAssertEqual(Array(msg.prefix(ClaimVerifier.signatureDomain.count)), ClaimVerifier.signatureDomain)
        XCTAssertEqual(msg.count, ClaimVerifier.signatureDomain.count + 5 * 32 + 4 + 32 * c.publicSignals.count + 256)
        var v = try ClaimVerifier.verify(c, key: p.verificationKey)
        XCTAssertTrue(v.valid, "\(v.problems)")
        XCTAssertEqual(v.signer, hex(key.publicKey))
        XCTAssertEqual(v.signatureValid, true)
        // Through the JSON file form.
        let decoded = try ClaimVerifier.decode(ClaimVerifier.encode(c))
        XCTAssertEqual(decoded, c)
        XCTAssertEqual(try ClaimVerifier.checkSignature(decoded), true)
        // Re-signed by another key: that key is reported.
        let other = Ed25519KeyPair()
        try ClaimVerifier.sign(&c, with: other)
        v = try ClaimVerifier.verify(c, key: p.verificationKey)
        XCTAssertTrue(v.valid)
        XCTAssertEqual(v.signer, hex(other.publicKey))
        // A valid signature by one key presented under another key.
        var swapped = c
        swapped.signature?.publicKey = hex(key.publicKey)
        XCTAssertEqual(try ClaimVerifier.checkSignature(swapped), false)
        v = try ClaimVerifier.verify(swapped, key: p.verificationKey)
        XCTAssertFalse(v.valid)
        XCTAssertEqual(v.signatureValid, false)
        XCTAssertEqual(v.problems, ["the host signature is invalid"])
    }

    /// Every field that feeds the signed bytes, changed one byte at a time.
    func testEverySignedByteIsCovered() throws {
        let p = try proven()
        var signed = p.claim
        try ClaimVerifier.sign(&signed, with: Ed25519KeyPair())
        let original = try ClaimVerifier.signedBytes(signed)
        var covered = Set<Int>()
        var mutations = 0, falseVerdicts = 0, decodeErrors = 0

        func expectRejected(_ c: Claim, _ what: String, fullVerify: Bool = false) {
            mutations += 1
            do {
                let b = try ClaimVerifier.signedBytes(c)
                let diff = (0..<min(b.count, original.count)).filter { b[$0] != original[$0] }
                XCTAssertTrue(!diff.isEmpty || b.count != original.count, "\(what): the change does not reach the signed bytes")
                covered.formUnion(diff)
                XCTAssertEqual(try ClaimVerifier.checkSignature(c), false, what)
                falseVerdicts += 1
                if fullVerify {
                    let v = try ClaimVerifier.verify(c, key: p.verificationKey)
                    XCTAssertFalse(v.valid, what)
                    XCTAssertEqual(v.signatureValid, false, what)
                }
            } catch let e as ModelError {
                guard case .invalidClaim = e else { return XCTFail("\(what): \(e)") }
                decodeErrors += 1
            } catch { XCTFail("\(what): unexpected \(error)") }
        }

        // The five digests, every hex digit.
        let digests: [(String, WritableKeyPath<Claim, String>)] = [
            ("onnxDigest", \.model.onnxDigest), ("quantizedDigest", \.model.quantizedDigest), ("modelDigest", \.model.modelDigest),
            ("circuitDigest", \.model.circuitDigest), ("verificationKeyDigest", \.verificationKeyDigest)]
        for (name, path) in digests {
            let text = Array(signed[keyPath: path])
            XCTAssertEqual(text.count, 64)
            for i in text.indices {
                var t = text
                t[i] = t[i] == "0" ? "1" : "0"
                var c = signed
                c[keyPath: path] = String(t)
                expectRejected(c, "\(name)[\(i)]", fullVerify: i % 16 == 0)
            }
        }
        // Every byte of every public signal (kept canonical, so the claim still decodes).
        for i in signed.publicSignals.indices {
            let x = try Fr(snarkjsDecimal: signed.publicSignals[i])
            for j in 0..<32 {
                var c = signed
                c.publicSignals[i] = changedByte(x, j).description
                expectRejected(c, "publicSignals[\(i)] byte \(j)", fullVerify: j % 16 == 0)
            }
        }
        // The signal count: one signal dropped, one added.
        var c = signed
        c.publicSignals.removeLast()
        expectRejected(c, "one signal fewer", fullVerify: true)
        c = signed
        c.publicSignals.append("1")
        expectRejected(c, "one signal more", fullVerify: true)
        // The count's higher bytes: 256 and 65536 signals more.
        for extra in [256, 65536] {
            c = signed
            c.publicSignals += Array(repeating: "1", count: extra)
            expectRejected(c, "\(extra) signals more")
        }
        // Every byte of every proof coordinate: off the curve (undecodable) or another point.
        let coordinates: [(String, WritableKeyPath<Claim, String>)] = [
            ("A.x", \.proof.pi_a[0]), ("A.y", \.proof.pi_a[1]), ("B.x.c0", \.proof.pi_b[0][0]), ("B.x.c1", \.proof.pi_b[0][1]),
            ("B.y.c0", \.proof.pi_b[1][0]), ("B.y.c1", \.proof.pi_b[1][1]), ("C.x", \.proof.pi_c[0]), ("C.y", \.proof.pi_c[1])]
        let proofStart = mutations
        for (name, path) in coordinates {
            let x = try XCTUnwrap(Fq(decimal: signed[keyPath: path]), name)
            for j in 0..<32 {
                var c = signed
                c[keyPath: path] = changedByte(x, j).description
                expectRejected(c, "proof \(name) byte \(j)")
            }
        }
        XCTAssertEqual(mutations - proofStart, 256)
        // Valid points that differ: each of A, B, C negated.
        let proof = try ClaimVerifier.proof(of: signed)
        for (name, q) in [("-A", Proof(a: -proof.a, b: proof.b, c: proof.c)), ("-B", Proof(a: proof.a, b: -proof.b, c: proof.c)),
                          ("-C", Proof(a: proof.a, b: proof.b, c: -proof.c))] {
            var c = signed
            c.proof = try JSONDecoder().decode(ClaimProof.self, from: q.snarkjs.jsonData())
            expectRejected(c, name, fullVerify: true)
        }

        // Every signed byte after the domain separator was reached by some change that kept the
        // claim decodable, except proof bytes whose change leaves the curve (counted as decode errors).
        let domain = ClaimVerifier.signatureDomain.count
        let signalsEnd = domain + 5 * 32 + 4 + 32 * signed.publicSignals.count
        let notCovered = (domain..<signalsEnd).filter { !covered.contains($0) }
        // The top byte of the signal count needs ≥ 2^24 signals, which signedBytes refuses.
        XCTAssertEqual(notCovered, [domain + 5 * 32], "signed bytes no change reached")
        XCTAssertEqual(falseVerdicts + decodeErrors, mutations)
        XCTAssertGreaterThan(decodeErrors, 0)
        XCTAssertEqual(mutations, 5 * 64 + 32 * signed.publicSignals.count + 4 + 256 + 3)
        print("[privacy] signed bytes: \(original.count); \(mutations) single-field changes: \(falseVerdicts) rejected by the signature, \(decodeErrors) undecodable")
    }

    func testSignatureAndPublicKeyBytes() throws {
        let p = try proven()
        let key = Ed25519KeyPair()
        var signed = p.claim
        try ClaimVerifier.sign(&signed, with: key)
        let sig = try XCTUnwrap(signed.signature)
        var checks = 0
        for (field, bytes) in [("signature", unhex(sig.signature)), ("publicKey", unhex(sig.publicKey))] {
            for j in bytes.indices {
                for mask: UInt8 in [0x01, 0x80, 0xff] {
                    var b = bytes
                    b[j] ^= mask
                    var c = signed
                    if field == "signature" { c.signature?.signature = hex(b) } else { c.signature?.publicKey = hex(b) }
                    XCTAssertEqual(try ClaimVerifier.checkSignature(c), false, "\(field) byte \(j) ^ \(mask)")
                    checks += 1
                }
            }
        }
        XCTAssertEqual(checks, 3 * (64 + 32))
        // Wrong lengths, non-hex text, another algorithm.
        let variants: [(String, (inout ClaimSignature) -> Void)] = [
            ("short signature", { $0.signature.removeLast(2) }), ("long signature", { $0.signature += "00" }),
            ("odd signature", { $0.signature.removeLast() }), ("empty signature", { $0.signature = "" }),
            ("non-hex signature", { $0.signature = "zz" + $0.signature.dropFirst(2) }),
            ("short key", { $0.publicKey.removeLast(2) }), ("long key", { $0.publicKey += "00" }), ("empty key", { $0.publicKey = "" }),
            ("non-hex key", { $0.publicKey = "g" + $0.publicKey.dropFirst() }),
            ("all-zero key", { $0.publicKey = String(repeating: "0", count: 64) }),
            ("algorithm", { $0.algorithm = "ed448" }), ("algorithm case", { $0.algorithm = "Ed25519" }),
        ]
        for (what, change) in variants {
            var c = signed
            change(&c.signature!)
            XCTAssertEqual(try ClaimVerifier.checkSignature(c), false, what)
            let v = try ClaimVerifier.verify(c, key: p.verificationKey)
            XCTAssertFalse(v.valid, what)
            XCTAssertEqual(v.signatureValid, false, what)
        }
        // The unchanged claim still verifies (the mutations above were on copies).
        XCTAssertEqual(try ClaimVerifier.checkSignature(signed), true)
    }
}
