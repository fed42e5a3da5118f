import XCTest
import ZKAlgebra
import ZKConstraints
import ZKCircuit

/// A gadget built honestly: the system, its witness, and the wires the gadget allocated.
private struct GadgetInstance {
    var system: ConstraintSystem
    var witness: [Fr]
    /// Wire indices of the inputs, in the order given.
    var inputs: [Int]
    /// Wire indices of the returned outputs, in the order returned.
    var outputs: [Int]
    /// Wire indices of the other private wires the gadget allocated (hints), in allocation order.
    var aux: [Int]
    var builder: CircuitBuilder
}

/// Declares `inputs` as private inputs, runs `gadget`, builds, and checks the honest witness.
private func makeInstance(_ inputs: [Fr], file: StaticString = #filePath, line: UInt = #line,
                          _ gadget: (CircuitBuilder, [Variable]) -> [Variable]) throws -> GadgetInstance {
    let b = CircuitBuilder()
    let vars = inputs.map { b.privateInput($0) }
    let before = b.privateCount
    let outs = gadget(b, vars)
    let allocated = allocatedWires(b, from: before, to: b.privateCount)
    let outWires = outs.map { b.wireIndex(of: $0) }
    let (system, witness, _) = b.build()
    try system.check(witness)
    return GadgetInstance(system: system, witness: witness, inputs: vars.map { b.wireIndex(of: $0) },
                          outputs: outWires, aux: allocated.filter { !outWires.contains($0) }, builder: b)
}

/// Canonical integer comparison `a < b`.
private func lessThanInteger(_ a: Fr, _ b: Fr) -> Bool {
    let x = a.canonicalLimbs, y = b.canonicalLimbs
    for i in stride(from: 3, through: 0, by: -1) where x[i] != y[i] { return x[i] < y[i] }
    return false
}

final class GadgetSoundnessTests: XCTestCase {
    // MARK: assertBoolean

    func testAssertBoolean() throws {
        var rng = CircuitTestRNG(seed: 0xB001)
        for v in [Fr.zero, .one] {
            let g = try makeInstance([v]) { b, x in b.assertBoolean(x[0]); return [] }
            XCTAssertEqual(g.system.constraintCount, 1)
            XCTAssertTrue(g.aux.isEmpty)
        }
        let g = try makeInstance([.one]) { b, x in b.assertBoolean(x[0]); return [] }
        for v in [Fr(2), -Fr.one, Fr(signed: -2), rng.field(), rng.field()] {
            var w = g.witness
            w[g.inputs[0]] = v
            XCTAssertEqual(assertViolated(g.system, w, "x = \(v)")?.label, "assertBoolean")
        }
    }

    // MARK: mul / assertEqual

    func testMulOutputIsDetermined() throws {
        var rng = CircuitTestRNG(seed: 0x3A1)
        let a = rng.field(), c = rng.field()
        let g = try makeInstance([a, c]) { b, x in [b.mul(x[0] + Fr(2), x[1], label: "m")] }
        XCTAssertEqual(g.witness[g.outputs[0]], (a + Fr(2)) * c)
        for _ in 0..<8 {
            var w = g.witness
            w[g.outputs[0]] = rng.field()
            XCTAssertEqual(assertViolated(g.system, w)?.label, "m")
        }
        XCTAssertThrowsError(try CircuitBuilder.checkCircuit { b in
            b.assertEqual(b.privateInput(Fr(1)), b.privateInput(Fr(2)), label: "eq")
        })
    }

    // MARK: toBits / rangeCheck

    func testToBitsHonestAndForgedBits() throws {
        var rng = CircuitTestRNG(seed: 0x70B175)
        for k in [1, 2, 7, 8, 63, 64, 65, 128, 200, 252, 253] {
            var values = (0..<4).map { _ in rng.fieldBelowPowerOfTwo(k) }
            values += [.zero, pow2(k) - .one]
            for v in values {
                let g = try makeInstance([v]) { b, x in b.toBits(x[0], count: k) }
                XCTAssertEqual(g.system.constraintCount, k + 1)
                XCTAssertEqual(g.outputs.count, k)
                XCTAssertTrue(g.aux.isEmpty, "toBits allocates only its bits")
                for i in 0..<k { XCTAssertEqual(g.witness[g.outputs[i]], bitOf(v, i), "k=\(k) bit \(i)") }

                // Bits of a different value (one bit flipped): recomposition fails.
                let j = Int.random(in: 0..<k, using: &rng)
                var w = g.witness
                w[g.outputs[j]] = .one - w[g.outputs[j]]
                XCTAssertEqual(assertViolated(g.system, w, "k=\(k) flip \(j)")?.label, "toBits.recompose")

                // Bits of a random other value in range: fails.
                let other = rng.fieldBelowPowerOfTwo(k)
                if other != v {
                    w = g.witness
                    for i in 0..<k { w[g.outputs[i]] = bitOf(other, i) }
                    XCTAssertNotNil(assertViolated(g.system, w, "k=\(k) other value"))
                }

                // Random other bits, with the lowest "bit" solved so that the sum still recomposes
                // to x: b₀ is then non-boolean and its boolean constraint fails.
                if k >= 2 {
                    w = g.witness
                    var rest = Fr.zero
                    for i in 1..<k {
                        w[g.outputs[i]] = Bool.random(using: &rng) ? .one : .zero
                        rest += pow2(i) * w[g.outputs[i]]
                    }
                    let b0 = v - rest
                    w[g.outputs[0]] = b0
                    if b0 != .zero && b0 != .one {
                        XCTAssertEqual(assertViolated(g.system, w, "k=\(k) solved b0")?.label, "toBits[0].boolean")
                    }
                }
            }
        }
    }

    /// 5 = 1 + 2·2 + 0·4: a "bit" equal to 2 recomposes but is rejected by its boolean constraint.
    func testToBitsRejectsNonBooleanBitThatRecomposes() throws {
        let g = try makeInstance([Fr(5)]) { b, x in b.toBits(x[0], count: 4) }
        XCTAssertEqual(g.outputs.map { g.witness[$0] }, [.one, .zero, .one, .zero])
        var w = g.witness
        w[g.outputs[1]] = Fr(2)
        w[g.outputs[2]] = .zero
        let e = assertViolated(g.system, w)
        XCTAssertEqual(e?.label, "toBits[1].boolean")
        XCTAssertEqual(e?.a, Fr(2))
        XCTAssertEqual(e?.b, -Fr.one)
        // With -1 in the top "bit" and a compensating low part: 5 = 13 − 8.
        w = g.witness
        w[g.outputs[0]] = .one; w[g.outputs[1]] = .zero; w[g.outputs[2]] = .one; w[g.outputs[3]] = -Fr.one
        w[g.outputs[0]] = Fr(9)  // 9 + 4 − 8 = 5
        XCTAssertNotNil(assertViolated(g.system, w))
    }

    /// For every x < 16 exactly one boolean assignment of 4 bits satisfies toBits(x, 4): the binary one.
    func testToBitsUniqueExhaustive() throws {
        for x in 0..<16 {
            let g = try makeInstance([Fr(UInt64(x))]) { b, v in b.toBits(v[0], count: 4) }
            var satisfying: [Int] = []
            for mask in 0..<16 {
                var w = g.witness
                for i in 0..<4 { w[g.outputs[i]] = (mask >> i) & 1 == 1 ? .one : .zero }
                if g.system.isSatisfied(by: w) { satisfying.append(mask) }
            }
            XCTAssertEqual(satisfying, [x])
        }
    }

    /// Values ≥ 2^k: the honest witness fails and so does every boolean (and random) assignment.
    func testToBitsOfTooLargeValuesFailsForEveryAttempt() throws {
        var rng = CircuitTestRNG(seed: 0xB16)
        for (k, values) in [(4, [Fr(16), Fr(17), Fr(31), Fr(255), -Fr.one, -Fr(16)]), (8, [Fr(256), Fr(1000), -Fr.one, pow2(200)])] {
            for v in values {
                XCTAssertThrowsError(try CircuitBuilder.checkCircuit { b in _ = b.toBits(b.privateInput(v), count: k) }) { e in
                    XCTAssertEqual((e as? UnsatisfiedConstraint)?.label, "toBits.recompose")
                }
                let b = CircuitBuilder()
                let x = b.privateInput(v)
                let bits = b.toBits(x, count: k).map { b.wireIndex(of: $0) }
                let (system, witness, _) = b.build()
                for mask in 0..<(1 << k) {
                    var w = witness
                    for i in 0..<k { w[bits[i]] = (mask >> i) & 1 == 1 ? .one : .zero }
                    XCTAssertFalse(system.isSatisfied(by: w), "x=\(v) k=\(k) mask=\(mask)")
                }
                for _ in 0..<64 {
                    var w = witness
                    for i in 0..<k { w[bits[i]] = rng.field() }
                    XCTAssertFalse(system.isSatisfied(by: w))
                }
            }
        }
        // Large k: 2^253 and r − 1 do not fit in 253 bits.
        for v in [pow2(253), -Fr.one, pow2(253) + Fr(12345)] {
            XCTAssertThrowsError(try CircuitBuilder.checkCircuit { b in _ = b.toBits(b.privateInput(v), count: 253) })
            let b = CircuitBuilder()
            let bits = b.toBits(b.privateInput(v), count: 253).map { b.wireIndex(of: $0) }
            let (system, witness, _) = b.build()
            for _ in 0..<32 {
                var w = witness
                for i in 0..<253 { w[bits[i]] = Bool.random(using: &rng) ? .one : .zero }
                XCTAssertFalse(system.isSatisfied(by: w))
            }
            // All ones = 2^253 − 1 ≠ v.
            var w = witness
            for i in 0..<253 { w[bits[i]] = .one }
            XCTAssertFalse(system.isSatisfied(by: w))
        }
    }

    func testRangeCheck() throws {
        var rng = CircuitTestRNG(seed: 0x4A6E)
        for k in [1, 2, 8, 16, 31, 64, 100, 200, 252, 253] {
            let g = try makeInstance([pow2(k) - .one]) { b, x in b.rangeCheck(x[0], bits: k); return [] }
            XCTAssertEqual(g.system.constraintCount, k + 1)
            XCTAssertEqual(g.aux.count, k)
            _ = try makeInstance([.zero]) { b, x in b.rangeCheck(x[0], bits: k); return [] }
            _ = try makeInstance([rng.fieldBelowPowerOfTwo(k)]) { b, x in b.rangeCheck(x[0], bits: k); return [] }

            // 2^k is out of range: the honest witness fails ...
            XCTAssertThrowsError(try CircuitBuilder.checkCircuit { b in b.rangeCheck(b.privateInput(pow2(k)), bits: k) }) { e in
                XCTAssertEqual((e as? UnsatisfiedConstraint)?.label, "toBits.recompose", "k=\(k)")
            }
            // ... and so do forged bits: all ones (2^k − 1), all zeros, or a solved non-boolean low bit.
            var w = g.witness
            w[g.inputs[0]] = pow2(k)
            XCTAssertEqual(assertViolated(g.system, w, "k=\(k) all ones")?.label, "toBits.recompose")
            for i in g.aux { w[i] = .zero }
            XCTAssertEqual(assertViolated(g.system, w, "k=\(k) all zeros")?.label, "toBits.recompose")
            w[g.aux[0]] = pow2(k)
            XCTAssertEqual(assertViolated(g.system, w, "k=\(k) solved")?.label, "toBits[0].boolean")
        }
    }

    // MARK: isZero / isEqual / assertNonZero

    func testIsZero() throws {
        var rng = CircuitTestRNG(seed: 0x15_2E70)
        for v in [Fr.zero, .one, -Fr.one, Fr(12345), rng.field(), rng.field()] {
            let g = try makeInstance([v]) { b, x in [b.isZero(x[0])] }
            XCTAssertEqual(g.system.constraintCount, 2)
            XCTAssertEqual(g.aux.count, 1)
            let out = g.outputs[0], inv = g.aux[0]
            XCTAssertEqual(g.witness[out], v.isZero ? .one : .zero)

            // Flip the output and try to re-solve inv: 0, x⁻¹, (1 − out')/x and random values.
            let flipped = Fr.one - g.witness[out]
            var invCandidates: [Fr] = [.zero, .one, -Fr.one, rng.field(), rng.field()]
            if let i = v.inverse() { invCandidates += [i, (Fr.one - flipped) * i] }
            for candidate in invCandidates {
                var w = g.witness
                w[out] = flipped
                w[inv] = candidate
                XCTAssertNotNil(assertViolated(g.system, w, "x=\(v) out=\(flipped) inv=\(candidate)"))
            }
            // Non-boolean outputs, with inv solved from the first constraint where possible.
            for fake in [Fr(2), -Fr.one, rng.field()] {
                var w = g.witness
                w[out] = fake
                if let i = v.inverse() { w[inv] = (Fr.one - fake) * i }
                XCTAssertNotNil(assertViolated(g.system, w, "x=\(v) out=\(fake)"))
            }
            // x ≠ 0: the honest output with a wrong inverse also fails (inv is pinned to x⁻¹).
            if !v.isZero {
                var w = g.witness
                w[inv] = g.witness[inv] + .one
                XCTAssertEqual(assertViolated(g.system, w)?.label, "isZero.inverse")
            }
        }
        // Specifically: x ≠ 0 claiming out = 1 with inv = 0 violates x·out = 0.
        let g = try makeInstance([Fr(7)]) { b, x in [b.isZero(x[0])] }
        var w = g.witness
        w[g.outputs[0]] = .one
        w[g.aux[0]] = .zero
        XCTAssertEqual(assertViolated(g.system, w)?.label, "isZero.out")
        // On an expression: x − 5 for x = 5.
        let h = try makeInstance([Fr(5)]) { b, x in [b.isZero(x[0] - Fr(5))] }
        XCTAssertEqual(h.witness[h.outputs[0]], .one)
    }

    func testIsEqual() throws {
        var rng = CircuitTestRNG(seed: 0x15E0)
        let r = rng.field()
        for (a, c) in [(Fr(3), Fr(3)), (Fr(3), Fr(4)), (r, r), (r, rng.field()), (.zero, -Fr.one)] {
            let g = try makeInstance([a, c]) { b, x in [b.isEqual(x[0], x[1])] }
            XCTAssertEqual(g.system.constraintCount, 2)
            let out = g.outputs[0], inv = g.aux[0]
            XCTAssertEqual(g.witness[out], a == c ? .one : .zero)
            let flipped = Fr.one - g.witness[out]
            var invCandidates: [Fr] = [.zero, .one, rng.field()]
            if let i = (a - c).inverse() { invCandidates.append(i) }
            for candidate in invCandidates {
                var w = g.witness
                w[out] = flipped
                w[inv] = candidate
                XCTAssertNotNil(assertViolated(g.system, w))
            }
        }
    }

    func testAssertNonZero() throws {
        var rng = CircuitTestRNG(seed: 0x202E)
        for v in [Fr.one, -Fr.one, rng.field()] {
            let g = try makeInstance([v]) { b, x in b.assertNonZero(x[0]); return [] }
            XCTAssertEqual(g.system.constraintCount, 1)
            var w = g.witness
            w[g.aux[0]] = g.witness[g.aux[0]] + .one
            XCTAssertEqual(assertViolated(g.system, w)?.label, "assertNonZero")
        }
        XCTAssertThrowsError(try CircuitBuilder.checkCircuit { b in b.assertNonZero(b.privateInput(.zero)) }) { e in
            XCTAssertEqual((e as? UnsatisfiedConstraint)?.label, "assertNonZero")
        }
        let b = CircuitBuilder()
        let x = b.privateInput(.zero)
        b.assertNonZero(x)
        let (system, witness, _) = b.build()
        for candidate in [Fr.zero, .one, rng.field(), rng.field()] {
            var w = witness
            w[witness.count - 1] = candidate
            XCTAssertNotNil(assertViolated(system, w))
        }
    }

    // MARK: lessThan

    func testLessThanHonestAndForged() throws {
        var rng = CircuitTestRNG(seed: 0x1E55)
        for n in [1, 2, 8, 32, 64, 65, 128, 252] {
            let top = pow2(n) - .one
            var pairs: [(Fr, Fr)] = [(.zero, .zero), (.zero, top), (top, .zero), (top, top)]
            for _ in 0..<4 {
                let a = rng.fieldBelowPowerOfTwo(n), c = rng.fieldBelowPowerOfTwo(n)
                pairs += [(a, c), (a, a)]
                if n > 1 { pairs.append((a, a + .one == pow2(n) ? a : a + .one)) }
            }
            for (a, c) in pairs {
                let g = try makeInstance([a, c]) { b, x in [b.lessThan(x[0], x[1], bits: n)] }
                XCTAssertEqual(g.system.constraintCount, n + 2)
                XCTAssertEqual(g.aux.count, n)
                let out = g.outputs[0]
                let expected = lessThanInteger(a, c)
                XCTAssertEqual(g.witness[out], expected ? .one : .zero, "n=\(n) \(a) < \(c)")
                let flipped = Fr.one - g.witness[out]
                let d = a - c + pow2(n)

                // 1. Flip out, keep the low bits: recomposition fails.
                var w = g.witness
                w[out] = flipped
                XCTAssertEqual(assertViolated(g.system, w, "n=\(n) flip")?.label, "lessThan.recompose")

                // 2. Flip out, set the low bits to the low n bits of what the recomposition now needs.
                let needed = d - pow2(n) * (Fr.one - flipped)
                for i in 0..<n { w[g.aux[i]] = bitOf(needed, i) }
                XCTAssertNotNil(assertViolated(g.system, w, "n=\(n) flip + re-solved bits"))

                // 3. Flip out and absorb the difference in b₀ (all constraints but b₀'s boolean hold).
                w = g.witness
                w[out] = flipped
                var rest = Fr.zero
                for i in 1..<n { rest += pow2(i) * w[g.aux[i]] }
                w[g.aux[0]] = needed - rest
                XCTAssertEqual(assertViolated(g.system, w, "n=\(n) flip + solved b0")?.label, "lessThan.bits[0].boolean")

                // 4. A non-boolean output with b₀ solved.
                w = g.witness
                w[out] = Fr(2)
                w[g.aux[0]] = d - pow2(n) * (Fr.one - Fr(2)) - rest
                XCTAssertNotNil(assertViolated(g.system, w, "n=\(n) out = 2"))
            }
        }
    }

    /// n = 3: for every a, b < 8 exactly one boolean assignment of (b₀, b₁, b₂, out) satisfies the
    /// gadget, and its out is [a < b].
    func testLessThanUniqueExhaustive() throws {
        for a in 0..<8 {
            for c in 0..<8 {
                let g = try makeInstance([Fr(UInt64(a)), Fr(UInt64(c))]) { b, x in [b.lessThan(x[0], x[1], bits: 3)] }
                let wires = g.aux + g.outputs
                XCTAssertEqual(wires.count, 4)
                var outs: [Fr] = []
                for mask in 0..<16 {
                    var w = g.witness
                    for i in 0..<4 { w[wires[i]] = (mask >> i) & 1 == 1 ? .one : .zero }
                    if g.system.isSatisfied(by: w) { outs.append(w[g.outputs[0]]) }
                }
                XCTAssertEqual(outs, [a < c ? .one : .zero], "a=\(a) b=\(c)")
            }
        }
    }

    func testLessThanChecked() throws {
        var rng = CircuitTestRNG(seed: 0x1E5C)
        for n in [4, 16, 64, 252] {
            let a = rng.fieldBelowPowerOfTwo(n), c = rng.fieldBelowPowerOfTwo(n)
            let g = try makeInstance([a, c]) { b, x in [b.lessThanChecked(x[0], x[1], bits: n)] }
            XCTAssertEqual(g.system.constraintCount, 3 * n + 4)
            XCTAssertEqual(g.witness[g.outputs[0]], lessThanInteger(a, c) ? .one : .zero)
            // Out-of-range operands are rejected by the range checks.
            for (x, y) in [(pow2(n), Fr.zero), (Fr.zero, pow2(n)), (-Fr.one, Fr(1))] {
                XCTAssertThrowsError(try CircuitBuilder.checkCircuit { b in
                    _ = b.lessThanChecked(b.privateInput(x), b.privateInput(y), bits: n)
                }) { e in
                    XCTAssertEqual((e as? UnsatisfiedConstraint)?.label, "toBits.recompose")
                }
            }
        }
    }

    // MARK: select

    func testSelect() throws {
        var rng = CircuitTestRNG(seed: 0x5E1E)
        for cond in [Fr.zero, .one] {
            let t = rng.field(), f = rng.field()
            let g = try makeInstance([cond, t, f]) { b, x in [b.select(x[0], x[1], x[2])] }
            XCTAssertEqual(g.system.constraintCount, 2)
            XCTAssertTrue(g.aux.isEmpty)
            let out = g.outputs[0]
            XCTAssertEqual(g.witness[out], cond.isOne ? t : f)
            // The other branch, or any other value, fails.
            for fake in [cond.isOne ? f : t, rng.field(), g.witness[out] + .one] {
                var w = g.witness
                w[out] = fake
                XCTAssertEqual(assertViolated(g.system, w)?.label, "select")
            }
            // A non-boolean condition with the output solved to match: the condition's boolean
            // constraint rejects it.
            for fakeCond in [Fr(2), -Fr.one, rng.field()] {
                var w = g.witness
                w[g.inputs[0]] = fakeCond
                w[out] = f + fakeCond * (t - f)
                XCTAssertEqual(assertViolated(g.system, w)?.label, "select.condition.boolean")
            }
        }
        XCTAssertThrowsError(try CircuitBuilder.checkCircuit { b in
            _ = b.select(b.privateInput(Fr(2)), b.privateInput(Fr(10)), b.privateInput(Fr(20)))
        }) { e in
            XCTAssertEqual((e as? UnsatisfiedConstraint)?.label, "select.condition.boolean")
        }
        // Selecting between expressions with a gadget-produced condition.
        _ = try CircuitBuilder.checkCircuit { b in
            let x = b.privateInput(Fr(9)), y = b.privateInput(Fr(4))
            let lt = b.lessThanChecked(x, y, bits: 8)
            let m = b.select(lt, x, y)  // min(x, y)
            b.assertEqual(m, LinearExpression.constant(Fr(4)))
        }
    }
}
