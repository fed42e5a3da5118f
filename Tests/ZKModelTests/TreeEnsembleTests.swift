// Issue 15: classical models (ai.onnx.ml). Semantics against onnxruntime on grid inputs (Circuits/classical_ops, written
// by generate_classical_ops.py: every split mode with thresholds on, off and next to the grid, scikit-learn ensembles,
// the opset-5 TreeEnsemble, linear models, Scaler, Binarizer, ArrayFeatureExtractor, ZipMap); the classical zoo
// (Circuits/zoo, generate_classical_zoo.py) with 100 % label agreement on the test split and a verified claim; and
// soundness: a witness that takes another leaf, two leaves, or flips a comparison with re-solved auxiliaries fails.

import Foundation
import XCTest
import ZKAlgebra
import ZKClaim
import ZKConstraints
import ZKGroth16
import ZKModel

final class TreeEnsembleTests: XCTestCase {
    struct Cases: Decodable {
        var inputs: [[Double]]
        var labels: [String?]
        var scores: [[Double]]
        var grid_bits: Int?
        var calibration: [[Double]]?
    }

    static let ops = Repo.circuits.appendingPathComponent("classical_ops")
    static let opNames = ["tree_split_modes", "rf_binary", "rf_multiclass_zipmap", "gb_binary_logistic", "gb_multiclass_softmax",
                          "rf_regressor_two_targets", "logreg_multiclass", "tree_regressor_average", "tree_classifier_string_labels",
                          "tree_ensemble_opset5", "linear_classifier_one_row", "linear_classifier_logistic", "linear_regressor",
                          "scaler_binarizer", "array_feature_extractor", "raw_data_random_forest", "raw_data_xgboost",
                          "raw_data_xgboost_regressor", "sgd_string_labels", "normalizer_l1", "normalizer_l2"]

    func load(_ name: String) throws -> (Data, Cases) {
        let dir = Self.ops.appendingPathComponent(name)
        return (try Data(contentsOf: dir.appendingPathComponent("model.onnx")),
                try JSONDecoder().decode(Cases.self, from: try Data(contentsOf: dir.appendingPathComponent("cases.json"))))
    }

    /// The float graph equals onnxruntime (scores after the stated transform, and the label); the quantized model's
    /// label equals onnxruntime's on every grid input, its scores are within the leaf rounding; the circuit equals the
    /// integer interpreter (output and label) and is satisfied.
    func checkOp(_ name: String, scaleBits: Int = 10) throws {
        let (onnx, cases) = try load(name)
        let graph = try ONNXImporter.load(onnx)
        XCTAssertEqual(graph.label != nil, cases.labels.first! != nil, name)
        for (k, x) in cases.inputs.enumerated() {
            let all = try FloatInterpreter.runAll(graph, input: x)
            let scores = FloatInterpreter.applyTransform(graph.outputTransform, all[graph.output])
            XCTAssertEqual(scores.count, cases.scores[k].count, name)
            for (a, b) in zip(scores, cases.scores[k]) { XCTAssertEqual(a, b, accuracy: 2e-5 + 2e-5 * abs(b), "\(name) case \(k): float graph vs onnxruntime") }
            if let l = graph.label { XCTAssertEqual(l.classes[Int(all[l.tensor][0])], cases.labels[k], "\(name) case \(k): float label") }
        }
        // Uncalibrated: inputs within ±16 at scale scaleBits − 4 ≥ grid bits, so every case is on the quantization grid.
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: scaleBits))
        let m = compiled.model
        XCTAssertGreaterThanOrEqual(m.inputTensor.scale, cases.grid_bits ?? 0, name)
        var worst = 0.0
        for (k, x) in cases.inputs.enumerated() {
            let q = try m.quantizeInput(x)
            XCTAssertEqual(m.dequantize(q, tensor: 0), x, "\(name) case \(k) is on the grid")
            let all = try IntegerInterpreter.runAll(m, input: q)
            if let l = m.label { XCTAssertEqual(l.classes[all[l.tensor][0]], cases.labels[k], "\(name) case \(k): quantized label vs onnxruntime") }
            let scores = FloatInterpreter.applyTransform(m.outputTransform, m.dequantize(all[m.output], tensor: m.output))
            for (a, b) in zip(scores, cases.scores[k]) { worst = max(worst, abs(a - b) / max(1, abs(b))) }
            if k < 3 {
                let c = try compiled.circuit(for: x)
                XCTAssertNoThrow(try c.system.check(c.witness), name)
                XCTAssertEqual(c.output, all[m.output], name)
                XCTAssertEqual(c.label, m.label.map { all[$0.tensor][0] }, name)
            }
        }
        print("[classical op] \(name): \(try compiled.constraintSystem().system.constraintCount) constraints, worst relative score error \(worst)")
        XCTAssertLessThan(worst, 0.02, "\(name): quantized scores vs onnxruntime")
    }

    /// Every split mode, thresholds on the grid, off it, a float32 ulp either side of a grid point, far outside the
    /// inputs: the quantized decisions (leaf votes 1/2 per tree, exact) equal onnxruntime's on every grid input.
    func testEverySplitModeMatchesOnnxruntimeOnTheGrid() throws {
        try checkOp("tree_split_modes")
        let (onnx, cases) = try load("tree_split_modes")
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 8))
        // Thresholds a float32 ulp apart raise the input scale until they are distinct tests (Quantizer.treeInputScale) …
        XCTAssertGreaterThan(compiled.model.inputTensor.scale, 20)
        // … but the rule holds at any scale: at exactly the inputs' grid (2^-4), where 0.25 and its neighbours share a
        // cell, every decision on every grid input is still onnxruntime's.
        var scales = try XCTUnwrap(compiled.model.tensorScales)
        scales[0] = try XCTUnwrap(cases.grid_bits)
        var ro = QuantizationOptions(scaleBits: 8)
        ro.recorded = RecordedQuantization(tensorScales: scales, inputBound: compiled.model.inputBound, calibrated: false)
        for m in [compiled.model, try Quantizer.quantize(try ONNXImporter.load(onnx), options: ro, onnxDigest: compiled.model.onnxDigest)] {
            for (k, x) in cases.inputs.enumerated() {
                let y = m.dequantize(try IntegerInterpreter.run(m, input: try m.quantizeInput(x)), tensor: m.output)
                XCTAssertEqual(y, cases.scores[k], "input scale \(m.inputTensor.scale), case \(k): every decision exactly as onnxruntime's")
            }
        }
    }
    func testRandomForestBinary() throws { try checkOp("rf_binary") }
    func testRandomForestMulticlassWithZipMap() throws { try checkOp("rf_multiclass_zipmap") }
    func testGradientBoostingBinaryLogistic() throws { try checkOp("gb_binary_logistic") }
    func testGradientBoostingMulticlassSoftmax() throws { try checkOp("gb_multiclass_softmax") }
    func testRandomForestRegressorTwoTargets() throws { try checkOp("rf_regressor_two_targets") }
    func testLogisticRegressionWithNormalizerAndZipMap() throws { try checkOp("logreg_multiclass") }
    func testRegressorAverageAndBaseValues() throws { try checkOp("tree_regressor_average") }
    func testClassifierWithStringLabels() throws { try checkOp("tree_classifier_string_labels") }
    func testOpset5TreeEnsemble() throws { try checkOp("tree_ensemble_opset5") }
    func testLinearClassifierOneRow() throws { try checkOp("linear_classifier_one_row") }
    func testLinearClassifierLogistic() throws { try checkOp("linear_classifier_logistic") }
    func testLinearRegressor() throws { try checkOp("linear_regressor") }
    func testScalerAndBinarizer() throws { try checkOp("scaler_binarizer") }
    func testArrayFeatureExtractor() throws { try checkOp("array_feature_extractor") }
    /// Normalizer L1 and L2 (zero rows stay zero, like onnxruntime) before a linear model.
    func testNormalizerL1() throws { try checkOp("normalizer_l1") }
    func testNormalizerL2() throws { try checkOp("normalizer_l2") }
    /// The Normalizer gadgets reject every forged witness (free wires moved by ±1, products re-solved).
    func testNormalizerIsSound() throws {
        for name in ["normalizer_l1", "normalizer_l2"] {
            let (onnx, cases) = try load(name)
            let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 10))
            for x in cases.inputs.suffix(3) {
                let c = try labelled(compiled, x)
                XCTAssertNoThrow(try c.system.check(c.witness), name)
                let f = forgeries(c)
                XCTAssertEqual(f.accepted, 0, name)
                XCTAssertGreaterThan(f.attempts, 10, name)
            }
        }
    }
    /// The label as skl2onnx writes it for SGDClassifier: ArgMax, ArrayFeatureExtractor of string classes, Reshape, Cast.
    func testArgMaxClassLookupWithStringClasses() throws { try checkOp("sgd_string_labels", scaleBits: 16) }

    /// Unrounded breast-cancer features (not on any grid): with 64 calibration rows the input scale is raised until their
    /// decisions survive rounding (plus 4 bits), and every test label agrees with onnxruntime — including the exact
    /// ties s = 0.5 of the forest, which leaf values rounded down resolve like onnxruntime's strict s > 0.5. The XGBoost
    /// regressor's features are below 1 (its thresholds are feature values, BRANCH_LT): its input scale goes past 30.
    func testUnroundedDataAgreesWithCalibration() throws {
        for name in ["raw_data_random_forest", "raw_data_xgboost", "raw_data_xgboost_regressor"] {
            let (onnx, cases) = try load(name)
            let calibration = try XCTUnwrap(cases.calibration)
            let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(calibration: calibration))
            let m = compiled.model
            XCTAssertGreaterThan(m.inputTensor.scale, 8 - 13, name)
            var agree = 0
            for (k, x) in cases.inputs.enumerated() {
                let all = try IntegerInterpreter.runAll(m, input: try m.quantizeInput(x))
                if let l = m.label {
                    if l.classes[all[l.tensor][0]] == cases.labels[k] { agree += 1 }
                } else if let v = m.dequantize(all[m.output], tensor: m.output).first, abs(v - cases.scores[k][0]) <= 1e-3 * max(1, abs(cases.scores[k][0])) {
                    agree += 1
                }
            }
            print("[classical op] \(name): input scale \(m.inputTensor.scale), \(try compiled.constraintSystem().system.constraintCount) constraints, labels \(agree)/\(cases.inputs.count)")
            XCTAssertEqual(agree, cases.inputs.count, name)
            // The recorded input scale is found again when the model is re-derived from the file (verify --model).
            let recorded = try XCTUnwrap(m.tensorScales)
            XCTAssertEqual(recorded[0], m.inputTensor.scale)
            var ro = QuantizationOptions()
            ro.recorded = RecordedQuantization(tensorScales: recorded, inputBound: m.inputBound, calibrated: m.calibrated)
            let again = try Quantizer.quantize(try ONNXImporter.load(onnx), options: ro, onnxDigest: m.onnxDigest)
            XCTAssertEqual(again.inputTensor, m.inputTensor, name)
        }
    }

    func testEveryClassicalOpModelIsTested() throws {
        let dirs = try FileManager.default.contentsOfDirectory(atPath: Self.ops.path).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(Set(dirs), Set(Self.opNames))
    }

    /// The proven output transform: a classifier's SOFTMAX post-transform proven in the circuit.
    func testProvenPostTransform() throws {
        let (onnx, cases) = try load("gb_multiclass_softmax")
        let graph = try ONNXImporter.load(onnx, proveOutputTransform: true)
        XCTAssertEqual(graph.outputTransform, .none)
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 10), proveOutputTransform: true)
        for (k, x) in cases.inputs.prefix(20).enumerated() {
            let all = try IntegerInterpreter.runAll(compiled.model, input: try compiled.model.quantizeInput(x))
            let p = compiled.model.dequantize(all[compiled.model.output], tensor: compiled.model.output)
            for (a, b) in zip(p, cases.scores[k]) { XCTAssertEqual(a, b, accuracy: 0.01, "case \(k): proven softmax") }
            XCTAssertEqual(compiled.model.label!.classes[all[compiled.model.label!.tensor][0]], cases.labels[k])
        }
        let c = try compiled.circuit(for: cases.inputs[0])
        XCTAssertNoThrow(try c.system.check(c.witness))
    }

    // MARK: Soundness

    /// A forest compiled from the string-label classifier; its circuit for one input.
    func circuit(_ name: String = "tree_classifier_string_labels", input k: Int = 0) throws -> (CompiledModel, ModelCircuit, [Double]) {
        let (onnx, cases) = try load(name)
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 10))
        let x = cases.inputs[k]
        return (compiled, try labelled(compiled, x), x)
    }

    /// The circuit with constraint labels recorded (the forgery helpers find outputs and reach products by label).
    func labelled(_ compiled: CompiledModel, _ x: [Double]) throws -> ModelCircuit {
        try CircuitLowering.build(compiled.model, input: try compiled.model.quantizeInput(x), digest: compiled.statementDigest, recordsLabels: true)
    }

    /// Re-solves every product wire after constraint `from` (in constraint order) and every public output and label
    /// binding, so that only the tampered constraint itself can fail.
    func resolve(_ sys: ConstraintSystem, _ w: inout [Fr], skipping skipped: Int) {
        func eval(_ terms: [ZKConstraints.Term]) -> Fr { terms.reduce(Fr.zero) { $0 + $1.coefficient * w[$1.wire] } }
        for i in 0..<sys.constraintCount where i != skipped {
            let c = sys.terms(i, .c)
            if let l = sys.label(i), l.hasPrefix("output[") || l == "label" {
                let a = sys.terms(i, .a)
                if let p = a.first(where: { $0.wire >= 1 && $0.wire <= sys.publicCount }) {
                    w[p.wire] = (Fr.zero - (eval(a) - p.coefficient * w[p.wire])) * p.coefficient.inverse()!
                }
                continue
            }
            if sys.label(i) == "tree.reach", c.count == 1 { w[c[0].wire] = eval(sys.terms(i, .a)) * eval(sys.terms(i, .b)) }
        }
    }

    func testAnotherLeafOrTwoLeavesFailCheck() throws {
        var tried = 0
        for k in 0..<4 {
            let (_, c, _) = try circuit("gb_multiclass_softmax", input: k)
            let sys = c.system
            let reach = (0..<sys.constraintCount).filter { sys.label($0) == "tree.reach" }
            XCTAssertFalse(reach.isEmpty)
            for i in reach {
                let wire = sys.terms(i, .c)[0].wire
                // Another leaf: the split's true-child reach flipped (its sibling r − r·d follows), everything below re-solved.
                var w = c.witness
                w[wire] = Fr.one - w[wire]
                resolve(sys, &w, skipping: i)
                XCTAssertFalse(sys.isSatisfied(by: w), "flipped reach at constraint \(i)")
                // Two leaves: a reach of 1 under a split the input does not reach (or doubled on the path).
                var w2 = c.witness
                w2[wire] = w2[wire] + Fr.one
                resolve(sys, &w2, skipping: i)
                XCTAssertFalse(sys.isSatisfied(by: w2), "extra reach at constraint \(i)")
                tried += 2
            }
        }
        XCTAssertGreaterThan(tried, 20)
    }

    /// A hostile prover flips one comparison (or moves a threshold) and re-solves every auxiliary of the changed model:
    /// the witness changes the output and the original circuit rejects it.
    func testFlippedComparisonWithResolvedAuxiliariesFails() throws {
        let (compiled, c, x) = try circuit("gb_multiclass_softmax")
        let m = compiled.model
        guard let k = m.nodes.firstIndex(where: { if case .treeEnsemble = $0.op { return true } else { return false } }),
              case .treeEnsemble(let input, let e) = m.nodes[k].op else { return XCTFail("no ensemble") }
        var changedOutputs = 0
        for tree in 0..<e.trees.count {
            for node in 0..<e.trees[tree].count where !e.trees[tree][node].isLeaf {
                var tampered = m
                var te = e
                te.trees[tree][node].negate.toggle()
                tampered.nodes[k].op = .treeEnsemble(input: input, ensemble: te)
                let forged = try CircuitLowering.build(tampered, input: try m.quantizeInput(x), digest: compiled.statementDigest)
                guard forged.witness.count == c.witness.count, forged.output != c.output else { continue }
                changedOutputs += 1
                XCTAssertFalse(c.system.isSatisfied(by: forged.witness), "tree \(tree) node \(node) flipped")
            }
        }
        XCTAssertGreaterThan(changedOutputs, 3)
        // Every free wire (test bits, zero-test hints) moved by ±1 with products and outputs re-solved: nothing changes
        // the output and satisfies the system.
        let f = forgeries(c)
        XCTAssertEqual(f.accepted, 0)
        XCTAssertGreaterThan(f.attempts, 50)
    }

    func testEqualityTestsAreSoundToo() throws {
        // The split-modes model has BRANCH_EQ/NEQ splits on grid thresholds (isEqual gadgets).
        let (onnx, cases) = try load("tree_split_modes")
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 8))
        for x in cases.inputs.suffix(5) {
            let c = try labelled(compiled, x)
            let f = forgeries(c)
            XCTAssertEqual(f.accepted, 0)
            XCTAssertGreaterThan(f.attempts, 10)
        }
    }

    /// A claim's label is bound: changing its index (with a matching value) or its class names breaks verification.
    func testLabelIsProvenAndBound() throws {
        let (compiled, c, x) = try circuit()
        let pk = try Groth16.setup(c.system)
        let claim = try ClaimVerifier.makeClaim(name: "t", compiled: compiled, circuit: c, input: x,
                                                proof: try Groth16.prove(pk, witness: c.witness), verificationKey: pk.verificationKey)
        XCTAssertTrue(try ClaimVerifier.verify(claim, key: pk.verificationKey).valid)
        let label = try XCTUnwrap(claim.output.label)
        XCTAssertEqual(label.classes, ["cat", "dog", "emu"])
        XCTAssertEqual(claim.publicSignalLayout.last, "label")
        var other = claim
        let j = (label.index + 1) % 3
        other.output.label = ClaimLabel(index: j, value: label.classes[j], classes: label.classes)
        other.publicSignals[other.publicSignals.count - 1] = Fr(UInt64(j)).description
        XCTAssertFalse(try ClaimVerifier.verify(other, key: pk.verificationKey).valid, "another label")
        var renamed = claim
        renamed.output.label = ClaimLabel(index: label.index, value: "wolf", classes: ["wolf", "wolf", "wolf"])
        XCTAssertFalse(try ClaimVerifier.verify(renamed, key: pk.verificationKey).valid, "renamed classes")
        var inconsistent = claim
        inconsistent.output.label?.value = "zebra"
        let v = try ClaimVerifier.verify(inconsistent, key: pk.verificationKey)
        XCTAssertFalse(v.valid)
        XCTAssertTrue(v.problems.contains { $0.contains("output.label.value") }, "\(v.problems)")
        var dropped = claim
        dropped.output.label = nil
        XCTAssertFalse(try ClaimVerifier.verify(dropped, key: pk.verificationKey).valid, "label removed")
        // Round trip through the strict decoder.
        XCTAssertEqual(try ClaimVerifier.decode(try ClaimVerifier.encode(claim)), claim)
    }

    func testPrivateWeightsAreRefusedForTrees() throws {
        let (onnx, _) = try load("rf_binary")
        XCTAssertThrowsError(try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(visibility: Visibility(weights: .private)))) { e in
            XCTAssertTrue("\(e)".contains("tree ensemble"), "\(e)")
        }
    }

    /// A hostile circuit.json: trees with a cycle, a test out of range, a leaf voting for a missing target.
    func testHostileCircuitJSONTreesAreRejected() throws {
        let (onnx, _) = try load("tree_classifier_string_labels")
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 10))
        let m = compiled.model
        guard let k = m.nodes.firstIndex(where: { if case .treeEnsemble = $0.op { return true } else { return false } }),
              case .treeEnsemble(let input, let e) = m.nodes[k].op else { return XCTFail("no ensemble") }
        XCTAssertNoThrow(try m.validate())
        var mutations: [(String, (inout QTreeEnsemble) -> Void)] = [
            ("cycle", { $0.trees[0][1].trueChild = 0 }),
            ("child out of range", { $0.trees[0][0].falseChild = 99 }),
            ("test out of range", { $0.trees[0][0].test = 999 }),
            ("feature out of range", { $0.features[0] = 3 }),
            ("missing target", { e in if let l = e.trees[0].firstIndex(where: \.isLeaf) { e.trees[0][l].targets = [7]; e.trees[0][l].weights = [1] } }),
            ("weights without targets", { e in if let l = e.trees[0].firstIndex(where: \.isLeaf) { e.trees[0][l].weights.append(5) } }),
        ]
        mutations.append(("base size", { $0.base.append(1) }))
        for (what, mutate) in mutations {
            var bad = m
            var te = e
            mutate(&te)
            bad.nodes[k].op = .treeEnsemble(input: input, ensemble: te)
            XCTAssertThrowsError(try bad.validate(), what)
        }
        // A label that is not an argmax, or names the wrong number of classes.
        var bad = m
        bad.label?.classes.append("extra")
        XCTAssertThrowsError(try bad.validate())
        bad = m
        bad.label?.tensor = k + 1
        XCTAssertThrowsError(try bad.validate())
    }

    // MARK: Zoo

    static let zoo = Repo.circuits.appendingPathComponent("zoo")
    static let zooNames = ["digits_random_forest", "wine_gradient_boosting", "wine_xgboost", "wine_lightgbm", "wine_logistic_regression",
                           "breast_cancer_xgboost", "breast_cancer_linear_svm", "diabetes_tree_regressor"]

    struct ZooExpected: Decodable {
        var task: String
        var scale_bits: Int
        var float_outputs: [[Double]]
        var classes: [String]?
        var float_labels: [String?]?
        var float_values: [Double]?
    }

    func checkZoo(_ name: String) throws {
        let dir = Self.zoo.appendingPathComponent(name)
        let onnx = try Data(contentsOf: dir.appendingPathComponent("model.onnx"))
        let expected = try JSONDecoder().decode(ZooExpected.self, from: try Data(contentsOf: dir.appendingPathComponent("expected.json")))
        let graph = try ONNXImporter.load(onnx)
        let calibration = try InputFile.samples(InputFile.parse(try Data(contentsOf: dir.appendingPathComponent("calibration.json"))), size: graph.size(graph.input))
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: expected.scale_bits, calibration: calibration))
        let m = compiled.model
        let split = try InputFile.parse(try Data(contentsOf: dir.appendingPathComponent("test_split.json")))
        var agree = 0, worst = 0.0
        for (k, x) in split.enumerated() {
            let all = try IntegerInterpreter.runAll(m, input: try m.quantizeInput(x))
            let out = FloatInterpreter.applyTransform(m.outputTransform, m.dequantize(all[m.output], tensor: m.output))
            if k < expected.float_outputs.count {
                for (a, b) in zip(out, expected.float_outputs[k]) { worst = max(worst, abs(a - b) / max(1, abs(b))) }
                // The float graph = onnxruntime.
                let f = FloatInterpreter.applyTransform(graph.outputTransform, try FloatInterpreter.run(graph, input: x))
                for (a, b) in zip(f, expected.float_outputs[k]) { XCTAssertEqual(a, b, accuracy: 1e-4 + 1e-4 * abs(b), "\(name) \(k): float graph") }
            }
            if let l = m.label, let labels = expected.float_labels {
                if l.classes[all[l.tensor][0]] == labels[k] { agree += 1 }
            } else if let v = expected.float_values, abs(out[0] - v[k]) <= 1e-3 * max(1, abs(v[k])) {
                agree += 1
            }
        }
        let cs = try compiled.constraintSystem()
        print("[classical zoo] \(name): \(cs.system.constraintCount) constraints; agreement with onnxruntime \(agree)/\(split.count); max output error \(worst) (relative to max(1, |value|))")
        // Inputs on the quantization grid: every decision is the float model's, so every label (and every regression
        // value, up to the leaf rounding) agrees.
        XCTAssertEqual(agree, split.count, "\(name): agreement with onnxruntime")
        XCTAssertLessThan(worst, 0.01, "\(name): output error relative to max(1, |onnxruntime's value|)")
        // One proof; the claim verifies, also re-derived from the ONNX file.
        let x = split[0]
        let c = try compiled.circuit(for: x)
        let pk = try Groth16.setup(c.system)
        let claim = try ClaimVerifier.makeClaim(name: name, compiled: compiled, circuit: c, input: x,
                                                proof: try Groth16.prove(pk, witness: c.witness), verificationKey: pk.verificationKey)
        let v = try ClaimVerifier.verify(claim, key: pk.verificationKey, options: ClaimCheckOptions(onnx: onnx))
        XCTAssertTrue(v.valid, "\(name): \(v.problems)")
        XCTAssertEqual(claim.output.label?.value, expected.float_labels?[0] ?? nil, name)
    }

    func testZooRandomForest() throws { try checkZoo("digits_random_forest") }
    func testZooGradientBoosting() throws { try checkZoo("wine_gradient_boosting") }
    func testZooXGBoost() throws { try checkZoo("wine_xgboost") }
    func testZooLightGBM() throws { try checkZoo("wine_lightgbm") }
    func testZooLogisticRegression() throws { try checkZoo("wine_logistic_regression") }
    func testZooBinaryXGBoost() throws { try checkZoo("breast_cancer_xgboost") }
    func testZooLinearSVM() throws { try checkZoo("breast_cancer_linear_svm") }
    func testZooTreeRegressor() throws { try checkZoo("diabetes_tree_regressor") }

    /// The performance target's model costs at most 20 constraints per tree node.
    func testForestCostPerNode() throws {
        let dir = Self.zoo.appendingPathComponent("digits_random_forest")
        let onnx = try Data(contentsOf: dir.appendingPathComponent("model.onnx"))
        let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 8))
        let cs = try compiled.constraintSystem()
        guard case .treeEnsemble(_, let e)? = compiled.model.nodes.first(where: { if case .treeEnsemble = $0.op { return true } else { return false } })?.op else {
            return XCTFail("no ensemble")
        }
        let nodes = e.trees.reduce(0) { $0 + $1.count }
        XCTAssertEqual(e.trees.count, 16)
        let layer = try XCTUnwrap(cs.layers.first { $0.onnxOp == "TreeEnsembleClassifier" })
        XCTAssertLessThanOrEqual(Double(layer.constraints) / Double(nodes), 20)
        XCTAssertNotNil(layer.detail)
    }
}
