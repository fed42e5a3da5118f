// How the lowering finds the function for an op: every QOp belongs to one family, and each family's lowering lives
// in its own file of this folder. CircuitLowering.build declares the public signals, checks the input, runs the
// nodes through this table (wrapping each call with the per-layer cost accounting) and binds commitments and outputs.

import ZKAlgebra
import ZKCircuit

/// The families of quantized ops, one lowering function each.
enum OpFamily: Hashable {
    /// Linear in the activations with public weights: no constraints.
    case linear
    /// Dense/conv with private weights: one constraint per product, weights range-checked and committed.
    case privateLinear
    /// One signed decomposition per element: rescale (+ReLU), LeakyReLU, Clip.
    case rescale
    /// Comparisons: max pooling, element-wise max/min, argmax.
    case comparison
    /// Products of two activations.
    case product
    /// Embedding lookups of token ids: a one-hot selection per token.
    case embedding
    /// Element-wise tables, Softmax, LayerNormalization.
    case nonlinear
    /// Tree ensembles: shared comparisons, path products, free leaf sums.
    case trees
}

extension QNode {
    var family: OpFamily {
        switch op {
        case .dense, .conv: return hasPrivateWeights ? .privateLinear : .linear
        case .affine, .add, .sumPool, .gather, .rewire: return .linear
        case .rescale, .leakyRelu, .clamp: return .rescale
        case .maxPool, .extremum, .argMax: return .comparison
        case .bilinear: return .product
        case .embedding: return .embedding
        case .tabulated, .softmax, .layerNorm, .squareRoot, .reciprocal, .logSoftmax, .normalize: return .nonlinear
        case .treeEnsemble: return .trees
        }
    }
}

/// What an op's lowering reads and writes: the builder, the model, every tensor's expressions so far, the cost split,
/// the private weights recorded for the commitment, and the range bits of the current node.
final class LoweringContext {
    let b: CircuitBuilder
    let m: QuantizedModel
    var t: [[LinearExpression]]
    var split: CostSplit
    /// Private weights in commitment order: (wire, value, bits).
    var committed: [(LinearExpression, Int, Int)] = []
    var bitsUsed = 0, maxBits = 0
    /// A line about the current node's cost for `inspect` (tree ensembles), or nil.
    var detail: String?

    init(b: CircuitBuilder, m: QuantizedModel, t: [[LinearExpression]], split: CostSplit) {
        self.b = b; self.m = m; self.t = t; self.split = split
    }

    /// Records a k-bit signed decomposition (k constraints) of the current node.
    func note(_ k: Int) {
        bitsUsed += k
        maxBits = max(maxBits, k)
        split.rangeChecks += k
    }
}

extension CircuitLowering {
    /// The one table from op family to lowering function.
    static func lowering(for family: OpFamily) -> (LoweringContext, QNode) throws -> [LinearExpression] {
        switch family {
        case .linear: return lowerLinear
        case .privateLinear: return lowerPrivateLinear
        case .rescale: return lowerRescale
        case .comparison: return lowerComparison
        case .product: return lowerProduct
        case .embedding: return lowerEmbedding
        case .nonlinear: return lowerNonlinear
        case .trees: return lowerTrees
        }
    }
}
