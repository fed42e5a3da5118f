// Issue 14: the nonlinear gadgets one by one — exact integer semantics (circuit = interpreter bit for bit, exhaustively
// over small input ranges), soundness (a wrong output with every auxiliary wire re-solved fails), error bounds against
// the real function over the whole input range, and constraints per element at 8 fractional bits.

import Foundation
import XCTest
import ZKAlgebra
import ZKConstraints
import ZKModel

/// A one-op quantized model built through circuit.json's own decoder (so it is validated like a host's file).
func singleOpModel(_ op: QOp, inputShape: [Int], inputScale: Int, inputLo: [Int], inputHi: [Int], outputScale: Int,
                   outputLo: [Int], outputHi: [Int]) throws -> QuantizedModel {
    func tensor(_ name: String, _ scale: Int, _ lo: [Int], _ hi: [Int]) -> [String: Any] {
        ["name": name, "shape": inputShape, "scale": scale, "lo": lo, "hi": hi]
    }
    let opJSON = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(op))
    let bound = 1 << 20
    let model: [String: Any] = [
        "formatVersion": QuantizedModel.formatVersion, "tensors": [tensor("x", inputScale, inputLo, inputHi), tensor("y", outputScale, outputLo, outputHi)],
        "nodes": [["op": opJSON, "output": 1, "layer": "op", "onnxOp": "test"]], "output": 1, "outputTransform": "none", "scaleBits": 8,
        "inputBound": Double(bound), "calibrated": true, "visibility": ["input": "public", "weights": "public", "output": "public"],
        "onnxDigest": String(repeating: "ab", count: 32),
    ]
    let m = try JSONDecoder().decode(QuantizedModel.self, from: try JSONSerialization.data(withJSONObject: model))
    try m.validate()
    return m
}

let testDigest = String(repeating: "cd", count: 32)

/// Forgery attempts on a satisfied circuit: every private wire that no product constraint defines (bits, zero-test
/// hints, witnessed maxima, reciprocals, remainders) is moved by ±1, every product wire after it is re-solved in
/// constraint order, and the public outputs are re-solved to the new output expressions. Returns how many attempts
/// changed the output and still satisfied the system (a sound gadget gives 0) and how many attempts were made.
func forgeries(_ c: ModelCircuit) -> (accepted: Int, attempts: Int) {
    let sys = c.system
    var definedBy: [Int: Int] = [:]  // product wire → its constraint
    var outputConstraints: [Int] = []
    for i in 0..<sys.constraintCount {
        if let l = sys.label(i), l.hasPrefix("output[") { outputConstraints.append(i); continue }
        let cTerms = sys.terms(i, .c)
        if cTerms.count == 1, cTerms[0].coefficient == .one, cTerms[0].wire > sys.publicCount { definedBy[cTerms[0].wire] = i }
    }
    func eval(_ terms: [ZKConstraints.Term], _ w: [Fr]) -> Fr { terms.reduce(Fr.zero) { $0 + $1.coefficient * w[$1.wire] } }
    func outputs(_ w: [Fr]) -> [Fr] { outputConstraints.map { i in w[sys.terms(i, .a).map(\.wire).filter { $0 >= 1 && $0 <= sys.publicCount }.min() ?? 0] } }
    let honest = outputs(c.witness)
    var accepted = 0, attempts = 0
    for wire in (sys.publicCount + 1)..<sys.wireCount where definedBy[wire] == nil {
        for delta in [Fr.one, -Fr.one] {
            var w = c.witness
            w[wire] += delta
            for i in 0..<sys.constraintCount {
                let cTerms = sys.terms(i, .c)
                if cTerms.count == 1, definedBy[cTerms[0].wire] == i { w[cTerms[0].wire] = eval(sys.terms(i, .a), w) * eval(sys.terms(i, .b), w) }
            }
            for i in outputConstraints {
                // (p − e)·1 = 0: set the public wire p so that it holds.
                let a = sys.terms(i, .a)
                guard let p = a.filter({ $0.wire >= 1 && $0.wire <= sys.publicCount }).min(by: { $0.wire < $1.wire }) else { continue }
                let rest = eval(a, w) - p.coefficient * w[p.wire]
                w[p.wire] = (Fr.zero - rest) * (p.coefficient.inverse() ?? Fr.zero)
            }
            attempts += 1
            if outputs(w) != honest && sys.isSatisfied(by: w) { accepted += 1 }
        }
    }
    return (accepted, attempts)
}

final class NonlinearGadgetTests: XCTestCase {
    /// The functions of the README's error/cost table.
    nonisolated(unsafe) static let functions: [(String, (Double) -> Double)] = [
        ("Sigmoid", { 1 / (1 + exp(-$0)) }), ("Tanh", { tanh($0) }), ("Erf", { erf($0) }),
        ("GELU", { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }), ("SiLU", { $0 / (1 + exp(-$0)) }),
        ("Softplus", { $0 > 30 ? $0 : log1p(exp($0)) }), ("HardSwish", { $0 * min(max($0 / 6 + 0.5, 0), 1) }),
        ("Mish", { $0 * tanh(log1p(exp($0))) }), ("Elu", { $0 >= 0 ? $0 : exp($0) - 1 }),
    ]

    func tableModel(_ table: PiecewiseTable, inputScale: Int, knotScale: Int, lo: Int, hi: Int, count: Int = 1) throws -> QuantizedModel {
        let (a, b) = table.range(lo: lo, hi: hi)
        return try singleOpModel(.tabulated(input: 0, table: table), inputShape: [1, count], inputScale: inputScale,
                                 inputLo: Array(repeating: lo, count: count), inputHi: Array(repeating: hi, count: count),
                                 outputScale: knotScale + table.stepBits, outputLo: Array(repeating: a, count: count), outputHi: Array(repeating: b, count: count))
    }

    /// Every input of a small range: the circuit's output is the interpreter's, and no single-wire forgery with the
    /// products re-solved yields another output.
    func testTablesAreExactAndSoundExhaustively() throws {
        for (name, f) in Self.functions + [("Exp", { exp($0) }), ("Reciprocal", { 1 / $0 })] {
            let (lo, hi) = name == "Reciprocal" ? (4, 70) : (-70, 70)  // scale 4: x ∈ [−4.4, 4.4] (1/x: [0.25, 4.4])
            let table = try PiecewiseTable.make(f, inputScale: 4, lo: lo, hi: hi, knotScale: 6)
            let m = try tableModel(table, inputScale: 4, knotScale: 6, lo: lo, hi: hi)
            var attempts = 0
            for x in lo...hi {
                let c = try CircuitLowering.build(m, input: [x], digest: testDigest, recordsLabels: true)
                XCTAssertEqual(c.output, [table.apply(x)], "\(name) x = \(x)")
                XCTAssertEqual(c.output, try IntegerInterpreter.run(m, input: [x]), "\(name) x = \(x)")
                XCTAssertTrue(c.system.isSatisfied(by: c.witness))
                let (accepted, n) = forgeries(c)
                XCTAssertEqual(accepted, 0, "\(name) x = \(x): a forged output satisfied the circuit")
                attempts += n
            }
            XCTAssertGreaterThan(attempts, 10 * (hi - lo + 1), name)
        }
    }

    /// At 8 fractional bits over |x| < 16 (inputs at scale 8, knots at scale 12): the measured error against the real
    /// function at every input, and the constraints per element, are within the README's table.
    func testTableErrorAndCostAt8FractionalBits() throws {
        let (lo, hi) = (-4095, 4095)
        var report: [String] = []
        for (name, f) in Self.functions {
            let table = try PiecewiseTable.make(f, inputScale: 8, lo: lo, hi: hi, knotScale: 12)
            var worst = 0.0
            let sy = Double(sign: .plus, exponent: 12 + table.stepBits, significand: 1)
            for x in lo...hi { worst = max(worst, abs(Double(table.apply(x)) / sy - f(Double(x) / 256))) }
            XCTAssertLessThanOrEqual(worst, 1.0 / 256, "\(name): table error \(worst) above one unit at 8 fractional bits")
            let m = try tableModel(table, inputScale: 8, knotScale: 12, lo: lo, hi: hi, count: 4)
            let c = try CircuitLowering.build(m, input: [lo, -1, 0, hi], digest: testDigest)
            let layer = try XCTUnwrap(c.layers.first { $0.layer == "op" })
            let perElement = layer.constraints / 4
            XCTAssertLessThanOrEqual(perElement, 60, name)
            XCTAssertEqual(c.output, [lo, -1, 0, hi].map(table.apply))
            report.append("\(name): core [\(table.offset >> table.shift)/2^\(8 - table.shift), +2^\(table.coreBits)), \(1 << table.segmentBits) segments, max error \(String(format: "%.5f", worst)), \(perElement) constraints/element")
        }
        print("table costs at 8 fractional bits:\n" + report.joined(separator: "\n"))
    }

    /// A table's tails: far outside the core, the constant (Sigmoid) or identity (GELU) tail stays within a unit.
    func testTailsHoldOverTheWholeInputRange() throws {
        let lo = -(1 << 30), hi = 1 << 30  // |x| < 2^22 at scale 8
        for (name, f) in [("Sigmoid", Self.functions[0].1), ("GELU", Self.functions[3].1)] {
            let table = try PiecewiseTable.make(f, inputScale: 8, lo: lo, hi: hi, knotScale: 12)
            let sy = Double(sign: .plus, exponent: 12 + table.stepBits, significand: 1)
            for x in [lo, lo / 3, -70_000, -5000, 5000, 70_000, hi / 3, hi] {
                let y = f(Double(x) / 256)
                XCTAssertEqual(Double(table.apply(x)) / sy, y, accuracy: 1.0 / 256 + 1e-9 * abs(y), "\(name) x = \(x)")
            }
        }
        // A function with no constant or identity tail over the range is refused, not approximated.
        XCTAssertThrowsError(try PiecewiseTable.make({ $0 * $0 }, inputScale: 8, lo: lo, hi: hi, knotScale: 12))
    }

    /// Softmax: every input of a small range gives the interpreter's output, and no forgery (another maximum, another
    /// reciprocal or remainder, a moved table bit) with re-solved products changes the output.
    func testSoftmaxIsExactAndSoundExhaustively() throws {
        let exp = try PiecewiseTable.make({ Foundation.exp(-$0) }, inputScale: 1, lo: 0, hi: 8, knotScale: 6)
        let e0 = exp.apply(0)
        let sMax = exp.range(lo: 0, hi: 8).1 * 3
        let p = Int.bitWidth - sMax.leadingZeroBitCount + 6
        let m = try singleOpModel(.softmax(input: 0, rowLength: 3, exp: exp, precision: p), inputShape: [1, 3], inputScale: 1,
                                  inputLo: [-4, -4, -4], inputHi: [4, 4, 4], outputScale: p, outputLo: [0, 0, 0], outputHi: [1 << p, 1 << p, 1 << p])
        XCTAssertGreaterThan(e0, 0)
        var attempts = 0
        for a in -4...4 { for b in -4...4 { for c in -4...4 {
            let x = [a, b, c]
            let circuit = try CircuitLowering.build(m, input: x, digest: testDigest, recordsLabels: true)
            XCTAssertEqual(circuit.output, integerSoftmax(x, rowLength: 3, exp: exp, precision: p), "\(x)")
            let (accepted, n) = forgeries(circuit)
            XCTAssertEqual(accepted, 0, "softmax \(x): a forged output satisfied the circuit")
            attempts += n
        } } }
        XCTAssertGreaterThan(attempts, 729 * 20)
    }

    /// LayerNorm: random rows give the interpreter's output (including the exact inverse square root), and forgeries fail.
    /// Two rows with different gamma/beta (as InstanceNormalization gives), so per-element parameters are pinned too.
    func testLayerNormIsExactAndSound() throws {
        var rng = SystemRandomNumberGenerator()
        let n = 4, p = 20, count = 2 * n
        let gamma = [300, 256, -200, 128, 64, -90, 256, 17], beta = [5, 0, -7, 100, -50, 3, 9, 0]
        let lo = [Int](repeating: -200, count: count), hi = [Int](repeating: 200, count: count)
        let outLo = (0..<count).map { -(1 << p) * abs(gamma[$0]) + beta[$0] }, outHi = (0..<count).map { (1 << p) * abs(gamma[$0]) + beta[$0] }
        let m = try singleOpModel(.layerNorm(input: 0, rowLength: n, gamma: gamma, beta: beta, epsilon: 37, precision: p), inputShape: [1, count],
                                  inputScale: 6, inputLo: lo, inputHi: hi, outputScale: p + 8, outputLo: outLo, outputHi: outHi)
        for trial in 0..<40 {
            let x = trial == 0 ? [7, 7, 7, 7, -3, 5, 0, 200] : (0..<count).map { _ in Int.random(in: -200...200, using: &rng) }
            let c = try CircuitLowering.build(m, input: x, digest: testDigest, recordsLabels: true)
            XCTAssertEqual(c.output, integerLayerNorm(x, rowLength: n, gamma: gamma, beta: beta, epsilon: 37, precision: p), "\(x)")
            XCTAssertEqual(forgeries(c).accepted, 0, "layernorm \(x)")
        }
        // The inverse square root is the exact floor: R²·D ≤ 2^(2p) < (R+1)²·D.
        for d in [1, 2, 3, 37, 1000, 123_456_789, (1 << 61) + 12345] {
            let r = Int128(inverseSquareRoot(d, precision: 30))
            XCTAssertLessThanOrEqual(r * r * Int128(d), Int128(1) << 60)
            XCTAssertGreaterThan((r + 1) * (r + 1) * Int128(d), Int128(1) << 60)
        }
    }

    /// Softmax and LayerNorm costs per element at 8 fractional bits on a 16-wide row (the attention models' width).
    func testSoftmaxAndLayerNormCosts() throws {
        let n = 16
        let lo = [Int](repeating: -2048, count: n), hi = [Int](repeating: 2048, count: n)  // |x| ≤ 8 at scale 8
        let exp = try PiecewiseTable.make({ Foundation.exp(-$0) }, inputScale: 8, lo: 0, hi: 4096, knotScale: 12)
        let sMax = exp.range(lo: 0, hi: 4096).1 * n
        let p = Int.bitWidth - sMax.leadingZeroBitCount + 12
        let sm = try singleOpModel(.softmax(input: 0, rowLength: n, exp: exp, precision: p), inputShape: [1, n], inputScale: 8, inputLo: lo, inputHi: hi,
                                   outputScale: p, outputLo: [Int](repeating: 0, count: n), outputHi: [Int](repeating: 1 << p, count: n))
        let x = (0..<n).map { ($0 * 977) % 4096 - 2048 }
        let c = try CircuitLowering.build(sm, input: x, digest: testDigest)
        let softmaxCost = try XCTUnwrap(c.layers.first { $0.layer == "op" }).constraints
        // Per row: the reciprocal (its range checks and product) and the n − 1 products of the max's membership.
        let perElement = softmaxCost / n
        XCTAssertLessThanOrEqual(perElement, 80 + 80 / n * 2)
        let real = x.map { Double($0) / 256 }
        let mx = real.max()!
        let es = real.map { Foundation.exp($0 - mx) }
        let sum = es.reduce(0, +)
        for (k, y) in c.output.enumerated() {
            XCTAssertEqual(Double(y) / Double(1 << p), es[k] / sum, accuracy: 2.0 / 256)
        }
        print("softmax (row of 16, 8 fractional bits): \(softmaxCost) constraints, \(Double(softmaxCost) / Double(n)) per element")
        let p2 = 24
        let ln = try singleOpModel(.layerNorm(input: 0, rowLength: n, gamma: [Int](repeating: 256, count: n), beta: [Int](repeating: 0, count: n),
                                              epsilon: 1, precision: p2),
                                   inputShape: [1, n], inputScale: 8, inputLo: lo, inputHi: hi, outputScale: p2 + 8,
                                   outputLo: [Int](repeating: -(1 << p2) * 256, count: n), outputHi: [Int](repeating: (1 << p2) * 256, count: n))
        let c2 = try CircuitLowering.build(ln, input: x, digest: testDigest)
        let lnCost = try XCTUnwrap(c2.layers.first { $0.layer == "op" }).constraints
        print("layernorm (row of 16, 8 fractional bits): \(lnCost) constraints, \(Double(lnCost) / Double(n)) per element")
        XCTAssertLessThanOrEqual(lnCost / n, 50)
    }

    /// Hostile circuit.json: a table whose semantics could overflow, or malformed softmax/layernorm rows, are refused.
    func testMalformedNonlinearOpsAreRefused() throws {
        var table = try PiecewiseTable.make({ tanh($0) }, inputScale: 4, lo: -70, hi: 70, knotScale: 6)
        table.knots.removeLast()
        XCTAssertThrowsError(try singleOpModel(.tabulated(input: 0, table: table), inputShape: [1, 1], inputScale: 4, inputLo: [-70],
                                               inputHi: [70], outputScale: 6, outputLo: [-64], outputHi: [64]))
        var huge = try PiecewiseTable.make({ tanh($0) }, inputScale: 4, lo: -70, hi: 70, knotScale: 6)
        huge.highMul = 1 << 58
        XCTAssertThrowsError(try singleOpModel(.tabulated(input: 0, table: huge), inputShape: [1, 1], inputScale: 4, inputLo: [-(1 << 40)],
                                               inputHi: [1 << 40], outputScale: 6, outputLo: [0], outputHi: [0]))
        let exp = try PiecewiseTable.make({ Foundation.exp(-$0) }, inputScale: 1, lo: 0, hi: 8, knotScale: 6)
        XCTAssertThrowsError(try singleOpModel(.softmax(input: 0, rowLength: 2, exp: exp, precision: 10), inputShape: [1, 3], inputScale: 1,
                                               inputLo: [0, 0, 0], inputHi: [1, 1, 1], outputScale: 10, outputLo: [0, 0, 0], outputHi: [1024, 1024, 1024]))
        // A LogSoftmax whose shifted spread would pass 2^60 (where << silently drops bits).
        let log = try PiecewiseTable.make({ Foundation.log($0) }, inputScale: 6 + exp.stepBits, lo: exp.apply(0), hi: exp.range(lo: 0, hi: 8).1 * 3, knotScale: 6)
        XCTAssertThrowsError(try singleOpModel(.logSoftmax(input: 0, rowLength: 3, exp: exp, log: log, shiftDelta: 30, shiftLog: 0), inputShape: [1, 3],
                                               inputScale: 1, inputLo: [0, 0, 0], inputHi: [1 << 39, 1 << 39, 1 << 39], outputScale: 30,
                                               outputLo: [0, 0, 0], outputHi: [0, 0, 0])) { error in
            XCTAssertTrue("\(error)".contains("log-softmax table"), "refused for its shifted spread, not for another reason: \(error)")
        }
        XCTAssertThrowsError(try singleOpModel(.layerNorm(input: 0, rowLength: 1, gamma: [1], beta: [0], epsilon: 0, precision: 10), inputShape: [1, 1],
                                               inputScale: 1, inputLo: [0], inputHi: [1], outputScale: 10, outputLo: [-1024], outputHi: [1024]))
    }

    /// Exact square root and reciprocal (witness-and-check): every input of a small range gives the interpreter's
    /// output, forgeries fail, and at 8 fractional bits (1 ≤ x < 16, or 0 ≤ x < 16 for √) the cost is within 40.
    func testSquareRootAndReciprocalAreExactSoundAndCheap() throws {
        for x in 0...300 {
            let m = try singleOpModel(.squareRoot(input: 0, shift: 4), inputShape: [1, 1], inputScale: 4, inputLo: [0], inputHi: [300],
                                      outputScale: 4, outputLo: [0], outputHi: [integerSquareRoot(300 << 4)])
            let c = try CircuitLowering.build(m, input: [x], digest: testDigest, recordsLabels: true)
            XCTAssertEqual(c.output, [integerSquareRoot(x << 4)])
            let y = c.output[0]
            XCTAssertTrue(y * y <= x << 4 && (y + 1) * (y + 1) > x << 4)
            XCTAssertEqual(forgeries(c).accepted, 0, "sqrt x = \(x)")
        }
        for x in 1...300 {
            let m = try singleOpModel(.reciprocal(input: 0, precision: 12), inputShape: [1, 1], inputScale: 4, inputLo: [1], inputHi: [300],
                                      outputScale: 8, outputLo: [(1 << 12) / 300], outputHi: [1 << 12])
            let c = try CircuitLowering.build(m, input: [x], digest: testDigest, recordsLabels: true)
            XCTAssertEqual(c.output, [(1 << 12) / x])
            XCTAssertEqual(forgeries(c).accepted, 0, "reciprocal x = \(x)")
        }
        let sq = try singleOpModel(.squareRoot(input: 0, shift: 8), inputShape: [1, 1], inputScale: 8, inputLo: [0], inputHi: [4095],
                                   outputScale: 8, outputLo: [0], outputHi: [integerSquareRoot(4095 << 8)])
        let sqCost = try XCTUnwrap(try CircuitLowering.build(sq, input: [1000], digest: testDigest).layers.first { $0.layer == "op" }).constraints
        let rc = try singleOpModel(.reciprocal(input: 0, precision: 20), inputShape: [1, 1], inputScale: 8, inputLo: [256], inputHi: [4095],
                                   outputScale: 12, outputLo: [(1 << 20) / 4095], outputHi: [(1 << 20) / 256])
        let rcCost = try XCTUnwrap(try CircuitLowering.build(rc, input: [1000], digest: testDigest).layers.first { $0.layer == "op" }).constraints
        print("sqrt: \(sqCost) constraints/element, reciprocal: \(rcCost) constraints/element (8 fractional bits)")
        XCTAssertLessThanOrEqual(sqCost, 40)
        XCTAssertLessThanOrEqual(rcCost, 40)
        // A hostile circuit.json: a reciprocal whose divisor may be 0, a square root of a possibly negative value.
        XCTAssertThrowsError(try singleOpModel(.reciprocal(input: 0, precision: 12), inputShape: [1, 1], inputScale: 4, inputLo: [0], inputHi: [300],
                                               outputScale: 8, outputLo: [0], outputHi: [0]))
        XCTAssertThrowsError(try singleOpModel(.squareRoot(input: 0, shift: 4), inputShape: [1, 1], inputScale: 4, inputLo: [-1], inputHi: [300],
                                               outputScale: 4, outputLo: [0], outputHi: [69]))
    }

    /// LogSoftmax: every input of a small range gives the interpreter's output (the Softmax's maximum and sum, a log
    /// table of the sum), and forgeries with re-solved products fail.
    func testLogSoftmaxIsExactAndSoundExhaustively() throws {
        let exp = try PiecewiseTable.make({ Foundation.exp(-$0) }, inputScale: 1, lo: 0, hi: 8, knotScale: 6)
        let sE = 6 + exp.stepBits
        let sMax = exp.range(lo: 0, hi: 8).1 * 3
        let log = try PiecewiseTable.make({ Foundation.log($0) }, inputScale: sE, lo: exp.apply(0), hi: sMax, knotScale: 6)
        let sL = 6 + log.stepBits, s = max(1, sL)
        let (sd, sl) = (s - 1, s - sL)
        let (lMin, lMax) = log.range(lo: exp.apply(0), hi: sMax)
        let lo = -(8 << sd) - (lMax << sl), hi = -(lMin << sl)
        let m = try singleOpModel(.logSoftmax(input: 0, rowLength: 3, exp: exp, log: log, shiftDelta: sd, shiftLog: sl), inputShape: [1, 3],
                                  inputScale: 1, inputLo: [-4, -4, -4], inputHi: [4, 4, 4], outputScale: s, outputLo: [lo, lo, lo], outputHi: [hi, hi, hi])
        for a in -4...4 { for b in -4...4 { for c in -4...4 where (a + b + c) % 2 == 0 {
            let x = [a, b, c]
            let circuit = try CircuitLowering.build(m, input: x, digest: testDigest, recordsLabels: true)
            let expected = integerLogSoftmax(x, rowLength: 3, exp: exp, log: log, shiftDelta: sd, shiftLog: sl)
            XCTAssertEqual(circuit.output, expected, "\(x)")
            // Within a few units of the real log-softmax.
            let real = x.map { Double($0) / 2 }
            let mx = real.max()!
            let lse = Foundation.log(real.reduce(0) { $0 + Foundation.exp($1 - mx) })
            for (k, y) in expected.enumerated() { XCTAssertEqual(Double(y) / Double(1 << s), real[k] - mx - lse, accuracy: 0.05, "\(x)") }
            XCTAssertEqual(forgeries(circuit).accepted, 0, "logsoftmax \(x): a forged output satisfied the circuit")
        } } }
    }
}
