// Embedding lookups: for each token id, `rows` boolean wires bᵥ with Σ bᵥ = 1 and Σ v·bᵥ = id (one-hot), and the
// output row Σ bᵥ·table[v] — linear in the booleans because the table is public. Cost: rows + 2 constraints per token.
//
// Soundness: the booleans sum to one, so exactly one bᵥ is 1 and Σ v·bᵥ is that v; the second constraint makes it the
// id. So the id is proven to be an integer in [0, rows) — whatever the input's own range check — and the output is
// exactly row `id` of the table.

import ZKAlgebra
import ZKCircuit

extension CircuitLowering {
    /// Embedding lookups of token ids. Returns the output expressions.
    static func lowerEmbedding(_ ctx: LoweringContext, _ node: QNode) throws -> [LinearExpression] {
        let b = ctx.b, t = ctx.t
        guard case .embedding(let i, let table, let rows, let width) = node.op else {
            throw ModelError.invalidCircuit("internal: lowerEmbedding cannot lower \(node.op.kind)")
        }
        var out: [LinearExpression] = []
        out.reserveCapacity(t[i].count * width)
        for id in t[i] {
            let value = b.value(of: id)
            var sum = LinearExpression(), weighted = LinearExpression()
            var selectors: [Variable] = []
            selectors.reserveCapacity(rows)
            for v in 0..<rows {
                let s = b.witness(value == Fr(UInt64(v)) ? .one : .zero)
                b.assertBoolean(s, label: "embedding.onehot")
                sum += s.linearExpression
                weighted += s.linearExpression * Fr(UInt64(v))
                selectors.append(s)
            }
            b.assertEqual(sum, LinearExpression.constant(.one), label: "embedding.one")
            b.assertEqual(weighted, id, label: "embedding.id")
            for d in 0..<width {
                var e = LinearExpression()
                for v in 0..<rows where table[v * width + d] != 0 { e += selectors[v].linearExpression * Fr(signed: Int64(table[v * width + d])) }
                out.append(e)
            }
        }
        return out  // the booleans and the two sums count as "other" in the cost split
    }
}
