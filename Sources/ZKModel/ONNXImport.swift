// ONNX → FloatGraph. Parses the protobuf with the generated bindings (ONNX/onnx.pb.swift),
// infers static shapes, folds constants and lowers every supported node; anything else is a
// `ModelError` naming the node — never a trap.

import Foundation
import SwiftProtobuf

/// Loads ONNX models into a `FloatGraph`.
public enum ONNXImporter {
    /// The ONNX op types zkinfer lowers (default domain).
    public static let supportedOps = [
        "Abs", "Add", "AveragePool", "ArgMax", "BatchNormalization", "Cast", "Clip", "Concat", "Constant", "Conv", "ConvTranspose", "DepthToSpace",
        "Div", "Dropout", "Expand", "Flatten", "Gather", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Identity",
        "LeakyRelu", "LayerNormalization", "MatMul", "Max", "MaxPool", "Mean", "Min", "Mul", "Neg", "Pad", "ReduceMean", "ReduceSum", "Relu", "Reshape",
        "Resize", "Sigmoid", "Slice", "Softmax", "SpaceToDepth", "Split", "Squeeze", "Sub",
        "Sum", "Tile", "Transpose", "Unsqueeze", "Upsample",
        "Tanh", "Exp", "Erf", "Gelu", "Softplus", "Elu", "Selu", "Celu", "HardSigmoid", "HardSwish", "Mish", "PRelu", "Pow", "Log", "Sqrt",
        "Reciprocal", "Sin", "Cos", "Atan", "Softsign", "ThresholdedRelu", "ReduceMax", "ReduceMin", "InstanceNormalization",
        "GroupNormalization", "LogSoftmax",
        "ai.onnx.ml: TreeEnsembleClassifier, TreeEnsembleRegressor, TreeEnsemble, LinearClassifier, LinearRegressor, Scaler, Normalizer (L1 of probabilities), Binarizer, ArrayFeatureExtractor, ZipMap (dropped)",
        "and shape arithmetic on constants (Shape, Size, Range, ConstantOfShape, Equal, Where, …: folded)",
    ]
    /// Largest tensor (elements) accepted: bounds memory on hostile files.
    public static let maxTensorElements = 1 << 26

    /// Parses ONNX bytes. Throws `ModelError` for corrupt files and unsupported content.
    /// With `proveOutputTransform`, a final Softmax/Sigmoid is proven inside the circuit like any other layer instead of
    /// being applied outside it (`compile --prove-output-transform`).
    public static func load(_ data: Data, proveOutputTransform: Bool = false) throws -> FloatGraph {
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = 64
        let model: Onnx_ModelProto
        do { model = try Onnx_ModelProto(serializedBytes: data, options: options) } catch {
            throw ModelError.malformedONNX("cannot decode protobuf (\(error))")
        }
        guard model.hasGraph else { throw ModelError.malformedONNX("no graph (not an ONNX model?)") }
        var opset = 0
        for o in model.opsetImport where o.domain.isEmpty || o.domain == "ai.onnx" { opset = Int(clamping: o.version) }
        if model.opsetImport.isEmpty { opset = 1 }
        var importer = Importer(graph: model.graph, opset: opset)
        importer.proveOutputTransform = proveOutputTransform
        return try importer.run()
    }
}

/// A value during import: a constant folded at compile time, or a tensor of the float graph.
enum Value {
    case constant(shape: [Int], data: [Double])
    case tensor(Int)
}

struct Importer {
    let graph: Onnx_GraphProto
    let opset: Int
    var values: [String: Value] = [:]
    /// Constants of an integer or boolean ONNX type (shape arithmetic): integer Div truncates, Cast rounds.
    var integerValues: Set<String> = []
    /// The model input is integer token ids: it may only feed embedding lookups (Gather from a constant table).
    var integerInput = false
    var shapes: [[Int]] = []
    var tensorNames: [String] = []
    var nodes: [FloatNode] = []
    /// Number of nodes (and graph outputs) reading each ONNX value name.
    var uses: [String: Int] = [:]
    /// Node index producing each float-graph tensor.
    var producer: [Int: Int] = [:]
    /// Prove a final Softmax/Sigmoid in the circuit instead of stating it as the output transform.
    var proveOutputTransform = false
    /// The ONNX node producing each value name (for pattern matching: the decomposed LayerNorm).
    var onnxProducers: [String: Onnx_NodeProto] = [:]
    /// The final Softmax/Sigmoid (or a classifier's post-transform) stated outside the circuit.
    var transform = OutputTransform.none
    /// Names that reach a graph output through Identity, Cast, ZipMap, an L1 Normalizer or a multiplication by 1 only.
    var outputAliases: Set<String> = []
    /// Classifier label values (ai.onnx.ml classifiers' output 0, through Identity/Cast): the first maximum of
    /// `scores` names `classes[index]`.
    var labels: [String: (scores: Int, classes: [String])] = [:]
    /// Value names known to hold probability rows (a Softmax, or a classifier's SOFTMAX output): an L1 Normalizer
    /// leaves them unchanged.
    var stochastic: Set<String> = []
    /// String initializers (class names a label lookup selects from); nothing else may read them.
    var stringConstants: [String: [String]] = [:]

    init(graph: Onnx_GraphProto, opset: Int) { self.graph = graph; self.opset = opset }

    mutating func run() throws -> FloatGraph {
        for t in graph.initializer {
            if t.dataType == 8 {  // STRING
                guard t.stringData.count <= 1 << 16 else { throw ModelError.unsupported(node: t.name, reason: "more than 2^16 strings") }
                stringConstants[t.name] = t.stringData.map { String(decoding: $0, as: UTF8.self) }
                continue
            }
            values[t.name] = try constant(t)
            if [6, 7, 9].contains(t.dataType) { integerValues.insert(t.name) }
        }
        let realInputs = graph.input.filter { values[$0.name] == nil }
        guard realInputs.count == 1 else {
            throw ModelError.unsupported(node: "graph", reason: "zkinfer proves models with exactly one input tensor; this graph has \(realInputs.count)")
        }
        guard (1...2).contains(graph.output.count) else {
            throw ModelError.unsupported(node: "graph", reason: "zkinfer proves models with one output tensor (and a classifier's label beside it); this graph has \(graph.output.count) outputs")
        }
        let inInfo = realInputs[0]
        let inShape = try inputShape(inInfo)
        integerInput = [6, 7].contains(inInfo.type.tensorType.elemType)
        _ = newTensor(inShape, name: inInfo.name)
        values[inInfo.name] = .tensor(0)
        for n in graph.node { for i in n.input where !i.isEmpty { uses[i, default: 0] += 1 } }
        for o in graph.output { uses[o.name, default: 0] += 1 }

        // Names that reach a graph output through value-preserving nodes only (skl2onnx writes Softmax → Identity →
        // output; classifiers → Normalizer(L1) → ZipMap; LightGBM → Identity → Mul by 1).
        outputAliases = Set(graph.output.map(\.name))
        for node in graph.node.reversed() where node.output.count >= 1 && outputAliases.contains(node.output[0]) {
            guard let i = node.input.first, (uses[i] ?? 0) == 1 else { continue }
            let ml = node.domain == "ai.onnx.ml"
            var transparent = ["Identity", "Cast"].contains(node.opType) && !ml
                || ml && (node.opType == "ZipMap" || (node.opType == "Normalizer" && stringAttr(node, "norm") == "L1"))
            if !ml, node.opType == "Mul" || node.opType == "Div", node.input.count == 2,
               case .constant(_, let c)? = values[node.input[1]], c.allSatisfy({ $0 == 1 }) {
                transparent = true
            }
            if transparent { outputAliases.insert(i) }
        }
        for (index, node) in graph.node.enumerated() {
            let name = node.name.isEmpty ? "\(node.opType)#\(index)" : node.name
            guard node.domain.isEmpty || node.domain == "ai.onnx" || node.domain == "ai.onnx.ml" else {
                throw ModelError.unsupportedOp(op: "\(node.domain).\(node.opType)", node: name, supported: ONNXImporter.supportedOps)
            }
            for o in node.output where !o.isEmpty { onnxProducers[o] = node }
            // A classifier's label flows through Identity/Cast to a graph output and nowhere else.
            if let i = node.input.first(where: { labels[$0] != nil }) {
                guard node.domain != "ai.onnx.ml", ["Identity", "Cast", "Reshape", "Flatten", "Squeeze", "Unsqueeze"].contains(node.opType), node.output.count == 1 else {
                    throw ModelError.unsupported(node: name, reason: "\(node.opType) reads a classifier's predicted label '\(i)'; zkinfer proves the label only as a graph output (through Identity/Cast/Reshape)")
                }
                labels[node.output[0]] = labels[i]
                continue
            }
            if node.domain == "ai.onnx.ml" {
                try lowerML(node, name)
                continue
            }
            // A final Softmax (over the whole output) or Sigmoid is, by default, proven as the tensor before it and
            // applied outside the circuit (the claim states it); with proveOutputTransform it is a layer like any other.
            if (node.opType == "Softmax" || node.opType == "Sigmoid"), !proveOutputTransform, node.output.count == 1, outputAliases.contains(node.output[0]),
               case .tensor(let t)? = values[node.input.first ?? ""] {
                var wholeOutput = true
                if node.opType == "Softmax" {
                    let shape = shapes[t]
                    var axis = try intAttr(node, "axis") ?? (opset >= 13 ? -1 : 1)
                    if axis < 0 { axis += shape.count }
                    wholeOutput = axis >= 0 && axis < shape.count && shape[axis...].reduce(1, *) == shape.reduce(1, *)
                }
                if wholeOutput, transform == .none {
                    transform = node.opType == "Softmax" ? .softmax : .sigmoid
                    values[node.output[0]] = .tensor(t)
                    if node.opType == "Softmax" { stochastic.insert(node.output[0]) }
                    continue
                }
            }
            try lower(node, name)
        }
        // Outputs: one tensor, and at most one label (a classifier's, or an ArgMax of the other output's scores).
        var tensorOutputs: [(name: String, tensor: Int)] = []
        var labelOutput: (name: String, scores: Int, classes: [String])?
        for o in graph.output {
            if let l = labels[o.name] {
                guard labelOutput == nil else { throw ModelError.unsupported(node: o.name, reason: "the graph has two label outputs") }
                labelOutput = (o.name, l.scores, l.classes)
                continue
            }
            guard case .tensor(let t)? = values[o.name] else {
                throw ModelError.unsupported(node: o.name, reason: "the graph output is a constant or is never computed")
            }
            guard t != 0 else { throw ModelError.unsupported(node: o.name, reason: "the graph output is its input") }
            tensorOutputs.append((o.name, t))
        }
        var labelTensor: GraphLabel?
        if tensorOutputs.count == 2, labelOutput == nil {
            // An ArgMax beside its scores: the label, with the class indices as names.
            for (k, o) in tensorOutputs.enumerated() {
                if let p = producer[o.tensor], case .argMax(let s) = nodes[p].op {
                    labelTensor = GraphLabel(tensor: o.tensor, classes: (0..<size(s)).map(String.init))
                    tensorOutputs.remove(at: k)
                    break
                }
            }
        }
        guard tensorOutputs.count == 1 else {
            throw ModelError.unsupported(node: "graph", reason: "zkinfer proves one output tensor and at most one label (a classifier's label output, or an ArgMax of the output); this graph's outputs are \(graph.output.map(\.name))")
        }
        let (outName, out) = tensorOutputs[0]
        if let l = labelOutput {
            guard l.scores != 0 else { throw ModelError.unsupported(node: l.name, reason: "the label is computed from the graph input") }
            let t = newTensor([1], name: l.name)
            producer[t] = nodes.count
            nodes.append(FloatNode(op: .argMax(input: l.scores), output: t, name: l.name, onnxOp: "ArgMax (label)"))
            labelTensor = GraphLabel(tensor: t, classes: l.classes)
        }
        _ = outName
        var g = FloatGraph(shapes: shapes, tensorNames: tensorNames, nodes: nodes, output: out, outputTransform: transform, opset: opset)
        g.label = labelTensor
        g.fuseElementwise()
        if integerInput {
            // Token ids: every reader of the input must be an embedding lookup, which proves its id in [0, rows).
            var rows = Int.max
            for n in nodes where n.op.inputs.contains(0) {
                guard case .embedding(_, _, let r, _) = n.op else {
                    throw ModelError.unsupported(node: inInfo.name, reason: "graph input has data type \(inInfo.type.tensorType.elemType) (integer); zkinfer takes integer inputs only as token ids feeding Gather from a constant table (embeddings), but node '\(n.name)' (\(n.onnxOp)) reads it")
                }
                rows = min(rows, r)
            }
            guard rows != Int.max else { throw ModelError.unsupported(node: inInfo.name, reason: "integer input read by no embedding lookup") }
            g.tokenRange = 0...(rows - 1)
        }
        return g
    }

    // MARK: Tensors

    mutating func newTensor(_ shape: [Int], name: String) -> Int {
        shapes.append(shape)
        tensorNames.append(name)
        return shapes.count - 1
    }

    mutating func emit(_ op: FloatOp, shape: [Int], node: Onnx_NodeProto, name: String, onnxOp: String? = nil, output: Int = 0) throws {
        guard output < node.output.count, !node.output[output].isEmpty else {
            throw ModelError.malformedONNX("node '\(name)' has no output \(output)")
        }
        let outName = node.output[output]
        _ = try elementCount(shape, name)
        let t = newTensor(shape, name: outName)
        producer[t] = nodes.count
        nodes.append(FloatNode(op: op, output: t, name: name, onnxOp: onnxOp ?? node.opType))
        values[outName] = .tensor(t)
    }

    func inputShape(_ info: Onnx_ValueInfoProto) throws -> [Int] {
        guard info.type.tensorType.hasElemType else {
            throw ModelError.unsupported(node: info.name, reason: "graph input is not a tensor")
        }
        let et = info.type.tensorType.elemType
        guard et == 1 || et == 11 || et == 6 || et == 7 else {
            throw ModelError.unsupported(node: info.name, reason: "graph input has data type \(et); zkinfer takes float (1) or double (11) inputs, or int32/int64 token ids (6, 7) for embedding lookups")
        }
        guard info.type.tensorType.hasShape else {
            throw ModelError.unsupported(node: info.name, reason: "graph input has no static shape")
        }
        var shape: [Int] = []
        for (i, d) in info.type.tensorType.shape.dim.enumerated() {
            switch d.value {
            case .dimValue(let v)?:
                guard v >= 1, v <= Int64(ONNXImporter.maxTensorElements) else {
                    throw ModelError.unsupported(node: info.name, reason: "input dimension \(i) is \(v)")
                }
                shape.append(Int(v))
            case .dimParam? where i == 0, nil where i == 0:
                shape.append(1)  // a symbolic (or unnamed, as skl2onnx writes it) batch dimension is proven with batch 1
            default:
                throw ModelError.unsupported(node: info.name, reason: "input dimension \(i) is dynamic; zkinfer needs static shapes (a symbolic batch dimension 0 is taken as 1)")
            }
        }
        guard shape.first == 1 || shape.count == 1 else {
            throw ModelError.unsupported(node: info.name, reason: "batch size \(shape[0]); zkinfer proves one sample (batch 1)")
        }
        _ = try elementCount(shape, info.name)
        return shape
    }

    func elementCount(_ shape: [Int], _ node: String) throws -> Int {
        var n = 1
        for d in shape {
            guard d >= 0 else { throw ModelError.shapeMismatch(node: node, reason: "negative dimension in \(shape)") }
            let (m, o) = n.multipliedReportingOverflow(by: d)
            guard !o, m <= ONNXImporter.maxTensorElements else {
                throw ModelError.unsupported(node: node, reason: "tensor of shape \(shape) is larger than \(ONNXImporter.maxTensorElements) elements")
            }
            n = m
        }
        return n
    }

    func constant(_ t: Onnx_TensorProto) throws -> Value {
        let name = t.name.isEmpty ? "constant" : t.name
        guard t.dataLocation != .external else {
            throw ModelError.unsupported(node: name, reason: "external tensor data is not supported (save the model with the weights inside)")
        }
        guard t.dims.allSatisfy({ $0 >= 0 && $0 <= Int64(ONNXImporter.maxTensorElements) }) else {
            throw ModelError.malformedONNX("initializer '\(name)' has invalid dims \(t.dims)")
        }
        let shape = t.dims.map { Int($0) }
        let n = try elementCount(shape, name)
        let raw = t.hasRawData ? [UInt8](t.rawData) : nil
        func fromRaw<T>(_ width: Int, _ conv: (UInt64) -> T) throws -> [T] {
            guard let raw else { return [] }
            guard raw.count == n * width else {
                throw ModelError.malformedONNX("initializer '\(name)': raw_data has \(raw.count) bytes, expected \(n * width)")
            }
            return (0..<n).map { i in
                var v: UInt64 = 0
                for b in 0..<width { v |= UInt64(raw[i * width + b]) << (8 * UInt64(b)) }
                return conv(v)
            }
        }
        var data: [Double]
        switch t.dataType {
        case 1:  // FLOAT
            data = raw != nil ? try fromRaw(4) { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) } : t.floatData.map(Double.init)
        case 11:  // DOUBLE
            data = raw != nil ? try fromRaw(8) { Double(bitPattern: $0) } : t.doubleData
        case 7:  // INT64
            data = raw != nil ? try fromRaw(8) { Double(Int64(bitPattern: $0)) } : t.int64Data.map { Double($0) }
        case 6:  // INT32
            data = raw != nil ? try fromRaw(4) { Double(Int32(truncatingIfNeeded: $0)) } : t.int32Data.map { Double($0) }
        case 9:  // BOOL (stored as int32_data or one byte each)
            data = raw != nil ? try fromRaw(1) { $0 != 0 ? 1 : 0 } : t.int32Data.map { $0 != 0 ? 1 : 0 }
        case 2, 3, 4, 5:  // UINT8, INT8, UINT16, INT16 (int32_data, or 1/2 bytes each): e.g. TreeEnsemble's nodes_modes
            let width = t.dataType <= 3 ? 1 : 2, signed = t.dataType == 3 || t.dataType == 5
            data = raw != nil
                ? try fromRaw(width) { v in signed ? Double(width == 1 ? Int64(Int8(truncatingIfNeeded: v)) : Int64(Int16(truncatingIfNeeded: v))) : Double(v) }
                : t.int32Data.map { Double($0) }
        default:
            throw ModelError.unsupported(node: name, reason: "initializer data type \(t.dataType) (zkinfer reads float, double, int8/16/32/64, uint8/16, bool)")
        }
        guard data.count == n else {
            throw ModelError.malformedONNX("initializer '\(name)' has \(data.count) values for shape \(shape)")
        }
        guard data.allSatisfy({ $0.isFinite }) else {
            throw ModelError.unsupported(node: name, reason: "initializer contains NaN or infinity")
        }
        return .constant(shape: shape, data: data)
    }

    // MARK: Operands and attributes

    func input(_ node: Onnx_NodeProto, _ i: Int, _ name: String) throws -> Value {
        guard i < node.input.count, !node.input[i].isEmpty else {
            throw ModelError.malformedONNX("node '\(name)' (\(node.opType)) is missing input \(i)")
        }
        guard let v = values[node.input[i]] else {
            throw ModelError.malformedONNX("node '\(name)' reads '\(node.input[i])', which is not defined before it")
        }
        return v
    }

    func optionalInput(_ node: Onnx_NodeProto, _ i: Int, _ name: String) throws -> Value? {
        guard i < node.input.count, !node.input[i].isEmpty else { return nil }
        return try input(node, i, name)
    }

    func tensor(_ node: Onnx_NodeProto, _ i: Int, _ name: String) throws -> Int {
        guard case .tensor(let t) = try input(node, i, name) else {
            throw ModelError.unsupported(node: name, reason: "input \(i) of \(node.opType) must be computed from the model input, not a constant")
        }
        return t
    }

    func constantInput(_ node: Onnx_NodeProto, _ i: Int, _ name: String, what: String) throws -> (shape: [Int], data: [Double]) {
        guard case .constant(let s, let d) = try input(node, i, name) else {
            throw ModelError.unsupported(node: name, reason: "\(what) (input \(i) of \(node.opType)) must be a constant initializer; zkinfer proves models whose parameters are fixed")
        }
        return (s, d)
    }

    func attr(_ node: Onnx_NodeProto, _ key: String) -> Onnx_AttributeProto? { node.attribute.first { $0.name == key } }
    func intAttr(_ node: Onnx_NodeProto, _ key: String) throws -> Int? {
        guard let a = attr(node, key) else { return nil }
        guard abs(a.i) < (1 << 40) else { throw ModelError.unsupported(node: node.name, reason: "attribute \(key) = \(a.i)") }
        return Int(a.i)
    }
    func intsAttr(_ node: Onnx_NodeProto, _ key: String) throws -> [Int]? {
        guard let a = attr(node, key) else { return nil }
        guard a.ints.allSatisfy({ abs($0) < (1 << 40) }) else { throw ModelError.unsupported(node: node.name, reason: "attribute \(key) = \(a.ints)") }
        return a.ints.map { Int($0) }
    }
    /// Integer values of a constant operand (shapes, axes), each below 2^40 in magnitude.
    func integers(_ data: [Double], _ node: Onnx_NodeProto, _ name: String, what: String) throws -> [Int] {
        guard data.allSatisfy({ $0 == $0.rounded() && abs($0) < Double(1 << 40) }) else {
            throw ModelError.unsupported(node: name, reason: "\(node.opType) \(what) \(data) are not integers of a supported size")
        }
        return data.map { Int($0) }
    }
    func floatAttr(_ node: Onnx_NodeProto, _ key: String) -> Double? {
        guard let a = attr(node, key) else { return nil }
        return Double(a.f)
    }

    /// A constant broadcast (numpy rules) to `shape`, returned flattened.
    func broadcast(_ c: (shape: [Int], data: [Double]), to shape: [Int], _ name: String) throws -> [Double] {
        let n = try elementCount(shape, name)  // bounded before anything is allocated
        if c.data.count == 1 { return [Double](repeating: c.data[0], count: n) }
        guard c.shape.count <= shape.count else {
            throw ModelError.shapeMismatch(node: name, reason: "cannot broadcast constant \(c.shape) to \(shape)")
        }
        let cs = [Int](repeating: 1, count: shape.count - c.shape.count) + c.shape
        for (a, b) in zip(cs, shape) where a != b && a != 1 {
            throw ModelError.shapeMismatch(node: name, reason: "cannot broadcast constant \(c.shape) to \(shape)")
        }
        var cStrides = [Int](repeating: 0, count: cs.count)
        var s = 1
        for d in stride(from: cs.count - 1, through: 0, by: -1) { cStrides[d] = cs[d] == 1 ? 0 : s; s *= cs[d] }
        var out = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var rem = i, ci = 0
            for d in stride(from: shape.count - 1, through: 0, by: -1) {
                ci += (rem % shape[d]) * cStrides[d]
                rem /= shape[d]
            }
            out[i] = c.data[ci]
        }
        return out
    }

    // MARK: Lowering

    mutating func lower(_ node: Onnx_NodeProto, _ name: String) throws {
        // Shape arithmetic and anything else computable from constants and static shapes is folded first.
        if try fold(node, name) { return }
        switch node.opType {
        case "Identity":
            let v = try input(node, 0, name)
            try reshape(node, name, v, to: shape(of: v))  // a tensor of its own, so use counts stay exact
        case "Gemm": try lowerGemm(node, name)
        case "MatMul": try lowerMatMul(node, name)
        case "Conv": try lowerConv(node, name)
        case "ConvTranspose": try lowerConvTranspose(node, name)
        case "Div" where decomposedLayerNorm(node, producers: onnxProducers) != nil:
            let (x, eps) = decomposedLayerNorm(node, producers: onnxProducers)!
            let s = shapes[x]
            let n = s.reduce(1, *)
            try emit(.layerNorm(input: x, rowLength: s.last ?? 1, gamma: [Double](repeating: 1, count: n), beta: [Double](repeating: 0, count: n), epsilon: eps),
                     shape: s, node: node, name: name, onnxOp: "LayerNorm(ReduceMean+Sub+Pow+ReduceMean+Add+Sqrt+Div)")
        case "Add", "Sub", "Mul", "Div": try lowerElementwise(node, name)
        case _ where Importer.activationOps.contains(node.opType): try lowerActivation(node, name)
        case "Pow": try lowerPow(node, name)
        case "Softmax", "LogSoftmax": try lowerSoftmax(node, name)
        case "LayerNormalization": try lowerLayerNorm(node, name)
        case "PRelu": try lowerPRelu(node, name)
        case "Relu":
            let t = try tensor(node, 0, name)
            try emit(.relu(input: t), shape: shapes[t], node: node, name: name)
        case "LeakyRelu":
            let t = try tensor(node, 0, name)
            try emit(.leakyRelu(input: t, alpha: floatAttr(node, "alpha") ?? 0.01), shape: shapes[t], node: node, name: name)
        case "Clip": try lowerClip(node, name)
        case "MaxPool", "AveragePool": try lowerPool(node, name)
        case "GlobalAveragePool", "GlobalMaxPool":
            let t = try tensor(node, 0, name)
            let s = shapes[t]
            guard s.count == 4 || s.count == 3, s[0] == 1 else {
                throw ModelError.shapeMismatch(node: name, reason: "\(node.opType) expects NCHW or NCL with batch 1, got \(s)")
            }
            let (h, w) = s.count == 4 ? (s[2], s[3]) : (1, s[2])
            let geo = WindowGeometry(channels: s[1], height: h, width: w, kernelH: h, kernelW: w, strideH: 1, strideW: 1,
                                     padTop: 0, padLeft: 0, padBottom: 0, padRight: 0)
            let outShape = s.count == 4 ? [1, s[1], 1, 1] : [1, s[1], 1]
            if node.opType == "GlobalMaxPool" {
                try emit(.maxPool(input: t, geometry: geo), shape: outShape, node: node, name: name)
            } else {
                try emit(.averagePool(input: t, geometry: geo, countIncludePad: false), shape: outShape, node: node, name: name)
            }
        case "BatchNormalization": try lowerBatchNorm(node, name)
        case "Flatten":
            let v = try input(node, 0, name)
            let s = shape(of: v)
            var axis = try intAttr(node, "axis") ?? 1
            if axis < 0 { axis += s.count }
            guard axis >= 0, axis <= s.count else { throw ModelError.shapeMismatch(node: name, reason: "Flatten axis \(axis) for shape \(s)") }
            try reshape(node, name, v, to: [s[..<axis].reduce(1, *), s[axis...].reduce(1, *)])
        case "Reshape":
            let v = try input(node, 0, name)
            let target: [Int]
            if opset >= 5 {
                target = try integers(try constantInput(node, 1, name, what: "the target shape").data, node, name, what: "shape")
            } else {
                target = try intsAttr(node, "shape") ?? []
            }
            try reshape(node, name, v, to: try resolveReshape(shape(of: v), target, name, allowZero: (try intAttr(node, "allowzero") ?? 0) == 0))
        case "Squeeze", "Unsqueeze":
            let v = try input(node, 0, name)
            let s = shape(of: v)
            var axes: [Int]
            if opset >= 13, node.input.count > 1 {
                axes = try integers(try constantInput(node, 1, name, what: "axes").data, node, name, what: "axes")
            } else {
                axes = try intsAttr(node, "axes") ?? []
            }
            var out: [Int]
            if node.opType == "Squeeze" {
                axes = axes.map { $0 < 0 ? $0 + s.count : $0 }
                if axes.isEmpty { out = s.filter { $0 != 1 } } else {
                    guard axes.allSatisfy({ $0 >= 0 && $0 < s.count && s[$0] == 1 }) else {
                        throw ModelError.shapeMismatch(node: name, reason: "Squeeze axes \(axes) on shape \(s)")
                    }
                    out = s.enumerated().filter { !axes.contains($0.offset) }.map { $0.element }
                }
            } else {
                let rank = s.count + axes.count
                axes = axes.map { $0 < 0 ? $0 + rank : $0 }.sorted()
                guard axes.allSatisfy({ $0 >= 0 && $0 < rank }), Set(axes).count == axes.count else {
                    throw ModelError.shapeMismatch(node: name, reason: "Unsqueeze axes \(axes) on shape \(s)")
                }
                out = s
                for a in axes { out.insert(1, at: a) }
            }
            try reshape(node, name, v, to: out)
        case "Transpose":
            let v = try input(node, 0, name)
            let s = shape(of: v)
            let perm = try intsAttr(node, "perm") ?? Array((0..<s.count).reversed())
            guard perm.count == s.count, Set(perm) == Set(0..<s.count) else {
                throw ModelError.shapeMismatch(node: name, reason: "Transpose perm \(perm) for shape \(s)")
            }
            let outShape = perm.map { s[$0] }
            var inStrides = [Int](repeating: 1, count: s.count)
            for d in stride(from: s.count - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * s[d + 1] }
            let n = s.reduce(1, *)
            var idx = [Int](repeating: 0, count: n)
            for o in 0..<n {
                var rem = o, src = 0
                for d in stride(from: outShape.count - 1, through: 0, by: -1) {
                    src += (rem % outShape[d]) * inStrides[perm[d]]
                    rem /= outShape[d]
                }
                idx[o] = src
            }
            switch v {
            case .constant(_, let data):
                values[node.output[0]] = .constant(shape: outShape, data: idx.map { data[$0] })
            case .tensor(let t):
                try emit(.gather(input: t, indices: idx), shape: outShape, node: node, name: name)
            }
        case "Concat", "Slice", "Gather", "Split", "Pad", "Tile", "Expand", "DepthToSpace", "SpaceToDepth", "Resize", "Upsample":
            try lowerRewiring(node, name)
        case "Neg":
            let t = try tensor(node, 0, name)
            try emit(.affine(input: t, mul: [Double](repeating: -1, count: size(t)), add: [Double](repeating: 0, count: size(t))), shape: shapes[t], node: node, name: name)
        case "Sum", "Mean": try lowerSum(node, name)
        case "Max", "Min", "Abs": try lowerExtremum(node, name)
        case "ReduceSum", "ReduceMean": try lowerReduce(node, name)
        case "ReduceMax", "ReduceMin": try lowerReduceExtremum(node, name)
        case "InstanceNormalization", "GroupNormalization": try lowerGroupNorm(node, name)
        case "ArgMax":
            let t = try tensor(node, 0, name)
            let s = shapes[t]
            var axis = try intAttr(node, "axis") ?? 0
            if axis < 0 { axis += s.count }
            let n = s.reduce(1, *)
            guard !s.isEmpty, axis == s.count - 1, s[axis] == n else {
                throw ModelError.unsupported(node: name, reason: "ArgMax is supported over the last axis of a [1, n] tensor (got axis \(axis) of \(s))")
            }
            guard (try intAttr(node, "select_last_index") ?? 0) == 0 else {
                throw ModelError.unsupported(node: name, reason: "ArgMax with select_last_index = 1")
            }
            let keep = (try intAttr(node, "keepdims") ?? 1) != 0
            var outShape = s
            if keep { outShape[axis] = 1 } else { outShape.remove(at: axis) }
            try emit(.argMax(input: t), shape: outShape.isEmpty ? [1] : outShape, node: node, name: name)
        default:
            throw ModelError.unsupportedOp(op: node.opType, node: name, supported: ONNXImporter.supportedOps)
        }
    }

    func shape(of v: Value) -> [Int] {
        switch v {
        case .constant(let s, _): return s
        case .tensor(let t): return shapes[t]
        }
    }

    func resolveReshape(_ s: [Int], _ target: [Int], _ name: String, allowZero: Bool) throws -> [Int] {
        var out = target
        for i in out.indices where out[i] == 0 && allowZero {
            guard i < s.count else { throw ModelError.shapeMismatch(node: name, reason: "Reshape 0 at axis \(i) of \(s)") }
            out[i] = s[i]
        }
        let n = s.reduce(1, *)
        let minus = out.indices.filter { out[$0] == -1 }
        guard minus.count <= 1, out.allSatisfy({ $0 >= -1 }) else {
            throw ModelError.shapeMismatch(node: name, reason: "Reshape target \(target)")
        }
        if let m = minus.first {
            guard let known = checkedProduct(out.enumerated().filter { $0.offset != m }.map { $0.element }), known > 0, n % known == 0 else {
                throw ModelError.shapeMismatch(node: name, reason: "cannot reshape \(s) to \(target)")
            }
            out[m] = n / known
        }
        guard checkedProduct(out) == n else { throw ModelError.shapeMismatch(node: name, reason: "cannot reshape \(s) to \(target)") }
        return out
    }

    mutating func reshape(_ node: Onnx_NodeProto, _ name: String, _ v: Value, to shape: [Int]) throws {
        guard let out = node.output.first else { throw ModelError.malformedONNX("node '\(name)' has no output") }
        switch v {
        case .constant(_, let d):
            values[out] = .constant(shape: shape, data: d)
            if let i = node.input.first, integerValues.contains(i) { integerValues.insert(out) }
        case .tensor(let t):
            // Same element order: zero-cost; recorded as an identity gather so every ONNX tensor exists.
            try emit(.gather(input: t, indices: Array(0..<size(t))), shape: shape, node: node, name: name)
        }
    }

    func size(_ t: Int) -> Int { shapes[t].reduce(1, *) }

    /// The single-use dense/conv node producing `t`, whose bias a following Add/BatchNorm may absorb.
    func foldableProducer(_ t: Int, _ node: Onnx_NodeProto) -> Int? {
        guard let p = producer[t], uses[tensorNames[t]] == 1 else { return nil }
        switch nodes[p].op {
        case .dense, .conv: return p
        default: return nil
        }
    }

    mutating func lowerGemm(_ node: Onnx_NodeProto, _ name: String) throws {
        let a = try tensor(node, 0, name)
        let b = try constantInput(node, 1, name, what: "the weight matrix B")
        let transA = try intAttr(node, "transA") ?? 0, transB = try intAttr(node, "transB") ?? 0
        let alpha = floatAttr(node, "alpha") ?? 1, beta = floatAttr(node, "beta") ?? 1
        let sa = shapes[a]
        guard transA == 0, sa.count == 2, sa[0] == 1 else {
            throw ModelError.unsupported(node: name, reason: "Gemm needs A of shape [1, K] without transA (got \(sa), transA \(transA))")
        }
        guard b.shape.count == 2 else { throw ModelError.shapeMismatch(node: name, reason: "Gemm B has shape \(b.shape)") }
        let k = sa[1]
        let (n, kb) = transB != 0 ? (b.shape[0], b.shape[1]) : (b.shape[1], b.shape[0])
        guard kb == k else { throw ModelError.shapeMismatch(node: name, reason: "Gemm A is [1, \(k)] but B gives K = \(kb)") }
        var w = [Double](repeating: 0, count: n * k)
        for o in 0..<n { for i in 0..<k { w[o * k + i] = alpha * (transB != 0 ? b.data[o * k + i] : b.data[i * n + o]) } }
        var bias = [Double](repeating: 0, count: n)
        if let c = try optionalInput(node, 2, name) {
            guard case .constant(let cs, let cd) = c else {
                throw ModelError.unsupported(node: name, reason: "Gemm bias C must be a constant")
            }
            bias = try broadcast((cs, cd), to: [1, n], name).map { $0 * beta }
        }
        try emit(.dense(input: a, weights: w, bias: bias, inFeatures: k, outFeatures: n), shape: [1, n], node: node, name: name)
    }

    mutating func lowerConv(_ node: Onnx_NodeProto, _ name: String) throws {
        let x = try tensor(node, 0, name)
        let w = try constantInput(node, 1, name, what: "the convolution weights")
        let s = shapes[x]
        guard (s.count == 4 || s.count == 3), s[0] == 1 else {
            throw ModelError.unsupported(node: name, reason: "Conv supports 1-D (NCL) and 2-D (NCHW) input with batch 1, got \(s)")
        }
        let groups = try intAttr(node, "group") ?? 1
        guard w.shape.count == s.count, groups >= 1, s[1] % groups == 0, w.shape[0] % groups == 0, w.shape[1] * groups == s[1] else {
            throw ModelError.shapeMismatch(node: name, reason: "Conv weights \(w.shape) for input \(s) with group = \(groups)")
        }
        let kernel = s.count == 4 ? [w.shape[2], w.shape[3]] : [1, w.shape[2]]
        let geo = try geometry(node, name, input: s, kernel: kernel, groups: groups)
        let m = w.shape[0]
        var bias = [Double](repeating: 0, count: m)
        if let b = try optionalInput(node, 2, name) {
            guard case .constant(_, let bd) = b, bd.count == m else { throw ModelError.unsupported(node: name, reason: "Conv bias must be a constant of \(m) values") }
            bias = bd
        }
        try emit(.conv(input: x, weights: w.data, bias: bias, outChannels: m, geometry: geo),
                 shape: s.count == 4 ? [1, m, geo.outHeight, geo.outWidth] : [1, m, geo.outWidth], node: node, name: name)
    }

    /// Window geometry of a Conv or pool on NCHW (or NCL, as height 1) input with batch 1: kernel, strides,
    /// dilations, pads (explicit or `auto_pad`), and for pools `ceil_mode` (as extra end padding, which pools skip).
    func geometry(_ node: Onnx_NodeProto, _ name: String, input s: [Int], kernel: [Int]?, groups: Int = 1) throws -> WindowGeometry {
        guard s.count == 4 || s.count == 3, s[0] == 1 else {
            throw ModelError.unsupported(node: name, reason: "\(node.opType) supports 1-D (NCL) and 2-D (NCHW) input with batch 1, got \(s)")
        }
        let oneD = s.count == 3
        let (h, wd) = oneD ? (1, s[2]) : (s[2], s[3])
        var k = try kernel ?? intsAttr(node, "kernel_shape") ?? []
        if oneD && k.count == 1 { k = [1, k[0]] }  // a 1-D kernel is a 2-D one of height 1
        guard k.count == 2, k.allSatisfy({ $0 >= 1 }) else { throw ModelError.unsupported(node: name, reason: "\(node.opType) kernel \(k) (1-D or 2-D only)") }
        if kernel != nil, let ks = try intsAttr(node, "kernel_shape"), ks != (oneD ? [k[1]] : k) {
            throw ModelError.shapeMismatch(node: name, reason: "kernel_shape \(ks) vs weights \(oneD ? [k[1]] : k)")
        }
        let strides = try intsAttr(node, "strides").map { oneD && $0.count == 1 ? [1, $0[0]] : $0 } ?? [1, 1]
        let dilations = try intsAttr(node, "dilations").map { oneD && $0.count == 1 ? [1, $0[0]] : $0 } ?? [1, 1]
        var pads = try intsAttr(node, "pads").map { oneD && $0.count == 2 ? [0, $0[0], 0, $0[1]] : $0 } ?? [0, 0, 0, 0]
        guard strides.count == 2, strides.allSatisfy({ $0 >= 1 && $0 < 1 << 20 }) else {
            throw ModelError.unsupported(node: name, reason: "\(node.opType) strides \(strides) (one per spatial axis, ≥ 1)")
        }
        guard dilations.count == 2, dilations.allSatisfy({ $0 >= 1 && $0 < 1 << 20 }) else {
            throw ModelError.unsupported(node: name, reason: "\(node.opType) dilations \(dilations)")
        }
        let extent = [dilations[0] * (k[0] - 1) + 1, dilations[1] * (k[1] - 1) + 1]
        let dims = [h, wd]
        if let a = attr(node, "auto_pad"), let mode = String(bytes: a.s, encoding: .utf8), mode != "NOTSET", mode != "VALID" {
            guard mode == "SAME_UPPER" || mode == "SAME_LOWER" else { throw ModelError.unsupported(node: name, reason: "auto_pad \(mode)") }
            pads = [0, 0, 0, 0]
            for d in 0..<2 {
                let out = (dims[d] + strides[d] - 1) / strides[d]
                let total = max(0, (out - 1) * strides[d] + extent[d] - dims[d])
                let small = total / 2, big = total - small
                pads[d] = mode == "SAME_UPPER" ? small : big
                pads[d + 2] = mode == "SAME_UPPER" ? big : small
            }
        } else if let a = attr(node, "auto_pad"), String(bytes: a.s, encoding: .utf8) == "VALID" {
            pads = [0, 0, 0, 0]
        }
        guard pads.count == 4, pads.allSatisfy({ $0 >= 0 && $0 < 1 << 20 }) else {
            throw ModelError.unsupported(node: name, reason: "\(node.opType) pads \(pads)")
        }
        if let c = try intAttr(node, "ceil_mode"), c != 0 {
            // ceil_mode: the last window may start in the input (or the begin padding) and run past the end; pooling
            // skips padding, so extra end padding gives exactly those windows.
            let includePad = (try intAttr(node, "count_include_pad") ?? 0) != 0
            guard node.opType == "MaxPool" || (node.opType == "AveragePool" && !includePad) else {
                throw ModelError.unsupported(node: name, reason: "\(node.opType) with ceil_mode = 1 and count_include_pad = 1")
            }
            for d in 0..<2 {
                let span = dims[d] + pads[d] + pads[d + 2] - extent[d]
                guard span >= 0 else { continue }
                var out = (span + strides[d] - 1) / strides[d] + 1
                if (out - 1) * strides[d] >= dims[d] + pads[d] { out -= 1 }
                pads[d + 2] += max(0, (out - 1) * strides[d] + extent[d] - (dims[d] + pads[d] + pads[d + 2]))
            }
        }
        let geo = WindowGeometry(channels: s[1], height: h, width: wd, kernelH: k[0], kernelW: k[1],
                                 strideH: strides[0], strideW: strides[1],
                                 padTop: pads[0], padLeft: pads[1], padBottom: pads[2], padRight: pads[3],
                                 groups: groups, dilationH: dilations[0], dilationW: dilations[1])
        guard h + pads[0] + pads[2] >= extent[0], wd + pads[1] + pads[3] >= extent[1], geo.outHeight >= 1, geo.outWidth >= 1,
              pads[0] < extent[0], pads[1] < extent[1] else {
            throw ModelError.shapeMismatch(node: name, reason: "kernel \(k) (dilations \(dilations)) larger than the padded input \(s), or padding as wide as the kernel")
        }
        return geo
    }

    mutating func lowerPool(_ node: Onnx_NodeProto, _ name: String) throws {
        let x = try tensor(node, 0, name)
        let geo = try geometry(node, name, input: shapes[x], kernel: nil)
        let outShape = shapes[x].count == 4 ? [1, geo.channels, geo.outHeight, geo.outWidth] : [1, geo.channels, geo.outWidth]
        if node.opType == "MaxPool" {
            guard node.output.count == 1 || node.output[1].isEmpty else {
                throw ModelError.unsupported(node: name, reason: "MaxPool with an Indices output")
            }
            if let o = try intAttr(node, "storage_order"), o != 0 { throw ModelError.unsupported(node: name, reason: "MaxPool storage_order = 1") }
            try emit(.maxPool(input: x, geometry: geo), shape: outShape, node: node, name: name)
        } else {
            guard geo.dilationH == nil && geo.dilationW == nil else { throw ModelError.unsupported(node: name, reason: "AveragePool with dilations") }
            let include = (try intAttr(node, "count_include_pad") ?? 0) != 0
            try emit(.averagePool(input: x, geometry: geo, countIncludePad: include), shape: outShape, node: node, name: name)
        }
    }

    mutating func lowerBatchNorm(_ node: Onnx_NodeProto, _ name: String) throws {
        let x = try tensor(node, 0, name)
        let s = shapes[x]
        guard s.count >= 2, s[0] == 1 else { throw ModelError.unsupported(node: name, reason: "BatchNormalization input \(s)") }
        let c = s[1]
        var params: [[Double]] = []
        for (i, what) in ["scale", "bias", "mean", "var"].enumerated() {
            let p = try constantInput(node, i + 1, name, what: what)
            guard p.data.count == c else { throw ModelError.shapeMismatch(node: name, reason: "BatchNormalization \(what) has \(p.data.count) values for \(c) channels") }
            params.append(p.data)
        }
        if (try intAttr(node, "training_mode") ?? 0) != 0 { throw ModelError.unsupported(node: name, reason: "BatchNormalization in training mode") }
        let eps = floatAttr(node, "epsilon") ?? 1e-5
        var mul = [Double](repeating: 0, count: c), add = [Double](repeating: 0, count: c)
        for i in 0..<c {
            guard params[3][i] + eps > 0 else { throw ModelError.unsupported(node: name, reason: "BatchNormalization variance + epsilon ≤ 0") }
            mul[i] = params[0][i] / (params[3][i] + eps).squareRoot()
            add[i] = params[1][i] - params[2][i] * mul[i]
        }
        let per = s[2...].reduce(1, *)
        // Fold into a single-use Conv/Gemm before it: W' = W·mul (per output channel), b' = b·mul + add.
        if let p = foldableProducer(x, node) {
            switch nodes[p].op {
            case .conv(let i, var w, var b, let m, let geo) where m == c:
                let per = w.count / m
                for o in 0..<m { for j in 0..<per { w[o * per + j] *= mul[o] }; b[o] = b[o] * mul[o] + add[o] }
                nodes[p].op = .conv(input: i, weights: w, bias: b, outChannels: m, geometry: geo)
                nodes[p].onnxOp += "+BatchNormalization"
                values[node.output[0]] = .tensor(x)
                return
            case .dense(let i, var w, var b, let k, let n) where n == c:
                for o in 0..<n { for j in 0..<k { w[o * k + j] *= mul[o] }; b[o] = b[o] * mul[o] + add[o] }
                nodes[p].op = .dense(input: i, weights: w, bias: b, inFeatures: k, outFeatures: n)
                nodes[p].onnxOp += "+BatchNormalization"
                values[node.output[0]] = .tensor(x)
                return
            default: break
            }
        }
        let fullMul = (0..<(c * per)).map { mul[$0 / per] }, fullAdd = (0..<(c * per)).map { add[$0 / per] }
        try emit(.affine(input: x, mul: fullMul, add: fullAdd), shape: s, node: node, name: name)
    }

    mutating func lowerClip(_ node: Onnx_NodeProto, _ name: String) throws {
        let x = try tensor(node, 0, name)
        var lo: Double?, hi: Double?
        if opset >= 11 {
            for (i, slot) in [1, 2].enumerated() {
                guard let v = try optionalInput(node, slot, name) else { continue }
                guard case .constant(_, let d) = v, d.count == 1 else {
                    throw ModelError.unsupported(node: name, reason: "Clip bounds must be scalar constants")
                }
                if i == 0 { lo = d[0] } else { hi = d[0] }
            }
        } else {
            lo = floatAttr(node, "min"); hi = floatAttr(node, "max")
        }
        if let l = lo, let h = hi, l > h { throw ModelError.unsupported(node: name, reason: "Clip with min \(l) > max \(h)") }
        try emit(.clip(input: x, min: lo, max: hi), shape: shapes[x], node: node, name: name)
    }

    mutating func lowerElementwise(_ node: Onnx_NodeProto, _ name: String) throws {
        let a = try input(node, 0, name), b = try input(node, 1, name)
        let op = node.opType
        guard let out = node.output.first else { throw ModelError.malformedONNX("node '\(name)' has no output") }
        switch (a, b) {
        case (.constant(let sa, let da), .constant(let sb, let db)):
            // Constant folding with broadcasting.
            let shape = try broadcastShape(sa, sb, name)
            let x = try broadcast((sa, da), to: shape, name), y = try broadcast((sb, db), to: shape, name)
            let r: [Double] = zip(x, y).map { p in
                switch op {
                case "Add": return p.0 + p.1
                case "Sub": return p.0 - p.1
                case "Mul": return p.0 * p.1
                default: return p.0 / p.1
                }
            }
            guard r.allSatisfy({ $0.isFinite }) else { throw ModelError.unsupported(node: name, reason: "constant folding gives NaN/infinity") }
            values[out] = .constant(shape: shape, data: r)
        case (.tensor(let t), .tensor(let u)):
            try lowerTensorPair(node, name, t, u)
        case (.tensor(let t), .constant(let cs, let cd)), (.constant(let cs, let cd), .tensor(let t)):
            let tensorFirst: Bool = { if case .tensor = a { return true } else { return false } }()
            let shape = try broadcastShape(shapes[t], cs, name)
            // A constant that enlarges the tensor: broadcast the tensor first (a rewiring), then the affine op.
            let t = try broadcastTensor(t, to: shape, node, name, tag: "x")
            let c = try broadcast((cs, cd), to: shape, name)
            let n = c.count
            var mul = [Double](repeating: 1, count: n), add = [Double](repeating: 0, count: n)
            switch (op, tensorFirst) {
            case ("Add", _): add = c
            case ("Sub", true): add = c.map { -$0 }
            case ("Sub", false): mul = [Double](repeating: -1, count: n); add = c
            case ("Mul", _): mul = c
            case ("Div", true):
                guard c.allSatisfy({ $0 != 0 }) else { throw ModelError.unsupported(node: name, reason: "division by zero") }
                mul = c.map { 1 / $0 }
            default:
                throw ModelError.unsupported(node: name, reason: "Div of a constant by a computed tensor is not supported")
            }
            // Fold a scale Mul or a shift Add into the single-use LayerNorm before it (its gamma and beta).
            if let p = producer[t], uses[tensorNames[t]] == 1, case .layerNorm(let i, let rowN, var gamma, var beta, let eps) = nodes[p].op,
               op == "Mul" || op == "Add" || (op == "Sub" && tensorFirst) {
                for k in 0..<n {
                    if op == "Mul" { gamma[k] *= mul[k]; beta[k] *= mul[k] } else { beta[k] += add[k] }
                }
                nodes[p].op = .layerNorm(input: i, rowLength: rowN, gamma: gamma, beta: beta, epsilon: eps)
                nodes[p].onnxOp += "+\(op)"
                values[out] = .tensor(t)
                return
            }
            // Fold a bias Add/Sub into the single-use Gemm/Conv before it.
            if op == "Add" || (op == "Sub" && tensorFirst), let p = foldableProducer(t, node) {
                switch nodes[p].op {
                case .dense(let i, let w, var bias, let k, let m) where n == m:
                    for o in 0..<m { bias[o] += add[o] }
                    nodes[p].op = .dense(input: i, weights: w, bias: bias, inFeatures: k, outFeatures: m)
                    nodes[p].onnxOp += "+\(op)"
                    values[out] = .tensor(t)
                    return
                case .conv(let i, let w, var bias, let m, let geo):
                    let per = n / m
                    if (0..<n).allSatisfy({ add[$0] == add[($0 / per) * per] }) {
                        for o in 0..<m { bias[o] += add[o * per] }
                        nodes[p].op = .conv(input: i, weights: w, bias: bias, outChannels: m, geometry: geo)
                        nodes[p].onnxOp += "+\(op)"
                        values[out] = .tensor(t)
                        return
                    }
                default: break
                }
            }
            try emit(.affine(input: t, mul: mul, add: add), shape: shape, node: node, name: name)
        }
    }

    func broadcastShape(_ a: [Int], _ b: [Int], _ name: String) throws -> [Int] {
        let n = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: n - a.count) + a, pb = [Int](repeating: 1, count: n - b.count) + b
        return try zip(pa, pb).map { x, y in
            if x == y || y == 1 { return x }
            if x == 1 { return y }
            throw ModelError.shapeMismatch(node: name, reason: "shapes \(a) and \(b) do not broadcast")
        }
    }
}
