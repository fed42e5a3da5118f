// ai.onnx.ml import: tree ensembles, linear models, Scaler, Normalizer, Binarizer, ArrayFeatureExtractor, ZipMap —
// the classical models scikit-learn (skl2onnx), XGBoost and LightGBM (onnxmltools) export.
//
// Classifiers have two outputs: the label and the scores/probabilities. The scores become the model's output tensor;
// the label becomes an ArgMax over a score tensor chosen so that its first maximum is exactly onnxruntime's rule (see
// `classifierOutputs`), proven in the circuit and stated in the claim with the class names. ZipMap is dropped (its
// input, the probabilities tensor, is the output). Post-transforms (SOFTMAX, LOGISTIC) are stated outside the circuit
// like a final Softmax/Sigmoid, or proven with `--prove-output-transform`.

import Foundation

extension Importer {
    static let mlOps: Set<String> = ["TreeEnsembleClassifier", "TreeEnsembleRegressor", "TreeEnsemble", "LinearClassifier", "LinearRegressor",
                                     "Scaler", "Normalizer", "Binarizer", "ZipMap", "ArrayFeatureExtractor"]

    // MARK: Attributes

    func isConstant(_ name: String) -> Bool {
        if case .constant? = values[name] { return true }
        return false
    }

    /// A float list attribute (or its `_as_tensor` form). NaN is refused, and infinity unless `allowInfinity`
    /// (split thresholds: a split that always or never holds).
    func floatsAttr(_ node: Onnx_NodeProto, _ key: String, _ name: String, allowInfinity: Bool = false) throws -> [Double]? {
        let values: [Double]
        if let a = attr(node, key + "_as_tensor") {
            guard case .constant(_, let d) = try constant(a.t) else { return nil }
            values = d
        } else if let a = attr(node, key) {
            values = a.floats.map { Double($0) }
        } else {
            return nil
        }
        guard !values.contains(where: { $0.isNaN || (!allowInfinity && $0.isInfinite) }) else {
            throw ModelError.unsupported(node: name, reason: "attribute \(key) contains NaN\(allowInfinity ? "" : " or infinity")")
        }
        return values
    }
    func stringAttr(_ node: Onnx_NodeProto, _ key: String) -> String? {
        attr(node, key).map { String(decoding: $0.s, as: UTF8.self) }
    }
    func stringsAttr(_ node: Onnx_NodeProto, _ key: String) -> [String]? {
        attr(node, key).map { $0.strings.map { String(decoding: $0, as: UTF8.self) } }
    }
    func requiredInts(_ node: Onnx_NodeProto, _ key: String, _ name: String) throws -> [Int] {
        guard let v = try intsAttr(node, key) else { throw ModelError.unsupported(node: name, reason: "\(node.opType) has no '\(key)' attribute") }
        return v
    }
    /// Class names: `classlabels_int64s`/`classlabels_ints` as decimal text, or `classlabels_strings`.
    func classLabels(_ node: Onnx_NodeProto, _ name: String) throws -> [String] {
        if let s = stringsAttr(node, "classlabels_strings"), !s.isEmpty { return s }
        for key in ["classlabels_int64s", "classlabels_ints"] {
            if let a = attr(node, key), !a.ints.isEmpty { return a.ints.map { String($0) } }
        }
        throw ModelError.unsupported(node: name, reason: "\(node.opType) has no class labels")
    }

    /// The output transform a classifier's `post_transform` asks for.
    func postTransform(_ node: Onnx_NodeProto, _ name: String, allowed: Set<String>) throws -> String {
        let p = stringAttr(node, "post_transform") ?? "NONE"
        guard allowed.contains(p) else {
            throw ModelError.unsupported(node: name, reason: "\(node.opType) post_transform \(p) is not supported (supported: \(allowed.sorted().joined(separator: ", ")))")
        }
        return p
    }

    // MARK: Lowering

    mutating func lowerML(_ node: Onnx_NodeProto, _ name: String) throws {
        switch node.opType {
        case "TreeEnsembleClassifier": try lowerTreeClassifier(node, name)
        case "TreeEnsembleRegressor": try lowerTreeRegressor(node, name)
        case "TreeEnsemble": try lowerTreeEnsemble5(node, name)
        case "LinearClassifier": try lowerLinearClassifier(node, name)
        case "LinearRegressor":
            let x = try tensor(node, 0, name)
            let nIn = size(x)
            _ = try postTransform(node, name, allowed: ["NONE"])
            guard let w = try floatsAttr(node, "coefficients", name), !w.isEmpty, w.count % nIn == 0 else {
                throw ModelError.unsupported(node: name, reason: "LinearRegressor coefficients do not match the \(nIn) input features")
            }
            let nOut = w.count / nIn
            let b = try floatsAttr(node, "intercepts", name) ?? [Double](repeating: 0, count: nOut)
            guard b.count == nOut, (try intAttr(node, "targets") ?? nOut) == nOut else {
                throw ModelError.unsupported(node: name, reason: "LinearRegressor intercepts/targets do not match \(nOut) targets")
            }
            let f = foldingScaler(x, weights: w, bias: b, inFeatures: nIn)
            try emit(.dense(input: f.input, weights: f.weights, bias: f.bias, inFeatures: nIn, outFeatures: nOut), shape: [1, nOut], node: node, name: name)
        case "Scaler":
            let x = try tensor(node, 0, name)
            let n = size(x)
            let offset = try floatsAttr(node, "offset", name) ?? [0], scale = try floatsAttr(node, "scale", name) ?? [1]
            func spread(_ v: [Double]) throws -> [Double] {
                if v.count == 1 { return [Double](repeating: v[0], count: n) }
                guard v.count == n else { throw ModelError.unsupported(node: name, reason: "Scaler has \(v.count) values for \(n) features") }
                return v
            }
            let o = try spread(offset), s = try spread(scale)
            try emit(.affine(input: x, mul: s, add: (0..<n).map { -o[$0] * s[$0] }), shape: shapes[x], node: node, name: name)
        case "Normalizer":
            let norm = stringAttr(node, "norm") ?? "MAX"
            if norm == "L1", let i = node.input.first, stochastic.contains(i) {
                // The L1 normalization of a probability row leaves it unchanged (and keeps a stated transform stated).
                values[node.output[0]] = try input(node, 0, name)
                stochastic.insert(node.output[0])
                return
            }
            guard norm == "L1" || norm == "L2" else {
                throw ModelError.unsupported(node: name, reason: "Normalizer norm \(norm) (supported: L1, L2)")
            }
            let x = try tensor(node, 0, name)
            try emit(.normalize(input: x, rowLength: shapes[x].last ?? 1, l1: norm == "L1"), shape: shapes[x], node: node, name: name)
        case "Binarizer":
            // y = x > threshold ? 1 : 0, element-wise: one single-split tree per element (x ≤ t → 0, else 1).
            let x = try tensor(node, 0, name)
            let n = size(x)
            let t = floatAttr(node, "threshold") ?? 0
            let trees = (0..<n).map { i in
                [TreeEnsemble.Node(mode: .leq, feature: i, threshold: t, trueChild: 1, falseChild: 2),
                 TreeEnsemble.Node(mode: nil, feature: 0, threshold: 0, trueChild: 0, falseChild: 0),
                 TreeEnsemble.Node(mode: nil, feature: 0, threshold: 0, trueChild: 0, falseChild: 0, targets: [i], weights: [1])]
            }
            try emit(.treeEnsemble(input: x, ensemble: TreeEnsemble(trees: trees, targets: n, base: [Double](repeating: 0, count: n), average: false, features: n)),
                     shape: shapes[x], node: node, name: name)
        case "ArrayFeatureExtractor" where node.input.count == 2 && (stringConstants[node.input[0]] != nil || isConstant(node.input[0])):
            // The label lookup skl2onnx writes after an ArgMax of the scores: classes[ArgMax(scores)].
            guard case .tensor(let idx)? = values[node.input[1]], let p = producer[idx], case .argMax(let scores) = nodes[p].op else {
                throw ModelError.unsupported(node: name, reason: "ArrayFeatureExtractor of a constant is supported as the class lookup of an ArgMax (the predicted label)")
            }
            let classes: [String]
            if let s = stringConstants[node.input[0]] {
                classes = s
            } else if case .constant(_, let d)? = values[node.input[0]] {
                classes = d.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int64($0)) : String($0) }
            } else {
                classes = []
            }
            guard classes.count == size(scores) else {
                throw ModelError.unsupported(node: name, reason: "\(classes.count) class names for \(size(scores)) scores")
            }
            labels[node.output[0]] = (scores, classes)
        case "ArrayFeatureExtractor":
            let x = try tensor(node, 0, name)
            let s = shapes[x]
            let c = try constantInput(node, 1, name, what: "the indices")
            let idx = try integers(c.data, node, name, what: "indices")
            guard let last = s.last, !idx.isEmpty, idx.allSatisfy({ $0 >= 0 && $0 < last }) else {
                throw ModelError.unsupported(node: name, reason: "ArrayFeatureExtractor indices \(idx) outside the last axis of \(s)")
            }
            let outer = size(x) / last
            let gathered = (0..<outer).flatMap { o in idx.map { o * last + $0 } }
            try emit(.gather(input: x, indices: gathered), shape: Array(s.dropLast()) + [idx.count], node: node, name: name)
        case "ZipMap":
            // A sequence of maps is not a tensor: ZipMap may only produce a graph output, which is then its input.
            guard let out = node.output.first, outputAliases.contains(out) else {
                throw ModelError.unsupported(node: name, reason: "ZipMap's output (a sequence of maps) is read by another node; zkinfer drops ZipMap only at a graph output")
            }
            values[out] = try input(node, 0, name)
            if let i = node.input.first, stochastic.contains(i) { stochastic.insert(out) }
        default:
            throw ModelError.unsupportedOp(op: "ai.onnx.ml.\(node.opType)", node: name, supported: ONNXImporter.supportedOps)
        }
    }

    /// A linear model's weights with a Scaler (an element-wise affine with one reader) before it folded in:
    /// `W·(m ⊙ x + a) + b = (W·diag(m))·x + (b + W·a)` — one dense layer on the Scaler's input, so the per-feature scales
    /// (which span orders of magnitude: 1/std of each feature) are not rounded to one fixed-point scale of their own.
    func foldingScaler(_ x: Int, weights w: [Double], bias b: [Double], inFeatures nIn: Int) -> (input: Int, weights: [Double], bias: [Double]) {
        guard let p = producer[x], uses[tensorNames[x]] == 1, case .affine(let x0, let mul, let add) = nodes[p].op, mul.count == nIn else {
            return (x, w, b)
        }
        let nOut = b.count
        var w2 = w, b2 = b
        for o in 0..<nOut {
            for i in 0..<nIn {
                b2[o] += w[o * nIn + i] * add[i]
                w2[o * nIn + i] = w[o * nIn + i] * mul[i]
            }
        }
        return (x0, w2, b2)
    }

    /// Builds trees from ONNX's parallel node arrays (TreeEnsembleClassifier/Regressor): nodes grouped by tree id in
    /// order of first appearance, each tree's root (the node no split points to) first; votes attached to leaves.
    func buildTrees(_ node: Onnx_NodeProto, _ name: String, features: Int, voteTrees: [Int], voteNodes: [Int], voteTargets: [Int],
                    voteWeights: [Double], targets: Int) throws -> [[TreeEnsemble.Node]] {
        let treeIds = try requiredInts(node, "nodes_treeids", name), nodeIds = try requiredInts(node, "nodes_nodeids", name)
        let featureIds = try requiredInts(node, "nodes_featureids", name)
        let trueIds = try requiredInts(node, "nodes_truenodeids", name), falseIds = try requiredInts(node, "nodes_falsenodeids", name)
        guard let modes = stringsAttr(node, "nodes_modes") else { throw ModelError.unsupported(node: name, reason: "\(node.opType) has no 'nodes_modes'") }
        guard let thresholds = try floatsAttr(node, "nodes_values", name, allowInfinity: true) ?? (modes.allSatisfy({ $0 == "LEAF" }) ? [Double](repeating: 0, count: modes.count) : nil) else {
            throw ModelError.unsupported(node: name, reason: "\(node.opType) has no 'nodes_values'")
        }
        let n = treeIds.count
        guard n >= 1, nodeIds.count == n, featureIds.count == n, trueIds.count == n, falseIds.count == n, modes.count == n, thresholds.count == n else {
            throw ModelError.malformedONNX("node '\(name)': the nodes_* attributes have different lengths")
        }
        guard voteNodes.count == voteTrees.count, voteTargets.count == voteTrees.count, voteWeights.count == voteTrees.count else {
            throw ModelError.malformedONNX("node '\(name)': the leaf vote attributes have different lengths")
        }
        guard n <= 1 << 22, voteTrees.count <= 1 << 24 else { throw ModelError.unsupported(node: name, reason: "more than 2^22 tree nodes") }
        var treeOrder: [Int] = []
        var members: [Int: [Int]] = [:]
        for k in 0..<n {
            if members[treeIds[k]] == nil { treeOrder.append(treeIds[k]) }
            members[treeIds[k], default: []].append(k)
        }
        var votes: [Int: [(Int, Double)]] = [:]  // global node index → votes
        var position: [Int: [Int: Int]] = [:]    // tree id → node id → global index
        for (tid, ks) in members {
            var p: [Int: Int] = [:]
            for k in ks {
                guard p[nodeIds[k]] == nil else { throw ModelError.malformedONNX("node '\(name)': tree \(tid) has node id \(nodeIds[k]) twice") }
                p[nodeIds[k]] = k
            }
            position[tid] = p
        }
        for v in voteTrees.indices {
            guard let k = position[voteTrees[v]]?[voteNodes[v]] else {
                throw ModelError.malformedONNX("node '\(name)': a leaf vote names tree \(voteTrees[v]) node \(voteNodes[v]), which does not exist")
            }
            guard voteTargets[v] >= 0, voteTargets[v] < targets else {
                throw ModelError.unsupported(node: name, reason: "a leaf votes for class/target \(voteTargets[v]); there are \(targets)")
            }
            votes[k, default: []].append((voteTargets[v], voteWeights[v]))
        }
        var trees: [[TreeEnsemble.Node]] = []
        for tid in treeOrder {
            let ks = members[tid]!
            // Root: the one node no split of this tree points to.
            var children = Set<Int>()
            for k in ks where modes[k] != "LEAF" { children.insert(trueIds[k]); children.insert(falseIds[k]) }
            let roots = ks.filter { !children.contains(nodeIds[$0]) }
            guard roots.count == 1 else { throw ModelError.malformedONNX("node '\(name)': tree \(tid) has \(roots.count) roots") }
            let ordered = roots + ks.filter { $0 != roots[0] }
            var local: [Int: Int] = [:]
            for (i, k) in ordered.enumerated() { local[nodeIds[k]] = i }
            var nodes: [TreeEnsemble.Node] = []
            for k in ordered {
                let mode: TreeBranchMode?
                if modes[k] == "LEAF" {
                    mode = nil
                } else {
                    guard let m = TreeBranchMode(rawValue: modes[k]) else {
                        throw ModelError.unsupported(node: name, reason: "nodes_modes \(modes[k]) (supported: \(TreeBranchMode.allCases.map(\.rawValue).joined(separator: ", ")), LEAF)")
                    }
                    mode = m
                }
                if mode != nil {
                    guard let t = local[trueIds[k]], let f = local[falseIds[k]] else {
                        throw ModelError.malformedONNX("node '\(name)': tree \(tid) node \(nodeIds[k]) points to a node that does not exist")
                    }
                    nodes.append(TreeEnsemble.Node(mode: mode, feature: featureIds[k], threshold: thresholds[k], trueChild: t, falseChild: f))
                } else {
                    let v = votes[k] ?? []
                    nodes.append(TreeEnsemble.Node(mode: nil, feature: 0, threshold: 0, trueChild: 0, falseChild: 0, targets: v.map(\.0), weights: v.map(\.1)))
                }
            }
            if let problem = TreeEnsemble.validateStructure(nodes.map { ($0.mode == nil, ($0.trueChild, $0.falseChild)) },
                                                            featureOK: { nodes[$0].feature >= 0 && nodes[$0].feature < features },
                                                            leafTargets: nodes.map(\.targets), targets: targets) {
                throw ModelError.unsupported(node: name, reason: "tree \(tid): \(problem)")
            }
            trees.append(nodes)
        }
        // Infinite thresholds are meaningful (a split that always or never holds); NaN thresholds are not.
        guard voteWeights.allSatisfy({ $0.isFinite }), !thresholds.contains(where: \.isNaN) else {
            throw ModelError.unsupported(node: name, reason: "a leaf weight is not finite or a split threshold is NaN")
        }
        return trees
    }

    mutating func lowerTreeClassifier(_ node: Onnx_NodeProto, _ name: String) throws {
        let x = try tensor(node, 0, name)
        let classes = try classLabels(node, name)
        let n = classes.count
        guard n >= 2 else { throw ModelError.unsupported(node: name, reason: "a classifier with \(n) class") }
        let post = try postTransform(node, name, allowed: ["NONE", "SOFTMAX", "LOGISTIC"])
        let voteTrees = try requiredInts(node, "class_treeids", name), voteNodes = try requiredInts(node, "class_nodeids", name)
        let voteIds = try requiredInts(node, "class_ids", name)
        let voteWeights = try floatsAttr(node, "class_weights", name) ?? []
        var base = try floatsAttr(node, "base_values", name) ?? []
        let used = Set(voteIds)
        if n == 2 && !used.contains(1) {
            // onnxruntime's binary case: one score s for class 1 (ORT writes [1 − s, s] when every weight is ≥ 0, label
            // s > 0.5; else [−s, s] — through the logistic function for LOGISTIC — label s > 0). Both labels are the
            // first maximum of the two-score vector.
            guard base.count <= 1 else { throw ModelError.unsupported(node: name, reason: "a two-class ensemble voting for one class with two base values") }
            let trees = try buildTrees(node, name, features: size(x), voteTrees: voteTrees, voteNodes: voteNodes, voteTargets: voteIds,
                                       voteWeights: voteWeights, targets: 1)
            let s = try emitHidden(.treeEnsemble(input: x, ensemble: TreeEnsemble(trees: trees, targets: 1, base: [base.first ?? 0], average: false, features: size(x))),
                                   shape: [1, 1], node: node, name: name, tag: "score")
            let pair = try emitHidden(.gather(input: s, indices: [0, 0]), shape: [1, 2], node: node, name: name, tag: "pair")
            let allPositive = voteWeights.allSatisfy { $0 >= 0 }
            let scores = try emitHidden(.affine(input: pair, mul: [-1, 1], add: allPositive ? [1, 0] : [0, 0]), shape: [1, 2], node: node, name: name, tag: "scores")
            try classifierOutputs(node, name, scores: scores, labelScores: scores, classes: classes,
                                  transform: (!allPositive && post == "LOGISTIC") ? .sigmoid : .none)
            return
        }
        guard used.isSubset(of: Set(0..<n)) else { throw ModelError.unsupported(node: name, reason: "class_ids outside 0..<\(n)") }
        if n == 2 { throw ModelError.unsupported(node: name, reason: "a two-class ensemble voting for both classes (onnxruntime's rule for it is not supported)") }
        if base.isEmpty {
            // onnxruntime skips classes that no leaf votes for in its argmax; zkinfer proves the argmax over all of them.
            if let missing = (0..<n).first(where: { !used.contains($0) }) {
                throw ModelError.unsupported(node: name, reason: "class \(classes[missing]) receives no votes and there are no base values")
            }
            base = [Double](repeating: 0, count: n)
        }
        guard base.count == n else { throw ModelError.unsupported(node: name, reason: "\(base.count) base values for \(n) classes") }
        let trees = try buildTrees(node, name, features: size(x), voteTrees: voteTrees, voteNodes: voteNodes, voteTargets: voteIds,
                                   voteWeights: voteWeights, targets: n)
        let scores = try emitHidden(.treeEnsemble(input: x, ensemble: TreeEnsemble(trees: trees, targets: n, base: base, average: false, features: size(x))),
                                    shape: [1, n], node: node, name: name, tag: "scores")
        try classifierOutputs(node, name, scores: scores, labelScores: scores, classes: classes,
                              transform: post == "SOFTMAX" ? .softmax : (post == "LOGISTIC" ? .sigmoid : .none))
    }

    mutating func lowerTreeRegressor(_ node: Onnx_NodeProto, _ name: String) throws {
        let x = try tensor(node, 0, name)
        _ = try postTransform(node, name, allowed: ["NONE"])
        let n = try intAttr(node, "n_targets") ?? 1
        guard n >= 1, n <= 1 << 16 else { throw ModelError.unsupported(node: name, reason: "n_targets = \(n)") }
        let aggregate = stringAttr(node, "aggregate_function") ?? "SUM"
        guard aggregate == "SUM" || aggregate == "AVERAGE" else {
            throw ModelError.unsupported(node: name, reason: "aggregate_function \(aggregate) (supported: SUM, AVERAGE)")
        }
        let base = try floatsAttr(node, "base_values", name) ?? [Double](repeating: 0, count: n)
        guard base.count == n else { throw ModelError.unsupported(node: name, reason: "\(base.count) base values for \(n) targets") }
        let trees = try buildTrees(node, name, features: size(x), voteTrees: try requiredInts(node, "target_treeids", name),
                                   voteNodes: try requiredInts(node, "target_nodeids", name), voteTargets: try requiredInts(node, "target_ids", name),
                                   voteWeights: try floatsAttr(node, "target_weights", name) ?? [], targets: n)
        try emit(.treeEnsemble(input: x, ensemble: TreeEnsemble(trees: trees, targets: n, base: base, average: aggregate == "AVERAGE", features: size(x))),
                 shape: [1, n], node: node, name: name)
    }

    /// ai.onnx.ml opset 5 `TreeEnsemble`: roots and children index the node arrays, or the leaf arrays when the
    /// `nodes_trueleafs`/`nodes_falseleafs` flag is set; modes are a uint8 tensor (0 LEQ, 1 LT, 2 GTE, 3 GT, 4 EQ,
    /// 5 NEQ; 6 MEMBER is not supported).
    mutating func lowerTreeEnsemble5(_ node: Onnx_NodeProto, _ name: String) throws {
        let x = try tensor(node, 0, name)
        let nTargets = try intAttr(node, "n_targets") ?? 1
        guard nTargets >= 1, nTargets <= 1 << 16 else { throw ModelError.unsupported(node: name, reason: "n_targets = \(nTargets)") }
        let aggregate = try intAttr(node, "aggregate_function") ?? 1
        guard aggregate == 0 || aggregate == 1 else { throw ModelError.unsupported(node: name, reason: "aggregate_function \(aggregate) (supported: 0 AVERAGE, 1 SUM)") }
        guard (try intAttr(node, "post_transform") ?? 0) == 0 else { throw ModelError.unsupported(node: name, reason: "TreeEnsemble post_transform other than NONE") }
        let features = try requiredInts(node, "nodes_featureids", name)
        let trueIds = try requiredInts(node, "nodes_truenodeids", name), falseIds = try requiredInts(node, "nodes_falsenodeids", name)
        let trueLeaf = try intsAttr(node, "nodes_trueleafs") ?? [], falseLeaf = try intsAttr(node, "nodes_falseleafs") ?? []
        let roots = try requiredInts(node, "tree_roots", name)
        let leafTargets = try requiredInts(node, "leaf_targetids", name)
        guard let modesAttr = attr(node, "nodes_modes"), case .constant(_, let modes) = try constant(modesAttr.t),
              let splitsAttr = attr(node, "nodes_splits"), case .constant(_, let splits) = try constant(splitsAttr.t),
              let weightsAttr = attr(node, "leaf_weights"), case .constant(_, let leafWeights) = try constant(weightsAttr.t) else {
            throw ModelError.unsupported(node: name, reason: "TreeEnsemble needs nodes_modes, nodes_splits and leaf_weights tensors")
        }
        let n = features.count
        guard trueIds.count == n, falseIds.count == n, trueLeaf.count == n, falseLeaf.count == n, modes.count == n, splits.count == n,
              leafTargets.count == leafWeights.count, n <= 1 << 22 else {
            throw ModelError.malformedONNX("node '\(name)': the TreeEnsemble node/leaf attributes have different lengths")
        }
        let order: [TreeBranchMode] = [.leq, .lt, .gte, .gt, .eq, .neq]
        var trees: [[TreeEnsemble.Node]] = []
        for root in roots {
            // Depth-first copy of the tree reached from `root`: a node or leaf that several splits share is copied for
            // each (the copies are what the circuit proves); a cycle, or a copy larger than the size limit, is refused.
            var nodes: [TreeEnsemble.Node] = []
            var onPath = Set<Int>()
            func add(_ index: Int, leaf: Bool, depth: Int) throws -> Int {
                let me = nodes.count
                guard nodes.count < 1 << 22, depth <= 256 else { throw ModelError.unsupported(node: name, reason: "a tree is deeper than 256 or larger than 2^22 nodes once shared subtrees are copied") }
                if leaf {
                    guard index >= 0, index < leafWeights.count else { throw ModelError.malformedONNX("node '\(name)': leaf \(index) is out of range") }
                    guard leafTargets[index] >= 0, leafTargets[index] < nTargets else { throw ModelError.unsupported(node: name, reason: "leaf target \(leafTargets[index])") }
                    nodes.append(TreeEnsemble.Node(mode: nil, feature: 0, threshold: 0, trueChild: 0, falseChild: 0, targets: [leafTargets[index]], weights: [leafWeights[index]]))
                    return me
                }
                guard index >= 0, index < n else { throw ModelError.malformedONNX("node '\(name)': node \(index) is out of range") }
                guard onPath.insert(index).inserted else { throw ModelError.malformedONNX("node '\(name)': the tree from root \(root) has a cycle through node \(index)") }
                defer { onPath.remove(index) }
                // Compared as a Double first: converting an arbitrary float to Int would trap.
                guard modes[index] >= 0, modes[index] < Double(order.count), modes[index] == modes[index].rounded() else { throw ModelError.unsupported(node: name, reason: "nodes_modes value \(modes[index]) (6 = BRANCH_MEMBER is not supported)") }
                let m = Int(modes[index])
                guard features[index] >= 0, features[index] < size(x) else { throw ModelError.unsupported(node: name, reason: "a split reads feature \(features[index])") }
                nodes.append(TreeEnsemble.Node(mode: order[m], feature: features[index], threshold: splits[index], trueChild: 0, falseChild: 0))
                let t = try add(trueIds[index], leaf: trueLeaf[index] != 0, depth: depth + 1)
                let f = try add(falseIds[index], leaf: falseLeaf[index] != 0, depth: depth + 1)
                nodes[me].trueChild = t; nodes[me].falseChild = f
                return me
            }
            // A root that is itself a leaf is not expressible in this encoding; the root always indexes the node arrays.
            _ = try add(root, leaf: false, depth: 0)
            trees.append(nodes)
        }
        try emit(.treeEnsemble(input: x, ensemble: TreeEnsemble(trees: trees, targets: nTargets, base: [Double](repeating: 0, count: nTargets),
                                                                average: aggregate == 0, features: size(x))),
                 shape: [1, nTargets], node: node, name: name)
    }

    mutating func lowerLinearClassifier(_ node: Onnx_NodeProto, _ name: String) throws {
        let x = try tensor(node, 0, name)
        let nIn = size(x)
        let classes = try classLabels(node, name)
        let post = try postTransform(node, name, allowed: ["NONE", "SOFTMAX", "LOGISTIC"])
        guard let w = try floatsAttr(node, "coefficients", name), !w.isEmpty, w.count % nIn == 0 else {
            throw ModelError.unsupported(node: name, reason: "LinearClassifier coefficients do not match the \(nIn) input features")
        }
        let rows = w.count / nIn
        let b = try floatsAttr(node, "intercepts", name) ?? [Double](repeating: 0, count: rows)
        guard b.count == rows else { throw ModelError.unsupported(node: name, reason: "\(b.count) intercepts for \(rows) coefficient rows") }
        let f = foldingScaler(x, weights: w, bias: b, inFeatures: nIn)
        let s = try emitHidden(.dense(input: f.input, weights: f.weights, bias: f.bias, inFeatures: nIn, outFeatures: rows), shape: [1, rows], node: node, name: name, tag: "scores")
        if rows == 1 {
            // onnxruntime: label s > 0 ? classes[1] : classes[0] (the first maximum of [−s, s]); scores [1 − s, s] with
            // two class labels (no post-transform is applied to them), else [s].
            let pair = try emitHidden(.gather(input: s, indices: [0, 0]), shape: [1, 2], node: node, name: name, tag: "pair")
            let labelScores = try emitHidden(.affine(input: pair, mul: [-1, 1], add: [0, 0]), shape: [1, 2], node: node, name: name, tag: "labelscores")
            let two = classes.count == 2
            let scores = two ? try emitHidden(.affine(input: pair, mul: [-1, 1], add: [1, 0]), shape: [1, 2], node: node, name: name, tag: "probabilities") : s
            try classifierOutputs(node, name, scores: scores, labelScores: labelScores, classes: two ? classes : ["0", "1"], transform: .none)
            return
        }
        guard rows == classes.count else { throw ModelError.unsupported(node: name, reason: "\(rows) coefficient rows for \(classes.count) classes") }
        try classifierOutputs(node, name, scores: s, labelScores: s, classes: classes,
                              transform: post == "SOFTMAX" ? .softmax : (post == "LOGISTIC" ? .sigmoid : .none))
    }

    /// Binds a classifier's outputs: output 0 (the label) is the first maximum of `labelScores` naming `classes`;
    /// output 1 is `transform(scores)` — the transform stated outside the circuit when output 1 reaches the graph
    /// output (unless `--prove-output-transform`), else proven (Softmax over the row, or the logistic table).
    mutating func classifierOutputs(_ node: Onnx_NodeProto, _ name: String, scores: Int, labelScores: Int, classes: [String], transform t: OutputTransform) throws {
        if let l = node.output.first, !l.isEmpty { labels[l] = (labelScores, classes) }
        guard node.output.count > 1, !node.output[1].isEmpty else { return }
        let out = node.output[1]
        let n = size(scores)
        if t == .none {
            values[out] = .tensor(scores)
        } else if outputAliases.contains(out), !proveOutputTransform, transform == .none {
            transform = t
            values[out] = .tensor(scores)
        } else {
            try emit(t == .softmax ? .softmax(input: scores, rowLength: n) : .function(input: scores, expr: .apply(.sigmoid, .x)),
                     shape: shapes[scores], node: node, name: name, output: 1)
        }
        if t == .softmax { stochastic.insert(out) }
    }
}
