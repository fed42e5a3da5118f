import Foundation
import XCTest

/// The model workflow through the `zkinfer` binary: compile → setup → prove → verify, run and
/// inspect, with the exit codes (0 ok, 1 invalid, 2 malformed input) and the JSON outputs.
final class ModelCLITests: CLITestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    func zkinfer(_ args: [String]) throws -> CLIResult { try ZkinferBinary.run(args) }

    func sample(_ model: String, _ file: String) -> String {
        Self.root.appendingPathComponent("Circuits").appendingPathComponent(model).appendingPathComponent(file).path
    }


    func json(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let obj = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try XCTUnwrap(obj as? [String: Any], "\(what): not a JSON object: \(text)", file: file, line: line)
    }

    /// compile → setup → prove → verify on digits_mlp, in text and --json forms.
    func compileSetupProve(_ model: String = "digits_mlp") throws -> String {
        let dir = path("compiled")
        var r = try zkinfer(["compile", sample(model, "model.onnx"), "-o", dir, "--calibrate", sample(model, "calibration.json"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("compiled "), r.stdout)
        for f in ["circuit.json", "manifest.json", "report.txt", "model.onnx"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + f), f)
        }
        r = try zkinfer(["setup", dir, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/proving.key"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/verification_key.json"))
        r = try zkinfer(["prove", dir, "--input", sample(model, "input.json"), "-o", path("out"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("argmax"), r.stdout)
        for f in ["claim.json", "proof.json", "public.json"] { XCTAssertTrue(FileManager.default.fileExists(atPath: path("out/" + f)), f) }
        return dir
    }

    func testEndToEndAndTamperedClaims() throws {
        let dir = try compileSetupProve()
        let vk = dir + "/verification_key.json"
        var r = try zkinfer(["verify", path("out/claim.json"), "--vk", vk])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("OK"), r.stdout)
        // The old snarkjs form on the model's proof.json/public.json.
        r = try zkinfer(["verify", "--vk", vk, "--proof", path("out/proof.json"), "--public", path("out/public.json")])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("OK"), r.stdout)

        // Tampered output: exit 1, a verdict on stdout.
        let claimData = try Data(contentsOf: URL(fileURLWithPath: path("out/claim.json")))
        var claim = try json(String(decoding: claimData, as: UTF8.self), "claim.json")
        var output = try XCTUnwrap(claim["output"] as? [String: Any])
        var q = try XCTUnwrap(output["quantized"] as? [Int])
        let scale = try XCTUnwrap(output["scale"] as? Int)
        q[0] += 1
        output["quantized"] = q
        output["values"] = q.map { Double($0) / Double(1 << scale) }
        claim["output"] = output
        try JSONSerialization.data(withJSONObject: claim).write(to: URL(fileURLWithPath: path("tampered.json")))
        r = try zkinfer(["verify", path("tampered.json"), "--vk", vk])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("INVALID"), r.stdout)
        r = try zkinfer(["verify", path("tampered.json"), "--vk", vk, "--json"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(try json(r.stdout, "verify --json (tampered)")["valid"] as? Bool, false)
        // A tampered public.json in the old form: exit 1.
        var publics = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("out/public.json")))) as? [String])
        publics[publics.count - 1] = publics[publics.count - 1] == "1" ? "2" : "1"
        try JSONSerialization.data(withJSONObject: publics).write(to: URL(fileURLWithPath: path("bad-public.json")))
        r = try zkinfer(["verify", "--vk", vk, "--proof", path("out/proof.json"), "--public", path("bad-public.json")])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)

        // Malformed claims: exit 2, naming the file.
        for (name, bytes) in [("truncated.json", claimData.prefix(claimData.count / 2)), ("empty.json", Data()), ("array.json", Data("[1, 2]".utf8))] {
            try bytes.write(to: URL(fileURLWithPath: path(name)))
            r = try zkinfer(["verify", path(name), "--vk", vk])
            XCTAssertEqual(r.status, 2, "\(name): \(r.stdout) \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(name), "\(name): \(r.stderr)")
        }
        // A key from another setup of the same circuit: exit 1.
        r = try zkinfer(["compile", sample("digits_mlp", "model.onnx"), "-o", path("other"), "--calibrate", sample("digits_mlp", "calibration.json"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try zkinfer(["setup", path("other"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try zkinfer(["verify", path("out/claim.json"), "--vk", path("other/verification_key.json")])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("INVALID"), r.stdout)
    }

    func testJSONOutputs() throws {
        let model = "digits_mlp"
        let dir = path("compiled")
        var r = try zkinfer(["compile", sample(model, "model.onnx"), "-o", dir, "--calibrate", sample(model, "calibration.json"), "--quiet", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let c = try json(r.stdout, "compile --json")
        XCTAssertGreaterThan(c["constraints"] as? Int ?? 0, 0)
        XCTAssertEqual((c["modelDigest"] as? String)?.count, 64)
        XCTAssertFalse((c["layers"] as? [Any] ?? []).isEmpty)
        r = try zkinfer(["setup", dir, "--quiet", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let s = try json(r.stdout, "setup --json")
        XCTAssertEqual(s["constraints"] as? Int, c["constraints"] as? Int)
        XCTAssertNotNil(s["verificationKeyDigest"] as? String)
        r = try zkinfer(["prove", dir, "--input", sample(model, "input.json"), "-o", path("out"), "--quiet", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let p = try json(r.stdout, "prove --json")
        let pout = try XCTUnwrap(p["output"] as? [String: Any])
        XCTAssertEqual(pout["shape"] as? [Int], [1, 10])
        r = try zkinfer(["verify", path("out/claim.json"), "--vk", dir + "/verification_key.json", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let v = try json(r.stdout, "verify --json")
        XCTAssertEqual(v["valid"] as? Bool, true)
        XCTAssertEqual((v["output"] as? [String: Any])?["argmax"] as? Int, pout["argmax"] as? Int)
        r = try zkinfer(["verify", "--vk", dir + "/verification_key.json", "--proof", path("out/proof.json"), "--public", path("out/public.json"), "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try json(r.stdout, "verify --proof --json")["valid"] as? Bool, true)

        // run --json: top-level output.shape (ints) and output.values (floats).
        r = try zkinfer(["run", dir, "--input", sample(model, "input.json"), "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let run = try json(r.stdout, "run --json")
        let out = try XCTUnwrap(run["output"] as? [String: Any])
        XCTAssertEqual(out["shape"] as? [Int], [1, 10])
        let values = try XCTUnwrap(out["values"] as? [Double])
        XCTAssertEqual(values.count, 10)
        XCTAssertEqual(out["argmax"] as? Int, pout["argmax"] as? Int, "run and prove agree")
        XCTAssertEqual(values, pout["values"] as? [Double])
        // The claim's values are the same numbers.
        let claim = try json(try String(contentsOfFile: path("out/claim.json"), encoding: .utf8), "claim")
        XCTAssertEqual((claim["output"] as? [String: Any])?["values"] as? [Double], values)
        // Several samples: output is the first, samples all of them.
        r = try zkinfer(["run", dir, "--input", sample(model, "test_inputs.json"), "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let many = try json(r.stdout, "run --json (50 samples)")
        XCTAssertEqual((many["samples"] as? [Any])?.count, 50)
        XCTAssertEqual(((many["output"] as? [String: Any])?["values"] as? [Double])?.count, 10)
        // Plain run prints one line per sample.
        r = try zkinfer(["run", dir, "--input", sample(model, "test_inputs.json")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout.split(separator: "\n").filter { $0.hasPrefix("sample ") }.count, 50)
    }

    func testInspect() throws {
        let onnx = sample("digits_cnn", "model.onnx")
        var r = try zkinfer(["inspect", onnx])
        XCTAssertEqual(r.status, 0, r.stderr)
        for s in ["layer", "constraints", "total", "/conv/Conv", "/relu/Relu", "/pool/MaxPool", "/fc/Gemm", "maxpool", "rescale+relu"] {
            XCTAssertTrue(r.stdout.contains(s), "inspect MODEL.onnx lacks \(s): \(r.stdout)")
        }
        r = try zkinfer(["compile", onnx, "-o", path("cnn"), "--calibrate", sample("digits_cnn", "calibration.json"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try zkinfer(["inspect", path("cnn")])
        XCTAssertEqual(r.status, 0, r.stderr)
        for s in ["layer", "total", "/conv/Conv", "/fc/Gemm"] { XCTAssertTrue(r.stdout.contains(s), "inspect DIR lacks \(s): \(r.stdout)") }
        // The total line carries the manifest's constraint count.
        let manifest = try json(try String(contentsOfFile: path("cnn/manifest.json"), encoding: .utf8), "manifest")
        let total = try XCTUnwrap(manifest["constraints"] as? Int)
        XCTAssertTrue(r.stdout.split(separator: "\n").contains { $0.hasPrefix("total") && $0.contains(" \(total) ") }, r.stdout)
        r = try zkinfer(["inspect", path("cnn"), "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try json(r.stdout, "inspect --json")["constraints"] as? Int, total)
        // Not a model.
        r = try zkinfer(["inspect", path("nothing.onnx")])
        XCTAssertEqual(r.status, 2)
    }

    func testBadModelsAndInputsExitTwo() throws {
        // Corrupt ONNX.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: sample("digits_mlp", "model.onnx")))
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: path("cut.onnx")))
        var r = try zkinfer(["compile", path("cut.onnx"), "-o", path("x")])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("cut.onnx") && r.stderr.contains("malformed ONNX"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x/circuit.json")), "no partial output")
        // Unsupported op: named, with the supported list.
        let hardmax = Self.root.appendingPathComponent("Tests/ZKModelTests/Fixtures/bad/unsupported_hardmax.onnx").path
        r = try zkinfer(["compile", hardmax, "-o", path("y")])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("Hardmax") && r.stderr.contains("my_hardmax") && r.stderr.contains("supported ops"), r.stderr)
        r = try zkinfer(["inspect", hardmax])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("Hardmax"), r.stderr)
        // A nonlinear layer with no table over its input range: exit 2 naming the node, no partial output.
        let log = Self.root.appendingPathComponent("Tests/ZKModelTests/Fixtures/bad/log_reaches_zero.onnx").path
        r = try zkinfer(["compile", log, "-o", path("z")])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("log_any") && r.stderr.contains("tabulate"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("z/circuit.json")), "no partial output")

        // Wrong input length, out-of-range values, malformed input files.
        let dir = path("compiled")
        r = try zkinfer(["compile", sample("digits_mlp", "model.onnx"), "-o", dir, "--calibrate", sample("digits_mlp", "calibration.json"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try zkinfer(["setup", dir, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let inputs: [(String, String, String)] = [
            ("short.json", "{\"input_data\": [[" + Array(repeating: "0.5", count: 63).joined(separator: ",") + "]]}", "64"),
            ("range.json", "{\"input_data\": [[" + Array(repeating: "3", count: 64).joined(separator: ",") + "]]}", "range"),
            ("shape.json", "{\"input\": [[1]]}", "input_data"),
            ("strings.json", "{\"input_data\": [[\"a\"]]}", "not a number"),
            ("garbage.json", "{{", "JSON"),
        ]
        for (name, text, message) in inputs {
            try text.write(toFile: path(name), atomically: true, encoding: .utf8)
            for cmd in [["prove", dir, "--input", path(name), "-o", path("o-" + name)], ["run", dir, "--input", path(name)]] {
                r = try zkinfer(cmd)
                XCTAssertEqual(r.status, 2, "\(cmd[0]) \(name): \(r.stdout) \(r.stderr)")
                XCTAssertTrue(r.stderr.contains(name) && r.stderr.contains(message), "\(cmd[0]) \(name): \(r.stderr)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("o-" + name + "/claim.json")))
        }
        // A calibration file that does not divide into samples.
        try "{\"input_data\": [[1, 2, 3]]}".write(toFile: path("cal.json"), atomically: true, encoding: .utf8)
        r = try zkinfer(["compile", sample("digits_mlp", "model.onnx"), "-o", path("z"), "--calibrate", path("cal.json")])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("cal.json"), r.stderr)
        // Prove without setup.
        r = try zkinfer(["compile", sample("iris_logreg", "model.onnx"), "-o", path("iris"), "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        r = try zkinfer(["prove", path("iris"), "--input", sample("iris_logreg", "input.json"), "-o", path("io")])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("setup"), r.stderr)
        // A hand-corrupted circuit.json.
        try "{\"formatVersion\": 1}".write(toFile: path("iris/circuit.json"), atomically: true, encoding: .utf8)
        r = try zkinfer(["run", path("iris"), "--input", sample("iris_logreg", "input.json")])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("circuit.json"), r.stderr)
    }
}

/// The exporter-style zoo through the binary (issue 13): compile, inspect, setup, prove, verify (with --model).
final class ZooCLITests: CLITestCase {
    func testZooProvesAndVerifiesThroughTheCLI() throws {
        for name in ["digits_resnet", "digits_cnn_pytorch", "digits_rows_seq", "digits_conv1d", "digits_depthwise", "digits_tokens",
                     "digits_mlp_tanh", "digits_mlp_sigmoid", "digits_mlp_gelu", "digits_mlp_gelu_tanh", "digits_attention", "digits_transformer"] {
            let dir = ZkinferBinary.circuits.appendingPathComponent("zoo").appendingPathComponent(name).path
            let scaleBits = name == "digits_attention" || name == "digits_transformer" ? ["--scale-bits", "12"] : []
            try run(["compile", dir + "/model.onnx", "-o", path(name), "--calibrate", dir + "/calibration.json", "--quiet"] + scaleBits, expect: 0)
            let inspect = try run(["inspect", path(name)], expect: 0)
            XCTAssertTrue(inspect.stdout.contains("total"), inspect.stdout)
            try run(["setup", path(name), "--quiet"], expect: 0)
            try run(["prove", path(name), "--input", dir + "/input.json", "-o", path(name + "-out"), "--quiet"], expect: 0)
            let v = try run(["verify", path(name + "-out/claim.json"), "--vk", path(name + "/verification_key.json"), "--model", dir + "/model.onnx"], expect: 0)
            XCTAssertTrue(v.stdout.hasPrefix("OK: claim is valid"), "\(name): \(v.stdout)")
        }
    }

    /// Issue 15: the classical zoo through the CLI — compile (default scale bits for trees), inspect (the per-tree cost
    /// line), setup, prove (the predicted label printed and in --json), verify --model (the label proven and named),
    /// a claim whose label is changed is rejected (exit 1), and a malformed ensemble exits 2 naming its node.
    func testClassicalZooThroughTheCLI() throws {
        for name in ["digits_random_forest", "wine_gradient_boosting", "wine_xgboost", "wine_lightgbm", "wine_logistic_regression",
                     "breast_cancer_xgboost", "breast_cancer_linear_svm", "diabetes_tree_regressor"] {
            let dir = ZkinferBinary.circuits.appendingPathComponent("zoo").appendingPathComponent(name).path
            let expected = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: dir + "/expected.json"))) as? [String: Any]
            let scaleBits = try XCTUnwrap(expected?["scale_bits"] as? Int)
            try run(["compile", dir + "/model.onnx", "-o", path(name), "--calibrate", dir + "/calibration.json", "--scale-bits", String(scaleBits), "--quiet"], expect: 0)
            let inspect = try run(["inspect", path(name)], expect: 0)
            if name.contains("forest") || name.contains("boost") || name.contains("gbm") || name.contains("tree") {
                XCTAssertTrue(inspect.stdout.contains("constraints per tree") && inspect.stdout.contains("distinct comparisons"), inspect.stdout)
            }
            try run(["setup", path(name), "--quiet"], expect: 0)
            let p = try run(["prove", path(name), "--input", dir + "/input.json", "-o", path(name + "-out"), "--json", "--quiet"], expect: 0)
            let proved = try JSONSerialization.jsonObject(with: Data(p.stdout.utf8)) as? [String: Any]
            let firstLabel = (expected?["float_labels"] as? [String])?.first
            XCTAssertEqual((proved?["predictedLabel"] as? [String: Any])?["value"] as? String, firstLabel, "\(name): \(p.stdout)")
            let v = try run(["verify", path(name + "-out/claim.json"), "--vk", path(name + "/verification_key.json"), "--model", dir + "/model.onnx"], expect: 0)
            XCTAssertTrue(v.stdout.hasPrefix("OK: claim is valid"), "\(name): \(v.stdout)")
            if let firstLabel {
                XCTAssertTrue(v.stdout.contains("predicted label \"\(firstLabel)\" (proven)"), v.stdout)
                // Another class named in the claim (index, value and the public signal all changed): rejected.
                var claim = try XCTUnwrap(JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path(name + "-out/claim.json")))) as? [String: Any])
                var output = try XCTUnwrap(claim["output"] as? [String: Any])
                var label = try XCTUnwrap(output["label"] as? [String: Any])
                let classes = try XCTUnwrap(label["classes"] as? [String])
                let other = ((label["index"] as? Int ?? 0) + 1) % classes.count
                label["index"] = other; label["value"] = classes[other]
                output["label"] = label; claim["output"] = output
                var signals = try XCTUnwrap(claim["publicSignals"] as? [String])
                signals[signals.count - 1] = String(other)
                claim["publicSignals"] = signals
                try JSONSerialization.data(withJSONObject: claim).write(to: URL(fileURLWithPath: path(name + "-forged.json")))
                let f = try run(["verify", path(name + "-forged.json"), "--vk", path(name + "/verification_key.json")], expect: 1)
                XCTAssertTrue(f.stdout.hasPrefix("INVALID"), f.stdout)
            }
        }
        let cycle = ZkinferBinary.circuits.deletingLastPathComponent().appendingPathComponent("Tests/ZKModelTests/Fixtures/bad/tree_cycle.onnx").path
        let r = try ZkinferBinary.run(["compile", cycle, "-o", path("cycle")])
        XCTAssertEqual(r.status, 2, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("trees_cycle"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("cycle/circuit.json")), "no partial output")
    }

    /// `--prove-output-transform`: the final Softmax is proven, the claim states no transform, its output is the
    /// probabilities, and `verify --model` re-derives that graph from the same file.
    func testProvenOutputTransformThroughTheCLI() throws {
        let dir = ZkinferBinary.circuits.appendingPathComponent("zoo").appendingPathComponent("digits_mlp_tanh").path
        try run(["compile", dir + "/model.onnx", "-o", path("p"), "--calibrate", dir + "/calibration.json", "--prove-output-transform", "--quiet"], expect: 0)
        try run(["setup", path("p"), "--quiet"], expect: 0)
        try run(["prove", path("p"), "--input", dir + "/input.json", "-o", path("p-out"), "--quiet"], expect: 0)
        let claim = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path("p-out/claim.json")))) as? [String: Any]
        let output = try XCTUnwrap(claim?["output"] as? [String: Any])
        XCTAssertEqual(output["transform"] as? String, "none")
        let values = try XCTUnwrap(output["values"] as? [Double])
        XCTAssertEqual(values.reduce(0, +), 1, accuracy: 0.05, "proven softmax probabilities sum to about 1: \(values)")
        let v = try run(["verify", path("p-out/claim.json"), "--vk", path("p/verification_key.json"), "--model", dir + "/model.onnx"], expect: 0)
        XCTAssertTrue(v.stdout.hasPrefix("OK: claim is valid"), v.stdout)
        // The default compile of the same file states the transform instead.
        try run(["compile", dir + "/model.onnx", "-o", path("d"), "--calibrate", dir + "/calibration.json", "--quiet"], expect: 0)
        let manifest = try String(contentsOfFile: path("d/circuit.json"), encoding: .utf8)
        XCTAssertTrue(manifest.contains("\"outputTransform\":\"softmax\""))
    }
}
