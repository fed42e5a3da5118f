// claim.json: "this output came from this model on this input" — its types and the digests it names.

import Foundation
import ZKModel
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
    /// A classifier's predicted label (its second graph output), proven as its own public signal. nil for other models.
    public var label: ClaimLabel? = nil
}

/// The predicted label of a classifier: `value = classes[index]`; `index` is a public signal (the argmax of the
/// classifier's scores, computed in the circuit) and `classes` is part of the statement header.
public struct ClaimLabel: Codable, Equatable, Sendable {
    public var index: Int
    public var value: String
    public var classes: [String]
    public init(index: Int, value: String, classes: [String]) { self.index = index; self.value = value; self.classes = classes }
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
    /// The phase-2 ceremony that produced the key, when it came from one (`zkinfer setup --zkey`);
    /// absent for a single-party setup. Bound to the proof through the verification key (δ is the
    /// chain's product), which `zkinfer verify --zkey` checks.
    public var ceremony: ClaimCeremony? = nil
}

/// A claim's record of its key's ceremony (snarkjs phase 2).
public struct ClaimCeremony: Codable, Equatable, Sendable {
    /// snarkjs's circuit hash of the initial key (128 hex digits).
    public var circuitHash: String
    /// In chain order.
    public var contributions: [ClaimContribution]
    /// The `.ptau` the initial key was built from, when setup was given it.
    public var ptau: ClaimPtau?

    public init(circuitHash: String, contributions: [ClaimContribution], ptau: ClaimPtau?) {
        self.circuitHash = circuitHash; self.contributions = contributions; self.ptau = ptau
    }
}

/// One phase-2 contribution as snarkjs identifies it.
public struct ClaimContribution: Codable, Equatable, Sendable {
    public var index: Int
    public var name: String?
    /// snarkjs's contribution hash (128 hex digits).
    public var hash: String
    public var beaconHash: String?
    public var iterationsExp: Int?

    public init(index: Int, name: String?, hash: String, beaconHash: String?, iterationsExp: Int?) {
        self.index = index; self.name = name; self.hash = hash; self.beaconHash = beaconHash; self.iterationsExp = iterationsExp
    }
}

/// The phase-1 file behind a ceremony.
public struct ClaimPtau: Codable, Equatable, Sendable {
    public var power: Int
    public var ceremonyPower: Int
    public var contributions: Int
    /// The file's last challenge hash (128 hex digits): identifies the phase-1 transcript.
    public var lastChallenge: String

    public init(power: Int, ceremonyPower: Int, contributions: Int, lastChallenge: String) {
        self.power = power; self.ceremonyPower = ceremonyPower; self.contributions = contributions; self.lastChallenge = lastChallenge
    }
}



extension StatementHeader {
    /// The header a claim states; throws when its input bound is not a power of two.
    public init(claim c: Claim) throws {
        let b = c.quantization.inputBound
        let e = ceilLog2(b)
        guard b.isFinite, b > 0, Double(sign: .plus, exponent: e, significand: 1) == b else {
            throw ModelError.invalidClaim("quantization.inputBound \(b) is not a power of two")
        }
        self.init(inputShape: c.input.shape, inputScale: c.input.scale, inputBoundLog2: e, outputShape: c.output.shape,
                  outputScale: c.output.scale, transform: c.output.transform, input: c.visibility.input, weights: c.visibility.weights,
                  inputRangeInCircuit: c.quantization.inputRangeInCircuit ?? (c.visibility.input != .public), labels: c.output.label?.classes)
    }
}
