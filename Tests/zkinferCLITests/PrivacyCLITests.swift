// Issue 6 through the `zkinfer` binary: host keys (keygen, prove --sign, verify --signer),
// hashed inputs and their opening file, and what the written files do not contain.

import Foundation
import XCTest
import ZKAlgebra
import ZKModel
import ZKClaim
import ZKPoseidon

final class CLIPrivacyTests: CLITestCase {
    func mode(_ file: String) throws -> Int { (try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber)?.intValue ?? -1 }
    func json(_ file: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
    }
    func claim(_ file: String) throws -> Claim { try ClaimVerifier.decode(Data(contentsOf: URL(fileURLWithPath: file))) }
    func write(_ claim: Claim, _ file: String) throws { try ClaimVerifier.encode(claim).write(to: URL(fileURLWithPath: file)) }

    /// compile (calibrated) + setup of a sample model into `dir`.
    func compileAndSetup(_ name: String, _ dir: String, _ extra: [String]) throws {
        try run(["compile", model(name, "model.onnx"), "-o", path(dir), "--calibrate", model(name, "calibration.json"), "--quiet"] + extra, expect: 0)
        try run(["setup", path(dir), "--quiet"], expect: 0)
    }

    func keygen(_ name: String) throws -> String {
        let r = try run(["keygen", "-o", path(name), "--json"], expect: 0)
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return try XCTUnwrap(obj["publicKey"] as? String)
    }

    /// `zkinfer audit DIR CLAIM`: 0 for the directory the claim was made from (private weights: the commitments
    /// open with its salt), 1 for a recompile of the same file (another salt), 2 for a missing directory or claim.
    func testAuditOpensTheHostsCommitments() throws {
        try compileAndSetup("iris_logreg", "host", ["--weights", "private"])
        try run(["prove", path("host"), "--input", model("iris_logreg", "input.json"), "-o", path("out"), "--quiet"], expect: 0)
        let ok = try run(["audit", path("host"), path("out/claim.json"), "--vk", path("host/verification_key.json")], expect: 0)
        XCTAssertTrue(ok.stdout.hasPrefix("OK: the claim is about the model in"), ok.stdout)
        try run(["compile", model("iris_logreg", "model.onnx"), "-o", path("again"), "--weights", "private", "--quiet",
                 "--calibrate", model("iris_logreg", "calibration.json")], expect: 0)
        let bad = try run(["audit", path("again"), path("out/claim.json"), "--json"], expect: 1)
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(obj["matches"] as? Bool, false)
        XCTAssertTrue((obj["problems"] as? [String] ?? []).contains("model.weightsCommitment does not open to these weights with this salt"))
        try run(["audit", path("missing"), path("out/claim.json")], expect: 2)
        try run(["audit", path("host"), path("missing.json")], expect: 2)
        try Data("{".utf8).write(to: URL(fileURLWithPath: path("broken.json")))
        try run(["audit", path("host"), path("broken.json")], expect: 2)
    }

    func testKeygenWritesOwnerOnlyFileAndNeverOverwrites() throws {
        let pk = try keygen("host.key")
        XCTAssertEqual(try mode(path("host.key")), 0o600)
        let data = try Data(contentsOf: URL(fileURLWithPath: path("host.key")))
        let obj = try json(path("host.key"))
        XCTAssertEqual(obj["type"] as? String, HostKeyFile.type)
        XCTAssertEqual(obj["publicKey"] as? String, pk)
        XCTAssertEqual((obj["secretKey"] as? String)?.count, 128)
        XCTAssertEqual(pk.count, 64)
        let pair = try HostKeyFile.load(data)
        XCTAssertEqual(pair.publicKey.map { String(format: "%02x", $0) }.joined(), pk)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), ["host.key"], "no temporary file left")

        // A second keygen to the same path: exit 2, the key untouched.
        let r = try run(["keygen", "-o", path("host.key")], expect: 2)
        XCTAssertTrue(r.stderr.contains("already exists"), r.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("host.key"))), data)
        XCTAssertEqual(try mode(path("host.key")), 0o600)
        // Nor over any other existing file.
        try Data("keep".utf8).write(to: URL(fileURLWithPath: path("other.txt")))
        try run(["keygen", "-o", path("other.txt")], expect: 2)
        XCTAssertEqual(try String(contentsOfFile: path("other.txt"), encoding: .utf8), "keep")
        // Two keys differ.
        XCTAssertNotEqual(try keygen("second.key"), pk)
        // A directory that does not exist: exit 2, nothing written.
        try run(["keygen", "-o", path("missing/dir/host.key")], expect: 2)
    }

    func testSignedHashedInputProofs() throws {
        let name = "iris_logreg"
        try compileAndSetup(name, "m", ["--weights", "private", "--input", "hashed"])
        let pk = try keygen("host.key"), otherPK = try keygen("other.key")
        var hashes: [String] = [], salts: [String] = []
        let input = try XCTUnwrap(try json(model(name, "input.json"))["input_data"] as? [[Double]])[0]
        for out in ["o1", "o2"] {
            try run(["prove", path("m"), "--input", model(name, "input.json"), "-o", path(out), "--sign", path("host.key"), "--quiet"], expect: 0)
            let opening = try json(path("\(out)/input_opening.json"))
            XCTAssertEqual(try mode(path("\(out)/input_opening.json")), 0o600)
            let c = try claim(path("\(out)/claim.json"))
            let saltText = try XCTUnwrap(opening["salt"] as? String)
            let salt = try XCTUnwrap(Fr(decimal: saltText))
            let q = try XCTUnwrap(opening["quantized"] as? [Int])
            // The opening's integers are the documented quantization of input.json.
            XCTAssertEqual(opening["scale"] as? Int, c.input.scale)
            XCTAssertEqual(q, input.map { Int(($0 * Double(sign: .plus, exponent: c.input.scale, significand: 1)).rounded()) })
            let hash = Poseidon.hashMany([salt] + q.map { Fr(signed: Int64($0)) }).description
            XCTAssertEqual(opening["hash"] as? String, hash)
            XCTAssertEqual(c.input.hash, hash)
            XCTAssertEqual(c.input.visibility, .hashed)
            XCTAssertEqual(c.input.quantized, [])
            XCTAssertEqual(c.input.values, [])
            XCTAssertEqual(c.publicSignalLayout, ["statement", "weights_commitment", "input_hash", "output[3]"])
            XCTAssertEqual(c.publicSignals[2], hash)
            let publics = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("\(out)/public.json")))) as? [String])
            XCTAssertEqual(publics, c.publicSignals)
            // The claim and public.json do not carry the salt.
            for file in ["claim.json", "public.json", "proof.json"] {
                XCTAssertFalse(try String(contentsOfFile: path("\(out)/\(file)"), encoding: .utf8).contains(saltText), file)
            }
            XCTAssertEqual(c.signature?.publicKey, pk)
            let r = try run(["verify", path("\(out)/claim.json"), "--vk", path("m/verification_key.json")], expect: 0)
            XCTAssertTrue(r.stdout.hasPrefix("OK"), r.stdout)
            XCTAssertTrue(r.stdout.contains("signed by \(pk) (signature valid)"), r.stdout)
            hashes.append(hash)
            salts.append(saltText)
        }
        // Same input, fresh salt: another hash.
        XCTAssertNotEqual(hashes[0], hashes[1])
        XCTAssertNotEqual(salts[0], salts[1])

        let vk = path("m/verification_key.json"), claim1 = path("o1/claim.json")
        // --signer: the right key passes, another key fails (exit 1), and --json reports the signer.
        try run(["verify", claim1, "--vk", vk, "--signer", pk], expect: 0)
        try run(["verify", claim1, "--vk", vk, "--signer", pk.uppercased()], expect: 0)
        var r = try run(["verify", claim1, "--vk", vk, "--signer", otherPK], expect: 1)
        XCTAssertTrue(r.stdout.hasPrefix("INVALID"), r.stdout)
        XCTAssertTrue(r.stdout.contains(otherPK), r.stdout)
        r = try run(["verify", claim1, "--vk", vk, "--json"], expect: 0)
        let verdict = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let sig = try XCTUnwrap(verdict["signature"] as? [String: Any])
        XCTAssertEqual(sig["valid"] as? Bool, true)
        XCTAssertEqual(sig["publicKey"] as? String, pk)

        // The other run's hash (same input, other salt) swapped in: invalid, signed or not.
        var c = try claim(claim1)
        c.input.hash = hashes[1]
        c.publicSignals[2] = hashes[1]
        try write(c, path("swapped.json"))
        r = try run(["verify", path("swapped.json"), "--vk", vk], expect: 1)
        XCTAssertTrue(r.stdout.contains("signature") && r.stdout.contains("INVALID"), r.stdout)
        c.signature = nil
        try write(c, path("swapped-unsigned.json"))
        r = try run(["verify", path("swapped-unsigned.json"), "--vk", vk], expect: 1)
        XCTAssertTrue(r.stdout.contains("Groth16"), r.stdout)
        // Unsigned but --signer required: invalid.
        c = try claim(claim1)
        c.signature = nil
        try write(c, path("unsigned.json"))
        try run(["verify", path("unsigned.json"), "--vk", vk], expect: 0)
        try run(["verify", path("unsigned.json"), "--vk", vk, "--signer", pk], expect: 1)
        // One signature byte changed: invalid.
        c = try claim(claim1)
        var s = Array(try XCTUnwrap(c.signature?.signature))
        s[10] = s[10] == "0" ? "1" : "0"
        c.signature?.signature = String(s)
        try write(c, path("badsig.json"))
        r = try run(["verify", path("badsig.json"), "--vk", vk], expect: 1)
        XCTAssertTrue(r.stdout.contains("signature"), r.stdout)
    }

    func testProveSignRejectsBadKeyFiles() throws {
        let name = "iris_logreg"
        try compileAndSetup(name, "m", [])
        _ = try keygen("good.key")
        _ = try keygen("other.key")
        let good = try json(path("good.key")), other = try json(path("other.key"))
        let goodSecret = try XCTUnwrap(good["secretKey"] as? String)
        func keyFile(_ fields: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: fields) }
        var flippedSecret = Array(goodSecret)
        flippedSecret[127] = flippedSecret[127] == "0" ? "1" : "0"  // the embedded public half
        let cases: [(String, Data?)] = [
            ("missing.key", nil),
            ("empty.key", Data()),
            ("badjson.key", Data("{\"type\": ".utf8)),
            ("array.key", Data("[1, 2]".utf8)),
            ("wrongtype.key", try keyFile(good.merging(["type": "ssh-ed25519"]) { $1 })),
            ("notype.key", try keyFile(good.filter { $0.key != "type" })),
            ("shortsecret.key", try keyFile(good.merging(["secretKey": String(goodSecret.dropLast(4))]) { $1 })),
            ("longsecret.key", try keyFile(good.merging(["secretKey": goodSecret + "00"]) { $1 })),
            ("nonhex.key", try keyFile(good.merging(["secretKey": "zz" + goodSecret.dropFirst(2)]) { $1 })),
            ("numbersecret.key", try keyFile(good.merging(["secretKey": 42]) { $1 })),
            ("otherpublic.key", try keyFile(good.merging(["publicKey": other["publicKey"]!]) { $1 })),
            ("inconsistent.key", try keyFile(good.merging(["secretKey": String(flippedSecret)]) { $1 })),
        ]
        for (file, data) in cases {
            if let data { try data.write(to: URL(fileURLWithPath: path(file))) }
            let out = "out-\(file)"
            let r = try run(["prove", path("m"), "--input", model(name, "input.json"), "-o", path(out), "--sign", path(file), "--quiet"], expect: 2)
            XCTAssertTrue(r.stderr.contains("zkinfer: error:") && r.stderr.contains(path(file)), "\(file): \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("\(out)/claim.json")), file)
        }
        // Control: the good key signs.
        try run(["prove", path("m"), "--input", model(name, "input.json"), "-o", path("ok"), "--sign", path("good.key"), "--quiet"], expect: 0)
        try run(["verify", path("ok/claim.json"), "--vk", path("m/verification_key.json"), "--signer", good["publicKey"] as! String], expect: 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("ok/input_opening.json")), "public input: no opening file")
    }

    /// Private weights and a private input with distinctive values: the written files contain none
    /// of them, nor the salt (a plain-leak check, not a proof of zero knowledge).
    func testPrivateWeightsAndInputFilesLeakNothing() throws {
        let name = "iris_logreg"
        try compileAndSetup(name, "m", ["--weights", "private", "--input", "private", "--scale-bits", "16"])
        let input = [5.4321, 3.1234, 1.4567, 0.2345]
        try JSONSerialization.data(withJSONObject: ["input_data": [input]]).write(to: URL(fileURLWithPath: path("input.json")))
        try run(["prove", path("m"), "--input", path("input.json"), "-o", path("o"), "--quiet"], expect: 0)
        try run(["verify", path("o/claim.json"), "--vk", path("m/verification_key.json")], expect: 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o/input_opening.json")))
        let c = try claim(path("o/claim.json"))
        XCTAssertEqual(c.input.quantized, [])
        XCTAssertEqual(c.input.values, [])

        let model = try JSONDecoder().decode(QuantizedModel.self, from: Data(contentsOf: URL(fileURLWithPath: path("m/circuit.json"))))
        let salt = try XCTUnwrap(model.weightSalt)
        var params: [Int] = []
        for n in model.nodes where n.hasPrivateWeights {
            switch n.op {
            case .dense(_, let w, let b, _, _), .conv(_, let w, let b, _, _): params += w + b
            default: break
            }
        }
        let large = Set(params.filter { abs($0) >= 1000 })
        XCTAssertGreaterThanOrEqual(large.count, 5, "scale bits 16 makes most iris parameters distinctive")
        let scale = model.inputTensor.scale
        let q = input.map { Int(($0 * Double(sign: .plus, exponent: scale, significand: 1)).rounded()) }
        XCTAssertTrue(q.allSatisfy { abs($0) >= 1000 }, "\(q)")
        var tokens = [salt] + input.map { String($0) }
        for v in large.union(q) { tokens += [String(v), Fr(signed: Int64(v)).description] }
        for file in ["claim.json", "proof.json", "public.json"] {
            let text = try String(contentsOfFile: path("o/\(file)"), encoding: .utf8)
            for t in tokens { XCTAssertFalse(Self.containsNumber(text, t), "\(t) in \(file)") }
        }
        // Control: circuit.json (kept by the host) does contain them.
        let circuit = try String(contentsOfFile: path("m/circuit.json"), encoding: .utf8)
        XCTAssertTrue(large.allSatisfy { Self.containsNumber(circuit, String($0)) })
        XCTAssertTrue(circuit.contains(salt))
    }

    /// `token` as a whole number in `text` (not part of a longer number, word or hex string).
    static func containsNumber(_ text: String, _ token: String) -> Bool {
        let body: Set<Character> = Set("0123456789abcdefABCDEFxX.+-eE_")
        var search = text[...]
        while let r = search.range(of: token) {
            let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
            let after = r.upperBound == text.endIndex ? nil : text[r.upperBound]
            if (before.map { !body.contains($0) } ?? true) && (after.map { !body.contains($0) } ?? true) { return true }
            search = text[r.upperBound...]
        }
        return false
    }
}
