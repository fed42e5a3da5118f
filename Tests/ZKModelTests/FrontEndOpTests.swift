// Issue 13: models written the way exporters write them (Circuits/frontend_ops, from generate_frontend_ops.py):
// the float graph against onnxruntime, the circuit against the integer interpreter bit for bit, the dequantized
// output against the float model, and the product gadget's soundness.

import Foundation
import XCTest
import ZKAlgebra
import ZKConstraints
import ZKModel
import ZKClaim

final class FrontEndOpTests: XCTestCase {
    static let dir = Repo.circuits.appendingPathComponent("frontend_ops")
    static let names = ["pytorch_flatten_cnn", "concat_branches", "sequence_matmul", "attention_scores", "rewiring_mix", "resize_nearest",
                         "conv1d_net", "depthwise_separable", "max_min_abs",
                         "conv_transpose", "conv_transpose_1d_groups", "embedding_tokens", "dropout_shared"]

    func fixture(_ name: String) throws -> (Data, OpFixture) {
        let onnx = try Data(contentsOf: Self.dir.appendingPathComponent(name + ".onnx"))
        let f = try JSONDecoder().decode(OpFixture.self, from: try Data(contentsOf: Self.dir.appendingPathComponent(name + ".json")))
        return (onnx, f)
    }

    func testEveryFixtureIsListed() throws {
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: Self.dir.path).filter { $0.hasSuffix(".onnx") }.map { String($0.dropLast(5)) }
        XCTAssertEqual(Set(onDisk), Set(Self.names))
    }

    func testFloatGraphMatchesOnnxRuntime() throws {
        try assertFloatGraphsMatchOnnxRuntime(Self.dir, Self.names)
    }

    func testCircuitMatchesInterpreterAndFloat() throws {
        for name in Self.names {
            let (onnx, f) = try fixture(name)
            let graph = try ONNXImporter.load(onnx)
            let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 12, calibration: f.inputs))
            let m = compiled.model
            for (k, x) in f.inputs.enumerated() {
                let float = try FloatInterpreter.run(graph, input: x)
                let reference = try IntegerInterpreter.run(m, input: try m.quantizeInput(x))
                let c = try compiled.circuit(for: x)
                XCTAssertEqual(c.output, reference, "\(name) sample \(k): circuit vs integer interpreter")
                XCTAssertNoThrow(try c.system.check(c.witness), "\(name) sample \(k)")
                let deq = m.dequantize(c.output, tensor: m.output)
                let tolerance = 0.02 * (float.map(abs).max() ?? 0) + 2e-3
                for (i, (a, b)) in zip(deq, float).enumerated() {
                    XCTAssertEqual(a, b, accuracy: tolerance, "\(name) sample \(k) [\(i)]: dequantized circuit vs float")
                }
            }
            // Compile and setup build the same constraint system as proving does.
            XCTAssertEqual(try circuitDigest(try compiled.constraintSystem().system), try circuitDigest(try compiled.circuit(for: f.inputs[0]).system), name)
        }
    }

    /// The shape subgraph of the PyTorch flatten disappears: no node of the float graph stands for Shape, Gather,
    /// Unsqueeze, Concat or Dropout.
    func testShapeArithmeticIsFolded() throws {
        let (onnx, _) = try fixture("pytorch_flatten_cnn")
        let g = try ONNXImporter.load(onnx)
        XCTAssertEqual(g.nodes.map(\.onnxOp).filter { ["Shape", "Gather", "Unsqueeze", "Concat", "Constant"].contains($0) }, [])
        // Dropout is the identity: at most a zero-cost rewiring of its own (so use counts stay exact).
        for n in g.nodes where n.onnxOp == "Dropout" {
            guard case .gather(_, let idx) = n.op else { return XCTFail("Dropout lowered to \(n.op)") }
            XCTAssertEqual(idx, Array(idx.indices))
        }
        XCTAssertEqual(g.inputShape, [1, 1, 8, 8], "the symbolic batch axis is 1")
    }

    /// Q·Kᵀ for T = 4 tokens of width 8 costs one constraint per scalar product (4·4·8), plus the rescales.
    func testActivationProductsCostOneConstraintEach() throws {
        let (onnx, f) = try fixture("attention_scores")
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 8, calibration: f.inputs))
        let c = try compiled.constraintSystem()
        let scores = try XCTUnwrap(c.layers.first { $0.layer == "/MatMul" })
        let products = 4 * 4 * 8
        XCTAssertGreaterThanOrEqual(scores.constraints, products)
        XCTAssertEqual(c.costSplit.multiplications, 2 * products, "Q·Kᵀ and A·V: 128 products each")
    }

    /// A product wire moved off its value fails the circuit, whatever it feeds.
    func testProductWiresArePinned() throws {
        let (onnx, f) = try fixture("attention_scores")
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 8, calibration: f.inputs))
        let x = f.inputs[0]
        let c = try CircuitLowering.build(compiled.model, input: try compiled.model.quantizeInput(x), digest: compiled.statementDigest, recordsLabels: true)
        let products = (0..<c.system.constraintCount).filter { c.system.label($0) == "product" }
        XCTAssertEqual(products.count, 256)
        // The product wire of each constraint is its C side (a single wire); move it by ±1.
        var checked = 0
        for i in products.prefix(64) {
            let terms = c.system.terms(i, .c)
            XCTAssertEqual(terms.count, 1)
            let wire = try XCTUnwrap(terms.first).wire
            for delta in [Fr.one, -Fr.one] {
                var w = c.witness
                w[wire] = w[wire] + delta
                XCTAssertFalse(c.system.isSatisfied(by: w), "product constraint \(i)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 128)
    }

    /// Token ids: the one-hot selection pins the id (another id, two hot rows, or an id outside the table fail with every
    /// other wire re-solved), and inputs that are not token ids are refused before proving.
    func testEmbeddingLookupIsSoundAndChecked() throws {
        let (onnx, f) = try fixture("embedding_tokens")
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 8, calibration: f.inputs))
        let m = compiled.model
        XCTAssertEqual(m.tokenInput, true)
        XCTAssertEqual(m.inputTensor.scale, 0)
        XCTAssertEqual(m.inputTensor.hi[0], 9)
        let x = f.inputs[0]
        let q = try m.quantizeInput(x)
        let honest = try CircuitLowering.build(m, input: q, digest: compiled.statementDigest, recordsLabels: true)
        XCTAssertTrue(honest.system.isSatisfied(by: honest.witness))
        // Each token costs rows + 2 = 12 constraints.
        XCTAssertEqual((0..<honest.system.constraintCount).filter { (honest.system.label($0) ?? "").hasPrefix("embedding.") }.count, 6 * 12)
        // An id outside the table, every other wire solved from it: no selector can match, the circuit fails.
        for other in [10, -1, 1 << 20] {
            var bad = q
            bad[0] = other
            let c = try CircuitLowering.build(m, input: bad, digest: compiled.statementDigest, recordsLabels: true, solveOutOfRangeInput: true)
            XCTAssertFalse(c.system.isSatisfied(by: c.witness), "id \(other) outside the table")
        }
        // The honest selectors with another id on the input wire (public signal 1 = wire 2): fails.
        var w = honest.witness
        w[2] = Fr(signed: Int64((q[0] + 1) % 10))
        XCTAssertFalse(honest.system.isSatisfied(by: w), "another id with the selectors of id \(q[0])")
        // Two hot rows: a zero selector set to one fails.
        let onehot = (0..<honest.system.constraintCount).filter { honest.system.label($0) == "embedding.onehot" }
        let zeroSelector = try XCTUnwrap(onehot.lazy.compactMap { i -> Int? in
            let terms = honest.system.terms(i, .a)
            guard terms.count == 1, let wire = terms.first?.wire, honest.witness[wire].isZero else { return nil }
            return wire
        }.first)
        var two = honest.witness
        two[zeroSelector] = .one
        XCTAssertFalse(honest.system.isSatisfied(by: two), "two hot rows")
        // Inputs that are not token ids are refused.
        var frac = x; frac[0] = 2.5
        assertModelError(try m.quantizeInput(frac))
        var high = x; high[0] = 10
        assertModelError(try m.quantizeInput(high))
        var negative = x; negative[0] = -1
        assertModelError(try m.quantizeInput(negative))
    }

    /// Element-wise Max/Min/Abs: a moved selection wire, or a sign bit flipped with the selection re-solved, fails.
    func testExtremumWiresArePinned() throws {
        let (onnx, f) = try fixture("max_min_abs")
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 8, calibration: f.inputs))
        let c = try CircuitLowering.build(compiled.model, input: try compiled.model.quantizeInput(f.inputs[0]), digest: compiled.statementDigest,
                                          recordsLabels: true)
        XCTAssertTrue(c.system.isSatisfied(by: c.witness))
        let selects = (0..<c.system.constraintCount).filter { c.system.label($0) == "max.select" }
        XCTAssertEqual(selects.count, 3 * 5, "Max, Min, Abs and the Max with a constant is a Clip: three extremum ops on 5 elements")
        var flippedChecked = 0
        for i in selects {
            let wire = try XCTUnwrap(c.system.terms(i, .c).first).wire
            var w = c.witness
            w[wire] = w[wire] + Fr.one
            XCTAssertFalse(c.system.isSatisfied(by: w), "max.select constraint \(i)")
            // The selection bit flipped, with the selected value re-solved for the other branch: the sign bit is pinned
            // by its decomposition, so this fails too.
            let aTerms = c.system.terms(i, .a)
            guard aTerms.count == 1, let sel = aTerms.first?.wire, sel != 0 else { continue }
            var flipped = c.witness
            flipped[sel] = Fr.one - flipped[sel]
            let bTerms = c.system.terms(i, .b)
            var d = Fr.zero
            for term in bTerms { d += term.coefficient * c.witness[term.wire] }
            flipped[wire] = flipped[sel] * d
            XCTAssertFalse(c.system.isSatisfied(by: flipped), "flipped selection at constraint \(i)")
            flippedChecked += 1
        }
        XCTAssertGreaterThan(flippedChecked, 0)
    }
}
