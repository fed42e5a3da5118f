// The float graph: what zkinfer understands of an ONNX model after import, before quantization.
//
// Import resolves every ONNX node into a small set of ops over dense tensors (batch 1), folds
// constants, BatchNormalization and bias additions into the layers before them, and turns pure
// rewiring (Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Identity) into index gathers.
// `FloatInterpreter` runs this graph in Double precision: it is the calibration engine and the
// reference the quantized graph is compared against.

import Foundation

/// A typed error for everything that can go wrong between an ONNX file and a proof. Messages
/// name the node and the problem; the CLI prints them and exits with code 2.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    /// The bytes are not a protobuf `ModelProto` (truncated, corrupt, not ONNX).
    case malformedONNX(String)
    /// An op zkinfer does not lower, with the node's name and the ops it does support.
    case unsupportedOp(op: String, node: String, supported: [String])
    /// A supported op with an attribute, shape or type zkinfer does not handle.
    case unsupported(node: String, reason: String)
    /// Shape inference failed or shapes disagree.
    case shapeMismatch(node: String, reason: String)
    /// An input file (INPUT.json, calibration) is malformed or does not fit the model.
    case invalidInput(String)
    /// Quantized values would not fit the integer / field ranges zkinfer proves.
    case quantizationOverflow(String)
    /// A compiled-circuit file is malformed or inconsistent.
    case invalidCircuit(String)
    /// A claim file is malformed.
    case invalidClaim(String)

    public var description: String {
        switch self {
        case .malformedONNX(let m): return "malformed ONNX model: \(m)"
        case .unsupportedOp(let op, let node, let supported):
            return "unsupported op \(op) (node '\(node)'); supported ops: \(supported.joined(separator: ", "))"
        case .unsupported(let node, let reason): return "node '\(node)': \(reason)"
        case .shapeMismatch(let node, let reason): return "node '\(node)': shape error: \(reason)"
        case .invalidInput(let m): return "invalid input: \(m)"
        case .quantizationOverflow(let m): return "quantization overflow: \(m)"
        case .invalidCircuit(let m): return "invalid compiled circuit: \(m)"
        case .invalidClaim(let m): return "invalid claim: \(m)"
        }
    }
}

/// Geometry of a 2-D window op (convolution or pooling) on an NCHW tensor with batch 1.
public struct WindowGeometry: Codable, Equatable, Sendable {
    public var channels: Int, height: Int, width: Int
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    /// Padding: top, left, bottom, right (ONNX `pads` order is begin..., end...).
    public var padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
    /// Convolution groups (nil = 1; depthwise: groups = channels) and dilations (nil = 1). Optional so that
    /// circuit.json files without them decode, and encode, as before.
    public var groups: Int? = nil
    public var dilationH: Int? = nil, dilationW: Int? = nil

    public init(channels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int, strideH: Int, strideW: Int,
                padTop: Int, padLeft: Int, padBottom: Int, padRight: Int, groups: Int? = nil, dilationH: Int? = nil, dilationW: Int? = nil) {
        self.channels = channels; self.height = height; self.width = width; self.kernelH = kernelH; self.kernelW = kernelW
        self.strideH = strideH; self.strideW = strideW
        self.padTop = padTop; self.padLeft = padLeft; self.padBottom = padBottom; self.padRight = padRight
        self.groups = groups == 1 ? nil : groups
        self.dilationH = dilationH == 1 ? nil : dilationH
        self.dilationW = dilationW == 1 ? nil : dilationW
    }

    public var groupCount: Int { groups ?? 1 }
    /// Input channels each output channel reads (the weight tensor's second dimension).
    public var channelsPerGroup: Int { channels / groupCount }
    @usableFromInline var dh: Int { dilationH ?? 1 }
    @usableFromInline var dw: Int { dilationW ?? 1 }

    public var outHeight: Int { (height + padTop + padBottom - dh * (kernelH - 1) - 1) / strideH + 1 }
    public var outWidth: Int { (width + padLeft + padRight - dw * (kernelW - 1) - 1) / strideW + 1 }

    /// Every tap of output channel `o` (of `m`) at `(oy, ox)`: the weight's flat index in `M × C/groups × kH × kW`
    /// and the input's flat index (padding taps are skipped). Shared by the interpreters, the bounds and the circuit.
    @inlinable func taps(_ o: Int, of m: Int, _ oy: Int, _ ox: Int, _ body: (_ weight: Int, _ input: Int) -> Void) {
        let cpg = channelsPerGroup
        let first = (o / max(1, m / groupCount)) * cpg
        for cl in 0..<cpg {
            let c = first + cl
            window(oy, ox) { ky, kx, y, xx in body(((o * cpg + cl) * kernelH + ky) * kernelW + kx, (c * height + y) * width + xx) }
        }
    }

    /// `y[o, oy, ox] = b[o] + Σ_{c in o's group, ky, kx} w[o, c, ky, kx]·x[c, y, x]` (padding contributes nothing);
    /// shared by the float and the integer interpreter.
    func convolve<T: Numeric>(_ x: [T], weights w: [T], bias b: [T], outChannels m: Int) -> [T] {
        var out: [T] = []
        out.reserveCapacity(m * outHeight * outWidth)
        for o in 0..<m {
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    var s = b[o]
                    taps(o, of: m, oy, ox) { wi, xi in s += w[wi] * x[xi] }
                    out.append(s)
                }
            }
        }
        return out
    }

    /// Applies `f(values in the window, output index)` at every output position of every channel
    /// (padding positions are skipped), over a flattened CHW input.
    func pool<T>(_ x: [T], _ f: ([T], Int) -> T) -> [T] {
        var out: [T] = []
        out.reserveCapacity(channels * outHeight * outWidth)
        var vals: [T] = []
        for c in 0..<channels {
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    vals.removeAll(keepingCapacity: true)
                    window(oy, ox) { _, _, y, xx in vals.append(x[(c * height + y) * width + xx]) }
                    out.append(f(vals, out.count))
                }
            }
        }
        return out
    }

    /// Input positions `(y, x)` inside the image covered by output `(oy, ox)`, with kernel offsets.
    @inlinable func window(_ oy: Int, _ ox: Int, _ body: (_ ky: Int, _ kx: Int, _ y: Int, _ x: Int) -> Void) {
        for ky in 0..<kernelH {
            let y = oy * strideH - padTop + ky * dh
            if y < 0 || y >= height { continue }
            for kx in 0..<kernelW {
                let x = ox * strideW - padLeft + kx * dw
                if x < 0 || x >= width { continue }
                body(ky, kx, y, x)
            }
        }
    }
}

/// `y[o] = b[o] + Σᵢ w[o·n + i]·x[i]` (weights row-major `out × in`); shared by both interpreters.
func denseLayer<T: Numeric>(_ x: [T], weights w: [T], bias b: [T], inFeatures nIn: Int, outFeatures nOut: Int) -> [T] {
    (0..<nOut).map { o in
        var s = b[o]
        for k in 0..<nIn { s += w[o * nIn + k] * x[k] }
        return s
    }
}

/// The product of `dims`, or nil when it overflows Int: the one overflow-checked size computation of the importer and
/// of circuit.json validation.
func checkedProduct(_ dims: [Int]) -> Int? {
    var p = 1
    for d in dims {
        let (m, o) = p.multipliedReportingOverflow(by: d)
        if o { return nil }
        p = m
    }
    return p
}

/// The index of the first largest value (0 for an empty array): the one argmax rule of the interpreters, the claims
/// and the verifier (ONNX ArgMax with `select_last_index = 0`; the circuit's argmax gadget proves the same rule).
public func firstArgmax<T: Comparable>(_ x: [T]) -> Int {
    var best = 0
    for k in x.indices where x[k] > x[best] { best = k }
    return best
}

/// `y[k] = Σ_{t<terms} a[left[k·terms + t]]·b[right[k·terms + t]]`; shared by both interpreters.
func bilinearProducts<T: Numeric>(_ a: [T], _ b: [T], left: [Int], right: [Int], terms: Int) -> [T] {
    guard terms > 0 else { return [] }
    return (0..<(left.count / terms)).map { k in
        var s: T = 0
        for t in 0..<terms { s += a[left[k * terms + t]] * b[right[k * terms + t]] }
        return s
    }
}

/// How the graph's final op is reported: zkinfer proves the tensor *before* a final Softmax or
/// Sigmoid and applies the (monotone, public) function outside the circuit, stating so in the claim.
public enum OutputTransform: String, Codable, Sendable {
    case none, softmax, sigmoid
}

/// One op of the float graph. Tensor operands are indices into `FloatGraph.shapes`.
public enum FloatOp: Sendable {
    /// `y[o] = Σᵢ W[o][i]·x[i] + b[o]`; `weights` is row-major `outFeatures × inFeatures`.
    case dense(input: Int, weights: [Double], bias: [Double], inFeatures: Int, outFeatures: Int)
    /// 2-D convolution, NCHW, batch 1, group 1, dilation 1. `weights` is `M × C × kH × kW`.
    case conv(input: Int, weights: [Double], bias: [Double], outChannels: Int, geometry: WindowGeometry)
    /// Element-wise `y = mul·x + add` with constants already broadcast to the tensor's size.
    case affine(input: Int, mul: [Double], add: [Double])
    /// `y = a + sign·b` for two tensors of the same shape (sign ±1).
    case add(a: Int, b: Int, sign: Int)
    case relu(input: Int)
    case leakyRelu(input: Int, alpha: Double)
    /// `min(max(x, min), max)`; either bound may be absent.
    case clip(input: Int, min: Double?, max: Double?)
    case maxPool(input: Int, geometry: WindowGeometry)
    /// Average pooling; `countIncludePad` follows ONNX's attribute.
    case averagePool(input: Int, geometry: WindowGeometry, countIncludePad: Bool)
    /// `y[i] = x[indices[i]]` — reshape, transpose, squeeze, flatten (no arithmetic).
    case gather(input: Int, indices: [Int])
    /// Index of the first maximum along the last axis of a `[1, n]` tensor (ONNX ArgMax,
    /// `select_last_index = 0`).
    case argMax(input: Int)
    /// Zero-cost rewiring of several tensors (Concat, Slice, Split, Gather, Pad, Tile, Expand, DepthToSpace, Resize…):
    /// `y[k]` is element `sources[k]` of the inputs' flattened values laid end to end, or for `sources[k] < 0` the
    /// constant `constants[−1 − sources[k]]` (padding values, constant operands of Concat).
    case rewire(inputs: [Int], sources: [Int], constants: [Double])
    /// Products of two computed tensors (element-wise Mul, MatMul of activations): `y[k] = Σ_{t<terms}
    /// a[left[k·terms + t]] · b[right[k·terms + t]]` (a and b may be the same tensor).
    case bilinear(a: Int, b: Int, left: [Int], right: [Int], terms: Int)
    /// Element-wise `max(a, signB·b)` or `min(a, signB·b)` of two tensors of one shape (Max, Min; Abs is
    /// `max(x, −x)`).
    case extremum(a: Int, b: Int, signB: Int, isMax: Bool)
    /// Embedding lookup (ONNX Gather from a constant table by the integer model input): `y[t·width + d] =
    /// table[id_t·width + d]` for the token ids `id` (the input tensor, integers in `[0, rows)`).
    case embedding(input: Int, table: [Double], rows: Int, width: Int)
    /// An element-wise function of one tensor (an ONNX activation, or a fused chain of element-wise ops on one
    /// tensor such as GELU's `x·0.5·(1 + Erf(x/√2))`), proven by a table (``PiecewiseTable``).
    case function(input: Int, expr: ScalarExpr)
    /// Softmax over rows of `rowLength` consecutive elements (import moves the axis last).
    case softmax(input: Int, rowLength: Int)
    /// LogSoftmax over rows of `rowLength` consecutive elements: `x_j − max − log Σ e^(x − max)`.
    case logSoftmax(input: Int, rowLength: Int)
    /// LayerNormalization over rows of `rowLength` consecutive elements: `(x − μ)/√(var + ε)·gamma + beta`, with
    /// `gamma`/`beta` broadcast to the whole tensor.
    case layerNorm(input: Int, rowLength: Int, gamma: [Double], beta: [Double], epsilon: Double)
    /// A tree ensemble over the input's elements (ai.onnx.ml TreeEnsemble*, Binarizer): one output per target.
    case treeEnsemble(input: Int, ensemble: TreeEnsemble)
    /// ai.onnx.ml Normalizer over rows: `x / Σ|x|` (L1) or `x / √Σx²` (L2); a zero row stays zero.
    case normalize(input: Int, rowLength: Int, l1: Bool)

    /// The tensors this op reads.
    public var inputs: [Int] {
        switch self {
        case .dense(let i, _, _, _, _), .conv(let i, _, _, _, _), .affine(let i, _, _), .relu(let i),
             .leakyRelu(let i, _), .clip(let i, _, _), .maxPool(let i, _), .averagePool(let i, _, _),
             .gather(let i, _), .argMax(let i), .embedding(let i, _, _, _), .function(let i, _), .softmax(let i, _), .logSoftmax(let i, _),
             .layerNorm(let i, _, _, _, _), .treeEnsemble(let i, _), .normalize(let i, _, _):
            return [i]
        case .add(let a, let b, _), .bilinear(let a, let b, _, _, _), .extremum(let a, let b, _, _): return [a, b]
        case .rewire(let inputs, _, _): return inputs
        }
    }
}

/// A node of the float graph: the op, its output tensor and the ONNX node it came from.
public struct FloatNode: Sendable {
    public var op: FloatOp
    public var output: Int
    /// ONNX node name (or `op_type#index` when the node has none).
    public var name: String
    /// ONNX op type(s) this node stands for, e.g. `Conv+BatchNormalization`.
    public var onnxOp: String
}

/// A model as zkinfer sees it: tensors with static shapes (batch 1), nodes in topological order,
/// one input and one output.
public struct FloatGraph: Sendable {
    /// Shape of every tensor; tensor 0 is the graph input.
    public var shapes: [[Int]]
    /// ONNX name of every tensor.
    public var tensorNames: [String]
    public var nodes: [FloatNode]
    public var input: Int { 0 }
    public var output: Int
    /// The final Softmax/Sigmoid that was stripped (proven as the tensor before it).
    public var outputTransform: OutputTransform
    /// ONNX opset of the default domain.
    public var opset: Int
    /// For a model whose input is integer token ids (ONNX int32/int64, feeding embedding lookups only): the ids'
    /// range `[0, vocabulary)`. nil for real-valued inputs.
    public var tokenRange: ClosedRange<Int>? = nil
    /// A classifier's predicted label as a second graph output: the ArgMax node computing its index and the class
    /// names the index selects (ONNX `classlabels_*`, or "0", "1", … for a bare ArgMax). nil without one.
    public var label: GraphLabel? = nil

    public func size(_ t: Int) -> Int { shapes[t].reduce(1, *) }
    public var inputShape: [Int] { shapes[input] }
    public var outputShape: [Int] { shapes[output] }
}

/// The predicted label of a classifier: `classes[tensor's value]`, where `tensor` is the output of an ArgMax node.
public struct GraphLabel: Sendable, Equatable {
    public var tensor: Int
    public var classes: [String]
}

/// Double-precision reference execution of a `FloatGraph`.
public enum FloatInterpreter {
    /// Runs the graph and returns every tensor's values (index = tensor id).
    public static func runAll(_ g: FloatGraph, input: [Double]) throws -> [[Double]] {
        guard input.count == g.size(g.input) else {
            throw ModelError.invalidInput("expected \(g.size(g.input)) input values, got \(input.count)")
        }
        var values = [[Double]](repeating: [], count: g.shapes.count)
        values[g.input] = input
        for node in g.nodes {
            values[node.output] = evaluate(node.op, values, g)
        }
        return values
    }

    /// The graph's output (before the stripped output transform).
    public static func run(_ g: FloatGraph, input: [Double]) throws -> [Double] {
        try runAll(g, input: input)[g.output]
    }

    static func evaluate(_ op: FloatOp, _ v: [[Double]], _ g: FloatGraph) -> [Double] {
        switch op {
        case .dense(let i, let w, let b, let nIn, let nOut):
            return denseLayer(v[i], weights: w, bias: b, inFeatures: nIn, outFeatures: nOut)
        case .conv(let i, let w, let b, let m, let geo):
            return geo.convolve(v[i], weights: w, bias: b, outChannels: m)
        case .affine(let i, let mul, let add):
            return v[i].indices.map { mul[$0] * v[i][$0] + add[$0] }
        case .add(let a, let b, let sign):
            return v[a].indices.map { v[a][$0] + Double(sign) * v[b][$0] }
        case .relu(let i): return v[i].map { max($0, 0) }
        case .leakyRelu(let i, let alpha): return v[i].map { $0 >= 0 ? $0 : alpha * $0 }
        case .clip(let i, let lo, let hi):
            return v[i].map { x in
                var y = x
                if let lo { y = max(y, lo) }
                if let hi { y = min(y, hi) }
                return y
            }
        case .maxPool(let i, let geo):
            return geo.pool(v[i]) { vals, _ in vals.max() ?? 0 }
        case .averagePool(let i, let geo, let includePad):
            return geo.pool(v[i]) { vals, _ in
                vals.reduce(0, +) / Double(includePad ? geo.kernelH * geo.kernelW : vals.count)
            }
        case .gather(let i, let idx): return idx.map { v[i][$0] }
        case .argMax(let i): return [Double(firstArgmax(v[i]))]
        case .rewire(let inputs, let sources, let constants):
            let flat = inputs.flatMap { v[$0] }
            return sources.map { $0 >= 0 ? flat[$0] : constants[-1 - $0] }
        case .bilinear(let a, let b, let left, let right, let terms):
            return bilinearProducts(v[a], v[b], left: left, right: right, terms: terms)
        case .extremum(let a, let b, let sign, let isMax):
            return v[a].indices.map { isMax ? max(v[a][$0], Double(sign) * v[b][$0]) : min(v[a][$0], Double(sign) * v[b][$0]) }
        case .embedding(let i, let table, let rows, let width):
            // Ids are validated before proving; here an id outside the table reads its nearest row (never traps).
            return v[i].flatMap { x -> ArraySlice<Double> in
                let id = min(max(Int(x.isFinite ? x.rounded() : 0), 0), rows - 1)
                return table[(id * width)..<((id + 1) * width)]
            }
        case .function(let i, let expr): return v[i].map { expr.evaluate($0) }
        case .softmax(let i, let n):
            return stride(from: 0, to: v[i].count, by: max(n, 1)).flatMap { r in applyTransform(.softmax, Array(v[i][r..<min(r + n, v[i].count)])) }
        case .logSoftmax(let i, let n):
            return stride(from: 0, to: v[i].count, by: max(n, 1)).flatMap { r -> [Double] in
                let row = Array(v[i][r..<min(r + n, v[i].count)])
                let mx = row.max() ?? 0
                let l = Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - mx) })
                return row.map { $0 - mx - l }
            }
        case .layerNorm(let i, let n, let gamma, let beta, let eps):
            var out: [Double] = []
            for r in stride(from: 0, to: v[i].count, by: max(n, 1)) {
                let row = v[i][r..<min(r + n, v[i].count)]
                let mean = row.reduce(0, +) / Double(row.count)
                let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(row.count)
                let inv = 1 / (variance + eps).squareRoot()
                for (k, x) in row.enumerated() { out.append((x - mean) * inv * gamma[r + k] + beta[r + k]) }
            }
            return out
        case .treeEnsemble(let i, let e): return e.evaluate(v[i])
        case .normalize(let i, let n, let l1):
            return stride(from: 0, to: v[i].count, by: max(n, 1)).flatMap { r -> [Double] in
                let row = v[i][r..<min(r + n, v[i].count)]
                let norm = l1 ? row.reduce(0) { $0 + abs($1) } : row.reduce(0) { $0 + $1 * $1 }.squareRoot()
                return row.map { norm > 0 ? $0 / norm : 0 }
            }
        }
    }

    /// Applies the graph's output transform (softmax / sigmoid) to the proven output.
    public static func applyTransform(_ t: OutputTransform, _ x: [Double]) -> [Double] {
        switch t {
        case .none: return x
        case .sigmoid: return x.map { 1 / (1 + exp(-$0)) }
        case .softmax:
            guard let m = x.max() else { return x }
            let e = x.map { exp($0 - m) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
    }
}
