// Products of two activations (element-wise Mul, MatMul of activations): one constraint per scalar product.

import ZKAlgebra
import ZKCircuit

extension CircuitLowering {
    /// Products of two activations (element-wise Mul, MatMul of activations). Returns the output expressions.
    static func lowerProduct(_ ctx: LoweringContext, _ node: QNode) throws -> [LinearExpression] {
        let b = ctx.b, t = ctx.t
        switch node.op {
        case .bilinear(let a, let c, let left, let right, let terms):
            // One constraint per scalar product; the sums are free.
            let mulBefore = b.constraintCount
            let out = (0..<(left.count / max(terms, 1))).map { k in
                var e = LinearExpression()
                for s in 0..<terms { e += b.mul(t[a][left[k * terms + s]], t[c][right[k * terms + s]], label: "product") }
                return e
            }
            ctx.split.multiplications += b.constraintCount - mulBefore
            return out
        default:
            throw ModelError.invalidCircuit("internal: lowerProduct cannot lower \(node.op.kind)")
        }
    }
}
