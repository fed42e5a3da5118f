// Re-deriving a claim's model from its ONNX file: `verify --model` (public weights: anyone holding the file) and
// `audit` (private weights: someone the host later gives its compile directory, e.g. under an NDA). Neither trusts
// what circuit.json declares about itself: the quantized graph is rebuilt from the ONNX file with the settings the
// claim records (scale bits, per-tensor scales, input bound, visibility, range mode) and its digests compared.

import Foundation
import ZKModel
import ZKAlgebra

/// The outcome of re-deriving a claim's model: the compiled model, or why the file does not give one.
public enum RederivedModel {
    case model(CompiledModel)
    case mismatch(String)
}

extension ClaimVerifier {
    /// Re-quantizes `onnx` with the settings `claim` records (and, for private weights, the host's `weightSalt`).
    /// Throws for a malformed ONNX file; a well-formed file that cannot give the claim's graph is a `.mismatch`.
    public static func rederive(_ claim: Claim, onnx: Data, weightSalt: Fr? = nil) throws -> RederivedModel {
        guard let recorded = claim.quantization.recorded else {
            return .mismatch("the claim does not record its tensor scales (quantization.tensorScales), so its model cannot be re-derived")
        }
        // A claim without an output transform over a file that ends in Softmax/Sigmoid was compiled with
        // --prove-output-transform (without it the transform would be stated); with no such final op it changes nothing.
        let graph = try ONNXImporter.load(onnx, proveOutputTransform: claim.output.transform == .none)
        var o = QuantizationOptions(scaleBits: claim.quantization.scaleBits,
                                    visibility: Visibility(input: claim.visibility.input, weights: claim.visibility.weights))
        o.recorded = recorded
        o.checkInputRange = claim.visibility.input == .public && claim.quantization.inputRangeInCircuit == true
        o.weightSalt = weightSalt
        o.calibrationDigest = claim.quantization.calibrationDigest
        do {
            let q = try Quantizer.quantize(graph, options: o, onnxDigest: try blake2bHex([UInt8](onnx)))
            return .model(try CompiledModel(model: q))
        } catch let e as ModelError {
            return .mismatch("the ONNX file cannot be quantized with the claim's recorded settings (\(e.description))")
        }
    }

    /// `verify --model`: the problems (empty: none) of a public-weights claim against the ONNX file it names —
    /// `onnxDigest` must be the file's BLAKE2b-256 and `quantizedDigest` (hence `modelDigest`) the digest of the graph
    /// re-derived from the file with the claim's recorded quantization. Throws for a malformed ONNX file.
    public static func modelFileProblems(_ claim: Claim, onnx: Data) throws -> [String] {
        guard claim.visibility.weights == .public else {
            return ["--model re-derives public-weights models only; for private weights use `zkinfer audit` with the host's directory"]
        }
        var problems: [String] = []
        if claim.model.onnxDigest != (try blake2bHex([UInt8](onnx))) {
            problems.append("model.onnxDigest is not the BLAKE2b-256 of the given ONNX file")
        }
        switch try rederive(claim, onnx: onnx) {
        case .mismatch(let why): problems.append(why)
        case .model(let c):
            if c.quantizedDigest != claim.model.quantizedDigest {
                problems.append("model.quantizedDigest is not the digest of the graph re-derived from the given ONNX file with the claim's quantization")
            }
        }
        return problems
    }

    /// `audit`: the mismatches between `claim` and the model in a host's compile directory (empty: the claim is about
    /// this model). The model is re-derived from `onnx` (the directory's model.onnx) with the claim's recorded
    /// settings and the directory's salt — circuit.json supplies only the salt — and then
    /// - the ONNX identity (the file's digest, or with private weights its salted commitment),
    /// - the quantized-graph digest, the model digest and, with private weights, the Poseidon weight commitment
    ///   recomputed from the re-derived weights and the salt,
    /// are compared with the claim; circuit.json is also compared with the re-derived graph. Throws for a malformed
    /// ONNX file. It does not check the proof: ``verify(_:key:options:)`` does that.
    public static func auditProblems(_ claim: Claim, compiled: CompiledModel, onnx: Data) throws -> [String] {
        let m = compiled.model
        if claim.visibility != m.visibility { return ["visibility differs from this model's"] }
        var salt: Fr? = nil
        if m.visibility.weights == .private {
            guard let s = m.weightSalt.flatMap({ Fr(decimal: $0) }) else { return ["circuit.json: private weights without a valid salt"] }
            salt = s
        }
        var problems: [String] = []
        let circuitMismatch = "circuit.json was not compiled from this ONNX file"
        // The ONNX identity needs only the file and the salt.
        let fileDigest = try blake2bHex([UInt8](onnx))
        let expectedONNX = try salt.map { try QuantizedModel.onnxCommitment(fileDigest: fileDigest, salt: $0) } ?? fileDigest
        if m.onnxDigest != expectedONNX { problems.append(circuitMismatch) }
        if claim.model.onnxDigest != expectedONNX {
            problems.append(salt != nil ? "model.onnxDigest does not open to this ONNX file with this salt"
                                        : "model.onnxDigest is not the BLAKE2b-256 of this ONNX file")
        }
        // The graph and the weights: re-derived from the file, never read from circuit.json.
        let derived: CompiledModel
        switch try rederive(claim, onnx: onnx, weightSalt: salt) {
        case .mismatch(let why): return problems + [why]
        case .model(let c): derived = c
        }
        if !problems.contains(circuitMismatch),
           compiled.quantizedDigest != derived.quantizedDigest || compiled.weightsCommitment != derived.weightsCommitment {
            problems.append(circuitMismatch)
        }
        if claim.model.quantizedDigest != derived.quantizedDigest { problems.append("model.quantizedDigest is not this quantized graph's") }
        if claim.model.weightsCommitment != derived.weightsCommitment?.description {
            problems.append(derived.weightsCommitment == nil
                ? "the claim has a weights commitment, but this model's weights are public"
                : "model.weightsCommitment does not open to these weights with this salt")
        }
        if claim.model.modelDigest != derived.modelDigest { problems.append("model.modelDigest is not this model's") }
        return problems
    }
}
