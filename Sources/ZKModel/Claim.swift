// Compiled models, digests, EZKL-style input files and claims ("this output came from this model
// on this input"), with the checks a verifier runs on a claim.

import Foundation
import ZKAlgebra
import ZKConstraints
import ZKFormats
import ZKGroth16
import ZKSodium

/// A model compiled to a quantized graph, with the digests that identify it.
public struct CompiledModel: Sendable {
    public var model: QuantizedModel
    /// BLAKE2b-256 of the canonical `circuit.json` bytes of the weight-free view (the quantized graph).
    public var quantizedDigest: String
    /// BLAKE2b-256(onnxDigest ‖ quantizedDigest) (raw 32-byte digests): the weight-free identity the circuit
    /// fixes as a constant (the base of the statement signal), so a key stays valid for any weights of the same
    /// bit widths. Equal to ``modelDigest`` for public weights.
    public var statementDigest: String
    /// The model identity a claim names: BLAKE2b-256(onnxDigest ‖ quantizedDigest) for public weights, and
    /// BLAKE2b-256(onnxDigest ‖ quantizedDigest ‖ weightsCommitment (32-byte big-endian)) for private weights,
    /// so other weights give another identity. Bound by public signal 0 (see ``CircuitLowering/statementSignal``).
    public var modelDigest: String

    /// With private weights: the public Poseidon commitment to them (a public signal).
    public var weightsCommitment: Fr?
    /// A verifier's copy of a private-weights model (`DIR/public/circuit.json`): the weights are placeholders
    /// (zeros), good for building the constraint system (setup) but not for proving or running.
    public private(set) var isPublicPart = false

    public init(model: QuantizedModel) throws {
        self.model = model
        let bytes = try CompiledModel.canonicalJSON(model.publicView)
        quantizedDigest = try blake2bHex(bytes)
        statementDigest = try CompiledModel.statementDigest(onnx: model.onnxDigest, quantized: quantizedDigest)
        weightsCommitment = model.visibility.weights == .private ? try CircuitLowering.weightCommitment(model) : nil
        modelDigest = try CompiledModel.modelDigest(onnx: model.onnxDigest, quantized: quantizedDigest, weightsCommitment: weightsCommitment)
    }

    /// BLAKE2b-256(onnxDigest ‖ quantizedDigest); throws unless both are canonical digests.
    public static func statementDigest(onnx: String, quantized: String) throws -> String {
        try blake2bHex(digestBytes(onnx, "model.onnxDigest") + digestBytes(quantized, "model.quantizedDigest"))
    }

    /// The model identity (see ``modelDigest``); throws unless both digests are canonical.
    public static func modelDigest(onnx: String, quantized: String, weightsCommitment: Fr?) throws -> String {
        var bytes = try digestBytes(onnx, "model.onnxDigest") + digestBytes(quantized, "model.quantizedDigest")
        if let c = weightsCommitment { bytes += c.bigEndianBytes }
        return try blake2bHex(bytes)
    }

    /// Loads `DIR/public/circuit.json` (a private-weights model without its weights and salt, as `compile`
    /// writes it for whoever runs setup): the weights become zero placeholders of the recorded sizes.
    public init(publicCircuitJSON data: Data) throws {
        var m: QuantizedModel
        do { m = try JSONDecoder().decode(QuantizedModel.self, from: data) } catch {
            throw ModelError.invalidCircuit("circuit.json: \(error)")
        }
        guard m.isPublicPart else { throw ModelError.invalidCircuit("circuit.json is not the public part of a private-weights model") }
        for k in m.nodes.indices where m.nodes[k].hasPrivateWeights {
            switch m.nodes[k].op {
            case .dense(let i, _, _, let nIn, let nOut):
                guard nIn >= 0, nOut >= 0, nIn <= ONNXImporter.maxTensorElements, nOut <= ONNXImporter.maxTensorElements,
                      !nIn.multipliedReportingOverflow(by: nOut).overflow, nIn * nOut <= ONNXImporter.maxTensorElements else {
                    throw ModelError.invalidCircuit("node \(k) sizes")
                }
                m.nodes[k].op = .dense(input: i, weights: [Int](repeating: 0, count: nIn * nOut), bias: [Int](repeating: 0, count: nOut),
                                       inFeatures: nIn, outFeatures: nOut)
            case .conv(let i, _, _, let mOut, let g):
                let dims = [mOut, g.channelsPerGroup, g.kernelH, g.kernelW]
                guard dims.allSatisfy({ $0 >= 0 && $0 <= ONNXImporter.maxTensorElements }) else { throw ModelError.invalidCircuit("node \(k) sizes") }
                var count = 1
                for d in dims {
                    let (p, o) = count.multipliedReportingOverflow(by: d)
                    guard !o, p <= ONNXImporter.maxTensorElements else { throw ModelError.invalidCircuit("node \(k) sizes") }
                    count = p
                }
                m.nodes[k].op = .conv(input: i, weights: [Int](repeating: 0, count: count), bias: [Int](repeating: 0, count: mOut),
                                      outChannels: mOut, geometry: g)
            default: break
            }
        }
        m.weightSalt = "0"
        try m.validate()
        try self.init(model: m)
        isPublicPart = true
    }

    /// Imports and quantizes an ONNX model.
    public static func compile(onnx: Data, options: QuantizationOptions) throws -> (CompiledModel, FloatGraph) {
        let graph = try ONNXImporter.load(onnx)
        let q = try Quantizer.quantize(graph, options: options, onnxDigest: try blake2bHex([UInt8](onnx)))
        return (try CompiledModel(model: q), graph)
    }

    static func canonicalJSON(_ m: QuantizedModel) throws -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return [UInt8](try enc.encode(m))
    }

    /// `circuit.json` bytes.
    public func circuitJSON() throws -> Data { Data(try CompiledModel.canonicalJSON(model)) }

    /// `public/circuit.json` bytes (private weights): the weight-free ``QuantizedModel/publicView`` — no weights, no salt.
    public func publicCircuitJSON() throws -> Data { Data(try CompiledModel.canonicalJSON(model.publicView)) }

    /// Reads a circuit.json: a host's full model, or the weight-free public part of a private-weights model
    /// (``init(publicCircuitJSON:)``, good for setup only).
    public static func load(circuitJSON data: Data) throws -> CompiledModel {
        let m: QuantizedModel
        do { m = try JSONDecoder().decode(QuantizedModel.self, from: data) } catch {
            throw ModelError.invalidCircuit("circuit.json: \(error)")
        }
        return m.isPublicPart ? try CompiledModel(publicCircuitJSON: data) : try CompiledModel(circuitJSON: data)
    }

    /// Reads `circuit.json`, checking its structure (indices, sizes) so later stages cannot trap.
    public init(circuitJSON data: Data) throws {
        let m: QuantizedModel
        do { m = try JSONDecoder().decode(QuantizedModel.self, from: data) } catch {
            throw ModelError.invalidCircuit("circuit.json: \(error)")
        }
        try m.validate()
        try self.init(model: m)
    }

    /// Builds the circuit for a float input (quantized here). `inputSalt` blinds a hashed input.
    public func circuit(for input: [Double], inputSalt: Fr = .zero) throws -> ModelCircuit {
        guard !isPublicPart else { throw ModelError.invalidCircuit("this is the public part of a private-weights model (no weights): prove and run need the host's directory") }
        return try CircuitLowering.build(model, input: model.quantizeInput(input), digest: statementDigest, inputSalt: inputSalt)
    }

    /// The constraint system alone, for compile and setup: no witness is solved (the structure never depends on
    /// values), so `witness` and `output` of the result are zeros.
    public func constraintSystem() throws -> ModelCircuit {
        try CircuitLowering.build(model, input: [Int](repeating: 0, count: model.inputTensor.count), digest: statementDigest, constraintsOnly: true)
    }
}

extension QuantizedModel {
    /// Whether this is a weight-free public view (``publicView``) of a private-weights model: private weights,
    /// no salt, and every private layer's weights and biases removed.
    public var isPublicPart: Bool {
        guard visibility.weights == .private, weightSalt == nil else { return false }
        return nodes.allSatisfy { n in
            guard n.hasPrivateWeights else { return true }
            switch n.op {
            case .dense(_, let w, let b, _, _), .conv(_, let w, let b, _, _): return w.isEmpty && b.isEmpty
            default: return true
            }
        }
    }

    /// What the model digest covers: everything, except that with private weights the weights,
    /// biases and salt are removed (they are bound by the commitment instead). The ONNX digest is
    /// kept in both cases; with private weights it is the salted ``QuantizedModel/onnxCommitment(fileDigest:salt:)``,
    /// not a plain hash of the file.
    public var publicView: QuantizedModel {
        guard visibility.weights == .private else { return self }
        var m = self
        m.weightSalt = nil
        for k in m.nodes.indices where m.nodes[k].hasPrivateWeights {
            switch m.nodes[k].op {
            case .dense(let i, _, _, let nIn, let nOut): m.nodes[k].op = .dense(input: i, weights: [], bias: [], inFeatures: nIn, outFeatures: nOut)
            case .conv(let i, _, _, let mm, let g): m.nodes[k].op = .conv(input: i, weights: [], bias: [], outChannels: mm, geometry: g)
            default: break
            }
        }
        return m
    }

    /// Structural validation of a decoded model (every index in range, sizes consistent), so a
    /// hand-edited or corrupt circuit.json gives an error rather than a trap.
    public func validate() throws {
        func fail(_ m: String) -> ModelError { .invalidCircuit(m) }
        guard formatVersion == QuantizedModel.formatVersion else { throw fail("format version \(formatVersion), expected \(QuantizedModel.formatVersion)") }
        guard !tensors.isEmpty, tensors.count == nodes.count + 1 else { throw fail("tensor/node counts disagree") }
        guard visibility.output == "public" else { throw fail("visibility.output must be \"public\"") }
        guard (2...24).contains(scaleBits), inputBound.isFinite, inputBound > 0,
              Double(sign: .plus, exponent: ceilLog2(inputBound), significand: 1) == inputBound else { throw fail("bad quantization settings (the input bound must be a power of two)") }
        for (k, t) in tensors.enumerated() {
            guard t.lo.count == t.hi.count, t.shape.allSatisfy({ $0 >= 1 }), t.shape.reduce(1, { $0 &* $1 }) == t.count,
                  t.count <= ONNXImporter.maxTensorElements, (0...60).contains(t.scale) else { throw fail("tensor \(k) is malformed") }
            for i in 0..<t.count where t.lo[i] > t.hi[i] || t.lo[i] <= -boundLimit || t.hi[i] >= boundLimit { throw fail("tensor \(k) bounds") }
        }
        for (k, n) in nodes.enumerated() {
            guard n.output == k + 1 else { throw fail("node \(k) output \(n.output)") }
            guard !n.op.inputs.isEmpty, n.op.inputs.allSatisfy({ $0 >= 0 && $0 <= k }) else { throw fail("node \(k) reads a later tensor") }
            let out = tensors[n.output]
            let inp = tensors[n.op.inputs[0]]
            /// The product, or nil when it overflows.
            func prod(_ xs: Int...) -> Int? {
                var p = 1
                for x in xs {
                    let (m, o) = p.multipliedReportingOverflow(by: x)
                    if o { return nil }
                    p = m
                }
                return p
            }
            func geoOK(_ g: WindowGeometry) -> Bool {
                // Every field small first, so the arithmetic below cannot overflow.
                let fields = [g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padTop, g.padLeft, g.padBottom, g.padRight,
                              g.groupCount, g.dilationH ?? 1, g.dilationW ?? 1]
                guard fields.allSatisfy({ $0 >= 0 && $0 <= ONNXImporter.maxTensorElements }) else { return false }
                return g.channels >= 1 && g.height >= 1 && g.width >= 1 && g.kernelH >= 1 && g.kernelW >= 1 && g.strideH >= 1 && g.strideW >= 1
                    && g.padTop >= 0 && g.padLeft >= 0 && g.padBottom >= 0 && g.padRight >= 0 && prod(g.channels, g.height, g.width) == inp.count
                    && g.groupCount >= 1 && g.channels % g.groupCount == 0 && (g.dilationH ?? 1) >= 1 && (g.dilationW ?? 1) >= 1
                    && g.height + g.padTop + g.padBottom >= (g.dilationH ?? 1) * (g.kernelH - 1) + 1
                    && g.width + g.padLeft + g.padRight >= (g.dilationW ?? 1) * (g.kernelW - 1) + 1
                    && g.padTop < (g.dilationH ?? 1) * (g.kernelH - 1) + 1 && g.padLeft < (g.dilationW ?? 1) * (g.kernelW - 1) + 1
            }
            /// Integer constants of the op stay below 2^60 like every bound (so bound arithmetic cannot overflow).
            func small(_ v: [Int]) -> Bool { v.allSatisfy { $0 > -boundLimit && $0 < boundLimit } }
            var ok = true
            switch n.op {
            case .dense(_, let w, let b, let nIn, let nOut):
                ok = nIn == inp.count && nOut == out.count && w.count == nIn * nOut && b.count == nOut && small(w) && small(b)
            case .conv(_, let w, let b, let m, let g):
                ok = geoOK(g) && m % g.groupCount == 0 && b.count == m && w.count == prod(m, g.channelsPerGroup, g.kernelH, g.kernelW)
                    && out.count == prod(m, g.outHeight, g.outWidth)
                    && small(w) && small(b)
            case .affine(_, let mul, let add): ok = mul.count == inp.count && add.count == inp.count && out.count == inp.count && small(mul) && small(add)
            case .add(let a, let b, let sa, let sb, let s):
                ok = tensors[a].count == out.count && tensors[b].count == out.count && (0...60).contains(sa) && (0...60).contains(sb) && abs(s) == 1
            case .rescale(_, let d, _): ok = (0...60).contains(d) && out.count == inp.count
            case .leakyRelu(_, let alpha, let bits): ok = (0...30).contains(bits) && out.count == inp.count && small([alpha])
            case .clamp(_, let lo, let hi): ok = out.count == inp.count && small([lo, hi].compactMap { $0 })
            case .maxPool(_, let g): ok = geoOK(g) && g.groups == nil && out.count == prod(g.channels, g.outHeight, g.outWidth)
            case .sumPool(_, let g, let mult):
                ok = geoOK(g) && g.groups == nil && out.count == prod(g.channels, g.outHeight, g.outWidth) && mult.count == g.outHeight * g.outWidth && small(mult)
            case .gather(_, let idx): ok = idx.count == out.count && idx.allSatisfy { $0 >= 0 && $0 < inp.count }
            case .rewire(let inputs, let sources, let constants, let shifts):
                let total = inputs.reduce(0) { $0 + tensors[$1].count }
                ok = !inputs.isEmpty && shifts.count == inputs.count && shifts.allSatisfy({ (0...60).contains($0) }) && small(constants)
                    && sources.count == out.count && sources.allSatisfy { $0 < total && $0 >= -constants.count }
            case .extremum(let a, let b, let sa, let sb, let s, _):
                ok = tensors[a].count == out.count && tensors[b].count == out.count && (0...60).contains(sa) && (0...60).contains(sb) && abs(s) == 1
            case .bilinear(let a, let b, let left, let right, let terms):
                let (na, nb) = (tensors[a].count, tensors[b].count)
                ok = terms >= 1 && terms <= ONNXImporter.maxTensorElements && left.count == right.count
                    && prod(out.count, terms) == left.count && left.allSatisfy({ $0 >= 0 && $0 < na }) && right.allSatisfy({ $0 >= 0 && $0 < nb })
            case .argMax: ok = out.count == 1 && inp.count >= 1
            }
            guard ok else { throw fail("node \(k) (\(n.op.kind), layer '\(n.layer)') has inconsistent sizes") }
            // Bounds must be what the compiler derives (they size the range checks).
            if let wb = n.weightBits, let bb = n.biasBits {
                guard visibility.weights == .private, (1...62).contains(wb), (1...62).contains(bb) else { throw fail("node \(k) private bit widths") }
                switch n.op {
                case .dense(_, let w, let b, _, _), .conv(_, let w, let b, _, _):
                    guard w.allSatisfy({ $0 >= -(1 << (wb - 1)) && $0 < 1 << (wb - 1) }), b.allSatisfy({ $0 >= -(1 << (bb - 1)) && $0 < 1 << (bb - 1) }) else {
                        throw fail("node \(k): a private weight exceeds its bit width")
                    }
                default: throw fail("node \(k): private bit widths on a \(n.op.kind) op")
                }
            } else if visibility.weights == .private {
                switch n.op {
                case .dense, .conv: throw fail("node \(k) lacks private bit widths")
                default: break
                }
            }
            if visibility.weights == .private, weightSalt.flatMap({ Fr(decimal: $0) }) == nil { throw fail("private weights need a salt") }
            let (lo, hi) = try Bounds.of(n.op, tensors, layer: n.layer,
                                         privateBits: n.weightBits.flatMap { w in n.biasBits.map { (w, $0) } })
            guard lo == out.lo, hi == out.hi else { throw fail("node \(k) bounds differ from the derived bounds") }
        }
        guard output >= 1, output < tensors.count else { throw fail("output index") }
        if let ts = tensorScales, !ts.allSatisfy({ (0...30).contains($0) }) { throw fail("tensorScales must lie in 0...30") }
        if let d = calibrationDigest, !isCanonicalDigest(d) { throw fail("calibrationDigest is not 64 lowercase hex digits") }
    }
}

/// `{"input_data": [[...]]}` (EZKL's input.json): one or more flattened samples.
public enum InputFile {
    public static func parse(_ data: Data) throws -> [[Double]] {
        let obj: Any
        do { obj = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            throw ModelError.invalidInput("not JSON (\(error.localizedDescription))")
        }
        guard let dict = obj as? [String: Any], let rows = dict["input_data"] as? [Any] else {
            throw ModelError.invalidInput("expected {\"input_data\": [[numbers...]]}")
        }
        guard !rows.isEmpty else { throw ModelError.invalidInput("input_data is empty") }
        return try rows.enumerated().map { r, row in
            guard let arr = row as? [Any] else { throw ModelError.invalidInput("input_data[\(r)] is not an array") }
            return try arr.enumerated().map { i, v in
                // JSONSerialization returns true/false as NSNumbers of objCType "c" (CFBoolean on
                // Darwin, __NSCFBoolean on Linux); `is Bool` also holds for the numbers 0 and 1 there,
                // so it cannot tell them apart.
                guard !(v is Bool && type(of: v) == Bool.self), let n = v as? NSNumber, String(cString: n.objCType) != "c" else {
                    throw ModelError.invalidInput("input_data[\(r)][\(i)] is not a number")
                }
                let d = n.doubleValue
                guard d.isFinite else { throw ModelError.invalidInput("input_data[\(r)][\(i)] is not finite") }
                return d
            }
        }
    }

    /// Splits a calibration file: all numbers concatenated, cut into samples of `size`.
    public static func samples(_ rows: [[Double]], size: Int) throws -> [[Double]] {
        let flat = rows.flatMap { $0 }
        guard size > 0, !flat.isEmpty, flat.count % size == 0 else {
            throw ModelError.invalidInput("calibration data has \(flat.count) numbers, not a multiple of the input size \(size)")
        }
        return stride(from: 0, to: flat.count, by: size).map { Array(flat[$0..<($0 + size)]) }
    }
}

/// A tensor in a claim: shape, dequantized values and the exact integers.
public struct ClaimTensor: Codable, Equatable, Sendable {
    public var shape: [Int]
    /// Flattened real values (`quantized / 2^scale`).
    public var values: [Double]
    /// The integers the proof is about.
    public var quantized: [Int]
    /// Fraction bits.
    public var scale: Int
    /// Hidden input: `private` or `hashed` (then `values`/`quantized` are empty); nil = public.
    public var visibility: InputVisibility?
    /// Hashed input: `Poseidon.hashMany([salt] ++ input)` (decimal), the public signal.
    public var hash: String?
}

/// The claim's output: the proven tensor plus what is derived from it outside the circuit.
public struct ClaimOutput: Codable, Equatable, Sendable {
    public var shape: [Int]
    public var values: [Double]
    public var quantized: [Int]
    public var scale: Int
    /// `none`, `softmax` or `sigmoid`: the model's final op, applied to `values` outside the circuit.
    public var transform: OutputTransform
    /// `transform(values)` when a transform is stated.
    public var transformed: [Double]?
    /// Index of the largest value (first on ties).
    public var argmax: Int
}

/// The model identity a claim names.
public struct ClaimModel: Codable, Equatable, Sendable {
    public var name: String
    public var onnxDigest: String
    public var quantizedDigest: String
    public var modelDigest: String
    /// BLAKE2b-256 of the constraint system (wire counts and every term).
    public var circuitDigest: String
    public var constraints: Int
    /// Private weights: the Poseidon commitment (decimal) the proof is checked against.
    public var weightsCommitment: String?
}

public struct ClaimQuantization: Codable, Equatable, Sendable {
    public var scaleBits: Int
    /// Inputs satisfy |x| ≤ inputBound (a power of two).
    public var inputBound: Double
    public var calibrated: Bool
    public var rounding: String
    /// Whether the circuit itself range-checks the input (always for hidden inputs); when false,
    /// the verifier of a claim checks the stated input against inputBound.
    public var inputRangeInCircuit: Bool?
    /// The target scale of every float-graph tensor (``RecordedQuantization``): with the ONNX file and the
    /// settings above, `verify --model` re-derives the quantized graph. Checked only by re-derivation.
    public var tensorScales: [Int]?
    /// BLAKE2b-256 of the calibration file (informational: a host can be asked for the file later).
    public var calibrationDigest: String?

    /// What re-derivation needs (nil when the claim predates recorded scales).
    public var recorded: RecordedQuantization? {
        tensorScales.map { RecordedQuantization(tensorScales: $0, inputBound: inputBound, calibrated: calibrated) }
    }
}

/// A snarkjs-shaped proof object inside a claim.
public struct ClaimProof: Codable, Equatable, Sendable {
    public var pi_a: [String]
    public var pi_b: [[String]]
    public var pi_c: [String]
    public var `protocol`: String
    public var curve: String
}

/// `claim.json`: what was computed, by which model, and the proof.
public struct Claim: Codable, Equatable, Sendable {
    public static let version = 1
    public var claimVersion: Int
    public var zkinfer: String
    public var statement: String
    public var model: ClaimModel
    public var verificationKeyDigest: String
    public var visibility: Visibility
    public var quantization: ClaimQuantization
    /// Order of `publicSignals`.
    public var publicSignalLayout: [String]
    public var input: ClaimTensor
    public var output: ClaimOutput
    public var publicSignals: [String]
    public var proof: ClaimProof
    /// The model host's receipt (optional): Ed25519 over ``ClaimVerifier/signedBytes(_:)``.
    public var signature: ClaimSignature?
}

extension VerificationKey {
    /// BLAKE2b-256 over the key's Ethereum encodings (α, β, γ, δ, IC in order).
    public var digest: String {
        get throws {
        var bytes = alpha1.ethereumBytes + beta2.ethereumBytes + gamma2.ethereumBytes + delta2.ethereumBytes
        for p in ic { bytes += p.ethereumBytes }
        return try blake2bHex(bytes)
        }
    }
}

/// The digest of a constraint system: BLAKE2b-256 over (publicCount, wireCount, constraintCount)
/// and every term (side, wire, coefficient) of every constraint, little-endian.
public func circuitDigest(_ s: ConstraintSystem) throws -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(24 + s.termCount * 40 + s.constraintCount * 24)
    func put64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    func put(_ v: Int) { put64(UInt64(v)) }
    put(s.publicCount); put(s.wireCount); put(s.constraintCount)
    for i in 0..<s.constraintCount {
        for side in ConstraintSide.allCases {
            let terms = s.terms(i, side)
            put(terms.count)
            for t in terms {
                // The coefficient's canonical 32-byte little-endian encoding, limb by limb.
                let c = t.coefficient.canonicalTuple
                put(t.wire); put64(c.0); put64(c.1); put64(c.2); put64(c.3)
            }
        }
    }
    return try blake2bHex(bytes)
}

/// The verdict on a claim.
public struct ClaimVerdict: Sendable {
    public var valid: Bool
    /// Why it is invalid (empty when valid).
    public var problems: [String]
    /// The signer's public key (hex) when the claim is signed.
    public var signer: String? = nil
    /// nil: unsigned; otherwise whether the signature is valid (an invalid one makes the claim invalid).
    public var signatureValid: Bool? = nil
}

public enum ClaimVerifier {
    /// The claim's human-readable statement for its settings: `makeClaim` writes it and `verify` requires it verbatim,
    /// so a claim that verifies never carries an edited description.
    public static func statementText(privateWeights: Bool, input: InputVisibility) -> String {
        let hidden = input != .public
        return "output = model(input): the quantized model identified by model.modelDigest (ONNX file \(privateWeights ? "salted commitment " : "")onnxDigest, quantized graph quantizedDigest\(privateWeights ? ", private weights bound by weightsCommitment" : "")), run on \(hidden ? "a hidden input within the model's input range\(input == .hashed ? " whose Poseidon hash is input.hash" : "")" : "input.quantized"), yields output.quantized; proven with Groth16 over BN254 under the verification key verificationKeyDigest. output.transformed (if present) is computed from output.values outside the proof."
    }

    /// Builds a claim from a proof. `inputSalt` is the blinding of a hashed input. `circuitDigest`, when the
    /// caller has already computed ``circuitDigest(_:)`` of `circuit.system` (and checked it), saves recomputing it.
    public static func makeClaim(name: String, compiled: CompiledModel, circuit: ModelCircuit, input: [Double], proof: Proof,
                                 verificationKey: VerificationKey, inputSalt: Fr = .zero,
                                 circuitDigest knownCircuitDigest: String? = nil) throws -> Claim {
        let m = compiled.model
        let qIn = try m.quantizeInput(input)
        let outT = m.outputTensor
        let outValues = m.dequantize(circuit.output, tensor: m.output)
        let best = firstArgmax(circuit.output)
        let p = proof.snarkjs
        let pj = try JSONDecoder().decode(ClaimProof.self, from: try p.jsonData())
        let inVis = m.visibility.input
        let privateWeights = compiled.weightsCommitment != nil
        let layout = PublicSignalLayout(model: m).names
        let hash = inVis == .hashed ? CircuitLowering.inputHash(qIn.map { Fr(signed: Int64($0)) }, salt: inputSalt).description : nil
        let hidden = inVis != .public
        return Claim(
            claimVersion: Claim.version, zkinfer: zkinferVersion,
            statement: statementText(privateWeights: privateWeights, input: inVis),
            model: ClaimModel(name: name, onnxDigest: m.onnxDigest, quantizedDigest: compiled.quantizedDigest, modelDigest: compiled.modelDigest,
                              circuitDigest: try knownCircuitDigest ?? circuitDigest(circuit.system), constraints: circuit.system.constraintCount,
                              weightsCommitment: compiled.weightsCommitment?.description),
            verificationKeyDigest: try verificationKey.digest, visibility: m.visibility,
            quantization: ClaimQuantization(scaleBits: m.scaleBits, inputBound: m.inputBound, calibrated: m.calibrated, rounding: "half-up",
                                            inputRangeInCircuit: m.checksInputRangeInCircuit, tensorScales: m.tensorScales,
                                            calibrationDigest: m.calibrationDigest),
            publicSignalLayout: layout,
            input: ClaimTensor(shape: m.inputTensor.shape, values: hidden ? [] : m.dequantize(qIn, tensor: 0), quantized: hidden ? [] : qIn,
                               scale: m.inputTensor.scale, visibility: hidden ? inVis : nil, hash: hash),
            output: ClaimOutput(shape: outT.shape, values: outValues, quantized: circuit.output, scale: outT.scale,
                                transform: m.outputTransform,
                                transformed: m.outputTransform == .none ? nil : FloatInterpreter.applyTransform(m.outputTransform, outValues),
                                argmax: best),
            publicSignals: circuit.publicSignals.map { $0.description },
            proof: pj, signature: nil)
    }

    /// Decodes claim.json strictly: besides the types, every key must be one zkinfer writes (an unknown key, or a
    /// `null` where zkinfer writes nothing, is an error naming it), so nothing unverified can ride along in a claim.
    public static func decode(_ data: Data) throws -> Claim {
        let claim: Claim
        do { claim = try JSONDecoder().decode(Claim.self, from: data) } catch {
            throw ModelError.invalidClaim("\(error)")
        }
        let raw = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        let known = try? JSONSerialization.jsonObject(with: JSONEncoder().encode(claim))
        guard let raw, let known else { throw ModelError.invalidClaim("not a JSON object") }
        if let key = unexpectedKey(raw, known, path: "") { throw ModelError.invalidClaim("unknown key '\(key)'") }
        return claim
    }

    /// The first key path in `raw` that `known` (the re-encoded claim) lacks, recursing through objects and arrays.
    static func unexpectedKey(_ raw: Any, _ known: Any, path: String) -> String? {
        if let r = raw as? [String: Any] {
            guard let k = known as? [String: Any] else { return path.isEmpty ? "(top level)" : path }
            for key in r.keys.sorted() {
                let p = path.isEmpty ? key : path + "." + key
                guard let kv = k[key] else { return p }
                if let bad = unexpectedKey(r[key]!, kv, path: p) { return bad }
            }
        } else if let r = raw as? [Any], let k = known as? [Any], r.count == k.count {
            for (i, (rv, kv)) in zip(r, k).enumerated() {
                if let bad = unexpectedKey(rv, kv, path: "\(path)[\(i)]") { return bad }
            }
        }
        return nil
    }

    public static func encode(_ claim: Claim) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try enc.encode(claim)
    }

    /// The snarkjs proof inside a claim; throws `ModelError.invalidClaim` if it is not a valid
    /// encoding of curve points (on the curve, in the subgroup, canonical).
    public static func proof(of claim: Claim) throws -> Proof {
        do {
            let data = try JSONEncoder().encode(claim.proof)
            return Proof(snarkjs: try SnarkjsProof(jsonData: data))
        } catch { throw ModelError.invalidClaim("proof: \(error)") }
    }

    /// Every check a verifier makes: key digest, model digest, input range, consistency of the
    /// stated values with the public signals, then the Groth16 proof itself. `options` adds the checks a
    /// verifier may ask for (re-derivation from the ONNX file, a pinned weights commitment) and the test-only
    /// `allowForgeableKey`. Fails closed: anything it cannot interpret is an error or a problem, never a pass.
    public static func verify(_ claim: Claim, key: VerificationKey, options: ClaimCheckOptions = ClaimCheckOptions()) throws -> ClaimVerdict {
        var problems: [String] = []
        guard claim.claimVersion == Claim.version else { throw ModelError.invalidClaim("claim version \(claim.claimVersion)") }
        if !options.allowForgeableKey { problems += key.forgeabilityWarnings }
        let keyDigest = try key.digest
        if claim.verificationKeyDigest != keyDigest {
            problems.append("the claim names verification key \(claim.verificationKeyDigest), but the given key is \(keyDigest)")
        }
        for (what, d) in [("model.onnxDigest", claim.model.onnxDigest), ("model.quantizedDigest", claim.model.quantizedDigest),
                          ("model.modelDigest", claim.model.modelDigest), ("model.circuitDigest", claim.model.circuitDigest),
                          ("verificationKeyDigest", claim.verificationKeyDigest)] where !isCanonicalDigest(d) {
            problems.append("\(what) is not 64 lowercase hex digits")
        }
        if let d = claim.quantization.calibrationDigest, !isCanonicalDigest(d) { problems.append("quantization.calibrationDigest is not 64 lowercase hex digits") }
        // Nothing below can be recomputed from non-canonical digests: fail closed here.
        if !isCanonicalDigest(claim.model.onnxDigest) || !isCanonicalDigest(claim.model.quantizedDigest) {
            return ClaimVerdict(valid: false, problems: problems, signer: claim.signature?.publicKey, signatureValid: nil)
        }
        func decimal(_ s: String?, _ what: String) throws -> Fr? {
            guard let s else { return nil }
            guard let v = try? Fr(snarkjsDecimal: s) else { throw ModelError.invalidClaim("\(what) is not a canonical decimal < r") }
            return v
        }
        let commitment = try decimal(claim.model.weightsCommitment, "model.weightsCommitment")
        if try CompiledModel.modelDigest(onnx: claim.model.onnxDigest, quantized: claim.model.quantizedDigest, weightsCommitment: commitment)
            != claim.model.modelDigest {
            problems.append(commitment == nil ? "model.modelDigest is not BLAKE2b(onnxDigest ‖ quantizedDigest)"
                                              : "model.modelDigest is not BLAKE2b(onnxDigest ‖ quantizedDigest ‖ weightsCommitment)")
        }
        if let pinned = options.weightsCommitment, commitment != pinned {
            problems.append(commitment == nil ? "the claim has no weights commitment, but --weights-commitment \(pinned.hex) was required"
                                              : "model.weightsCommitment is \(commitment!.hex), not the required \(pinned.hex)")
        }
        if let onnx = options.onnx { problems += try modelFileProblems(claim, onnx: onnx) }
        let input = claim.input, output = claim.output
        guard (0...60).contains(input.scale), (0...60).contains(output.scale) else { throw ModelError.invalidClaim("scale out of range") }
        let inVis = claim.visibility.input
        if (input.visibility ?? .public) != inVis { problems.append("input.visibility disagrees with visibility.input") }
        guard output.quantized.count == output.values.count, output.quantized.count == output.shape.reduce(1, { $0 &* $1 }) else {
            throw ModelError.invalidClaim("output sizes disagree with its shape")
        }
        if inVis == .public {
            guard input.quantized.count == input.values.count, input.quantized.count == input.shape.reduce(1, { $0 &* $1 }) else {
                throw ModelError.invalidClaim("input sizes disagree with its shape")
            }
            // As integers: |q| ≤ round(inputBound·2^scale), the quantizer's own bound of the input tensor.
            let limit = try quantizedInputBound(claim.quantization.inputBound, scale: input.scale)
            for (i, q) in input.quantized.enumerated() where q < -limit || q > limit {
                problems.append("input.quantized[\(i)] = \(q) is outside the model's input range [-\(limit), \(limit)]")
                break
            }
            let fin = Double(sign: .plus, exponent: -input.scale, significand: 1)
            if zip(input.quantized, input.values).contains(where: { Double($0) * fin != $1 }) { problems.append("input.values do not match input.quantized") }
        } else if !input.quantized.isEmpty || !input.values.isEmpty {
            problems.append("a hidden input must not be stated in the claim")
        }
        let fout = Double(sign: .plus, exponent: -output.scale, significand: 1)
        if zip(output.quantized, output.values).contains(where: { Double($0) * fout != $1 }) { problems.append("output.values do not match output.quantized") }
        if !output.quantized.isEmpty && output.argmax != firstArgmax(output.quantized) { problems.append("output.argmax is not the index of the largest output") }
        if output.transform == .none {
            if output.transformed != nil { problems.append("output.transformed is present, but output.transform is none") }
        } else {
            // Recomputed here, with a relative tolerance for libm differences between platforms (a few ulps of exp and
            // the normalising division; the absolute term only covers subnormal results).
            let expected = FloatInterpreter.applyTransform(output.transform, output.values)
            let matches = output.transformed.map { t in t.count == expected.count && zip(t, expected).allSatisfy { abs($0 - $1) <= 1e-12 * abs($1) + 1e-300 } }
            if matches != true { problems.append("output.transformed is not \(output.transform.rawValue)(output.values)") }
        }
        if (claim.visibility.weights == .private) != (commitment != nil) { problems.append("private weights need model.weightsCommitment (and public weights must not have one)") }
        let inputHash = try decimal(input.hash, "input.hash")
        if (inVis == .hashed) != (inputHash != nil) { problems.append("a hashed input needs input.hash (and only a hashed input has one)") }
        // The descriptive fields must be exactly what makeClaim writes for these settings.
        if claim.quantization.rounding != "half-up" { problems.append("quantization.rounding must be \"half-up\" (the only rounding zkinfer proves)") }
        if claim.visibility.output != "public" { problems.append("visibility.output must be \"public\" (outputs are always public signals)") }
        let privateWeights = claim.visibility.weights == .private
        if claim.statement != statementText(privateWeights: privateWeights, input: inVis) {
            problems.append("statement is not the statement zkinfer writes for these visibility settings")
        }
        let counts = (input.shape.reduce(1, { $0 &* $1 }), output.shape.reduce(1, { $0 &* $1 }))
        let layout = PublicSignalLayout(privateWeights: privateWeights, input: inVis, inputCount: counts.0, outputCount: counts.1)
        if claim.publicSignalLayout != layout.names {
            problems.append("publicSignalLayout does not name the claim's public signals")
        }
        let header = try StatementHeader(claim: claim)
        let statementDigest = try CompiledModel.statementDigest(onnx: claim.model.onnxDigest, quantized: claim.model.quantizedDigest)
        // nil when the claim's parts do not fit its own layout (e.g. private weights without a commitment): already a
        // problem above, and then no signal list can match.
        let expected = try? CircuitLowering.publicSignals(layout, digest: statementDigest, header: header, weightsCommitment: commitment,
                                                          input: inVis == .public ? input.quantized : nil, inputHash: inputHash, output: output.quantized)
        let stated = try claim.publicSignals.enumerated().map { i, s -> Fr in
            guard let v = try? Fr(snarkjsDecimal: s) else { throw ModelError.invalidClaim("publicSignals[\(i)] is not a canonical decimal < r") }
            return v
        }
        if stated != expected { problems.append("publicSignals do not encode the stated model digest, header (shapes, scales, input bound, transform, visibility), input and output") }
        if stated.count != key.publicCount {
            problems.append("the key expects \(key.publicCount) public signals; the claim has \(stated.count)")
            return ClaimVerdict(valid: false, problems: problems, signer: claim.signature?.publicKey, signatureValid: try checkSignature(claim))
        }
        let proof = try proof(of: claim)
        let ok = (try? Groth16.verify(key, proof: proof, publicInputs: stated)) ?? false
        if !ok { problems.append("the Groth16 proof does not verify for these public signals") }
        let signed = try checkSignature(claim)
        if signed == false { problems.append("the host signature is invalid") }
        return ClaimVerdict(valid: problems.isEmpty, problems: problems, signer: claim.signature?.publicKey, signatureValid: signed)
    }
}

/// Optional checks of ``ClaimVerifier/verify(_:key:options:)``.
public struct ClaimCheckOptions: Sendable {
    /// Accept a key that offers no soundness (δ = γ, δ = 1, a point at infinity, a free public signal). Only for
    /// tests of other things: a claim under such a key can be forged by anyone.
    public var allowForgeableKey = false
    /// Require this weights commitment (`verify --weights-commitment`).
    public var weightsCommitment: Fr? = nil
    /// The ONNX file (`verify --model`, public weights): re-quantized with the claim's recorded settings, its
    /// digest and quantized digest must be the claim's.
    public var onnx: Data? = nil
    public init(allowForgeableKey: Bool = false, weightsCommitment: Fr? = nil, onnx: Data? = nil) {
        self.allowForgeableKey = allowForgeableKey
        self.weightsCommitment = weightsCommitment
        self.onnx = onnx
    }
}

/// `round(bound·2^scale)` computed exactly as the quantizer computes the input tensor's bound, for a power-of-two
/// `bound`; throws for a bound that is not one or a result beyond 2^60.
public func quantizedInputBound(_ bound: Double, scale: Int) throws -> Int {
    let e = ceilLog2(bound)
    guard bound.isFinite, bound > 0, Double(sign: .plus, exponent: e, significand: 1) == bound, (0...60).contains(scale) else {
        throw ModelError.invalidClaim("quantization.inputBound \(bound) is not a power of two")
    }
    let k = e + scale
    guard k < 60 else { throw ModelError.invalidClaim("quantization.inputBound·2^scale reaches 2^60") }
    return k >= 0 ? 1 << k : (k == -1 ? 1 : 0)  // 0.5 rounds away from zero, smaller powers to 0
}

extension Fr {
    /// `0x` and 64 lowercase hex digits (32-byte big-endian): how `verify` prints a weights commitment.
    public var hex: String { "0x" + hexString(bigEndianBytes) }

    /// Parses 64 hex digits (optionally `0x`-prefixed) as a canonical field element (< r), or nil.
    public init?(hex: String) {
        let body = hex.hasPrefix("0x") || hex.hasPrefix("0X") ? String(hex.dropFirst(2)) : hex
        guard body.utf8.count == 64, let b = hexBytes(body), let v = Fr(bigEndianBytes: b) else { return nil }
        self = v
    }
}

/// The zkinfer version written into claims and manifests.
public let zkinferVersion = "0.2.0"
