// Tree ensembles (ONNX ai.onnx.ml TreeEnsembleClassifier / TreeEnsembleRegressor / TreeEnsemble, and Binarizer):
// the float form import builds, the quantized form the circuit proves, and the rule that maps one to the other.
//
// Threshold rule (stated once, tested against onnxruntime in TreeEnsembleTests): an input at scale s is the integer
// k = round(x·2^s), so on the quantization grid x = k/2^s and, with t·2^s computed exactly in Double (a float32 or
// float64 threshold times a power of two):
//   x ≤ t  ⟺  k ≤ ⌊t·2^s⌋            x < t  ⟺  k ≤ ⌈t·2^s⌉ − 1
//   x ≥ t  ⟺  ¬(k ≤ ⌈t·2^s⌉ − 1)     x > t  ⟺  ¬(k ≤ ⌊t·2^s⌋)
//   x = t  ⟺  k = t·2^s (never, when t·2^s is not an integer)      x ≠ t  ⟺  ¬(x = t)
// so every split decision on a grid input is the float model's decision. Inputs off the grid are rounded first (the
// claim states the quantized input); a value within half a grid step of a threshold may then go the other way.

import Foundation

/// A split's comparison (ONNX `nodes_modes` without LEAF).
public enum TreeBranchMode: String, Codable, Sendable, CaseIterable {
    case leq = "BRANCH_LEQ", lt = "BRANCH_LT", gte = "BRANCH_GTE", gt = "BRANCH_GT", eq = "BRANCH_EQ", neq = "BRANCH_NEQ"

    /// The float decision: true sends the input to the node's true child.
    func decide(_ x: Double, _ t: Double) -> Bool {
        switch self {
        case .leq: return x <= t
        case .lt: return x < t
        case .gte: return x >= t
        case .gt: return x > t
        case .eq: return x == t
        case .neq: return x != t
        }
    }
}

/// A tree ensemble as the ONNX file states it (float thresholds and leaf weights); every tree's root is its node 0.
public struct TreeEnsemble: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        /// nil for a leaf.
        public var mode: TreeBranchMode?
        public var feature: Int
        public var threshold: Double
        public var trueChild: Int
        public var falseChild: Int
        /// Leaf votes: `(target, weight)` pairs (a target may appear more than once; the weights add up).
        public var targets: [Int]
        public var weights: [Double]
        public init(mode: TreeBranchMode?, feature: Int, threshold: Double, trueChild: Int, falseChild: Int, targets: [Int] = [], weights: [Double] = []) {
            self.mode = mode; self.feature = feature; self.threshold = threshold
            self.trueChild = trueChild; self.falseChild = falseChild; self.targets = targets; self.weights = weights
        }
    }
    public var trees: [[Node]]
    /// Number of outputs (classes or regression targets).
    public var targets: Int
    /// Added to each target's sum (ONNX `base_values`; zeros when absent).
    public var base: [Double]
    /// `aggregate_function = AVERAGE`: the tree sum is divided by the number of trees before the base is added.
    public var average: Bool
    /// Input features the ensemble reads (the input tensor's size).
    public var features: Int

    public init(trees: [[Node]], targets: Int, base: [Double], average: Bool, features: Int) {
        self.trees = trees; self.targets = targets; self.base = base; self.average = average; self.features = features
    }

    /// Walks one tree from its root (structure checked by ``validateStructure(_:)``; a malformed tree ends at the
    /// first out-of-range index or after `nodes.count` steps instead of trapping or looping).
    static func leaf<N>(_ nodes: [N], _ isLeaf: (N) -> Bool, _ goTrue: (N) -> Bool, _ children: (N) -> (Int, Int)) -> N? {
        guard !nodes.isEmpty else { return nil }
        var k = 0
        for _ in 0...nodes.count {
            let n = nodes[k]
            if isLeaf(n) { return n }
            let (t, f) = children(n)
            k = goTrue(n) ? t : f
            guard k >= 0, k < nodes.count else { return nil }
        }
        return nil
    }

    /// The float model: per target `base + Σ_trees weight of the reached leaf` (divided by the tree count for AVERAGE).
    public func evaluate(_ x: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: targets)
        for tree in trees {
            guard let l = Self.leaf(tree, { $0.mode == nil }, { n in n.mode!.decide(n.feature < x.count ? x[n.feature] : 0, n.threshold) },
                                    { ($0.trueChild, $0.falseChild) }) else { continue }
            for (t, w) in zip(l.targets, l.weights) where t >= 0 && t < targets { out[t] += w }
        }
        let d = average ? Double(max(1, trees.count)) : 1
        return out.indices.map { out[$0] / d + (base.indices.contains($0) ? base[$0] : 0) }
    }

    /// Checks every tree is a tree: node 0 is the root, every child index is in range and no node is reached twice
    /// (so walks terminate), features are in range and leaves vote for existing targets.
    static func validateStructure(_ nodes: [(isLeaf: Bool, children: (Int, Int))], featureOK: (Int) -> Bool,
                                  leafTargets: [[Int]], targets: Int) -> String? {
        guard !nodes.isEmpty else { return "a tree has no nodes" }
        var seen = [Bool](repeating: false, count: nodes.count)
        var stack = [0]
        seen[0] = true
        while let k = stack.popLast() {
            if nodes[k].isLeaf {
                guard leafTargets[k].allSatisfy({ $0 >= 0 && $0 < targets }) else { return "a leaf votes for a target outside 0..<\(targets)" }
                continue
            }
            guard featureOK(k) else { return "a split reads a feature the input does not have" }
            let (t, f) = nodes[k].children
            for c in [t, f] {
                guard c >= 0, c < nodes.count else { return "a split's child \(c) is not a node of its tree" }
                guard !seen[c] else { return "node \(c) is reached twice (the tree has a cycle or shares a subtree)" }
                seen[c] = true
                stack.append(c)
            }
        }
        return nil
    }

    /// The quantized ensemble for an input at scale `inputScale` within `[lo, hi]` per feature, leaves at `outputScale`.
    func quantized(inputScale s: Int, lo: [Int], hi: [Int], outputScale so: Int, layer: String) throws -> QTreeEnsemble {
        var q = QTreeEnsemble(features: [], thresholds: [], equality: [], trees: [], base: [], targets: targets)
        var testIndex: [QTreeEnsemble.TestKey: Int] = [:]
        func test(_ f: Int, _ threshold: Int, _ eq: Bool) -> Int {
            let key = QTreeEnsemble.TestKey(feature: f, threshold: threshold, equality: eq)
            if let i = testIndex[key] { return i }
            q.features.append(f); q.thresholds.append(threshold); q.equality.append(eq)
            testIndex[key] = q.features.count - 1
            return q.features.count - 1
        }
        let gridStep = Double(sign: .plus, exponent: s, significand: 1)
        let leafFactor = Double(sign: .plus, exponent: so, significand: 1) / (average ? Double(max(1, trees.count)) : 1)
        let limit = Double(boundLimit) / Double(trees.count + 2)
        // Leaf and base values are rounded down, so every quantized sum is ≤ the exact one: an exact tie at a binary
        // classifier's threshold (s = 0.5, or s = 0) resolves like onnxruntime's strict comparison (s > 0.5, s > 0).
        func weight(_ w: Double) throws -> Int {
            let v = (w * leafFactor).rounded(.down)
            guard v.isFinite, abs(v) < limit else { throw ModelError.quantizationOverflow("layer '\(layer)': leaf weight \(w) does not fit at scale 2^\(so)") }
            return Int(v)
        }
        for tree in trees {
            var nodes: [QTreeNode] = []
            for n in tree {
                guard let mode = n.mode else {
                    nodes.append(QTreeNode(test: -1, negate: false, trueChild: 0, falseChild: 0, targets: n.targets, weights: try n.weights.map(weight)))
                    continue
                }
                guard !n.threshold.isNaN else { throw ModelError.unsupported(node: layer, reason: "a split threshold is NaN") }
                let f = n.feature
                guard f >= 0, f < lo.count else { throw ModelError.unsupported(node: layer, reason: "a split reads feature \(f); the input has \(lo.count)") }
                // Clamped to [lo − 1, hi]: the same decision for every input within the bounds, and no overflow.
                func clamp(_ v: Double) -> Int { v >= Double(hi[f]) ? hi[f] : (v < Double(lo[f] - 1) ? lo[f] - 1 : Int(v)) }
                let scaled = n.threshold * gridStep  // exact: a power-of-two scaling
                let floorT = clamp(scaled.rounded(.down)), ltT = clamp(scaled.rounded(.up) - 1)
                let exact = scaled == scaled.rounded() && scaled >= Double(lo[f]) && scaled <= Double(hi[f])
                let (k, negate): (Int, Bool)
                switch mode {
                case .leq: (k, negate) = (test(f, floorT, false), false)
                case .gt: (k, negate) = (test(f, floorT, false), true)
                case .lt: (k, negate) = (test(f, ltT, false), false)
                case .gte: (k, negate) = (test(f, ltT, false), true)
                // x = t off the grid (or outside the bounds) never holds: the always-false test x ≤ lo − 1.
                case .eq: (k, negate) = exact ? (test(f, Int(scaled), true), false) : (test(f, lo[f] - 1, false), false)
                case .neq: (k, negate) = exact ? (test(f, Int(scaled), true), true) : (test(f, lo[f] - 1, false), true)
                }
                nodes.append(QTreeNode(test: k, negate: negate, trueChild: n.trueChild, falseChild: n.falseChild, targets: [], weights: []))
            }
            q.trees.append(nodes)
        }
        q.base = try (0..<targets).map { t in
            let v = ((base.indices.contains(t) ? base[t] : 0) * Double(sign: .plus, exponent: so, significand: 1)).rounded(.down)
            guard v.isFinite, abs(v) < limit else { throw ModelError.quantizationOverflow("layer '\(layer)': base value does not fit at scale 2^\(so)") }
            return Int(v)
        }
        return q
    }
}

/// One node of a quantized tree. A split (`test ≥ 0`) sends the input to `trueChild` when test `test` of the
/// ensemble holds, XOR `negate`; a leaf (`test = −1`) adds `weights[i]` to target `targets[i]`.
public struct QTreeNode: Codable, Equatable, Sendable {
    public var test: Int
    public var negate: Bool
    public var trueChild: Int
    public var falseChild: Int
    public var targets: [Int]
    public var weights: [Int]
    public var isLeaf: Bool { test < 0 }
}

/// A quantized tree ensemble: the distinct tests of the whole ensemble (`x[features[i]] ≤ thresholds[i]`, or `=`
/// when `equality[i]`), shared by every split that asks them, the trees, and integer base values per target.
/// Output `y[t] = base[t] + Σ_trees (weights of the reached leaf for t)` — exact integers at the output scale.
public struct QTreeEnsemble: Codable, Equatable, Sendable {
    public var features: [Int]
    public var thresholds: [Int]
    public var equality: [Bool]
    public var trees: [[QTreeNode]]
    public var base: [Int]
    public var targets: Int

    struct TestKey: Hashable { var feature: Int, threshold: Int, equality: Bool }

    /// Test `i` on the integer input `x`.
    func holds(_ i: Int, _ x: [Int]) -> Bool {
        let v = x[features[i]]
        return equality[i] ? v == thresholds[i] : v <= thresholds[i]
    }

    /// The reached leaf of every tree (validated trees only).
    func leaves(_ x: [Int]) -> [QTreeNode] {
        trees.compactMap { tree in
            TreeEnsemble.leaf(tree, { $0.isLeaf }, { n in holds(n.test, x) != n.negate }, { ($0.trueChild, $0.falseChild) })
        }
    }

    /// The integer interpreter.
    func evaluate(_ x: [Int]) -> [Int] {
        var out = base
        for l in leaves(x) { for (t, w) in zip(l.targets, l.weights) { out[t] += w } }
        return out
    }

    /// Output bounds per target: base plus, per tree, the least and largest vote among its leaves (0 for a leaf that
    /// does not vote for the target). Independent of the input's bounds (every leaf is assumed reachable).
    func bounds(layer: String) throws -> ([Int], [Int]) {
        var lo = base, hi = base
        for tree in trees {
            var tLo = [Int](repeating: Int.max, count: targets), tHi = [Int](repeating: Int.min, count: targets)
            for n in tree where n.isLeaf {
                var v = [Int](repeating: 0, count: targets)
                for (t, w) in zip(n.targets, n.weights) { v[t] = Bounds.saturatingSum([v[t], w]) }
                for t in 0..<targets { tLo[t] = min(tLo[t], v[t]); tHi[t] = max(tHi[t], v[t]) }
            }
            for t in 0..<targets where tLo[t] <= tHi[t] {
                lo[t] = try Bounds.check(Bounds.saturatingSum([lo[t], tLo[t]]), layer)
                hi[t] = try Bounds.check(Bounds.saturatingSum([hi[t], tHi[t]]), layer)
            }
        }
        return (lo, hi)
    }

    /// Structural checks of a decoded ensemble reading `inputCount` features (circuit.json may be hostile).
    func validate(inputCount: Int, outputCount: Int) -> String? {
        guard targets == outputCount, base.count == targets, features.count == thresholds.count, features.count == equality.count else {
            return "sizes disagree"
        }
        let small = { (v: Int) in v > -boundLimit && v < boundLimit }
        guard thresholds.allSatisfy(small), base.allSatisfy(small), features.allSatisfy({ $0 >= 0 && $0 < inputCount }) else { return "a test is out of range" }
        for tree in trees {
            guard tree.allSatisfy({ n in n.isLeaf ? (n.test == -1 && n.targets.count == n.weights.count && n.weights.allSatisfy(small)) : n.test < features.count })
            else { return "a node is malformed" }
            if let problem = TreeEnsemble.validateStructure(tree.map { ($0.isLeaf, ($0.trueChild, $0.falseChild)) },
                                                            featureOK: { _ in true },  // tests checked above
                                                            leafTargets: tree.map(\.targets), targets: targets) {
                return problem
            }
        }
        return nil
    }
}
