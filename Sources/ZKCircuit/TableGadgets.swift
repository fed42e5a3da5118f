import ZKAlgebra
import ZKConstraints

extension CircuitBuilder {
    /// Piecewise-linear interpolation selected by bits: for the segment `i = Σ 2^j·segment[j]` (boolean expressions,
    /// already constrained by the caller's decomposition) and a step `t`,
    /// `y = knots[i]·2^stepBits + (knots[i+1] − knots[i])·t`.
    ///
    /// The low `lowBits` segment bits are expanded into a one-hot vector `f` (products of bits; the last entry of each
    /// level is the bit minus the others, free), `g_j = f_j·t` (the last one free), and the `2^(h − lowBits)` partial
    /// sums `M_e = Σ_j (knots·2^l·f_j + Δ·g_j)` are linear; a mux tree over the high bits picks one (one product per mux).
    /// Cost: `(2^lowBits − 1 − lowBits) + (2^lowBits − 1) + (2^(h − lowBits) − 1)` constraints.
    /// Every product is a constraint and the bits are fixed by the caller, so `y` is determined (no free wire).
    ///
    /// - Precondition: `knots.count == 2^segment.count + 1`, `0 ≤ lowBits ≤ segment.count`.
    public func piecewiseSelect(segment s: [LinearExpression], step t: LinearExpression, knots: [Fr], stepBits l: Int, lowBits h2: Int) -> LinearExpression {
        let h = s.count
        precondition(knots.count == (1 << h) + 1 && h2 >= 0 && h2 <= h, "piecewiseSelect: bad table")
        // One-hot of the low h2 bits.
        var onehot: [LinearExpression] = [LinearExpression.constant(.one)]
        for j in 0..<h2 {
            var next = [LinearExpression](repeating: LinearExpression(), count: onehot.count * 2)
            var taken = LinearExpression()
            for (i, p) in onehot.enumerated() {
                let hi: LinearExpression
                if j == 0 { hi = s[j] }
                else if i == onehot.count - 1 { hi = (s[j] - taken).simplified() }  // Σ_i p_i = 1, so Σ_i p_i·s = s
                else { hi = mul(p, s[j], label: "table.onehot").linearExpression; taken += hi }
                next[i + (1 << j)] = hi
                next[i] = (p - hi).simplified()
            }
            onehot = next
        }
        // g_j = f_j·t.
        var g: [LinearExpression] = []
        var sumG = LinearExpression()
        for j in onehot.indices {
            if j == onehot.count - 1 { g.append((t - sumG).simplified()) }  // Σ_j f_j = 1
            else { let w = mul(onehot[j], t, label: "table.step").linearExpression; g.append(w); sumG += w }
        }
        let scale = Fr(2).power(UInt64(l))
        // Partial sums for each value of the high bits.
        var level: [LinearExpression] = (0..<(1 << (h - h2))).map { e in
            var acc = LinearExpression()
            for j in onehot.indices {
                let i = (e << h2) + j
                acc += onehot[j] * (knots[i] * scale)
                acc += g[j] * (knots[i + 1] - knots[i])
            }
            return acc.simplified()
        }
        // Mux tree over the high bits, lowest first.
        for bit in h2..<h {
            level = stride(from: 0, to: level.count, by: 2).map { p in
                let a = level[p], c = level[p + 1]
                return (a + mul(s[bit], c - a, label: "table.mux")).simplified()
            }
        }
        return level[0]
    }
}
