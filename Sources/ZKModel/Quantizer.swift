// FloatGraph → QuantizedModel: power-of-two scales per tensor (calibrated or default), integer
// weights, exact rescaling points, and per-element integer bounds by interval arithmetic.

import Foundation
import ZKAlgebra
import ZKCircuit

/// Compile-time quantization settings.
public struct QuantizationOptions: Sendable {
    /// Magnitude bits per tensor and per weight matrix: a tensor whose values reach |v| ≤ 2^e is
    /// given scale `scaleBits − e`, so its integers reach about 2^scaleBits.
    public var scaleBits: Int = 8
    /// Calibration samples (flattened inputs). Without them every tensor is assumed to satisfy
    /// |v| ≤ 16 and inputs must satisfy |x| ≤ 16.
    public var calibration: [[Double]] = []
    public var visibility = Visibility()
    /// Range-check public inputs inside the circuit (see `QuantizedModel.inputRangeInCircuit`).
    public var checkInputRange = false
    /// Re-derivation (`verify --model`, `audit`): the per-tensor scales, input bound and calibration flag a
    /// claim records, used instead of calibration so the same quantized graph comes out of the ONNX file.
    public var recorded: RecordedQuantization? = nil
    /// Private weights: the salt to use (re-derivation with the host's salt) instead of a fresh libsodium draw.
    public var weightSalt: Fr? = nil
    /// BLAKE2b-256 (hex) of the calibration file, recorded in circuit.json and claims so a host can be asked for it.
    public var calibrationDigest: String? = nil
    public init(scaleBits: Int = 8, calibration: [[Double]] = [], visibility: Visibility = Visibility()) {
        self.scaleBits = scaleBits
        self.calibration = calibration
        self.visibility = visibility
    }
    public static let defaultMagnitude = 16.0
}

/// Largest integer magnitude any tensor bound may reach: keeps Int arithmetic exact (no
/// overflow in the interpreter) and range checks far below the field size.
let boundLimit = 1 << 60

/// `ceil(log2(x))` for x > 0, as an Int (x ≤ 1 → ≤ 0).
package func ceilLog2(_ x: Double) -> Int {
    guard x > 0, x.isFinite else { return 0 }
    var e = Int(x.exponent)  // x = m·2^e with 1 ≤ m < 2
    if x > Double(sign: .plus, exponent: e, significand: 1) { e += 1 }
    return e
}

/// The quantization choices that calibration makes, as a claim records them: with these and the ONNX file
/// (and the scale bits and visibility), ``Quantizer/quantize(_:options:onnxDigest:)`` re-derives the quantized graph.
public struct RecordedQuantization: Sendable, Equatable {
    /// Target scale (fraction bits, 0...30) of every float-graph tensor, in graph order.
    public var tensorScales: [Int]
    /// The input bound (a power of two).
    public var inputBound: Double
    public var calibrated: Bool
    public init(tensorScales: [Int], inputBound: Double, calibrated: Bool) {
        self.tensorScales = tensorScales
        self.inputBound = inputBound
        self.calibrated = calibrated
    }
}

public enum Quantizer {
    /// Quantizes `graph`. Scales: each tensor gets `scaleBits − ceil(log2(max |v|))` fraction bits
    /// (max over the calibration samples, or the default magnitude 16), clamped to 0...30; each
    /// dense/conv weight matrix gets `scaleBits − ceil(log2(max |w|))`. Products are rescaled
    /// (rounding half up) back to their tensor's scale right after the layer, fused with a following
    /// ReLU; average pooling by a power of two only changes the scale (exact and free).
    /// `onnxDigest` is BLAKE2b-256 (hex) of the ONNX file; with private weights the model records its salted
    /// commitment instead (``QuantizedModel/onnxCommitment(fileDigest:salt:)``).
    public static func quantize(_ graph: FloatGraph, options: QuantizationOptions, onnxDigest: String) throws -> QuantizedModel {
        let n = options.scaleBits
        guard (2...24).contains(n) else { throw ModelError.invalidInput("--scale-bits must be in 2...24 (got \(n))") }
        // Calibration: max |v| per float tensor.
        var maxAbs = [Double](repeating: 0, count: graph.shapes.count)
        var calibrated = !options.calibration.isEmpty
        if let r = options.recorded {
            guard r.tensorScales.count == graph.shapes.count, r.tensorScales.dropFirst().allSatisfy({ (0...30).contains($0) }),
                  (0...50).contains(r.tensorScales[0]) else {
                throw ModelError.invalidInput("the recorded quantization has \(r.tensorScales.count) tensor scales; this model has \(graph.shapes.count) tensors")
            }
            guard r.inputBound.isFinite, r.inputBound > 0, Double(sign: .plus, exponent: ceilLog2(r.inputBound), significand: 1) == r.inputBound else {
                throw ModelError.invalidInput("the recorded input bound \(r.inputBound) is not a power of two")
            }
            calibrated = r.calibrated
        } else if calibrated {
            for sample in options.calibration {
                guard sample.allSatisfy({ $0.isFinite }) else { throw ModelError.invalidInput("calibration sample contains NaN or infinity") }
                let all = try FloatInterpreter.runAll(graph, input: sample)
                for (t, vals) in all.enumerated() { for x in vals { maxAbs[t] = max(maxAbs[t], abs(x)) } }
            }
        } else {
            maxAbs = [Double](repeating: QuantizationOptions.defaultMagnitude, count: graph.shapes.count)
        }
        var tensorScales = options.recorded?.tensorScales ?? maxAbs.map { m in min(30, max(0, n - (m > 0 ? ceilLog2(m) : 0))) }
        func targetScale(_ t: Int) -> Int { tensorScales[t] }
        // Input: bound = max |x| rounded up to a power of two.
        // Token ids (integer input): scale 0, the exact range [0, vocabulary), a power-of-two bound ≥ the largest id.
        let tokens = graph.tokenRange
        let inBoundFloat = options.recorded?.inputBound
            ?? (tokens.map { Double(sign: .plus, exponent: ceilLog2(Double(max(1, $0.upperBound))), significand: 1) }
                ?? (calibrated ? (maxAbs[0] > 0 ? Double(sign: .plus, exponent: ceilLog2(maxAbs[0]), significand: 1) : 1)
                               : QuantizationOptions.defaultMagnitude))
        var sIn = tokens != nil ? 0 : min(30, max(0, n - ceilLog2(inBoundFloat)))
        // An input read only by tree ensembles gets the scale its splits need (``treeInputScale``), recorded as tensor 0's
        // scale so that re-deriving the model (verify --model) finds it again.
        let inputReaders = graph.nodes.filter { $0.op.inputs.contains(graph.input) }
        let ensembles = inputReaders.compactMap { n -> TreeEnsemble? in if case .treeEnsemble(_, let e) = n.op { return e } else { return nil } }
        // Likewise an input read only by classical linear models (LinearClassifier/LinearRegressor, a Scaler folded in):
        // fine enough that rounding it moves each score by well under the score's own resolution.
        let linearReaders = inputReaders.compactMap { n -> (weights: [Double], nIn: Int, nOut: Int, out: Int)? in
            guard n.onnxOp == "LinearClassifier" || n.onnxOp == "LinearRegressor", case .dense(_, let w, _, let nIn, let nOut) = n.op else { return nil }
            return (w, nIn, nOut, n.output)
        }
        if tokens == nil, !inputReaders.isEmpty, ensembles.count == inputReaders.count || linearReaders.count == inputReaders.count {
            if let r = options.recorded {
                sIn = r.tensorScales[0]
            } else {
                if ensembles.count == inputReaders.count {
                    sIn = treeInputScale(ensembles, from: sIn, bound: inBoundFloat, samples: options.calibration)
                } else {
                    for l in linearReaders {
                        // |Δscore| ≤ 2^-(sIn+1)·Σ|w| ≤ 2^-(target+5): 4 bits below the score's resolution — but at most half
                        // of the bits the accumulator leaves (below 2^56 with the input bound, the largest weight and
                        // log2(inputs)); the weights get the other half (the dense case of `quantize` below).
                        let rowSum = (0..<l.nOut).map { o in (0..<l.nIn).reduce(0.0) { $0 + abs(l.weights[o * l.nIn + $1]) } }.max() ?? 0
                        let maxW = l.weights.reduce(0) { max($0, abs($1)) }
                        let want = (rowSum > 0 ? ceilLog2(rowSum) : 0) + targetScale(l.out) + 4
                        let cap = (56 - ceilLog2(Double(max(1, l.nIn))) - ceilLog2(inBoundFloat) - (maxW > 0 ? ceilLog2(maxW) : 0)) / 2
                        sIn = max(sIn, min(want, cap, 50))
                    }
                }
                tensorScales[0] = sIn
            }
        }
        let inBoundScaled = (inBoundFloat * Double(sign: .plus, exponent: sIn, significand: 1)).rounded()
        guard inBoundScaled < Double(boundLimit) else {
            throw ModelError.invalidInput("inputs may reach |x| = \(inBoundFloat); zkinfer proves inputs below 2^60")
        }
        let inBoundInt = Int(inBoundScaled)
        var b = Builder()
        let privateWeights = options.visibility.weights == .private
        let inCount = graph.size(graph.input)
        b.tensors.append(QTensor(name: graph.tensorNames[0], shape: graph.inputShape, scale: sIn,
                                 lo: [Int](repeating: tokens?.lowerBound ?? -inBoundInt, count: inCount),
                                 hi: [Int](repeating: tokens.map { min($0.upperBound, inBoundInt) } ?? inBoundInt, count: inCount)))
        // consumers of each float tensor
        var consumers = [[Int]](repeating: [], count: graph.shapes.count)
        for (k, node) in graph.nodes.enumerated() { for i in node.op.inputs { consumers[i].append(k) } }

        var qOf = [Int](repeating: -1, count: graph.shapes.count)  // float tensor → quantized tensor
        qOf[0] = 0
        for node in graph.nodes {
            let out = node.output
            let isOutput = out == graph.output
            let layer = node.name, onnx = node.onnxOp
            /// After a multiplicative op: rescale to the tensor's target scale, unless a ReLU (fused
            /// there) is the only consumer or the tensor is the model output (proven at full precision).
            func finish(_ raw: Int) throws -> Int {
                let target = targetScale(out)
                let cons = consumers[out]
                let reluNext = cons.count == 1 && { if case .relu = graph.nodes[cons[0]].op { return true } else { return false } }()
                // Tables and Softmax round their input themselves (the shift of their decomposition).
                let roundsItself = !cons.isEmpty && cons.allSatisfy { c in
                    switch graph.nodes[c].op { case .function, .softmax, .logSoftmax: return true; default: return false }
                }
                if isOutput || reluNext || roundsItself || b.tensors[raw].scale <= target { return raw }
                return try b.rescale(raw, to: target, relu: false, name: graph.tensorNames[out], layer: layer, onnxOp: onnx)
            }
            let q: Int
            switch node.op {
            case .dense(let i, let w, let bias, _, _), .conv(let i, let w, let bias, _, _):
                // Weights at their own scale, the bias at the accumulator's (input + weight scale).
                let x = qOf[i]
                var sw = weightScale(w, n)
                if node.onnxOp == "LinearClassifier" || node.onnxOp == "LinearRegressor", case .dense(_, _, _, let nIn, _) = node.op {
                    // A classical linear model (a Scaler folded in) has weights spanning orders of magnitude (1/std of
                    // each feature): give them every bit the accumulator leaves (below 2^57 with the input's bounds).
                    let xBits = Int.bitWidth - max(abs(b.tensors[x].lo.min() ?? 0), abs(b.tensors[x].hi.max() ?? 0)).leadingZeroBitCount
                    let m = w.reduce(0) { max($0, abs($1)) }
                    sw = max(sw, min(30, 57 - xBits - ceilLog2(Double(max(1, nIn))) - (m > 0 ? ceilLog2(m) : 0)))
                }
                let wq = try quantizeAll(w, sw, layer)
                let bq = try quantizeAll(bias, b.tensors[x].scale + sw, layer)
                let op: QOp
                switch node.op {
                case .dense(_, _, _, let nIn, let nOut): op = .dense(input: x, weights: wq, bias: bq, inFeatures: nIn, outFeatures: nOut)
                case .conv(_, _, _, let m, let geo): op = .conv(input: x, weights: wq, bias: bq, outChannels: m, geometry: geo)
                default: preconditionFailure("unreachable")
                }
                let raw = try b.append(op, name: graph.tensorNames[out] + ".acc", shape: graph.shapes[out], scale: b.tensors[x].scale + sw,
                                       layer: layer, onnxOp: onnx, privateBits: privateWeights ? privateBits(wq, bq) : nil)
                q = try finish(raw)
            case .affine(let i, let mul, let add):
                let x = qOf[i]
                let sx = b.tensors[x].scale
                if mul.allSatisfy({ $0 == 1 || $0 == -1 }) {
                    // Neg and sign flips: exact at the input's scale (no rescale).
                    q = try b.append(.affine(input: x, mul: mul.map { $0 == 1 ? 1 : -1 }, add: try quantizeAll(add, sx, layer)),
                                     name: graph.tensorNames[out], shape: graph.shapes[out], scale: sx, layer: layer, onnxOp: onnx)
                } else {
                    let sm = weightScale(mul, n)
                    let raw = try b.append(.affine(input: x, mul: try quantizeAll(mul, sm, layer), add: try quantizeAll(add, sx + sm, layer)),
                                           name: graph.tensorNames[out] + ".acc", shape: graph.shapes[out], scale: sx + sm, layer: layer, onnxOp: onnx)
                    q = try finish(raw)
                }
            case .add(let a, let c, let sign):
                let qa = qOf[a], qc = qOf[c]
                let s = max(b.tensors[qa].scale, b.tensors[qc].scale)
                q = try b.append(.add(a: qa, b: qc, shiftA: s - b.tensors[qa].scale, shiftB: s - b.tensors[qc].scale, sign: sign),
                                 name: graph.tensorNames[out], shape: graph.shapes[out], scale: s, layer: layer, onnxOp: onnx)
            case .relu(let i):
                let x = qOf[i]
                let target = targetScale(out)
                q = try b.rescale(x, to: min(target, b.tensors[x].scale), relu: true, name: graph.tensorNames[out], layer: layer, onnxOp: onnx)
            case .leakyRelu(let i, let alpha):
                let x = qOf[i]
                let aScaled = (alpha * Double(sign: .plus, exponent: n, significand: 1)).rounded()
                guard abs(aScaled) < Double(boundLimit) else {
                    throw ModelError.quantizationOverflow("layer '\(layer)': LeakyRelu alpha \(alpha) does not fit at scale 2^\(n)")
                }
                let aq = Int(aScaled)
                let raw = try b.append(.leakyRelu(input: x, alpha: aq, alphaBits: n), name: graph.tensorNames[out] + ".acc",
                                       shape: graph.shapes[out], scale: b.tensors[x].scale + n, layer: layer, onnxOp: onnx)
                q = try finish(raw)
            case .clip(let i, let lo, let hi):
                let x = qOf[i]
                let f = Double(sign: .plus, exponent: b.tensors[x].scale, significand: 1)
                func bound(_ v: Double) throws -> Int {
                    let q = (v * f).rounded()
                    guard abs(q) < Double(boundLimit) else {
                        throw ModelError.quantizationOverflow("layer '\(layer)': Clip bound \(v) does not fit at scale 2^\(b.tensors[x].scale)")
                    }
                    return Int(q)
                }
                q = try b.append(.clamp(input: x, min: try lo.map(bound), max: try hi.map(bound)),
                                 name: graph.tensorNames[out], shape: graph.shapes[out], scale: b.tensors[x].scale, layer: layer, onnxOp: onnx)
            case .maxPool(let i, let geo):
                let x = qOf[i]
                q = try b.append(.maxPool(input: x, geometry: geo), name: graph.tensorNames[out], shape: graph.shapes[out],
                                 scale: b.tensors[x].scale, layer: layer, onnxOp: onnx)
            case .averagePool(let i, let geo, let includePad):
                let x = qOf[i]
                var counts: [Int] = []
                for _ in 0..<geo.channels {
                    for oy in 0..<geo.outHeight {
                        for ox in 0..<geo.outWidth {
                            var c = 0
                            geo.window(oy, ox) { _, _, _, _ in c += 1 }
                            counts.append(includePad ? geo.kernelH * geo.kernelW : c)
                        }
                    }
                }
                let per = geo.outHeight * geo.outWidth
                let first = counts[0]
                if counts.allSatisfy({ $0 == first }), first & (first - 1) == 0 {
                    // Divide by 2^k exactly by raising the scale by k.
                    let k = first.trailingZeroBitCount
                    q = try b.append(.sumPool(input: x, geometry: geo, multipliers: [Int](repeating: 1, count: per)),
                                     name: graph.tensorNames[out], shape: graph.shapes[out], scale: b.tensors[x].scale + k, layer: layer, onnxOp: onnx)
                } else {
                    let mult = (0..<per).map { Int((Double(sign: .plus, exponent: n, significand: 1) / Double(counts[$0])).rounded()) }
                    let raw = try b.append(.sumPool(input: x, geometry: geo, multipliers: mult), name: graph.tensorNames[out] + ".acc",
                                           shape: graph.shapes[out], scale: b.tensors[x].scale + n, layer: layer, onnxOp: onnx)
                    q = try finish(raw)
                }
            case .gather(let i, let idx):
                let x = qOf[i]
                q = try b.append(.gather(input: x, indices: idx), name: graph.tensorNames[out], shape: graph.shapes[out],
                                 scale: b.tensors[x].scale, layer: layer, onnxOp: onnx)
            case .argMax(let i):
                q = try b.append(.argMax(input: qOf[i]), name: graph.tensorNames[out], shape: graph.shapes[out], scale: 0, layer: layer, onnxOp: onnx)
            case .rewire(let inputs, let sources, let constants):
                // Every input is aligned to the finest input scale by an exact shift; constants are quantized there.
                let qs = inputs.map { qOf[$0] }
                let s = qs.map { b.tensors[$0].scale }.max() ?? targetScale(out)
                q = try b.append(.rewire(inputs: qs, sources: sources, constants: try quantizeAll(constants, s, layer),
                                         shifts: qs.map { s - b.tensors[$0].scale }),
                                 name: graph.tensorNames[out], shape: graph.shapes[out], scale: s, layer: layer, onnxOp: onnx)
            case .embedding(let x, let table, let rows, let width):
                // The table is a public constant matrix (like element-wise constants, also under --weights private).
                let sw = weightScale(table, n)
                let raw = try b.append(.embedding(input: qOf[x], table: try quantizeAll(table, sw, layer), rows: rows, width: width),
                                       name: graph.tensorNames[out] + ".acc", shape: graph.shapes[out], scale: sw, layer: layer, onnxOp: onnx)
                q = try finish(raw)
            case .extremum(let x, let y, let sign, let isMax):
                let qx = qOf[x], qy = qOf[y]
                let s = max(b.tensors[qx].scale, b.tensors[qy].scale)
                q = try b.append(.extremum(a: qx, b: qy, shiftA: s - b.tensors[qx].scale, shiftB: s - b.tensors[qy].scale, signB: sign, isMax: isMax),
                                 name: graph.tensorNames[out], shape: graph.shapes[out], scale: s, layer: layer, onnxOp: onnx)
            case .function(let i, .apply(.sqrt, .x)) where b.tensors[qOf[i]].lo.allSatisfy({ $0 >= 0 }),
                 .function(let i, .pow(.x, 0.5)) where b.tensors[qOf[i]].lo.allSatisfy({ $0 >= 0 }):
                // Exact square root: y = ⌊√(x·2^shift)⌋ at scale (scale(x) + shift)/2, at least the target scale.
                let x = qOf[i]
                let sx = b.tensors[x].scale
                var shift = max(0, 2 * targetScale(out) - sx)
                if (sx + shift) % 2 == 1 { shift += 1 }
                q = try b.append(.squareRoot(input: x, shift: shift), name: graph.tensorNames[out], shape: graph.shapes[out],
                                 scale: (sx + shift) / 2, layer: layer, onnxOp: onnx)
            case .function(let i, .apply(.reciprocal, .x)) where b.tensors[qOf[i]].lo.allSatisfy({ $0 >= 1 }):
                // Exact reciprocal: y = ⌊2^p / x⌋ at scale p − scale(x) = the target scale (+ 4 guard bits).
                let x = qOf[i]
                let p = b.tensors[x].scale + min(30, targetScale(out) + 4)
                guard p <= 60 else { throw ModelError.quantizationOverflow("layer '\(layer)': reciprocal at scale 2^\(p)") }
                let raw = try b.append(.reciprocal(input: x, precision: p), name: graph.tensorNames[out] + ".acc", shape: graph.shapes[out],
                                       scale: p - b.tensors[x].scale, layer: layer, onnxOp: onnx)
                q = try finish(raw)
            case .function(let i, let expr):
                let x = qOf[i]
                let src = b.tensors[x]
                let sK = min(30, targetScale(out) + 4)
                let table: PiecewiseTable
                do {
                    table = try PiecewiseTable.make({ expr.evaluate($0) }, inputScale: src.scale, lo: src.lo.min() ?? 0, hi: src.hi.max() ?? 0, knotScale: sK)
                } catch {
                    throw ModelError.unsupported(node: layer, reason: "\(onnx) computes \(expr), which zkinfer cannot tabulate over the input range: \(error)")
                }
                let raw = try b.append(.tabulated(input: x, table: table), name: graph.tensorNames[out] + ".table", shape: graph.shapes[out],
                                       scale: sK + table.stepBits, layer: layer, onnxOp: onnx)
                // Keep the table's scale when every reader rescales (or rounds) anyway; otherwise back to the target.
                let readersRescale = !consumers[out].isEmpty && consumers[out].allSatisfy { c in
                    switch graph.nodes[c].op { case .dense, .conv, .function, .softmax: return true; default: return false }
                }
                q = readersRescale ? raw : try finish(raw)
            case .softmax(let i, let n):
                let x = qOf[i]
                let src = b.tensors[x]
                let spread = (src.hi.max() ?? 0) - (src.lo.min() ?? 0)
                let exp: PiecewiseTable
                do { exp = try PiecewiseTable.make({ Foundation.exp(-$0) }, inputScale: src.scale, lo: 0, hi: spread, knotScale: 12) } catch {
                    throw ModelError.unsupported(node: layer, reason: "Softmax: \(error)")
                }
                // R = ⌊2^p/S⌋ keeps at least 12 bits: p = bits(max S) + 12.
                let sMax = exp.range(lo: 0, hi: spread).1 * n
                let p = Int.bitWidth - max(1, sMax).leadingZeroBitCount + 12
                guard p <= 58 else { throw ModelError.quantizationOverflow("layer '\(layer)': Softmax rows of \(n) need 2^\(p)") }
                let raw = try b.append(.softmax(input: x, rowLength: n, exp: exp, precision: p), name: graph.tensorNames[out] + ".acc",
                                       shape: graph.shapes[out], scale: p, layer: layer, onnxOp: onnx)
                q = try finish(raw)
            case .logSoftmax(let i, let n):
                let x = qOf[i]
                let src = b.tensors[x]
                let spread = (src.hi.max() ?? 0) - (src.lo.min() ?? 0)
                let exp: PiecewiseTable, log: PiecewiseTable
                let sE: Int
                do {
                    exp = try PiecewiseTable.make({ Foundation.exp(-$0) }, inputScale: src.scale, lo: 0, hi: spread, knotScale: 12)
                    sE = 12 + exp.stepBits
                    let sMax = exp.range(lo: 0, hi: spread).1 * n
                    log = try PiecewiseTable.make({ Foundation.log($0) }, inputScale: sE, lo: exp.apply(0), hi: sMax, knotScale: min(30, targetScale(out) + 4))
                } catch { throw ModelError.unsupported(node: layer, reason: "LogSoftmax: \(error)") }
                // Output at the finer of the input's and the log table's scales (exact shifts).
                let sL = min(30, targetScale(out) + 4) + log.stepBits
                let s = max(src.scale, sL)
                q = try b.append(.logSoftmax(input: x, rowLength: n, exp: exp, log: log, shiftDelta: s - src.scale, shiftLog: s - sL),
                                 name: graph.tensorNames[out], shape: graph.shapes[out], scale: s, layer: layer, onnxOp: onnx)
            case .layerNorm(let i, let n, let gamma, let beta, let eps):
                var x = qOf[i]
                if b.tensors[x].scale > targetScale(i) {
                    x = try b.rescale(x, to: targetScale(i), relu: false, name: graph.tensorNames[out] + ".in", layer: layer, onnxOp: onnx)
                }
                let sx = b.tensors[x].scale
                let n3 = Double(n) * Double(n) * Double(n)
                let epsScaled = (eps * n3 * Double(sign: .plus, exponent: 2 * sx, significand: 1)).rounded()
                guard epsScaled.isFinite, epsScaled < Double(1 << 50) else {
                    throw ModelError.quantizationOverflow("layer '\(layer)': LayerNormalization epsilon \(eps) at scale 2^\(2 * sx)")
                }
                let epsInt = max(1, Int(epsScaled))
                let g = gamma.map { $0 * Double(n).squareRoot() }
                let sg = weightScale(g, n)
                let gq = try quantizeAll(g, sg, layer)
                let mx = max(abs(b.tensors[x].lo.min() ?? 0), abs(b.tensors[x].hi.max() ?? 0))
                let dMax = Double(2 * n) * Double(mx) * Double(2 * n) * Double(mx) * Double(n) + Double(epsInt)
                let gMax = gq.map { abs($0) }.max() ?? 1
                // R = ⌊2^p/√D⌋ keeps at least 12 bits; |c·R·G| ≤ 2^p·|G| stays below 2^58.
                var p = ceilLog2(dMax.squareRoot()) + 12
                p = min(p, 57 - ceilLog2(Double(max(1, gMax))))
                guard p >= 8 else { throw ModelError.quantizationOverflow("layer '\(layer)': LayerNormalization values too large") }
                let raw = try b.append(.layerNorm(input: x, rowLength: n, gamma: gq, beta: try quantizeAll(beta, p + sg, layer), epsilon: epsInt, precision: p),
                                       name: graph.tensorNames[out] + ".acc", shape: graph.shapes[out], scale: p + sg, layer: layer, onnxOp: onnx)
                q = try finish(raw)
            case .normalize(let i, let n, let l1):
                // R keeps at least 12 bits: p = bits of the largest row norm + 12 (and at most 58).
                let x = qOf[i]
                let mx = Double(max(abs(b.tensors[x].lo.min() ?? 0), abs(b.tensors[x].hi.max() ?? 0)))
                let norm = l1 ? mx * Double(n) + 1 : (mx * mx * Double(n) + 1).squareRoot()
                let p = min(58, ceilLog2(norm) + 12)
                let raw = try b.append(.normalize(input: x, rowLength: n, l1: l1, precision: p), name: graph.tensorNames[out] + ".acc",
                                       shape: graph.shapes[out], scale: p, layer: layer, onnxOp: onnx)
                // |y| ≤ 1 whatever the calibration says: at least `scaleBits` fraction bits (magnitude 1).
                let target = max(targetScale(out), options.scaleBits)
                q = isOutput || target >= p ? raw : try b.rescale(raw, to: target, relu: false, name: graph.tensorNames[out], layer: layer, onnxOp: onnx)
            case .treeEnsemble(let i, let e):
                // Leaf sums cost nothing, so the leaves get `treeExtraBits` more fraction bits than the calibrated scale.
                guard !privateWeights else {
                    throw ModelError.unsupported(node: layer, reason: "a tree ensemble's thresholds and leaf values are circuit constants; --weights private is not supported for it")
                }
                let x = qOf[i]
                let so = min(30, targetScale(out) + treeExtraBits)
                let qe = try e.quantized(inputScale: b.tensors[x].scale, lo: b.tensors[x].lo, hi: b.tensors[x].hi, outputScale: so, layer: layer)
                q = try b.append(.treeEnsemble(input: x, ensemble: qe), name: graph.tensorNames[out], shape: graph.shapes[out], scale: so,
                                 layer: layer, onnxOp: onnx)
            case .bilinear(let x, let y, let left, let right, let terms):
                let qx = qOf[x], qy = qOf[y]
                let raw = try b.append(.bilinear(a: qx, b: qy, left: left, right: right, terms: terms), name: graph.tensorNames[out] + ".acc",
                                       shape: graph.shapes[out], scale: b.tensors[qx].scale + b.tensors[qy].scale, layer: layer, onnxOp: onnx)
                q = try finish(raw)
            }
            qOf[out] = q
        }
        // Private weights: one libsodium-drawn salt blinds both the Poseidon weight commitment and the ONNX digest.
        let salt: Fr? = privateWeights ? (options.weightSalt ?? Fr.random()) : nil
        var model = QuantizedModel(formatVersion: QuantizedModel.formatVersion, tensors: b.tensors, nodes: b.nodes, output: qOf[graph.output],
                              outputTransform: graph.outputTransform, scaleBits: n, inputBound: inBoundFloat, calibrated: calibrated,
                              visibility: options.visibility,
                              onnxDigest: try salt.map { try QuantizedModel.onnxCommitment(fileDigest: onnxDigest, salt: $0) } ?? onnxDigest,
                              weightSalt: salt?.description,
                              // Only public inputs have a choice (hidden ones are always checked in the circuit), so a
                              // claim's `inputRangeInCircuit` re-derives the same graph.
                              inputRangeInCircuit: options.checkInputRange && options.visibility.input == .public ? true : nil,
                              tensorScales: tensorScales, calibrationDigest: options.calibrationDigest)
        model.tokenInput = tokens != nil ? true : nil
        model.label = graph.label.map { ModelLabel(tensor: qOf[$0.tensor], classes: $0.classes) }
        return model
    }

    /// The input scale for a model whose input only tree ensembles read: the smallest scale ≥ `base` at which (1) distinct
    /// thresholds on one feature stay distinct tests and (2) every split decision of every calibration sample, rounded
    /// to the grid, is the float model's — raised one bit at a time while the input stays below 2^40 (comparisons cost
    /// one constraint per bit), plus 4 bits of margin when the default was not enough. On the grid, decisions are always
    /// exact (TreeEnsemble.swift); this makes real inputs like the calibration samples land on the same side of every
    /// threshold too.
    static func treeInputScale(_ ensembles: [TreeEnsemble], from base: Int, bound: Double, samples: [[Double]]) -> Int {
        let limit = min(50, 40 - ceilLog2(bound))
        struct Split: Hashable { var feature: Int, threshold: Double, mode: TreeBranchMode }
        var splits: [Split] = []
        var seen = Set<Split>()
        for e in ensembles {
            for tree in e.trees {
                for node in tree {
                    guard let mode = node.mode, node.threshold.isFinite else { continue }
                    let sp = Split(feature: node.feature, threshold: node.threshold, mode: mode)
                    if seen.insert(sp).inserted { splits.append(sp) }
                }
            }
        }
        func exact(_ s: Int) -> Bool {
            let f = Double(sign: .plus, exponent: s, significand: 1)
            // (1) distinct thresholds per feature map to distinct floor(t·2^s).
            var cells: [Int: [Double: Double]] = [:]
            for sp in splits {
                let cell = (sp.threshold * f).rounded(.down)
                if let other = cells[sp.feature]?[cell], other != sp.threshold { return false }
                cells[sp.feature, default: [:]][cell] = sp.threshold
            }
            // (2) the calibration samples' decisions survive rounding.
            for x in samples {
                for sp in splits where sp.feature < x.count {
                    let q = (x[sp.feature] * f).rounded() / f
                    if sp.mode.decide(q, sp.threshold) != sp.mode.decide(x[sp.feature], sp.threshold) { return false }
                }
            }
            return true
        }
        var s = base
        while s < limit && !exact(s) { s += 1 }
        // When the data needed a finer grid than the default, 4 more bits (a 16× finer grid) keep inputs that are not
        // among the calibration samples, but as close to a threshold as they come, on the same side too.
        return s > base ? min(limit, s + 4) : s
    }

    /// Extra fraction bits of a tree ensemble's leaves over its output's calibrated scale (its sums are free).
    static let treeExtraBits = 8

    /// Signed bit widths for private weights and biases: from the largest magnitude only, so the
    /// circuit's shape reveals no more than the bit length of max |w| (and of max |b|).

    static func privateBits(_ w: [Int], _ b: [Int]) -> (weights: Int, bias: Int) {
        let mw = w.reduce(0) { max($0, abs($1)) }, mb = b.reduce(0) { max($0, abs($1)) }
        return (signedBitWidth(lo: -mw, hi: mw), signedBitWidth(lo: -mb, hi: mb))
    }

    static func weightScale(_ w: [Double], _ n: Int) -> Int {
        let m = w.reduce(0) { max($0, abs($1)) }
        return min(30, max(0, n - (m > 0 ? ceilLog2(m) : 0)))
    }

    static func quantizeAll(_ w: [Double], _ scale: Int, _ layer: String) throws -> [Int] {
        let f = Double(sign: .plus, exponent: scale, significand: 1)
        return try w.map { x in
            let q = (x * f).rounded()
            guard abs(q) < Double(boundLimit) else { throw ModelError.quantizationOverflow("layer '\(layer)': constant \(x) at scale 2^\(scale)") }
            return Int(q)
        }
    }

    /// Appends ops and computes every new tensor's bounds.
    struct Builder {
        var tensors: [QTensor] = []
        var nodes: [QNode] = []

        mutating func append(_ op: QOp, name: String, shape: [Int], scale: Int, layer: String, onnxOp: String,
                             privateBits: (weights: Int, bias: Int)? = nil) throws -> Int {
            let (lo, hi) = try Bounds.of(op, tensors, layer: layer, privateBits: privateBits)
            tensors.append(QTensor(name: name, shape: shape, scale: scale, lo: lo, hi: hi))
            nodes.append(QNode(op: op, output: tensors.count - 1, layer: layer, onnxOp: onnxOp,
                               weightBits: privateBits?.weights, biasBits: privateBits?.bias))
            return tensors.count - 1
        }

        mutating func rescale(_ x: Int, to target: Int, relu: Bool, name: String, layer: String, onnxOp: String) throws -> Int {
            let shift = max(0, tensors[x].scale - target)
            return try append(.rescale(input: x, shift: shift, relu: relu), name: name, shape: tensors[x].shape,
                              scale: tensors[x].scale - shift, layer: layer, onnxOp: onnxOp)
        }
    }
}

/// Interval arithmetic over the integer ops (checked: any bound beyond ±2^60 is an error).
enum Bounds {
    static func check(_ v: Int, _ layer: String) throws -> Int {
        guard v > -boundLimit, v < boundLimit else {
            throw ModelError.quantizationOverflow("layer '\(layer)': values may reach 2^60; lower --scale-bits")
        }
        return v
    }

    /// `w·lo` and `w·hi` in order, saturated to ±2^61 (beyond the ±2^60 `check` limit, so a
    /// saturated value is always reported, and sums of two saturated values cannot overflow).
    static func mulRange(_ w: Int, _ lo: Int, _ hi: Int) -> (Int, Int) {
        let a = saturatingProduct(w, lo), b = saturatingProduct(w, hi)
        return (min(a, b), max(a, b))
    }

    static func saturatingProduct(_ a: Int, _ b: Int) -> Int {
        let p = a.multipliedReportingOverflow(by: b)
        if p.overflow { return (a < 0) == (b < 0) ? 2 * boundLimit : -2 * boundLimit }
        return max(-2 * boundLimit, min(2 * boundLimit, p.partialValue))
    }

    /// A sum saturated to ±2^61 (inputs must lie within ±2^62).
    static func saturatingSum(_ v: [Int]) -> Int {
        v.reduce(0) { max(-2 * boundLimit, min(2 * boundLimit, $0 + $1)) }
    }

    /// `(min, max)` of `w·x` over `w ∈ [wl, wh]`, `x ∈ [xl, xh]`.
    static func productRange(_ wl: Int, _ wh: Int, _ xl: Int, _ xh: Int) -> (Int, Int) {
        let (a, b) = mulRange(wl, xl, xh), (c, d) = mulRange(wh, xl, xh)
        return (min(a, c), max(b, d))
    }

    /// Bounds of a node's output. With `privateBits`, dense/conv bounds hold for *every* weight in
    /// `[−2^(wb−1), 2^(wb−1))` and bias in `[−2^(bb−1), 2^(bb−1))`: the circuit's shape then does not
    /// depend on the secret weights.
    static func of(_ op: QOp, _ t: [QTensor], layer: String, privateBits: (weights: Int, bias: Int)? = nil) throws -> ([Int], [Int]) {
        if let (wb, bb) = privateBits {
            let wl = -(1 << (wb - 1)), wh = (1 << (wb - 1)) - 1, bl = -(1 << (bb - 1)), bh = (1 << (bb - 1)) - 1
            switch op {
            case .dense(let i, _, _, let nIn, let nOut):
                var l = bl, h = bh
                for k in 0..<nIn {
                    let (a, c) = productRange(wl, wh, t[i].lo[k], t[i].hi[k])
                    l = try check(l + a, layer); h = try check(h + c, layer)
                }
                return (Array(repeating: l, count: nOut), Array(repeating: h, count: nOut))
            case .conv(let i, _, _, let m, let geo):
                let oh = geo.outHeight, ow = geo.outWidth
                var lo = [Int](repeating: 0, count: m * oh * ow), hi = lo
                for o in 0..<m {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var l = bl, h = bh
                            geo.taps(o, of: m, oy, ox) { _, idx in
                                let (a, d) = productRange(wl, wh, t[i].lo[idx], t[i].hi[idx])
                                l = max(-boundLimit, l + a); h = min(boundLimit, h + d)
                            }
                            _ = try check(l, layer); _ = try check(h, layer)
                            lo[(o * oh + oy) * ow + ox] = l; hi[(o * oh + oy) * ow + ox] = h
                        }
                    }
                }
                return (lo, hi)
            default: break
            }
        }
        if let r = try nonlinear(op, t, layer: layer) { return r }
        switch op {
        case .dense(let i, let w, let b, let nIn, let nOut):
            var lo = [Int](repeating: 0, count: nOut), hi = lo
            for o in 0..<nOut {
                var l = b[o], h = b[o]
                for k in 0..<nIn where w[o * nIn + k] != 0 {
                    let (a, c) = mulRange(w[o * nIn + k], t[i].lo[k], t[i].hi[k])
                    l = try check(l + a, layer); h = try check(h + c, layer)
                }
                lo[o] = l; hi[o] = h
            }
            return (lo, hi)
        case .conv(let i, let w, let b, let m, let geo):
            let oh = geo.outHeight, ow = geo.outWidth
            var lo = [Int](repeating: 0, count: m * oh * ow), hi = lo
            for o in 0..<m {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var l = b[o], h = b[o]
                        var failed = false
                        geo.taps(o, of: m, oy, ox) { wi, idx in
                            guard !failed else { return }
                            let (a, d) = mulRange(w[wi], t[i].lo[idx], t[i].hi[idx])
                            l += a; h += d
                            if abs(l) >= boundLimit || abs(h) >= boundLimit { failed = true }
                        }
                        if failed { throw ModelError.quantizationOverflow("layer '\(layer)': values may reach 2^60; lower --scale-bits") }
                        let p = (o * oh + oy) * ow + ox
                        lo[p] = l; hi[p] = h
                    }
                }
            }
            return (lo, hi)
        case .affine(let i, let mul, let add):
            var lo = t[i].lo, hi = t[i].hi
            for k in lo.indices {
                let (a, c) = mulRange(mul[k], t[i].lo[k], t[i].hi[k])
                lo[k] = try check(a + add[k], layer); hi[k] = try check(c + add[k], layer)
            }
            return (lo, hi)
        case .add(let a, let b, let sa, let sb, let sign):
            var lo = t[a].lo, hi = t[a].hi
            for k in lo.indices {
                let (al, ah) = mulRange(1 << sa, t[a].lo[k], t[a].hi[k])
                let (bl, bh) = mulRange(sign << sb, t[b].lo[k], t[b].hi[k])
                lo[k] = try check(al + bl, layer); hi[k] = try check(ah + bh, layer)
            }
            return (lo, hi)
        case .rescale(let i, let shift, let relu):
            func r(_ x: Int) -> Int { shift == 0 ? x : floorDiv(x + (1 << (shift - 1)), 1 << shift) }
            return (t[i].lo.map { relu ? max(0, r($0)) : r($0) }, t[i].hi.map { relu ? max(0, r($0)) : r($0) })
        case .leakyRelu(let i, let alpha, let bits):
            var lo = t[i].lo, hi = t[i].hi
            for k in lo.indices {
                let cands = [t[i].lo[k], t[i].hi[k], 0].map { $0 >= 0 ? saturatingProduct($0, 1 << bits) : saturatingProduct(alpha, $0) }
                let l = t[i].lo[k], h = t[i].hi[k]
                let vals = cands.enumerated().filter { $0.offset < 2 || (l <= 0 && h >= 0) }.map { $0.element }
                lo[k] = try check(vals.min()!, layer); hi[k] = try check(vals.max()!, layer)
            }
            return (lo, hi)
        case .clamp(let i, let mn, let mx):
            return (t[i].lo.map { x in min(mx ?? Int.max, max(mn ?? Int.min, x)) }, t[i].hi.map { x in min(mx ?? Int.max, max(mn ?? Int.min, x)) })
        case .maxPool(let i, let geo):
            return (geo.pool(t[i].lo) { v, _ in v.max()! }, geo.pool(t[i].hi) { v, _ in v.max()! })
        case .sumPool(let i, let geo, let mult):
            let per = geo.outHeight * geo.outWidth
            let lo = geo.pool(t[i].lo) { v, p in saturatingProduct(saturatingSum(v), mult[p % per]) }
            let hi = geo.pool(t[i].hi) { v, p in saturatingProduct(saturatingSum(v), mult[p % per]) }
            for v in lo + hi { _ = try check(v, layer) }
            return (lo, hi)
        case .gather(let i, let idx): return (idx.map { t[i].lo[$0] }, idx.map { t[i].hi[$0] })
        case .argMax(let i): return ([0], [t[i].count - 1])
        case .rewire(let inputs, let sources, let constants, let shifts):
            var flatLo: [Int] = [], flatHi: [Int] = []
            for (k, x) in inputs.enumerated() {
                for e in 0..<t[x].count {
                    let (l, h) = mulRange(1 << shifts[k], t[x].lo[e], t[x].hi[e])
                    flatLo.append(try check(l, layer)); flatHi.append(try check(h, layer))
                }
            }
            return (sources.map { $0 >= 0 ? flatLo[$0] : constants[-1 - $0] }, sources.map { $0 >= 0 ? flatHi[$0] : constants[-1 - $0] })
        case .embedding(let i, let table, let rows, let width):
            // Per output element: the extremes of its table column over the rows the id may take.
            var lo: [Int] = [], hi: [Int] = []
            for k in 0..<t[i].count {
                let first = max(0, t[i].lo[k]), last = min(rows - 1, t[i].hi[k])
                for d in 0..<width {
                    var l = Int.max, h = Int.min
                    for r in first...max(first, last) where r <= last { l = min(l, table[r * width + d]); h = max(h, table[r * width + d]) }
                    if l > h { l = 0; h = 0 }
                    lo.append(l); hi.append(h)
                }
            }
            return (lo, hi)
        case .extremum(let a, let b, let sa, let sb, let sign, let isMax):
            var lo = t[a].lo, hi = t[a].hi
            for k in lo.indices {
                let (al, ah) = mulRange(1 << sa, t[a].lo[k], t[a].hi[k])
                let (bl, bh) = mulRange(sign << sb, t[b].lo[k], t[b].hi[k])
                lo[k] = try check(isMax ? max(al, bl) : min(al, bl), layer)
                hi[k] = try check(isMax ? max(ah, bh) : min(ah, bh), layer)
            }
            return (lo, hi)
        case .bilinear(let a, let b, let left, let right, let terms):
            let n = terms > 0 ? left.count / terms : 0
            var lo = [Int](repeating: 0, count: n), hi = lo
            for k in 0..<n {
                var l = 0, h = 0
                for s in 0..<terms {
                    let i = left[k * terms + s], j = right[k * terms + s]
                    var (pl, ph) = productRange(t[a].lo[i], t[a].hi[i], t[b].lo[j], t[b].hi[j])
                    if a == b && i == j {
                        // A square: never negative (exact: x·x for x in [lo, hi]).
                        let (l, h) = (t[a].lo[i], t[a].hi[i])
                        pl = l > 0 ? saturatingProduct(l, l) : (h < 0 ? saturatingProduct(h, h) : 0)
                    }
                    l = try check(l + pl, layer); h = try check(h + ph, layer)
                }
                lo[k] = l; hi[k] = h
            }
            return (lo, hi)
        case .tabulated, .softmax, .layerNorm, .squareRoot, .reciprocal, .logSoftmax, .normalize:
            preconditionFailure("handled by Bounds.nonlinear")
        case .treeEnsemble(_, let e): return try e.bounds(layer: layer)
        }
    }
}

/// `round(bound·2^scale)` computed exactly as the quantizer computes the input tensor's bound, for a power-of-two
/// `bound`; throws for a bound that is not one or a result beyond 2^60.
public func quantizedInputBound(_ bound: Double, scale: Int) throws -> Int {
    let e = ceilLog2(bound)
    guard bound.isFinite, bound > 0, Double(sign: .plus, exponent: e, significand: 1) == bound, (0...60).contains(scale) else {
        throw ModelError.invalidClaim("quantization.inputBound \(bound) is not a power of two")
    }
    let k = e + scale
    guard k < 60 else { throw ModelError.invalidClaim("quantization.inputBound·2^scale reaches 2^60") }
    return k >= 0 ? 1 << k : (k == -1 ? 1 : 0)  // 0.5 rounds away from zero, smaller powers to 0
}

