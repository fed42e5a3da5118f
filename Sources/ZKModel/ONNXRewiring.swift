// Ops on activations that only move values (zero constraints): Concat, Slice, Split, Gather with constant
// indices, Pad, Tile, Expand, DepthToSpace/SpaceToDepth, Resize/Upsample (nearest) — all lowered to one
// `FloatOp.rewire` that names, for every output element, its source element or a constant. Also the linear
// reductions (Sum, Mean, ReduceSum, ReduceMean), batched MatMul with a constant operand (as 1×1 convolutions
// between two rewirings) and products of two activations (MatMul, Mul: `FloatOp.bilinear`).

import Foundation

extension Importer {
    /// Row-major strides of `shape`.
    func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { s[d] = s[d + 1] * shape[d + 1] }
        return s
    }

    /// For every element of `target` (a shape `shape` broadcasts to, numpy rules), the flat index it reads in `shape`.
    func broadcastSources(_ shape: [Int], to target: [Int], _ name: String) throws -> [Int] {
        guard try broadcastShape(shape, target, name) == target else {
            throw ModelError.shapeMismatch(node: name, reason: "cannot broadcast \(shape) to \(target)")
        }
        let padded = [Int](repeating: 1, count: target.count - shape.count) + shape
        let st = strides(padded)
        let n = try elementCount(target, name)
        var out = [Int](repeating: 0, count: n)
        for o in 0..<n {
            var rem = o, src = 0
            for d in stride(from: target.count - 1, through: 0, by: -1) {
                let c = rem % target[d]
                rem /= target[d]
                if padded[d] != 1 { src += c * st[d] }
            }
            out[o] = src
        }
        return out
    }

    /// A rewiring of the given operands (tensors or constants) into one output: `pick(k)` names, for output element
    /// k, an operand and an element of it.
    mutating func emitRewire(_ operands: [Value], count: Int, shape: [Int], node: Onnx_NodeProto, name: String, output: Int = 0,
                             pick: (Int) -> (operand: Int, element: Int)) throws {
        var inputs: [Int] = [], offsets: [Int: Int] = [:], constantSlots: [Int: Int] = [:]
        var constants: [Double] = []
        var total = 0
        for (k, v) in operands.enumerated() {
            if case .tensor(let t) = v {
                offsets[k] = total
                total += size(t)
                inputs.append(t)
            }
        }
        guard !inputs.isEmpty else { throw ModelError.unsupported(node: name, reason: "\(node.opType) of constants only (not folded)") }
        var sources = [Int](repeating: 0, count: count)
        for k in 0..<count {
            let (o, e) = pick(k)
            switch operands[o] {
            case .tensor: sources[k] = offsets[o]! + e
            case .constant(_, let d):
                // One constant slot per distinct (operand, element).
                let key = o << 32 | e
                if let slot = constantSlots[key] { sources[k] = -1 - slot } else {
                    constantSlots[key] = constants.count
                    sources[k] = -1 - constants.count
                    constants.append(d[e])
                }
            }
        }
        try emit(.rewire(inputs: inputs, sources: sources, constants: constants), shape: shape, node: node, name: name, output: output)
    }

    mutating func lowerRewiring(_ node: Onnx_NodeProto, _ name: String) throws {
        let op = node.opType
        switch op {
        case "Concat":
            let operands = try node.input.indices.filter { !node.input[$0].isEmpty }.map { try input(node, $0, name) }
            let shapesIn = operands.map { shape(of: $0) }
            let (outShape, axis) = try concatShape(shapesIn, axis: try intAttr(node, "axis"), name)
            // Output element → (operand, element): walk the outer index, then the operands' blocks.
            var table: [(Int, Int)] = []
            table.reserveCapacity(try elementCount(outShape, name))
            let outer = outShape[..<axis].reduce(1, *)
            for o in 0..<outer {
                for (k, s) in shapesIn.enumerated() {
                    let inner = s[axis...].reduce(1, *)
                    for i in 0..<inner { table.append((k, o * inner + i)) }
                }
            }
            try emitRewire(operands, count: table.count, shape: outShape, node: node, name: name) { table[$0] }
        case "Slice":
            let t = try tensor(node, 0, name)
            let (s, idx) = try sliceIndices(node, name, dataShape: shapes[t])
            guard !idx.isEmpty else { throw ModelError.unsupported(node: name, reason: "Slice selects no elements") }
            try emitRewire([.tensor(t)], count: idx.count, shape: s, node: node, name: name) { (0, idx[$0]) }
        case "Gather":
            let v = try input(node, 0, name)
            guard case .tensor(let t) = v else {
                // An embedding lookup: the ids must be the model's integer input itself.
                guard case .constant(let ts, let td) = v, integerInput, case .tensor(0) = try input(node, 1, name),
                      (try intAttr(node, "axis") ?? 0) == 0, ts.count >= 1, ts[0] >= 1 else {
                    throw ModelError.unsupported(node: name, reason: "Gather from a constant table by computed indices (an embedding lookup) needs the indices to be the model's integer input (declare it int64 or int32) and axis 0")
                }
                let width = ts.dropFirst().reduce(1, *)
                try emit(.embedding(input: 0, table: td, rows: ts[0], width: width), shape: shapes[0] + Array(ts.dropFirst()), node: node, name: name)
                return
            }
            guard case .constant(let is_, let id) = try input(node, 1, name) else {
                throw ModelError.unsupported(node: name, reason: "Gather indices must be constant (computable at compile time)")
            }
            let (s, idx) = try gatherIndices(dataShape: shapes[t], indices: (is_, id), axis: try intAttr(node, "axis") ?? 0, node, name)
            try emitRewire([.tensor(t)], count: idx.count, shape: s.isEmpty ? [1] : s, node: node, name: name) { (0, idx[$0]) }
        case "Split":
            let t = try tensor(node, 0, name)
            let s = shapes[t]
            var axis = try intAttr(node, "axis") ?? 0
            if axis < 0 { axis += s.count }
            guard axis >= 0, axis < s.count else { throw ModelError.shapeMismatch(node: name, reason: "Split axis \(axis) for \(s)") }
            let n = node.output.count
            var parts: [Int]
            if opset >= 13, let v = try optionalInput(node, 1, name) {
                guard case .constant(_, let d) = v else { throw ModelError.unsupported(node: name, reason: "Split sizes must be constant") }
                parts = try integers(d, node, name, what: "split")
            } else if let a = try intsAttr(node, "split") {
                parts = a
            } else {
                let k = try intAttr(node, "num_outputs") ?? n
                guard k >= 1 else { throw ModelError.malformedONNX("Split node '\(name)' has no outputs") }
                let chunk = (s[axis] + k - 1) / k
                parts = (0..<k).map { min(chunk, max(0, s[axis] - $0 * chunk)) }
            }
            guard parts.count == n, parts.allSatisfy({ $0 >= 1 }), parts.reduce(0, +) == s[axis] else {
                throw ModelError.shapeMismatch(node: name, reason: "Split \(parts) of axis \(axis) (size \(s[axis])) into \(n) outputs")
            }
            let st = strides(s)
            var start = 0
            for (k, len) in parts.enumerated() {
                var outShape = s
                outShape[axis] = len
                let outer = s[..<axis].reduce(1, *), inner = st[axis]
                var idx: [Int] = []
                for o in 0..<outer { for a in start..<(start + len) { for i in 0..<inner { idx.append((o * s[axis] + a) * inner + i) } } }
                if !node.output[k].isEmpty {
                    try emitRewire([.tensor(t)], count: idx.count, shape: outShape, node: node, name: name, output: k) { (0, idx[$0]) }
                }
                start += len
            }
        case "Pad":
            let t = try tensor(node, 0, name)
            let s = shapes[t]
            var pads: [Int]
            var value = 0.0
            if opset >= 11 {
                guard case .constant(_, let d) = try input(node, 1, name) else { throw ModelError.unsupported(node: name, reason: "Pad pads must be constant") }
                pads = try integers(d, node, name, what: "pads")
                if let cv = try optionalInput(node, 2, name) {
                    guard case .constant(_, let d) = cv, d.count == 1 else { throw ModelError.unsupported(node: name, reason: "Pad value must be a scalar constant") }
                    value = d[0]
                }
                if let axesV = try optionalInput(node, 3, name) {
                    guard case .constant(_, let d) = axesV else { throw ModelError.unsupported(node: name, reason: "Pad axes must be constant") }
                    let axes = try integers(d, node, name, what: "axes").map { $0 < 0 ? $0 + s.count : $0 }
                    guard pads.count == 2 * axes.count, axes.allSatisfy({ $0 >= 0 && $0 < s.count }) else {
                        throw ModelError.shapeMismatch(node: name, reason: "Pad axes \(axes) with pads \(pads)")
                    }
                    var full = [Int](repeating: 0, count: 2 * s.count)
                    for (k, a) in axes.enumerated() { full[a] = pads[k]; full[a + s.count] = pads[k + axes.count] }
                    pads = full
                }
            } else {
                pads = try intsAttr(node, "pads") ?? []
                value = floatAttr(node, "value") ?? 0
            }
            guard pads.count == 2 * s.count, pads.allSatisfy({ $0 >= 0 && $0 < 1 << 20 }) else {
                throw ModelError.unsupported(node: name, reason: "Pad pads \(pads) for shape \(s) (negative pads are not supported)")
            }
            let mode = attr(node, "mode").flatMap { String(bytes: $0.s, encoding: .utf8) } ?? "constant"
            guard ["constant", "reflect", "edge"].contains(mode) else { throw ModelError.unsupported(node: name, reason: "Pad mode \(mode)") }
            let outShape = (0..<s.count).map { s[$0] + pads[$0] + pads[$0 + s.count] }
            if mode == "reflect" {
                for d in 0..<s.count where pads[d] >= s[d] || pads[d + s.count] >= s[d] {
                    throw ModelError.unsupported(node: name, reason: "reflect padding wider than the axis")
                }
            }
            let st = strides(s)
            let n = try elementCount(outShape, name)
            var table = [(Int, Int)](repeating: (0, 0), count: n)
            for o in 0..<n {
                var rem = o, src = 0, inside = true
                for d in stride(from: s.count - 1, through: 0, by: -1) {
                    var c = rem % outShape[d] - pads[d]
                    rem /= outShape[d]
                    if c < 0 || c >= s[d] {
                        switch mode {
                        case "edge": c = min(max(c, 0), s[d] - 1)
                        case "reflect": c = c < 0 ? -c : 2 * (s[d] - 1) - c
                        default: inside = false
                        }
                    }
                    src += c * st[d]
                }
                table[o] = inside ? (0, src) : (1, 0)
            }
            try emitRewire([.tensor(t), .constant(shape: [1], data: [value])], count: n, shape: outShape, node: node, name: name) { table[$0] }
        case "Tile":
            let t = try tensor(node, 0, name)
            let s = shapes[t]
            guard case .constant(_, let d) = try input(node, 1, name) else { throw ModelError.unsupported(node: name, reason: "Tile repeats must be constant") }
            let reps = try integers(d, node, name, what: "repeats")
            guard reps.count == s.count, reps.allSatisfy({ $0 >= 1 && $0 <= ONNXImporter.maxTensorElements }) else {
                throw ModelError.shapeMismatch(node: name, reason: "Tile repeats \(reps) for \(s)")
            }
            let outShape = zip(s, reps).map { $0 * $1 }  // each factor ≤ 2^26: no overflow; the count is checked next
            let st = strides(s)
            let n = try elementCount(outShape, name)
            let idx = (0..<n).map { o -> Int in
                var rem = o, src = 0
                for dd in stride(from: s.count - 1, through: 0, by: -1) {
                    src += (rem % outShape[dd] % s[dd]) * st[dd]
                    rem /= outShape[dd]
                }
                return src
            }
            try emitRewire([.tensor(t)], count: n, shape: outShape, node: node, name: name) { (0, idx[$0]) }
        case "Expand":
            let t = try tensor(node, 0, name)
            guard case .constant(_, let d) = try input(node, 1, name) else { throw ModelError.unsupported(node: name, reason: "Expand shape must be constant") }
            let target = try broadcastShape(shapes[t], try integers(d, node, name, what: "shape"), name)
            let idx = try broadcastSources(shapes[t], to: target, name)
            try emitRewire([.tensor(t)], count: idx.count, shape: target, node: node, name: name) { (0, idx[$0]) }
        case "DepthToSpace", "SpaceToDepth":
            let t = try tensor(node, 0, name)
            let s = shapes[t]
            guard s.count == 4, s[0] == 1, let b = try intAttr(node, "blocksize"), b >= 1, b < 1 << 13 else {
                throw ModelError.unsupported(node: name, reason: "\(op) needs NCHW input with batch 1 and a blocksize")
            }
            let (c, h, w) = (s[1], s[2], s[3])
            let crd = (attr(node, "mode").flatMap { String(bytes: $0.s, encoding: .utf8) } ?? "DCR") == "CRD"
            var outShape: [Int], idx: [Int] = []
            if op == "DepthToSpace" {
                guard c % (b * b) == 0 else { throw ModelError.shapeMismatch(node: name, reason: "DepthToSpace channels \(c) not divisible by \(b * b)") }
                let oc = c / (b * b)
                outShape = [1, oc, h * b, w * b]
                for co in 0..<oc { for y in 0..<(h * b) { for x in 0..<(w * b) {
                    let (by, bx) = (y % b, x % b)
                    let ci = crd ? co * b * b + by * b + bx : (by * b + bx) * oc + co
                    idx.append((ci * h + y / b) * w + x / b)
                } } }
            } else {
                guard h % b == 0, w % b == 0 else { throw ModelError.shapeMismatch(node: name, reason: "SpaceToDepth of \(s) by \(b)") }
                outShape = [1, c * b * b, h / b, w / b]
                for co in 0..<(c * b * b) { for y in 0..<(h / b) { for x in 0..<(w / b) {
                    let ci = co % c, blk = co / c
                    let (by, bx) = (blk / b, blk % b)
                    idx.append((ci * h + y * b + by) * w + x * b + bx)
                } } }
            }
            try emitRewire([.tensor(t)], count: idx.count, shape: outShape, node: node, name: name) { (0, idx[$0]) }
        default:  // Resize, Upsample (nearest)
            let t = try tensor(node, 0, name)
            let s = shapes[t]
            let mode = attr(node, "mode").flatMap { String(bytes: $0.s, encoding: .utf8) } ?? "nearest"
            guard mode == "nearest" else { throw ModelError.unsupported(node: name, reason: "\(op) mode \(mode) (only nearest)") }
            var scales: [Double]? = nil, sizes: [Int]? = nil
            if op == "Upsample" {
                if opset >= 9 {
                    guard case .constant(_, let d) = try input(node, 1, name) else { throw ModelError.unsupported(node: name, reason: "Upsample scales must be constant") }
                    scales = d
                } else { scales = attr(node, "scales").map { $0.floats.map(Double.init) } }
            } else {
                let si = opset >= 11 ? 2 : 1
                if let v = try optionalInput(node, si, name), case .constant(_, let d) = v, !d.isEmpty { scales = d }
                if opset >= 11, let v = try optionalInput(node, 3, name), case .constant(_, let d) = v, !d.isEmpty {
                    sizes = try integers(d, node, name, what: "sizes")
                }
            }
            let outShape: [Int]
            if let sizes {
                guard sizes.count == s.count, sizes.allSatisfy({ $0 >= 1 }) else { throw ModelError.shapeMismatch(node: name, reason: "\(op) sizes \(sizes)") }
                outShape = sizes
                scales = (0..<s.count).map { Double(sizes[$0]) / Double(s[$0]) }
            } else if let sc = scales, sc.count == s.count, sc.allSatisfy({ $0 > 0 && $0 < 1_048_576 }) {
                outShape = (0..<s.count).map { Int((Double(s[$0]) * sc[$0]).rounded(.down)) }
            } else {
                throw ModelError.unsupported(node: name, reason: "\(op) needs constant scales or sizes for every axis")
            }
            let ctm = attr(node, "coordinate_transformation_mode").flatMap { String(bytes: $0.s, encoding: .utf8) } ?? (op == "Upsample" ? "asymmetric" : "half_pixel")
            let nearestMode = attr(node, "nearest_mode").flatMap { String(bytes: $0.s, encoding: .utf8) } ?? (op == "Upsample" ? "floor" : "round_prefer_floor")
            guard ["asymmetric", "half_pixel", "pytorch_half_pixel", "align_corners"].contains(ctm),
                  ["floor", "ceil", "round_prefer_floor", "round_prefer_ceil"].contains(nearestMode) else {
                throw ModelError.unsupported(node: name, reason: "\(op) coordinate_transformation_mode \(ctm) / nearest_mode \(nearestMode)")
            }
            /// The input coordinate of output coordinate `i` on an axis (ONNX Resize, nearest).
            func source(_ i: Int, _ d: Int) -> Int {
                let scale = scales![d], inLen = s[d], outLen = outShape[d]
                var x: Double
                switch ctm {
                case "asymmetric": x = Double(i) / scale
                case "align_corners": x = outLen == 1 ? 0 : Double(i) * Double(inLen - 1) / Double(outLen - 1)
                case "pytorch_half_pixel": x = outLen > 1 ? (Double(i) + 0.5) / scale - 0.5 : 0
                default: x = (Double(i) + 0.5) / scale - 0.5
                }
                let r: Double
                switch nearestMode {
                case "floor": r = x.rounded(.down)
                case "ceil": r = x.rounded(.up)
                case "round_prefer_ceil": r = (x + 0.5).rounded(.down)
                default: r = x == x.rounded(.down) + 0.5 ? x.rounded(.down) : x.rounded()
                }
                return min(max(Int(r), 0), inLen - 1)
            }
            let st = strides(s)
            let n = try elementCount(outShape, name)
            let maps = (0..<s.count).map { d in (0..<outShape[d]).map { source($0, d) } }
            let idx = (0..<n).map { o -> Int in
                var rem = o, src = 0
                for d in stride(from: s.count - 1, through: 0, by: -1) {
                    src += maps[d][rem % outShape[d]] * st[d]
                    rem /= outShape[d]
                }
                return src
            }
            try emitRewire([.tensor(t)], count: n, shape: outShape, node: node, name: name) { (0, idx[$0]) }
        }
    }

    /// Sum / Mean of several tensors (broadcast): a chain of adds, Mean then scales by 1/n.
    mutating func lowerSum(_ node: Onnx_NodeProto, _ name: String) throws {
        let operands = try node.input.indices.filter { !node.input[$0].isEmpty }.map { try input(node, $0, name) }
        guard !operands.isEmpty else { throw ModelError.malformedONNX("\(node.opType) node '\(name)' has no inputs") }
        var shape = shape(of: operands[0])
        for v in operands.dropFirst() { shape = try broadcastShape(shape, self.shape(of: v), name) }
        var acc: Int? = nil
        var constant = [Double](repeating: 0, count: try elementCount(shape, name))
        for (k, v) in operands.enumerated() {
            switch v {
            case .constant(let s, let d):
                let b = try broadcast((s, d), to: shape, name)
                for i in constant.indices { constant[i] += b[i] }
            case .tensor(let t):
                let x = try broadcastTensor(t, to: shape, node, name, tag: "\(k)")
                if let a = acc {
                    acc = try emitHidden(.add(a: a, b: x, sign: 1), shape: shape, node: node, name: name, tag: "sum\(k)")
                } else { acc = x }
            }
        }
        guard let a = acc else { throw ModelError.unsupported(node: name, reason: "\(node.opType) of constants only") }
        let scale = node.opType == "Mean" ? 1 / Double(operands.count) : 1
        try emit(.affine(input: a, mul: [Double](repeating: scale, count: constant.count), add: constant.map { $0 * scale }), shape: shape, node: node, name: name)
    }

    /// ReduceSum / ReduceMean over constant axes: a dense layer with 0/1 (or 1/n) weights — linear, so free with public
    /// weights apart from the rescale after it.
    mutating func lowerReduce(_ node: Onnx_NodeProto, _ name: String) throws {
        let t = try tensor(node, 0, name)
        let s = shapes[t]
        var axes: [Int]?
        let axesAsInput = node.opType == "ReduceSum" ? opset >= 13 : opset >= 18
        if axesAsInput {
            if let v = try optionalInput(node, 1, name) {
                guard case .constant(_, let d) = v else { throw ModelError.unsupported(node: name, reason: "\(node.opType) axes must be constant") }
                axes = try integers(d, node, name, what: "axes")
            }
        } else { axes = try intsAttr(node, "axes") }
        if axes?.isEmpty ?? true {
            if (try intAttr(node, "noop_with_empty_axes") ?? 0) != 0 {
                try reshape(node, name, .tensor(t), to: s)
                return
            }
            axes = Array(0..<s.count)
        }
        let ax = Set(axes!.map { $0 < 0 ? $0 + s.count : $0 })
        guard ax.allSatisfy({ $0 >= 0 && $0 < s.count }) else { throw ModelError.shapeMismatch(node: name, reason: "\(node.opType) axes \(axes!) for \(s)") }
        let keep = (try intAttr(node, "keepdims") ?? 1) != 0
        let reducedShape = s.enumerated().map { ax.contains($0.offset) ? 1 : $0.element }
        let outShape = keep ? reducedShape : s.enumerated().filter { !ax.contains($0.offset) }.map(\.element)
        let nIn = size(t), nOut = reducedShape.reduce(1, *)
        let count = ax.reduce(1) { $0 * s[$1] }
        let w = node.opType == "ReduceMean" ? 1 / Double(count) : 1
        guard nIn.multipliedReportingOverflow(by: nOut).overflow == false, nIn * nOut <= ONNXImporter.maxTensorElements else {
            throw ModelError.unsupported(node: name, reason: "\(node.opType) of \(s) is too large to lower as a dense layer")
        }
        var weights = [Double](repeating: 0, count: nOut * nIn)
        let st = strides(s), rst = strides(reducedShape)
        for i in 0..<nIn {
            var rem = i, o = 0
            for d in stride(from: s.count - 1, through: 0, by: -1) {
                let c = rem % s[d]
                rem /= s[d]
                if !ax.contains(d) { o += c * rst[d] }
                _ = st
            }
            weights[o * nIn + i] = w
        }
        try emit(.dense(input: t, weights: weights, bias: [Double](repeating: 0, count: nOut), inFeatures: nIn, outFeatures: nOut),
                 shape: outShape.isEmpty ? [1] : outShape, node: node, name: name)
    }

    /// Max / Min of several operands (tensors broadcast; scalar constants become a Clip bound) and Abs = max(x, −x):
    /// one decomposition and one product per element and operand pair.
    mutating func lowerExtremum(_ node: Onnx_NodeProto, _ name: String) throws {
        let op = node.opType
        if op == "Abs" {
            let t = try tensor(node, 0, name)
            try emit(.extremum(a: t, b: t, signB: -1, isMax: true), shape: shapes[t], node: node, name: name)
            return
        }
        let operands = try node.input.indices.filter { !node.input[$0].isEmpty }.map { try input(node, $0, name) }
        var tensors: [Int] = [], bound: Double? = nil
        for v in operands {
            switch v {
            case .tensor(let t): tensors.append(t)
            case .constant(_, let d):
                guard d.count == 1 else { throw ModelError.unsupported(node: name, reason: "\(op) with a non-scalar constant operand") }
                bound = bound.map { op == "Max" ? max($0, d[0]) : min($0, d[0]) } ?? d[0]
            }
        }
        guard !tensors.isEmpty else { throw ModelError.unsupported(node: name, reason: "\(op) of constants only") }
        var shape = shapes[tensors[0]]
        for t in tensors.dropFirst() { shape = try broadcastShape(shape, shapes[t], name) }
        var acc = try broadcastTensor(tensors[0], to: shape, node, name, tag: "0")
        for (k, t) in tensors.enumerated().dropFirst() {
            let y = try broadcastTensor(t, to: shape, node, name, tag: "\(k)")
            let last = k == tensors.count - 1 && bound == nil
            if last {
                try emit(.extremum(a: acc, b: y, signB: 1, isMax: op == "Max"), shape: shape, node: node, name: name)
                return
            }
            acc = try emitHidden(.extremum(a: acc, b: y, signB: 1, isMax: op == "Max"), shape: shape, node: node, name: name, tag: "\(op)\(k)")
        }
        if let bound {
            try emit(.clip(input: acc, min: op == "Max" ? bound : nil, max: op == "Min" ? bound : nil), shape: shape, node: node, name: name)
        } else {
            try reshape(node, name, .tensor(acc), to: shape)
        }
    }

    /// ConvTranspose as a convolution (zero cost beyond the convolution's own): the input is spread onto a grid with
    /// stride − 1 zeros between pixels and padded by dilation·(k − 1) − pad (+ output_padding at the end; a negative
    /// amount crops) — one rewiring with zero constants — then convolved at stride 1 with the kernel flipped and its
    /// channel axes swapped (per group).
    mutating func lowerConvTranspose(_ node: Onnx_NodeProto, _ name: String) throws {
        let x = try tensor(node, 0, name)
        let w = try constantInput(node, 1, name, what: "the ConvTranspose weights")
        let s = shapes[x]
        guard (s.count == 4 || s.count == 3), s[0] == 1, w.shape.count == s.count else {
            throw ModelError.unsupported(node: name, reason: "ConvTranspose supports 1-D and 2-D input with batch 1, got \(s) and weights \(w.shape)")
        }
        if let a = attr(node, "auto_pad"), let mode = String(bytes: a.s, encoding: .utf8), mode != "NOTSET" {
            throw ModelError.unsupported(node: name, reason: "ConvTranspose auto_pad \(mode) (give explicit pads)")
        }
        if attr(node, "output_shape") != nil { throw ModelError.unsupported(node: name, reason: "ConvTranspose output_shape (give pads and output_padding)") }
        let oneD = s.count == 3
        let g = try intAttr(node, "group") ?? 1
        let c = s[1]
        guard g >= 1, c % g == 0, w.shape[0] == c else { throw ModelError.shapeMismatch(node: name, reason: "ConvTranspose weights \(w.shape) for input \(s), group \(g)") }
        let mPerGroup = w.shape[1], m = mPerGroup * g
        let k = oneD ? [1, w.shape[2]] : [w.shape[2], w.shape[3]]
        /// A per-axis attribute in its 2-D form (a 1-D model gives one value per axis, two for pads).
        func perAxis(_ key: String, default def: [Int]) throws -> [Int] {
            guard let v = try intsAttr(node, key) else { return def }
            guard oneD else { return v }
            if def.count == 4 { return v.count == 2 ? [0, v[0], 0, v[1]] : v }
            return v.count == 1 ? [def[0], v[0]] : v
        }
        let strides = try perAxis("strides", default: [1, 1]), dil = try perAxis("dilations", default: [1, 1])
        let outPad = try perAxis("output_padding", default: [0, 0]), pads = try perAxis("pads", default: [0, 0, 0, 0])
        let positive: [Int] = strides + dil, nonNegative: [Int] = outPad + pads
        guard strides.count == 2, dil.count == 2, outPad.count == 2, pads.count == 4,
              positive.allSatisfy({ $0 >= 1 && $0 < 65536 }), nonNegative.allSatisfy({ $0 >= 0 && $0 < 65536 }) else {
            throw ModelError.unsupported(node: name, reason: "ConvTranspose strides \(strides) dilations \(dil) pads \(pads) output_padding \(outPad)")
        }
        let h: Int = oneD ? 1 : s[2], wd: Int = oneD ? s[2] : s[3]
        let dims: [Int] = [h, wd]
        // The grid the convolution reads: spread input (size (in−1)·stride + 1) with begin/end padding (negative crops).
        var begin: [Int] = [0, 0], grid: [Int] = [0, 0]
        for d in 0..<2 {
            let extent: Int = dil[d] * (k[d] - 1)
            begin[d] = extent - pads[d]
            let end: Int = extent - pads[d + 2] + outPad[d]
            grid[d] = (dims[d] - 1) * strides[d] + 1 + begin[d] + end
            guard grid[d] >= extent + 1 else {
                throw ModelError.shapeMismatch(node: name, reason: "ConvTranspose output would be empty for input \(s)")
            }
        }
        let n = try elementCount([c, grid[0], grid[1]], name)
        var table = [(Int, Int)](repeating: (1, 0), count: n)
        for ch in 0..<c {
            for gy in 0..<grid[0] {
                let uy = gy - begin[0]
                guard uy >= 0, uy % strides[0] == 0, uy / strides[0] < h else { continue }
                for gx in 0..<grid[1] {
                    let ux = gx - begin[1]
                    guard ux >= 0, ux % strides[1] == 0, ux / strides[1] < wd else { continue }
                    table[(ch * grid[0] + gy) * grid[1] + gx] = (0, (ch * h + uy / strides[0]) * wd + ux / strides[1])
                }
            }
        }
        let spread = try emitHidden(.rewire(inputs: [x], sources: table.map { $0.0 == 0 ? $0.1 : -1 }, constants: [0]),
                                    shape: [1, c, grid[0], grid[1]], node: node, name: name, tag: "spread")
        // Weights [C, M/g, kH, kW] → [M, C/g, kH, kW], flipped.
        let cpg = c / g
        var wc = [Double](repeating: 0, count: m * cpg * k[0] * k[1])
        for o in 0..<m {
            let gi = o / mPerGroup, ol = o % mPerGroup
            for cl in 0..<cpg {
                let ci = gi * cpg + cl
                for ky in 0..<k[0] { for kx in 0..<k[1] {
                    wc[((o * cpg + cl) * k[0] + ky) * k[1] + kx] = w.data[((ci * mPerGroup + ol) * k[0] + (k[0] - 1 - ky)) * k[1] + (k[1] - 1 - kx)]
                } }
            }
        }
        var bias = [Double](repeating: 0, count: m)
        if let b = try optionalInput(node, 2, name) {
            guard case .constant(_, let bd) = b, bd.count == m else { throw ModelError.unsupported(node: name, reason: "ConvTranspose bias must be a constant of \(m) values") }
            bias = bd
        }
        let geo = WindowGeometry(channels: c, height: grid[0], width: grid[1], kernelH: k[0], kernelW: k[1], strideH: 1, strideW: 1,
                                 padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, groups: g, dilationH: dil[0], dilationW: dil[1])
        try emit(.conv(input: spread, weights: wc, bias: bias, outChannels: m, geometry: geo),
                 shape: oneD ? [1, m, geo.outWidth] : [1, m, geo.outHeight, geo.outWidth], node: node, name: name)
    }

    /// A float-graph node that no ONNX value names (an intermediate step of a lowering); returns its tensor.
    mutating func emitHidden(_ op: FloatOp, shape: [Int], node: Onnx_NodeProto, name: String, tag: String) throws -> Int {
        _ = try elementCount(shape, name)
        let t = newTensor(shape, name: "\(node.output.first ?? name)/\(tag)")
        producer[t] = nodes.count
        nodes.append(FloatNode(op: op, output: t, name: name, onnxOp: node.opType))
        return t
    }

    /// `t` broadcast to `shape` (a rewiring when the shapes differ).
    mutating func broadcastTensor(_ t: Int, to shape: [Int], _ node: Onnx_NodeProto, _ name: String, tag: String) throws -> Int {
        if shapes[t] == shape { return t }
        let idx = try broadcastSources(shapes[t], to: shape, name)
        return try emitHidden(.rewire(inputs: [t], sources: idx, constants: []), shape: shape, node: node, name: name, tag: "broadcast\(tag)")
    }

    /// Element-wise op of two computed tensors with broadcasting: Add/Sub (exact scale alignment) or Mul (one
    /// constraint per element).
    mutating func lowerTensorPair(_ node: Onnx_NodeProto, _ name: String, _ a: Int, _ b: Int) throws {
        let op = node.opType
        let shape = try broadcastShape(shapes[a], shapes[b], name)
        let x = try broadcastTensor(a, to: shape, node, name, tag: "a"), y = try broadcastTensor(b, to: shape, node, name, tag: "b")
        switch op {
        case "Add", "Sub": try emit(.add(a: x, b: y, sign: op == "Add" ? 1 : -1), shape: shape, node: node, name: name)
        case "Mul":
            let n = try elementCount(shape, name)
            try emit(.bilinear(a: x, b: y, left: Array(0..<n), right: Array(0..<n), terms: 1), shape: shape, node: node, name: name)
        case "Div":
            // x / y = x · (1/y): a reciprocal table of y (its proven range must exclude 0), then one product per element.
            let n = try elementCount(shape, name)
            let r = try emitHidden(.function(input: y, expr: .apply(.reciprocal, .x)), shape: shape, node: node, name: name, tag: "reciprocal")
            try emit(.bilinear(a: x, b: r, left: Array(0..<n), right: Array(0..<n), terms: 1), shape: shape, node: node, name: name)
        default:
            throw ModelError.unsupported(node: name, reason: "\(op) of two computed tensors is not supported")
        }
    }

    /// MatMul with numpy semantics: a computed tensor times a constant (either side; batched rows become a 1×1
    /// convolution between two rewirings, so the weights stay weights), or two computed tensors (`bilinear`).
    mutating func lowerMatMul(_ node: Onnx_NodeProto, _ name: String) throws {
        let va = try input(node, 0, name), vb = try input(node, 1, name)
        var sa = shape(of: va), sb = shape(of: vb)
        guard !sa.isEmpty, !sb.isEmpty else { throw ModelError.shapeMismatch(node: name, reason: "MatMul of a scalar") }
        // numpy: 1-D operands are promoted (and the added axis removed from the result).
        let aVector = sa.count == 1, bVector = sb.count == 1
        if aVector { sa = [1] + sa }
        if bVector { sb = sb + [1] }
        let (m, k, n) = (sa[sa.count - 2], sa[sa.count - 1], sb[sb.count - 1])
        guard sb[sb.count - 2] == k else { throw ModelError.shapeMismatch(node: name, reason: "MatMul of \(shape(of: va)) and \(shape(of: vb))") }
        let batch = try broadcastShape(Array(sa.dropLast(2)), Array(sb.dropLast(2)), name)
        var outShape = batch + [m, n]
        if aVector { outShape.remove(at: outShape.count - 2) }
        if bVector { outShape.removeLast() }
        if outShape.isEmpty { outShape = [1] }
        let batchCount = batch.reduce(1, *)
        let aIdx = try broadcastSources(Array(sa.dropLast(2)), to: batch, name), bIdx = try broadcastSources(Array(sb.dropLast(2)), to: batch, name)

        switch (va, vb) {
        case (.tensor(let a), .tensor(let b)):
            // One constraint per scalar product: bound their number before building the index lists.
            let products = checkedProduct([batchCount, m, n, k]) ?? Int.max
            guard products <= ONNXImporter.maxTensorElements else {
                throw ModelError.unsupported(node: name, reason: "MatMul of two computed tensors needs \(products) products (at most \(ONNXImporter.maxTensorElements))")
            }
            var left: [Int] = [], right: [Int] = []
            left.reserveCapacity(batchCount * m * n * k); right.reserveCapacity(batchCount * m * n * k)
            for bi in 0..<batchCount { for i in 0..<m { for j in 0..<n { for kk in 0..<k {
                left.append((aIdx[bi] * m + i) * k + kk)
                right.append((bIdx[bi] * k + kk) * n + j)
            } } } }
            try emit(.bilinear(a: a, b: b, left: left, right: right, terms: k), shape: outShape, node: node, name: name)
        case (.tensor(let a), .constant(_, let w)):
            guard sb.dropLast(2).allSatisfy({ $0 == 1 }) else {
                throw ModelError.unsupported(node: name, reason: "MatMul by a constant with batch dimensions \(sb) (one weight matrix per batch) is not supported")
            }
            let rows = batchCount * m
            if rows == 1 {
                var wt = [Double](repeating: 0, count: n * k)
                for o in 0..<n { for i in 0..<k { wt[o * k + i] = w[i * n + o] } }
                try emit(.dense(input: a, weights: wt, bias: [Double](repeating: 0, count: n), inFeatures: k, outFeatures: n), shape: outShape, node: node, name: name)
                return
            }
            // Rows of A (broadcast to the batch) → channels-first [K, rows]; a 1×1 convolution with N output channels; back.
            var toChannels: [Int] = []
            for kk in 0..<k { for bi in 0..<batchCount { for i in 0..<m { toChannels.append((aIdx[bi] * m + i) * k + kk) } } }
            let xc = try emitHidden(.rewire(inputs: [a], sources: toChannels, constants: []), shape: [1, k, rows, 1], node: node, name: name, tag: "rows")
            var wc = [Double](repeating: 0, count: n * k)
            for o in 0..<n { for i in 0..<k { wc[o * k + i] = w[i * n + o] } }
            let geo = WindowGeometry(channels: k, height: rows, width: 1, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0)
            let yc = try emitHidden(.conv(input: xc, weights: wc, bias: [Double](repeating: 0, count: n), outChannels: n, geometry: geo),
                                    shape: [1, n, rows, 1], node: node, name: name, tag: "conv1x1")
            var back: [Int] = []
            for r in 0..<rows { for o in 0..<n { back.append(o * rows + r) } }
            try emit(.rewire(inputs: [yc], sources: back, constants: []), shape: outShape, node: node, name: name)
        case (.constant(_, let w), .tensor(let b)):
            guard sa.dropLast(2).allSatisfy({ $0 == 1 }) else {
                throw ModelError.unsupported(node: name, reason: "MatMul of a constant with batch dimensions \(sa) (one weight matrix per batch) is not supported")
            }
            // W [M, K] · B[batch][K, N]: columns of every batch are positions of a [K, batch·N] image, W a 1×1 convolution.
            let cols = batchCount * n
            var toChannels: [Int] = []
            for kk in 0..<k { for bi in 0..<batchCount { for j in 0..<n { toChannels.append((bIdx[bi] * k + kk) * n + j) } } }
            let xc = try emitHidden(.rewire(inputs: [b], sources: toChannels, constants: []), shape: [1, k, cols, 1], node: node, name: name, tag: "cols")
            let geo = WindowGeometry(channels: k, height: cols, width: 1, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0)
            let yc = try emitHidden(.conv(input: xc, weights: Array(w), bias: [Double](repeating: 0, count: m), outChannels: m, geometry: geo),
                                    shape: [1, m, cols, 1], node: node, name: name, tag: "conv1x1")
            var back: [Int] = []
            for bi in 0..<batchCount { for i in 0..<m { for j in 0..<n { back.append(i * cols + bi * n + j) } } }
            try emit(.rewire(inputs: [yc], sources: back, constants: []), shape: outShape, node: node, name: name)
        default:
            throw ModelError.unsupported(node: name, reason: "MatMul of two constants (not folded)")
        }
    }
}
