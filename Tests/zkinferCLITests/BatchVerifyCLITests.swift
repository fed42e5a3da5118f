import Foundation
import XCTest

/// `zkinfer verify --batch FILE|DIR --vk VK [--json]`.
final class BatchVerifyCLITests: CLITestCase {
    func testBatchDirectoryFileAndJSONLines() throws {
        let dir = path("m")
        try run(["compile", model("digits_mlp", "model.onnx"), "-o", dir, "--calibrate", model("digits_mlp", "calibration.json"), "--quiet"], expect: 0)
        try run(["setup", dir, "--quiet"], expect: 0)
        let vk = dir + "/verification_key.json"
        // Six claims as `prove -o claims/NAME` writes them.
        for i in 0..<6 { try run(["prove", dir, "--input", model("digits_mlp", "input.json"), "-o", path("claims/c\(i)"), "--quiet"], expect: 0) }
        var r = try run(["verify", "--batch", path("claims"), "--vk", vk], expect: 0)
        XCTAssertTrue(r.stdout.contains("batch: 6 claims, 6 valid, 0 invalid"), r.stdout)
        XCTAssertEqual(r.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("OK: ") }.count, 6)

        // Forge two: one with an edited public signal and output (only the pairing check can tell), one truncated.
        let c2 = path("claims/c2/claim.json"), c4 = path("claims/c4/claim.json")
        var claim = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: c2))) as! [String: Any]
        var proof = claim["proof"] as! [String: Any]
        let other = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("claims/c3/claim.json")))) as! [String: Any]
        proof["pi_a"] = (other["proof"] as! [String: Any])["pi_a"]
        claim["proof"] = proof
        try JSONSerialization.data(withJSONObject: claim).write(to: URL(fileURLWithPath: c2))
        let full = try Data(contentsOf: URL(fileURLWithPath: c4))
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: c4))
        r = try run(["verify", "--batch", path("claims"), "--vk", vk, "--json"], expect: 1)
        let lines = r.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(lines.count, 6)
        for line in lines {
            let name = line["claim"] as! String
            let bad = name.hasSuffix("c2/claim.json") || name.hasSuffix("c4/claim.json")
            XCTAssertEqual(line["valid"] as? Bool, !bad, "\(line)")
            XCTAssertNotNil(line["reason"] as? String)
        }
        let reasons = Dictionary(uniqueKeysWithValues: lines.map { ($0["claim"] as! String, $0["reason"] as! String) })
        XCTAssertTrue(reasons[c2]!.contains("Groth16 proof does not verify"), reasons[c2]!)
        XCTAssertTrue(reasons[c4]!.hasPrefix("malformed claim"), reasons[c4]!)
        XCTAssertTrue(r.stderr.contains("batch: 6 claims, 4 valid, 2 invalid (1 malformed)"), r.stderr)

        // JSON Lines: the four good claims, compacted to one line each, plus a blank line.
        var jsonl = ""
        for i in [0, 1, 3, 5] {
            let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("claims/c\(i)/claim.json"))))
            jsonl += String(decoding: try JSONSerialization.data(withJSONObject: obj), as: UTF8.self) + "\n\n"
        }
        try Data(jsonl.utf8).write(to: URL(fileURLWithPath: path("claims.jsonl")))
        r = try run(["verify", "--batch", path("claims.jsonl"), "--vk", vk, "--threads", "1"], expect: 0)
        XCTAssertTrue(r.stdout.contains("OK: \(path("claims.jsonl")):3:"), r.stdout)
        // A single pretty-printed claim file is a batch of one; the one-at-a-time reference agrees.
        r = try run(["verify", "--batch", path("claims/c0/claim.json"), "--vk", vk, "--one-at-a-time"], expect: 0)
        XCTAssertTrue(r.stdout.contains("batch: 1 claims, 1 valid"), r.stdout)
        r = try run(["verify", "--batch", path("claims"), "--vk", vk, "--one-at-a-time"], expect: 1)
        XCTAssertTrue(r.stdout.contains("4 valid, 2 invalid"), r.stdout)
    }

    func testBatchLevelErrorsExitTwo() throws {
        try FileManager.default.createDirectory(atPath: path("empty"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: path("vk.json")))
        var r = try run(["verify", "--batch", path("empty"), "--vk", path("vk.json")], expect: 2)
        XCTAssertTrue(r.stderr.contains("vk.json"), r.stderr)
        // A well-formed key is needed to get as far as the claims.
        try run(["compile", model("digits_mlp", "model.onnx"), "-o", path("m"), "--calibrate", model("digits_mlp", "calibration.json"), "--quiet"], expect: 0)
        try run(["setup", path("m"), "--quiet"], expect: 0)
        let good = path("m/verification_key.json")
        r = try run(["verify", "--batch", path("empty"), "--vk", good], expect: 2)
        XCTAssertTrue(r.stderr.contains("no claims found"), r.stderr)
        r = try run(["verify", "--batch", path("missing"), "--vk", good], expect: 2)
        XCTAssertTrue(r.stderr.contains("no such file"), r.stderr)
        try Data().write(to: URL(fileURLWithPath: path("blank.jsonl")))
        try run(["verify", "--batch", path("blank.jsonl"), "--vk", good], expect: 2)
        // Options that belong to a single claim are refused.
        for extra in [["--model", model("digits_mlp", "model.onnx")], ["--proof", "p.json"], ["--zkey", "k.zkey"]] {
            try run(["verify", "--batch", path("empty"), "--vk", good] + extra, expect: 2)
        }
        try run(["verify", "--vk", good, "--vk", good, "--proof", "p", "--public", "q"], expect: 2)
        // A garbage line in a JSON Lines file is one malformed claim, not a batch error.
        try Data("not json\n".utf8).write(to: URL(fileURLWithPath: path("bad.jsonl")))
        r = try run(["verify", "--batch", path("bad.jsonl"), "--vk", good, "--json"], expect: 1)
        XCTAssertTrue(r.stdout.contains("\"malformed\":true"), r.stdout)
    }
}
