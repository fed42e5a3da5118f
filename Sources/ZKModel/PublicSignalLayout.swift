// The public signals of a model's circuit: one type owns their order, their names in claims and their values, so
// the lowering, `makeClaim` and the verifier cannot disagree.

import ZKAlgebra

/// Public signals, in circuit order: the statement (1); the weights commitment (private weights); the input (public:
/// one signal per element) or its Poseidon hash (hashed) or nothing (private); the output (one per element).
public struct PublicSignalLayout: Equatable, Sendable {
    public var privateWeights: Bool
    public var input: InputVisibility
    public var inputCount: Int
    public var outputCount: Int
    /// A classifier's label index follows the output (one signal).
    public var label: Bool

    public init(privateWeights: Bool, input: InputVisibility, inputCount: Int, outputCount: Int, label: Bool = false) {
        self.privateWeights = privateWeights
        self.input = input
        self.inputCount = inputCount
        self.outputCount = outputCount
        self.label = label
    }

    public init(model m: QuantizedModel) {
        self.init(privateWeights: m.visibility.weights == .private, input: m.visibility.input,
                  inputCount: m.inputTensor.count, outputCount: m.outputTensor.count, label: m.label != nil)
    }

    /// What a claim's `publicSignalLayout` says: `statement`, `weights_commitment`, `input[n]` | `input_hash`, `output[m]`.
    public var names: [String] {
        var out = ["statement"]
        if privateWeights { out.append("weights_commitment") }
        switch input {
        case .public: out.append("input[\(inputCount)]")
        case .hashed: out.append("input_hash")
        case .private: break
        }
        out.append("output[\(outputCount)]")
        if label { out.append("label") }
        return out
    }

    /// Signals before the input (statement, and the commitment with private weights).
    public var inputStart: Int { privateWeights ? 2 : 1 }
    /// Signals the input takes: its elements (public), one hash (hashed) or none (private).
    public var inputSignalCount: Int {
        switch input {
        case .public: return inputCount
        case .hashed: return 1
        case .private: return 0
        }
    }
    public var outputStart: Int { inputStart + inputSignalCount }
    public var count: Int { outputStart + outputCount + (label ? 1 : 0) }

    /// The signals' values in order. Throws unless exactly the parts this layout has are given, with its sizes.
    public func values(statement: Fr, weightsCommitment: Fr?, input values: [Int]?, inputHash: Fr?, output: [Int], label labelIndex: Int? = nil) throws -> [Fr] {
        guard (weightsCommitment != nil) == privateWeights, (labelIndex != nil) == label, (values != nil) == (input == .public), (inputHash != nil) == (input == .hashed),
              values.map({ $0.count == inputCount }) ?? true, output.count == outputCount else {
            throw ModelError.invalidClaim("the public signals do not fit the layout \(names)")
        }
        var s = [statement]
        if let c = weightsCommitment { s.append(c) }
        if let values { s += values.map { Fr(signed: Int64($0)) } }
        if let h = inputHash { s.append(h) }
        return s + output.map { Fr(signed: Int64($0)) } + (labelIndex.map { [Fr(signed: Int64($0))] } ?? [])
    }
}
