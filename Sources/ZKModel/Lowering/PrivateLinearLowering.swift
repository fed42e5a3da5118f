// Dense and conv layers with private weights: the weights and biases are range-checked witnesses recorded for the commitment, and every product with an activation is one constraint.

import ZKAlgebra
import ZKCircuit

extension CircuitLowering {
    /// Dense and conv layers with private weights. Returns the output expressions.
    static func lowerPrivateLinear(_ ctx: LoweringContext, _ node: QNode) throws -> [LinearExpression] {
        let b = ctx.b, t = ctx.t
        switch node.op {
        case .dense(let i, let w, let bias, let nIn, let nOut) where node.hasPrivateWeights:
            let (wv, bv) = privateParameters(b, node, w, bias, &ctx.committed, ctx.note)
            let x = t[i]
            let mulBefore = b.constraintCount
            let out = (0..<nOut).map { o in
                var e = bv[o].linearExpression
                for k in 0..<nIn { e += b.mul(wv[o * nIn + k], x[k], label: "dense.mul") }
                return e
            }
            ctx.split.multiplications += b.constraintCount - mulBefore
            return out
        case .conv(let i, let w, let bias, let mOut, let geo) where node.hasPrivateWeights:
            let (wv, bv) = privateParameters(b, node, w, bias, &ctx.committed, ctx.note)
            let x = t[i]
            let oh = geo.outHeight, ow = geo.outWidth
            let mulBefore = b.constraintCount
            var res = [LinearExpression](repeating: LinearExpression(), count: mOut * oh * ow)
            for o in 0..<mOut {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var e = bv[o].linearExpression
                        geo.taps(o, of: mOut, oy, ox) { wi, xi in e += b.mul(wv[wi], x[xi], label: "conv.mul") }
                        res[(o * oh + oy) * ow + ox] = e
                    }
                }
            }
            let out = res
            ctx.split.multiplications += b.constraintCount - mulBefore
            return out
        default:
            throw ModelError.invalidCircuit("internal: lowerPrivateLinear cannot lower \(node.op.kind)")
        }
    }
}
