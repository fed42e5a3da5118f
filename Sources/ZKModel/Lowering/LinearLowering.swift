// Linear ops: dense and conv layers with public weights, affine, add (exact scale alignment), sum pooling, gather and rewiring. Zero constraints — linear expressions over the input wires (the constraint system normalizes rows).

import ZKAlgebra
import ZKCircuit

extension CircuitLowering {
    /// Linear ops. Returns the output expressions.
    static func lowerLinear(_ ctx: LoweringContext, _ node: QNode) throws -> [LinearExpression] {
        let t = ctx.t
        switch node.op {
        case .dense(let i, let w, let bias, let nIn, let nOut):
            let x = t[i]
            let wf = w.map { Fr(signed: Int64($0)) }
            return (0..<nOut).map { o in
                var e = LinearExpression.constant(Fr(signed: Int64(bias[o])))
                for k in 0..<nIn where w[o * nIn + k] != 0 { e += x[k] * wf[o * nIn + k] }
                return e
            }
        case .conv(let i, let w, let bias, let mOut, let geo):
            let x = t[i]
            let wf = w.map { Fr(signed: Int64($0)) }
            let oh = geo.outHeight, ow = geo.outWidth
            var res = [LinearExpression](repeating: LinearExpression(), count: mOut * oh * ow)
            for o in 0..<mOut {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var e = LinearExpression.constant(Fr(signed: Int64(bias[o])))
                        geo.taps(o, of: mOut, oy, ox) { wi, xi in if w[wi] != 0 { e += x[xi] * wf[wi] } }
                        res[(o * oh + oy) * ow + ox] = e  // rows are normalized by the constraint system
                    }
                }
            }
            return res
        case .affine(let i, let mul, let add):
            return t[i].indices.map { k in
                (t[i][k] * Fr(signed: Int64(mul[k])) + Fr(signed: Int64(add[k]))).simplified()
            }
        case .add(let a, let c, let sa, let sc, let sign):
            let fa = Fr(signed: Int64(1 << sa)), fc = Fr(signed: Int64(sign << sc))
            return t[a].indices.map { k in (t[a][k] * fa + t[c][k] * fc).simplified() }
        case .sumPool(let i, let geo, let mult):
            let oh = geo.outHeight, ow = geo.outWidth, per = oh * ow
            var res = [LinearExpression](repeating: LinearExpression(), count: geo.channels * per)
            for c in 0..<geo.channels {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var e = LinearExpression()
                        geo.window(oy, ox) { _, _, y, xx in e += t[i][(c * geo.height + y) * geo.width + xx] }
                        let o = (c * oh + oy) * ow + ox
                        res[o] = e * Fr(signed: Int64(mult[o % per]))
                    }
                }
            }
            return res
        case .gather(let i, let idx):
            return idx.map { t[i][$0] }
        case .rewire(let inputs, let sources, let constants, let shifts):
            // Linear expressions only (zero constraints): exact shifts align the scales, constants are constants.
            let flat = inputs.enumerated().flatMap { k, x in t[x].map { shifts[k] == 0 ? $0 : $0 * Fr(2).power(UInt64(shifts[k])) } }
            return sources.map { $0 >= 0 ? flat[$0] : LinearExpression.constant(Fr(signed: Int64(constants[-1 - $0]))) }
        default:
            throw ModelError.invalidCircuit("internal: lowerLinear cannot lower \(node.op.kind)")
        }
    }
}
