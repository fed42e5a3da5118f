// QuantizedModel → R1CS. One code path builds the constraints and solves the witness (the
// CircuitBuilder evaluates every expression in the field); the integer interpreter is a separate
// reference the result is compared against.
//
// Public signals, in order: the statement (1), the weights commitment (private weights), the
// quantized input (public) or its hash (hashed), the quantized output. Linear layers with public
// weights are linear expressions (no constraint); only rescales, ReLUs, max-pooling, clamps and
// argmax cost constraints, each sized by the tensor's proved bounds.
//
// Soundness of the interval bounds (a hostile prover picks every witness value):
// - Root: the input lies in [lo, hi] exactly. Hidden inputs and `--check-input-range` public inputs
//   are proven in range by `assertInRange` (exact, not a power-of-two superset); other public inputs
//   are checked as integers by the claim verifier (`ClaimVerifier.verify`, `range=verifier` in the
//   statement header). Private weights and biases are range-checked by `signedBits(wb)`, which is
//   exactly the interval `[−2^(wb−1), 2^(wb−1))` that `Bounds.of` assumes for them.
// - Induction: every op's output bounds are derived by interval arithmetic from its inputs' bounds
//   (`Bounds.of`), and every gadget below computes its op exactly whenever its constraints hold, so
//   every wire stays inside its tensor's [lo, hi]; all values stay below 2^60 ≪ r (no wrap-around).
// - What the bounds are used for, and why each is safe:
//   · rescale / fused ReLU / LeakyReLU / max / argmax: the decomposition width k comes from the
//     bounds, but the decomposition itself proves the result exactly for every value it accepts;
//     the bounds only guarantee that honest values are accepted (completeness).
//   · clamp: a side is dropped when the bounds say it cannot trigger — relies on the induction
//     above, hence on the exact input range check (and the verifier's check for public inputs).
//   · linear layers, add, pooling sums: exact field arithmetic; the bounds (< 2^60) rule out
//     wrap-around modulo r — again by the induction.
//   · nonlinear layers (Lowering/NonlinearLowering.swift): tables, Softmax, LayerNorm, √ and 1/x size their
//     decompositions and their witnesses' ranges (reciprocals, remainders, maxima) from the bounds, but every
//     identity they check is an integer identity below 2^253 with a unique solution (stated at each gadget), so the
//     bounds again only need to admit honest values. Softmax's own maximum is proven exactly (mx ≥ every x_j by
//     the unsigned decompositions, mx equal to one by Π(mx − x_j) = 0), and LayerNorm's D = Σc² + ε is at least ε ≥ 1.

import Foundation
import ZKAlgebra
import ZKCircuit
import ZKConstraints
import ZKPoseidon
import ZKSodium

/// Constraint cost of one ONNX layer.
public struct LayerCost: Codable, Equatable, Sendable {
    public var layer: String
    public var onnxOp: String
    /// zkinfer ops the layer lowered to, e.g. `dense, rescale+relu`.
    public var ops: [String]
    public var outputShape: [Int]
    public var constraints: Int
    /// Largest range check (bits) in the layer, 0 if none.
    public var maxRangeBits: Int
    /// Total decomposed bits in the layer.
    public var rangeBits: Int
    /// What the constraints go to, for layers that say more than their count (tree ensembles: trees, nodes, distinct
    /// comparisons, path products, constraints per tree and per node). nil otherwise.
    public var detail: String? = nil
}

/// The circuit of a model for one input.
public struct ModelCircuit {
    public var system: ConstraintSystem
    public var witness: [Fr]
    /// Public signals: digest, input, output (as field elements).
    public var publicSignals: [Fr]
    /// The circuit's output, read back from its public signals as signed integers.
    public var output: [Int]
    /// The proven label index of a classifier (``QuantizedModel/label``), or nil.
    public var label: Int? = nil
    public var layers: [LayerCost]
    /// Constraints outside layers (digest binding, output binding).
    public var bindingConstraints: Int
    /// Where the constraints go.
    public var costSplit: CostSplit
}

/// Constraints by kind: products with private weights, range checks (every bit decomposition:
/// rescales, ReLU signs, comparisons, private weights and inputs), Poseidon hashing, public-signal
/// binding, and the rest (ReLU/max/argmax selections).
public struct CostSplit: Codable, Equatable, Sendable {
    public var multiplications = 0
    public var rangeChecks = 0
    public var hashing = 0
    public var binding = 0
    public var other = 0
    public init() {}
}

public enum CircuitLowering {
    /// The statement before the weights: the first 31 bytes (big-endian, so < 2^248 < r) of
    /// BLAKE2b-256("zkinfer-statement-v1\0" ‖ statementDigest (32 raw bytes) ‖ header.text), where
    /// `statementDigest` = BLAKE2b(onnxDigest ‖ quantizedDigest) (``CompiledModel/statementDigest``). It binds
    /// the model and every claim field the verifier interprets (shapes, scales, input bound, output
    /// transform, visibility). Throws (never returns a default) when the digest is not canonical.
    public static func statementBase(statementDigest: String, header: StatementHeader) throws -> Fr {
        let bytes = try Sodium.blake2b(Array("zkinfer-statement-v1".utf8) + [0] + digestBytes(statementDigest, "model digest")
                                           + Array(header.text.utf8))
        guard bytes.count == 32, let v = Fr(bigEndianBytes: [0] + bytes.prefix(31)) else {
            throw ModelError.invalidClaim("cannot compute the statement signal")
        }
        return v
    }

    /// Public signal 0, the statement: ``statementBase(statementDigest:header:)`` for public weights; with private
    /// weights `Poseidon(base, weightsCommitment)` (circomlib Poseidon, 2 inputs), so the statement — like
    /// `modelDigest` — changes with the weights while the circuit (and so the key) stays the same for any
    /// weights of the same bit widths. The circuit fixes the base by a constant and recomputes the Poseidon
    /// hash from the commitment signal, so a claim that edits any bound field no longer matches the proof.
    public static func statementSignal(statementDigest: String, header: StatementHeader, weightsCommitment: Fr?) throws -> Fr {
        let base = try statementBase(statementDigest: statementDigest, header: header)
        guard let c = weightsCommitment else { return base }
        do { return try Poseidon.hash([base, c]) } catch { throw ModelError.invalidClaim("statement: \(error)") }
    }

    /// Builds the circuit for `input` (quantized, within bounds). `digest` is the statement digest
    /// (``CompiledModel/statementDigest``, hex) bound into the first public signal. With hashed input,
    /// `inputSalt` blinds the hash.
    ///
    /// `solveOutOfRangeInput` is for soundness tests only: it skips the input-range guard so that the
    /// witness of a hostile prover (an input outside the range, every other wire solved from it) can be
    /// built and shown to violate the circuit's range check.
    ///
    /// `constraintsOnly` builds the system without solving the witness (compile, setup): `witness` and `output` are
    /// then zeros, not values.
    public static func build(_ m: QuantizedModel, input: [Int], digest: String, inputSalt: Fr = .zero,
                             recordsLabels: Bool = false, solveOutOfRangeInput: Bool = false, constraintsOnly: Bool = false) throws -> ModelCircuit {
        guard input.count == m.inputTensor.count else {
            throw ModelError.invalidInput("expected \(m.inputTensor.count) input values, got \(input.count)")
        }
        for (i, x) in input.enumerated() where !solveOutOfRangeInput && (x < m.inputTensor.lo[i] || x > m.inputTensor.hi[i]) {
            throw ModelError.invalidInput("quantized input [\(i)] = \(x) outside [\(m.inputTensor.lo[i]), \(m.inputTensor.hi[i])]")
        }
        let b = CircuitBuilder(recordsLabels: recordsLabels, solvesWitness: !constraintsOnly)
        var split = CostSplit()
        var extraRows: [LayerCost] = []
        let privateWeights = m.visibility.weights == .private
        let base = try statementBase(statementDigest: digest, header: StatementHeader(model: m))
        let commitment = privateWeights ? try weightCommitment(m) : nil
        let statementVar = b.publicInput(try statementSignal(statementDigest: digest, header: StatementHeader(model: m), weightsCommitment: commitment),
                                         name: "statement")
        // Public commitments are declared right after the statement (their values are computed natively); the
        // weights commitment is bound to the weights at the end.
        var commitmentVar: Variable?
        if let commitment { commitmentVar = b.publicInput(commitment, name: "weights_commitment") }
        let statementBefore = b.constraintCount
        if let c = commitmentVar {
            // statement = Poseidon(base, commitment): one width-3 permutation (243 constraints).
            let h: LinearExpression
            do { h = try b.poseidonExpression([LinearExpression.constant(base), c.linearExpression]) } catch {
                throw ModelError.invalidCircuit("statement hash: \(error)")
            }
            b.assertEqual(statementVar, h, label: "statement (model digest, header and weights commitment)")
        } else {
            b.assertEqual(statementVar, LinearExpression.constant(base), label: "statement (model digest and header)")
        }
        split.binding += b.constraintCount - statementBefore
        var t = [[LinearExpression]](repeating: [], count: m.tensors.count)
        let inputFr = input.map { Fr(signed: Int64($0)) }
        var inputHashVar: Variable?
        switch m.visibility.input {
        case .public:
            t[0] = inputFr.enumerated().map { i, x in b.publicInput(x, name: "input[\(i)]").linearExpression }
            if m.checksInputRangeInCircuit {
                // Exact: the interval bounds of every later tensor (and the clamp sides they drop) assume it.
                let before = b.constraintCount
                var bitsUsed = 0, maxBits = 0
                for (i, e) in t[0].enumerated() {
                    let bits = b.assertInRange(e, lo: m.inputTensor.lo[i], hi: m.inputTensor.hi[i], label: "input range")
                    bitsUsed += bits; maxBits = max(maxBits, bits)
                }
                split.rangeChecks += b.constraintCount - before
                extraRows.append(LayerCost(layer: "(input range)", onnxOp: "", ops: ["range"], outputShape: m.inputTensor.shape,
                                           constraints: b.constraintCount - before, maxRangeBits: maxBits, rangeBits: bitsUsed))
            }
        case .private, .hashed:
            if m.visibility.input == .hashed { inputHashVar = b.publicInput(inputHash(inputFr, salt: inputSalt), name: "input_hash") }
            let before = b.constraintCount
            var bitsUsed = 0, maxBits = 0
            t[0] = inputFr.enumerated().map { i, x in
                let v = b.witness(x)
                // Exact: the interval bounds of every later tensor (and the clamp sides they drop) assume it.
                let bits = b.assertInRange(v, lo: m.inputTensor.lo[i], hi: m.inputTensor.hi[i], label: "input range")
                bitsUsed += bits; maxBits = max(maxBits, bits)
                return v.linearExpression
            }
            split.rangeChecks += b.constraintCount - before
            let hashBefore = b.constraintCount
            if let h = inputHashVar {
                let saltVar = b.witness(inputSalt)
                b.assertEqual(h, b.poseidonMany([saltVar.linearExpression] + t[0]), label: "input hash")
            }
            split.hashing += b.constraintCount - hashBefore
            extraRows.append(LayerCost(layer: "(input: \(m.visibility.input.rawValue))", onnxOp: "", ops: m.visibility.input == .hashed ? ["range", "poseidon"] : ["range"],
                                       outputShape: m.inputTensor.shape, constraints: b.constraintCount - before, maxRangeBits: maxBits, rangeBits: bitsUsed))
        }
        // Every op is lowered by its family's function (Lowering/, through `loweringTable`); the cost accounting
        // below wraps the call.
        let ctx = LoweringContext(b: b, m: m, t: t, split: split)
        var layers: [LayerCost] = []
        var layerIndex: [String: Int] = [:]
        for node in m.nodes {
            let before = b.constraintCount
            let out = m.tensors[node.output]
            ctx.bitsUsed = 0; ctx.maxBits = 0; ctx.detail = nil
            ctx.t[node.output] = try lowering(for: node.family)(ctx, node)
            let (bitsUsed, maxBits) = (ctx.bitsUsed, ctx.maxBits)
            let cost = b.constraintCount - before
            if let li = layerIndex[node.layer] {
                layers[li].constraints += cost
                layers[li].ops.append(node.op.kind)
                layers[li].outputShape = out.shape
                layers[li].rangeBits += bitsUsed
                layers[li].maxRangeBits = max(layers[li].maxRangeBits, maxBits)
                if let d = ctx.detail { layers[li].detail = d }
            } else {
                layerIndex[node.layer] = layers.count
                layers.append(LayerCost(layer: node.layer, onnxOp: node.onnxOp, ops: [node.op.kind], outputShape: out.shape,
                                        constraints: cost, maxRangeBits: maxBits, rangeBits: bitsUsed, detail: ctx.detail))
            }
        }
        t = ctx.t
        split = ctx.split
        let committed = ctx.committed
        // Private weights: bind them to the public commitment.
        if let c = commitmentVar {
            let before = b.constraintCount
            guard let salt = m.weightSalt.flatMap({ Fr(decimal: $0) }) else { throw ModelError.invalidCircuit("private weights without a valid salt") }
            let saltVar = b.witness(salt)
            b.assertEqual(c, b.poseidonMany([saltVar.linearExpression] + packWeights(committed).map(\.0)), label: "weights commitment")
            split.hashing += b.constraintCount - before
            extraRows.append(LayerCost(layer: "(weights commitment)", onnxOp: "", ops: ["poseidon"], outputShape: [1],
                                       constraints: b.constraintCount - before, maxRangeBits: 0, rangeBits: 0))
        }
        // Output: one public signal per element, bound by one constraint each.
        let before = b.constraintCount
        var output: [Int] = []
        for (k, e) in t[m.output].enumerated() {
            let v = b.value(of: e)
            guard let iv = v.signedInt else { throw ModelError.quantizationOverflow("output [\(k)] does not fit 64 bits") }
            output.append(iv)
            let p = b.publicInput(v, name: "output[\(k)]")
            b.assertEqual(p, e, label: "output[\(k)]")
        }
        // A classifier's label index (an argmax of the label's scores), bound like an output element.
        var labelValue: Int?
        if let l = m.label {
            guard l.tensor >= 1, l.tensor < t.count, t[l.tensor].count == 1 else { throw ModelError.invalidCircuit("label tensor \(l.tensor)") }
            let v = b.value(of: t[l.tensor][0])
            labelValue = v.signedInt ?? 0
            let p = b.publicInput(v, name: "label")
            b.assertEqual(p, t[l.tensor][0], label: "label")
        }
        // Binding: the statement (1 constraint, or its Poseidon hash with private weights) and one per output.
        let binding = b.constraintCount - before + split.binding
        split.binding = binding
        let (system, witness, publics) = b.build()
        // The signals were declared in the order PublicSignalLayout defines (statement, commitment, input or hash, output).
        guard publics.count == PublicSignalLayout(model: m).count else {
            throw ModelError.invalidCircuit("the circuit declares \(publics.count) public signals; the layout has \(PublicSignalLayout(model: m).count)")
        }
        split.other = system.constraintCount - split.multiplications - split.rangeChecks - split.hashing - split.binding
        return ModelCircuit(system: system, witness: witness, publicSignals: publics, output: output, label: labelValue, layers: extraRows + layers,
                            bindingConstraints: binding, costSplit: split)
    }

    /// Allocates a private layer's weights and biases as wires, range-checks each to its signed bit
    /// width (which makes the packing injective) and records them for the commitment.
    static func privateParameters(_ b: CircuitBuilder, _ node: QNode, _ w: [Int], _ bias: [Int],
                                  _ committed: inout [(LinearExpression, Int, Int)],
                                  _ note: (Int) -> Void) -> ([Variable], [Variable]) {
        let wb = node.weightBits ?? 1, bb = node.biasBits ?? 1
        let wv = w.map { v -> Variable in
            let x = b.witness(Fr(signed: Int64(v)))
            _ = b.signedBits(x, bits: wb)
            note(wb)
            committed.append((x.linearExpression, v, wb))
            return x
        }
        let bv = bias.map { v -> Variable in
            let x = b.witness(Fr(signed: Int64(v)))
            _ = b.signedBits(x, bits: bb)
            note(bb)
            committed.append((x.linearExpression, v, bb))
            return x
        }
        return (wv, bv)
    }

    /// Packs signed values of known widths into field elements: each `v` becomes `u = v + 2^(bits−1)`
    /// (in `[0, 2^bits)` once range-checked) and consecutive `u`s fill 248-bit words, low bits first.
    /// Injective on range-checked values (every word is `< 2^248 < r`). Returns (expression, value).
    static func packWeights(_ items: [(LinearExpression, Int, Int)]) -> [(LinearExpression, Fr)] {
        var out: [(LinearExpression, Fr)] = []
        var e = LinearExpression(), v = Fr.zero, used = 0, weight = Fr.one
        for (x, value, bits) in items {
            if used + bits > 248 {
                out.append((e, v)); e = LinearExpression(); v = .zero; used = 0; weight = .one
            }
            let offset = Fr(2).power(UInt64(bits - 1))
            e += (x + offset) * weight
            v += (Fr(signed: Int64(value)) + offset) * weight
            used += bits
            weight = weight * Fr(2).power(UInt64(bits))
        }
        if used > 0 { out.append((e, v)) }
        return out
    }

    /// The private weights (dense/conv weights and biases, in node order) with their bit widths.
    static func privateItems(_ m: QuantizedModel) -> [(LinearExpression, Int, Int)] {
        var items: [(LinearExpression, Int, Int)] = []
        for n in m.nodes {
            guard let wb = n.weightBits, let bb = n.biasBits else { continue }
            switch n.op {
            case .dense(_, let w, let bias, _, _), .conv(_, let w, let bias, _, _):
                items += w.map { (LinearExpression(), $0, wb) }
                items += bias.map { (LinearExpression(), $0, bb) }
            default: break
            }
        }
        return items
    }

    /// The public commitment to a model's private weights:
    /// `Poseidon.hashMany([salt] ++ packed words)` (see `packWeights`).
    public static func weightCommitment(_ m: QuantizedModel) throws -> Fr {
        guard let saltText = m.weightSalt, let salt = Fr(decimal: saltText) else {
            throw ModelError.invalidCircuit("private weights without a valid salt")
        }
        return Poseidon.hashMany([salt] + packWeights(privateItems(m)).map(\.1))
    }

    /// The public hash of a hidden input: `Poseidon.hashMany([salt] ++ input)`.
    public static func inputHash(_ input: [Fr], salt: Fr) -> Fr {
        Poseidon.hashMany([salt] + input)
    }

    /// The public signals of a claim, in the order of `layout` (``PublicSignalLayout``), with the statement computed
    /// from the statement digest, the header and the commitment. Throws when the parts do not fit the layout.
    public static func publicSignals(_ layout: PublicSignalLayout, digest: String, header: StatementHeader, weightsCommitment: Fr?,
                                     input: [Int]?, inputHash: Fr?, output: [Int], label: Int? = nil) throws -> [Fr] {
        try layout.values(statement: try statementSignal(statementDigest: digest, header: header, weightsCommitment: weightsCommitment),
                          weightsCommitment: weightsCommitment, input: input, inputHash: inputHash, output: output, label: label)
    }

    /// ``publicSignals(_:digest:header:weightsCommitment:input:inputHash:output:)`` with the layout the given parts imply.
    public static func publicSignals(digest: String, header: StatementHeader, weightsCommitment: Fr?, input: [Int]?, inputHash: Fr?,
                                     output: [Int]) throws -> [Fr] {
        let layout = PublicSignalLayout(privateWeights: weightsCommitment != nil, input: input != nil ? .public : (inputHash != nil ? .hashed : .private),
                                        inputCount: input?.count ?? 0, outputCount: output.count)
        return try publicSignals(layout, digest: digest, header: header, weightsCommitment: weightsCommitment, input: input, inputHash: inputHash, output: output)
    }
}

/// The parts of a statement a claim states in its own fields, in one canonical text:
/// `input=<shape>@<scale>;bound=2^<e>;output=<shape>@<scale>;transform=<t>;visibility=<input>,<weights>;range=<circuit|verifier>`
/// e.g. `input=1x64@8;bound=2^0;output=1x10@13;transform=softmax;visibility=public,public;range=verifier`
/// (`range`: where the input's range is checked — in the circuit, or by the claim verifier). A classifier with a label
/// output appends `;labels=<class>,<class>,…` (each name with `%`, `,`, `;` percent-encoded).
public struct StatementHeader: Equatable, Sendable {
    public var text: String

    public init(inputShape: [Int], inputScale: Int, inputBoundLog2: Int, outputShape: [Int], outputScale: Int,
                transform: OutputTransform, input: InputVisibility, weights: WeightVisibility, inputRangeInCircuit: Bool, labels: [String]? = nil) {
        func shape(_ s: [Int]) -> String { s.map(String.init).joined(separator: "x") }
        text = "input=\(shape(inputShape))@\(inputScale);bound=2^\(inputBoundLog2);output=\(shape(outputShape))@\(outputScale);"
            + "transform=\(transform.rawValue);visibility=\(input.rawValue),\(weights.rawValue);range=\(inputRangeInCircuit ? "circuit" : "verifier")"
        if let labels { text += ";labels=" + labels.map(StatementHeader.escapeLabel).joined(separator: ",") }
    }

    /// A class name in the header: `%`, `,` and `;` percent-encoded, so the list is unambiguous.
    static func escapeLabel(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: ",", with: "%2C").replacingOccurrences(of: ";", with: "%3B")
    }

    public init(model m: QuantizedModel) {
        self.init(inputShape: m.inputTensor.shape, inputScale: m.inputTensor.scale, inputBoundLog2: ceilLog2(m.inputBound),
                  outputShape: m.outputTensor.shape, outputScale: m.outputTensor.scale, transform: m.outputTransform,
                  input: m.visibility.input, weights: m.visibility.weights, inputRangeInCircuit: m.checksInputRangeInCircuit,
                  labels: m.label?.classes)
    }

}
