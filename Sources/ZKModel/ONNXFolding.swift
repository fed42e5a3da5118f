// Graph normalization during import: constant folding of everything computable from constants and static shapes.
//
// Exporters write shape arithmetic into the graph — PyTorch's `x.view(x.size(0), -1)` becomes
// Shape → Gather → Unsqueeze → Concat → Reshape — and a symbolic batch dimension is proven as 1 everywhere,
// so every such subgraph is a constant here. `fold` evaluates a node whose inputs are all constants (or, for
// Shape and Size, a tensor's static shape) and records its output as a constant; nodes it does not fold are
// lowered as ops on activations. Integer-typed constants (int32/int64/bool, Shape, Size, Cast to an integer
// type) are tracked so that Div truncates and Cast rounds as ONNX does.

import Foundation

extension Importer {
    /// Folds `node` if it can be computed at compile time. Returns false when it must be lowered instead.
    mutating func fold(_ node: Onnx_NodeProto, _ name: String) throws -> Bool {
        let op = node.opType
        func out(_ i: Int = 0) throws -> String {
            guard i < node.output.count, !node.output[i].isEmpty else { throw ModelError.malformedONNX("node '\(name)' has no output \(i)") }
            return node.output[i]
        }
        /// Every present input is a constant (Shape/Size excepted, handled below).
        func allConstant() throws -> [(shape: [Int], data: [Double])]? {
            var cs: [(shape: [Int], data: [Double])] = []
            for i in node.input.indices where !node.input[i].isEmpty {
                guard case .constant(let s, let d) = try input(node, i, name) else { return nil }
                cs.append((s, d))
            }
            return cs
        }
        func isInteger(_ i: Int) -> Bool { i < node.input.count && integerValues.contains(node.input[i]) }
        func set(_ shape: [Int], _ data: [Double], integer: Bool, output i: Int = 0) throws {
            guard data.count == (try elementCount(shape, name)) else {
                throw ModelError.shapeMismatch(node: name, reason: "\(op) folds to \(data.count) values for shape \(shape)")
            }
            guard data.allSatisfy({ $0.isFinite }) else { throw ModelError.unsupported(node: name, reason: "constant folding of \(op) gives NaN or infinity") }
            let o = try out(i)
            values[o] = .constant(shape: shape, data: data)
            if integer { integerValues.insert(o) } else { integerValues.remove(o) }
        }

        switch op {
        case "Constant":
            try foldConstantOp(node, name)
            return true
        case "Shape", "Size":
            let s = shape(of: try input(node, 0, name))
            if op == "Size" { try set([], [Double(s.reduce(1, *))], integer: true); return true }
            var start = try intAttr(node, "start") ?? 0, end = try intAttr(node, "end") ?? s.count
            if start < 0 { start += s.count }
            if end < 0 { end += s.count }
            start = min(max(start, 0), s.count); end = min(max(end, start), s.count)
            try set([end - start], s[start..<end].map(Double.init), integer: true)
            return true
        case "Dropout":
            // Inference: the identity. A requested mask output has no meaning in a proof.
            guard node.output.count < 2 || node.output[1].isEmpty || uses[node.output[1], default: 0] == 0 else {
                throw ModelError.unsupported(node: name, reason: "Dropout's mask output is used; zkinfer proves inference only")
            }
            // Like Identity: a tensor of its own (a zero-cost rewiring), so use counts — which decide whether a bias Add
            // may fold into the layer before it — stay exact.
            try reshape(node, name, try input(node, 0, name), to: shape(of: try input(node, 0, name)))
            return true
        case "Cast", "CastLike":
            let to: Int
            if op == "Cast" {
                guard let t = try intAttr(node, "to") else { throw ModelError.malformedONNX("Cast node '\(name)' has no 'to' attribute") }
                to = t
            } else {
                guard let t = graphValueType(node.input.count > 1 ? node.input[1] : "") else {
                    throw ModelError.unsupported(node: name, reason: "CastLike target type is unknown")
                }
                to = t
            }
            let v = try input(node, 0, name)
            switch v {
            case .constant(let s, let d):
                switch to {
                case 1, 10, 11, 16: try set(s, d.map { to == 1 ? Double(Float($0)) : $0 }, integer: false)  // float types
                case 9: try set(s, d.map { $0 != 0 ? 1 : 0 }, integer: true)  // bool
                case 2, 3, 4, 5, 6, 7, 12, 13:
                    try set(s, try d.map { x in
                        guard abs(x) < Double(1 << 52) else { throw ModelError.unsupported(node: name, reason: "Cast of \(x) to an integer type") }
                        return x.rounded(.towardZero)
                    }, integer: true)
                default: throw ModelError.unsupported(node: name, reason: "Cast to data type \(to)")
                }
            case .tensor:
                // Activations are real numbers: a cast to a float type is the identity, anything else is unsupported.
                guard [1, 10, 11, 16].contains(to) else {
                    throw ModelError.unsupported(node: name, reason: "Cast of a computed tensor to data type \(to) (only float types)")
                }
                try reshape(node, name, v, to: shape(of: v))  // a tensor of its own, as for Identity and Dropout
            }
            return true
        default: break
        }

        guard let cs = try allConstant(), !cs.isEmpty else { return false }
        let allInt = node.input.indices.filter { !node.input[$0].isEmpty }.allSatisfy { isInteger($0) }
        switch op {
        case "Add", "Sub", "Mul", "Div", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Mod", "Pow", "Max", "Min":
            guard cs.count == 2 || (["Max", "Min"].contains(op) && cs.count >= 1) else {
                throw ModelError.malformedONNX("node '\(name)' (\(op)) needs two inputs")
            }
            var shape = cs[0].shape
            for c in cs.dropFirst() { shape = try broadcastShape(shape, c.shape, name) }
            let xs = try cs.map { try broadcast($0, to: shape, name) }
            let n = try elementCount(shape, name)
            var r = xs[0]
            for y in xs.dropFirst() {
                r = try (0..<n).map { i -> Double in
                    let a = r[i], b = y[i]
                    switch op {
                    case "Add": return a + b
                    case "Sub": return a - b
                    case "Mul": return a * b
                    case "Div":
                        if allInt {
                            guard b != 0 else { throw ModelError.unsupported(node: name, reason: "integer division by zero") }
                            return (a / b).rounded(.towardZero)
                        }
                        return a / b
                    case "Mod":
                        guard b != 0 else { throw ModelError.unsupported(node: name, reason: "Mod by zero") }
                        return allInt ? a - (a / b).rounded(.down) * b : fmod(a, b)
                    case "Pow": return pow(a, b)
                    case "Max": return max(a, b)
                    case "Min": return min(a, b)
                    case "Equal": return a == b ? 1 : 0
                    case "Less": return a < b ? 1 : 0
                    case "Greater": return a > b ? 1 : 0
                    case "LessOrEqual": return a <= b ? 1 : 0
                    case "GreaterOrEqual": return a >= b ? 1 : 0
                    case "And": return (a != 0 && b != 0) ? 1 : 0
                    default: return (a != 0 || b != 0) ? 1 : 0  // Or
                    }
                }
            }
            let boolean = ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or"].contains(op)
            try set(shape, r, integer: boolean || (allInt && op != "Pow"))
        case "Neg", "Abs", "Sqrt", "Reciprocal", "Floor", "Ceil", "Not", "Exp", "Log", "Relu", "Sign":
            let c = cs[0]
            let r: [Double] = c.data.map { x in
                switch op {
                case "Neg": return -x
                case "Abs": return abs(x)
                case "Sqrt": return x.squareRoot()
                case "Reciprocal": return 1 / x
                case "Floor": return x.rounded(.down)
                case "Ceil": return x.rounded(.up)
                case "Exp": return exp(x)
                case "Log": return log(x)
                case "Relu": return max(x, 0)
                case "Sign": return x > 0 ? 1 : (x < 0 ? -1 : 0)
                default: return x == 0 ? 1 : 0  // Not
                }
            }
            try set(c.shape, r, integer: ["Neg", "Abs", "Floor", "Ceil", "Relu", "Sign"].contains(op) ? isInteger(0) : op == "Not")
        case "Where":
            guard cs.count == 3 else { throw ModelError.malformedONNX("Where node '\(name)' needs three inputs") }
            let shape = try broadcastShape(try broadcastShape(cs[0].shape, cs[1].shape, name), cs[2].shape, name)
            let c = try broadcast(cs[0], to: shape, name), x = try broadcast(cs[1], to: shape, name), y = try broadcast(cs[2], to: shape, name)
            try set(shape, (0..<c.count).map { c[$0] != 0 ? x[$0] : y[$0] }, integer: isInteger(1) && isInteger(2))
        case "Range":
            guard cs.count == 3, cs.allSatisfy({ $0.data.count == 1 }) else { throw ModelError.malformedONNX("Range node '\(name)' needs three scalars") }
            let (start, limit, delta) = (cs[0].data[0], cs[1].data[0], cs[2].data[0])
            guard delta != 0 else { throw ModelError.unsupported(node: name, reason: "Range with delta 0") }
            let steps = ((limit - start) / delta).rounded(.up)
            guard steps.isFinite, steps <= Double(ONNXImporter.maxTensorElements) else {
                throw ModelError.unsupported(node: name, reason: "Range of \(steps) elements")
            }
            let count = max(0, Int(steps))
            try set([count], (0..<count).map { start + Double($0) * delta }, integer: allInt)
        case "ConstantOfShape":
            let dims = try integers(cs[0].data, node, name, what: "shape")
            guard dims.allSatisfy({ $0 >= 0 }) else { throw ModelError.shapeMismatch(node: name, reason: "ConstantOfShape \(dims)") }
            var fill = 0.0, integer = false
            if let a = attr(node, "value"), a.hasT, case .constant(_, let d) = try constant(a.t), let v = d.first {
                fill = v
                integer = [6, 7, 9].contains(a.t.dataType)
            }
            try set(dims, [Double](repeating: fill, count: try elementCount(dims, name)), integer: integer)
        case "Expand":
            guard cs.count == 2 else { throw ModelError.malformedONNX("Expand node '\(name)' needs two inputs") }
            let target = try integers(cs[1].data, node, name, what: "shape")
            let shape = try broadcastShape(cs[0].shape, target, name)
            try set(shape, try broadcast(cs[0], to: shape, name), integer: isInteger(0))
        case "Concat":
            let shape = try concatShape(cs.map(\.shape), axis: try intAttr(node, "axis"), name)
            let axis = shape.axis
            let outer = shape.shape[..<axis].reduce(1, *)
            var r: [Double] = []
            r.reserveCapacity(shape.shape.reduce(1, *))
            for o in 0..<outer {
                for c in cs {
                    let inner = c.shape[axis...].reduce(1, *)
                    r += c.data[(o * inner)..<((o + 1) * inner)]
                }
            }
            try set(shape.shape, r, integer: allInt)
        case "Gather":
            guard cs.count == 2 else { throw ModelError.malformedONNX("Gather node '\(name)' needs two inputs") }
            let (shape, idx) = try gatherIndices(dataShape: cs[0].shape, indices: cs[1], axis: try intAttr(node, "axis") ?? 0, node, name)
            try set(shape, idx.map { cs[0].data[$0] }, integer: isInteger(0))
        case "Slice":
            let (shape, idx) = try sliceIndices(node, name, dataShape: cs[0].shape)
            try set(shape, idx.map { cs[0].data[$0] }, integer: isInteger(0))
        case "Squeeze", "Unsqueeze", "Reshape", "Flatten", "Identity", "Transpose":
            return false  // lowered by the shared code, which handles constants too
        default:
            return false
        }
        return true
    }

    /// The Constant op: `value` (a tensor) or, from opset 12, `value_float(s)` / `value_int(s)`.
    mutating func foldConstantOp(_ node: Onnx_NodeProto, _ name: String) throws {
        guard let o = node.output.first, !o.isEmpty else { throw ModelError.malformedONNX("node '\(name)' has no output") }
        if let a = attr(node, "value"), a.hasT {
            values[o] = try constant(a.t)
            if [6, 7, 9].contains(a.t.dataType) { integerValues.insert(o) }
        } else if let a = attr(node, "value_float") {
            values[o] = .constant(shape: [], data: [Double(a.f)])
        } else if let a = attr(node, "value_floats") {
            values[o] = .constant(shape: [a.floats.count], data: a.floats.map(Double.init))
        } else if let a = attr(node, "value_int") {
            guard abs(a.i) < 1 << 52 else { throw ModelError.unsupported(node: name, reason: "Constant value_int \(a.i)") }
            values[o] = .constant(shape: [], data: [Double(a.i)])
            integerValues.insert(o)
        } else if let a = attr(node, "value_ints") {
            guard a.ints.allSatisfy({ abs($0) < 1 << 52 }) else { throw ModelError.unsupported(node: name, reason: "Constant value_ints") }
            values[o] = .constant(shape: [a.ints.count], data: a.ints.map { Double($0) })
            integerValues.insert(o)
        } else {
            throw ModelError.unsupported(node: name, reason: "Constant without a tensor, float(s) or int(s) value (sparse and string constants are not supported)")
        }
        if case .constant(let s, let d)? = values[o] {
            let n = try elementCount(s, name)
            guard d.count == n, d.allSatisfy({ $0.isFinite }) else { throw ModelError.unsupported(node: name, reason: "Constant contains NaN or infinity") }
        }
    }

    /// The ONNX elem type of a graph value, if declared (for CastLike).
    func graphValueType(_ name: String) -> Int? {
        if integerValues.contains(name) { return 7 }
        if case .constant? = values[name] { return 1 }
        for v in graph.input + graph.valueInfo + graph.output where v.name == name && v.type.tensorType.hasElemType {
            return Int(v.type.tensorType.elemType)
        }
        return nil
    }

    /// The output shape and normalized axis of Concat over `shapes`.
    func concatShape(_ shapes: [[Int]], axis: Int?, _ name: String) throws -> (shape: [Int], axis: Int) {
        guard let first = shapes.first, var axis = axis else { throw ModelError.malformedONNX("Concat node '\(name)' needs inputs and an axis") }
        if axis < 0 { axis += first.count }
        guard axis >= 0, axis < first.count else { throw ModelError.shapeMismatch(node: name, reason: "Concat axis \(axis) for rank \(first.count)") }
        var out = first
        for s in shapes.dropFirst() {
            guard s.count == first.count, (0..<s.count).allSatisfy({ $0 == axis || s[$0] == first[$0] }) else {
                throw ModelError.shapeMismatch(node: name, reason: "Concat of shapes \(shapes) on axis \(axis)")
            }
            out[axis] += s[axis]
        }
        return (out, axis)
    }

    /// Gather along `axis` with constant indices (negative indices count from the end): the output shape and, for
    /// each output element, the flat index into the data.
    func gatherIndices(dataShape s: [Int], indices: (shape: [Int], data: [Double]), axis a: Int, _ node: Onnx_NodeProto, _ name: String)
        throws -> ([Int], [Int]) {
        var axis = a
        if axis < 0 { axis += s.count }
        guard axis >= 0, axis < s.count else { throw ModelError.shapeMismatch(node: name, reason: "Gather axis \(a) for shape \(s)") }
        let idx = try integers(indices.data, node, name, what: "indices").map { $0 < 0 ? $0 + s[axis] : $0 }
        guard idx.allSatisfy({ $0 >= 0 && $0 < s[axis] }) else { throw ModelError.shapeMismatch(node: name, reason: "Gather index out of range for axis \(axis) of \(s)") }
        let outShape = Array(s[..<axis]) + indices.shape + Array(s[(axis + 1)...])
        let outer = s[..<axis].reduce(1, *), inner = s[(axis + 1)...].reduce(1, *)
        _ = try elementCount(outShape, name)
        var out: [Int] = []
        out.reserveCapacity(outer * idx.count * inner)
        for o in 0..<outer { for j in idx { for i in 0..<inner { out.append((o * s[axis] + j) * inner + i) } } }
        return (outShape, out)
    }

    /// Slice with constant starts/ends/axes/steps (inputs from opset 10, attributes before): the output shape and
    /// the flat source index of every output element.
    func sliceIndices(_ node: Onnx_NodeProto, _ name: String, dataShape s: [Int]) throws -> ([Int], [Int]) {
        var starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?
        if opset >= 10 {
            func ints(_ i: Int, _ what: String) throws -> [Int]? {
                guard let v = try optionalInput(node, i, name) else { return nil }
                guard case .constant(_, let d) = v else {
                    throw ModelError.unsupported(node: name, reason: "Slice \(what) must be constant (computable at compile time)")
                }
                return try d.map { x in
                    guard x == x.rounded() else { throw ModelError.unsupported(node: name, reason: "Slice \(what) \(d)") }
                    // Exporters write ±2^63−1 for "to the end"; clamp to a safe range.
                    return Int(max(-Double(1 << 62), min(Double(1 << 62), x)))
                }
            }
            guard let st = try ints(1, "starts"), let en = try ints(2, "ends") else { throw ModelError.malformedONNX("Slice node '\(name)' needs starts and ends") }
            starts = st; ends = en; axes = try ints(3, "axes"); steps = try ints(4, "steps")
        } else {
            starts = try intsAttr(node, "starts") ?? []; ends = try intsAttr(node, "ends") ?? []; axes = try intsAttr(node, "axes"); steps = nil
        }
        let ax = (axes ?? Array(0..<starts.count)).map { $0 < 0 ? $0 + s.count : $0 }
        let st = steps ?? [Int](repeating: 1, count: starts.count)
        guard starts.count == ends.count, ax.count == starts.count, st.count == starts.count, ax.allSatisfy({ $0 >= 0 && $0 < s.count }),
              Set(ax).count == ax.count, st.allSatisfy({ $0 != 0 }) else {
            throw ModelError.shapeMismatch(node: name, reason: "Slice starts \(starts) ends \(ends) axes \(ax) steps \(st) for shape \(s)")
        }
        // Per axis: the selected coordinates (numpy semantics, clamped).
        var picks = s.map { Array(0..<$0) }
        for (k, a) in ax.enumerated() {
            let d = s[a], step = st[k]
            var b = starts[k], e = ends[k]
            if b < 0 { b += d }
            if e < 0 { e += d }
            var sel: [Int] = []
            if step > 0 {
                b = min(max(b, 0), d); e = min(max(e, 0), d)
                var i = b
                while i < e { sel.append(i); i += step }
            } else {
                b = min(max(b, -1), d - 1); e = min(max(e, -1), d - 1)
                var i = b
                while i > e { sel.append(i); i += step }
            }
            picks[a] = sel
        }
        let outShape = picks.map(\.count)
        let n = try elementCount(outShape, name)
        var strides = [Int](repeating: 1, count: s.count)
        for d in stride(from: s.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * s[d + 1] }
        var out = [Int](repeating: 0, count: n)
        for o in 0..<n {
            var rem = o, src = 0
            for d in stride(from: s.count - 1, through: 0, by: -1) {
                src += picks[d][rem % outShape[d]] * strides[d]
                rem /= outShape[d]
            }
            out[o] = src
        }
        return (outShape, out)
    }
}
