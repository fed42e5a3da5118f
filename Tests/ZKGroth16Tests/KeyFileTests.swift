import Foundation
import XCTest
import ZKAlgebra
import ZKGroth16
import ZKSodium

final class KeyFileTests: XCTestCase {
    func testRoundTripAndProve() throws {
        let (system, witness) = SyntheticCircuits.squareChain(count: 50, publicCount: 2)
        let pk = try Groth16.setup(system)
        let bytes = ProvingKeyFile.serialize(pk)
        let loaded = try ProvingKeyFile.parse(bytes)
        XCTAssertEqual(loaded.a, pk.a)
        XCTAssertEqual(loaded.b2, pk.b2)
        XCTAssertEqual(loaded.h, pk.h)
        XCTAssertEqual(loaded.matrixA, pk.matrixA)
        XCTAssertEqual(loaded.matrixB, pk.matrixB)
        XCTAssertEqual(loaded.verificationKey, pk.verificationKey)
        XCTAssertEqual(ProvingKeyFile.serialize(loaded), bytes)
        let proof = try Groth16.prove(loaded, witness: witness)
        XCTAssertTrue(try Groth16.verify(pk.verificationKey, proof: proof, publicInputs: Array(witness[1...2])))
        // Through a file, written atomically.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-test-\(UUID().uuidString).key")
        defer { try? FileManager.default.removeItem(at: url) }
        try ProvingKeyFile.write(pk, to: url)
        XCTAssertEqual(try ProvingKeyFile.read(from: url).verificationKey, pk.verificationKey)
    }

    /// Re-seals a modified body with a valid digest so the structural checks are exercised.
    func reseal(_ body: [UInt8]) -> [UInt8] { body + (try! Sodium.blake2b(body, outputLength: 32)) }

    func testMalformedFilesAreRejected() throws {
        let (system, _) = SyntheticCircuits.squareChain(count: 4, publicCount: 1)
        let bytes = ProvingKeyFile.serialize(try Groth16.setup(system))
        let body = Array(bytes.dropLast(32))
        // Every truncation fails cleanly.
        for n in stride(from: 0, to: bytes.count, by: 7) { XCTAssertThrowsError(try ProvingKeyFile.parse(Array(bytes.prefix(n)))) }
        // Any flipped byte breaks the digest.
        for i in stride(from: 0, to: bytes.count, by: 97) {
            var b = bytes; b[i] ^= 0x40
            XCTAssertThrowsError(try ProvingKeyFile.parse(b))
        }
        func expect(_ b: [UInt8], _ check: (KeyFileError) -> Bool, line: UInt = #line) {
            do { _ = try ProvingKeyFile.parse(b); XCTFail("accepted", line: line) } catch let e as KeyFileError {
                XCTAssertTrue(check(e), "\(e)", line: line)
            } catch { XCTFail("\(error)", line: line) }
        }
        var wrongMagic = bytes; wrongMagic[0] = 0x41
        expect(wrongMagic) { $0 == .badMagic }
        var version = body; version[8] = 9
        expect(reseal(version)) { $0 == .unsupportedVersion(9) }
        var curve = body; curve[12] = 2
        expect(reseal(curve)) { $0 == .unsupportedCurve(2) }
        // Huge declared sizes: rejected before any allocation.
        var huge = body; for i in 20..<24 { huge[i] = 0xff }  // wireCount
        expect(reseal(huge)) { if case .inconsistentHeader = $0 { return true }; if case .truncated = $0 { return true }; return false }
        var hugeA = body; for i in 28..<36 { hugeA[i] = 0xff }
        expect(reseal(hugeA)) { if case .truncated = $0 { return true }; return false }
        // Counts just below Int.max / 40 each: the sum times 40 would overflow if not bounded first.
        var overflow = body
        let nearMax = UInt64(Int.max / 40)
        for k in 0..<8 { overflow[28 + k] = UInt8(truncatingIfNeeded: nearMax >> (8 * UInt64(k))); overflow[36 + k] = overflow[28 + k] }
        expect(reseal(overflow)) { if case .truncated = $0 { return true }; return false }
        var domain = body; domain[24] = 3
        expect(reseal(domain)) { if case .inconsistentHeader = $0 { return true }; return false }
        expect(reseal(body + [0])) { $0 == .trailingBytes(1) }
        // A coordinate ≥ q and a point off the curve (alpha1 starts at byte 44).
        var big = body; for i in 44..<76 { big[i] = 0xff }
        expect(reseal(big)) { if case .coordinateNotCanonical = $0 { return true }; return false }
        var off = body; off[44] ^= 1
        expect(reseal(off)) { $0 == .pointNotOnCurve("alpha1") }
    }
}
