// Import of nonlinear ONNX ops: activations become element-wise functions (``ScalarExpr``), Softmax on any axis,
// LayerNormalization (the opset-17 op and its decomposed export), and the fusion pass that turns a chain of
// element-wise ops on one tensor (GELU's two export forms, SiLU, HardSwish, Mish…) into a single function.

import Foundation

extension Importer {
    static let activationOps: Set<String> = ["Sigmoid", "Tanh", "Exp", "Erf", "Gelu", "Softplus", "Elu", "Selu", "Celu", "HardSigmoid",
                                             "HardSwish", "Mish", "Log", "Sqrt", "Reciprocal", "Sin", "Cos", "Atan", "Softsign", "ThresholdedRelu"]

    /// The float meaning of an activation op as an expression of its input.
    func activationExpr(_ node: Onnx_NodeProto, _ name: String) throws -> ScalarExpr {
        let x = ScalarExpr.x
        func c(_ v: Double) -> ScalarExpr { .constant(v) }
        switch node.opType {
        case "Sigmoid": return .apply(.sigmoid, x)
        case "Tanh": return .apply(.tanh, x)
        case "Exp": return .apply(.exp, x)
        case "Erf": return .apply(.erf, x)
        case "Softplus": return .apply(.softplus, x)
        case "Log": return .apply(.log, x)
        case "Sqrt": return .apply(.sqrt, x)
        case "Reciprocal": return .apply(.reciprocal, x)
        case "Sin": return .apply(.sin, x)
        case "Cos": return .apply(.cos, x)
        case "Atan": return .apply(.atan, x)
        case "Softsign": return .mul(x, .apply(.reciprocal, .add(.apply(.abs, x), c(1))))
        case "Gelu":
            let approx = attr(node, "approximate").map { String(decoding: $0.s, as: UTF8.self) } ?? "none"
            switch approx {
            case "none": return .mul(.mul(c(0.5), x), .add(c(1), .apply(.erf, .mul(x, c(1 / 2.0.squareRoot())))))
            case "tanh":
                let inner = ScalarExpr.mul(c((2 / Double.pi).squareRoot()), .add(x, .mul(c(0.044715), .pow(x, 3))))
                return .mul(.mul(c(0.5), x), .add(c(1), .apply(.tanh, inner)))
            default: throw ModelError.unsupported(node: name, reason: "Gelu approximate = \"\(approx)\"")
            }
        case "Elu", "Selu", "Celu":
            let alpha = floatAttr(node, "alpha") ?? (node.opType == "Selu" ? 1.67326319217681884765625 : 1)
            let neg = ScalarExpr.clip(x, lo: nil, hi: 0)
            let expPart: ScalarExpr = node.opType == "Celu" ? .apply(.exp, .mul(neg, c(1 / alpha))) : .apply(.exp, neg)
            let elu = ScalarExpr.add(.apply(.relu, x), .mul(c(alpha), .add(expPart, c(-1))))
            if node.opType == "Selu" { return .mul(c(floatAttr(node, "gamma") ?? 1.05070102214813232421875), elu) }
            return elu
        case "HardSigmoid":
            return .clip(.add(.mul(c(floatAttr(node, "alpha") ?? 0.2), x), c(floatAttr(node, "beta") ?? 0.5)), lo: 0, hi: 1)
        case "HardSwish": return .mul(x, .clip(.add(.mul(c(1.0 / 6), x), c(0.5)), lo: 0, hi: 1))
        case "Mish": return .mul(x, .apply(.tanh, .apply(.softplus, x)))
        case "ThresholdedRelu":
            let a = floatAttr(node, "alpha") ?? 1
            return .mul(x, .clip(.mul(.add(x, c(-a)), c(1e9)), lo: 0, hi: 1))
        default: throw ModelError.unsupportedOp(op: node.opType, node: name, supported: ONNXImporter.supportedOps)
        }
    }

    /// An activation of a computed tensor.
    mutating func lowerActivation(_ node: Onnx_NodeProto, _ name: String) throws {
        let t = try tensor(node, 0, name)
        try emit(.function(input: t, expr: try activationExpr(node, name)), shape: shapes[t], node: node, name: name)
    }

    /// `Pow(x, c)` for a computed x and a constant scalar exponent: products for 1, 2 and 3, a function otherwise.
    mutating func lowerPow(_ node: Onnx_NodeProto, _ name: String) throws {
        let t = try tensor(node, 0, name)
        let e = try constantInput(node, 1, name, what: "the exponent")
        guard e.data.count == 1 else { throw ModelError.unsupported(node: name, reason: "Pow with a non-scalar exponent") }
        let p = e.data[0]
        let n = size(t)
        switch p {
        case 1: try reshape(node, name, .tensor(t), to: shapes[t])
        case 2: try emit(.bilinear(a: t, b: t, left: Array(0..<n), right: Array(0..<n), terms: 1), shape: shapes[t], node: node, name: name)
        case 3:
            let sq = try emitHidden(.bilinear(a: t, b: t, left: Array(0..<n), right: Array(0..<n), terms: 1), shape: shapes[t], node: node, name: name, tag: "square")
            try emit(.bilinear(a: sq, b: t, left: Array(0..<n), right: Array(0..<n), terms: 1), shape: shapes[t], node: node, name: name)
        default: try emit(.function(input: t, expr: .pow(.x, p)), shape: shapes[t], node: node, name: name)
        }
    }

    /// Softmax and LogSoftmax on any axis (opset ≥ 13: one axis; earlier: the coerced 2-D rows from `axis` on). A Softmax whose axis
    /// is not the last is a transposition, a Softmax over rows and the inverse transposition (rewirings, free).
    mutating func lowerSoftmax(_ node: Onnx_NodeProto, _ name: String) throws {
        let t = try tensor(node, 0, name)
        let s = shapes[t]
        var axis = try intAttr(node, "axis") ?? (opset >= 13 ? -1 : 1)
        if axis < 0 { axis += s.count }
        guard axis >= 0, axis < s.count else { throw ModelError.shapeMismatch(node: name, reason: "Softmax axis \(axis) for shape \(s)") }
        let log = node.opType == "LogSoftmax"
        func op(_ input: Int, _ n: Int) -> FloatOp { log ? .logSoftmax(input: input, rowLength: n) : .softmax(input: input, rowLength: n) }
        if opset < 13 || axis == s.count - 1 {
            let row = s[axis...].reduce(1, *)
            try emit(op(t, row), shape: s, node: node, name: name)
            return
        }
        // Move `axis` last: out index order (outer, inner, axis).
        let outer = s[..<axis].reduce(1, *), n = s[axis], inner = s[(axis + 1)...].reduce(1, *)
        var toRows: [Int] = [], back = [Int](repeating: 0, count: outer * n * inner)
        for o in 0..<outer { for i in 0..<inner { for a in 0..<n {
            let src = (o * n + a) * inner + i
            back[src] = toRows.count
            toRows.append(src)
        } } }
        let rows = try emitHidden(.gather(input: t, indices: toRows), shape: [outer * inner, n], node: node, name: name, tag: "rows")
        let sm = try emitHidden(op(rows, n), shape: [outer * inner, n], node: node, name: name, tag: "softmax")
        try emit(.gather(input: sm, indices: back), shape: s, node: node, name: name)
    }

    /// LayerNormalization (opset 17): normalized over the axes from `axis` on, Scale and B broadcast.
    mutating func lowerLayerNorm(_ node: Onnx_NodeProto, _ name: String) throws {
        let t = try tensor(node, 0, name)
        let s = shapes[t]
        var axis = try intAttr(node, "axis") ?? -1
        if axis < 0 { axis += s.count }
        guard axis >= 0, axis < s.count else { throw ModelError.shapeMismatch(node: name, reason: "LayerNormalization axis \(axis) for shape \(s)") }
        guard node.output.count == 1 || node.output[1...].allSatisfy({ $0.isEmpty || (uses[$0] ?? 0) == 0 }) else {
            throw ModelError.unsupported(node: name, reason: "LayerNormalization's Mean and InvStdDev outputs are not supported")
        }
        let row = s[axis...].reduce(1, *)
        let scale = try constantInput(node, 1, name, what: "Scale")
        let gamma = try broadcast(scale, to: s, name)
        let beta = try optionalInput(node, 2, name).map { v -> [Double] in
            guard case .constant(let bs, let bd) = v else { throw ModelError.unsupported(node: name, reason: "LayerNormalization B must be constant") }
            return try broadcast((bs, bd), to: s, name)
        } ?? [Double](repeating: 0, count: gamma.count)
        try emit(.layerNorm(input: t, rowLength: row, gamma: gamma, beta: beta, epsilon: floatAttr(node, "epsilon") ?? 1e-5),
                 shape: s, node: node, name: name)
    }

    /// The decomposed LayerNorm export: `Div(Sub(x, ReduceMean(x)), Sqrt(Add(ReduceMean(Pow(d, 2)), ε)))` over the last
    /// axis (Pow may be `Mul(d, d)`, the Add's operands either way round). Returns x and ε, or nil for another graph.
    func decomposedLayerNorm(_ div: Onnx_NodeProto, producers: [String: Onnx_NodeProto]) -> (x: Int, epsilon: Double)? {
        guard div.input.count == 2, let sub = producers[div.input[0]], sub.opType == "Sub", sub.input.count == 2,
              let sqrt = producers[div.input[1]], sqrt.opType == "Sqrt", let add = sqrt.input.first.flatMap({ producers[$0] }),
              add.opType == "Add", add.input.count == 2 else { return nil }
        func lastAxisMean(_ n: Onnx_NodeProto?, of input: String) -> Bool {
            guard let n, n.opType == "ReduceMean", n.input.first == input, case .tensor(let t)? = values[input] else { return false }
            let rank = shapes[t].count
            var axes = (try? intsAttr(n, "axes")) ?? nil
            if axes == nil, n.input.count > 1, case .constant(_, let d)? = values[n.input[1]] { axes = d.map { Int($0) } }
            guard let a = axes, a.count == 1, a[0] == -1 || a[0] == rank - 1 else { return false }
            let keep: Int? = (try? intAttr(n, "keepdims")) ?? nil
            return (keep ?? 1) != 0
        }
        let x = sub.input[0]
        guard lastAxisMean(producers[sub.input[1]], of: x), case .tensor(let xt)? = values[x] else { return nil }
        var epsilon: Double?, varName: String?
        for (a, b) in [(add.input[0], add.input[1]), (add.input[1], add.input[0])] {
            if case .constant(_, let e)? = values[b], e.count == 1 { epsilon = e[0]; varName = a }
        }
        guard let epsilon, let varName, let mean2 = producers[varName], mean2.opType == "ReduceMean", let sqName = mean2.input.first,
              let sq = producers[sqName], lastAxisMean(mean2, of: sqName) else { return nil }
        let dName = sub.output.first ?? ""
        let isSquare: Bool = {
            if sq.opType == "Mul" { return sq.input.count == 2 && sq.input[0] == dName && sq.input[1] == dName }
            if sq.opType == "Pow", sq.input.count == 2, sq.input[0] == dName, case .constant(_, let p)? = values[sq.input[1]] { return p == [2] }
            return false
        }()
        guard isSquare, div.input[0] == dName else { return nil }
        return (xt, epsilon)
    }
}

extension FloatGraph {
    /// Fuses chains of element-wise ops on one tensor into single functions: every tensor that is an element-wise
    /// function of one root tensor (through functions, uniform affine maps, ReLU/LeakyReLU/Clip, sums and products of
    /// such tensors) and is read by something that is not, is computed as `function(root, expr)` when its expression
    /// needs a table (``ScalarExpr/needsTable``); the ops inside the chain are then removed. Exact rewrite of the float
    /// semantics (the expression is the composition of the ops).
    mutating func fuseElementwise() {
        var form: [Int: (root: Int, expr: ScalarExpr, ops: [String])] = [:]
        func f(_ t: Int) -> (root: Int, expr: ScalarExpr, ops: [String]) { form[t] ?? (t, .x, []) }
        func uniform(_ v: [Double]) -> Double? { v.allSatisfy({ $0 == v.first }) ? v.first : nil }
        func substitute(_ e: ScalarExpr, _ inner: ScalarExpr) -> ScalarExpr {
            switch e {
            case .x: return inner
            case .constant: return e
            case .add(let a, let b): return .add(substitute(a, inner), substitute(b, inner))
            case .mul(let a, let b): return .mul(substitute(a, inner), substitute(b, inner))
            case .apply(let fn, let a): return .apply(fn, substitute(a, inner))
            case .clip(let a, let lo, let hi): return .clip(substitute(a, inner), lo: lo, hi: hi)
            case .pow(let a, let p): return .pow(substitute(a, inner), p)
            case .leaky(let a, let al): return .leaky(substitute(a, inner), alpha: al)
            }
        }
        for node in nodes {
            let out = node.output
            func unary(_ i: Int, _ e: ScalarExpr) { let fi = f(i); form[out] = (fi.root, substitute(e, fi.expr), fi.ops + [node.onnxOp]) }
            switch node.op {
            case .function(let i, let e): unary(i, e)
            case .affine(let i, let mul, let add):
                if let m = uniform(mul), let a = uniform(add) { unary(i, .add(.mul(.constant(m), .x), .constant(a))) }
            case .relu(let i): unary(i, .apply(.relu, .x))
            case .leakyRelu(let i, let alpha): unary(i, .leaky(.x, alpha: alpha))
            case .clip(let i, let lo, let hi): unary(i, .clip(.x, lo: lo, hi: hi))
            case .add(let a, let b, let sign):
                let fa = f(a), fb = f(b)
                if fa.root == fb.root, size(a) == size(b) {
                    form[out] = (fa.root, .add(fa.expr, sign == 1 ? fb.expr : .mul(.constant(-1), fb.expr)), fa.ops + fb.ops + [node.onnxOp])
                }
            case .bilinear(let a, let b, let left, let right, let terms):
                let fa = f(a), fb = f(b)
                if terms == 1, fa.root == fb.root, size(a) == size(b), left.count == size(a), left == right, left == Array(0..<left.count) {
                    form[out] = (fa.root, .mul(fa.expr, fb.expr), fa.ops + fb.ops + [node.onnxOp])
                }
            default: break
            }
        }
        var consumers = [[Int]](repeating: [], count: shapes.count)
        for (k, n) in nodes.enumerated() { for i in n.op.inputs { consumers[i].append(k) } }
        for (k, node) in nodes.enumerated() {
            let t = node.output
            guard let ft = form[t], ft.expr.needsTable else { continue }
            // √ and 1/x of an exact (table-free) expression keep their own node: they have exact gadgets.
            if case .apply(let fn, let inner) = ft.expr, fn == .sqrt || fn == .reciprocal, !inner.needsTable { continue }
            let absorbed = t != output && !consumers[t].isEmpty && consumers[t].allSatisfy { c in form[nodes[c].output]?.root == ft.root }
            if absorbed { continue }
            if case .function(let i, let e) = node.op, i == ft.root, e == ft.expr { continue }
            var seen = Set<String>()
            let ops = ft.ops.filter { seen.insert($0).inserted }
            nodes[k].op = .function(input: ft.root, expr: ft.expr)
            nodes[k].onnxOp = ops.count == 1 ? ops[0] : "fused(" + ops.joined(separator: "+") + ")"
        }
        // Ops that fusion or pattern matching (the decomposed LayerNorm) left without readers.
        removeDeadNodes()
    }

    /// Drops nodes whose outputs nothing reads (after fusion), keeping the graph output.
    mutating func removeDeadNodes() {
        var live = Set([output] + (label.map { [$0.tensor] } ?? []))
        var keep = [Bool](repeating: false, count: nodes.count)
        for k in stride(from: nodes.count - 1, through: 0, by: -1) where live.contains(nodes[k].output) {
            keep[k] = true
            for i in nodes[k].op.inputs { live.insert(i) }
        }
        nodes = nodes.enumerated().filter { keep[$0.offset] }.map(\.element)
    }
}

extension Importer {
    /// PRelu with a constant slope (scalar or per channel, broadcast): `relu(x) + slope·(x − relu(x))`.
    mutating func lowerPRelu(_ node: Onnx_NodeProto, _ name: String) throws {
        let t = try tensor(node, 0, name)
        let slope = try broadcast(try constantInput(node, 1, name, what: "the slope"), to: shapes[t], name)
        if let a = slope.first, slope.allSatisfy({ $0 == a }) {
            try emit(.leakyRelu(input: t, alpha: a), shape: shapes[t], node: node, name: name)
            return
        }
        let n = slope.count
        let pos = try emitHidden(.relu(input: t), shape: shapes[t], node: node, name: name, tag: "relu")
        let neg = try emitHidden(.add(a: t, b: pos, sign: -1), shape: shapes[t], node: node, name: name, tag: "negative")
        let scaled = try emitHidden(.affine(input: neg, mul: slope, add: [Double](repeating: 0, count: n)), shape: shapes[t], node: node, name: name, tag: "slope")
        try emit(.add(a: pos, b: scaled, sign: 1), shape: shapes[t], node: node, name: name)
    }
}

extension Importer {
    /// ReduceMax/ReduceMin over any axes: the reduced axes are moved last (a free gather), each group of them is the
    /// window of a max pooling (one signed decomposition and one selection per comparison); ReduceMin is
    /// `−max(−x)` (sign flips are free).
    mutating func lowerReduceExtremum(_ node: Onnx_NodeProto, _ name: String) throws {
        let t = try tensor(node, 0, name)
        let s = shapes[t]
        var axes: [Int]?
        if opset >= 18, let v = try optionalInput(node, 1, name) {
            guard case .constant(_, let d) = v else { throw ModelError.unsupported(node: name, reason: "\(node.opType) axes must be constant") }
            axes = try integers(d, node, name, what: "axes")
        } else if opset < 18 {
            axes = try intsAttr(node, "axes")
        }
        if axes?.isEmpty ?? true {
            if (try intAttr(node, "noop_with_empty_axes") ?? 0) != 0 { try reshape(node, name, .tensor(t), to: s); return }
            axes = Array(0..<s.count)
        }
        let ax = Set(axes!.map { $0 < 0 ? $0 + s.count : $0 })
        guard ax.allSatisfy({ $0 >= 0 && $0 < s.count }), !s.isEmpty else {
            throw ModelError.shapeMismatch(node: name, reason: "\(node.opType) axes \(axes!) for \(s)")
        }
        let keep = (try intAttr(node, "keepdims") ?? 1) != 0
        let kept = (0..<s.count).filter { !ax.contains($0) }, reduced = (0..<s.count).filter { ax.contains($0) }
        let rows = kept.reduce(1) { $0 * s[$1] }, n = reduced.reduce(1) { $0 * s[$1] }
        // Source index of (row, j) with the kept axes outer and the reduced axes inner, both in order.
        let st = strides(s)
        var order: [Int] = []
        order.reserveCapacity(rows * n)
        for r in 0..<rows {
            var rem = r, base = 0
            for d in kept.reversed() { base += (rem % s[d]) * st[d]; rem /= s[d] }
            for j in 0..<n {
                var rj = j, off = 0
                for d in reduced.reversed() { off += (rj % s[d]) * st[d]; rj /= s[d] }
                order.append(base + off)
            }
        }
        let isMin = node.opType == "ReduceMin"
        var src = try emitHidden(.gather(input: t, indices: order), shape: [1, rows, 1, n], node: node, name: name, tag: "windows")
        if isMin {
            src = try emitHidden(.affine(input: src, mul: [Double](repeating: -1, count: rows * n), add: [Double](repeating: 0, count: rows * n)),
                                 shape: [1, rows, 1, n], node: node, name: name, tag: "negated")
        }
        let geo = WindowGeometry(channels: rows, height: 1, width: n, kernelH: 1, kernelW: n, strideH: 1, strideW: 1,
                                 padTop: 0, padLeft: 0, padBottom: 0, padRight: 0)
        let outShape = keep ? s.enumerated().map { ax.contains($0.offset) ? 1 : $0.element } : (kept.isEmpty ? [1] : kept.map { s[$0] })
        if isMin {
            let m = try emitHidden(.maxPool(input: src, geometry: geo), shape: [1, rows, 1, 1], node: node, name: name, tag: "max")
            try emit(.affine(input: m, mul: [Double](repeating: -1, count: rows), add: [Double](repeating: 0, count: rows)), shape: outShape, node: node, name: name)
        } else {
            try emit(.maxPool(input: src, geometry: geo), shape: outShape, node: node, name: name)
        }
    }

    /// InstanceNormalization (per channel over the spatial axes) and GroupNormalization (per group of channels):
    /// LayerNorm rows of the contiguous channel (group) blocks of an NC… tensor, with per-channel scale and bias.
    mutating func lowerGroupNorm(_ node: Onnx_NodeProto, _ name: String) throws {
        let t = try tensor(node, 0, name)
        let s = shapes[t]
        guard s.count >= 3, s[0] == 1 else { throw ModelError.shapeMismatch(node: name, reason: "\(node.opType) expects N×C×… with batch 1, got \(s)") }
        let c = s[1], spatial = s[2...].reduce(1, *)
        let groups = node.opType == "InstanceNormalization" ? c : (try intAttr(node, "num_groups") ?? 0)
        guard groups >= 1, c % groups == 0 else { throw ModelError.unsupported(node: name, reason: "\(node.opType) num_groups \(groups) for \(c) channels") }
        let scale = try constantInput(node, 1, name, what: "scale").data, bias = try constantInput(node, 2, name, what: "bias").data
        // Opset-18 GroupNormalization takes per-group scale/bias; opset 21 and InstanceNormalization per channel.
        let perChannel: ([Double]) throws -> [Double] = { v in
            if v.count == c { return v }
            if v.count == groups { return (0..<c).map { v[$0 / (c / groups)] } }
            throw ModelError.shapeMismatch(node: name, reason: "\(node.opType) scale/bias of \(v.count) values for \(c) channels")
        }
        let g = try perChannel(scale), b = try perChannel(bias)
        let n = c * spatial
        try emit(.layerNorm(input: t, rowLength: (c / groups) * spatial, gamma: (0..<n).map { g[$0 / spatial] }, beta: (0..<n).map { b[$0 / spatial] },
                            epsilon: floatAttr(node, "epsilon") ?? 1e-5), shape: s, node: node, name: name)
    }
}
