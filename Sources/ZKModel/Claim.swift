// claim.json: "this output came from this model on this input" — its types and the digests it names.

import Foundation
import ZKAlgebra
import ZKConstraints
import ZKFormats
import ZKGroth16
import ZKSodium

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

/// The zkinfer version written into claims and manifests.
public let zkinferVersion = "0.2.0"
