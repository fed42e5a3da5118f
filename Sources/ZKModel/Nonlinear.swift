// Nonlinear layers: element-wise functions (Sigmoid, Tanh, Exp, Erf, GELU, SiLU, Softplus, Elu, HardSwish, … and any
// fused chain of them), Softmax and LayerNormalization — their float meaning, their exact integer semantics (the
// reference the circuit equals bit for bit) and the tables the circuit proves them with.
//
// Element-wise functions are proven by one piecewise-linear table (``PiecewiseTable``): the input's signed bit
// decomposition gives the segment (its top core bits) and the offset inside it (the low core bits); outside the core
// the function follows a tail line (a constant or the identity), chosen so that the table stays within its stated
// error over the whole input range. See `Lowering/NonlinearLowering.swift` for the constraints.

import Foundation

/// A real function of one variable that a table can prove (its value at a point is computed in Double at compile
/// time only; the circuit never evaluates it).
public enum UnaryFunction: String, Codable, Sendable, CaseIterable {
    case sigmoid, tanh, exp, erf, softplus, relu, abs, sqrt, reciprocal, log, sin, cos, atan

    public func callAsFunction(_ x: Double) -> Double {
        switch self {
        case .sigmoid: return x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
        case .tanh: return Foundation.tanh(x)
        case .exp: return Foundation.exp(x)
        case .erf: return Foundation.erf(x)
        case .softplus: return x > 30 ? x : Foundation.log1p(Foundation.exp(x))
        case .relu: return max(x, 0)
        case .abs: return Swift.abs(x)
        case .sqrt: return x.squareRoot()
        case .reciprocal: return 1 / x
        case .log: return Foundation.log(x)
        case .sin: return Foundation.sin(x)
        case .cos: return Foundation.cos(x)
        case .atan: return Foundation.atan(x)
        }
    }
}

/// An element-wise function as an expression of its input `x`: what import makes of an ONNX activation and of a chain
/// of element-wise ops on one tensor (GELU as `x·0.5·(1 + Erf(x/√2))`, SiLU as `x·Sigmoid(x)`, HardSwish, Mish…),
/// fused so that the whole chain is one table.
public indirect enum ScalarExpr: Sendable, Equatable, CustomStringConvertible {
    case x
    case constant(Double)
    case add(ScalarExpr, ScalarExpr)
    case mul(ScalarExpr, ScalarExpr)
    case apply(UnaryFunction, ScalarExpr)
    /// `min(max(e, lo), hi)`.
    case clip(ScalarExpr, lo: Double?, hi: Double?)
    /// `e^p` for a constant exponent.
    case pow(ScalarExpr, Double)
    /// `e ≥ 0 ? e : alpha·e` (LeakyRelu inside a fused chain).
    case leaky(ScalarExpr, alpha: Double)

    public func evaluate(_ v: Double) -> Double {
        switch self {
        case .x: return v
        case .constant(let c): return c
        case .add(let a, let b): return a.evaluate(v) + b.evaluate(v)
        case .mul(let a, let b): return a.evaluate(v) * b.evaluate(v)
        case .apply(let f, let e): return f(e.evaluate(v))
        case .clip(let e, let lo, let hi):
            var y = e.evaluate(v)
            if let lo { y = Swift.max(y, lo) }
            if let hi { y = Swift.min(y, hi) }
            return y
        case .pow(let e, let p): return Foundation.pow(e.evaluate(v), p)
        case .leaky(let e, let alpha):
            let y = e.evaluate(v)
            return y >= 0 ? y : alpha * y
        }
    }

    /// Whether the expression is proven by a table: it contains a transcendental function (anything but ReLU/Abs,
    /// or a power other than 1, 2, 3), or a product of x-dependent terms together with a piecewise part (ReLU, Abs,
    /// Clip, LeakyReLU: HardSwish). Affine maps, ReLU/Clip/LeakyReLU chains and polynomials (products, Pow 2 and 3)
    /// have exact lowerings of their own and are left alone.
    public var needsTable: Bool { hasTranscendental || (hasProductOfX && hasPiecewise) }

    var hasTranscendental: Bool {
        switch self {
        case .x, .constant: return false
        case .add(let a, let b), .mul(let a, let b): return a.hasTranscendental || b.hasTranscendental
        case .apply(let f, let e): return (f != .relu && f != .abs && e.dependsOnX) || e.hasTranscendental
        case .clip(let e, _, _), .leaky(let e, _): return e.hasTranscendental
        case .pow(let e, let p): return (e.dependsOnX && ![1.0, 2, 3].contains(p)) || e.hasTranscendental
        }
    }

    var hasProductOfX: Bool {
        switch self {
        case .x, .constant: return false
        case .add(let a, let b): return a.hasProductOfX || b.hasProductOfX
        case .mul(let a, let b): return (a.dependsOnX && b.dependsOnX) || a.hasProductOfX || b.hasProductOfX
        case .apply(_, let e), .clip(let e, _, _), .leaky(let e, _): return e.hasProductOfX
        case .pow(let e, let p): return (e.dependsOnX && p != 1) || e.hasProductOfX
        }
    }

    var hasPiecewise: Bool {
        switch self {
        case .x, .constant: return false
        case .add(let a, let b), .mul(let a, let b): return a.hasPiecewise || b.hasPiecewise
        case .apply(let f, let e): return f == .relu || f == .abs || e.hasPiecewise
        case .clip, .leaky: return true
        case .pow(let e, _): return e.hasPiecewise
        }
    }

    public var dependsOnX: Bool {
        switch self {
        case .x: return true
        case .constant: return false
        case .add(let a, let b), .mul(let a, let b): return a.dependsOnX || b.dependsOnX
        case .apply(_, let e), .clip(let e, _, _), .pow(let e, _), .leaky(let e, _): return e.dependsOnX
        }
    }

    /// The constant value when the expression does not depend on x.
    public var constantValue: Double? { dependsOnX ? nil : evaluate(0) }

    public var description: String {
        switch self {
        case .x: return "x"
        case .constant(let c): return "\(c)"
        case .add(let a, let b): return "(\(a) + \(b))"
        case .mul(let a, let b): return "\(a)·\(b)"
        case .apply(let f, let e): return "\(f.rawValue)(\(e))"
        case .clip(let e, let lo, let hi): return "clip(\(e), \(lo.map { "\($0)" } ?? "−∞"), \(hi.map { "\($0)" } ?? "∞"))"
        case .pow(let e, let p): return "\(e)^\(p)"
        case .leaky(let e, let a): return "leaky(\(e), \(a))"
        }
    }
}

/// A piecewise-linear function of an integer, with tails: the exact integer semantics of a proven element-wise function.
///
/// For an input integer `x`: `v = ⌊(x − offset) / 2^shift⌋`;
/// - `v < 0`: `y = lowMul·v + lowAdd`;
/// - `v ≥ 2^coreBits`: `y = highMul·v + highAdd`;
/// - otherwise, with `l = coreBits − segmentBits`, segment `i = v >> l` and step `t = v mod 2^l`:
///   `y = knots[i]·2^l + (knots[i+1] − knots[i])·t`.
/// The circuit computes exactly this from one signed decomposition of `x − offset` (see `NonlinearLowering`).
public struct PiecewiseTable: Codable, Equatable, Sendable {
    public var shift: Int
    public var offset: Int
    public var coreBits: Int
    public var segmentBits: Int
    /// `2^segmentBits + 1` values.
    public var knots: [Int]
    public var lowMul: Int, lowAdd: Int, highMul: Int, highAdd: Int

    public var stepBits: Int { coreBits - segmentBits }

    public func apply(_ x: Int) -> Int {
        let v = floorDiv(x - offset, 1 << shift)
        if v < 0 { return lowMul * v + lowAdd }
        if v >= 1 << coreBits { return highMul * v + highAdd }
        let l = stepBits
        let i = v >> l, t = v & ((1 << l) - 1)
        return knots[i] << l + (knots[i + 1] - knots[i]) * t
    }

    /// `(min, max)` of ``apply(_:)`` over every integer in `[lo, hi]` (exact: the function is linear on each piece).
    public func range(lo: Int, hi: Int) -> (Int, Int) {
        let vlo = floorDiv(lo - offset, 1 << shift), vhi = floorDiv(hi - offset, 1 << shift)
        var mn = Int.max, mx = Int.min
        func take(_ y: Int) { mn = min(mn, y); mx = max(mx, y) }
        if vlo < 0 { take(lowMul * vlo + lowAdd); take(lowMul * min(vhi, -1) + lowAdd) }
        let top = 1 << coreBits
        if vhi >= top { take(highMul * max(vlo, top) + highAdd); take(highMul * vhi + highAdd) }
        let a = max(vlo, 0), b = min(vhi, top - 1)
        if a <= b {
            let l = stepBits
            // On each segment the value is monotone in t: its extremes are at the ends of the reachable part.
            for i in (a >> l)...(b >> l) {
                let t0 = i == a >> l ? a & ((1 << l) - 1) : 0
                let t1 = i == b >> l ? b & ((1 << l) - 1) : (1 << l) - 1
                let base = knots[i] << l, d = knots[i + 1] - knots[i]
                take(base + d * t0); take(base + d * t1)
            }
        }
        return (mn, mx)
    }

    /// Constraints of the segment selection for `h` segment bits (best split into one-hot low bits and a mux tree
    /// over the high bits): `min over h2 of (2^h2 − 1 − h2) + (2^h2 − 1) + (2^(h − h2) − 1)`.
    public static func selectionCost(segmentBits h: Int) -> (cost: Int, lowBits: Int) {
        var best = (cost: Int.max, lowBits: 0)
        for h2 in 0...h {
            let c = ((1 << h2) - 1 - h2) + ((1 << h2) - 1) + ((1 << (h - h2)) - 1)
            if c < best.cost { best = (c, h2) }
        }
        return best
    }

    /// Largest |table − f| over the core (at the centre of every input cell) and at sample points of the tails,
    /// in real units, for input scale `inputScale` and output scale `outputScale`.
    public func maxError(_ f: (Double) -> Double, inputScale: Int, outputScale: Int, inputLo: Int, inputHi: Int) -> Double {
        let sIn = Double(sign: .plus, exponent: -inputScale, significand: 1), sOut = Double(sign: .plus, exponent: -outputScale, significand: 1)
        var worst = 0.0
        func check(_ x: Int) {
            let e = abs(Double(apply(x)) * sOut - f(Double(x) * sIn))
            if e.isFinite { worst = max(worst, e) } else { worst = .infinity }
        }
        let step = 1 << shift
        // Core: every v, at both ends of its input cell.
        let top = 1 << coreBits
        for v in 0..<top {
            let x0 = offset + v * step
            for x in [x0, x0 + step - 1] where x >= inputLo && x <= inputHi { check(x) }
        }
        // Tails: geometric samples up to the input bounds.
        var d = 1
        while d < 1 << 40 {
            for x in [offset - d * step, offset + (top + d) * step - 1] where x >= inputLo && x <= inputHi { check(x) }
            d *= 2
        }
        for x in [inputLo, inputHi] { check(x) }
        return worst
    }
}

public enum TableError: Error { case noTail(String) }

extension PiecewiseTable {
    /// Builds the table of `f` for integer inputs in `[lo, hi]` at scale `inputScale`, with knots at `knotScale`
    /// (the output's scale is `knotScale + stepBits`). The core is the narrowest power-of-two interval
    /// (`[−L, L)`, or `[0, 2L)` for non-negative inputs) outside which `f` stays within `tolerance` of a constant or
    /// of `x + b` up to the input bounds; the segment count is the smallest (4…8 segment bits) whose measured error
    /// meets `tolerance`, else 8. Throws `TableError.noTail` when no core up to ±2^12 has such tails.
    public static func make(_ f: (Double) -> Double, inputScale sx: Int, lo: Int, hi: Int, knotScale sK: Int,
                            tolerance: Double = 1.0 / 512, maxCoreBits: Int = 16) throws -> PiecewiseTable {
        let unit = Double(sign: .plus, exponent: -sx, significand: 1)
        let xlo = Double(lo) * unit, xhi = Double(hi) * unit
        /// Tail fit on [from, to] (to > from, or the side is unreachable): slope 0 or 1 and the intercept at `from`.
        func tail(_ from: Double, _ to: Double, right: Bool) -> (slope: Int, intercept: Double)? {
            let a = from, b = to
            let f0 = f(a)
            guard f0.isFinite else { return nil }
            var samples: [Double] = []
            var d = 1.0 / 64
            while d < Double(1 << 24) {
                let p = right ? a + d : a - d
                if right ? p <= b : p >= b { samples.append(p) }
                d *= 2
            }
            samples.append(b)
            for slope in [0, 1] {
                let c = f0 - Double(slope) * a
                if samples.allSatisfy({ p in let y = f(p); return y.isFinite && abs(y - (Double(slope) * p + c)) <= tolerance }) {
                    return (slope, c)
                }
            }
            return nil
        }
        // Cores: [0, W) for non-negative inputs, [−W/2, W/2), [−W, 0) for non-positive ones, and for positive inputs
        // [lo, lo + W) (so functions singular at 0 — log, 1/x, √ — are tabulated where the input lives).
        var candidates: [(start: Double, widthLog: Int, atLow: Bool)] = []
        for e in -3...12 {
            if xlo >= 0 { candidates.append((0, e + 1, false)) }
            candidates.append((-Double(sign: .plus, exponent: e, significand: 1), e + 1, false))
            if xhi <= 0 { candidates.append((-Double(sign: .plus, exponent: e + 1, significand: 1), e + 1, false)) }
            if xlo > 0 { candidates.append((xlo, e + 1, true)) }
        }
        for (candidateStart, wLog, atLow) in candidates {
            // Input grid: as fine as the input (no rounding) up to maxCoreBits core bits.
            let sf = min(sx, maxCoreBits - wLog)
            let m = wLog + sf
            guard m >= 1, sf >= -30 else { continue }
            let d = sx - sf
            let grid = Double(sign: .plus, exponent: sf, significand: 1)
            // A core starting at the input's low end starts at the grid point at or below it.
            let scaledStart = atLow ? (candidateStart * grid).rounded(.down) : candidateStart * grid
            guard scaledStart == scaledStart.rounded(), abs(scaledStart) < Double(1 << 50) else { continue }
            let start = scaledStart / grid
            let width = Double(sign: .plus, exponent: wLog, significand: 1)
            let end = start + width
            var low: (slope: Int, intercept: Double) = (0, 0), high: (slope: Int, intercept: Double) = (0, 0)
            if xlo < start { guard let t = tail(start, xlo, right: false) else { continue }; low = t }
            if xhi >= end { guard let t = tail(end, xhi, right: true) else { continue }; high = t }
            let startInt = Int(scaledStart)
            var best: PiecewiseTable?
            var bestErr = Double.infinity
            for h in 4...8 {
                let h = min(h, m)
                let l = m - h
                let sy = sK + l
                // Centre of an input cell of 2^d integers, in grid units.
                let centre = d > 0 ? (Double(1 << d) - 1) / Double(1 << (d + 1)) : 0
                let gridUnit = Double(sign: .plus, exponent: -sf, significand: 1)
                let kScale = Double(sign: .plus, exponent: sK, significand: 1)
                var knots: [Int] = []
                var ok = true
                for i in 0...(1 << h) {
                    let y = f((Double(startInt + (i << l)) + centre) * gridUnit) * kScale
                    guard y.isFinite, abs(y) < Double(1 << 50) else { ok = false; break }
                    knots.append(Int(y.rounded()))
                }
                guard ok else { break }
                func line(_ t: (slope: Int, intercept: Double)) -> (Int, Int)? {
                    // y·2^sy = slope·x·2^sy + intercept·2^sy with x = (v + start + centre)·2^−sf.
                    let syScale = Double(sign: .plus, exponent: sy, significand: 1)
                    if t.slope == 0 { return (0, Int((t.intercept * syScale).rounded())) }
                    guard sy >= sf, sy - sf < 40 else { return nil }
                    let mul = 1 << (sy - sf)
                    let add = (Double(startInt) + centre) * Double(mul) + t.intercept * syScale
                    guard abs(add) < Double(1 << 55) else { return nil }
                    return (mul, Int(add.rounded()))
                }
                guard let lo2 = line(low), let hi2 = line(high) else { break }
                let table = PiecewiseTable(shift: d, offset: startInt << d, coreBits: m, segmentBits: h, knots: knots,
                                           lowMul: lo2.0, lowAdd: lo2.1, highMul: hi2.0, highAdd: hi2.1)
                let err = table.maxError(f, inputScale: sx, outputScale: sy, inputLo: lo, inputHi: hi)
                if err < bestErr { best = table; bestErr = err }
                if err <= tolerance || h == m { break }
            }
            if let best { return best }
        }
        throw TableError.noTail("no table with constant or identity tails within \(tolerance) covers the input range [\(xlo), \(xhi)]")
    }
}

// MARK: Softmax and LayerNormalization: exact integer semantics

/// Softmax over rows of `rowLength` consecutive elements, exactly as the circuit proves it: per row `mx = max x`,
/// `e_j = exp.apply(mx − x_j)` (a table of `e^(−δ)` on `δ ≥ 0`), `S = Σ e_j`, `R = ⌊2^precision / S⌋`, `y_j = e_j·R`
/// (scale `precision`). `S ≥ exp.apply(0) > 0` since the maximum's own term is there.
public func integerSoftmax(_ x: [Int], rowLength n: Int, exp: PiecewiseTable, precision p: Int) -> [Int] {
    var out: [Int] = []
    out.reserveCapacity(x.count)
    var r = 0
    while r + n <= x.count {
        let row = x[r..<(r + n)]
        let mx = row.max() ?? 0
        let e = row.map { exp.apply(mx - $0) }
        let s = e.reduce(0, +)
        let recip = s > 0 ? (1 << p) / s : 0
        out += e.map { $0 * recip }
        r += n
    }
    return out
}

/// LogSoftmax over rows, exactly as the circuit proves it: per row `mx = max x`, `δ_j = mx − x_j`,
/// `S = Σ exp.apply(δ_j)` (as in ``integerSoftmax(_:rowLength:exp:precision:)``), `L = log.apply(S)` (a table of
/// `log(S / 2^scale(e))`), `y_j = −δ_j·2^shiftDelta − L·2^shiftLog`.
public func integerLogSoftmax(_ x: [Int], rowLength n: Int, exp: PiecewiseTable, log: PiecewiseTable, shiftDelta: Int, shiftLog: Int) -> [Int] {
    var out: [Int] = []
    var r = 0
    while r + n <= x.count {
        let row = x[r..<(r + n)]
        let mx = row.max() ?? 0
        let s = row.reduce(0) { $0 + exp.apply(mx - $1) }
        let l = log.apply(s)
        out += row.map { -((mx - $0) << shiftDelta) - (l << shiftLog) }
        r += n
    }
    return out
}

/// `⌊√x⌋` for `x ≥ 0` (exact; 0 for negative x, which validation rules out).
public func integerSquareRoot(_ x: Int) -> Int {
    guard x > 0 else { return 0 }
    var y = Int(Double(x).squareRoot())
    while y > 0 && y.multipliedReportingOverflow(by: y).overflow || y * y > x { y -= 1 }
    while (y + 1).multipliedReportingOverflow(by: y + 1).overflow == false && (y + 1) * (y + 1) <= x { y += 1 }
    return y
}

/// The integer inverse square root `⌊2^s / √d⌋` for `d ≥ 1`: the largest `R` with `R²·d ≤ 2^(2s)` (exact, 128-bit).
public func inverseSquareRoot(_ d: Int, precision s: Int) -> Int {
    guard d >= 1 else { return 0 }
    let target = Int128(1) << (2 * s)
    var r = Int((Double(sign: .plus, exponent: s, significand: 1) / Double(d).squareRoot()).rounded(.down))
    while r > 0 && Int128(r) * Int128(r) * Int128(d) > target { r -= 1 }
    while Int128(r + 1) * Int128(r + 1) * Int128(d) <= target { r += 1 }
    return r
}

/// LayerNormalization over rows of `n` consecutive elements, exactly as the circuit proves it: per row
/// `c_i = n·x_i − Σx`, `D = Σ c_i² + epsilon`, `R = ⌊2^precision / √D⌋`, `y_i = c_i·R·gamma_i + beta_i` (gamma and
/// beta hold one value per element of the whole tensor).
/// (`c_i/√D = (x_i − μ)/√(var + ε)/√n`: `gamma` carries the √n.)
public func integerLayerNorm(_ x: [Int], rowLength n: Int, gamma: [Int], beta: [Int], epsilon: Int, precision s: Int) -> [Int] {
    var out: [Int] = []
    out.reserveCapacity(x.count)
    var r = 0
    while r + n <= x.count {
        let row = Array(x[r..<(r + n)])
        let sum = row.reduce(0, +)
        let c = row.map { n * $0 - sum }
        let d = c.reduce(epsilon) { $0 + $1 * $1 }
        let recip = inverseSquareRoot(d, precision: s)
        for i in 0..<n { out.append(c[i] * recip * gamma[r + i] + beta[r + i]) }  // gamma, beta: one per element
        r += n
    }
    return out
}

/// ai.onnx.ml Normalizer in integers: per row, `y_i = x_i·R` with `R = ⌊2^p / N⌋`, `N = Σ|x|` (L1), or
/// `R = ⌊2^p / √D⌋`, `D = Σx²` (L2, ``inverseSquareRoot(_:precision:)``); a zero row uses N = D = 1 and stays zero, as
/// in onnxruntime.
public func integerNormalize(_ x: [Int], rowLength n: Int, l1: Bool, precision p: Int) -> [Int] {
    var out: [Int] = []
    out.reserveCapacity(x.count)
    var r = 0
    while r + n <= x.count {
        let row = x[r..<(r + n)]
        let total = l1 ? row.reduce(0) { $0 + abs($1) } : row.reduce(0) { $0 + $1 * $1 }
        let recip = l1 ? (1 << p) / max(total, 1) : inverseSquareRoot(max(total, 1), precision: p)
        for v in row { out.append(v * recip) }
        r += n
    }
    return out
}

// MARK: Bounds and structural checks (shared by the quantizer and circuit.json validation)

extension PiecewiseTable {
    /// Whether the table is well formed and its integer semantics cannot overflow for inputs in `[lo, hi]`
    /// (every intermediate below 2^60), so the interpreter, ``range(lo:hi:)`` and the circuit are exact.
    public func isSafe(lo: Int, hi: Int) -> Bool {
        let lim = boundLimit
        guard (0...60).contains(shift), (1...40).contains(coreBits), (0...12).contains(segmentBits), segmentBits <= coreBits,
              knots.count == (1 << segmentBits) + 1, lo <= hi,
              [offset, lowMul, lowAdd, highMul, highAdd].allSatisfy({ $0 > -lim && $0 < lim }),
              knots.allSatisfy({ abs($0) < lim >> stepBits }) else { return false }
        let (a, oa) = lo.subtractingReportingOverflow(offset), (b, ob) = hi.subtractingReportingOverflow(offset)
        guard !oa, !ob, abs(a) < lim, abs(b) < lim else { return false }
        let vlo = floorDiv(a, 1 << shift), vhi = floorDiv(b, 1 << shift)
        for (mul, add, v) in [(lowMul, lowAdd, vlo), (highMul, highAdd, vhi), (lowMul, lowAdd, vhi), (highMul, highAdd, vlo)] {
            let p = mul.multipliedReportingOverflow(by: v)
            guard !p.overflow, abs(p.partialValue) < lim, abs(p.partialValue + add) < lim else { return false }
        }
        return true
    }
}

extension Bounds {
    /// Bounds of the nonlinear ops (nil for other ops). Throws when a value could reach 2^60.
    static func nonlinear(_ op: QOp, _ t: [QTensor], layer: String) throws -> ([Int], [Int])? {
        func bad(_ what: String) -> ModelError { .quantizationOverflow("layer '\(layer)': \(what) (values may reach 2^60)") }
        switch op {
        case .tabulated(let i, let table):
            var lo: [Int] = [], hi: [Int] = []
            for k in 0..<t[i].count {
                guard table.isSafe(lo: t[i].lo[k], hi: t[i].hi[k]) else { throw bad("table") }
                let (a, b) = table.range(lo: t[i].lo[k], hi: t[i].hi[k])
                lo.append(try check(a, layer)); hi.append(try check(b, layer))
            }
            return (lo, hi)
        case .softmax(let i, let n, let exp, let p):
            guard n >= 1, t[i].count % n == 0, (1...58).contains(p) else { throw bad("softmax rows") }
            let spread = (t[i].hi.max() ?? 0) - (t[i].lo.min() ?? 0)
            guard exp.isSafe(lo: 0, hi: spread), exp.offset == 0 else { throw bad("softmax table") }
            let (emin, emax) = exp.range(lo: 0, hi: spread)
            let e0 = exp.apply(0)
            guard emin >= 0, e0 >= 1, emax.multipliedReportingOverflow(by: n).overflow == false, emax * n < boundLimit else { throw bad("softmax sum") }
            return ([Int](repeating: 0, count: t[i].count), [Int](repeating: 1 << p, count: t[i].count))
        case .squareRoot(let i, let shift):
            // x ≥ 0 (the gadget proves y ≥ 0 and y² ≤ x·2^shift, which needs it) and x·2^shift below 2^60.
            guard (0...60).contains(shift), (t[i].lo.min() ?? 0) >= 0, (t[i].hi.max() ?? 0) < boundLimit >> shift else { throw bad("square root") }
            return (t[i].lo.map { integerSquareRoot($0 << shift) }, t[i].hi.map { integerSquareRoot($0 << shift) })
        case .reciprocal(let i, let p):
            guard (1...60).contains(p), (t[i].lo.min() ?? 0) >= 1 else { throw bad("reciprocal (the divisor's range must be ≥ 1)") }
            return (t[i].hi.map { (1 << p) / $0 }, t[i].lo.map { (1 << p) / $0 })
        case .logSoftmax(let i, let n, let exp, let log, let sd, let sl):
            guard n >= 1, t[i].count % n == 0, (0...30).contains(sd), (0...30).contains(sl) else { throw bad("log-softmax rows") }
            let spread = (t[i].hi.max() ?? 0) - (t[i].lo.min() ?? 0)
            // spread·2^shiftDelta stays below 2^60 (Swift's << discards overflowing bits instead of trapping).
            guard spread < boundLimit >> sd, exp.isSafe(lo: 0, hi: spread), exp.offset == 0 else { throw bad("log-softmax table") }
            let (emin, emax) = exp.range(lo: 0, hi: spread)
            let sMin = exp.apply(0)
            guard emin >= 0, sMin >= 1, emax.multipliedReportingOverflow(by: n).overflow == false, emax * n < boundLimit,
                  log.isSafe(lo: sMin, hi: emax * n) else { throw bad("log-softmax sum") }
            let (lMin, lMax) = log.range(lo: sMin, hi: emax * n)
            let lo = try check(-(spread << sd) - saturatingProduct(lMax, 1 << sl), layer), hi = try check(-saturatingProduct(lMin, 1 << sl), layer)
            return ([Int](repeating: lo, count: t[i].count), [Int](repeating: hi, count: t[i].count))
        case .normalize(let i, let n, let l1, let p):
            let c = t[i].count
            guard n >= 1, c % n == 0, (1...58).contains(p) else { throw bad("normalizer rows") }
            // The sum (L1) or the sum of squares (L2) of a row stays below 2^62; |y| ≤ 2^p.
            let mx = Int128(max(abs(t[i].lo.min() ?? 0), abs(t[i].hi.max() ?? 0)))
            guard (l1 ? mx * Int128(n) : mx * mx * Int128(n)) + 1 < Int128(1) << 62 else { throw bad("normalizer magnitude") }
            return ([Int](repeating: -(1 << p), count: c), [Int](repeating: 1 << p, count: c))
        case .layerNorm(let i, let n, let g, let b, let eps, let p):
            let c = t[i].count
            guard n >= 1, c % n == 0, g.count == c, b.count == c, eps >= 1, (1...58).contains(p) else { throw bad("layer norm rows") }
            // D = Σ c_i² + ε with |c_i| ≤ 2·n·max|x|: below 2^62 (the circuit's checks then stay far below r).
            let mx = max(abs(t[i].lo.min() ?? 0), abs(t[i].hi.max() ?? 0))
            let cMax = Int128(2 * n) * Int128(mx)
            guard cMax * cMax * Int128(n) + Int128(eps) < Int128(1) << 62 else { throw bad("layer norm variance") }
            var lo: [Int] = [], hi: [Int] = []
            for k in 0..<c {
                let (pl, ph) = mulRange(g[k], -(1 << p), 1 << p)
                lo.append(try check(pl + b[k], layer)); hi.append(try check(ph + b[k], layer))
            }
            return (lo, hi)
        default: return nil
        }
    }
}
