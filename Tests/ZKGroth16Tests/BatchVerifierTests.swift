import XCTest
import ZKAlgebra
import ZKConstraints
import ZKGroth16
import ZKFormats

/// `Groth16.batchVerify` against one-at-a-time `Groth16.verify`: every kind of tamper a single verification
/// rejects, in batches with one, several and all proofs forged, names exactly the forged proofs.
final class BatchVerifierTests: XCTestCase {
    /// `publicCount` public inputs xᵢ and private squares sᵢ = xᵢ².
    static func squaresCircuit(publicCount: Int, seed: UInt64) -> (system: ConstraintSystem, witness: [Fr]) {
        var rng = SplitMix64(seed: seed)
        var system = ConstraintSystem(publicCount: publicCount)
        let first = system.addPrivateWires(publicCount)
        let xs = (0..<publicCount).map { _ in Fr.random(using: &rng) }
        for i in 0..<publicCount {
            system.addConstraint(.wire(1 + i), .wire(1 + i), .wire(first + i), label: "s\(i) = x\(i)²")
        }
        return (system, [Fr.one] + xs + xs.map { $0 * $0 })
    }

    struct Fixture {
        var key: ProvingKey
        var pvk: PreparedVerificationKey
        var proofs: [BatchProof]
    }

    static let publicCount = 6
    static let fixture: Fixture = {
        let base = squaresCircuit(publicCount: publicCount, seed: 1)
        let key = try! Groth16.setup(base.system)
        let proofs = (0..<20).map { i -> BatchProof in
            let c = squaresCircuit(publicCount: publicCount, seed: 100 + UInt64(i))
            return BatchProof(proof: try! Groth16.prove(key, witness: c.witness), publicInputs: Array(c.witness[1...publicCount]))
        }
        return Fixture(key: key, pvk: PreparedVerificationKey(key.verificationKey), proofs: proofs)
    }()

    func single(_ pvk: PreparedVerificationKey, _ p: BatchProof) -> Bool {
        (try? Groth16.verify(pvk, proof: p.proof, publicInputs: p.publicInputs)) ?? false
    }

    func testAllValidIsOneCombinedCheck() {
        let f = Self.fixture
        let r = Groth16.batchVerify(f.pvk, f.proofs, threads: 2)
        XCTAssertEqual(r.valid, [Bool](repeating: true, count: f.proofs.count))
        XCTAssertEqual(r.combinedChecks, 1)
        XCTAssertEqual(r.singleChecks, 0)
        XCTAssertTrue(f.proofs.allSatisfy { single(f.pvk, $0) })
    }

    /// Each tamper, applied to proof i of the batch.
    static let tampers: [(String, @Sendable (inout BatchProof, Int) -> Void)] = {
        let f = fixture
        let g1 = BN254G1.generator, other = f.proofs
        let otherKey = try! Groth16.setup(squaresCircuit(publicCount: publicCount, seed: 2).system)
        return [
            ("public input changed", { p, _ in p.publicInputs[2] = p.publicInputs[2] + Fr.one }),
            ("A moved", { p, _ in p.proof.a = (G1(p.proof.a) + G1(g1)).affine }),
            ("C moved", { p, _ in p.proof.c = (G1(p.proof.c) + G1(g1)).affine }),
            ("B from another proof", { p, i in p.proof.b = other[(i + 1) % other.count].proof.b }),
            ("inputs of another proof", { p, i in p.publicInputs = other[(i + 1) % other.count].publicInputs }),
            ("A at infinity", { p, _ in p.proof.a = .infinity }),
            ("one input too few", { p, _ in p.publicInputs.removeLast() }),
            ("A off the curve", { p, _ in p.proof.a = G1Affine(x: p.proof.a.x, y: p.proof.a.y + Fq.one) }),
            ("B outside the subgroup", { p, _ in p.proof.b = BN254G2.pointOutsideSubgroup }),
            ("proof under another key", { p, i in
                let c = squaresCircuit(publicCount: publicCount, seed: 100 + UInt64(i))
                p.proof = try! Groth16.prove(otherKey, witness: c.witness)
            }),
        ]
    }()

    func testForgedProofsAreNamedExactly() {
        let f = Self.fixture
        let n = f.proofs.count
        let patterns: [(String, Set<Int>)] = [("one", [7]), ("several", [0, 3, 11, 12, 19]), ("all", Set(0..<n))]
        for (kind, tamper) in Self.tampers {
            for (pattern, forged) in patterns {
                var batch = f.proofs
                for i in forged { tamper(&batch[i], i) }
                let expected = (0..<n).map { !forged.contains($0) }
                XCTAssertEqual(batch.map { single(f.pvk, $0) }, expected, "\(kind): single verification disagrees with the forgery set")
                for threads in [1, 2] {
                    let r = Groth16.batchVerify(f.pvk, batch, threads: threads)
                    XCTAssertEqual(r.valid, expected, "\(kind), \(pattern) forged, \(threads) thread(s)")
                }
            }
        }
    }

    /// Two forgeries whose errors cancel when the proofs are simply multiplied together (unit weights):
    /// (A + X, B, C) and (A − X, B, C) for the same statement. The random weights catch both.
    func testForgeriesThatCancelWithoutRandomWeightsAreCaught() {
        let f = Self.fixture
        let p = f.proofs[4]
        let x = G1(BN254G1.generator) * Fr(12345)
        var plus = p, minus = p
        plus.proof.a = (G1(p.proof.a) + x).affine
        minus.proof.a = (G1(p.proof.a) - x).affine
        // With unit weights the two forged pairings multiply to e(A, B)², exactly two honest copies of p.
        let unit = Pairing.millerLoop([(plus.proof.a, G2Prepared(p.proof.b)), (minus.proof.a, G2Prepared(p.proof.b))])
        let honest = Pairing.millerLoop([(p.proof.a, G2Prepared(p.proof.b)), (p.proof.a, G2Prepared(p.proof.b))])
        XCTAssertEqual(Pairing.finalExponentiation(unit), Pairing.finalExponentiation(honest))
        var batch = f.proofs
        batch[4] = plus
        batch[9] = minus
        let r = Groth16.batchVerify(f.pvk, batch, threads: 2)
        XCTAssertEqual(r.valid, (0..<batch.count).map { $0 != 4 && $0 != 9 })
        XCTAssertGreaterThan(r.combinedChecks, 1, "the first combined check must fail")
    }

    func testSmallAndEmptyBatches() {
        let f = Self.fixture
        XCTAssertEqual(Groth16.batchVerify(f.pvk, []).valid, [])
        XCTAssertEqual(Groth16.batchVerify(f.pvk, [f.proofs[0]]).valid, [true])
        var bad = f.proofs[0]
        bad.publicInputs[0] = bad.publicInputs[0] + Fr.one
        XCTAssertEqual(Groth16.batchVerify(f.pvk, [bad]).valid, [false])
        // Five proofs (above the one-by-one threshold of four), the last one forged, then the first.
        for forged in [4, 0] {
            var batch = Array(f.proofs[0..<5])
            batch[forged] = bad
            XCTAssertEqual(Groth16.batchVerify(f.pvk, batch, threads: 1).valid, (0..<5).map { $0 != forged })
        }
        // Duplicates of one valid proof are each valid.
        XCTAssertEqual(Groth16.batchVerify(f.pvk, Array(repeating: f.proofs[1], count: 9)).valid, Array(repeating: true, count: 9))
    }

    func testBatchScalarsAreNonZero128BitAndFresh() {
        let a = Groth16.batchScalars(2000), b = Groth16.batchScalars(2000)
        for r in a + b {
            let l = r.canonicalLimbs
            XCTAssertFalse(r.isZero)
            XCTAssertEqual(l[2], 0); XCTAssertEqual(l[3], 0)
        }
        XCTAssertEqual(Set(a.map(\.canonicalLimbs)).count, a.count)
        XCTAssertNotEqual(a, b)
        // The top bit of the 128 is used (about half of 2000 draws have it).
        XCTAssertGreaterThan(a.filter { $0.canonicalLimbs[1] >> 63 == 1 }.count, 800)
    }

    /// External vectors: proofs snarkjs wrote (the fixtures of Groth16Tests), in batches of six copies with the same
    /// tampers Groth16Tests rejects one at a time mixed in; the combined check must give the one-at-a-time verdicts.
    func testSnarkjsFixtureProofsInBatches() throws {
        for set in ["garaga-snarkjs-bn254", "circom-multiplier-circuit-0x79de", "hello-snarkjs-phonbopit", "sample-circom-groth16-verifiedanon"] {
            let vk = VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: Fixtures.data(set, "verification_key.json")))
            let proof = Proof(snarkjs: try SnarkjsProof(jsonData: Fixtures.data(set, "proof.json")))
            let publics = try SnarkjsPublicSignals(jsonData: Fixtures.data(set, "public.json")).values
            let pvk = PreparedVerificationKey(vk)
            let good = BatchProof(proof: proof, publicInputs: publics)
            XCTAssertEqual(Groth16.batchVerify(pvk, Array(repeating: good, count: 6)).valid, Array(repeating: true, count: 6), set)
            var bumped = publics
            bumped[0] = bumped[0] + Fr.one
            let forged = [
                BatchProof(proof: Proof(a: -proof.a, b: proof.b, c: proof.c), publicInputs: publics),
                BatchProof(proof: Proof(a: proof.a, b: -proof.b, c: proof.c), publicInputs: publics),
                BatchProof(proof: Proof(a: proof.a, b: proof.b, c: -proof.c), publicInputs: publics),
                BatchProof(proof: Proof(a: proof.c, b: proof.b, c: proof.a), publicInputs: publics),
                BatchProof(proof: proof, publicInputs: bumped),
            ]
            for f in forged {
                var batch = Array(repeating: good, count: 6)
                batch[3] = f
                XCTAssertEqual(Groth16.batchVerify(pvk, batch, threads: 2).valid, (0..<6).map { $0 != 3 }, set)
            }
        }
    }
}
