// Fixed-point gadgets for quantized inference: signed bit decomposition, rescale (division by
// 2^d with a range-checked remainder and quotient), fused rescale + ReLU, max and strict
// comparison. Each fully constrains its outputs; costs are stated per call.

import ZKAlgebra

extension Fr {
    /// The integer `x` with `|x| < 2^63` whose residue is `self` (values above r/2 are negative),
    /// or nil when neither `self` nor `−self` is below 2^63.
    public var signedInt: Int? {
        let l = canonicalLimbs
        if l[1] == 0 && l[2] == 0 && l[3] == 0 && l[0] < (1 << 63) { return Int(l[0]) }
        let n = (-self).canonicalLimbs
        if n[1] == 0 && n[2] == 0 && n[3] == 0 && n[0] <= (1 << 63) { return n[0] == (1 << 63) ? Int.min : -Int(n[0]) }
        return nil
    }
}

/// Bits `k` such that every integer in `[lo, hi]` lies in `[−2^(k−1), 2^(k−1))` (k ≥ 1).
public func signedBitWidth(lo: Int, hi: Int) -> Int {
    func bitLength(_ n: Int) -> Int { n <= 0 ? 0 : Int.bitWidth - n.leadingZeroBitCount }
    return 1 + max(bitLength(hi), bitLength(lo < 0 ? -(lo + 1) : 0))
}

/// The bits of a signed decomposition: `x + 2^(k−1) = Σ 2ⁱ·bitᵢ`. `bits[0]` is a linear
/// expression (determined by the others and x), the rest are wires.
public struct SignedBits {
    public var bits: [LinearExpression]
    /// Wraps bits that the caller has constrained boolean (for ``slice(from:to:)``).
    public init(bits: [LinearExpression]) { self.bits = bits }
    /// `1` iff `x ≥ 0` (the top bit).
    public var nonNegative: LinearExpression { bits[bits.count - 1] }
    /// `Σ_{i=from}^{to−1} 2^(i−from)·bitᵢ`.
    public func slice(from: Int, to: Int) -> LinearExpression {
        var e = LinearExpression()
        var w = Fr.one
        for i in from..<max(from, to) {
            e += bits[i].scaled(by: w)
            w = w + w
        }
        return e
    }
}

extension CircuitBuilder {
    /// Decomposes `x + 2^(k−1)` into k bits, proving `−2^(k−1) ≤ x < 2^(k−1)` as integers.
    ///
    /// Constraints: `bᵢ·(1 − bᵢ) = 0` for i = 1…k−1 and the same for `b₀ := x + 2^(k−1) − Σ_{i≥1} 2ⁱ·bᵢ`
    /// (so the recomposition costs nothing). Cost: k constraints, k − 1 wires.
    /// Sound because `Σ 2ⁱ·bᵢ < 2^k ≤ 2^253 < r`: the bits are the unique binary digits of the
    /// integer `x + 2^(k−1)`, which therefore lies in `[0, 2^k)` — no wrap-around modulo r.
    ///
    /// - Precondition: `1 ≤ k ≤ 253`.
    public func signedBits(_ x: some LinearExpressible, bits k: Int, label: String? = nil) -> SignedBits {
        precondition(k >= 1 && k <= CircuitBuilder.maxBits, "signedBits: \(k) bits outside 1...\(CircuitBuilder.maxBits)")
        let offset = Fr(2).power(UInt64(k - 1))
        let shifted = x.linearExpression + offset
        let limbs = value(of: shifted).canonicalLimbs
        var bits: [LinearExpression] = [LinearExpression()]
        var rest = LinearExpression()
        var w = Fr(2)
        for i in 1..<k {
            let bit = (limbs[i >> 6] >> UInt64(i & 63)) & 1 == 1
            let b = witness(bit ? .one : .zero)
            assertBoolean(b, label: recordsLabels ? label ?? "signedBits[\(i)]" : nil)
            bits.append(b.linearExpression)
            rest.terms.append(.init(variable: b, coefficient: w))
            w = w + w
        }
        let b0 = shifted - rest
        assertBoolean(b0, label: recordsLabels ? label ?? "signedBits[0]" : nil)
        bits[0] = b0
        return SignedBits(bits: bits)
    }

    /// `y = floor((x + 2^(d−1)) / 2^d)` (round half up; for d = 0, y = x), optionally followed by
    /// `max(y, 0)`, for x known to lie in `[−2^(k−1) − 2^(d−1), 2^(k−1) − 2^(d−1))`.
    ///
    /// One decomposition of `x + 2^(d−1)` into k bits gives the remainder (the low d bits, so
    /// `0 ≤ rem < 2^d`), the quotient (the high bits, so it cannot wrap around r) and the sign
    /// (the top bit). Without ReLU the result is a linear expression of the bits (no new wire);
    /// with ReLU it is one wire `y = sign · quotient`.
    /// Cost: k constraints, plus 1 with `relu`.
    ///
    /// - Precondition: `d ≥ 0`, `d + 1 ≤ k ≤ 253`.
    public func rescale(_ x: some LinearExpressible, shift d: Int, bits k: Int, relu: Bool) -> LinearExpression {
        precondition(d >= 0 && k >= d + 1, "rescale: need bits ≥ shift + 1")
        var v = x.linearExpression
        if d > 0 { v += Fr(2).power(UInt64(d - 1)) }
        let bits = signedBits(v, bits: k)
        if relu {
            let positive = bits.slice(from: d, to: k - 1)
            return mul(bits.nonNegative, positive, label: "rescale.relu").linearExpression
        }
        // quotient = Σ_{i≥d} 2^(i−d)·bᵢ − 2^(k−1−d)
        return bits.slice(from: d, to: k) - Fr(2).power(UInt64(k - 1 - d))
    }

    /// `max(a, b)` for integers with `a − b ∈ [−2^(k−1), 2^(k−1))`. Cost: k + 1 constraints.
    public func maximum(_ a: some LinearExpressible, _ b: some LinearExpressible, bits k: Int) -> LinearExpression {
        let d = a - b
        let s = signedBits(d, bits: k).nonNegative  // 1 iff a ≥ b
        return b.linearExpression + mul(s, d, label: "max.select").linearExpression
    }

    /// `1` iff `a > b` (strict), for `a − b − 1 ∈ [−2^(k−1), 2^(k−1))`. Cost: k constraints.
    public func greaterThan(_ a: some LinearExpressible, _ b: some LinearExpressible, bits k: Int) -> LinearExpression {
        signedBits(a - b - Fr.one, bits: k).nonNegative
    }
}

extension CircuitBuilder {
    /// Proves `lo ≤ x ≤ hi` **exactly** (as integers, no power-of-two superset), for range checks a
    /// later step relies on. With `n = hi − lo` and `y = x − lo`:
    /// - `n = 0`: `y = 0`. Cost 1 constraint.
    /// - `n + 1 = 2^k`: `y` decomposed into k bits (`y ∈ [0, 2^k)`). Cost k.
    /// - `n = 2^j` (j ≥ 1), e.g. a symmetric input range `[−B, B]`: `y = Σ_{i<j} 2ⁱ·bᵢ + 2^j·t` with
    ///   boolean bits and top flag t, and `t·(y − 2^j) = 0` (if t = 1 every low bit is 0). Cost j + 2.
    /// - otherwise, with k = bitLength(n): `y` and `n − y` each decomposed into k bits. Cost 2k.
    /// Sound because every decomposition sums below 2^63 ≪ r: the bits are the integer's binary digits.
    /// Every constraint is labelled `label` (when labels are recorded). Returns the number of constraints.
    ///
    /// - Precondition: `lo ≤ hi` and `hi − lo < 2^62`.
    @discardableResult
    public func assertInRange(_ x: some LinearExpressible, lo: Int, hi: Int, label: String = "inRange") -> Int {
        precondition(lo <= hi && hi.subtractingReportingOverflow(lo).overflow == false && hi - lo < 1 << 62, "assertInRange: bad interval")
        let before = constraintCount
        let n = hi - lo
        let y = x.linearExpression - Fr(signed: Int64(lo))
        /// `v ∈ [0, 2^k)` through the signed decomposition of `v − 2^(k−1)` (k constraints).
        func unsigned(_ v: LinearExpression, _ k: Int) {
            _ = signedBits(v - Fr(2).power(UInt64(k - 1)), bits: k, label: label)
        }
        func bitLength(_ v: Int) -> Int { Int.bitWidth - v.leadingZeroBitCount }
        if n == 0 {
            assertEqual(y, LinearExpression(), label: label)
        } else if (n + 1) & n == 0 {
            unsigned(y, bitLength(n))
        } else if n & (n - 1) == 0 {
            let j = n.trailingZeroBitCount
            let top = Fr(2).power(UInt64(j))
            let t = witness(value(of: y) == top ? .one : .zero)
            assertBoolean(t, label: label)
            let rest = y - t.linearExpression * top
            unsigned(rest, j)
            addConstraint(t, rest, LinearExpression(), label: label)
        } else {
            let k = bitLength(n)
            unsigned(y, k)
            unsigned(Fr(signed: Int64(n)) - y, k)
        }
        return constraintCount - before
    }
}
