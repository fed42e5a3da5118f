import ZKAlgebra
import ZKConstraints

/// Bit `i` of the canonical value of `x` (little-endian limbs).
@inline(__always) private func bit(_ limbs: [UInt64], _ i: Int) -> Bool {
    (limbs[i >> 6] >> UInt64(i & 63)) & 1 == 1
}

/// `2^k` as a field element (any k ≥ 0).
@inline(__always) private func powerOfTwo(_ k: Int) -> Fr { Fr(2).power(UInt64(k)) }

extension CircuitBuilder {
    /// Largest bit count for which a little-endian decomposition is unique: `2^253 − 1 < r`
    /// (r ≈ 2^253.6), so `Σ 2ⁱ·bᵢ` over 253 bits never wraps modulo r.
    public static let maxBits = 253

    // MARK: Booleans

    /// Asserts `x ∈ {0, 1}` with the single constraint `x · (1 − x) = 0`. Cost: 1 constraint.
    public func assertBoolean(_ x: some LinearExpressible, label: @autoclosure () -> String? = nil) {
        addConstraint(x, Fr.one - x, LinearExpression(), label: label() ?? "assertBoolean")
    }

    // MARK: Bits and ranges

    /// Decomposes `x` into `k` little-endian bits `b₀…b_{k−1}`.
    ///
    /// Constraints: `bᵢ · (1 − bᵢ) = 0` for each i (labels `toBits[i].boolean`) and
    /// `(Σ 2ⁱ·bᵢ − x) · 1 = 0` (label `toBits.recompose`). Cost: `k + 1` constraints, `k` wires.
    ///
    /// Satisfiable iff the canonical value of `x` is `< 2^k`; then the bits are unique, because
    /// `Σ 2ⁱ·bᵢ ≤ 2^k − 1 < r` is an integer identity with no wrap-around. That is why
    /// `k ≤ 253` is a precondition: with 254 bits the sum reaches `2^254 − 1 > r`, so small values
    /// `x` would have a second decomposition `x + r` and the bits would not be determined by `x`
    /// (a 254-bit decomposition needs an extra comparison of the bits against r).
    /// For `x ≥ 2^k` the witness the builder writes (the low k bits) violates the recomposition.
    ///
    /// - Precondition: `0 ≤ k ≤ 253`.
    public func toBits(_ x: some LinearExpressible, count k: Int) -> [Variable] {
        precondition(k >= 0 && k <= CircuitBuilder.maxBits, "toBits: bit count \(k) outside 0...\(CircuitBuilder.maxBits) (uniqueness needs 2^k ≤ r)")
        let limbs = value(of: x).canonicalLimbs
        var bits: [Variable] = []
        bits.reserveCapacity(k)
        var sum = LinearExpression()
        sum.terms.reserveCapacity(k + x.linearExpression.terms.count)
        var weight = Fr.one
        for i in 0..<k {
            let b = witness(bit(limbs, i) ? .one : .zero)
            assertBoolean(b, label: self.recordsLabels ? "toBits[\(i)].boolean" : nil)
            sum.terms.append(.init(variable: b, coefficient: weight))
            weight = weight + weight
            bits.append(b)
        }
        assertEqual(sum, x, label: "toBits.recompose")
        return bits
    }

    /// Asserts `x < 2^k` (as an integer, the canonical value of x) via ``toBits(_:count:)``,
    /// discarding the bits. Cost: `k + 1` constraints, `k` wires.
    ///
    /// - Precondition: `0 ≤ k ≤ 253`.
    public func rangeCheck(_ x: some LinearExpressible, bits k: Int) {
        _ = toBits(x, count: k)
    }

    // MARK: Zero tests

    /// `out = 1` if `x = 0`, else `out = 0`.
    ///
    /// Allocates a hint `inv` (`x⁻¹`, or 0 when x = 0) and then `out`, with the constraints
    /// `x · inv = 1 − out` (label `isZero.inverse`) and `x · out = 0` (label `isZero.out`).
    /// Cost: 2 constraints, 2 wires.
    ///
    /// Soundness: if `x ≠ 0` the second constraint forces `out = 0` and the first `inv = x⁻¹`;
    /// if `x = 0` the first forces `out = 1` (then `inv` is free, but it feeds nothing else).
    public func isZero(_ x: some LinearExpressible) -> Variable {
        let xv = value(of: x)
        let inv = witness(xv.inverse() ?? .zero)
        let out = witness(xv.isZero ? .one : .zero)
        addConstraint(x, inv, Fr.one - out, label: "isZero.inverse")
        addConstraint(x, out, LinearExpression(), label: "isZero.out")
        return out
    }

    /// `out = 1` if `a = b`, else 0: ``isZero(_:)`` of `a − b`. Cost: 2 constraints, 2 wires.
    public func isEqual(_ a: some LinearExpressible, _ b: some LinearExpressible) -> Variable {
        isZero(a - b)
    }

    /// Asserts `x ≠ 0` with a hint `inv = x⁻¹` and the constraint `x · inv = 1`
    /// (label `assertNonZero`). Cost: 1 constraint, 1 wire. (For x = 0 the hint is 0 and the
    /// constraint fails, as it must for every value of inv.)
    public func assertNonZero(_ x: some LinearExpressible) {
        let inv = witness(value(of: x).inverse() ?? .zero)
        addConstraint(x, inv, Variable.one, label: "assertNonZero")
    }

    // MARK: Comparison

    /// `out = 1` iff `a < b`, for `a` and `b` **already known** to lie in `[0, 2^n)`.
    ///
    /// The caller must range-check `a` and `b` (or use ``lessThanChecked(_:_:bits:)``): for
    /// out-of-range operands the result is meaningless (it may even be forgeable).
    ///
    /// Decomposes `d = a − b + 2^n ∈ (0, 2^{n+1})` into `n + 1` bits, where the top bit is
    /// represented as `1 − out`: the n low bits `bᵢ` and `out` are boolean (labels
    /// `lessThan.bits[i].boolean`, `lessThan.out.boolean`) and
    /// `(Σ_{i<n} 2ⁱ·bᵢ + 2^n·(1 − out) − d) · 1 = 0` (label `lessThan.recompose`).
    /// Top bit 1 ⇔ `a ≥ b`. Since `2^{n+1} ≤ 2^253 < r` the decomposition, hence `out`, is unique.
    /// Cost: `n + 2` constraints, `n + 1` wires.
    ///
    /// - Precondition: `1 ≤ n ≤ 252`.
    public func lessThan(_ a: some LinearExpressible, _ b: some LinearExpressible, bits n: Int) -> Variable {
        precondition(n >= 1 && n <= CircuitBuilder.maxBits - 1, "lessThan: bit width \(n) outside 1...\(CircuitBuilder.maxBits - 1)")
        let twoN = powerOfTwo(n)
        let d = a - b + twoN
        let limbs = value(of: d).canonicalLimbs
        var sum = LinearExpression()
        sum.terms.reserveCapacity(n + 2)
        var weight = Fr.one
        for i in 0..<n {
            let bi = witness(bit(limbs, i) ? .one : .zero)
            assertBoolean(bi, label: self.recordsLabels ? "lessThan.bits[\(i)].boolean" : nil)
            sum.terms.append(.init(variable: bi, coefficient: weight))
            weight = weight + weight
        }
        let out = witness(bit(limbs, n) ? .zero : .one)
        assertBoolean(out, label: "lessThan.out.boolean")
        sum += (Fr.one - out) * twoN
        assertEqual(sum, d, label: "lessThan.recompose")
        return out
    }

    /// ``lessThan(_:_:bits:)`` preceded by range checks `a < 2^n` and `b < 2^n`.
    /// Cost: `3n + 4` constraints, `3n + 1` wires.
    ///
    /// - Precondition: `1 ≤ n ≤ 252`.
    public func lessThanChecked(_ a: some LinearExpressible, _ b: some LinearExpressible, bits n: Int) -> Variable {
        precondition(n >= 1 && n <= CircuitBuilder.maxBits - 1, "lessThanChecked: bit width \(n) outside 1...\(CircuitBuilder.maxBits - 1)")
        rangeCheck(a, bits: n)
        rangeCheck(b, bits: n)
        return lessThan(a, b, bits: n)
    }

    // MARK: Selection

    /// `out = condition ? ifTrue : ifFalse`, i.e. `out = ifFalse + condition·(ifTrue − ifFalse)`.
    ///
    /// Asserts `condition` boolean itself (label `select.condition.boolean`) and adds
    /// `condition · (ifTrue − ifFalse) = out − ifFalse` (label `select`).
    /// Cost: 2 constraints, 1 wire.
    public func select(_ condition: some LinearExpressible, _ ifTrue: some LinearExpressible, _ ifFalse: some LinearExpressible) -> Variable {
        assertBoolean(condition, label: "select.condition.boolean")
        let c = value(of: condition), t = value(of: ifTrue), f = value(of: ifFalse)
        let out = witness(f + c * (t - f))
        addConstraint(condition, ifTrue - ifFalse, out - ifFalse, label: "select")
        return out
    }
}
