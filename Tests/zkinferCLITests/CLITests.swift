import Foundation
import XCTest
import ZKAlgebra
import ZKFormats

/// End-to-end tests of the `zkinfer` binary: files in, files and exit codes out.
final class CLITests: CLITestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ZKFormatsTests/Fixtures/groth16")

    func fixture(_ set: String, _ file: String) -> String { Self.fixtures.appendingPathComponent(set).appendingPathComponent(file).path }

    func testSetupProveVerifyRoundTrip() throws {
        let set = "snarkjs-test-groth16-multiplier1000"
        var r = try run(["groth16", "setup", fixture(set, "circuit.r1cs"), "-o", path("keys"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("keys/proving.key")))
        r = try run(["groth16", "prove", "--r1cs", fixture(set, "circuit.r1cs"), "--wtns", fixture(set, "witness.wtns"),
                     "--pk", path("keys/proving.key"), "-o", path("out"), "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"proveSeconds\""))
        r = try run(["verify", "--vk", path("keys/verification_key.json"), "--proof", path("out/proof.json"), "--public", path("out/public.json")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("OK"), r.stdout)
        // public.json is exactly the README's public signals.
        let publics = try String(contentsOfFile: path("out/public.json"), encoding: .utf8)
        XCTAssertTrue(publics.contains("19820469076730107577691234630797803937210158605698999776717232705083708883456"))

        // Tampered public input → exit 1.
        let tampered = publics.replacingOccurrences(of: "\"11\"", with: "\"12\"")
        try tampered.write(toFile: path("bad-public.json"), atomically: true, encoding: .utf8)
        r = try run(["verify", "--vk", path("keys/verification_key.json"), "--proof", path("out/proof.json"), "--public", path("bad-public.json")])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.hasPrefix("INVALID"))
        r = try run(["verify", "--vk", path("keys/verification_key.json"), "--proof", path("out/proof.json"), "--public", path("bad-public.json"), "--json"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("\"valid\" : false"), r.stdout)
    }

    func testProveWithSnarkjsZKey() throws {
        let set = "circom-multiplier-circuit-0x79de"
        var r = try run(["groth16", "prove", "--r1cs", fixture(set, "multiplier2.r1cs"), "--wtns", fixture(set, "witness.wtns"),
                         "--zkey", fixture(set, "multiplier2_0001.zkey"), "-o", path("out"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try run(["verify", "--vk", fixture(set, "verification_key.json"), "--proof", path("out/proof.json"), "--public", path("out/public.json")])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        // Under another setup's key for the same circuit: invalid.
        r = try run(["verify", "--vk", fixture("hello-snarkjs-phonbopit", "verification_key.json"), "--proof", path("out/proof.json"), "--public", path("out/public.json")])
        XCTAssertEqual(r.status, 1)
    }

    /// The prover's `.zkey` loader skips the B2 subgroup checks but not the curve checks: a B2 point off the
    /// curve is refused at load, one outside the subgroup makes `prove` refuse its output; both exit 2 naming
    /// the file, with no output written. A rapidsnark-style proof.json (no "curve") verifies.
    func testProveRefusesKeysWithBadB2Points() throws {
        let set = "circom-multiplier-circuit-0x79de"
        let orig = try Data(contentsOf: URL(fileURLWithPath: fixture(set, "multiplier2_0001.zkey")))
        let zkey = try ZKeyGroth16(data: orig)
        func encode(_ p: G2Affine) -> Data {
            var out = Data()
            for f in [p.x.c0, p.x.c1, p.y.c0, p.y.c1] { for l in [f.l0, f.l1, f.l2, f.l3] { withUnsafeBytes(of: l.littleEndian) { out.append(contentsOf: $0) } } }
            return out
        }
        // A B2 point that is not infinity (its wire is non-zero in the fixture witness), found through the section table.
        let i = try XCTUnwrap((1..<zkey.nVars).first { !zkey.b2[$0].isInfinity })
        let start = try XCTUnwrap(BinContainer([UInt8](orig), magic: "zkey", version: 1).section(7)).range.lowerBound + 128 * i
        let at = start..<(start + 128)
        XCTAssertEqual(orig.subdata(in: at), encode(zkey.b2[i]))
        let outside: G2Affine? = BN254G2.pointOutsideSubgroup
        var notInGroup = orig
        notInGroup.replaceSubrange(at, with: encode(outside!))
        try notInGroup.write(to: URL(fileURLWithPath: path("outside.zkey")))
        var offCurve = orig
        offCurve[at.lowerBound + 70] ^= 1
        try offCurve.write(to: URL(fileURLWithPath: path("offcurve.zkey")))
        for (name, expected) in [("offcurve.zkey", "not on the curve"), ("outside.zkey", "subgroup")] {
            let r = try run(["groth16", "prove", "--r1cs", fixture(set, "multiplier2.r1cs"), "--wtns", fixture(set, "witness.wtns"),
                             "--zkey", path(name), "-o", path("out-\(name)"), "--quiet"])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains(name) && r.stderr.contains(expected), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("out-\(name)/proof.json")), "no output for \(name)")
        }
        // The circuit check runs beside the proof: a witness that does not satisfy the circuit is still reported first
        // (before the bad key's error), and nothing is written.
        var w = try Data(contentsOf: URL(fileURLWithPath: fixture(set, "witness.wtns")))
        w[w.count - 1] ^= 0x01
        try w.write(to: URL(fileURLWithPath: path("bad.wtns")))
        for name in ["offcurve.zkey", "outside.zkey", "good"] {
            let key = name == "good" ? fixture(set, "multiplier2_0001.zkey") : path(name)
            let r = try run(["groth16", "prove", "--r1cs", fixture(set, "multiplier2.r1cs"), "--wtns", path("bad.wtns"),
                             "--zkey", key, "-o", path("bad-\(name)"), "--quiet"])
            XCTAssertEqual(r.status, 2, r.stderr)
            XCTAssertTrue(r.stderr.contains("bad.wtns: witness does not satisfy"), "\(name): \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("bad-\(name)/proof.json")), "no output for \(name)")
        }
        // The untouched key proves; its proof.json without "curve" (as rapidsnark writes it) still verifies.
        var r = try run(["groth16", "prove", "--r1cs", fixture(set, "multiplier2.r1cs"), "--wtns", fixture(set, "witness.wtns"),
                         "--zkey", fixture(set, "multiplier2_0001.zkey"), "-o", path("good"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        var proof = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("good/proof.json")))) as? [String: Any])
        proof["curve"] = nil
        try JSONSerialization.data(withJSONObject: proof).write(to: URL(fileURLWithPath: path("rapidsnark-proof.json")))
        r = try run(["verify", "--vk", fixture(set, "verification_key.json"), "--proof", path("rapidsnark-proof.json"), "--public", path("good/public.json")])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
    }

    func testFixtureVerdictsAndWarnings() throws {
        var r = try run(["verify", "--vk", fixture("garaga-snarkjs-bn254", "verification_key.json"),
                         "--proof", fixture("garaga-snarkjs-bn254", "proof.json"), "--public", fixture("garaga-snarkjs-bn254", "public.json")])
        // garaga's vk has γ = δ: anyone can forge proofs for it, so the verdict is invalid (it was exit 0 + a warning).
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("INVALID: vk_delta_2 equals vk_gamma_2"), r.stdout)
        r = try run(["verify", "--vk", fixture("garaga-snarkjs-bn254", "verification_key.json"), "--json",
                     "--proof", fixture("garaga-snarkjs-bn254", "proof.json"), "--public", fixture("garaga-snarkjs-bn254", "public.json")])
        XCTAssertEqual(r.status, 1)
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(obj["valid"] as? Bool, false)
        XCTAssertTrue((obj["problems"] as? [String] ?? []).contains { $0.hasPrefix("vk_delta_2 equals vk_gamma_2") }, r.stdout)
        // --allow-forgeable-key keeps the old behaviour (for tests of other things): valid, with a warning.
        r = try run(["verify", "--vk", fixture("garaga-snarkjs-bn254", "verification_key.json"), "--allow-forgeable-key",
                     "--proof", fixture("garaga-snarkjs-bn254", "proof.json"), "--public", fixture("garaga-snarkjs-bn254", "public.json")])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("WARNING"))
        r = try run(["verify", "--vk", fixture("sample-circom-groth16-verifiedanon", "verification_key.json"),
                     "--proof", fixture("sample-circom-groth16-verifiedanon", "proof.json"),
                     "--public", fixture("sample-circom-groth16-verifiedanon", "public.json")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(r.stderr.contains("WARNING"))
    }

    func testMalformedInputExitsTwo() throws {
        let set = "circom-multiplier-circuit-0x79de"
        let vk = fixture(set, "verification_key.json"), proof = fixture(set, "proof.json"), pub = fixture(set, "public.json")
        // Missing file.
        var r = try run(["verify", "--vk", path("nope.json"), "--proof", proof, "--public", pub])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("nope.json"), r.stderr)
        // Garbage JSON, a number instead of a string, a value ≥ r, wrong count.
        let cases = ["{", "[33]", "[\"21888242871839275222246405745257275088548364400416034343698204186575808495617\"]", "[\"33\", \"1\"]", ""]
        for (i, text) in cases.enumerated() {
            try text.write(toFile: path("p\(i).json"), atomically: true, encoding: .utf8)
            r = try run(["verify", "--vk", vk, "--proof", proof, "--public", path("p\(i).json")])
            XCTAssertEqual(r.status, 2, "case \(i): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("p\(i).json"), r.stderr)
        }
        // A proof with a point off the curve.
        var proofText = try String(contentsOfFile: proof, encoding: .utf8)
        let firstCoordinate = proofText.range(of: #""\d+""#, options: .regularExpression)!
        proofText.replaceSubrange(firstCoordinate, with: "\"1\"")
        try proofText.write(toFile: path("offcurve.json"), atomically: true, encoding: .utf8)
        r = try run(["verify", "--vk", vk, "--proof", path("offcurve.json"), "--public", pub])
        XCTAssertEqual(r.status, 2, r.stderr)
        // Truncated binary inputs.
        let r1csBytes = try Data(contentsOf: URL(fileURLWithPath: fixture(set, "multiplier2.r1cs")))
        try r1csBytes.prefix(40).write(to: URL(fileURLWithPath: path("short.r1cs")))
        r = try run(["groth16", "setup", path("short.r1cs"), "-o", path("k")])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("short.r1cs"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("k/proving.key")), "no partial output")
        // A witness that does not satisfy the circuit.
        var w = try Data(contentsOf: URL(fileURLWithPath: fixture(set, "witness.wtns")))
        w[w.count - 1] ^= 0x01
        try w.write(to: URL(fileURLWithPath: path("bad.wtns")))
        r = try run(["groth16", "prove", "--r1cs", fixture(set, "multiplier2.r1cs"), "--wtns", path("bad.wtns"), "--zkey", fixture(set, "multiplier2_0001.zkey"), "-o", path("o")])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("bad.wtns: witness does not satisfy") && r.stderr.contains("constraint 0"), r.stderr)
        // With --zkey the circuit is checked while it is read: a truncated or missing .r1cs is named as with --pk, and
        // its errors come before the witness's.
        for (wtns, what) in [(fixture(set, "witness.wtns"), "good witness"), (path("bad.wtns"), "bad witness"), (path("none.wtns"), "no witness")] {
            r = try run(["groth16", "prove", "--r1cs", path("short.r1cs"), "--wtns", wtns, "--zkey", fixture(set, "multiplier2_0001.zkey"), "-o", path("o")])
            XCTAssertEqual(r.status, 2, "\(what): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("short.r1cs: invalid .r1cs"), "\(what): \(r.stderr)")
            r = try run(["groth16", "prove", "--r1cs", path("none.r1cs"), "--wtns", wtns, "--zkey", fixture(set, "multiplier2_0001.zkey"), "-o", path("o")])
            XCTAssertEqual(r.status, 2, "\(what): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("none.r1cs: cannot read file"), "\(what): \(r.stderr)")
        }
        r = try run(["groth16", "prove", "--r1cs", fixture(set, "multiplier2.r1cs"), "--wtns", path("none.wtns"), "--zkey", fixture(set, "multiplier2_0001.zkey"), "-o", path("o")])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("none.wtns"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("o/proof.json")), "no output")
        // Usage errors.
        r = try run(["groth16", "prove", "--r1cs", "a", "--wtns", "b", "-o", "c"])
        XCTAssertEqual(r.status, 2)
        r = try run(["verify", "--vk", vk])
        XCTAssertEqual(r.status, 2)
        // A key for another circuit.
        r = try run(["groth16", "prove", "--r1cs", fixture("snarkjs-test-groth16-multiplier1000", "circuit.r1cs"),
                     "--wtns", fixture("snarkjs-test-groth16-multiplier1000", "witness.wtns"), "--zkey", fixture(set, "multiplier2_0001.zkey"), "-o", path("o")])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("multiplier2_0001.zkey"), r.stderr)
    }

    func testExportVerifierAndCalldata() throws {
        let set = "sample-circom-groth16-verifiedanon"
        var r = try run(["export", "verifier", "--vk", fixture(set, "verification_key.json"), "--lang", "vyper", "-o", path("v.vy")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(try String(contentsOfFile: path("v.vy"), encoding: .utf8).contains("def verifyProof(a: uint256[2], b: uint256[2][2], c: uint256[2], input: uint256[2]) -> bool:"))
        r = try run(["export", "verifier", "--vk", fixture(set, "verification_key.json"), "--lang", "solidity", "-o", path("v.sol")])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try run(["export", "calldata", "--proof", fixture(set, "proof.json"), "--public", fixture(set, "public.json"), "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"calldata\" : \"0x"), r.stdout)
        // Bad inputs: unknown language, malformed key, missing proof.
        r = try run(["export", "verifier", "--vk", fixture(set, "verification_key.json"), "--lang", "cairo", "-o", path("x")])
        XCTAssertEqual(r.status, 2)
        r = try run(["export", "verifier", "--vk", fixture(set, "proof.json"), "--lang", "vyper", "-o", path("x")])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("proof.json"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x")))
        r = try run(["export", "calldata", "--proof", path("missing.json"), "--public", fixture(set, "public.json")])
        XCTAssertEqual(r.status, 2)
    }

    func testHelpDescribesCommands() throws {
        let r = try run(["--help"])
        XCTAssertEqual(r.status, 0)
        for word in ["groth16", "verify", "export", "demo"] { XCTAssertTrue(r.stdout.contains(word), word) }
    }
}
