import Foundation
import XCTest
import ZKAlgebra
import ZKClaim
import ZKGroth16
import ZKModel

/// `ClaimVerifier.verifyBatch`: per-claim verdicts equal to one-at-a-time verification, for digits-MLP claims with
/// every kind of tamper, in batches with one, several and all claims forged, under one key and several.
final class BatchClaimTests: XCTestCase {
    struct Setup {
        var key: VerificationKey
        var claims: [Claim]
    }

    /// One setup, `count` claims on the test inputs (each proof freshly randomized).
    static func proveClaims(count: Int) throws -> Setup {
        let s = try SampleCache.get("digits_mlp")
        let inputs = try loadInputs("digits_mlp", "test_inputs.json")
        let first = try s.compiled.circuit(for: inputs[0])
        let pk = try Groth16.setup(first.system)
        let claims = try (0..<count).map { i -> Claim in
            let x = inputs[i % inputs.count]
            let circuit = try s.compiled.circuit(for: x)
            return try ClaimVerifier.makeClaim(name: "digits_mlp", compiled: s.compiled, circuit: circuit, input: x,
                                               proof: try Groth16.prove(pk, witness: circuit.witness), verificationKey: pk.verificationKey)
        }
        return Setup(key: pk.verificationKey, claims: claims)
    }

    nonisolated(unsafe) static var cached: Setup?
    static func fixture() throws -> Setup {
        if let c = cached { return c }
        let s = try proveClaims(count: 12)
        cached = s
        return s
    }

    static func inputs(_ claims: [Claim]) throws -> [BatchClaimInput] {
        try claims.enumerated().map { BatchClaimInput(name: "claim-\($0.offset)", json: try ClaimVerifier.encode($0.element)) }
    }

    /// One-at-a-time verdicts through the single-claim API (a malformed claim is `false`).
    static func singleVerdicts(_ inputs: [BatchClaimInput], key: VerificationKey) -> [Bool] {
        inputs.map { input in
            guard let claim = try? ClaimVerifier.decode(input.json) else { return false }
            return (try? ClaimVerifier.verify(claim, key: key).valid) ?? false
        }
    }

    /// Each tamper turns claim i (JSON bytes) into a forged one; `other` is another valid claim.
    static let tampers: [(String, @Sendable (Claim, Claim) throws -> Data)] = [
        ("output changed", { c, _ in var c = c; c.output.quantized[0] += 1; c.output.values[0] = Double(c.output.quantized[0]) / Double(1 << c.output.scale)
            c.output.argmax = c.output.quantized.indices.max { c.output.quantized[$0] < c.output.quantized[$1] || (c.output.quantized[$0] == c.output.quantized[$1] && $0 > $1) }!
            return try ClaimVerifier.encode(c) }),
        ("public signal and stated output changed together", { c, _ in
            // The public signals re-encode the edited output, so only the pairing check can reject it.
            var c = c
            let last = c.publicSignals.count - 1
            let v = try Fr(snarkjsDecimal: c.publicSignals[last]) + Fr.one
            c.publicSignals[last] = v.description
            c.output.quantized[c.output.quantized.count - 1] += 1
            c.output.values[c.output.values.count - 1] = Double(c.output.quantized.last!) / Double(1 << c.output.scale)
            c.output.argmax = c.output.quantized.indices.max { c.output.quantized[$0] < c.output.quantized[$1] || (c.output.quantized[$0] == c.output.quantized[$1] && $0 > $1) }!
            return try ClaimVerifier.encode(c) }),
        ("proof of another claim", { c, o in var c = c; c.proof = o.proof; return try ClaimVerifier.encode(c) }),
        ("pi_a of another claim", { c, o in var c = c; c.proof.pi_a = o.proof.pi_a; return try ClaimVerifier.encode(c) }),
        ("unknown key", { c, _ in
            var obj = try JSONSerialization.jsonObject(with: try ClaimVerifier.encode(c)) as! [String: Any]
            obj["extra"] = "rides along"
            return try JSONSerialization.data(withJSONObject: obj) }),
        ("not JSON", { _, _ in Data("{\"claimVersion\": 1, ".utf8) }),
        ("other key digest", { c, _ in var c = c; c.verificationKeyDigest = String(repeating: "ab", count: 32); return try ClaimVerifier.encode(c) }),
        ("pi_c off the curve", { c, _ in var c = c; c.proof.pi_c[1] = "5"; return try ClaimVerifier.encode(c) }),
    ]

    func testVerdictsMatchOneAtATimeForEveryTamper() throws {
        let f = try Self.fixture()
        let valid = try Self.inputs(f.claims)
        let all = try ClaimVerifier.verifyBatch(valid, keys: [f.key], threads: 2)
        XCTAssertTrue(all.allValid, all.results.map(\.reason).joined(separator: "\n"))
        XCTAssertEqual(all.combinedChecks, 1)
        let n = valid.count
        for (kind, tamper) in Self.tampers {
            for (pattern, forged) in [("one", Set([5])), ("several", Set([0, 2, 3, 11])), ("all", Set(0..<n))] {
                var batch = valid
                for i in forged { batch[i].json = try tamper(f.claims[i], f.claims[(i + 1) % n]) }
                let expected = (0..<n).map { !forged.contains($0) }
                XCTAssertEqual(Self.singleVerdicts(batch, key: f.key), expected, "\(kind): one-at-a-time disagrees with the forgery set")
                let combined = try ClaimVerifier.verifyBatch(batch, keys: [f.key], threads: 2)
                let alone = try ClaimVerifier.verifyBatch(batch, keys: [f.key], threads: 1, combine: false)
                XCTAssertEqual(combined.results.map(\.valid), expected, "\(kind), \(pattern) forged")
                XCTAssertEqual(alone.results.map(\.valid), expected, "\(kind), \(pattern) forged, one at a time")
                XCTAssertEqual(combined.results.map(\.reason), alone.results.map(\.reason), "\(kind): same reasons either way")
                for i in forged { XCTAssertNotEqual(combined.results[i].reason, "valid") }
                XCTAssertEqual(combined.results.map(\.name), batch.map(\.name))
            }
        }
    }

    func testMalformedClaimsAreNamedNotThrown() throws {
        let f = try Self.fixture()
        var batch = try Self.inputs(Array(f.claims.prefix(3)))
        batch[1].json = Data("[1, 2]".utf8)
        let r = try ClaimVerifier.verifyBatch(batch, keys: [f.key])
        XCTAssertEqual(r.results.map(\.valid), [true, false, true])
        XCTAssertNotNil(r.results[1].malformed)
        XCTAssertTrue(r.results[1].reason.hasPrefix("malformed claim: "), r.results[1].reason)
    }

    /// Claims under two keys, checked in one batch: each under the key it names; without its key a claim is invalid.
    func testClaimsAreGroupedByTheirKey() throws {
        let f = try Self.fixture()
        let g = try Self.proveClaims(count: 5)
        let mixed = try Self.inputs(Array(f.claims.prefix(6)) + g.claims)
        let both = try ClaimVerifier.verifyBatch(mixed, keys: [f.key, g.key])
        XCTAssertTrue(both.allValid, both.results.map(\.reason).joined(separator: "\n"))
        XCTAssertEqual(both.combinedChecks, 2)
        let reversed = try ClaimVerifier.verifyBatch(mixed, keys: [g.key, f.key])
        XCTAssertTrue(reversed.allValid)
        // One key given: the other key's claims are invalid, as `verify` says for a claim naming another key.
        let one = try ClaimVerifier.verifyBatch(mixed, keys: [f.key])
        XCTAssertEqual(one.results.map(\.valid), (0..<11).map { $0 < 6 })
        XCTAssertTrue(one.results[8].reason.contains("names verification key"), one.results[8].reason)
        // Two keys, a claim naming neither.
        let h = try Self.proveClaims(count: 1)
        let neither = try ClaimVerifier.verifyBatch(try Self.inputs([h.claims[0], f.claims[0]]), keys: [f.key, g.key])
        XCTAssertEqual(neither.results.map(\.valid), [false, true])
        XCTAssertTrue(neither.results[0].reason.contains("not one of the 2 keys"), neither.results[0].reason)
    }

    /// The strict decoder's key check reads the file's own bytes: nested unknown keys are named, a key given twice is
    /// refused, an escaped spelling of a known key is that key, and whitespace anywhere is fine.
    func testStrictDecodingOfKeys() throws {
        let f = try Self.fixture()
        let text = String(decoding: try ClaimVerifier.encode(f.claims[0]), as: UTF8.self)
        func decodeError(_ s: String) -> String? {
            do { _ = try ClaimVerifier.decode(Data(s.utf8)); return nil } catch { return "\(error)" }
        }
        XCTAssertNil(decodeError(text))
        XCTAssertNil(decodeError(" \n" + text.replacingOccurrences(of: "\": ", with: "\"  :\t") + "\n "))
        XCTAssertNil(decodeError(text.replacingOccurrences(of: "\"pi_a\"", with: "\"pi\\u005fa\"")))
        let nested = text.replacingOccurrences(of: "\"pi_a\"", with: "\"extra\": {\"deeper\": [1, {\"x\": 2}]}, \"pi_a\"")
        XCTAssertTrue(decodeError(nested)?.contains("unknown key 'proof.extra'") == true, decodeError(nested) ?? "accepted")
        let twice = text.replacingOccurrences(of: "\"pi_a\"", with: "\"protocol\": \"groth16\", \"pi_a\"")
        XCTAssertTrue(decodeError(twice)?.contains("appears twice") == true, decodeError(twice) ?? "accepted")
        XCTAssertNotNil(decodeError(text + " {}"))
        XCTAssertNotNil(decodeError(String(text.dropLast(3))))
        // A null where zkinfer writes nothing (an absent optional) is an unknown key, as before.
        let null = text.replacingOccurrences(of: "\"argmax\"", with: "\"label\": null, \"argmax\"")
        XCTAssertTrue(decodeError(null)?.contains("unknown key 'output.label'") == true, decodeError(null) ?? "accepted")
    }

    func testOptionsApplyToEveryClaim() throws {
        let f = try Self.fixture()
        let batch = try Self.inputs(Array(f.claims.prefix(3)))
        let pinned = try ClaimVerifier.verifyBatch(batch, keys: [f.key], options: ClaimCheckOptions(weightsCommitment: Fr(7)))
        XCTAssertTrue(pinned.results.allSatisfy { !$0.valid && $0.reason.contains("no weights commitment") })
    }
}
