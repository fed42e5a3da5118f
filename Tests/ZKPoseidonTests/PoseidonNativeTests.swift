import Dispatch
import XCTest
import ZKAlgebra
import ZKPoseidon

final class PoseidonNativeTests: XCTestCase {
    // MARK: Known answers

    func testFixtureHashes() throws {
        let fixture = try CircomlibPoseidonFixture.load()
        XCTAssertEqual(fixture.cases.count, 4)
        for c in fixture.cases {
            let inputs = c.inputs.map { fr($0) }
            XCTAssertEqual(c.t, inputs.count + 1)
            XCTAssertEqual(try Poseidon.hash(inputs), fr(hex: c.hash_hex), "t = \(c.t)")
        }
    }

    func testFixturePermutationWidth3() throws {
        let fixture = try CircomlibPoseidonFixture.load()
        var state = [Fr(0), Fr(1), Fr(2)]
        try Poseidon.permute(&state)
        XCTAssertEqual(state, fixture.permutation_t3_input_0_1_2.map { fr(hex: $0) })
    }

    func testPublishedHashesOfOneToN() throws {
        for n in 1...16 {
            let inputs = (1...n).map { Fr(UInt64($0)) }
            XCTAssertEqual(try Poseidon.hash(inputs), fr(publishedHashesOneToN[n - 1]), "n = \(n)")
        }
    }

    /// circomlibjs `test/poseidon.js` vectors with a non-zero initial state and several outputs
    /// (`poseidon(inputs, initState, nOut)` = the first nOut lanes of the permutation of [initState, inputs…]).
    func testPublishedInitialStateAndOutputLanes() throws {
        func lanes(_ initState: UInt64, _ inputs: [UInt64]) throws -> [Fr] {
            var s = [Fr(initState)] + inputs.map { Fr($0) }
            try Poseidon.permute(&s)
            return s
        }
        XCTAssertEqual(try lanes(7, [1, 2, 3, 4])[0],
                       fr("1569211601569591254857354699102545060324851338714426496554851741114291465006"))
        XCTAssertEqual(try lanes(17, Array(1...16))[0],
                       fr("7865037705064445207187340054656830232157001572238023180016026650118519857086"))
        XCTAssertEqual(try lanes(0, [1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0])[0],
                       fr("11882816200654282475720830292386643970958445617880627439994635298904836126497"))
        XCTAssertEqual(try lanes(0, [1, 2])[1],
                       fr("7142104613055408817911962100316808866448378443474503659992478482890339429929"))
        XCTAssertEqual(Array(try lanes(0, [1, 2, 0, 0, 0])[0..<3]), [
            fr("1018317224307729531995786483840663576608797660851238720571059489595066344487"),
            fr("1268987460374965117190107941866588409937190018195924754936306024116268626868"),
            fr("8783366202813713093021184624438037804022412226788318946130389248546914776762"),
        ])
        let s17 = try lanes(17, Array(1...16))
        XCTAssertEqual(s17[14], fr("3767094797637425204201844274463024412131937665868967358407323347727519975724"))
        XCTAssertEqual(s17[15], fr("11046361685833871233801453306150294246339755171874771935347992312124050338976"))
    }

    // MARK: Generated constants

    /// Constants published with circomlib's tables (and asserted in light-poseidon / poseidon-rs tests).
    func testGrainConstantsMatchCircomlib() throws {
        let p3 = try Poseidon.parameters(width: 3)
        XCTAssertEqual(p3.roundConstants.first, fr(hex: "0x0ee9a592ba9a9518d05986d656f40c2114c4993c11bb29938d21d47304cd8e6e"))
        XCTAssertEqual(p3.roundConstants.last, fr(hex: "0x1da55cc900f0d21f4a3e694391918a1b3c23b2ac773c6b3ef88e2e4228325161"))
        XCTAssertEqual(p3.mdsEntry(row: 0, column: 0), fr(hex: "0x109b7f411ba0e4c9b2b70caf5c36a7b194be7c11ad24378bfedb68592ba8118b"))
        XCTAssertEqual(p3.mdsEntry(row: 0, column: 1), fr(hex: "0x16ed41e13bb9c0c66ae119424fddbcbc9314dc9fdbdeea55d6c64543dc4903e0"))

        let p2 = try Poseidon.parameters(width: 2)
        XCTAssertEqual(p2.roundConstants[0], fr(hex: "0x09c46e9ec68e9bd4fe1faaba294cba38a71aa177534cdd1b6c7dc0dbd0abd7a7"))
        XCTAssertEqual(p2.roundConstants[1], fr(hex: "0x0c0356530896eec42a97ed937f3135cfc5142b3ae405b8343c1d83ffa604cb81"))
        XCTAssertEqual(p2.mdsEntry(row: 0, column: 0), fr(hex: "0x066f6f85d6f68a85ec10345351a23a3aaf07f38af8c952a7bceca70bd2af7ad5"))

        let p9 = try Poseidon.parameters(width: 9)
        XCTAssertEqual(p9.roundConstants[0], fr(hex: "0x2088ce9534577bf38be7bc457f2756d558d66e0c07b9cc001a580bd42cda0e77"))
        XCTAssertEqual(p9.mdsEntry(row: 0, column: 0), fr(hex: "0x0190f922d97c8a7dcf0a142a3be27749d1c64bc22f1c556aaa24925d158cac56"))
    }

    func testParameterShapes() throws {
        let expectedRP = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68]
        for t in 2...17 {
            let p = try Poseidon.parameters(width: t)
            XCTAssertEqual(p.width, t)
            XCTAssertEqual(p.fullRounds, 8)
            XCTAssertEqual(p.partialRounds, expectedRP[t - 2])
            XCTAssertEqual(Poseidon.partialRounds(width: t), expectedRP[t - 2])
            XCTAssertEqual(p.roundConstants.count, (8 + expectedRP[t - 2]) * t)
            XCTAssertEqual(p.mds.count, t * t)
            XCTAssertEqual(Set(p.mds).count, t * t, "Cauchy entries of t = \(t) are distinct")
            XCTAssertFalse(p.mds.contains(.zero))
            // Cauchy structure: 1/M[i][j] − 1/M[i][k] = y_j − y_k does not depend on i.
            let inv = p.mds.map { $0.inverse()! }
            for i in 1..<t {
                for j in 1..<t {
                    XCTAssertEqual(inv[i * t + j] - inv[i * t], inv[j] - inv[0], "t = \(t) i = \(i) j = \(j)")
                }
            }
            // Same parameters on every request (cache).
            XCTAssertEqual(try Poseidon.parameters(width: t), p)
        }
        XCTAssertNil(Poseidon.partialRounds(width: 1))
        XCTAssertNil(Poseidon.partialRounds(width: 18))
    }

    /// The generator is deterministic: a fresh generation equals the cached one.
    func testGenerationIsDeterministic() throws {
        for t in [2, 5, 17] {
            XCTAssertEqual(try PoseidonParameters.generate(width: t), try Poseidon.parameters(width: t))
        }
    }

    // MARK: Errors

    func testInputCountErrors() {
        XCTAssertThrowsError(try Poseidon.hash([])) { XCTAssertEqual($0 as? PoseidonError, .invalidInputCount(0)) }
        XCTAssertThrowsError(try Poseidon.hash([Fr](repeating: .one, count: 17))) {
            XCTAssertEqual($0 as? PoseidonError, .invalidInputCount(17))
        }
        for width in [0, 1, 18] {
            var s = [Fr](repeating: .one, count: width)
            XCTAssertThrowsError(try Poseidon.permute(&s)) { XCTAssertEqual($0 as? PoseidonError, .invalidStateWidth(width)) }
            XCTAssertEqual(s, [Fr](repeating: .one, count: width), "state untouched")
            XCTAssertThrowsError(try Poseidon.parameters(width: width))
        }
        XCTAssertEqual(PoseidonError.invalidInputCount(0).description, "Poseidon hash takes 1...16 inputs, got 0")
    }

    // MARK: hashMany

    /// hashMany is the documented chain, written out with `permute`.
    func testHashManyMatchesItsDefinition() throws {
        var rng = PoseidonTestRNG(seed: 7)
        for n in [0, 1, 15, 16, 17, 32, 33, 100] {
            let values = rng.fields(n)
            var h = Fr(2).power(64) + Fr(UInt64(n))
            var j = 0
            repeat {
                var s = [h] + (0..<16).map { j * 16 + $0 < n ? values[j * 16 + $0] : .zero }
                try Poseidon.permute(&s)
                h = s[0]
                j += 1
            } while j * 16 < n
            XCTAssertEqual(Poseidon.hashMany(values), h, "n = \(n)")
        }
    }

    func testHashManySeparatesLengthsAndDomains() throws {
        let zero = Fr.zero, one = Fr.one
        let outputs = [
            Poseidon.hashMany([]), Poseidon.hashMany([zero]), Poseidon.hashMany([zero, zero]),
            Poseidon.hashMany([one]), Poseidon.hashMany([one, zero]),
            Poseidon.hashMany([Fr](repeating: zero, count: 16)), Poseidon.hashMany([Fr](repeating: zero, count: 17)),
            try Poseidon.hash([Fr](repeating: zero, count: 16)), try Poseidon.hash([one]),
        ]
        XCTAssertEqual(Set(outputs).count, outputs.count)
        // One block = circomlibjs poseidon(block, initState = 2^64 + n).
        var s = [Fr(2).power(64) + Fr(2), Fr(5), Fr(6)] + [Fr](repeating: .zero, count: 14)
        try Poseidon.permute(&s)
        XCTAssertEqual(Poseidon.hashMany([Fr(5), Fr(6)]), s[0])
    }

    // MARK: Concurrency

    /// Parameters are generated lazily under a lock; concurrent first use gives the same results.
    func testConcurrentUse() throws {
        var rng = PoseidonTestRNG(seed: 99)
        let inputs = (1...16).map { rng.fields($0) }
        let expected = try inputs.map { try Poseidon.hash($0) }
        let results = UnsafeMutableBufferPointer<Fr>.allocate(capacity: 64)
        defer { results.deallocate() }
        results.initialize(repeating: .zero)
        nonisolated(unsafe) let out = results
        DispatchQueue.concurrentPerform(iterations: 64) { k in
            out[k] = (try? Poseidon.hash(inputs[k % 16])) ?? .zero
        }
        for k in 0..<64 { XCTAssertEqual(results[k], expected[k % 16]) }
    }
}
