// Max pooling, element-wise max/min and argmax: one signed decomposition and one selection product per comparison.

import ZKAlgebra
import ZKCircuit

extension CircuitLowering {
    /// Max pooling, element-wise max/min and argmax. Returns the output expressions; records range bits through `ctx.note`.
    static func lowerComparison(_ ctx: LoweringContext, _ node: QNode) throws -> [LinearExpression] {
        let b = ctx.b, m = ctx.m, t = ctx.t
        func note(_ k: Int) { ctx.note(k) }
        switch node.op {
        case .maxPool(let i, let geo):
            // Widths from the bounds (completeness only): `maximum` proves the sign of a − b exactly for any accepted difference.
            let src = m.tensors[i]
            let oh = geo.outHeight, ow = geo.outWidth
            var res = [LinearExpression](repeating: LinearExpression(), count: geo.channels * oh * ow)
            for c in 0..<geo.channels {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        var cur: LinearExpression?
                        var curLo = 0, curHi = 0
                        geo.window(oy, ox) { _, _, y, xx in
                            let idx = (c * geo.height + y) * geo.width + xx
                            guard let m0 = cur else { cur = t[i][idx]; curLo = src.lo[idx]; curHi = src.hi[idx]; return }
                            let bits = signedBitWidth(lo: src.lo[idx] - curHi, hi: src.hi[idx] - curLo)
                            note(bits)
                            let nm = b.maximum(t[i][idx], m0, bits: bits)
                            cur = nm
                            curLo = max(curLo, src.lo[idx]); curHi = max(curHi, src.hi[idx])
                        }
                        res[(c * oh + oy) * ow + ox] = cur ?? LinearExpression()
                    }
                }
            }
            return res
        case .extremum(let a, let c, let sa, let sc, let sign, let isMax):
            // maximum() proves the sign of x − y exactly for any difference its decomposition accepts; the width
            // from the bounds only needs to admit honest values (completeness).
            let fa = Fr(2).power(UInt64(sa)), fc = Fr(signed: Int64(sign)) * Fr(2).power(UInt64(sc))
            return t[a].indices.map { k in
                let x = t[a][k] * fa, y = t[c][k] * fc
                let (xl, xh) = Bounds.mulRange(1 << sa, m.tensors[a].lo[k], m.tensors[a].hi[k])
                let (yl, yh) = Bounds.mulRange(sign << sc, m.tensors[c].lo[k], m.tensors[c].hi[k])
                let bits = signedBitWidth(lo: xl - yh, hi: xh - yl)
                note(bits)
                let mx = b.maximum(x, y, bits: bits)
                return isMax ? mx : (x + y - mx).simplified()
            }
        case .argMax(let i):
            // Widths from the bounds (completeness only): `greaterThan` proves each comparison exactly for any accepted difference.
            let src = m.tensors[i]
            var best = t[i][0], idx = LinearExpression()
            var bLo = src.lo[0], bHi = src.hi[0]
            for k in 1..<max(1, t[i].count) {
                let bits = signedBitWidth(lo: src.lo[k] - bHi - 1, hi: src.hi[k] - bLo - 1)
                note(bits)
                let g = b.greaterThan(t[i][k], best, bits: bits)
                best = best + b.mul(g, t[i][k] - best, label: "argmax.value")
                idx = idx + b.mul(g, Fr(signed: Int64(k)) - idx, label: "argmax.index")
                bLo = max(bLo, src.lo[k]); bHi = max(bHi, src.hi[k])
            }
            return [idx]
        default:
            throw ModelError.invalidCircuit("internal: lowerComparison cannot lower \(node.op.kind)")
        }
    }
}
