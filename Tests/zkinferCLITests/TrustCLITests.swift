// Issue 12 through the `zkinfer` binary: verify --model, --weights-commitment, the verdict's headline, the recorded
// calibration digest, and setup by someone other than the host from the weight-free public part.

import Foundation
import XCTest
import ZKAlgebra
import ZKModel
import ZKClaim

final class CLITrustTests: CLITestCase {
    func claim(_ file: String) throws -> Claim { try ClaimVerifier.decode(Data(contentsOf: URL(fileURLWithPath: file))) }
    func jsonObject(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testVerifyModelFileAndHeadline() throws {
        try run(["compile", model("iris_logreg", "model.onnx"), "-o", path("iris"), "--calibrate", model("iris_logreg", "calibration.json"), "--quiet"], expect: 0)
        try run(["setup", path("iris"), "--quiet"], expect: 0)
        try run(["prove", path("iris"), "--input", model("iris_logreg", "input.json"), "-o", path("out"), "--quiet"], expect: 0)
        let c = try claim(path("out/claim.json"))
        // The calibration file's digest is recorded.
        let calibration = try Data(contentsOf: URL(fileURLWithPath: model("iris_logreg", "calibration.json")))
        XCTAssertEqual(c.quantization.calibrationDigest, try blake2bHex([UInt8](calibration)))
        // The headline is what the proof binds; the name is a label.
        let vk = path("iris/verification_key.json")
        let ok = try run(["verify", path("out/claim.json"), "--vk", vk, "--model", model("iris_logreg", "model.onnx")], expect: 0)
        XCTAssertTrue(ok.stdout.hasPrefix("OK: claim is valid: model \(c.model.modelDigest) output ["), ok.stdout)
        XCTAssertTrue(ok.stdout.contains("model re-derived from"), ok.stdout)
        XCTAssertTrue(ok.stdout.contains("label \"iris_logreg\" (not bound by the proof)"), ok.stdout)
        // Another model file: invalid (exit 1), naming the digest.
        let bad = try run(["verify", path("out/claim.json"), "--vk", vk, "--model", model("digits_mlp", "model.onnx"), "--json"], expect: 1)
        let obj = try jsonObject(bad.stdout)
        XCTAssertTrue((obj["problems"] as? [String] ?? []).contains("model.onnxDigest is not the BLAKE2b-256 of the given ONNX file"), bad.stdout)
        XCTAssertEqual(obj["modelDigest"] as? String, c.model.modelDigest)
        // A file that is not ONNX: malformed (exit 2), naming it.
        try Data("not onnx".utf8).write(to: URL(fileURLWithPath: path("bad.onnx")))
        let broken = try run(["verify", path("out/claim.json"), "--vk", vk, "--model", path("bad.onnx")], expect: 2)
        XCTAssertTrue(broken.stderr.contains("bad.onnx"), broken.stderr)
        // --weights-commitment on a public-weights claim: invalid; malformed hex: usage error (exit 2).
        try run(["verify", path("out/claim.json"), "--vk", vk, "--weights-commitment", "0x" + String(repeating: "0", count: 63) + "1"], expect: 1)
        try run(["verify", path("out/claim.json"), "--vk", vk, "--weights-commitment", "0x12"], expect: 2)
        // A claim with an unknown key: malformed (exit 2), naming the key.
        var text = try String(contentsOfFile: path("out/claim.json"), encoding: .utf8)
        text = "{\"trusted\": true, " + text.dropFirst()
        try text.write(toFile: path("extra.json"), atomically: true, encoding: .utf8)
        let extra = try run(["verify", path("extra.json"), "--vk", vk], expect: 2)
        XCTAssertTrue(extra.stderr.contains("unknown key 'trusted'"), extra.stderr)
    }

    /// Setup by the verifier from the weight-free public part; proving by the host; verification by the verifier,
    /// pinning the weights commitment.
    func testVerifierRunsSetupFromThePublicPart() throws {
        let compile = try run(["compile", model("iris_logreg", "model.onnx"), "-o", path("host"), "--weights", "private",
                               "--calibrate", model("iris_logreg", "calibration.json"), "--quiet", "--json"], expect: 0)
        let commitment = try XCTUnwrap(try jsonObject(compile.stdout)["weightsCommitmentHex"] as? String)
        // The public part holds no weights, no salt, no ONNX file.
        let pub = path("host/public")
        let files = try FileManager.default.contentsOfDirectory(atPath: pub).sorted()
        XCTAssertEqual(files, ["circuit.json", "circuit.r1cs", "manifest.json"])
        let full = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("host/circuit.json")))) as? [String: Any]
        let salt = try XCTUnwrap(full?["weightSalt"] as? String)
        for f in files {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: pub + "/" + f))
            XCTAssertNil(bytes.range(of: Data(salt.utf8)), "\(f) contains the salt")
            XCTAssertNil(bytes.range(of: Data("weightSalt".utf8)), "\(f) names the salt")
        }
        // The verifier runs setup on the public part (no weights needed) ...
        let setup = try run(["setup", pub, "--quiet"], expect: 0)
        XCTAssertTrue(setup.stdout.contains("from the weight-free public part"), setup.stdout)
        // ... which cannot prove or run anything.
        try run(["prove", pub, "--input", model("iris_logreg", "input.json"), "-o", path("nope"), "--quiet"], expect: 2)
        // The host installs the verifier's proving key and proves.
        try FileManager.default.copyItem(atPath: pub + "/proving.key", toPath: path("host/proving.key"))
        try run(["prove", path("host"), "--input", model("iris_logreg", "input.json"), "-o", path("out"), "--quiet"], expect: 0)
        // The verifier checks the claim with its own key, pinning the commitment.
        let ok = try run(["verify", path("out/claim.json"), "--vk", pub + "/verification_key.json", "--weights-commitment", commitment], expect: 0)
        XCTAssertTrue(ok.stdout.contains("weights commitment \(commitment)"), ok.stdout)
        let other = "0x" + String(repeating: "0", count: 63) + "7"
        let pinned = try run(["verify", path("out/claim.json"), "--vk", pub + "/verification_key.json", "--weights-commitment", other], expect: 1)
        XCTAssertTrue(pinned.stdout.contains("not the required \(other)"), pinned.stdout)
        // A public part whose manifest does not match its circuit.json is refused.
        var manifest = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: pub + "/manifest.json"))) as? [String: Any])
        manifest["circuitDigest"] = String(repeating: "0", count: 64)
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: pub + "/manifest.json"))
        try run(["setup", pub, "--quiet"], expect: 2)
    }
}
