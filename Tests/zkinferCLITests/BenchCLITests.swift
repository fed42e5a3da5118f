import Foundation
import XCTest

/// `zkinfer bench` end to end: a tiny groth16 run, the summary JSON, and `bench compare`.
final class BenchCLITests: XCTestCase {
    func run(_ args: [String], environment: [String: String] = [:]) throws -> CLIResult {
        try ZkinferBinary.run(args, environment: environment)
    }

    func testBenchGroth16TinyAndCompare() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var r = try run(["bench", "--suite", "groth16", "--max-size", "5", "--repeat", "1", "--out", dir.path, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
        XCTAssertEqual(summary["schemaVersion"] as? Int, 1)
        XCTAssertEqual((summary["groth16"] as? [[String: Any]])?.count, 1)
        XCTAssertTrue(r.stderr.contains("groth16 2^5: setup"), r.stderr)
        for f in ["results.json", "results.csv", "report.md", "prover-time.svg", "memory.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(f).path), f)
        }
        let results = dir.appendingPathComponent("results.json").path
        r = try run(["bench", "compare", results, results])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("1.000"), r.stdout)
        r = try run(["bench", "compare", results, results, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("\"ratio\" : 1"), r.stdout)

        // `bench report` redraws the outputs from the results file.
        let redrawn = dir.appendingPathComponent("redrawn")
        r = try run(["bench", "report", results, "--out", redrawn.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try String(contentsOf: redrawn.appendingPathComponent("results.csv"), encoding: .utf8),
                       try String(contentsOf: dir.appendingPathComponent("results.csv"), encoding: .utf8))

        // Malformed inputs: exit 2 with a message naming the file.
        let bad = dir.appendingPathComponent("bad.json")
        try Data("{\"schemaVersion\": 1}".utf8).write(to: bad)
        r = try run(["bench", "compare", results, bad.path])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("bad.json"), r.stderr)
        r = try run(["bench", "compare", results, dir.appendingPathComponent("missing.json").path])
        XCTAssertEqual(r.status, 2)
        r = try run(["bench", "report", bad.path])
        XCTAssertEqual(r.status, 2)
        r = try run(["bench", "--suite", "everything"])
        XCTAssertEqual(r.status, 2)
        // The models suite reads Circuits/ from ZKINFER_CIRCUITS: an empty folder gives an empty, valid suite.
        let empty = dir.appendingPathComponent("no-models")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        r = try run(["bench", "--suite", "models", "--out", dir.appendingPathComponent("m").path], environment: ["ZKINFER_CIRCUITS": empty.path])
        XCTAssertEqual(r.status, 0, r.stderr)
    }
}
