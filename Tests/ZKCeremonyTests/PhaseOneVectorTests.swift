import XCTest
import ZKAlgebra
import ZKFormats
import ZKCeremony

/// Phase 1 against files written by snarkjs (see Fixtures/PROVENANCE.md).
final class PhaseOneVectorTests: XCTestCase {
    func testNewIsByteForByteSnarkjs() throws {
        XCTAssertTrue(try PhaseOne.newFile(power: 10) == CeremonyFixtures.bytes("pot10-age", "pot10_0000.ptau"))
    }

    func testContributionChainVerifiesAndPrepareIsByteForByte() throws {
        let one = try PowersOfTau(bytes: CeremonyFixtures.bytes("pot10-age", "pot10_0001.ptau"))
        let report = try PhaseOne.verify(one)
        XCTAssertEqual(report.contributions.map(\.name), ["Test"])
        XCTAssertFalse(report.prepared)
        XCTAssertEqual(report.nextChallenge, one.contributions[0].nextChallenge)
        // The first challenge of a blank power-10 file is what contribution #1 answered.
        XCTAssertEqual(report.contributions[0].previousChallenge, PhaseOne.firstChallengeHash(power: 10))
        let prepared = try PhaseOne.prepare(one)
        let expected = try CeremonyFixtures.bytes("pot10-age", "pot10_final.ptau")
        let p = try PowersOfTau(bytes: prepared), e = try PowersOfTau(bytes: expected)
        for s: UInt32 in [1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15] {
            XCTAssertTrue(p.bytes[p.range(s)] == e.bytes[e.range(s)], "section \(s)")
        }
        XCTAssertTrue(prepared == expected)
        XCTAssertTrue(try PhaseOne.verify(e).prepared)
    }

    func testBeaconIsByteForByteSnarkjs() throws {
        let one = try PowersOfTau(bytes: CeremonyFixtures.bytes("pot10-beacon", "pot10_0001.ptau"))
        let expected = try PowersOfTau(bytes: CeremonyFixtures.bytes("pot10-beacon", "pot10_beacon.ptau"))
        let hash = bytes(fromHex: "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")!
        XCTAssertEqual(expected.contributions.last?.beaconHash, hash)
        let ours = try PhaseOne.beacon(one, name: "Final Beacon", beaconHash: hash, iterationsExp: 10)
        let o = try PowersOfTau(bytes: ours.bytes)
        for s: UInt32 in 1...6 { XCTAssertTrue(o.bytes[o.range(s)] == expected.bytes[expected.range(s)], "section \(s)") }
        XCTAssertEqual(o.contributions.last?.key, expected.contributions.last?.key)
        XCTAssertEqual(hexString(o.contributions.last!.nextChallenge), hexString(expected.contributions.last!.nextChallenge))
        XCTAssertEqual(hexString(o.contributions.last!.responseHash), hexString(expected.contributions.last!.responseHash))
        XCTAssertEqual(hexString(o.contributions.last!.partialHash), hexString(expected.contributions.last!.partialHash))
        XCTAssertTrue(ours.bytes == expected.bytes)
        let report = try PhaseOne.verify(expected)
        XCTAssertEqual(report.contributions.last?.beaconHash, hexString(hash))
    }

    /// The real Hermez file: 54 Perpetual Powers of Tau contributions and a beacon, reduced to
    /// power 9 of a 2^28 ceremony (so the file-hash check is skipped, as snarkjs does).
    func testHermezPowerNineVerifies() throws {
        let ptau = try PowersOfTau(bytes: CeremonyFixtures.bytes("hermez-pot09", "powersOfTau28_hez_final_09.ptau"))
        XCTAssertEqual(ptau.power, 9)
        XCTAssertEqual(ptau.ceremonyPower, 28)
        let report = try PhaseOne.verify(ptau)
        XCTAssertEqual(report.contributions.count, 55)
        XCTAssertEqual(report.contributions.first?.name, "weijie")
        XCTAssertEqual(report.contributions.last?.beaconHash, "e586fccaf245c9a1d7e78294d4802018f3001149a71b8f10cd997ef8235aa372")
        XCTAssertTrue(report.prepared)
        // snarkjs printed contribution #1's hashes in the zkopru log (hermez-transcripts).
        XCTAssertTrue(formatSnarkjsHash(report.contributions[0].nextChallenge).contains("5e72e26e 38b46d06 7b797eb5 929e18e7"))
        XCTAssertTrue(formatSnarkjsHash(report.contributions[0].responseHash).contains("398b99a4 3f0214e0 2b7483ea 96b8ac0d"))
    }
}
