// Rescale (fused ReLU), LeakyReLU and Clip: one signed decomposition per element, sized by the bounds.

import ZKAlgebra
import ZKCircuit

extension CircuitLowering {
    /// Rescale (fused ReLU), LeakyReLU and Clip. Returns the output expressions; records range bits through `ctx.note`.
    static func lowerRescale(_ ctx: LoweringContext, _ node: QNode) throws -> [LinearExpression] {
        let b = ctx.b, m = ctx.m, t = ctx.t
        func note(_ k: Int) { ctx.note(k) }
        switch node.op {
        case .rescale(let i, let d, let relu):
            // The width only needs to admit honest values: the decomposition proves the quotient exactly for any
            // value it accepts (FixedPointGadgets.rescale), so soundness does not rest on the bounds here.
            let src = m.tensors[i]
            let half = d > 0 ? 1 << (d - 1) : 0
            return t[i].indices.map { k in
                let bits = max(d + 1, signedBitWidth(lo: src.lo[k] + half, hi: src.hi[k] + half))
                note(bits)
                return b.rescale(t[i][k], shift: d, bits: bits, relu: relu)
            }
        case .leakyRelu(let i, let alpha, let abits):
            // Width from the bounds (completeness only): the decomposition proves the sign exactly.
            let src = m.tensors[i]
            let up = Fr(2).power(UInt64(abits)), fa = Fr(signed: Int64(alpha))
            return t[i].indices.map { k in
                let bits = signedBitWidth(lo: src.lo[k], hi: src.hi[k])
                note(bits)
                let s = b.signedBits(t[i][k], bits: bits).nonNegative
                let pos = b.mul(s, t[i][k], label: "leakyrelu.select")  // x if x ≥ 0 else 0
                // y = α·x + (2^abits − α)·pos
                return (t[i][k] * fa + pos * (up - fa)).simplified()
            }
        case .clamp(let i, let mn, let mx):
            let src = m.tensors[i]
            return t[i].indices.map { k in
                var e = t[i][k]
                var lo = src.lo[k], hi = src.hi[k]
                // A side is dropped only when [lo, hi] says it cannot trigger. Justified by the exact input range
                // check (assertInRange, or the verifier's integer check of a public input) and the induction in the
                // header comment: no satisfying witness puts x outside [lo, hi].
                if let mn, lo < mn {
                    // max(x, mn) = mn + relu(x − mn)
                    let bits = signedBitWidth(lo: lo - mn, hi: hi - mn)
                    note(bits)
                    e = b.rescale(e - Fr(signed: Int64(mn)), shift: 0, bits: bits, relu: true) + Fr(signed: Int64(mn))
                    lo = max(lo, mn); hi = max(hi, mn)
                }
                if let mx, hi > mx {
                    // min(x, mx) = mx − relu(mx − x)
                    let bits = signedBitWidth(lo: mx - hi, hi: mx - lo)
                    note(bits)
                    e = LinearExpression.constant(Fr(signed: Int64(mx))) - b.rescale(Fr(signed: Int64(mx)) - e, shift: 0, bits: bits, relu: true)
                }
                return e
            }
        default:
            throw ModelError.invalidCircuit("internal: lowerRescale cannot lower \(node.op.kind)")
        }
    }
}
