import Foundation
import XCTest
import ZKAlgebra
import ZKConstraints
import ZKFormats
import ZKGroth16

/// The snarkjs/circom fixture sets (copied byte-for-byte with provenance into the ZKFormats test
/// fixtures; read from the source tree so they are not duplicated).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ZKFormatsTests/Fixtures/groth16")
    static func data(_ set: String, _ file: String) throws -> Data { try Data(contentsOf: root.appendingPathComponent(set).appendingPathComponent(file)) }
}

final class Groth16Tests: XCTestCase {
    func roundTrip(constraints: Int, publicCount: Int, threads: Int = 2) throws {
        let (system, witness) = SyntheticCircuits.squareChain(count: constraints, publicCount: publicCount)
        try system.check(witness)
        let pk = try Groth16.setup(system, threads: threads)
        XCTAssertEqual(pk.verificationKey.publicCount, publicCount)
        let proof = try Groth16.prove(pk, witness: witness, threads: threads)
        let publics = Array(witness[1..<(1 + publicCount)])
        let pvk = PreparedVerificationKey(pk.verificationKey)
        XCTAssertTrue(try Groth16.verify(pvk, proof: proof, publicInputs: publics), "m=\(constraints) public=\(publicCount)")
        // Fresh blinding: a second proof differs but also verifies.
        let proof2 = try Groth16.prove(pk, witness: witness, threads: 1)
        XCTAssertNotEqual(proof, proof2)
        XCTAssertTrue(try Groth16.verify(pvk, proof: proof2, publicInputs: publics))
        // Tampering.
        for i in 0..<publicCount {
            var bad = publics; bad[i] += Fr.one
            XCTAssertFalse(try Groth16.verify(pvk, proof: proof, publicInputs: bad))
        }
        XCTAssertFalse(try Groth16.verify(pvk, proof: Proof(a: proof.c, b: proof.b, c: proof.a), publicInputs: publics))
        XCTAssertFalse(try Groth16.verify(pvk, proof: Proof(a: (G1(proof.a) + G1.generator).affine, b: proof.b, c: proof.c), publicInputs: publics))
        XCTAssertFalse(try Groth16.verify(pvk, proof: Proof(a: proof.a, b: (G2(proof.b) + G2.generator).affine, c: proof.c), publicInputs: publics))
        XCTAssertFalse(try Groth16.verify(pvk, proof: Proof(a: proof.a, b: proof.b, c: (G1(proof.c) + G1.generator).affine), publicInputs: publics))
        XCTAssertThrowsError(try Groth16.verify(pvk, proof: proof, publicInputs: publics + [Fr.one]))
    }

    func testRoundTripSizes() throws {
        try roundTrip(constraints: 1, publicCount: 0)
        try roundTrip(constraints: 1, publicCount: 1)
        try roundTrip(constraints: 5, publicCount: 2)
        try roundTrip(constraints: 100, publicCount: 1, threads: 1)
        try roundTrip(constraints: 1000, publicCount: 2)
    }

    func testKeyFromAnotherCircuitRejects() throws {
        let (s1, w1) = SyntheticCircuits.squareChain(count: 10, publicCount: 1)
        let (s2, _) = SyntheticCircuits.squareChain(count: 10, x0: Fr(5), publicCount: 1)
        let pk1 = try Groth16.setup(s1), pk2 = try Groth16.setup(s2)
        let proof = try Groth16.prove(pk1, witness: w1)
        XCTAssertTrue(try Groth16.verify(pk1.verificationKey, proof: proof, publicInputs: [w1[1]]))
        XCTAssertFalse(try Groth16.verify(pk2.verificationKey, proof: proof, publicInputs: [w1[1]]))
    }

    func testUnsatisfyingWitnessDoesNotVerify() throws {
        let (system, witness) = SyntheticCircuits.squareChain(count: 20, publicCount: 1)
        let pk = try Groth16.setup(system)
        var bad = witness; bad[1] += Fr.one  // claim a wrong output
        XCTAssertThrowsError(try system.check(bad))
        let proof = try Groth16.prove(pk, witness: bad)
        XCTAssertFalse(try Groth16.verify(pk.verificationKey, proof: proof, publicInputs: [bad[1]]))
        XCTAssertThrowsError(try Groth16.prove(pk, witness: Array(witness.dropLast())))
    }

    func testProofPointsOutsideTheGroupAreRejected() throws {
        let (system, witness) = SyntheticCircuits.squareChain(count: 4, publicCount: 1)
        let pk = try Groth16.setup(system)
        let proof = try Groth16.prove(pk, witness: witness)
        let vk = pk.verificationKey
        // Off-curve A, and a twist point outside G2's subgroup as B.
        XCTAssertFalse(try Groth16.verify(vk, proof: Proof(a: G1Affine(x: Fq(1), y: Fq(3)), b: proof.b, c: proof.c), publicInputs: [witness[1]]))
        let outside: G2Affine? = BN254G2.pointOutsideSubgroup
        XCTAssertFalse(try Groth16.verify(vk, proof: Proof(a: proof.a, b: outside!, c: proof.c), publicInputs: [witness[1]]))
    }

    // MARK: snarkjs fixtures

    static let triples = ["garaga-snarkjs-bn254", "circom-multiplier-circuit-0x79de", "hello-snarkjs-phonbopit", "sample-circom-groth16-verifiedanon"]

    func testSnarkjsFixtureProofsVerify() throws {
        for set in Self.triples {
            let vk = VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: Fixtures.data(set, "verification_key.json")))
            let proof = Proof(snarkjs: try SnarkjsProof(jsonData: Fixtures.data(set, "proof.json")))
            let publics = try SnarkjsPublicSignals(jsonData: Fixtures.data(set, "public.json")).values
            let pvk = PreparedVerificationKey(vk)
            XCTAssertTrue(try Groth16.verify(pvk, proof: proof, publicInputs: publics), set)
            for i in publics.indices {
                var bad = publics; bad[i] += Fr.one
                XCTAssertFalse(try Groth16.verify(pvk, proof: proof, publicInputs: bad), set)
            }
            XCTAssertFalse(try Groth16.verify(pvk, proof: Proof(a: proof.c, b: proof.b, c: proof.a), publicInputs: publics), set)
            XCTAssertFalse(try Groth16.verify(pvk, proof: Proof(a: -proof.a, b: proof.b, c: proof.c), publicInputs: publics), set)
            XCTAssertFalse(try Groth16.verify(pvk, proof: Proof(a: proof.a, b: -proof.b, c: proof.c), publicInputs: publics), set)
            XCTAssertFalse(try Groth16.verify(pvk, proof: Proof(a: proof.a, b: proof.b, c: -proof.c), publicInputs: publics), set)
            // Our export of the key reproduces snarkjs's vk_alphabeta_12.
            let parsed = try SnarkjsVerificationKey(jsonData: Fixtures.data(set, "verification_key.json"))
            XCTAssertEqual(vk.snarkjs.alphabeta12, parsed.alphabeta12, set)
        }
        // A vk from another setup of the same circuit rejects.
        let otherVK = VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: Fixtures.data("hello-snarkjs-phonbopit", "verification_key.json")))
        let proof = Proof(snarkjs: try SnarkjsProof(jsonData: Fixtures.data("circom-multiplier-circuit-0x79de", "proof.json")))
        XCTAssertFalse(try Groth16.verify(otherVK, proof: proof, publicInputs: [Fr(33)]))
    }

    func testForgeabilityWarnings() throws {
        let garaga = VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: Fixtures.data("garaga-snarkjs-bn254", "verification_key.json")))
        XCTAssertFalse(garaga.forgeabilityWarnings.isEmpty)
        let real = VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: Fixtures.data("circom-multiplier-circuit-0x79de", "verification_key.json")))
        XCTAssertTrue(real.forgeabilityWarnings.filter { $0.contains("forged") }.isEmpty)
    }

    /// Proofs from a snarkjs `.zkey` and a circom `.wtns` verify under that key's verification_key.json.
    func testProveFromZKey() throws {
        let cases: [(set: String, zkey: String, wtns: String, vk: String?)] = [
            ("circom-multiplier-circuit-0x79de", "multiplier2_0001.zkey", "witness.wtns", "verification_key.json"),
            ("arkworks-circom-compat", "test.zkey", "", "verification_key.json"),
            ("snarkjs-test-groth16-2023", "circuit.zkey", "witness.wtns", nil),
        ]
        for c in cases {
            let zkey = try ZKeyGroth16(data: Fixtures.data(c.set, c.zkey))
            let pk = try ProvingKey(zkey: zkey)
            let witness: [Fr]
            if c.wtns.isEmpty {
                witness = [Fr.one, Fr(33), Fr(3), Fr(11)]  // mycircuit-witness.json
            } else {
                witness = try WitnessFile(data: Fixtures.data(c.set, c.wtns)).values
            }
            let proof = try Groth16.prove(pk, witness: witness)
            let publics = Array(witness[1...zkey.nPublic])
            let vk = try c.vk.map { VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: Fixtures.data(c.set, $0))) } ?? pk.verificationKey
            XCTAssertTrue(try Groth16.verify(vk, proof: proof, publicInputs: publics), c.set)
            var bad = publics; bad[0] += Fr.one
            XCTAssertFalse(try Groth16.verify(vk, proof: proof, publicInputs: bad), c.set)
        }
        // The pre-contribution zkey's proofs do not verify under the post-contribution vk.
        let pk0 = try ProvingKey(zkey: ZKeyGroth16(data: Fixtures.data("circom-multiplier-circuit-0x79de", "multiplier2_0000.zkey")))
        let w = try WitnessFile(data: Fixtures.data("circom-multiplier-circuit-0x79de", "witness.wtns")).values
        let vk1 = VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: Fixtures.data("circom-multiplier-circuit-0x79de", "verification_key.json")))
        XCTAssertFalse(try Groth16.verify(vk1, proof: try Groth16.prove(pk0, witness: w), publicInputs: [w[1]]))
    }

    /// Our own setup over circom r1cs files, proved with circom witnesses.
    func testSetupOverCircomR1CS() throws {
        for (set, r1cs, wtns) in [("snarkjs-test-groth16-multiplier1000", "circuit.r1cs", "witness.wtns"),
                                  ("arkworks-circom-compat", "circuit2.r1cs", "circuit2_js_witness.wtns")] {
            let system = try ConstraintSystem(r1cs: R1CSFile(data: Fixtures.data(set, r1cs)))
            let witness = try WitnessFile(data: Fixtures.data(set, wtns)).values
            try system.check(witness)
            let pk = try Groth16.setup(system)
            let proof = try Groth16.prove(pk, witness: witness)
            let publics = Array(witness[1...system.publicCount])
            XCTAssertTrue(try Groth16.verify(pk.verificationKey, proof: proof, publicInputs: publics), set)
        }
    }
}
