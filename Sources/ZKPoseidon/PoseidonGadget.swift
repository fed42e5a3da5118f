import ZKAlgebra
import ZKCircuit

/// Poseidon gadgets: the same functions as ``Poseidon``, as constraints.
///
/// Cost model. Round constants and the MDS layer are linear, so they are kept as linear
/// expressions (free). Each S-box `y = x⁵` costs 3 constraints and 3 wires:
/// `x · x = x2`, `x2 · x2 = x4`, `x4 · x = y` (labels `poseidon.x2`, `poseidon.x4`, `poseidon.x5`).
/// An S-box whose input is a constant (no wire) is evaluated natively and costs nothing — e.g.
/// lane 0 of the first round of a hash, whose capacity is the constant 0.
/// One permutation of width t on wire inputs therefore costs `3 · (R_F · t + R_P)` constraints,
/// a hash `3 · (R_F · t + R_P − 1) + 1` (the capacity lane's first S-box is free; the `+ 1` is the
/// output wire, see ``CircuitBuilder/poseidon(_:)``).
///
/// Expression size. Inside the partial rounds lanes 1…t−1 are never materialised: every lane is
/// kept as a *merged* linear combination over the t wires of the last full round plus the S-box
/// outputs of the partial rounds so far (and the constant), so after k partial rounds no lane has
/// more than `t + k + 1` terms (at most `t + R_P + 1 ≤ 86`), and a partial-round S-box constraint
/// has at most `3(t + k + 1) + 3` terms. Full rounds reset the basis to their t output wires.
///
/// Soundness: every wire these gadgets create is fully determined by their inputs
/// (each S-box wire is the product of determined values; the output wire of `poseidon` /
/// `poseidonMany` is pinned by one equality constraint).
extension CircuitBuilder {
    /// The circomlib Poseidon hash of 1…16 inputs as a new private wire; equals
    /// ``Poseidon/hash(_:)`` of the inputs' values.
    ///
    /// Cost (inputs not constant): `3 · (8t + R_P − 1) + 1` constraints for t = n + 1 — the hash
    /// expression (``poseidonExpression(_:)``) plus one constraint `(out − expr) · 1 = 0`
    /// (label `poseidon.out`). See the extension's documentation for the per-width table.
    ///
    /// - Throws: ``PoseidonError/invalidInputCount(_:)`` unless `1 ≤ inputs.count ≤ 16`.
    public func poseidon(_ inputs: [some LinearExpressible]) throws(PoseidonError) -> Variable {
        materialise(try poseidonExpression(inputs))
    }

    /// The circomlib Poseidon hash of 1…16 inputs as a linear expression (over S-box wires), without
    /// the output wire: one constraint cheaper than ``poseidon(_:)``, for results fed into further
    /// linear arithmetic.
    ///
    /// - Throws: ``PoseidonError/invalidInputCount(_:)`` unless `1 ≤ inputs.count ≤ 16`.
    public func poseidonExpression(_ inputs: [some LinearExpressible]) throws(PoseidonError) -> LinearExpression {
        guard Poseidon.inputCounts.contains(inputs.count) else { throw .invalidInputCount(inputs.count) }
        var state = [LinearExpression()]
        state.append(contentsOf: inputs.map(\.linearExpression))
        return poseidonPermutation(state, Poseidon.cachedParameters(state.count))[0]
    }

    /// The Poseidon permutation of width `state.count` (2…17); returns the output lanes as linear
    /// expressions (no output wires). Lane i equals lane i of ``Poseidon/permute(_:)`` on the
    /// inputs' values. Cost: 3 constraints per non-constant S-box input, i.e. at most
    /// `3 · (8t + R_P)`.
    ///
    /// - Throws: ``PoseidonError/invalidStateWidth(_:)`` unless `2 ≤ state.count ≤ 17`.
    public func poseidonPermutation(_ state: [some LinearExpressible]) throws(PoseidonError) -> [LinearExpression] {
        guard Poseidon.widths.contains(state.count) else { throw .invalidStateWidth(state.count) }
        return poseidonPermutation(state.map(\.linearExpression), Poseidon.cachedParameters(state.count))
    }

    /// ``Poseidon/hashMany(_:)`` of any number of values (0 included) as a new private wire: the
    /// same length-prefixed chain of width-17 permutations, with the chaining value carried as a
    /// linear expression between blocks and one output constraint (label `poseidon.out`).
    ///
    /// Cost for n wire inputs: at most `612 · max(1, ⌈n/16⌉) + 1` constraints (612 = 3 · (8 · 17 + 68));
    /// S-boxes of constant lanes (the first block's chaining value, the zero padding of the last
    /// block in the first round) are free.
    public func poseidonMany(_ values: [some LinearExpressible]) -> Variable {
        let rate = Poseidon.manyBlockSize
        let params = Poseidon.cachedParameters(rate + 1)
        let exprs = values.map(\.linearExpression)
        var h = LinearExpression.constant(Poseidon.manyDomainTag + Fr(UInt64(values.count)))
        let blocks = max(1, (values.count + rate - 1) / rate)
        for j in 0..<blocks {
            var state = [h]
            for i in 0..<rate {
                let k = j * rate + i
                state.append(k < exprs.count ? exprs[k] : LinearExpression())
            }
            h = poseidonPermutation(state, params)[0]
        }
        return materialise(h)
    }

    // MARK: - Internals

    /// A new wire equal to `e`, pinned by `(out − e) · 1 = 0`. Cost: 1 constraint, 1 wire.
    private func materialise(_ e: LinearExpression) -> Variable {
        let out = witness(value(of: e))
        assertEqual(out, e, label: "poseidon.out")
        return out
    }

    /// The output of one S-box: a constant (evaluated natively) or a new wire.
    private enum SBoxOutput {
        case constant(Fr)
        case wire(Variable)
    }

    /// `x⁵`: 3 constraints and 3 wires, or nothing when `x` is constant.
    /// `x` must be free of repeated and zero terms (it is then constant iff it only has the one wire).
    private func poseidonSBox(_ x: LinearExpression) -> SBoxOutput {
        if x.terms.allSatisfy({ $0.variable == .one }) {
            return .constant(Poseidon.power5(value(of: x)))
        }
        let x2 = mul(x, x, label: "poseidon.x2")
        let x4 = mul(x2, x2, label: "poseidon.x4")
        return .wire(mul(x4, x, label: "poseidon.x5"))
    }

    /// The permutation on linear-expression lanes (width = `p.width`, checked by the callers).
    ///
    /// Between rounds the state is dense: `rows[i][0]` is lane i's constant and `rows[i][1 + k]`
    /// its coefficient of `basis[k]`. A full round replaces the basis by its S-box output wires;
    /// a partial round appends its one S-box wire.
    private func poseidonPermutation(_ input: [LinearExpression], _ p: PoseidonParameters) -> [LinearExpression] {
        let t = p.width
        precondition(input.count == t)
        var basis: [Variable] = []
        var rows: [[Fr]] = []

        func expression(_ row: [Fr]) -> LinearExpression {
            var e = LinearExpression()
            e.terms.reserveCapacity(row.count)
            if !row[0].isZero { e.terms.append(.init(variable: .one, coefficient: row[0])) }
            for k in 0..<basis.count where !row[1 + k].isZero {
                e.terms.append(.init(variable: basis[k], coefficient: row[1 + k]))
            }
            return e
        }

        /// rows ← M · lanes, where `lanes` are dense rows over the current basis.
        func applyMDS(_ lanes: [[Fr]]) {
            let width = 1 + basis.count
            var out = [[Fr]](repeating: [Fr](repeating: .zero, count: width), count: t)
            for i in 0..<t {
                out[i].withUnsafeMutableBufferPointer { o in
                    for j in 0..<t {
                        let m = p.mdsEntry(row: i, column: j)
                        lanes[j].withUnsafeBufferPointer { l in
                            for k in 0..<width where !l[k].isZero { o[k] += m * l[k] }
                        }
                    }
                }
            }
            rows = out
        }

        /// After a full round: the outputs become the new basis, then the MDS layer.
        func fullLayer(_ outputs: [SBoxOutput]) {
            basis = []
            for o in outputs { if case .wire(let v) = o { basis.append(v) } }
            var lanes: [[Fr]] = []
            var k = 0
            for o in outputs {
                var row = [Fr](repeating: .zero, count: 1 + basis.count)
                switch o {
                case .constant(let c): row[0] = c
                case .wire: k += 1; row[k] = .one
                }
                lanes.append(row)
            }
            applyMDS(lanes)
        }

        for r in 0..<p.rounds {
            if r == 0 {
                // The caller's expressions: merge repeated wires so constant inputs are recognised.
                precondition(p.isFullRound(0))
                fullLayer((0..<t).map { i in poseidonSBox((input[i] + p.roundConstant(round: 0, lane: i)).simplified()) })
                continue
            }
            for i in 0..<t { rows[i][0] += p.roundConstant(round: r, lane: i) }
            if p.isFullRound(r) {
                fullLayer((0..<t).map { i in poseidonSBox(expression(rows[i])) })
            } else {
                switch poseidonSBox(expression(rows[0])) {
                case .constant(let c):
                    rows[0] = [Fr](repeating: .zero, count: 1 + basis.count)
                    rows[0][0] = c
                case .wire(let v):
                    basis.append(v)
                    for i in 1..<t { rows[i].append(.zero) }
                    rows[0] = [Fr](repeating: .zero, count: 1 + basis.count)
                    rows[0][basis.count] = .one
                }
                applyMDS(rows)
            }
        }
        return rows.map(expression)
    }
}
