// A model compiled to a quantized graph and the digests that identify it: the host's full model or, for
// private weights, the weight-free public part that whoever runs setup receives.

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
    public static func compile(onnx: Data, options: QuantizationOptions, proveOutputTransform: Bool = false) throws -> (CompiledModel, FloatGraph) {
        let graph = try ONNXImporter.load(onnx, proveOutputTransform: proveOutputTransform)
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
