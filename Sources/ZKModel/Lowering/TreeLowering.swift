// Tree ensembles: one comparison per distinct test of the whole ensemble, one product per split below a root, and the
// leaf votes summed per target as linear expressions (free).
//
// Soundness (a hostile prover picks every wire):
// - Test `x ≤ T`: the top bit of one signed decomposition of `T − x` (``CircuitBuilder/signedBits(_:bits:label:)``), which
//   is 1 exactly when T − x ≥ 0, for every difference the decomposition accepts; its width comes from the input's
//   bounds, which only need to admit honest values. Test `x = T`: ``CircuitBuilder/isEqual(_:_:)`` (exact for any x).
//   A test whose answer the bounds decide (T ≥ hi: always true; T < lo: always false) is a constant and costs nothing:
//   this relies on the input's bounds, i.e. on the exact input range check (in the circuit, or the verifier's for public
//   inputs) and the interval induction for computed tensors — the same justification as a dropped Clip side.
// - Reach: the root's reach is the constant 1; a split with reach r and decision d ∈ {0, 1} gives its true child
//   r·d (one product, or d itself when r = 1) and its false child r − r·d. By induction every reach is 0 or 1 and the
//   reaches of a tree's leaves sum to 1: exactly one leaf per tree — the one the tests select — has reach 1.
// - Output: `base[t] + Σ_leaves weight·reach` — exact integers below 2^60 (the bounds), no wrap-around modulo r.

import ZKAlgebra
import ZKCircuit

extension CircuitLowering {
    static func lowerTrees(_ ctx: LoweringContext, _ node: QNode) throws -> [LinearExpression] {
        guard case .treeEnsemble(let i, let e) = node.op else { throw ModelError.invalidCircuit("internal: lowerTrees cannot lower \(node.op.kind)") }
        let b = ctx.b, src = ctx.m.tensors[i], x = ctx.t[i]
        /// A decision: a constant, or a boolean expression.
        enum Decision { case constant(Bool), wire(LinearExpression) }
        var decisions = [Decision?](repeating: nil, count: e.features.count)
        var testConstraints = 0, tests = 0, constantTests = 0, products = 0, nodes = 0, splits = 0
        func decision(_ k: Int) -> Decision {
            if let d = decisions[k] { return d }
            let f = e.features[k], threshold = e.thresholds[k], lo = src.lo[f], hi = src.hi[f]
            let before = b.constraintCount
            let d: Decision
            if e.equality[k] {
                if threshold < lo || threshold > hi { d = .constant(false) }
                else if lo == hi { d = .constant(true) }
                else { d = .wire(b.isEqual(x[f], LinearExpression.constant(Fr(signed: Int64(threshold)))).linearExpression) }
            } else if threshold >= hi {
                d = .constant(true)
            } else if threshold < lo {
                d = .constant(false)
            } else {
                let bits = signedBitWidth(lo: threshold - hi, hi: threshold - lo)
                ctx.note(bits)
                d = .wire(b.signedBits(LinearExpression.constant(Fr(signed: Int64(threshold))) - x[f], bits: bits, label: "tree.test").nonNegative)
            }
            if case .constant = d { constantTests += 1 } else { tests += 1 }
            testConstraints += b.constraintCount - before
            decisions[k] = d
            return d
        }
        var out = e.base.map { LinearExpression.constant(Fr(signed: Int64($0))) }
        for tree in e.trees {
            nodes += tree.count
            // Depth-first from the root with each node's reach (nil = the constant 1); unreachable subtrees are skipped.
            var stack: [(Int, LinearExpression?)] = [(0, nil)]
            while let (k, reach) = stack.popLast() {
                let n = tree[k]
                if n.isLeaf {
                    for (t, w) in zip(n.targets, n.weights) {
                        let wf = Fr(signed: Int64(w))
                        out[t] = out[t] + (reach.map { $0 * wf } ?? LinearExpression.constant(wf))
                    }
                    continue
                }
                splits += 1
                switch decision(n.test) {
                case .constant(let c):
                    stack.append((c != n.negate ? n.trueChild : n.falseChild, reach))
                case .wire(let d):
                    let cond = n.negate ? (LinearExpression.constant(.one) - d) : d
                    let rTrue: LinearExpression
                    if let r = reach {
                        rTrue = b.mul(r, cond, label: "tree.reach").linearExpression
                        products += 1
                    } else {
                        rTrue = cond
                    }
                    let rFalse = (reach ?? LinearExpression.constant(.one)) - rTrue
                    stack.append((n.falseChild, rFalse.simplified()))
                    stack.append((n.trueChild, rTrue))
                }
            }
        }
        ctx.split.multiplications += products
        let total = testConstraints + products
        ctx.detail = "\(e.trees.count) trees, \(nodes) nodes (\(splits) splits): \(tests) distinct comparisons (\(testConstraints) constraints, "
            + String(format: "%.1f", Double(testConstraints) / Double(max(1, tests))) + " each; \(constantTests) decided by the input bounds), "
            + "\(products) path products; " + String(format: "%.1f", Double(total) / Double(max(1, e.trees.count))) + " constraints per tree, "
            + String(format: "%.2f", Double(total) / Double(max(1, nodes))) + " per node"
        return out.map { $0.simplified() }
    }
}
