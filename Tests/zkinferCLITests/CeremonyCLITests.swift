import Foundation
import XCTest

/// The ceremony through the `zkinfer` binary: a three-party walk-through for a model (host starts it,
/// the verifier contributes, a beacon ends it), claims that name it, `verify --zkey
/// --require-contribution`, and the exit codes (0 ok, 1 a failed check, 2 malformed input).
final class CeremonyCLITests: CLITestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    func sample(_ parts: String...) -> String { parts.reduce(Self.root.appendingPathComponent("Circuits")) { $0.appendingPathComponent($1) }.path }
    func fixture(_ set: String, _ name: String) -> String {
        Self.root.appendingPathComponent("Tests/ZKCeremonyTests/Fixtures").appendingPathComponent(set).appendingPathComponent(name).path
    }

    /// The contribution hash block `ceremony contribute` prints, as one hex string.
    func contributionHash(_ stdout: String) throws -> String {
        let lines = stdout.components(separatedBy: "\n")
        let i = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Contribution Hash") }, stdout)
        return lines[(i + 1)...(i + 4)].joined().filter { !$0.isWhitespace }
    }

    func testModelCeremonyWalkThrough() throws {
        // Phase 1: a small ceremony of our own.
        try run(["ptau", "new", "6", "-o", path("p0.ptau")], expect: 0)
        try run(["ptau", "contribute", path("p0.ptau"), path("p1.ptau"), "--name", "alice", "--entropy", "some text"], expect: 0)
        try run(["ptau", "beacon", path("p1.ptau"), path("p2.ptau"), "00aa11bb", "10", "--name", "beacon"], expect: 0)
        try run(["ptau", "prepare", path("p2.ptau"), path("pf.ptau")], expect: 0)
        var r = try run(["ptau", "verify", path("pf.ptau")], expect: 0)
        XCTAssertTrue(r.stdout.contains("Powers of Tau Ok!"), r.stdout)
        r = try run(["ptau", "verify", path("pf.ptau"), "--json"], expect: 0)
        XCTAssertTrue(r.stdout.contains("\"prepared\" : true"), r.stdout)

        // The host compiles a model and starts the ceremony.
        let model = sample("classical_ops", "linear_regressor")
        let dir = path("m")
        try run(["compile", model + "/model.onnx", "-o", dir, "--quiet"], expect: 0)
        r = try run(["setup", dir, "--ptau", path("pf.ptau"), "-o", path("0000.zkey")], expect: 0)
        XCTAssertTrue(r.stdout.contains("ceremony started"), r.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/ceremony/0000.zkey"))
        // Host, then verifier, contribute; a beacon closes the chain.
        r = try run(["ceremony", "contribute", path("0000.zkey"), path("0001.zkey"), "--name", "host"], expect: 0)
        let hostHash = try contributionHash(r.stdout)
        r = try run(["ceremony", "contribute", path("0001.zkey"), path("0002.zkey"), "--name", "verifier"], expect: 0)
        let verifierHash = try contributionHash(r.stdout)
        XCTAssertNotEqual(hostHash, verifierHash)
        try run(["ceremony", "beacon", path("0002.zkey"), path("final.zkey"), "0102030405", "10", "--name", "beacon"], expect: 0)
        r = try run(["ceremony", "verify", dir + "/circuit.r1cs", path("pf.ptau"), path("final.zkey")], expect: 0)
        XCTAssertTrue(r.stdout.contains("ZKey Ok!"), r.stdout)
        XCTAssertTrue(r.stdout.contains("contribution #2 verifier:"), r.stdout)
        try run(["ceremony", "verify", "--from", path("0000.zkey"), path("final.zkey"), "--require-contribution", verifierHash], expect: 0)
        try run(["ceremony", "verify", "--from", path("0000.zkey"), path("final.zkey"), "--require-contribution", String(repeating: "ab", count: 64)], expect: 1)
        // An intermediate key is not the final one; a chain with a forged link is refused.
        try run(["ceremony", "verify", "--from", path("0001.zkey"), path("final.zkey")], expect: 1)

        // Installing: a key without contribution is refused; the final key is verified and installed.
        r = try run(["setup", dir, "--zkey", path("0000.zkey")], expect: 2)
        XCTAssertTrue(r.stderr.contains("no contribution"), r.stderr)
        r = try run(["setup", dir, "--zkey", path("final.zkey"), "--ptau", path("pf.ptau")], expect: 0)
        XCTAssertTrue(r.stdout.contains("ceremony setup: chain of 3 contribution(s) verified"), r.stdout)

        // The claim names the ceremony; the verifier checks its own contribution is in the key's chain.
        let input = path("in.json")
        let cases = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: model + "/cases.json"))) as! [String: Any]
        let first = (cases["inputs"] as! [[Double]])[0]
        try JSONSerialization.data(withJSONObject: ["input_data": [first]]).write(to: URL(fileURLWithPath: input))
        try run(["prove", dir, "--input", input, "-o", path("out"), "--quiet"], expect: 0)
        let claim = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("out/claim.json")))) as! [String: Any]
        let ceremony = try XCTUnwrap(claim["ceremony"] as? [String: Any])
        XCTAssertEqual((ceremony["contributions"] as? [[String: Any]])?.compactMap { $0["hash"] as? String }.dropFirst().first, verifierHash)
        let vk = dir + "/verification_key.json"
        r = try run(["verify", path("out/claim.json"), "--vk", vk, "--zkey", path("final.zkey"), "--require-contribution", verifierHash], expect: 0)
        XCTAssertTrue(r.stdout.contains("key produced by the ceremony"), r.stdout)
        r = try run(["verify", path("out/claim.json"), "--vk", vk, "--zkey", path("final.zkey"), "--require-contribution", String(repeating: "0", count: 128)], expect: 1)
        XCTAssertTrue(r.stdout.contains("required contribution"), r.stdout)
        // Another key's chain: the verification key is not the one it produced.
        r = try run(["verify", path("out/claim.json"), "--vk", vk, "--zkey", path("0002.zkey")], expect: 1)
        XCTAssertTrue(r.stdout.contains("is not the one"), r.stdout)
        r = try run(["verify", path("out/claim.json"), "--vk", vk, "--json"], expect: 0)
        XCTAssertTrue(r.stdout.contains("\"setup\" : \"ceremony\""), r.stdout)
        // The model path proves with groth16 tools too: export-vk gives the installed verification key.
        try run(["ceremony", "export-vk", path("final.zkey"), "-o", path("vk.json")], expect: 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("vk.json"))), try Data(contentsOf: URL(fileURLWithPath: vk)))

        // A later single-party setup replaces the key and says so; claims no longer name a ceremony.
        r = try run(["setup", dir, "--quiet"], expect: 0)
        XCTAssertTrue(r.stdout.hasPrefix("single-party setup"), r.stdout)
        try run(["prove", dir, "--input", input, "-o", path("out2"), "--quiet"], expect: 0)
        let claim2 = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("out2/claim.json")))) as! [String: Any]
        XCTAssertNil(claim2["ceremony"])
        r = try run(["verify", path("out2/claim.json"), "--vk", vk], expect: 0)
        XCTAssertTrue(r.stdout.contains("single-party setup"), r.stdout)
    }

    func testSnarkjsVectorsThroughTheCLI() throws {
        var r = try run(["ptau", "verify", fixture("hermez-pot09", "powersOfTau28_hez_final_09.ptau")], expect: 0)
        XCTAssertTrue(r.stdout.contains("Contribution #55"), r.stdout)
        try run(["ceremony", "new", fixture("pot10-age", "age.r1cs"), fixture("pot10-age", "pot10_final.ptau"), "-o", path("age0.zkey")], expect: 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("age0.zkey"))), try Data(contentsOf: URL(fileURLWithPath: fixture("pot10-age", "circuit_0000.zkey"))))
        r = try run(["ceremony", "verify", fixture("pot10-age", "age.r1cs"), fixture("pot10-age", "pot10_final.ptau"), fixture("pot10-age", "circuit_final.zkey")], expect: 0)
        XCTAssertTrue(r.stdout.contains("Beacon generator: 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), r.stdout)
        // The README flow's chain (contribution 3 was imported from bellman): verified from its initial key.
        r = try run(["ceremony", "verify", "--from", fixture("pot12-readme", "circuit_0000.zkey"), fixture("pot12-readme", "circuit_final.zkey")], expect: 0)
        XCTAssertTrue(r.stdout.contains("contribution #4 Final Beacon phase2:"), r.stdout)
        // The snarkjs key proves through zkinfer and verifies under its exported verification key.
        try run(["groth16", "prove", "--r1cs", fixture("pot12-readme", "circuit.r1cs"), "--wtns", fixture("pot12-readme", "witness.wtns"),
                 "--zkey", fixture("pot12-readme", "circuit_final.zkey"), "-o", path("o"), "--quiet"], expect: 0)
        try run(["ceremony", "export-vk", fixture("pot12-readme", "circuit_final.zkey"), "-o", path("vk12.json")], expect: 0)
        try run(["verify", "--vk", path("vk12.json"), "--proof", path("o/proof.json"), "--public", path("o/public.json")], expect: 0)
        try run(["verify", "--vk", fixture("pot12-readme", "verification_key.json"), "--proof", fixture("pot12-readme", "proof.json"),
                 "--public", fixture("pot12-readme", "public.json")], expect: 0)
        try run(["verify", "--vk", path("vk12.json"), "--proof", fixture("pot12-readme", "proof.json"), "--public", fixture("pot12-readme", "public.json")], expect: 0)
    }

    func testBadInputExitsTwo() throws {
        try Data("not a ptau".utf8).write(to: URL(fileURLWithPath: path("bad.ptau")))
        var r = try run(["ptau", "verify", path("bad.ptau")], expect: 2)
        XCTAssertTrue(r.stderr.contains("bad.ptau"), r.stderr)
        try run(["ptau", "verify", path("missing.ptau")], expect: 2)
        try run(["ceremony", "contribute", path("bad.ptau"), path("x.zkey")], expect: 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.zkey")))
        try run(["ptau", "new", "0", "-o", path("z.ptau")], expect: 2)
        try run(["ptau", "new", "4", "-o", path("p.ptau")], expect: 0)
        r = try run(["ptau", "beacon", path("p.ptau"), path("q.ptau"), "xyz", "10"], expect: 2)
        XCTAssertTrue(r.stderr.contains("hex"), r.stderr)
        try run(["ptau", "beacon", path("p.ptau"), path("q.ptau"), "00", "5"], expect: 2)
        // An unprepared file cannot start phase 2; a file without contribution does not verify.
        r = try run(["ceremony", "new", fixture("pot10-age", "age.r1cs"), path("p.ptau"), "-o", path("k.zkey")], expect: 2)
        XCTAssertTrue(r.stderr.contains("not prepared"), r.stderr)
        r = try run(["ptau", "verify", path("p.ptau")], expect: 1)
        XCTAssertTrue(r.stdout.contains("no contribution") || r.stderr.contains("no contribution"), r.stdout + r.stderr)
        // Usage errors.
        try run(["ceremony", "verify", path("only-one.zkey")], expect: 2)
        try run(["ceremony", "verify", "--from", fixture("pot10-age", "circuit_0000.zkey"), fixture("pot10-age", "circuit_final.zkey"), "--require-contribution", "12"], expect: 2)
        try run(["setup", path("nodir"), "--ptau", path("p.ptau")], expect: 2)
        try run(["verify", "--vk", "x", "--proof", "y", "--public", "z", "--zkey", "k"], expect: 2)
        // A truncated zkey is named in the message.
        let z = try Data(contentsOf: URL(fileURLWithPath: fixture("pot10-age", "circuit_final.zkey")))
        try z.prefix(z.count / 2).write(to: URL(fileURLWithPath: path("half.zkey")))
        r = try run(["ceremony", "verify", "--from", fixture("pot10-age", "circuit_0000.zkey"), path("half.zkey")], expect: 2)
        XCTAssertTrue(r.stderr.contains("half.zkey"), r.stderr)
    }
}
