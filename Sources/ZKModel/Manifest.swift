// manifest.json of a compiled directory, and the per-layer cost report.

import Foundation

/// `DIR/manifest.json`, written by `zkinfer compile` (and completed by `zkinfer setup`).
public struct ModelManifest: Codable, Equatable, Sendable {
    public var zkinfer: String
    public var name: String
    public var onnxDigest: String
    public var quantizedDigest: String
    public var modelDigest: String
    public var circuitDigest: String
    public var constraints: Int
    public var wires: Int
    public var publicSignals: Int
    public var inputShape: [Int]
    public var outputShape: [Int]
    public var inputScale: Int
    public var outputScale: Int
    public var scaleBits: Int
    public var inputBound: Double
    public var calibrated: Bool
    public var outputTransform: OutputTransform
    public var layers: [LayerCost]
    /// Constraints outside layers: the model-digest binding and one per output signal.
    public var bindingConstraints: Int
    /// Set by `zkinfer setup`.
    public var verificationKeyDigest: String?
    public var visibility: Visibility
    /// Private weights: the Poseidon commitment (decimal), public signal 1.
    public var weightsCommitment: String?
    /// Constraints by kind (multiplications, range checks, hashing, binding, other).
    public var costSplit: CostSplit

    public init(name: String, compiled: CompiledModel, circuit: ModelCircuit) throws {
        let m = compiled.model
        zkinfer = zkinferVersion
        self.name = name
        onnxDigest = m.onnxDigest
        quantizedDigest = compiled.quantizedDigest
        modelDigest = compiled.modelDigest
        circuitDigest = try ZKModel.circuitDigest(circuit.system)
        constraints = circuit.system.constraintCount
        wires = circuit.system.wireCount
        publicSignals = circuit.system.publicCount
        inputShape = m.inputTensor.shape
        outputShape = m.outputTensor.shape
        inputScale = m.inputTensor.scale
        outputScale = m.outputTensor.scale
        scaleBits = m.scaleBits
        inputBound = m.inputBound
        calibrated = m.calibrated
        outputTransform = m.outputTransform
        layers = circuit.layers
        bindingConstraints = circuit.bindingConstraints
        visibility = m.visibility
        weightsCommitment = compiled.weightsCommitment?.description
        costSplit = circuit.costSplit
    }

    public func encoded() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try enc.encode(self)
    }

    public static func decode(_ data: Data) throws -> ModelManifest {
        do { return try JSONDecoder().decode(ModelManifest.self, from: data) } catch {
            throw ModelError.invalidCircuit("manifest.json: \(error)")
        }
    }

    /// The per-layer table: layer, op, output shape, constraints, range-check bits, share.
    public func costTable() -> String {
        var rows: [[String]] = [["layer", "onnx op", "lowered to", "output shape", "constraints", "max bits", "share"]]
        let total = max(1, constraints)
        for l in layers {
            rows.append([l.layer, l.onnxOp, Array(NSOrderedSet(array: l.ops)).map { "\($0)" }.joined(separator: ","),
                         l.outputShape.map(String.init).joined(separator: "×"), String(l.constraints),
                         l.maxRangeBits == 0 ? "-" : String(l.maxRangeBits),
                         String(format: "%.1f%%", 100 * Double(l.constraints) / Double(total))])
        }
        rows.append(["(statement + outputs)", "", "binding", "", String(bindingConstraints), "-",
                     String(format: "%.1f%%", 100 * Double(bindingConstraints) / Double(total))])
        rows.append(["total", "", "", "", String(constraints), "", "100%"])
        let c = costSplit
        func pct(_ x: Int) -> String { String(format: "%.1f%%", 100 * Double(x) / Double(total)) }
        let splitLine = "by kind: multiplications \(c.multiplications) (\(pct(c.multiplications))), range checks \(c.rangeChecks) (\(pct(c.rangeChecks))), hashing \(c.hashing) (\(pct(c.hashing))), binding \(c.binding), other \(c.other) (\(pct(c.other)))"
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { r in
            r.enumerated().map { c, s in c >= 4 ? String(repeating: " ", count: widths[c] - s.count) + s : s + String(repeating: " ", count: widths[c] - s.count) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n" + splitLine + layers.compactMap { l in l.detail.map { "\n\(l.layer): \($0)" } }.joined()
    }
}

import ZKConstraints
import ZKFormats

extension R1CSFile {
    /// The iden3 `.r1cs` form of a constraint system (all public signals as public inputs, no
    /// private inputs declared, identity wire map), for snarkjs and other circom tooling.
    public init(_ s: ConstraintSystem) {
        var constraints: [R1CSConstraint] = []
        constraints.reserveCapacity(s.constraintCount)
        for i in 0..<s.constraintCount {
            func side(_ k: ConstraintSide) -> [R1CSTerm] { s.terms(i, k).map { R1CSTerm(wire: $0.wire, coefficient: $0.coefficient) } }
            constraints.append(R1CSConstraint(a: side(.a), b: side(.b), c: side(.c)))
        }
        self.init(nWires: s.wireCount, nPubOut: 0, nPubIn: s.publicCount, nPrvIn: 0, nLabels: UInt64(s.wireCount),
                  constraints: constraints, wireToLabel: (0..<UInt64(s.wireCount)).map { $0 })
    }
}
