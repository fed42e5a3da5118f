// Shared helpers for the privacy tests (issue 6): fixtures from Circuits/, compile/prove/claim
// in one call, and small independent re-implementations of the documented commitment scheme.

import Foundation
import XCTest
import ZKAlgebra
import ZKConstraints
import ZKGroth16
import ZKModel
import ZKClaim
import ZKPoseidon

enum PrivacyFixtures {
    static let circuits = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Circuits")

    static func data(_ model: String, _ file: String) throws -> Data {
        try Data(contentsOf: circuits.appendingPathComponent(model).appendingPathComponent(file))
    }

    /// The first sample of `<model>/input.json`.
    static func input(_ model: String) throws -> [Double] { try InputFile.parse(data(model, "input.json"))[0] }

    /// The samples of `<model>/test_inputs.json`.
    static func testInputs(_ model: String) throws -> [[Double]] { try InputFile.parse(data(model, "test_inputs.json")) }

    /// Compiles `<model>/model.onnx` with its calibration samples.
    static func compile(_ model: String, _ visibility: Visibility, scaleBits: Int = 8) throws -> CompiledModel {
        let onnx = try data(model, "model.onnx")
        let graph = try ONNXImporter.load(onnx)
        let calibration = try InputFile.samples(InputFile.parse(data(model, "calibration.json")), size: graph.size(graph.input))
        let options = QuantizationOptions(scaleBits: scaleBits, calibration: calibration, visibility: visibility)
        return try CompiledModel.compile(onnx: onnx, options: options).0
    }
}

extension PrivacyFixtures {
    /// A proven claim and everything that produced it.
    struct ProvenClaim {
        var compiled: CompiledModel
        var circuit: ModelCircuit
        var provingKey: ProvingKey
        var proof: Proof
        var claim: Claim
        var input: [Double]
        var inputSalt: Fr
        var verificationKey: VerificationKey { provingKey.verificationKey }
        /// Seconds: witness (circuit build), setup, prove.
        var timings: (witness: Double, setup: Double, prove: Double)
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    /// Builds, checks, sets up, proves and wraps into a claim.
    static func proveClaim(_ name: String, _ compiled: CompiledModel, input: [Double], inputSalt: Fr = .zero) throws -> ProvenClaim {
        let clock = ContinuousClock()
        var t = clock.now
        let circuit = try compiled.circuit(for: input, inputSalt: inputSalt)
        try circuit.system.check(circuit.witness)
        let witnessTime = seconds(clock.now - t)
        t = clock.now
        let pk = try Groth16.setup(circuit.system)
        let setupTime = seconds(clock.now - t)
        t = clock.now
        let proof = try Groth16.prove(pk, witness: circuit.witness)
        let proveTime = seconds(clock.now - t)
        let claim = try ClaimVerifier.makeClaim(name: name, compiled: compiled, circuit: circuit, input: input, proof: proof,
                                                verificationKey: pk.verificationKey, inputSalt: inputSalt)
        return ProvenClaim(compiled: compiled, circuit: circuit, provingKey: pk, proof: proof, claim: claim, input: input,
                           inputSalt: inputSalt, timings: (witnessTime, setupTime, proveTime))
    }

    /// The private parameters of a model, in commitment order (per private node: weights, then
    /// biases), each with its signed bit width — as documented in CircuitLowering.
    static func privateParameters(_ m: QuantizedModel) -> [(value: Int, bits: Int)] {
        var out: [(Int, Int)] = []
        for n in m.nodes {
            guard let wb = n.weightBits, let bb = n.biasBits else { continue }
            switch n.op {
            case .dense(_, let w, let b, _, _), .conv(_, let w, let b, _, _):
                out += w.map { ($0, wb) }
                out += b.map { ($0, bb) }
            default: XCTFail("private bit widths on a \(n.op.kind) node")
            }
        }
        return out
    }

    /// The documented packing, re-implemented here: `u = v + 2^(bits−1)`, consecutive `u`s fill
    /// 248-bit words low bits first.
    static func packedWords(_ items: [(value: Int, bits: Int)]) -> [Fr] {
        var words: [Fr] = [], v = Fr.zero, used = 0, weight = Fr.one
        for (value, bits) in items {
            if used + bits > 248 { words.append(v); v = .zero; used = 0; weight = .one }
            v += (Fr(signed: Int64(value)) + Fr(2).power(UInt64(bits - 1))) * weight
            used += bits
            weight = weight * Fr(2).power(UInt64(bits))
        }
        if used > 0 { words.append(v) }
        return words
    }

    /// Rewrites the weights (`weights: true`) or biases of node `k` through `f`.
    static func modifyingParameters(_ m: QuantizedModel, node k: Int, weights: Bool, _ f: (inout [Int]) -> Void) -> QuantizedModel {
        var m = m
        switch m.nodes[k].op {
        case .dense(let i, var w, var b, let nIn, let nOut):
            if weights { f(&w) } else { f(&b) }
            m.nodes[k].op = .dense(input: i, weights: w, bias: b, inFeatures: nIn, outFeatures: nOut)
        case .conv(let i, var w, var b, let mOut, let g):
            if weights { f(&w) } else { f(&b) }
            m.nodes[k].op = .conv(input: i, weights: w, bias: b, outChannels: mOut, geometry: g)
        default: preconditionFailure("node \(k) has no parameters")
        }
        return m
    }

    /// Index of the first node with private weights, with its weights, biases and bit widths.
    static func firstPrivateNode(_ m: QuantizedModel) -> (index: Int, weights: [Int], bias: [Int], wb: Int, bb: Int)? {
        for (k, n) in m.nodes.enumerated() {
            guard let wb = n.weightBits, let bb = n.biasBits else { continue }
            switch n.op {
            case .dense(_, let w, let b, _, _), .conv(_, let w, let b, _, _): return (k, w, b, wb, bb)
            default: continue
            }
        }
        return nil
    }

    /// One parameter moved by one unit, staying inside its signed bit width.
    static func oneUnitChange(_ v: Int, bits: Int) -> Int { v + 1 < 1 << (bits - 1) ? v + 1 : v - 1 }

    /// The claim with output `k` moved by `delta`, every stated field kept consistent (values,
    /// argmax, public signal), so only the proof can catch it.
    static func claimWithOutput(_ claim: Claim, _ k: Int, delta: Int) -> Claim {
        var c = claim
        c.output.quantized[k] += delta
        c.output.values[k] = Double(c.output.quantized[k]) * Double(sign: .plus, exponent: -c.output.scale, significand: 1)
        var best = 0
        for i in c.output.quantized.indices where c.output.quantized[i] > c.output.quantized[best] { best = i }
        c.output.argmax = best
        if c.output.transform != .none { c.output.transformed = FloatInterpreter.applyTransform(c.output.transform, c.output.values) }
        let first = c.publicSignals.count - c.output.quantized.count
        c.publicSignals[first + k] = Fr(signed: Int64(c.output.quantized[k])).description
        return c
    }

    /// Every constraint the witness violates, as (index, label).
    static func unsatisfied(_ system: ConstraintSystem, _ witness: [Fr]) -> [(Int, String?)] {
        var bad: [(Int, String?)] = []
        for i in 0..<system.constraintCount {
            let c = system.constraint(i)
            if c.a.evaluate(witness) * c.b.evaluate(witness) != c.c.evaluate(witness) { bad.append((i, system.label(i))) }
        }
        return bad
    }

    /// The number of multiplications a layer with private weights needs: one per weight use
    /// (dense: in × out; conv: output channels × input channels × every kernel tap that lands inside
    /// the image, summed over the output positions — taps on zero padding cost nothing).
    static func weightUses(_ m: QuantizedModel) -> (inBounds: Int, fullWindows: Int) {
        var used = 0, full = 0
        for n in m.nodes where n.hasPrivateWeights {
            switch n.op {
            case .dense(_, _, _, let nIn, let nOut):
                used += nIn * nOut; full += nIn * nOut
            case .conv(_, _, _, let mOut, let g):
                var taps = 0
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        for ky in 0..<g.kernelH {
                            for kx in 0..<g.kernelW {
                                let y = oy * g.strideH + ky - g.padTop, x = ox * g.strideW + kx - g.padLeft
                                if y >= 0, y < g.height, x >= 0, x < g.width { taps += 1 }
                            }
                        }
                    }
                }
                used += mOut * g.channels * taps
                full += mOut * g.channels * g.outHeight * g.outWidth * g.kernelH * g.kernelW
            default: break
            }
        }
        return (used, full)
    }
}
