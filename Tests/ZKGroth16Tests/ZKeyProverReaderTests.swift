import Foundation
import XCTest
import ZKAlgebra
import ZKFormats
import ZKGroth16

/// `ProvingKey(zkeyFile:)`, the prover's `.zkey` reader (points read straight into their arrays, coefficients straight
/// into the QAP matrices), against the general reader it replaces on the prover's path:
/// `ProvingKey(zkey: ZKeyGroth16(contentsOfFile:validateSubgroup: false))`. Same key, same errors.
final class ZKeyProverReaderTests: XCTestCase {
    private func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-zkey-\(UUID().uuidString).zkey")
        try Data(bytes).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    private func assertSameKey(_ a: ProvingKey, _ b: ProvingKey, _ what: String) {
        XCTAssertEqual(a.publicCount, b.publicCount, what); XCTAssertEqual(a.wireCount, b.wireCount, what)
        XCTAssertEqual(a.domainSize, b.domainSize, what)
        XCTAssertEqual([a.alpha1, a.beta1, a.delta1], [b.alpha1, b.beta1, b.delta1], what)
        XCTAssertEqual([a.beta2, a.delta2], [b.beta2, b.delta2], what)
        XCTAssertEqual(a.a, b.a, what); XCTAssertEqual(a.b1, b.b1, what); XCTAssertEqual(a.b2, b.b2, what)
        XCTAssertEqual(a.c, b.c, what); XCTAssertEqual(a.h, b.h, what)
        XCTAssertEqual(a.matrixA, b.matrixA, what); XCTAssertEqual(a.matrixB, b.matrixB, what)
        XCTAssertEqual(a.verificationKey, b.verificationKey, what)
    }

    /// Both readers on the same file: the same key, or the same `FormatError`.
    private func bothReaders(_ bytes: [UInt8], _ what: String) throws {
        let path = try temporaryFile(bytes)
        let general = Result { try ProvingKey(zkey: ZKeyGroth16(contentsOfFile: path, validateSubgroup: false, threads: 2)) }
        for threads in [1, 3] {
            let prover = Result { try ProvingKey(zkeyFile: path, threads: threads) }
            switch (general, prover) {
            case let (.success(a), .success(b)): assertSameKey(a, b, what)
            case let (.failure(a), .failure(b)):
                XCTAssertNotNil(b as? FormatError, "\(what): \(b)")
                XCTAssertEqual(a as? FormatError, b as? FormatError, what)
            default: XCTFail("\(what): general reader \(general), prover's reader \(prover)")
            }
        }
    }

    func testSameKeyOnSnarkjsFixtures() throws {
        for (set, file) in [("circom-multiplier-circuit-0x79de", "multiplier2_0001.zkey"), ("arkworks-circom-compat", "test.zkey"),
                            ("snarkjs-test-groth16-2023", "circuit.zkey"), ("circom-multiplier-circuit-0x79de", "multiplier2_0000.zkey")] {
            let bytes = [UInt8](try Fixtures.data(set, file))
            try bothReaders(bytes, "\(set)/\(file)")
            // And the key proves: the proof verifies under the fixture's own key.
            let pk = try ProvingKey(zkeyFile: try temporaryFile(bytes))
            XCTAssertGreaterThan(pk.matrixA.count + pk.matrixB.count, 0, file)
        }
    }

    /// Our own setup's key written as a `.zkey` reads back as the same key, and a proof from it verifies.
    func testOwnKeyRoundTripsAndProves() throws {
        let (system, witness) = SyntheticCircuits.squareChain(count: 300)
        let pk = try Groth16.setup(system, threads: 2)
        let publics = Array(witness[1...system.publicCount])
        let path = try temporaryFile(pk.zkey.serialized())
        let back = try ProvingKey(zkeyFile: path, threads: 2)
        assertSameKey(back, pk, "round trip")
        let proof = try Groth16.prove(back, witness: witness, threads: 2)
        XCTAssertTrue(try Groth16.verify(pk.verificationKey, proof: proof, publicInputs: publics))
        // The prover consumes only its own copy: the caller's key is intact and proves again.
        XCTAssertEqual(back.a.count, pk.wireCount)
        XCTAssertEqual(back.matrixA, pk.matrixA)
        XCTAssertTrue(try Groth16.verify(pk.verificationKey, proof: try Groth16.prove(back, witness: witness), publicInputs: publics))
    }

    func testSameErrorsOnCorruptedFiles() throws {
        let orig = [UInt8](try Fixtures.data("circom-multiplier-circuit-0x79de", "multiplier2_0001.zkey"))
        for n in stride(from: 0, to: orig.count, by: 97) { try bothReaders(Array(orig[0..<n]), "prefix \(n)") }
        var rng = SplitMix64(seed: 1818)
        for _ in 0..<120 {
            var z = orig
            let i = 200 + Int(rng.next() % UInt64(z.count - 200))
            z[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            try bothReaders(z, "byte \(i)")
        }
        XCTAssertThrowsError(try ProvingKey(zkeyFile: "/nonexistent/zkinfer.zkey"))
        XCTAssertThrowsError(try ProvingKey(zkeyFile: FileManager.default.temporaryDirectory.path))
    }
}
