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

    /// `read(from:)` (positioned reads, the digest streamed, points read straight into their arrays) against
    /// `parse` on the same bytes: the same key, or the same error, for the file, every prefix, corruptions both with
    /// the digest broken and re-sealed, and a matrix large enough to take several reads.
    func testFileReaderEqualsInMemoryParser() throws {
        let (system, _) = SyntheticCircuits.squareChain(count: 33_000, publicCount: 2)
        let pk = try Groth16.setup(system, threads: 2)
        let bytes = ProvingKeyFile.serialize(pk)
        XCTAssertGreaterThan(pk.matrixA.count, 1 << 15)  // the matrix reader's piece size
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-keyfile-\(UUID().uuidString).key")
        defer { try? FileManager.default.removeItem(at: url) }
        func same(_ b: [UInt8], _ what: String) throws {
            try Data(b).write(to: url)
            let memory = Result { try ProvingKeyFile.parse(b, threads: 2) }
            let file = Result { try ProvingKeyFile.read(from: url, threads: 3) }
            switch (memory, file) {
            case let (.success(x), .success(y)):
                XCTAssertEqual(x.a, y.a, what); XCTAssertEqual(x.b1, y.b1, what); XCTAssertEqual(x.b2, y.b2, what)
                XCTAssertEqual(x.c, y.c, what); XCTAssertEqual(x.h, y.h, what)
                XCTAssertEqual(x.matrixA, y.matrixA, what); XCTAssertEqual(x.matrixB, y.matrixB, what)
                XCTAssertEqual(x.verificationKey, y.verificationKey, what)
                XCTAssertEqual([x.alpha1, x.beta1, x.delta1], [y.alpha1, y.beta1, y.delta1], what)
            case let (.failure(x), .failure(y)): XCTAssertEqual(x as? KeyFileError, y as? KeyFileError, "\(what): \(x) / \(y)")
            default: XCTFail("\(what): in memory \(memory), from the file \(file)")
            }
        }
        try same(bytes, "the key")
        XCTAssertEqual(ProvingKeyFile.serialize(try ProvingKeyFile.read(from: url)), bytes)
        for n in [0, 7, 8, 40, 500, bytes.count / 3, bytes.count - 33, bytes.count - 1] { try same(Array(bytes.prefix(n)), "prefix \(n)") }
        let body = Array(bytes.dropLast(32))
        var rng = SplitMix64(seed: 4018)
        for _ in 0..<12 {
            var b = body
            let i = 8 + Int(rng.next() % UInt64(b.count - 8))
            b[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            try same(b + Array(bytes.suffix(32)), "byte \(i), digest broken")
            try same(reseal(b), "byte \(i), re-sealed")
        }
        // A coordinate ≥ q in the B2 section and a matrix value ≥ r in the second read of A's entries, re-sealed.
        let b2Start = body.count - (pk.matrixA.count + pk.matrixB.count) * 40 - (pk.h.count + pk.c.count) * 64 - pk.b2.count * 128
        var b = body; for k in 0..<8 { b[b2Start + 128 * 77 + 24 + k] = 0xFF }
        try same(reseal(b), "B2 coordinate ≥ q")
        b = body; for k in 0..<8 { b[body.count - (pk.matrixA.count + pk.matrixB.count - 33_000) * 40 + 8 + 24 + k] = 0xFF }
        try same(reseal(b), "matrix value ≥ r")
        XCTAssertThrowsError(try ProvingKeyFile.read(from: URL(fileURLWithPath: "/nonexistent/proving.key")))
        XCTAssertThrowsError(try ProvingKeyFile.read(from: FileManager.default.temporaryDirectory))
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
