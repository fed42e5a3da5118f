import Foundation
import XCTest
import ZKAlgebra
import ZKCircuit
import ZKConstraints
import ZKModel
import ZKClaim

// Soundness of the fixed-point gadgets the model lowering uses (rescale with and without ReLU,
// maximum, greaterThan, signedBits) and of whole model circuits: a wrong output cannot be
// completed to a satisfying witness. Forged witnesses are written wire by wire, re-solving every
// wire that can be re-solved, and must fail `ConstraintSystem.check`.

private func pow2(_ k: Int) -> Fr { Fr(2).power(UInt64(k)) }
private func fr(_ v: Int) -> Fr { Fr(signed: Int64(v)) }

/// Floor division by 2^d, then rounding half up: the integer reference of `rescale`.
private func referenceRescale(_ x: Int, _ d: Int, relu: Bool) -> Int {
    let q = d == 0 ? x : (x + (1 << (d - 1))) >> d  // arithmetic shift = floor division by 2^d
    return relu ? max(q, 0) : q
}

/// A gadget instance: the system, the honest witness, the wire of the public "claimed" output
/// (bound to the gadget's result by one constraint), the gadget's own private wires in allocation
/// order, and the input wires.
private struct Gadget {
    var system: ConstraintSystem
    var witness: [Fr]
    var claimed: Int
    var aux: [Int]
    var inputs: [Int]
}

private func buildGadget(_ inputs: [Int], _ body: (CircuitBuilder, [Variable]) -> LinearExpression) -> Gadget {
    let b = CircuitBuilder()
    let vars = inputs.map { b.privateInput(fr($0)) }
    let before = b.privateCount
    let y = body(b, vars)
    let after = b.privateCount
    let claimed = b.publicInput(b.value(of: y), name: "claimed")
    b.assertEqual(claimed, y, label: "claimed output")
    let aux = (before..<after).map { 1 + b.publicCount + $0 }
    let inputWires = vars.map { b.wireIndex(of: $0) }
    let claimedWire = b.wireIndex(of: claimed)
    let (system, witness, _) = b.build()
    return Gadget(system: system, witness: witness, claimed: claimedWire, aux: aux, inputs: inputWires)
}

/// Bits of a signed decomposition `v + 2^(k−1) = Σ 2ⁱ·bᵢ` as the witness holds them: wires for
/// i ≥ 1, and b₀ derived from v as the gadget defines it.
private func bits(_ w: [Fr], bitWires: [Int], shifted: Fr) -> [Fr] {
    var rest = Fr.zero
    for (j, wire) in bitWires.enumerated() { rest += pow2(j + 1) * w[wire] }
    return [shifted - rest] + bitWires.map { w[$0] }
}

/// The k−1 bits (1…k−1) of the canonical value of `v`, as field elements.
private func bitValues(_ v: Fr, from: Int, count: Int) -> [Fr] {
    let l = v.canonicalLimbs
    return (from..<(from + count)).map { i in (l[i >> 6] >> UInt64(i & 63)) & 1 == 1 ? Fr.one : Fr.zero }
}

/// Whether some constraint reads only `wire` (and the constant wire) and holds exactly for the
/// values 0 and 1: `a(v)·b(v) − c(v)` has degree ≤ 2 in v, so vanishing at 0 and 1 but not at 2
/// makes it `k·v·(v − 1)` with k ≠ 0. This is what lets the exhaustive tests enumerate boolean
/// values only.
private func isPinnedBoolean(_ s: ConstraintSystem, _ wire: Int) -> Bool {
    for i in 0..<s.constraintCount {
        let c = s.constraint(i)
        let wires = Set([c.a, c.b, c.c].flatMap { $0.terms.map(\.wire) })
        guard wires.contains(wire), wires.isSubset(of: [0, wire]) else { continue }
        func holds(_ v: Fr) -> Bool {
            var w = [Fr](repeating: .zero, count: s.wireCount)
            w[0] = .one
            w[wire] = v
            return c.a.evaluate(w) * c.b.evaluate(w) == c.c.evaluate(w)
        }
        if holds(.zero) && holds(.one) && !holds(Fr(2)) { return true }
    }
    return false
}

final class GadgetSoundnessTests: XCTestCase {
    // MARK: Exact results (positive tests)

    /// Boundary and random values: rescale equals floor((x + 2^(d−1)) / 2^d) (max with 0 for ReLU)
    /// everywhere in its documented input range, and the witness fails just outside it.
    func testRescaleExactAgainstIntReference() throws {
        var rng = TestRNG(seed: 0x5CA1E)
        var checked = 0
        for d in [0, 1, 2, 3, 5, 8, 12, 16, 24, 30] {
            for k in Set([d + 1, d + 2, d + 5, 20, 33, 48, 61].filter { $0 >= d + 1 && $0 <= 61 }).sorted() {
                let half = d > 0 ? 1 << (d - 1) : 0
                let lo = -(1 << (k - 1)) - half, hi = (1 << (k - 1)) - half - 1
                var xs = [lo, lo + 1, hi, hi - 1, 0, -1, 1, -half, -half - 1, half, half - 1].filter { $0 >= lo && $0 <= hi }
                if d > 0 {
                    // Values next to a rounding boundary: m·2^d − 2^(d−1) (rounds up) and one below.
                    for m in [-3, -1, 0, 1, 2] {
                        let v = m * (1 << d) - half
                        xs += [v, v - 1].filter { $0 >= lo && $0 <= hi }
                    }
                }
                for _ in 0..<12 { xs.append(Int(truncatingIfNeeded: rng.next() % UInt64(hi - lo + 1)) + lo) }
                for x in xs {
                    for relu in [false, true] {
                        let g = buildGadget([x]) { b, v in b.rescale(v[0], shift: d, bits: k, relu: relu) }
                        XCTAssertNoThrow(try g.system.check(g.witness), "x=\(x) d=\(d) k=\(k) relu=\(relu)")
                        XCTAssertEqual(g.witness[g.claimed].signedInt, referenceRescale(x, d, relu: relu), "x=\(x) d=\(d) k=\(k) relu=\(relu)")
                        XCTAssertEqual(g.system.constraintCount, k + (relu ? 1 : 0) + 1, "cost: k (+1 with ReLU) plus the binding")
                        checked += 1
                    }
                }
                // Just outside the range: the builder's witness cannot satisfy the decomposition.
                for x in [lo - 1, hi + 1] {
                    let g = buildGadget([x]) { b, v in b.rescale(v[0], shift: d, bits: k, relu: false) }
                    assertUnsatisfied(g.system, g.witness, "out-of-range x=\(x) d=\(d) k=\(k)")
                }
            }
        }
        XCTAssertGreaterThan(checked, 1000)
    }

    /// The reference itself, against Double arithmetic on small values (guards the test oracle).
    func testReferenceRescaleOracle() {
        for d in 1...6 {
            for x in -200...200 {
                let expected = Int((Double(x) / Double(1 << d) + 0.5).rounded(.down))
                XCTAssertEqual(referenceRescale(x, d, relu: false), expected, "x=\(x) d=\(d)")
            }
        }
    }

    func testMaximumAndGreaterThanExact() throws {
        var rng = TestRNG(seed: 0x3A7)
        for k in [1, 2, 3, 8, 17, 40, 62] {
            let lo = -(1 << (k - 1)), hi = (1 << (k - 1)) - 1
            var pairs: [(Int, Int)] = [(0, 0), (5, 5), (-7, -7)]
            for _ in 0..<40 {
                let a = Int(truncatingIfNeeded: rng.next() >> 2) % (1 << 40)
                let diff = Int(truncatingIfNeeded: rng.next() % UInt64(hi - lo + 1)) + lo
                pairs.append((a, a - diff))
            }
            pairs += [(lo, 0), (hi, 0), (0, -lo), (0, -hi), (lo + 3, 3)]
            for (a, b) in pairs {
                // maximum needs a − b in [lo, hi]; greaterThan needs a − b − 1 in [lo, hi].
                if a - b >= lo && a - b <= hi {
                    let g = buildGadget([a, b]) { bl, v in bl.maximum(v[0], v[1], bits: k) }
                    XCTAssertNoThrow(try g.system.check(g.witness), "max(\(a), \(b)) k=\(k)")
                    XCTAssertEqual(g.witness[g.claimed].signedInt, max(a, b), "max(\(a), \(b)) k=\(k)")
                }
                if a - b - 1 >= lo && a - b - 1 <= hi {
                    let g = buildGadget([a, b]) { bl, v in bl.greaterThan(v[0], v[1], bits: k) }
                    XCTAssertNoThrow(try g.system.check(g.witness), "\(a) > \(b) k=\(k)")
                    XCTAssertEqual(g.witness[g.claimed], a > b ? Fr.one : Fr.zero, "\(a) > \(b) k=\(k)")
                }
            }
            // Out of range: the honest witness fails.
            if k < 62 {
                let g = buildGadget([hi + 1, 0]) { bl, v in bl.maximum(v[0], v[1], bits: k) }
                assertUnsatisfied(g.system, g.witness, "max out of range k=\(k)")
            }
        }
    }

    func testSignedBitsExactAndRange() throws {
        var rng = TestRNG(seed: 0x51B)
        for k in [1, 2, 5, 16, 31, 62, 100, 253] {
            let small = min(k, 62)
            let lo = -(1 << (small - 1)), hi = (1 << (small - 1)) - 1
            var xs = [lo, hi, 0, -1]
            for _ in 0..<20 { xs.append(Int(truncatingIfNeeded: rng.next() % UInt64(hi - lo + 1)) + lo) }
            for x in xs {
                let g = buildGadget([x]) { b, v in b.signedBits(v[0], bits: k).nonNegative }
                XCTAssertNoThrow(try g.system.check(g.witness), "x=\(x) k=\(k)")
                XCTAssertEqual(g.witness[g.claimed], x >= 0 ? Fr.one : Fr.zero, "sign of \(x), k=\(k)")
                XCTAssertEqual(g.aux.count, k - 1)
                // The bits are the binary digits of x + 2^(k−1).
                let expected = bitValues(fr(x) + pow2(k - 1), from: 1, count: k - 1)
                XCTAssertEqual(g.aux.map { g.witness[$0] }, expected, "x=\(x) k=\(k)")
            }
            if k <= 62 {
                for x in [lo - 1, hi + 1] where k < 62 || x != hi + 1 {
                    let g = buildGadget([x]) { b, v in b.signedBits(v[0], bits: k).nonNegative }
                    assertUnsatisfied(g.system, g.witness, "out-of-range x=\(x) k=\(k)")
                }
            }
        }
        // Field elements far outside any range (as a cheating prover might try): every completion
        // of the bits fails, because the bits can only recompose integers below 2^k.
        let huge = Fr(canonicalLimbs: [0, 0, 0, 1 << 60])!
        for k in [8, 64, 200, 253] {
            let b = CircuitBuilder()
            let x = b.privateInput(huge)
            _ = b.signedBits(x, bits: k)
            let (system, witness, _) = b.build()
            assertUnsatisfied(system, witness, "x = 2^252, k=\(k)")
        }
    }

    func testSignedBitWidthIsMinimal() {
        var rng = TestRNG(seed: 0xB17)
        func fits(_ lo: Int, _ hi: Int, _ k: Int) -> Bool { lo >= -(1 << (k - 1)) && hi < (1 << (k - 1)) }
        var cases: [(Int, Int)] = [(0, 0), (-1, -1), (-1, 0), (0, 1), (-128, 127), (-129, 127), (-128, 128), (1 << 59, 1 << 59), (-(1 << 60), 0)]
        for _ in 0..<500 {
            let a = Int(truncatingIfNeeded: rng.next()) >> Int(rng.next() % 62 + 2)
            let b = Int(truncatingIfNeeded: rng.next()) >> Int(rng.next() % 62 + 2)
            cases.append((min(a, b), max(a, b)))
        }
        for (lo, hi) in cases {
            let k = signedBitWidth(lo: lo, hi: hi)
            XCTAssertTrue(fits(lo, hi, k), "[\(lo), \(hi)] in \(k) bits")
            if k > 1 { XCTAssertFalse(fits(lo, hi, k - 1), "[\(lo), \(hi)]: \(k) bits is not minimal") }
        }
    }

    func testSignedIntRoundTrip() {
        var rng = TestRNG(seed: 0x1D)
        var values: [Int] = [0, 1, -1, 2, -2, Int.max, Int.min, Int.max - 1, Int.min + 1, 1 << 62, -(1 << 62)]
        for _ in 0..<2000 { values.append(Int(truncatingIfNeeded: rng.next()) >> Int(rng.next() % 64)) }
        for v in values {
            XCTAssertEqual(Fr(signed: Int64(v)).signedInt, v, "\(v)")
            XCTAssertEqual((-Fr(signed: Int64(v))).signedInt, v == Int.min ? nil : -v, "−\(v)")
        }
        // Just outside: 2^63 and −2^63 − 1 have no Int, nor do random field elements.
        XCTAssertNil(Fr(canonicalLimbs: [1 << 63, 0, 0, 0])!.signedInt)
        XCTAssertNil((-Fr(canonicalLimbs: [1 << 63, 0, 0, 0])! - Fr.one).signedInt)
        XCTAssertNil(Fr(canonicalLimbs: [0, 1, 0, 0])!.signedInt)
        var frng = TestRNG(seed: 0xF1E1D)
        for _ in 0..<50 { XCTAssertNil(Fr.random(using: &frng).signedInt) }
        XCTAssertEqual((Fr.zero - Fr.one).signedInt, -1)
    }

    // MARK: Exhaustive uniqueness for small widths

    /// For small k, *every* boolean assignment of the bit wires is tried (non-boolean values fail
    /// their own constraints), with the dependent wires (ReLU product, claimed output) set to the
    /// only values their constraints allow. Exactly one assignment satisfies the system, and it
    /// gives the reference output: no wrapped quotient, out-of-range remainder or flipped sign.
    func testRescaleUniqueWitnessExhaustive() throws {
        var assignments = 0
        for d in 0...3 {
            for k in (d + 1)...(d + 4) {
                let half = d > 0 ? 1 << (d - 1) : 0
                let lo = -(1 << (k - 1)) - half, hi = (1 << (k - 1)) - half - 1
                for x in lo...hi {
                    for relu in [false, true] {
                        let g = buildGadget([x]) { b, v in b.rescale(v[0], shift: d, bits: k, relu: relu) }
                        let bitWires = Array(g.aux.prefix(k - 1))
                        for wire in bitWires { XCTAssertTrue(isPinnedBoolean(g.system, wire), "bit wire \(wire) is not pinned to {0, 1}") }
                        let shifted = fr(x) + (d > 0 ? fr(half) : .zero) + pow2(k - 1)
                        var satisfying: [Fr] = []
                        for mask in 0..<(1 << (k - 1)) {
                            var w = g.witness
                            for (j, wire) in bitWires.enumerated() { w[wire] = (mask >> j) & 1 == 1 ? .one : .zero }
                            let bs = bits(w, bitWires: bitWires, shifted: shifted)
                            var q = Fr.zero
                            if relu {
                                for i in d..<(k - 1) { q += pow2(i - d) * bs[i] }
                                q = bs[k - 1] * q
                                w[g.aux[k - 1]] = q
                            } else {
                                for i in d..<k { q += pow2(i - d) * bs[i] }
                                q -= pow2(k - 1 - d)
                            }
                            w[g.claimed] = q
                            if g.system.isSatisfied(by: w) { satisfying.append(q) }
                            assignments += 1
                        }
                        XCTAssertEqual(satisfying.count, 1, "x=\(x) d=\(d) k=\(k) relu=\(relu): satisfying assignments")
                        XCTAssertEqual(satisfying.first?.signedInt, referenceRescale(x, d, relu: relu), "x=\(x) d=\(d) k=\(k) relu=\(relu)")
                    }
                }
            }
        }
        XCTAssertGreaterThan(assignments, 5000)
    }

    func testMaximumAndGreaterThanUniqueWitnessExhaustive() throws {
        for k in 1...5 {
            let lo = -(1 << (k - 1)), hi = (1 << (k - 1)) - 1
            for diff in lo...hi {
                let a = 3 + diff, b = 3
                // maximum: bits of a − b, then the product wire s·(a − b).
                let g = buildGadget([a, b]) { bl, v in bl.maximum(v[0], v[1], bits: k) }
                let bitWires = Array(g.aux.prefix(k - 1))
                for wire in bitWires { XCTAssertTrue(isPinnedBoolean(g.system, wire), "max: bit wire \(wire) is not pinned to {0, 1}") }
                var outs: [Fr] = []
                for mask in 0..<(1 << (k - 1)) {
                    var w = g.witness
                    for (j, wire) in bitWires.enumerated() { w[wire] = (mask >> j) & 1 == 1 ? .one : .zero }
                    let bs = bits(w, bitWires: bitWires, shifted: fr(a - b) + pow2(k - 1))
                    let m = bs[k - 1] * fr(a - b)
                    w[g.aux[k - 1]] = m
                    w[g.claimed] = fr(b) + m
                    if g.system.isSatisfied(by: w) { outs.append(fr(b) + m) }
                }
                XCTAssertEqual(outs, [fr(max(a, b))], "max(\(a), \(b)) k=\(k)")
            }
            for diff in (lo + 1)...(hi + 1) {
                let a = 3 + diff, b = 3
                let g = buildGadget([a, b]) { bl, v in bl.greaterThan(v[0], v[1], bits: k) }
                for wire in g.aux { XCTAssertTrue(isPinnedBoolean(g.system, wire), "greaterThan: bit wire \(wire) is not pinned to {0, 1}") }
                var outs: [Fr] = []
                for mask in 0..<(1 << (k - 1)) {
                    var w = g.witness
                    for (j, wire) in g.aux.enumerated() { w[wire] = (mask >> j) & 1 == 1 ? .one : .zero }
                    let bs = bits(w, bitWires: g.aux, shifted: fr(a - b - 1) + pow2(k - 1))
                    w[g.claimed] = bs[k - 1]
                    if g.system.isSatisfied(by: w) { outs.append(bs[k - 1]) }
                }
                XCTAssertEqual(outs, [a > b ? Fr.one : Fr.zero], "\(a) > \(b) k=\(k)")
            }
        }
    }

    // MARK: Targeted forgeries at realistic widths

    /// (1) A quotient that wraps around r: with rem' ≠ rem, q' = q + (rem − rem')/2^d (mod r)
    /// satisfies q'·2^d + rem' ≡ x + 2^(d−1) (mod r) — a valid "division" in the field. Claiming it
    /// needs the high bits to recompose a ~254-bit number: either a bit is non-boolean or the
    /// recomposition (b₀) breaks.
    func testWrappedQuotientRejected() throws {
        var rng = TestRNG(seed: 0x3A9)
        for (d, k) in [(8, 20), (12, 40), (1, 10), (16, 61)] {
            let half = 1 << (d - 1)
            for _ in 0..<8 {
                let span = UInt64(1 << (k - 1))
                let x = Int(truncatingIfNeeded: rng.next() % (2 * span)) - Int(span) - half
                let g = buildGadget([x]) { b, v in b.rescale(v[0], shift: d, bits: k, relu: false) }
                try g.system.check(g.witness)
                let q = referenceRescale(x, d, relu: false)
                let rem = x + half - q * (1 << d)
                XCTAssertTrue((0..<(1 << d)).contains(rem))
                let remPrime = (rem + 1) % (1 << d)
                let qPrime = fr(q) + fr(rem - remPrime) * pow2(d).inverse()!
                XCTAssertEqual(qPrime * pow2(d) + fr(remPrime), fr(x + half), "the wrapped pair divides x + half in the field")
                XCTAssertNil(qPrime.signedInt, "q' is not a small integer")
                let bitWires = Array(g.aux.prefix(k - 1))
                // (a) High bits = the low k − d bits of q' + 2^(k−1−d), low bits = rem': the
                // recomposition cannot match.
                var w = g.witness
                w[g.claimed] = qPrime
                let high = bitValues(qPrime + pow2(k - 1 - d), from: 0, count: k - d)
                let low = bitValues(fr(remPrime), from: 0, count: d)
                for j in 1..<k { w[bitWires[j - 1]] = j < d ? low[j] : high[j - d] }
                assertUnsatisfied(g.system, w, "wrapped quotient, truncated bits (d=\(d) k=\(k))")
                // (b) Make the output expression equal q' exactly by putting the excess into the
                // top bit: b₀ is boolean again, but the top bit is not.
                var partial = Fr.zero
                for i in d..<(k - 1) { partial += pow2(i - d) * w[bitWires[i - 1]] }
                w[bitWires[k - 2]] = (qPrime + pow2(k - 1 - d) - partial) * pow2(k - 1 - d).inverse()!
                let bs = bits(w, bitWires: bitWires, shifted: fr(x + half) + pow2(k - 1))
                XCTAssertEqual(bs[0], low[0], "b₀ is boolean in variant (b)")
                var expr = Fr.zero
                for i in d..<k { expr += pow2(i - d) * bs[i] }
                XCTAssertEqual(expr - pow2(k - 1 - d), qPrime, "the gadget's output expression equals q'")
                let v = assertUnsatisfied(g.system, w, "wrapped quotient with a non-boolean top bit")
                XCTAssertEqual(v?.label, "signedBits[\(k - 1)]", "rejected by the top bit's constraint")
            }
        }
    }

    /// (2) Claiming q + 1 with remainder rem − 2^d (negative): the low bits would have to hold a
    /// negative number, so some bit is non-boolean.
    func testRemainderOutOfRangeRejected() throws {
        var rng = TestRNG(seed: 0x4E3)
        for (d, k) in [(3, 12), (8, 24), (16, 48)] {
            let half = 1 << (d - 1)
            for _ in 0..<10 {
                let x = Int(truncatingIfNeeded: rng.next() % UInt64(1 << (k - 2))) - (1 << (k - 3))
                for relu in [false, true] {
                    let g = buildGadget([x]) { b, v in b.rescale(v[0], shift: d, bits: k, relu: relu) }
                    try g.system.check(g.witness)
                    let q = referenceRescale(x, d, relu: false)
                    let rem = x + half - q * (1 << d)
                    let bitWires = Array(g.aux.prefix(k - 1))
                    let forgedHigh = bitValues(fr(q + 1) + pow2(k - 1 - d), from: 0, count: k - d)
                    let remBits = bitValues(fr(rem), from: 0, count: d)
                    var w = g.witness
                    for j in 1..<k { w[bitWires[j - 1]] = j < d ? remBits[j] : forgedHigh[j - d] }
                    let forgedOut = relu ? max(q + 1, 0) : q + 1
                    if relu { w[g.aux[k - 1]] = fr(forgedOut) }
                    w[g.claimed] = fr(forgedOut)
                    // (a) b₀ absorbs rem − 2^d − Σ low bits: not boolean.
                    let bs = bits(w, bitWires: bitWires, shifted: fr(x + half) + pow2(k - 1))
                    XCTAssertNotEqual(bs[0], .zero); XCTAssertNotEqual(bs[0], .one)
                    XCTAssertEqual(assertUnsatisfied(g.system, w, "q+1, rem−2^d via b₀ (d=\(d) k=\(k) relu=\(relu))")?.label, "signedBits[0]")
                    // (b) b₁ absorbs it instead, keeping b₀ boolean.
                    let b0 = remBits[0]
                    var lowRest = Fr.zero
                    for j in 2..<d { lowRest += pow2(j) * remBits[j] }
                    w[bitWires[0]] = (fr(rem - (1 << d)) - b0 - lowRest) * Fr(2).inverse()!
                    let bs2 = bits(w, bitWires: bitWires, shifted: fr(x + half) + pow2(k - 1))
                    XCTAssertEqual(bs2[0], b0, "b₀ is boolean in variant (b)")
                    XCTAssertEqual(assertUnsatisfied(g.system, w, "q+1, rem−2^d via b₁")?.label, "signedBits[1]")
                }
            }
        }
    }

    /// (3) ReLU with a flipped sign: output 0 for a positive value, or the magnitude for a negative one.
    func testReluFlippedSignRejected() throws {
        for (d, k) in [(0, 10), (4, 16), (8, 30)] {
            let half = d > 0 ? 1 << (d - 1) : 0
            for x in [5 << d, 1 << (k - 2), -(5 << d), -(1 << (k - 2)), (1 << d) - half] {
                let g = buildGadget([x]) { b, v in b.rescale(v[0], shift: d, bits: k, relu: true) }
                try g.system.check(g.witness)
                let q = referenceRescale(x, d, relu: false)
                XCTAssertEqual(g.witness[g.claimed].signedInt, max(q, 0))
                let bitWires = Array(g.aux.prefix(k - 1)), product = g.aux[k - 1], sign = bitWires[k - 2]
                let forged = q > 0 ? 0 : (q == 0 ? 1 : -q)
                // Only the output changed.
                var w = g.witness
                w[g.claimed] = fr(forged); w[product] = fr(forged)
                assertUnsatisfied(g.system, w, "x=\(x): output \(forged) with the honest bits")
                // Sign bit flipped and the product re-solved: the recomposition is off by 2^(k−1).
                w[sign] = q > 0 ? .zero : .one
                if q <= 0 {
                    // The magnitude bits hold what the forger wants to output.
                    let target = bitValues(fr(forged), from: 0, count: k - 1 - d)
                    for i in max(d, 1)..<(k - 1) { w[bitWires[i - 1]] = target[i - d] }
                }
                func resolveProduct(_ w: inout [Fr]) {
                    let bs = bits(w, bitWires: bitWires, shifted: fr(x + half) + pow2(k - 1))
                    var magnitude = Fr.zero
                    for i in d..<(k - 1) { magnitude += pow2(i - d) * bs[i] }
                    w[product] = bs[k - 1] * magnitude
                    w[g.claimed] = w[product]
                }
                resolveProduct(&w)
                XCTAssertNotEqual(w[g.claimed], g.witness[g.claimed], "x=\(x): the forged output differs")
                XCTAssertEqual(assertUnsatisfied(g.system, w, "x=\(x): flipped sign bit")?.label?.hasPrefix("signedBits"), true)
                // Putting the 2^(k−1) discrepancy into a lower bit instead: that bit is not boolean.
                if k - 2 >= 1 {
                    var w2 = g.witness
                    w2[sign] = q > 0 ? .zero : .one
                    let low = bitWires[k - 3]  // bit k−2
                    let delta = q > 0 ? pow2(k - 1) : -pow2(k - 1)
                    w2[low] = w2[low] + delta * pow2(k - 2).inverse()!
                    resolveProduct(&w2)
                    XCTAssertEqual(bits(w2, bitWires: bitWires, shifted: fr(x + half) + pow2(k - 1))[0],
                                   bits(g.witness, bitWires: bitWires, shifted: fr(x + half) + pow2(k - 1))[0], "b₀ restored")
                    XCTAssertEqual(assertUnsatisfied(g.system, w2, "x=\(x): flipped sign, excess in bit k−2")?.label, "signedBits[\(k - 2)]")
                }
            }
        }
    }

    /// (4) maximum selecting the smaller value, and greaterThan answering the wrong way.
    func testMaximumSmallerValueRejected() throws {
        var rng = TestRNG(seed: 0x3AA)
        for k in [4, 20, 50] {
            for _ in 0..<10 {
                let a = Int(truncatingIfNeeded: rng.next() % UInt64(1 << (k - 2))) - (1 << (k - 3))
                var b = Int(truncatingIfNeeded: rng.next() % UInt64(1 << (k - 2))) - (1 << (k - 3))
                if a == b { b -= 1 }
                let g = buildGadget([a, b]) { bl, v in bl.maximum(v[0], v[1], bits: k) }
                try g.system.check(g.witness)
                XCTAssertEqual(g.witness[g.claimed], fr(max(a, b)))
                let bitWires = Array(g.aux.prefix(k - 1)), product = g.aux[k - 1], sign = bitWires[k - 2]
                // The claim alone.
                var w = g.witness
                w[g.claimed] = fr(min(a, b))
                XCTAssertEqual(assertUnsatisfied(g.system, w)?.label, "claimed output")
                // Selector flipped, product re-solved: output = min, but the decomposition breaks.
                w[sign] = a >= b ? .zero : .one
                w[product] = w[sign] * fr(a - b)
                XCTAssertEqual(fr(b) + w[product], fr(min(a, b)))
                XCTAssertEqual(assertUnsatisfied(g.system, w, "max(\(a), \(b)) = min with a flipped selector")?.label, "signedBits[0]")
                // And greaterThan.
                let gt = buildGadget([a, b]) { bl, v in bl.greaterThan(v[0], v[1], bits: k) }
                try gt.system.check(gt.witness)
                var w2 = gt.witness
                w2[gt.aux[k - 2]] = a > b ? .zero : .one
                w2[gt.claimed] = w2[gt.aux[k - 2]]
                assertUnsatisfied(gt.system, w2, "\(a) > \(b) flipped")
            }
        }
    }

    // MARK: Model level

    /// digits_mlp: changing an output public signal alone fails at its binding; a witness fully
    /// re-solved for a different output (every private wire consistent with a model whose hidden
    /// bias is off by one output step) fails inside the first layer's decomposition.
    func testModelCircuitRejectsWrongOutput() throws {
        let s = try SampleCache.get("digits_mlp")
        let compiled = s.compiled, m = compiled.model
        let x = try loadInputs("digits_mlp", "test_inputs.json")[3]
        let q = try m.quantizeInput(x)
        let honest = try CircuitLowering.build(m, input: q, digest: compiled.statementDigest, recordsLabels: true)
        try honest.system.check(honest.witness)
        let nIn = q.count, nOut = honest.output.count
        let outWire = { (j: Int) in 2 + nIn + j }  // 0 = one, 1 = digest, inputs, outputs
        XCTAssertEqual(honest.witness[outWire(0)], fr(honest.output[0]))

        // 1. One output signal changed, nothing else.
        for j in [0, nOut - 1] {
            var w = honest.witness
            w[outWire(j)] += Fr.one
            XCTAssertEqual(assertUnsatisfied(honest.system, w)?.label, "output[\(j)]")
        }
        // 2. The digest signal changed.
        var w = honest.witness
        w[1] += Fr.one
        XCTAssertEqual(assertUnsatisfied(honest.system, w)?.label, "statement (model digest and header)")

        // 3. Re-solved witnesses: build the circuit of a tampered copy of the model (one constant
        //    changed, bounds kept, so the wire layout is identical) and present its witness — all
        //    of whose private wires are consistent — to the honest system.
        let (tampered, which) = try tamperedWitness(m, input: q, digest: compiled.statementDigest, honest: honest, firstLayer: true)
        XCTAssertNotEqual(tampered.output, honest.output, "the forged output differs")
        let v = assertUnsatisfied(honest.system, tampered.witness, "first-layer re-solve (\(which))")
        XCTAssertEqual(v?.label?.hasPrefix("signedBits"), true, "caught by the hidden unit's range decomposition, got \(String(describing: v?.label))")
        let (tampered2, which2) = try tamperedWitness(m, input: q, digest: compiled.statementDigest, honest: honest, firstLayer: false)
        XCTAssertNotEqual(tampered2.output, honest.output)
        XCTAssertEqual(assertUnsatisfied(honest.system, tampered2.witness, "last-layer re-solve (\(which2))")?.label?.hasPrefix("output["), true)
    }

    /// The same re-solving attack on every op micro model (leakyrelu, clamp, maxpool, avgpool,
    /// argmax, add, batchnorm, …): a fully consistent witness for a different output fails.
    func testOpModelCircuitsRejectReSolvedWrongOutputs() throws {
        let dir = Repo.circuits.appendingPathComponent("ops")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".onnx") }.sorted()
        XCTAssertEqual(names.count, 10)
        for file in names {
            let onnx = try Data(contentsOf: dir.appendingPathComponent(file))
            let f = try JSONDecoder().decode(OpFixture.self, from: try Data(contentsOf: dir.appendingPathComponent(file.replacingOccurrences(of: ".onnx", with: ".json"))))
            let (compiled, _) = try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: 12, calibration: f.inputs))
            let m = compiled.model
            var forged = 0
            for x in f.inputs {
                let q = try m.quantizeInput(x)
                let honest = try CircuitLowering.build(m, input: q, digest: compiled.statementDigest, recordsLabels: true)
                try honest.system.check(honest.witness)
                // Output signal alone.
                var w = honest.witness
                w[2 + q.count] += Fr.one
                XCTAssertEqual(assertUnsatisfied(honest.system, w, file)?.label, "output[0]", file)
                for firstLayer in [true, false] {
                    guard let (t, which) = try? tamperedWitness(m, input: q, digest: compiled.statementDigest, honest: honest, firstLayer: firstLayer) else { continue }
                    assertUnsatisfied(honest.system, t.witness, "\(file): re-solved witness for output \(t.output) instead of \(honest.output) (\(which))")
                    forged += 1
                }
            }
            XCTAssertGreaterThan(forged, 0, "\(file): no re-solvable forgery found to test")
        }
    }
}

private struct NoForgery: Error {}

/// A witness for `m` on `input` that is fully consistent except for one model constant: the bias of
/// the first (or last) dense/conv node is changed by a step chosen so the tampered circuit is
/// satisfied (its bounds are kept, so the layout is identical) and the output differs.
private func tamperedWitness(_ m: QuantizedModel, input: [Int], digest: String, honest: ModelCircuit, firstLayer: Bool) throws
    -> (ModelCircuit, String)
{
    let candidates = m.nodes.indices.filter { k in
        switch m.nodes[k].op { case .dense, .conv: return true; default: return false }
    }
    guard let nodeIndex = firstLayer ? candidates.first : candidates.last else { throw NoForgery() }
    let node = m.nodes[nodeIndex]
    let accScale = m.tensors[node.output].scale
    var biasCount = 0
    switch node.op {
    case .dense(_, _, let b, _, _), .conv(_, _, let b, _, _): biasCount = b.count
    default: break
    }
    for o in 0..<biasCount {
        for step in stride(from: accScale, through: 0, by: -1).map({ 1 << $0 }) {
            for sign in [1, -1] {
                var t = m
                switch node.op {
                case .dense(let i, let w, var b, let nIn, let nOut):
                    b[o] += sign * step
                    t.nodes[nodeIndex].op = .dense(input: i, weights: w, bias: b, inFeatures: nIn, outFeatures: nOut)
                case .conv(let i, let w, var b, let mOut, let geo):
                    b[o] += sign * step
                    t.nodes[nodeIndex].op = .conv(input: i, weights: w, bias: b, outChannels: mOut, geometry: geo)
                default: break
                }
                let c = try CircuitLowering.build(t, input: input, digest: digest, recordsLabels: true)
                guard c.system.wireCount == honest.system.wireCount, c.system.constraintCount == honest.system.constraintCount,
                      c.output != honest.output, c.system.isSatisfied(by: c.witness) else { continue }
                // The forgery is a plausible run of the tampered model.
                guard (try? IntegerInterpreter.run(t, input: input)) == c.output else { continue }
                return (c, "node \(nodeIndex) bias[\(o)] \(sign > 0 ? "+" : "−")\(step)")
            }
        }
    }
    throw NoForgery()
}
