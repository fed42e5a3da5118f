// Element-wise tables, Softmax and LayerNormalization.
//
// Table (per element, x with bounds [lo, hi]): w = x − offset is decomposed into k signed bits (k from the bounds,
// at least shift + coreBits + 1): bits below `shift` are dropped (v = ⌊w / 2^shift⌋), the next coreBits bits are the
// core position (segment = its top segmentBits bits, step = the rest), the bits above it up to the sign are the
// overflow bits, the top bit is the sign. Then `z = isZero(Σ overflow bits)` (2 constraints; v < 2^coreBits iff
// z = 1 when v ≥ 0), the segment selection (PiecewiseTable.selectionCost) and
// `y = Lo(v) + sign·(Hi(v) − Lo(v) + z·(P − Hi(v)))` (2 products). The decomposition is unique (k ≤ 253), every
// other wire is a product of determined values, so y is determined by x: a wrong y fails some constraint.
// Cost: k + 4 + selectionCost(segmentBits) constraints per element (fewer when a tail cannot occur).

import ZKAlgebra
import ZKCircuit

extension CircuitLowering {
    /// One element of a table: `table.apply(x)` for x in `[lo, hi]`. With `nonNegative` the decomposition also proves
    /// `x − offset ≥ 0` (unsigned, no low tail) — Softmax relies on it for `mx − x_j ≥ 0`.
    /// `knots` is `table.knots` as field elements (converted once per op, not per element).
    static func tableElement(_ b: CircuitBuilder, _ x: LinearExpression, _ table: PiecewiseTable, knots: [Fr], lo: Int, hi: Int,
                             nonNegative: Bool, note: (Int) -> Void) -> LinearExpression {
        let d = table.shift, m = table.coreBits, h = table.segmentBits, l = table.stepBits
        let w = x - Fr(signed: Int64(table.offset))
        let k = max(signedBitWidth(lo: lo - table.offset, hi: hi - table.offset), d + m + 1)
        let bits: [LinearExpression]
        let sign: LinearExpression?  // nil: known non-negative
        let v: LinearExpression
        if nonNegative {
            // w ∈ [0, 2^(k−1)): the k − 1 bits are w's binary digits.
            bits = b.signedBits(w - Fr(2).power(UInt64(k - 2)), bits: k - 1, label: "table.bits").bits
            note(k - 1)
            sign = nil
            v = SignedBits(bits: bits).slice(from: d, to: k - 1)
        } else {
            let sb = b.signedBits(w, bits: k, label: "table.bits")
            note(k)
            bits = sb.bits
            sign = sb.nonNegative
            v = sb.slice(from: d, to: k) - Fr(2).power(UInt64(k - 1 - d))
        }
        // Overflow bits d+m ... k−2: all zero iff v < 2^m (given v ≥ 0).
        var inCore: LinearExpression? = nil
        if k - 2 >= d + m {
            var s = LinearExpression()
            for i in (d + m)...(k - 2) { s += bits[i] }
            inCore = b.isZero(s).linearExpression
        }
        let segment = Array(bits[(d + l)..<(d + m)])
        let step = SignedBits(bits: bits).slice(from: d, to: d + l)
        let p = b.piecewiseSelect(segment: segment, step: step, knots: knots, stepBits: l,
                                  lowBits: PiecewiseTable.selectionCost(segmentBits: h).lowBits)
        let high = v * Fr(signed: Int64(table.highMul)) + Fr(signed: Int64(table.highAdd))
        let low = v * Fr(signed: Int64(table.lowMul)) + Fr(signed: Int64(table.lowAdd))
        var inner = p
        if let z = inCore { inner = (high + b.mul(z, p - high, label: "table.high")).simplified() }
        guard let sign else { return inner }
        return (low + b.mul(sign, inner - low, label: "table.low")).simplified()
    }

    /// One Softmax row from element `r`: `δ_j = mx − x_j` with `mx` the row's maximum — a witness proven ≥ every x_j (the
    /// exp table's unsigned decomposition of δ_j) and equal to one of them (`Π δ_j = 0`: n − 1 products), so exactly
    /// the maximum — and `e_j = exp.apply(δ_j)`.
    static func softmaxRow(_ ctx: LoweringContext, _ i: Int, _ r: Int, _ n: Int, _ exp: PiecewiseTable) -> (deltas: [LinearExpression], e: [LinearExpression]) {
        let b = ctx.b, src = ctx.m.tensors[i]
        let row = Array(ctx.t[i][r..<(r + n)])
        let rowLo = src.lo[r..<(r + n)].min() ?? 0, rowHi = src.hi[r..<(r + n)].max() ?? 0
        let mx = b.witness(Fr(signed: Int64(row.map { b.value(of: $0).signedInt ?? 0 }.max() ?? 0))).linearExpression
        let deltas = row.map { (mx - $0).simplified() }
        var prod = deltas[0]
        if n == 1 { b.assertEqual(prod, LinearExpression(), label: "softmax.max") }
        for j in 1..<max(n, 1) {
            if j == n - 1 { b.assertMul(prod, deltas[j], equals: LinearExpression(), label: "softmax.max") }
            else { prod = b.mul(prod, deltas[j], label: "softmax.max").linearExpression }
        }
        let knots = exp.knots.map { Fr(signed: Int64($0)) }
        let e = deltas.map { tableElement(b, $0, exp, knots: knots, lo: 0, hi: rowHi - rowLo, nonNegative: true, note: { ctx.note($0) }) }
        return (deltas, e)
    }

    /// Tables, Softmax and LayerNormalization. Returns the output expressions; records range bits through `ctx.note`.
    static func lowerNonlinear(_ ctx: LoweringContext, _ node: QNode) throws -> [LinearExpression] {
        let b = ctx.b, m = ctx.m, t = ctx.t
        func note(_ k: Int) { ctx.note(k) }
        func unsignedBits(_ e: LinearExpression, _ k: Int, _ label: String) {
            _ = b.signedBits(e - Fr(2).power(UInt64(k - 1)), bits: k, label: label)  // 0 ≤ e < 2^k
            note(k)
        }
        func bitLength(_ v: Int) -> Int { max(1, Int.bitWidth - v.leadingZeroBitCount) }
        func intValue(_ e: LinearExpression) -> Int { b.value(of: e).signedInt ?? 0 }
        switch node.op {
        case .tabulated(let i, let table):
            let src = m.tensors[i]
            let knots = table.knots.map { Fr(signed: Int64($0)) }
            return t[i].indices.map { k in tableElement(b, t[i][k], table, knots: knots, lo: src.lo[k], hi: src.hi[k], nonNegative: false, note: note) }
        case .logSoftmax(let i, let n, let exp, let log, let sd, let sl):
            var out: [LinearExpression] = []
            let sMax = exp.range(lo: 0, hi: (m.tensors[i].hi.max() ?? 0) - (m.tensors[i].lo.min() ?? 0)).1 * n
            for r in stride(from: 0, to: t[i].count, by: n) {
                let (deltas, e) = softmaxRow(ctx, i, r, n, exp)
                let sum = e.reduce(LinearExpression(), +).simplified()
                // L = log table of S (S ∈ [exp(0), n·max e] since the maximum's own term is exp(0)).
                let l = tableElement(b, sum, log, knots: log.knots.map { Fr(signed: Int64($0)) }, lo: exp.apply(0), hi: sMax, nonNegative: false, note: note)
                let fd = Fr(2).power(UInt64(sd)), fl = Fr(2).power(UInt64(sl))
                out += deltas.map { (LinearExpression() - $0 * fd - l * fl).simplified() }
            }
            return out
        case .softmax(let i, let n, let exp, let p):
            var out: [LinearExpression] = []
            for r in stride(from: 0, to: t[i].count, by: n) {
                let (_, e) = softmaxRow(ctx, i, r, n, exp)
                let sum = e.reduce(LinearExpression(), +).simplified()
                // R = ⌊2^p / S⌋: R·S + rem = 2^p with 0 ≤ rem < S and 0 ≤ R < 2^kR; all below 2^(kR + kS + 1) ≪ r,
                // so this is an integer identity with a unique solution.
                let src = m.tensors[i]
                let (_, eMax) = exp.range(lo: 0, hi: (src.hi[r..<(r + n)].max() ?? 0) - (src.lo[r..<(r + n)].min() ?? 0))
                let sMin = exp.apply(0), sMax = eMax * n
                let kS = bitLength(sMax), kR = bitLength((1 << p) / max(1, sMin))
                let sv = intValue(sum)
                let rv = sv > 0 ? (1 << p) / sv : 0
                let recip = b.witness(Fr(signed: Int64(rv))).linearExpression
                let rem = b.witness(Fr(signed: Int64((1 << p) - rv * sv))).linearExpression
                b.assertMul(recip, sum, equals: LinearExpression.constant(Fr(2).power(UInt64(p))) - rem, label: "softmax.reciprocal")
                unsignedBits(recip, kR, "softmax.reciprocal.range")
                unsignedBits(rem, kS, "softmax.remainder")
                unsignedBits((sum - rem - Fr.one).simplified(), kS, "softmax.remainder")
                out += e.map { b.mul($0, recip, label: "softmax.scale").linearExpression }
            }
            return out
        case .layerNorm(let i, let n, let gamma, let beta, let eps, let p):
            let src = m.tensors[i]
            var out: [LinearExpression] = []
            let mx = max(abs(src.lo.min() ?? 0), abs(src.hi.max() ?? 0))
            let dMax = 4 * n * n * n * mx * mx + eps  // < 2^62 (Bounds.nonlinear)
            let kR = bitLength((1 << p) / max(1, Int(Double(eps).squareRoot().rounded(.down))))
            let k1 = 2 * p + 1
            let k2 = 4 + max(2 * p, bitLength(dMax) + 1, p + 1 + (bitLength(dMax) + 1) / 2)
            for r in stride(from: 0, to: t[i].count, by: n) {
                let row = Array(t[i][r..<(r + n)])
                let sum = row.reduce(LinearExpression(), +)
                let c = row.map { ($0 * Fr(UInt64(n)) - sum).simplified() }
                var dExpr = LinearExpression.constant(Fr(signed: Int64(eps)))
                for ci in c { dExpr += b.mul(ci, ci, label: "layernorm.square") }
                dExpr = dExpr.simplified()
                // R = ⌊2^p/√D⌋: R²·D ≤ 2^(2p) < (R+1)²·D with 0 ≤ R < 2^kR and D < 2^62, so R²·D < 2^(2kR+62) ≪ r:
                // integer inequalities, unique R.
                let rv = inverseSquareRoot(intValue(dExpr), precision: p)
                let recip = b.witness(Fr(signed: Int64(rv))).linearExpression
                unsignedBits(recip, kR, "layernorm.reciprocal.range")
                let r2 = b.mul(recip, recip, label: "layernorm.rsqrt")
                let r2d = b.mul(r2, dExpr, label: "layernorm.rsqrt")
                let rd = b.mul(recip, dExpr, label: "layernorm.rsqrt")
                let top = Fr(2).power(UInt64(2 * p))
                unsignedBits((LinearExpression.constant(top) - r2d).simplified(), k1, "layernorm.rsqrt.below")
                unsignedBits((r2d + rd * Fr(2) + dExpr - top - Fr.one).simplified(), k2, "layernorm.rsqrt.above")
                for (k, ci) in c.enumerated() {
                    let prod = b.mul(ci, recip, label: "layernorm.scale")
                    out.append((prod * Fr(signed: Int64(gamma[r + k])) + Fr(signed: Int64(beta[r + k]))).simplified())
                }
            }
            return out
        case .normalize(let i, let n, let l1, let p):
            // Per row: N = Σ|x| (|x| = max(x, −x), one signed decomposition and one product each) or D = Σx² (one
            // product each), plus isZero(N) (2 constraints: a zero row divides by 1 and stays zero); R a witness,
            // range-checked to kR bits; L1: R·N + rem = 2^p with 0 ≤ rem < N, L2:
            // R²·D ≤ 2^(2p) < (R+1)²·D — integer identities far below r (N, D < 2^62 by Bounds.nonlinear), so R is
            // unique; y_i = x_i·R (one product).
            let src = m.tensors[i]
            let mx = max(abs(src.lo.min() ?? 0), abs(src.hi.max() ?? 0))
            let kR = p + 1
            var out: [LinearExpression] = []
            for r in stride(from: 0, to: t[i].count, by: n) {
                let row = Array(t[i][r..<(r + n)])
                var acc = LinearExpression()
                if l1 {
                    for (k, x) in row.enumerated() {
                        let bits = signedBitWidth(lo: -2 * max(abs(src.lo[r + k]), abs(src.hi[r + k])), hi: 2 * max(abs(src.lo[r + k]), abs(src.hi[r + k])))
                        note(bits)
                        acc += b.maximum(x, x * -Fr.one, bits: bits)
                    }
                } else {
                    for x in row { acc += b.mul(x, x, label: "normalize.square") }
                }
                acc = (acc + b.isZero(acc.simplified())).simplified()
                let total = intValue(acc)
                let rv = l1 ? (1 << p) / max(1, total) : inverseSquareRoot(total, precision: p)
                let recip = b.witness(Fr(signed: Int64(rv))).linearExpression
                unsignedBits(recip, kR, "normalize.reciprocal.range")
                let top = Fr(2).power(UInt64(l1 ? p : 2 * p))
                let normMax = l1 ? n * mx + 1 : n * mx * mx + 1  // < 2^62
                if l1 {
                    let rn = b.mul(recip, acc, label: "normalize.reciprocal")
                    let rem = (LinearExpression.constant(top) - rn).simplified()
                    unsignedBits(rem, bitLength(normMax), "normalize.remainder")                        // rem ≥ 0
                    unsignedBits((acc - rem - Fr.one).simplified(), bitLength(normMax), "normalize.remainder")  // rem < N
                } else {
                    let r2 = b.mul(recip, recip, label: "normalize.rsqrt")
                    let r2d = b.mul(r2, acc, label: "normalize.rsqrt")
                    let rd = b.mul(recip, acc, label: "normalize.rsqrt")
                    unsignedBits((LinearExpression.constant(top) - r2d).simplified(), 2 * p + 1, "normalize.rsqrt.below")
                    unsignedBits((r2d + rd * Fr(2) + acc - top - Fr.one).simplified(), 4 + max(2 * p, bitLength(normMax) + 1, p + 1 + (bitLength(normMax) + 1) / 2),
                                 "normalize.rsqrt.above")
                }
                for x in row { out.append(b.mul(x, recip, label: "normalize.scale").linearExpression) }
            }
            return out
        case .squareRoot(let i, let shift):
            // y ∈ [0, 2^ky), r1 = X − y² and r2 = y² + 2y − X in [0, 2^(ky+1)) with X = x·2^shift: then
            // y² ≤ X < (y+1)² as integers (every value below 2^(2ky+2) ≪ r), so y = ⌊√X⌋. Cost: 3ky + 3.
            let src = m.tensors[i]
            let factor = Fr(2).power(UInt64(shift))
            return t[i].indices.map { k in
                let ky = bitLength(integerSquareRoot(src.hi[k] << shift))
                let x = t[i][k] * factor
                let y = b.witness(Fr(signed: Int64(integerSquareRoot(intValue(t[i][k]) << shift)))).linearExpression
                unsignedBits(y, ky, "sqrt.range")
                let y2 = b.mul(y, y, label: "sqrt.square").linearExpression
                unsignedBits((x - y2).simplified(), ky + 1, "sqrt.below")
                unsignedBits((y2 + y * Fr(2) - x).simplified(), ky + 1, "sqrt.above")
                return y
            }
        case .reciprocal(let i, let p):
            // y·x + rem = 2^p with 0 ≤ rem < x (rem and x − 1 − rem in kx bits) and y in ky bits: an integer identity
            // (below 2^(kx+ky+1) ≪ r) with the unique solution y = ⌊2^p/x⌋. Cost: 2kx + ky + 1.
            let src = m.tensors[i]
            return t[i].indices.map { k in
                let kx = bitLength(src.hi[k]), ky = bitLength((1 << p) / max(1, src.lo[k]))
                let xv = max(1, intValue(t[i][k]))
                let y = b.witness(Fr(signed: Int64((1 << p) / xv))).linearExpression
                let rem = b.witness(Fr(signed: Int64((1 << p) % xv))).linearExpression
                b.assertMul(y, t[i][k], equals: LinearExpression.constant(Fr(2).power(UInt64(p))) - rem, label: "reciprocal")
                unsignedBits(y, ky, "reciprocal.range")
                unsignedBits(rem, kx, "reciprocal.remainder")
                unsignedBits((t[i][k] - rem - Fr.one).simplified(), kx, "reciprocal.remainder")
                return y
            }
        default:
            throw ModelError.invalidCircuit("internal: lowerNonlinear cannot lower \(node.op.kind)")
        }
    }
}
