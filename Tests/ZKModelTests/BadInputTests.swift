import Foundation
import XCTest
import ZKAlgebra
import ZKGroth16
import ZKModel
import ZKClaim

/// Everything a user can get wrong — corrupt or unsupported ONNX files, bad inputs, hand-edited
/// circuit.json and claim.json — is a typed `ModelError` (or an invalid verdict), never a trap.
final class BadInputTests: XCTestCase {
    static let badDir = Repo.fixtures.appendingPathComponent("bad")

    // MARK: Corrupt ONNX bytes

    func testTruncatedONNXThrows() throws {
        let bytes = try Repo.data(Repo.sample("digits_mlp", "model.onnx"))
        XCTAssertNoThrow(try ONNXImporter.load(bytes))
        var lengths = Set((0..<64).map { $0 * bytes.count / 64 })
        lengths.formUnion([1, 2, bytes.count - 1, bytes.count - 2])
        XCTAssertGreaterThanOrEqual(lengths.count, 64)
        for n in lengths.sorted() {
            let e = assertModelError(try ONNXImporter.load(bytes.prefix(n)), "prefix of \(n) of \(bytes.count) bytes")
            if let e, n > 0 { XCTAssertFalse(e.description.isEmpty) }
        }
    }

    /// 1,000 seeded random mutations (1–8 bytes each): every one either loads or throws a
    /// `ModelError`; the ones that load are also quantized and, when that works, lowered to a circuit.
    func testRandomlyMutatedONNX() throws {
        let bytes = [UInt8](try Repo.data(Repo.sample("digits_mlp", "model.onnx")))
        let calibration = try SampleCache.get("digits_mlp").calibration
        var rng = TestRNG(seed: 0x0_4E4_0001)
        var loaded = 0, rejected = 0, quantized = 0, lowered = 0
        for trial in 0..<1000 {
            var b = bytes
            let edits = Int(rng.next() % 8) + 1
            for _ in 0..<edits {
                let i = Int(rng.next() % UInt64(b.count))
                switch rng.next() % 3 {
                case 0: b[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: b[i] ^= UInt8(1) << (rng.next() % 8)
                default: b[i] = [0x00, 0xFF, 0x7F, 0x80][Int(rng.next() % 4)]
                }
            }
            let graph: FloatGraph
            do { graph = try ONNXImporter.load(Data(b)) } catch is ModelError { rejected += 1; continue } catch {
                XCTFail("mutation \(trial): \(type(of: error)) \(error) is not a ModelError"); continue
            }
            loaded += 1
            // It loaded: quantization and lowering must not trap either.
            let size = graph.size(graph.input)
            let cal = calibration.first?.count == size ? Array(calibration.prefix(8)) : []
            do {
                let q = try Quantizer.quantize(graph, options: QuantizationOptions(scaleBits: 8, calibration: cal), onnxDigest: "00")
                quantized += 1
                if lowered < 40 {
                    let c = try CompiledModel(model: q)
                    let circuit = try c.constraintSystem()
                    XCTAssertNoThrow(try circuit.system.check(circuit.witness), "mutation \(trial)")
                    lowered += 1
                }
            } catch is ModelError {
            } catch {
                XCTFail("mutation \(trial): \(type(of: error)) \(error) is not a ModelError")
            }
        }
        print("[mutations] digits_mlp: \(rejected) rejected, \(loaded) loaded, \(quantized) quantized, \(lowered) lowered")
        XCTAssertEqual(loaded + rejected, 1000)
        XCTAssertGreaterThan(rejected, 100, "most structural mutations must be rejected")
        XCTAssertGreaterThan(loaded, 0, "mutations inside the weights still load")
    }

    func testNotONNXAtAll() throws {
        for text in ["", "hello", "{\"input_data\": [[1]]}", String(repeating: "\u{FF}", count: 64)] {
            assertModelError(try ONNXImporter.load(Data(text.utf8)), "\(text.prefix(16))")
        }
        // A valid protobuf that is not a model with a graph.
        if case .malformedONNX(let m)? = assertModelError(try ONNXImporter.load(Data([0x08, 0x07]))) {
            XCTAssertTrue(m.contains("graph"), m)
        } else { XCTFail("expected malformedONNX") }
    }

    // MARK: Unsupported and hostile models (Fixtures/bad, made by make_bad_models.py)

    struct Expectation: Decodable {
        var kind: String
        var op: String?
        var node: String
        var contains: String?
    }

    func expectations() throws -> [String: Expectation] {
        try JSONDecoder().decode([String: Expectation].self, from: try Data(contentsOf: Self.badDir.appendingPathComponent("index.json")))
    }

    func checkBadModel(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let all = try expectations()
        guard let x = all[name] else { return XCTFail("\(name) is not in index.json", file: file, line: line) }
        let onnx = try Data(contentsOf: Self.badDir.appendingPathComponent(name + ".onnx"))
        let error: ModelError?
        if x.kind == "quantize" {
            let graph = try ONNXImporter.load(onnx)
            error = assertModelError(try Quantizer.quantize(graph, options: QuantizationOptions(), onnxDigest: "00"), name, file: file, line: line)
            assertModelError(try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 12, calibration: [[1, 2, 3, 4]])),
                             name, file: file, line: line)
        } else {
            error = assertModelError(try ONNXImporter.load(onnx), name, file: file, line: line)
        }
        guard let error else { return }
        let text = error.description
        XCTAssertTrue(text.contains(x.node), "\(name): '\(text)' does not name node \(x.node)", file: file, line: line)
        if let op = x.op { XCTAssertTrue(text.lowercased().contains(op.lowercased()), "\(name): '\(text)' does not name op \(op)", file: file, line: line) }
        if let c = x.contains { XCTAssertTrue(text.contains(c), "\(name): '\(text)' does not say '\(c)'", file: file, line: line) }
        switch (x.kind, error) {
        case ("unsupportedOp", .unsupportedOp(let op, let node, let supported)):
            XCTAssertEqual(op, x.op, name, file: file, line: line)
            XCTAssertEqual(node, x.node, name, file: file, line: line)
            XCTAssertEqual(supported, ONNXImporter.supportedOps, name, file: file, line: line)
            for s in ["Gemm", "Conv", "Relu", "MaxPool"] { XCTAssertTrue(text.contains(s), "\(name): supported list in '\(text)'", file: file, line: line) }
        case ("unsupported", .unsupported(let node, _)): XCTAssertEqual(node, x.node, name, file: file, line: line)
        case ("malformedONNX", .malformedONNX): break
        case ("any", _), ("quantize", _): break
        default: XCTFail("\(name): expected a \(x.kind) error, got \(error)", file: file, line: line)
        }
    }

    func testEveryFixtureIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.badDir.path).filter { $0.hasSuffix(".onnx") }
        XCTAssertEqual(Set(files.map { String($0.dropLast(5)) }), Set(try expectations().keys))
        XCTAssertGreaterThanOrEqual(files.count, 20)
    }

    func testUnsupportedOp() throws { try checkBadModel("unsupported_hardmax") }
    func testCustomDomainOp() throws { try checkBadModel("custom_domain_op") }
    func testDynamicShape() throws { try checkBadModel("dynamic_shape"); try checkBadModel("unknown_dim") }
    func testIntInput() throws { try checkBadModel("int_input") }
    func testNonlinearLayersWithWhatTheyCannotTake() throws {
        for name in ["softmax_bad_axis", "layernorm_computed_scale", "gelu_bad_approximate", "pow_tensor_exponent", "log_reaches_zero"] {
            try checkBadModel(name)
        }
    }
    func testConvGroupMismatch() throws { try checkBadModel("conv_group_mismatch") }
    func testGraphShape() throws {
        try checkBadModel("two_inputs"); try checkBadModel("batch2"); try checkBadModel("div_two_tensors"); try checkBadModel("undefined_value")
    }
    func testAutoPadWithZeroStride() throws { try checkBadModel("autopad_zero_stride") }
    func testAutoPadWithShortStrides() throws { try checkBadModel("autopad_short_strides") }
    func testReshapeToHugeDimension() throws { try checkBadModel("reshape_huge_dim") }
    func testReshapeOverflowingCount() throws { try checkBadModel("reshape_overflow") }
    func testUnsqueezeHugeAxis() throws { try checkBadModel("unsqueeze_huge_axis") }
    func testArgMaxOfScalar() throws { try checkBadModel("argmax_rank0") }
    func testPoolingToHugeTensor() throws { try checkBadModel("pool_huge_padding") }
    func testLeakyReluHugeAlpha() throws { try checkBadModel("leakyrelu_huge_alpha"); try checkBadModel("leakyrelu_nan_alpha") }
    func testClipHugeBound() throws { try checkBadModel("clip_huge_bound") }
    /// ai.onnx.ml models zkinfer cannot take (issue 15): an error naming the node.
    func testClassicalModelsItCannotTake() throws {
        for name in ["tree_cycle", "tree_feature_out_of_range", "tree_member_mode", "tree_aggregate_max", "tree_attribute_lengths",
                     "tree_vote_for_missing_node", "tree_nan_threshold", "tree_post_transform", "normalizer_max", "label_used_as_value",
                     "tree_huge_mode", "linear_infinite_coefficient"] {
            try checkBadModel(name)
        }
    }
    /// Exported content that is not static or not supported yet: an error naming the node (issue 13).
    func testFrontEndLimitsNameTheNode() throws {
        try checkBadModel("matmul_batched_weights"); try checkBadModel("slice_dynamic_starts"); try checkBadModel("gather_computed_indices")
    }

    // MARK: Inputs

    func testWrongInputLength() throws {
        let s = try SampleCache.get("digits_mlp")
        let m = s.compiled.model
        for n in [0, 63, 65, 784] {
            let x = [Double](repeating: 0.5, count: n)
            guard case .invalidInput(let msg)? = assertModelError(try m.quantizeInput(x)) else { XCTFail("quantizeInput(\(n))"); continue }
            XCTAssertTrue(msg.contains("64") && msg.contains("\(n)"), msg)
            if case .invalidInput? = assertModelError(try s.compiled.circuit(for: x)) {} else { XCTFail("circuit(for:) with \(n) values") }
            if case .invalidInput? = assertModelError(try FloatInterpreter.run(s.graph, input: x)) {} else { XCTFail("FloatInterpreter \(n)") }
            if case .invalidInput? = assertModelError(try IntegerInterpreter.run(m, input: [Int](repeating: 0, count: n))) {} else { XCTFail("IntegerInterpreter \(n)") }
            if case .invalidInput? = assertModelError(try CircuitLowering.build(m, input: [Int](repeating: 0, count: n), digest: s.compiled.statementDigest)) {} else {
                XCTFail("CircuitLowering \(n)")
            }
        }
    }

    func testNonFiniteAndOutOfRangeInputs() throws {
        let s = try SampleCache.get("digits_mlp")
        let m = s.compiled.model
        XCTAssertEqual(m.inputBound, 1, "digits inputs are in [0, 1]: the calibrated bound is 1")
        var x = try loadInputs("digits_mlp", "input.json")[0]
        XCTAssertNoThrow(try m.quantizeInput(x))
        for bad in [Double.nan, .infinity, -.infinity] {
            x[5] = bad
            guard case .invalidInput(let msg)? = assertModelError(try m.quantizeInput(x)) else { XCTFail("\(bad)"); continue }
            XCTAssertTrue(msg.contains("[5]") && msg.contains("NaN"), msg)
            assertModelError(try s.compiled.circuit(for: x))
        }
        for bad: Double in [1.5, -1.0001, 2, 1e300, -Double.greatestFiniteMagnitude] {
            x[7] = bad
            x[5] = 0
            guard case .invalidInput(let msg)? = assertModelError(try m.quantizeInput(x)) else { XCTFail("\(bad)"); continue }
            XCTAssertTrue(msg.contains("[7]") && msg.contains("range") && msg.contains("calibration"), msg)
        }
        // The bound itself is allowed.
        x[7] = -1
        XCTAssertNoThrow(try s.compiled.circuit(for: x))
        // Quantized inputs outside the tensor bounds are rejected by the interpreter and the lowering.
        var q = try m.quantizeInput(x)
        q[0] = m.inputTensor.hi[0] + 1
        if case .invalidInput? = assertModelError(try IntegerInterpreter.run(m, input: q)) {} else { XCTFail("IntegerInterpreter bound") }
        if case .invalidInput? = assertModelError(try CircuitLowering.build(m, input: q, digest: s.compiled.statementDigest)) {} else { XCTFail("lowering bound") }
    }

    func testMalformedInputFiles() throws {
        let bad = [
            "", "{", "nul", "[[1, 2]]", "{}", "{\"input\": [[1]]}", "{\"input_data\": []}", "{\"input_data\": [1, 2]}",
            "{\"input_data\": [[[1, 2]]]}", "{\"input_data\": [[\"1\"]]}", "{\"input_data\": [[true, false]]}", "{\"input_data\": [[1, true]]}",
            "{\"input_data\": [[null]]}", "{\"input_data\": \"abc\"}", "{\"input_data\": {\"a\": 1}}", "{\"input_data\": [[1], {}]}",
            "{\"input_data\": [[NaN]]}", "{\"input_data\": [[1e999]]}", "{\"input_data\": [[-Infinity]]}", "3", "\"input_data\"",
        ]
        for text in bad {
            guard case .invalidInput(let msg)? = assertModelError(try InputFile.parse(Data(text.utf8)), text) else { XCTFail(text); continue }
            XCTAssertFalse(msg.isEmpty)
        }
        // Numbers of every JSON spelling parse (0 and 1 are numbers, not booleans).
        let good = try InputFile.parse(Data("{\"input_data\": [[0, 1, 0.5, -2e-3, 1E2], [7]], \"extra\": true}".utf8))
        XCTAssertEqual(good, [[0, 1, 0.5, -0.002, 100], [7]])
        // Calibration files are cut into samples of the input size.
        XCTAssertEqual(try InputFile.samples([[1, 2, 3], [4]], size: 2), [[1, 2], [3, 4]])
        for (rows, size) in [([[1.0, 2, 3]], 2), ([[1.0]], 0), ([[Double]](), 1)] {
            if case .invalidInput? = assertModelError(try InputFile.samples(rows, size: size)) {} else { XCTFail("samples \(rows) \(size)") }
        }
    }

    func testBadQuantizationSettings() throws {
        let s = try SampleCache.get("digits_mlp")
        for bits in [0, 1, 25, 64, -3] {
            if case .invalidInput? = assertModelError(try Quantizer.quantize(s.graph, options: QuantizationOptions(scaleBits: bits), onnxDigest: "00")) {} else {
                XCTFail("scaleBits \(bits)")
            }
        }
        var cal = s.calibration
        cal[1][3] = .nan
        assertModelError(try Quantizer.quantize(s.graph, options: QuantizationOptions(calibration: cal), onnxDigest: "00"))
        assertModelError(try Quantizer.quantize(s.graph, options: QuantizationOptions(calibration: [[1, 2, 3]]), onnxDigest: "00"))
    }

    /// Calibration samples with astronomically large values: an error, not a trap converting the
    /// input bound to an integer.
    func testHugeCalibrationValues() throws {
        let s = try SampleCache.get("digits_mlp")
        var cal = Array(s.calibration.prefix(4))
        cal[0][10] = 1e300
        assertModelError(try Quantizer.quantize(s.graph, options: QuantizationOptions(calibration: cal), onnxDigest: "00"))
    }

    // MARK: circuit.json

    func circuitJSON(_ model: String) throws -> Data { try SampleCache.get(model).compiled.circuitJSON() }

    /// Decodes circuit.json as a plain JSON object, applies `edit`, re-encodes.
    func edited(_ data: Data, _ edit: (inout [String: Any]) throws -> Void) throws -> Data {
        var obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        try edit(&obj)
        return try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
    }

    /// The op dictionary of node `k` (e.g. `["dense": [...]]` → the inner dictionary) edited in place.
    func editOp(_ obj: inout [String: Any], node k: Int, _ edit: (inout [String: Any]) -> Void) throws {
        var nodes = try XCTUnwrap(obj["nodes"] as? [[String: Any]])
        var op = try XCTUnwrap(nodes[k]["op"] as? [String: Any])
        let key = try XCTUnwrap(op.keys.first)
        var inner = try XCTUnwrap(op[key] as? [String: Any])
        edit(&inner)
        op[key] = inner
        nodes[k]["op"] = op
        obj["nodes"] = nodes
    }

    func nodeIndex(_ obj: [String: Any], kind: String) throws -> Int {
        let nodes = try XCTUnwrap(obj["nodes"] as? [[String: Any]])
        return try XCTUnwrap(nodes.firstIndex { ($0["op"] as? [String: Any])?.keys.first == kind }, "no \(kind) node")
    }

    func expectInvalidCircuit(_ data: Data, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let e = assertModelError(try CompiledModel(circuitJSON: data), what, file: file, line: line) else { return }
        guard case .invalidCircuit = e else { return XCTFail("\(what): expected invalidCircuit, got \(e)", file: file, line: line) }
    }

    func testCircuitJSONCorruption() throws {
        let data = try circuitJSON("digits_cnn")
        XCTAssertNoThrow(try CompiledModel(circuitJSON: data))
        XCTAssertNoThrow(try CompiledModel(circuitJSON: try edited(data) { _ in }), "re-encoding alone is harmless")
        for n in [0, 1, 10, data.count / 3, data.count / 2, data.count - 1] { expectInvalidCircuit(data.prefix(n), "truncated to \(n)") }
        expectInvalidCircuit(Data("[]".utf8), "an array")
        let cases: [(String, (inout [String: Any]) throws -> Void)] = [
            ("format version", { $0["formatVersion"] = 2 }),
            ("scaleBits", { $0["scaleBits"] = 99 }),
            ("negative input bound", { $0["inputBound"] = -1 }),
            ("output index", { $0["output"] = 999 }),
            ("output index 0", { $0["output"] = 0 }),
            ("tensor dropped", { $0["tensors"] = ($0["tensors"] as! [Any]).dropLast().map { $0 } }),
            ("node input out of range", { try self.editOp(&$0, node: 0, { $0["input"] = 99 }) }),
            ("node reads a later tensor", { try self.editOp(&$0, node: 1, { $0["input"] = 3 }) }),
            ("node input negative", { try self.editOp(&$0, node: 1, { $0["input"] = -1 }) }),
            ("bounds changed", {
                var t = $0["tensors"] as! [[String: Any]]
                var hi = t[2]["hi"] as! [Int]
                hi[0] += 1
                t[2]["hi"] = hi
                $0["tensors"] = t
            }),
            ("input bounds inverted", {
                var t = $0["tensors"] as! [[String: Any]]
                t[0]["lo"] = (t[0]["hi"] as! [Int]).map { $0 + 1 }
                $0["tensors"] = t
            }),
            ("tensor shape disagrees with its size", {
                var t = $0["tensors"] as! [[String: Any]]
                t[1]["shape"] = [1, 8, 8, 9]
                $0["tensors"] = t
            }),
            ("weights count wrong", {
                let k = try self.nodeIndex($0, kind: "dense")
                try self.editOp(&$0, node: k, { $0["weights"] = ($0["weights"] as! [Int]).dropLast().map { $0 } })
            }),
            ("bias count wrong", { try self.editOp(&$0, node: 0, { $0["bias"] = [1, 2, 3] }) }),
            ("conv weights changed (bounds no longer derived)", {
                try self.editOp(&$0, node: 0, { var w = $0["weights"] as! [Int]; w[0] += 1000; $0["weights"] = w })
            }),
            ("gather index out of range", {
                let k = try self.nodeIndex($0, kind: "gather")
                try self.editOp(&$0, node: k, { var i = $0["indices"] as! [Int]; i[0] = 1_000_000; $0["indices"] = i })
            }),
            ("rescale shift 200", {
                let k = try self.nodeIndex($0, kind: "rescale")
                try self.editOp(&$0, node: k, { $0["shift"] = 200 })
            }),
            ("pool geometry with zero stride", {
                let k = try self.nodeIndex($0, kind: "maxPool")
                try self.editOp(&$0, node: k, {
                    var g = $0["geometry"] as! [String: Any]; g["strideH"] = 0; $0["geometry"] = g
                })
            }),
            ("conv geometry with a huge image", {
                try self.editOp(&$0, node: 0, {
                    var g = $0["geometry"] as! [String: Any]; g["height"] = 1 << 32; g["width"] = 1 << 32; $0["geometry"] = g
                })
            }),
            ("conv geometry with huge padding", {
                try self.editOp(&$0, node: 0, {
                    var g = $0["geometry"] as! [String: Any]; g["padBottom"] = Int.max; $0["geometry"] = g
                })
            }),
            ("conv bias at Int.max", {
                try self.editOp(&$0, node: 0, { var b = $0["bias"] as! [Int]; b[0] = Int.max; $0["bias"] = b })
            }),
            ("dense bias at Int.min", {
                let k = try self.nodeIndex($0, kind: "dense")
                try self.editOp(&$0, node: k, { var b = $0["bias"] as! [Int]; b[0] = Int.min; $0["bias"] = b })
            }),
            ("unknown op", {
                var nodes = $0["nodes"] as! [[String: Any]]
                nodes[1]["op"] = ["softmax": ["input": 1]]
                $0["nodes"] = nodes
            }),
            ("string where an integer belongs", { $0["output"] = "5" }),
        ]
        for (what, edit) in cases { expectInvalidCircuit(try edited(data, edit), what) }
    }

    /// Op kinds the sample CNN lacks: leakyrelu, clamp, affine, add, average pooling — with
    /// constants no bound can hold.
    func testCircuitJSONHostileConstants() throws {
        func opModel(_ name: String) throws -> Data {
            let dir = Repo.circuits.appendingPathComponent("ops")
            let onnx = try Data(contentsOf: dir.appendingPathComponent(name + ".onnx"))
            let f = try JSONDecoder().decode(OpFixture.self, from: try Data(contentsOf: dir.appendingPathComponent(name + ".json")))
            return try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 12, calibration: f.inputs)).0.circuitJSON()
        }
        let leaky = try opModel("gemm_leakyrelu")
        XCTAssertNoThrow(try CompiledModel(circuitJSON: leaky))
        for alpha in [Int.max, Int.min, 1 << 62, -(1 << 61)] {
            expectInvalidCircuit(try edited(leaky) { try self.editOp(&$0, node: try self.nodeIndex($0, kind: "leakyRelu"), { $0["alpha"] = alpha }) },
                                 "leakyrelu alpha \(alpha)")
        }
        let clip = try opModel("matmul_add_clip")
        for bound in [Int.min, Int.max] {
            expectInvalidCircuit(try edited(clip) { try self.editOp(&$0, node: try self.nodeIndex($0, kind: "clamp"), { $0["min"] = bound }) },
                                 "clamp min \(bound)")
        }
        let sub = try opModel("sub_mul_div_const")
        for v in [Int.max, Int.min] {
            expectInvalidCircuit(try edited(sub) {
                try self.editOp(&$0, node: try self.nodeIndex($0, kind: "affine"), { var a = $0["add"] as! [Int]; a[0] = v; $0["add"] = a })
            }, "affine add \(v)")
            expectInvalidCircuit(try edited(sub) {
                try self.editOp(&$0, node: try self.nodeIndex($0, kind: "affine"), { var a = $0["mul"] as! [Int]; a[0] = v; $0["mul"] = a })
            }, "affine mul \(v)")
        }
        let add = try opModel("add_two_tensors")
        expectInvalidCircuit(try edited(add) { try self.editOp(&$0, node: try self.nodeIndex($0, kind: "add"), { $0["sign"] = 2 }) }, "add sign 2")
        expectInvalidCircuit(try edited(add) { try self.editOp(&$0, node: try self.nodeIndex($0, kind: "add"), { $0["shiftA"] = 64 }) }, "add shift 64")
        let pool = try opModel("conv_stride_pad_globalavg")
        expectInvalidCircuit(try edited(pool) {
            try self.editOp(&$0, node: try self.nodeIndex($0, kind: "sumPool"), { var m = $0["multipliers"] as! [Int]; m[0] = Int.max; $0["multipliers"] = m })
        }, "avgpool multiplier Int.max")
    }

    /// A circuit.json whose input range is astronomically large (with a high input scale): the
    /// input must be rejected, not converted to an Int that overflows.
    func testCircuitJSONHugeInputRange() throws {
        let data = try circuitJSON("iris_logreg")
        let hacked = try edited(data) {
            $0["inputBound"] = 1e300
            var t = $0["tensors"] as! [[String: Any]]
            t[0]["scale"] = 60
            $0["tensors"] = t
        }
        // Either the file is refused or the input is.
        guard let c = try? CompiledModel(circuitJSON: hacked) else { return }
        assertModelError(try c.circuit(for: [1e200, 1, 1, 1]))
        assertModelError(try c.model.quantizeInput([-1e250, 1, 1, 1]))
    }

    // MARK: claim.json

    func testClaimCorruption() throws {
        let p = try provenDigitsClaim()
        let (pk, claim) = (p.provingKey, p.claim)
        let data = try ClaimVerifier.encode(claim)
        XCTAssertTrue(try ClaimVerifier.verify(try ClaimVerifier.decode(data), key: pk.verificationKey).valid)

        // Not a claim at all.
        for n in [0, 1, data.count / 2, data.count - 2] {
            if case .invalidClaim? = assertModelError(try ClaimVerifier.decode(data.prefix(n)), "truncated \(n)") {} else { XCTFail("truncated \(n)") }
        }
        func mutated(_ edit: (inout [String: Any]) -> Void) throws -> Data {
            var obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            edit(&obj)
            return try JSONSerialization.data(withJSONObject: obj)
        }
        func sub(_ obj: inout [String: Any], _ key: String, _ edit: (inout [String: Any]) -> Void) {
            var inner = obj[key] as! [String: Any]
            edit(&inner)
            obj[key] = inner
        }
        let undecodable: [(String, (inout [String: Any]) -> Void)] = [
            ("proof missing", { $0["proof"] = nil }),
            ("model is a string", { $0["model"] = "m" }),
            ("quantized holds a float", { sub(&$0, "output") { $0["quantized"] = [1.5] } }),
            ("publicSignals is a number", { $0["publicSignals"] = 3 }),
            ("transform unknown", { sub(&$0, "output") { $0["transform"] = "tanh" } }),
        ]
        for (what, edit) in undecodable {
            if case .invalidClaim? = assertModelError(try ClaimVerifier.decode(try mutated(edit)), what) {} else { XCTFail(what) }
        }
        // Decodable but wrong: verify must throw invalidClaim or return an invalid verdict.
        let rejected: [(String, (inout [String: Any]) -> Void)] = [
            ("claim version", { $0["claimVersion"] = 2 }),
            ("input scale 99", { sub(&$0, "input") { $0["scale"] = 99 } }),
            ("output scale -1", { sub(&$0, "output") { $0["scale"] = -1 } }),
            ("input shape disagrees", { sub(&$0, "input") { $0["shape"] = [1, 65] } }),
            ("output quantized shorter than values", { sub(&$0, "output") { $0["quantized"] = [1] } }),
            ("output shape with a huge product", { sub(&$0, "output") { $0["shape"] = [1 << 62, 4] } }),
            ("public signal not a number", { $0["publicSignals"] = ["x"] + (($0["publicSignals"] as! [String]).dropFirst()) }),
            ("public signal ≥ r", {
                $0["publicSignals"] = ["21888242871839275222246405745257275088548364400416034343698204186575808495617"] + (($0["publicSignals"] as! [String]).dropFirst())
            }),
            ("public signal negative", { $0["publicSignals"] = ["-1"] + (($0["publicSignals"] as! [String]).dropFirst()) }),
            ("public signals missing", { $0["publicSignals"] = [String]() }),
            ("one public signal too many", { $0["publicSignals"] = ($0["publicSignals"] as! [String]) + ["0"] }),
            ("proof point off the curve", { sub(&$0, "proof") { var a = $0["pi_a"] as! [String]; a[0] = "1"; $0["pi_a"] = a } }),
            ("proof coordinate garbage", { sub(&$0, "proof") { var a = $0["pi_a"] as! [String]; a[1] = "0x12"; $0["pi_a"] = a } }),
            ("proof b truncated", { sub(&$0, "proof") { $0["pi_b"] = [["1"]] } }),
            ("input quantized Int.min", { sub(&$0, "input") { var q = $0["quantized"] as! [Int]; q[0] = Int.min; $0["quantized"] = q } }),
            ("input quantized Int.max", { sub(&$0, "input") { var q = $0["quantized"] as! [Int]; q[0] = Int.max; $0["quantized"] = q } }),
            ("output quantized Int.min", { sub(&$0, "output") { var q = $0["quantized"] as! [Int]; q[0] = Int.min; $0["quantized"] = q } }),
            ("argmax out of range", { sub(&$0, "output") { $0["argmax"] = 1000 } }),
            ("empty output", { sub(&$0, "output") { $0["quantized"] = [Int](); $0["values"] = [Double](); $0["shape"] = [0] } }),
        ]
        for (what, edit) in rejected {
            let c: Claim
            do { c = try ClaimVerifier.decode(try mutated(edit)) } catch let e as ModelError {
                guard case .invalidClaim = e else { XCTFail("\(what): \(e)"); continue }
                continue
            }
            do {
                let v = try ClaimVerifier.verify(c, key: pk.verificationKey)
                XCTAssertFalse(v.valid, "\(what): accepted")
            } catch let e as ModelError {
                guard case .invalidClaim = e else { XCTFail("\(what): \(e)"); continue }
            } catch {
                XCTFail("\(what): \(type(of: error)) \(error) is not a ModelError")
            }
        }
    }

    /// Claim fields that the verifier reads from the claim itself — scales, the input bound, the output
    /// transform — must not let a claim state other real values than the model computed: they are bound
    /// through the statement signal's header (a found-and-fixed weakness; this test keeps it fixed).
    func testClaimFieldsOutsideTheProofAreBound() throws {
        let p = try provenDigitsClaim()
        let (s, x, circuit, pk, vk, claim) = (p.sample, p.input, p.circuit, p.provingKey, p.key, p.claim)
        XCTAssertTrue(try ClaimVerifier.verify(claim, key: vk).valid)
        func accepted(_ c: Claim) -> Bool { (try? ClaimVerifier.verify(c, key: vk).valid) ?? false }

        var c = claim
        c.output.scale += 1
        c.output.values = c.output.quantized.map { Double($0) / Double(1 << c.output.scale) }
        c.output.transformed = FloatInterpreter.applyTransform(c.output.transform, c.output.values)
        XCTAssertFalse(accepted(c), "a claim reporting the output at half its value (output.scale + 1) verifies")

        c = claim
        c.input.scale += 1
        c.input.values = c.input.quantized.map { Double($0) / Double(1 << c.input.scale) }
        XCTAssertFalse(accepted(c), "a claim reporting the input at half its value (input.scale + 1) verifies")

        c = claim
        c.output.transform = .none
        c.output.transformed = nil
        XCTAssertFalse(accepted(c), "a claim dropping the model's final softmax verifies")

        // An input outside the model's range in a column whose weights all quantize to 0: no
        // constraint reads it, so the proof verifies; only the claim's range check stands between
        // it and a valid claim — and that check uses the claim's own inputBound.
        guard case .dense(_, let w, _, let nIn, let nOut) = s.compiled.model.nodes[0].op,
              let dead = (0..<nIn).first(where: { i in (0..<nOut).allSatisfy { w[$0 * nIn + i] == 0 } }) else {
            return XCTFail("digits_mlp's first layer has a column of zero weights (corner pixels)")
        }
        var witness = circuit.witness
        let outOfRange = 4 * s.compiled.model.inputTensor.hi[dead]
        witness[2 + dead] = Fr(signed: Int64(outOfRange))
        guard circuit.system.isSatisfied(by: witness) else { return }  // an in-circuit input range check would end the story here
        c = claim
        c.input.quantized[dead] = outOfRange
        c.input.values[dead] = Double(outOfRange) / Double(1 << c.input.scale)
        c.publicSignals = Array(witness[1...(circuit.system.publicCount)]).map { $0.description }
        c.proof = try ClaimVerifier.makeClaim(name: "digits_mlp", compiled: s.compiled, circuit: circuit, input: x,
                                              proof: try Groth16.prove(pk, witness: witness), verificationKey: vk).proof
        XCTAssertFalse(accepted(c), "an input outside the range is caught when the claim's bound is honest")
        c.quantization.inputBound *= 4
        XCTAssertFalse(accepted(c), "an input outside the model's range verifies once the claim's inputBound is raised")
    }
}
