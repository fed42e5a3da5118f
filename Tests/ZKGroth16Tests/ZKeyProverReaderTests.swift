import Foundation
import XCTest
import ZKAlgebra
import ZKFormats
import ZKGroth16

/// `ProvingKey(zkeyFile:)`, the prover's `.zkey` reader (points read straight into their arrays, coefficients straight
/// into the QAP matrices), against the general reader it replaces on the prover's path:
/// `ProvingKey(zkey: ZKeyGroth16(contentsOfFile:validateSubgroup: false))`. Same key, same errors.
final class ZKeyProverReaderTests: XCTestCase {
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
        try corruptions(of: orig, prefixStride: 97, flips: 120, seed: 1818) { try bothReaders($0, $1) }
        XCTAssertThrowsError(try ProvingKey(zkeyFile: "/nonexistent/zkinfer.zkey"))
        XCTAssertThrowsError(try ProvingKey(zkeyFile: FileManager.default.temporaryDirectory.path))
    }

    /// `stop` is asked before each phase (rows, NTTs, and each of the five point reads): answering true from the first
    /// question, or later, makes the prover throw `Groth16Error.stopped` then; never answering true proves as without it.
    func testProverStopsWhenAsked() throws {
        let (system, witness) = SyntheticCircuits.squareChain(count: 200)
        let pk = try Groth16.setup(system, threads: 2)
        let path = try temporaryFile(pk.zkey.serialized())
        let publics = Array(witness[1...system.publicCount])
        let questions = QuestionCounter()
        let run = try Groth16.proveWithTimings(try ZKeyProvingFile(path: path), witness: witness, threads: 2,
                                               stop: { questions.ask() > 1_000 })
        XCTAssertTrue(try Groth16.verify(pk.verificationKey, proof: run.proof, publicInputs: publics))
        XCTAssertEqual(questions.count, 7)
        for answeredFalse in [0, 1, 2, 6] {
            let asked = QuestionCounter()
            XCTAssertThrowsError(try Groth16.proveWithTimings(try ZKeyProvingFile(path: path), witness: witness, threads: 2,
                                                              stop: { asked.ask() > answeredFalse })) { error in
                XCTAssertEqual(error as? Groth16Error, .stopped, "after \(answeredFalse)")
            }
            XCTAssertEqual(asked.count, answeredFalse + 1)
        }
    }

    // MARK: ZKeyProvingFile: the point sections read while proving

    /// Opens `path` and proves, or the first error (opening or proving).
    private func deferredProof(_ path: String, _ witness: [Fr], threads: Int = 2) -> Result<Proof, Error> {
        Result { try Groth16.prove(try ZKeyProvingFile(path: path, threads: threads), witness: witness, threads: threads) }
    }

    /// The deferred reader accepts exactly the files the whole-key reader accepts, with the same `FormatError`, and its
    /// proofs verify.
    func testDeferredReaderAcceptsAndRejectsLikeTheWholeKeyReader() throws {
        let (system, witness) = SyntheticCircuits.squareChain(count: 200)
        let pk = try Groth16.setup(system, threads: 2)
        let publics = Array(witness[1...system.publicCount])
        let orig = pk.zkey.serialized()
        let proof = try deferredProof(try temporaryFile(orig), witness).get()
        XCTAssertTrue(try Groth16.verify(pk.verificationKey, proof: proof, publicInputs: publics))
        let opened = try ZKeyProvingFile(path: try temporaryFile(orig))
        XCTAssertEqual(opened.verificationKey, pk.verificationKey)
        XCTAssertEqual([opened.wireCount, opened.publicCount, opened.domainSize], [pk.wireCount, pk.publicCount, pk.domainSize])

        func compare(_ bytes: [UInt8], _ what: String) throws {
            let path = try temporaryFile(bytes)
            let whole = Result { try ProvingKey(zkeyFile: path, threads: 2) }
            for threads in [1, 2] {
                switch (whole, deferredProof(path, witness, threads: threads)) {
                case (.success, .success): break  // a changed coefficient or point that is still valid: both accept
                case let (.failure(a), .failure(b)):
                    XCTAssertNotNil(a as? FormatError, "\(what): \(a)")
                    XCTAssertEqual(a as? FormatError, b as? FormatError, what)
                case let (a, b): XCTFail("\(what): whole key \(a), deferred \(b)")
                }
            }
        }
        try corruptions(of: orig, prefixStride: orig.count / 40, flips: 60, seed: 1819) { try compare($0, $1) }
    }

    /// An off-curve point in a section read while proving (H is read first, C last) stops the proof with the
    /// section's `FormatError`: no proof is made from a key with an off-curve point.
    func testOffCurvePointStopsTheProof() throws {
        let (system, witness) = SyntheticCircuits.squareChain(count: 100)
        let pk = try Groth16.setup(system, threads: 2)
        let orig = pk.zkey.serialized()
        var offsets: [UInt32: Int] = [:]
        var o = 12
        for _ in 0..<Int(orig[8]) {
            let type = UInt32(orig[o]) | UInt32(orig[o + 1]) << 8
            let size = (0..<8).reduce(0) { $0 | Int(orig[o + 4 + $1]) << (8 * $1) }
            offsets[type] = o + 12
            o += 12 + size
        }
        for (type, name, pointSize) in [(UInt32(9), "H", 64), (5, "A", 64), (6, "B1", 64), (7, "B2", 128), (8, "C", 64)] {
            var z = orig
            let at = offsets[type]! + 3 * pointSize  // point 3: y + 1 (still < q for these keys, no longer on the curve)
            let y = at + pointSize / 2
            z[y] = z[y] &+ 1
            switch deferredProof(try temporaryFile(z), witness) {
            case .success: XCTFail("\(name): a proof from a key with an off-curve point")
            case let .failure(e):
                XCTAssertEqual(e as? FormatError, .pointNotOnCurve(context: "zkey section \(type) (\(name)), point 3"), name)
            }
        }
    }

    /// The file stays open: replacing the path after opening does not change the points the prover reads.
    func testPointsComeFromTheFileThatWasOpened() throws {
        let (system, witness) = SyntheticCircuits.squareChain(count: 100)
        let pk = try Groth16.setup(system, threads: 2)
        let path = try temporaryFile(pk.zkey.serialized())
        let key = try ZKeyProvingFile(path: path)
        let other = try temporaryFile([UInt8](repeating: 0xFF, count: 1000))
        XCTAssertEqual(rename(other, path), 0)
        let proof = try Groth16.prove(key, witness: witness)
        XCTAssertTrue(try Groth16.verify(pk.verificationKey, proof: proof, publicInputs: Array(witness[1...system.publicCount])))
        XCTAssertThrowsError(try ZKeyProvingFile(path: path))
        XCTAssertThrowsError(try ZKeyProvingFile(path: "/nonexistent/zkinfer.zkey"))
    }
}

/// Counts the prover's questions to its `stop` closure (which may be asked from any thread).
private final class QuestionCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var asked = 0
    /// Records one question and returns how many there have been.
    func ask() -> Int { lock.lock(); defer { lock.unlock() }; asked += 1; return asked }
    var count: Int { lock.lock(); defer { lock.unlock() }; return asked }
}
