import XCTest
import ZKAlgebra
import ZKFormats
import ZKCeremony

/// The remaining ceremony vectors: the circom multiplier pair (copied with the groth16 fixtures) and
/// the larger sets (pot12 phase 1, Hermez power 11), copied into Fixtures like the others.
final class SharedVectorTests: XCTestCase {
    /// `../shared/vectors/groth16/circom-multiplier-circuit-0x79de`: 0000 → 0001 is a one-contribution chain.
    func testCircomMultiplierPairIsOneContributionChain() throws {
        let dir = CeremonyFixtures.local.appendingPathComponent("../../ZKFormatsTests/Fixtures/groth16/circom-multiplier-circuit-0x79de").standardized
        let initial = try PhaseTwoKey(bytes: [UInt8](Data(contentsOf: dir.appendingPathComponent("multiplier2_0000.zkey"))))
        let final = try PhaseTwoKey(bytes: [UInt8](Data(contentsOf: dir.appendingPathComponent("multiplier2_0001.zkey"))))
        let report = try PhaseTwo.verify(initial: initial, final: final)
        XCTAssertEqual(report.contributions.count, 1)
        // Backwards is not a chain.
        XCTAssertThrowsError(try PhaseTwo.verify(initial: final, final: initial))
    }

    /// The snarkjs README flow: four phase-2 contributions (#3 imported from bellman, #4 a beacon).
    func testReadmeFlowPhaseTwoChain() throws {
        let initial = try PhaseTwoKey(bytes: CeremonyFixtures.bytes("pot12-readme", "circuit_0000.zkey"))
        let final = try PhaseTwoKey(bytes: CeremonyFixtures.bytes("pot12-readme", "circuit_final.zkey"))
        let report = try PhaseTwo.verify(initial: initial, final: final)
        XCTAssertEqual(report.contributions.map(\.name), ["1st Contributor Name", "Second contribution Name", "Third contribution name", "Final Beacon phase2"])
        XCTAssertEqual(report.contributions[3].iterationsExp, 10)
        // `zkey beacon` is deterministic: the same beacon on 0003 gives the final key byte for byte.
        let three = try PhaseTwoKey(bytes: CeremonyFixtures.bytes("pot12-readme", "circuit_0003.zkey"))
        let again = try PhaseTwo.beacon(three, name: "Final Beacon phase2", beaconHash: bytes(fromHex: "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")!, iterationsExp: 10)
        let a = try PhaseTwoKey(bytes: again.bytes)
        for s: UInt32 in 1...10 { XCTAssertTrue(a.section(s) == final.section(s), "section \(s)") }
        // Each earlier key is a valid prefix of the chain; a key is not its own successor's initial key.
        for name in ["circuit_0001.zkey", "circuit_0002.zkey", "circuit_0003.zkey"] {
            XCTAssertNoThrow(try PhaseTwo.verify(initial: initial, final: PhaseTwoKey(bytes: CeremonyFixtures.bytes("pot12-readme", name))))
        }
        XCTAssertThrowsError(try PhaseTwo.verify(initial: PhaseTwoKey(bytes: CeremonyFixtures.bytes("pot12-readme", "circuit_0001.zkey")), final: final))
    }

    func testReadmeFlowPhaseOneAndInitialKey() throws {
        let set = "pot12-phase1"
        let beacon = try PowersOfTau(bytes: CeremonyFixtures.bytes(set, "pot12_beacon.ptau"))
        let report = try PhaseOne.verify(beacon)
        XCTAssertEqual(report.contributions.map(\.name), ["First contribution", "Second contribution", "Third contribution name", "Final Beacon"])
        // The beacon step is deterministic.
        let three = try PowersOfTau(bytes: CeremonyFixtures.bytes(set, "pot12_0003.ptau"))
        let again = try PhaseOne.beacon(three, name: "Final Beacon", beaconHash: bytes(fromHex: "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")!, iterationsExp: 10)
        let b = try PowersOfTau(bytes: again.bytes)
        for s: UInt32 in 1...6 { XCTAssertTrue(b.bytes[b.range(s)] == beacon.bytes[beacon.range(s)], "section \(s)") }
        XCTAssertEqual(b.contributions.last?.key, beacon.contributions.last?.key)
        XCTAssertEqual(b.contributions.last?.nextChallenge, beacon.contributions.last?.nextChallenge)
        // `export challenge` starts with the response hash of contribution #2, finished from its partial state.
        let challenge = try CeremonyFixtures.bytes(set, "challenge_0003")
        XCTAssertEqual(hexString(challenge.prefix(64)), hexString(report.contributions[1].responseHash))
        // pot12_final.ptau is missing upstream: regenerate it (prepare is deterministic) and rebuild 0000.zkey from it.
        let final = try PowersOfTau(bytes: PhaseOne.prepare(beacon))
        let r1cs = try R1CSFile(bytes: CeremonyFixtures.bytes("pot12-readme", "circuit.r1cs"))
        // (snarkjs of January 2023 still hashed the identity as 0x40…: the legacy circuit hash.)
        let ours = try PhaseTwo.initialKey(r1cs: r1cs, ptau: final)
        let o = try PhaseTwoKey(bytes: ours.bytes), e = try PhaseTwoKey(bytes: CeremonyFixtures.bytes("pot12-readme", "circuit_0000.zkey"))
        for s: UInt32 in 1...9 { XCTAssertTrue(o.section(s) == e.section(s), "section \(s)") }
        XCTAssertEqual(hexString(ours.legacyCircuitHash), hexString(e.circuitHash))
        XCTAssertEqual(try PhaseTwo.verify(r1cs: r1cs, ptau: final, final: PhaseTwoKey(bytes: CeremonyFixtures.bytes("pot12-readme", "circuit_final.zkey"))).contributions.count, 4)
    }

    func testBeaconOnBlankFileIsByteForByte() throws {
        let blank = try PowersOfTau(bytes: CeremonyFixtures.bytes("pot12-phase1", "pot12_0000.ptau"))
        let expected = try CeremonyFixtures.bytes("pot12-beacon-blank", "pot12_beacon.ptau")
        let ours = try PhaseOne.beacon(blank, name: nil, beaconHash: bytes(fromHex: "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")!, iterationsExp: 10)
        // Identical except stale bytes of the stored BLAKE2b buffer (past its fill count c): this file
        // was written by a snarkjs on blake2b-wasm, which buffers differently from @noble/hashes
        // (what snarkjs uses now, and the pot10 beacon file was written with: byte for byte there).
        XCTAssertEqual(ours.bytes.count, expected.count)
        let o = try PowersOfTau(bytes: ours.bytes), e = try PowersOfTau(bytes: expected)
        for s: UInt32 in 1...6 { XCTAssertTrue(o.bytes[o.range(s)] == e.bytes[e.range(s)], "section \(s)") }
        let (a, b) = (o.contributions[0], e.contributions[0])
        XCTAssertEqual(a.key, b.key)
        XCTAssertEqual(a.nextChallenge, b.nextChallenge)
        XCTAssertEqual(a.responseHash, b.responseHash)
        let c = Int(b.partialHash[200])
        XCTAssertEqual(a.partialHash[0..<c], b.partialHash[0..<c])
        XCTAssertEqual(a.partialHash[128...], b.partialHash[128...])
        let differing = (0..<ours.bytes.count).filter { ours.bytes[$0] != expected[$0] }
        XCTAssertLessThanOrEqual(differing.count, 128 - c)
        XCTAssertEqual(try PhaseOne.verify(PowersOfTau(bytes: expected)).contributions.count, 1)
    }

    func testQuotientSetChainAndInitialKey() throws {
        let set = "pot9"
        let ptau = try PowersOfTau(bytes: CeremonyFixtures.bytes(set, "pot9_final.ptau"))
        XCTAssertEqual(try PhaseOne.verify(ptau).contributions.map(\.name), ["First contribution"])
        XCTAssertTrue(try PhaseOne.prepare(PowersOfTau(bytes: CeremonyFixtures.bytes(set, "pot9_0001.ptau"))) == ptau.bytes)
        let r1cs = try R1CSFile(bytes: CeremonyFixtures.bytes(set, "main.r1cs"))
        let initial = try PhaseTwo.initialKey(r1cs: r1cs, ptau: ptau)
        let expected = try PhaseTwoKey(bytes: CeremonyFixtures.bytes(set, "main_0000.zkey"))
        let o = try PhaseTwoKey(bytes: initial.bytes)
        for s: UInt32 in 1...9 { XCTAssertTrue(o.section(s) == expected.section(s), "section \(s)") }
        XCTAssertTrue([hexString(initial.legacyCircuitHash), hexString(o.circuitHash)].contains(hexString(expected.circuitHash)))
        let report = try PhaseTwo.verify(r1cs: r1cs, ptau: ptau, final: PhaseTwoKey(bytes: CeremonyFixtures.bytes(set, "main_0001.zkey")))
        XCTAssertEqual(report.contributions.map(\.name), ["abc"])
    }

    func testPowerEightPrepareIsByteForByte() throws {
        let set = "pot8"
        let one = try PowersOfTau(bytes: CeremonyFixtures.bytes(set, "pot8_0001.ptau"))
        XCTAssertTrue(try PhaseOne.prepare(one) == (try CeremonyFixtures.bytes(set, "pot8_final.ptau")))
    }

    /// Every next challenge and response hash snarkjs printed for the Hermez files (the `snarkjs ptv` log
    /// of the Hermez transcripts, snarkjs 0.3.60): the contributions section is shared by every truncation.
    func testHermezPrintedTranscript() throws {
        let ptau = try PowersOfTau(bytes: CeremonyFixtures.bytes("hermez-pot09", "powersOfTau28_hez_final_09.ptau"))
        let report = try PhaseOne.verify(ptau)
        let log = String(decoding: try CeremonyFixtures.bytes("hermez-transcripts", "zkopru-server-log.txt"), as: UTF8.self)
            .filter { !$0.isWhitespace }
        for c in report.contributions {
            XCTAssertTrue(log.contains(hexString(c.nextChallenge)), "next challenge of #\(c.index)")
            XCTAssertTrue(log.contains(hexString(c.responseHash)), "response hash of #\(c.index)")
        }
        XCTAssertTrue(log.contains(hexString(PhaseOne.firstChallengeHash28)))
    }

    func testHermezPowerEleven() throws {
        let set = "hermez-pot11"
        let ptau = try PowersOfTau(bytes: CeremonyFixtures.bytes(set, "powersOfTau28_hez_final_11.ptau"))
        XCTAssertEqual(try PhaseOne.verify(ptau).contributions.count, 55)
        let r1cs = try R1CSFile(bytes: CeremonyFixtures.bytes(set, "prove.r1cs"))
        let final = try PhaseTwoKey(bytes: CeremonyFixtures.bytes(set, "prove_1.zkey"))
        XCTAssertEqual(try PhaseTwo.verify(r1cs: r1cs, ptau: ptau, final: final).contributions.count, 1)
    }
}
