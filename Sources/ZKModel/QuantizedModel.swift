// The quantized graph: integer ops with power-of-two scales and per-element bounds, and its
// plain integer interpreter — the reference the circuit's witness must equal exactly.

import Foundation
import ZKAlgebra

/// A tensor of the quantized graph: value `v` is represented by the integer `round(v·2^scale)`.
/// `lo[i] ≤ x[i] ≤ hi[i]` holds for every input inside the declared input range (proved by
/// interval arithmetic over the integer weights, not estimated); range checks size from it.
public struct QTensor: Codable, Equatable, Sendable {
    public var name: String
    public var shape: [Int]
    /// Fraction bits: the real value is `integer / 2^scale`.
    public var scale: Int
    public var lo: [Int]
    public var hi: [Int]
    public var count: Int { lo.count }
}

/// One integer op. All arithmetic is exact over Int (bounds rule out overflow at compile time).
public enum QOp: Codable, Equatable, Sendable {
    /// `y[o] = bias[o] + Σᵢ weights[o·in + i]·x[i]` (weights row-major out × in). Scale: in + weightScale.
    case dense(input: Int, weights: [Int], bias: [Int], inFeatures: Int, outFeatures: Int)
    /// Convolution (NCHW, batch 1); weights `M × C × kH × kW`.
    case conv(input: Int, weights: [Int], bias: [Int], outChannels: Int, geometry: WindowGeometry)
    /// `y[i] = mul[i]·x[i] + add[i]`.
    case affine(input: Int, mul: [Int], add: [Int])
    /// `y = a·2^shiftA + sign·b·2^shiftB` (aligns two scales exactly).
    case add(a: Int, b: Int, shiftA: Int, shiftB: Int, sign: Int)
    /// `y = floor((x + 2^(shift−1)) / 2^shift)` (round half up; `shift = 0`: y = x), then
    /// `max(y, 0)` when `relu`. The circuit proves it with one bit decomposition.
    case rescale(input: Int, shift: Int, relu: Bool)
    /// `y = x·2^alphaBits` if `x ≥ 0`, else `alpha·x`.
    case leakyRelu(input: Int, alpha: Int, alphaBits: Int)
    /// `y = min(max(x, min), max)`.
    case clamp(input: Int, min: Int?, max: Int?)
    /// Window maximum (padding positions are skipped, as ONNX pads with −∞).
    case maxPool(input: Int, geometry: WindowGeometry)
    /// `y = (Σ window)·multipliers[position]` (average pooling; multiplier 1 when the divisor is a
    /// power of two folded into the scale).
    case sumPool(input: Int, geometry: WindowGeometry, multipliers: [Int])
    /// `y[i] = x[indices[i]]`.
    case gather(input: Int, indices: [Int])
    /// Index of the first maximum.
    case argMax(input: Int)
    /// Zero-cost rewiring: `y[k]` is element `sources[k]` of the inputs laid end to end, input i multiplied by
    /// `2^shifts[i]` (aligning every input to the output scale exactly), or for `sources[k] < 0` the integer
    /// `constants[−1 − sources[k]]` (already at the output scale).
    case rewire(inputs: [Int], sources: [Int], constants: [Int], shifts: [Int])
    /// `y[k] = Σ_{t<terms} a[left[k·terms + t]]·b[right[k·terms + t]]` — products of two computed tensors, one
    /// constraint each. Scale: scale(a) + scale(b).
    case bilinear(a: Int, b: Int, left: [Int], right: [Int], terms: Int)
    /// `max(a·2^shiftA, signB·b·2^shiftB)` (or `min`), element-wise: one signed decomposition of the difference
    /// and one product per element.
    case extremum(a: Int, b: Int, shiftA: Int, shiftB: Int, signB: Int, isMax: Bool)
    /// `y[t·width + d] = table[id_t·width + d]` for token ids `id_t ∈ [0, rows)` (the integer model input): a one-hot
    /// selection per token (rows boolean wires, rows + 2 constraints) that also proves the id in range.
    case embedding(input: Int, table: [Int], rows: Int, width: Int)
    /// `y = table.apply(x)` element-wise (``PiecewiseTable``): one signed decomposition of the input, a segment
    /// selection and two tail selections per element.
    case tabulated(input: Int, table: PiecewiseTable)
    /// Softmax over rows of `rowLength` consecutive elements (``integerSoftmax(_:rowLength:exp:precision:)``). Scale: `precision`.
    case softmax(input: Int, rowLength: Int, exp: PiecewiseTable, precision: Int)
    /// LayerNormalization over rows of `rowLength` elements (``integerLayerNorm(_:rowLength:gamma:beta:epsilon:precision:)``).
    /// Scale: `precision + gammaScale` where `beta` is at that scale.
    case layerNorm(input: Int, rowLength: Int, gamma: [Int], beta: [Int], epsilon: Int, precision: Int)
    /// LogSoftmax over rows (``integerLogSoftmax(_:rowLength:exp:log:shiftDelta:shiftLog:)``): the Softmax's exp table and
    /// sum, one log table per row, `y_j = −(mx − x_j)·2^shiftDelta − log.apply(S)·2^shiftLog`.
    case logSoftmax(input: Int, rowLength: Int, exp: PiecewiseTable, log: PiecewiseTable, shiftDelta: Int, shiftLog: Int)
    /// `y = ⌊√(x·2^shift)⌋` element-wise for `x ≥ 0` (exact witness-and-check: `y² ≤ x·2^shift < (y+1)²`).
    case squareRoot(input: Int, shift: Int)
    /// `y = ⌊2^precision / x⌋` element-wise for `x ≥ 1` (exact witness-and-check: `y·x + rem = 2^precision`, `0 ≤ rem < x`).
    case reciprocal(input: Int, precision: Int)
    /// A tree ensemble (``QTreeEnsemble``): one comparison per distinct test, one product per split below the root,
    /// leaf votes summed per target (free).
    case treeEnsemble(input: Int, ensemble: QTreeEnsemble)
    /// Normalizer over rows of `rowLength` (``integerNormalize(_:rowLength:l1:precision:)``): `y = x·R` with
    /// `R = ⌊2^p/Σ|x|⌋` (L1) or `⌊2^p/√Σx²⌋` (L2), a zero row staying zero. Scale: `precision`.
    case normalize(input: Int, rowLength: Int, l1: Bool, precision: Int)

    public var inputs: [Int] {
        switch self {
        case .dense(let i, _, _, _, _), .conv(let i, _, _, _, _), .affine(let i, _, _), .rescale(let i, _, _),
             .leakyRelu(let i, _, _), .clamp(let i, _, _), .maxPool(let i, _), .sumPool(let i, _, _),
             .gather(let i, _), .argMax(let i), .embedding(let i, _, _, _), .tabulated(let i, _), .softmax(let i, _, _, _),
             .layerNorm(let i, _, _, _, _, _), .squareRoot(let i, _), .reciprocal(let i, _), .logSoftmax(let i, _, _, _, _, _),
             .treeEnsemble(let i, _), .normalize(let i, _, _, _):
            return [i]
        case .add(let a, let b, _, _, _), .bilinear(let a, let b, _, _, _), .extremum(let a, let b, _, _, _, _): return [a, b]
        case .rewire(let inputs, _, _, _): return inputs
        }
    }

    /// Short op name for reports.
    public var kind: String {
        switch self {
        case .dense: return "dense"
        case .conv: return "conv"
        case .affine: return "affine"
        case .add: return "add"
        case .rescale(_, let s, let r): return r ? (s > 0 ? "rescale+relu" : "relu") : "rescale"
        case .leakyRelu: return "leakyrelu"
        case .clamp: return "clamp"
        case .maxPool: return "maxpool"
        case .sumPool: return "avgpool"
        case .gather, .rewire: return "rewire"
        case .argMax: return "argmax"
        case .bilinear: return "product"
        case .embedding: return "embedding"
        case .extremum(_, _, _, _, _, let isMax): return isMax ? "max" : "min"
        case .tabulated: return "table"
        case .softmax: return "softmax"
        case .logSoftmax: return "logsoftmax"
        case .layerNorm: return "layernorm"
        case .squareRoot: return "sqrt"
        case .reciprocal: return "reciprocal"
        case .treeEnsemble: return "trees"
        case .normalize(_, _, let l1, _): return l1 ? "normalize-l1" : "normalize-l2"
        }
    }
}

/// A node of the quantized graph and the ONNX layer it implements.
public struct QNode: Codable, Equatable, Sendable {
    public var op: QOp
    public var output: Int
    /// ONNX node name this op belongs to (several ops may share one layer).
    public var layer: String
    public var onnxOp: String
    /// With private weights: the signed bit width every weight (resp. bias) of this dense/conv
    /// layer is range-checked to (and packed with) in the circuit; nil for public weights.
    public var weightBits: Int? = nil
    public var biasBits: Int? = nil
    public var hasPrivateWeights: Bool { weightBits != nil }
}

/// A model ready for the circuit: integer weights, scales, bounds. Tensor 0 is the input.
/// Serialized as `circuit.json` in a compiled directory (canonical: sorted keys).
public struct QuantizedModel: Codable, Equatable, Sendable {
    public static let formatVersion = 1
    public var formatVersion: Int
    public var tensors: [QTensor]
    public var nodes: [QNode]
    public var output: Int
    public var outputTransform: OutputTransform
    /// `--scale-bits`: magnitude bits given to each calibrated tensor and weight matrix.
    public var scaleBits: Int
    /// Inputs must satisfy `|x| ≤ inputBound` (a power of two; calibrated or the default 16).
    public var inputBound: Double
    /// Whether the scales and the input bound came from calibration samples.
    public var calibrated: Bool
    /// Visibility of weights (public or private), input (public, private or hashed) and output (always public).
    public var visibility: Visibility
    /// Identifies the ONNX file this model was compiled from. Public weights: BLAKE2b-256 (hex) of the file's bytes.
    /// Private weights: the salted commitment ``onnxCommitment(fileDigest:salt:)`` of that digest under
    /// ``weightSalt``, so that a verifier holding a candidate model file cannot confirm a guess by hashing it
    /// (the weights themselves are bound by the Poseidon commitment).
    public var onnxDigest: String
    /// With private weights: the blinding value (decimal, < r) hashed with the weights into the
    /// commitment, drawn from libsodium at compile time. Secret, like the weights.
    public var weightSalt: String? = nil
    /// Public inputs range-checked inside the circuit too (`compile --check-input-range`), so that
    /// verifiers of the bare proof (snarkjs, the EVM contract) need no range check of their own.
    /// Hidden inputs are always range-checked in the circuit. nil = false.
    public var inputRangeInCircuit: Bool? = nil
    public var checksInputRangeInCircuit: Bool { visibility.input != .public || inputRangeInCircuit == true }
    /// The input is integer token ids (an ONNX int32/int64 input feeding embedding lookups): scale 0, values must be
    /// integers. nil = real-valued input.
    public var tokenInput: Bool? = nil
    /// The target scale of every float-graph tensor (what calibration chose), so the graph can be re-derived from
    /// the ONNX file (``RecordedQuantization``). nil in directories compiled before it was recorded.
    public var tensorScales: [Int]? = nil
    /// BLAKE2b-256 (hex) of the calibration file the scales came from (nil: uncalibrated or not recorded).
    public var calibrationDigest: String? = nil
    /// A classifier's predicted label, proven as one more public signal after the output: `label.tensor` is the output
    /// of an argmax op; `classes` names its values (bound by the statement header). nil for models without one.
    public var label: ModelLabel? = nil

    /// The hiding form of the ONNX digest used with private weights:
    /// BLAKE2b-256("zkinfer-onnx-commitment-v1\0" ‖ salt (32-byte big-endian) ‖ fileDigest (32 raw bytes)), hex.
    /// The host opens it by revealing the ONNX file and the salt (`weightSalt` in circuit.json).
    public static func onnxCommitment(fileDigest: String, salt: Fr) throws -> String {
        try blake2bHex(Array("zkinfer-onnx-commitment-v1".utf8) + [0] + salt.bigEndianBytes + digestBytes(fileDigest, "ONNX digest"))
    }

    public var input: Int { 0 }
    public var inputTensor: QTensor { tensors[0] }
    public var outputTensor: QTensor { tensors[output] }
}

/// The predicted label of a classifier model: tensor `tensor` (an argmax, one element) selects `classes[value]`.
public struct ModelLabel: Codable, Equatable, Sendable {
    public var tensor: Int
    public var classes: [String]
    public init(tensor: Int, classes: [String]) { self.tensor = tensor; self.classes = classes }
}

/// Who sees the model input: everyone (`public`: the values are public signals), nobody
/// (`private`: witness only, range-checked in the circuit), or everyone sees a Poseidon hash
/// (`hashed`: `hashMany([salt] ++ input)` is a public signal; the salt stays with the prover).
public enum InputVisibility: String, Codable, CaseIterable, Sendable {
    case `public`, `private`, hashed
}

/// Who sees the weights: `public` (constants in the circuit) or `private` (witness values bound
/// by a public Poseidon commitment).
public enum WeightVisibility: String, Codable, CaseIterable, Sendable {
    case `public`, `private`
}

/// Who sees what. Outputs are always public.
public struct Visibility: Codable, Equatable, Sendable {
    public var input: InputVisibility = .public
    public var weights: WeightVisibility = .public
    public var output: String = "public"
    public init(input: InputVisibility = .public, weights: WeightVisibility = .public) {
        self.input = input
        self.weights = weights
    }
}

/// Floor division with a positive divisor.
@inlinable func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// The plain integer interpreter of a `QuantizedModel`: the reference semantics.
public enum IntegerInterpreter {
    /// Every tensor's integer values. `input` must already be quantized and within bounds.
    public static func runAll(_ m: QuantizedModel, input: [Int]) throws -> [[Int]] {
        guard input.count == m.inputTensor.count else {
            throw ModelError.invalidInput("expected \(m.inputTensor.count) input values, got \(input.count)")
        }
        for (i, x) in input.enumerated() where x < m.inputTensor.lo[i] || x > m.inputTensor.hi[i] {
            throw ModelError.invalidInput("quantized input [\(i)] = \(x) outside [\(m.inputTensor.lo[i]), \(m.inputTensor.hi[i])]")
        }
        var v = [[Int]](repeating: [], count: m.tensors.count)
        v[0] = input
        for node in m.nodes { v[node.output] = evaluate(node.op, v) }
        return v
    }

    public static func run(_ m: QuantizedModel, input: [Int]) throws -> [Int] {
        try runAll(m, input: input)[m.output]
    }

    static func evaluate(_ op: QOp, _ v: [[Int]]) -> [Int] {
        switch op {
        case .dense(let i, let w, let b, let nIn, let nOut):
            return denseLayer(v[i], weights: w, bias: b, inFeatures: nIn, outFeatures: nOut)
        case .conv(let i, let w, let b, let m, let geo):
            return geo.convolve(v[i], weights: w, bias: b, outChannels: m)
        case .affine(let i, let mul, let add): return v[i].indices.map { mul[$0] * v[i][$0] + add[$0] }
        case .add(let a, let b, let sa, let sb, let sign):
            return v[a].indices.map { (v[a][$0] << sa) + sign * (v[b][$0] << sb) }
        case .rescale(let i, let shift, let relu):
            return v[i].map { x in
                let y = shift == 0 ? x : floorDiv(x + (1 << (shift - 1)), 1 << shift)
                return relu ? max(y, 0) : y
            }
        case .leakyRelu(let i, let alpha, let bits): return v[i].map { $0 >= 0 ? $0 << bits : alpha * $0 }
        case .clamp(let i, let lo, let hi):
            return v[i].map { x in
                var y = x
                if let lo { y = max(y, lo) }
                if let hi { y = min(y, hi) }
                return y
            }
        case .maxPool(let i, let geo): return geo.pool(v[i]) { vals, _ in vals.max()! }
        case .sumPool(let i, let geo, let mult):
            let per = geo.outHeight * geo.outWidth
            return geo.pool(v[i]) { vals, pos in vals.reduce(0, +) * mult[pos % per] }
        case .gather(let i, let idx): return idx.map { v[i][$0] }
        case .rewire(let inputs, let sources, let constants, let shifts):
            let flat = inputs.enumerated().flatMap { k, t in v[t].map { $0 << shifts[k] } }
            return sources.map { $0 >= 0 ? flat[$0] : constants[-1 - $0] }
        case .bilinear(let a, let b, let left, let right, let terms):
            return bilinearProducts(v[a], v[b], left: left, right: right, terms: terms)
        case .embedding(let i, let table, _, let width):
            // Ids are within [0, rows): the input's bounds say so (checked by validate) and inputs are checked against them.
            return v[i].flatMap { id in table[(id * width)..<((id + 1) * width)] }
        case .extremum(let a, let b, let sa, let sb, let sign, let isMax):
            return v[a].indices.map { k in
                let (x, y) = (v[a][k] << sa, sign * (v[b][k] << sb))
                return isMax ? max(x, y) : min(x, y)
            }
        case .argMax(let i): return [firstArgmax(v[i])]
        case .tabulated(let i, let table): return v[i].map { table.apply($0) }
        case .softmax(let i, let n, let exp, let p): return integerSoftmax(v[i], rowLength: n, exp: exp, precision: p)
        case .layerNorm(let i, let n, let g, let b, let eps, let p):
            return integerLayerNorm(v[i], rowLength: n, gamma: g, beta: b, epsilon: eps, precision: p)
        case .squareRoot(let i, let shift): return v[i].map { integerSquareRoot($0 << shift) }
        case .logSoftmax(let i, let n, let exp, let log, let sd, let sl):
            return integerLogSoftmax(v[i], rowLength: n, exp: exp, log: log, shiftDelta: sd, shiftLog: sl)
        case .reciprocal(let i, let p): return v[i].map { $0 >= 1 ? (1 << p) / $0 : 0 }
        case .treeEnsemble(let i, let e): return e.evaluate(v[i])
        case .normalize(let i, let n, let l1, let p): return integerNormalize(v[i], rowLength: n, l1: l1, precision: p)
        }
    }

}

extension QuantizedModel {
    /// Quantizes a float input: `round(x·2^scale)` (half away from zero). Throws for NaN/∞,
    /// a wrong length, or a value outside `±inputBound` (no silent saturation: a claim about a
    /// clipped input would not be a claim about the user's input).
    public func quantizeInput(_ x: [Double]) throws -> [Int] {
        let t = inputTensor
        guard x.count == t.count else {
            throw ModelError.invalidInput("the model takes \(t.count) input values (shape \(t.shape)); got \(x.count)")
        }
        let factor = Double(sign: .plus, exponent: t.scale, significand: 1)
        return try x.enumerated().map { i, v in
            guard v.isFinite else { throw ModelError.invalidInput("input value [\(i)] is \(v) (NaN and infinity are not allowed)") }
            if tokenInput == true, v != v.rounded() || v < Double(t.lo[i]) || v > Double(t.hi[i]) {
                throw ModelError.invalidInput("input value [\(i)] = \(v) is not a token id in [\(t.lo[i]), \(t.hi[i])]")
            }
            guard abs(v) <= inputBound else {
                throw ModelError.invalidInput("input value [\(i)] = \(v) is outside the model's input range [-\(inputBound), \(inputBound)] (set at compile time\(calibrated ? " from the calibration samples" : "; compile with --calibrate to set it from data"))")
            }
            let q = (v * factor).rounded()
            // Within the input tensor's bounds before converting (always so for a compiled model; a
            // hand-edited circuit.json may pair a huge input bound with a large scale).
            guard q >= Double(t.lo[i]), q <= Double(t.hi[i]) else {
                throw ModelError.invalidInput("input value [\(i)] = \(v) is outside the bounds of the compiled input tensor")
            }
            return max(t.lo[i], min(t.hi[i], Int(q)))
        }
    }

    /// Integer → real value of tensor `t`.
    public func dequantize(_ values: [Int], tensor t: Int) -> [Double] {
        let f = Double(sign: .plus, exponent: -tensors[t].scale, significand: 1)
        return values.map { Double($0) * f }
    }
}
