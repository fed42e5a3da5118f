// What the model digest covers (the weight-free view) and the structural validation of a decoded circuit.json,
// so a hand-edited or hostile file gives an error rather than a trap.

import Foundation
import ZKAlgebra
import ZKConstraints
import ZKFormats
import ZKGroth16
import ZKSodium

extension QuantizedModel {
    /// Whether this is a weight-free public view (``publicView``) of a private-weights model: private weights,
    /// no salt, and every private layer's weights and biases removed.
    public var isPublicPart: Bool {
        guard visibility.weights == .private, weightSalt == nil else { return false }
        return nodes.allSatisfy { n in
            guard n.hasPrivateWeights else { return true }
            switch n.op {
            case .dense(_, let w, let b, _, _), .conv(_, let w, let b, _, _): return w.isEmpty && b.isEmpty
            default: return true
            }
        }
    }

    /// What the model digest covers: everything, except that with private weights the weights,
    /// biases and salt are removed (they are bound by the commitment instead). The ONNX digest is
    /// kept in both cases; with private weights it is the salted ``QuantizedModel/onnxCommitment(fileDigest:salt:)``,
    /// not a plain hash of the file.
    public var publicView: QuantizedModel {
        guard visibility.weights == .private else { return self }
        var m = self
        m.weightSalt = nil
        for k in m.nodes.indices where m.nodes[k].hasPrivateWeights {
            switch m.nodes[k].op {
            case .dense(let i, _, _, let nIn, let nOut): m.nodes[k].op = .dense(input: i, weights: [], bias: [], inFeatures: nIn, outFeatures: nOut)
            case .conv(let i, _, _, let mm, let g): m.nodes[k].op = .conv(input: i, weights: [], bias: [], outChannels: mm, geometry: g)
            default: break
            }
        }
        return m
    }

    /// Structural validation of a decoded model (every index in range, sizes consistent), so a
    /// hand-edited or corrupt circuit.json gives an error rather than a trap.
    public func validate() throws {
        func fail(_ m: String) -> ModelError { .invalidCircuit(m) }
        guard formatVersion == QuantizedModel.formatVersion else { throw fail("format version \(formatVersion), expected \(QuantizedModel.formatVersion)") }
        guard !tensors.isEmpty, tensors.count == nodes.count + 1 else { throw fail("tensor/node counts disagree") }
        guard visibility.output == "public" else { throw fail("visibility.output must be \"public\"") }
        guard (2...24).contains(scaleBits), inputBound.isFinite, inputBound > 0,
              Double(sign: .plus, exponent: ceilLog2(inputBound), significand: 1) == inputBound else { throw fail("bad quantization settings (the input bound must be a power of two)") }
        for (k, t) in tensors.enumerated() {
            guard t.lo.count == t.hi.count, t.shape.allSatisfy({ $0 >= 1 }), t.shape.reduce(1, { $0 &* $1 }) == t.count,
                  t.count <= ONNXImporter.maxTensorElements, (0...60).contains(t.scale) else { throw fail("tensor \(k) is malformed") }
            for i in 0..<t.count where t.lo[i] > t.hi[i] || t.lo[i] <= -boundLimit || t.hi[i] >= boundLimit { throw fail("tensor \(k) bounds") }
        }
        for (k, n) in nodes.enumerated() {
            guard n.output == k + 1 else { throw fail("node \(k) output \(n.output)") }
            guard !n.op.inputs.isEmpty, n.op.inputs.allSatisfy({ $0 >= 0 && $0 <= k }) else { throw fail("node \(k) reads a later tensor") }
            let out = tensors[n.output]
            let inp = tensors[n.op.inputs[0]]
            func prod(_ xs: Int...) -> Int? { checkedProduct(xs) }
            func geoOK(_ g: WindowGeometry) -> Bool {
                // Every field small first, so the arithmetic below cannot overflow.
                let fields = [g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padTop, g.padLeft, g.padBottom, g.padRight,
                              g.groupCount, g.dilationH ?? 1, g.dilationW ?? 1]
                guard fields.allSatisfy({ $0 >= 0 && $0 <= ONNXImporter.maxTensorElements }) else { return false }
                return g.channels >= 1 && g.height >= 1 && g.width >= 1 && g.kernelH >= 1 && g.kernelW >= 1 && g.strideH >= 1 && g.strideW >= 1
                    && g.padTop >= 0 && g.padLeft >= 0 && g.padBottom >= 0 && g.padRight >= 0 && prod(g.channels, g.height, g.width) == inp.count
                    && g.groupCount >= 1 && g.channels % g.groupCount == 0 && (g.dilationH ?? 1) >= 1 && (g.dilationW ?? 1) >= 1
                    && g.height + g.padTop + g.padBottom >= (g.dilationH ?? 1) * (g.kernelH - 1) + 1
                    && g.width + g.padLeft + g.padRight >= (g.dilationW ?? 1) * (g.kernelW - 1) + 1
                    && g.padTop < (g.dilationH ?? 1) * (g.kernelH - 1) + 1 && g.padLeft < (g.dilationW ?? 1) * (g.kernelW - 1) + 1
            }
            /// Integer constants of the op stay below 2^60 like every bound (so bound arithmetic cannot overflow).
            func small(_ v: [Int]) -> Bool { v.allSatisfy { $0 > -boundLimit && $0 < boundLimit } }
            var ok = true
            switch n.op {
            case .dense(_, let w, let b, let nIn, let nOut):
                ok = nIn == inp.count && nOut == out.count && w.count == nIn * nOut && b.count == nOut && small(w) && small(b)
            case .conv(_, let w, let b, let m, let g):
                ok = geoOK(g) && m % g.groupCount == 0 && b.count == m && w.count == prod(m, g.channelsPerGroup, g.kernelH, g.kernelW)
                    && out.count == prod(m, g.outHeight, g.outWidth)
                    && small(w) && small(b)
            case .affine(_, let mul, let add): ok = mul.count == inp.count && add.count == inp.count && out.count == inp.count && small(mul) && small(add)
            case .add(let a, let b, let sa, let sb, let s):
                ok = tensors[a].count == out.count && tensors[b].count == out.count && (0...60).contains(sa) && (0...60).contains(sb) && abs(s) == 1
            case .rescale(_, let d, _): ok = (0...60).contains(d) && out.count == inp.count
            case .leakyRelu(_, let alpha, let bits): ok = (0...30).contains(bits) && out.count == inp.count && small([alpha])
            case .clamp(_, let lo, let hi): ok = out.count == inp.count && small([lo, hi].compactMap { $0 })
            case .maxPool(_, let g): ok = geoOK(g) && g.groups == nil && out.count == prod(g.channels, g.outHeight, g.outWidth)
            case .sumPool(_, let g, let mult):
                ok = geoOK(g) && g.groups == nil && out.count == prod(g.channels, g.outHeight, g.outWidth) && mult.count == g.outHeight * g.outWidth && small(mult)
            case .gather(_, let idx): ok = idx.count == out.count && idx.allSatisfy { $0 >= 0 && $0 < inp.count }
            case .rewire(let inputs, let sources, let constants, let shifts):
                let total = inputs.reduce(0) { $0 + tensors[$1].count }
                ok = !inputs.isEmpty && shifts.count == inputs.count && shifts.allSatisfy({ (0...60).contains($0) }) && small(constants)
                    && sources.count == out.count && sources.allSatisfy { $0 < total && $0 >= -constants.count }
            case .embedding(let i, let table, let rows, let width):
                // The interpreter indexes the table by the input's values: its bounds must lie inside the table.
                ok = i == 0 && tokenInput == true && rows >= 1 && width >= 1 && prod(rows, width) == table.count && small(table)
                    && prod(inp.count, width) == out.count && inp.lo.allSatisfy({ $0 >= 0 }) && inp.hi.allSatisfy({ $0 < rows })
            case .extremum(let a, let b, let sa, let sb, let s, _):
                ok = tensors[a].count == out.count && tensors[b].count == out.count && (0...60).contains(sa) && (0...60).contains(sb) && abs(s) == 1
            case .bilinear(let a, let b, let left, let right, let terms):
                let (na, nb) = (tensors[a].count, tensors[b].count)
                ok = terms >= 1 && terms <= ONNXImporter.maxTensorElements && left.count == right.count
                    && prod(out.count, terms) == left.count && left.allSatisfy({ $0 >= 0 && $0 < na }) && right.allSatisfy({ $0 >= 0 && $0 < nb })
            case .argMax: ok = out.count == 1 && inp.count >= 1
            case .tabulated(_, let table): ok = out.count == inp.count && table.isSafe(lo: inp.lo.min() ?? 0, hi: inp.hi.max() ?? 0)
            case .squareRoot, .reciprocal: ok = out.count == inp.count  // ranges checked by Bounds.nonlinear
            case .softmax(_, let n, _, _), .layerNorm(_, let n, _, _, _, _), .logSoftmax(_, let n, _, _, _, _), .normalize(_, let n, _, _):
                // Table, precision and magnitude checks are Bounds.nonlinear's (run below before any use).
                ok = out.count == inp.count && n >= 1 && inp.count % n == 0
            case .treeEnsemble(_, let e):
                if let problem = e.validate(inputCount: inp.count, outputCount: out.count) {
                    throw fail("node \(k) (trees, layer '\(n.layer)'): \(problem)")
                }
            }
            guard ok else { throw fail("node \(k) (\(n.op.kind), layer '\(n.layer)') has inconsistent sizes") }
            // Bounds must be what the compiler derives (they size the range checks).
            if let wb = n.weightBits, let bb = n.biasBits {
                guard visibility.weights == .private, (1...62).contains(wb), (1...62).contains(bb) else { throw fail("node \(k) private bit widths") }
                switch n.op {
                case .dense(_, let w, let b, _, _), .conv(_, let w, let b, _, _):
                    guard w.allSatisfy({ $0 >= -(1 << (wb - 1)) && $0 < 1 << (wb - 1) }), b.allSatisfy({ $0 >= -(1 << (bb - 1)) && $0 < 1 << (bb - 1) }) else {
                        throw fail("node \(k): a private weight exceeds its bit width")
                    }
                default: throw fail("node \(k): private bit widths on a \(n.op.kind) op")
                }
            } else if visibility.weights == .private {
                switch n.op {
                case .dense, .conv: throw fail("node \(k) lacks private bit widths")
                default: break
                }
            }
            if visibility.weights == .private, weightSalt.flatMap({ Fr(decimal: $0) }) == nil { throw fail("private weights need a salt") }
            let (lo, hi) = try Bounds.of(n.op, tensors, layer: n.layer,
                                         privateBits: n.weightBits.flatMap { w in n.biasBits.map { (w, $0) } })
            guard lo == out.lo, hi == out.hi else { throw fail("node \(k) bounds differ from the derived bounds") }
        }
        guard output >= 1, output < tensors.count else { throw fail("output index") }
        if let l = label {
            guard l.tensor >= 1, l.tensor < tensors.count, l.tensor != output, case .argMax(let scores) = nodes[l.tensor - 1].op,
                  l.classes.count == tensors[scores].count, l.classes.allSatisfy({ $0.utf8.count <= 1024 }) else {
                throw fail("label: not an argmax over as many scores as it has classes")
            }
        }
        if let ts = tensorScales, !ts.dropFirst().allSatisfy({ (0...30).contains($0) }) || !(0...50).contains(ts.first ?? 0) {
            throw fail("tensorScales must lie in 0...30 (the input's in 0...50)")
        }
        if tokenInput == true, tensors[0].scale != 0 || tensors[0].lo.contains(where: { $0 < 0 }) { throw fail("token input must be at scale 0 with ids ≥ 0") }
        if let d = calibrationDigest, !isCanonicalDigest(d) { throw fail("calibrationDigest is not 64 lowercase hex digits") }
    }
}
