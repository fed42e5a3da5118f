import Foundation
import XCTest
import ZKAlgebra
import ZKConstraints
import ZKFormats
import ZKGroth16

/// What the prover checks now that key loaders skip the B2 subgroup checks (issue 18), and the streamed
/// `.r1cs` parse against the plain one.
final class ProverKeyCheckTests: XCTestCase {
    /// A B2 point outside the subgroup on a wire the witness uses: `prove` refuses to release the proof.
    /// On a wire whose value is zero the point does not enter the proof, which is then valid.
    func testProveRefusesAProofWhoseBLeavesTheSubgroup() throws {
        let (system, witness) = SyntheticCircuits.squareChain(count: 20, publicCount: 1)
        let pk = try Groth16.setup(system)
        let outside = BN254G2.pointOutsideSubgroup
        let used = try XCTUnwrap((1..<witness.count).first { !witness[$0].isZero && !pk.b2[$0].isInfinity })
        var bad = pk
        bad.b2[used] = outside
        XCTAssertThrowsError(try Groth16.prove(bad, witness: witness)) { e in
            guard case let .keyMismatch(why)? = e as? Groth16Error else { return XCTFail("\(e)") }
            XCTAssertTrue(why.contains("subgroup"), why)
        }
        // The same key with the point on a zero wire (a witness with one private wire set to 0 is not
        // satisfying, but the prover does not care): B is in the subgroup.
        var zeroWire = witness
        zeroWire[used] = .zero
        let proof = try Groth16.prove(bad, witness: zeroWire)
        XCTAssertTrue(proof.b.isInSubgroup)
        // And the honest key still proves and verifies.
        let good = try Groth16.prove(pk, witness: witness)
        XCTAssertTrue(try Groth16.verify(pk.verificationKey, proof: good, publicInputs: [witness[1]]))
    }

    /// A key from `Groth16.setup` written as a `.zkey` and read back proves through the `.zkey` path.
    func testProvingKeyAsZKeyRoundTrips() throws {
        let (system, witness) = SyntheticCircuits.squareChain(count: 60, publicCount: 2)
        let pk = try Groth16.setup(system)
        let back = try ProvingKey(zkey: ZKeyGroth16(bytes: pk.zkey.serialized(), validateSubgroup: true, threads: 2))
        XCTAssertEqual(back.matrixA, pk.matrixA)
        XCTAssertEqual(back.matrixB, pk.matrixB)
        XCTAssertEqual(back.a, pk.a); XCTAssertEqual(back.b2, pk.b2); XCTAssertEqual(back.h, pk.h)
        XCTAssertEqual(back.verificationKey, pk.verificationKey)
        let proof = try Groth16.prove(back, witness: witness)
        XCTAssertTrue(try Groth16.verify(pk.verificationKey, proof: proof, publicInputs: Array(witness[1...2])))
    }

    /// `ConstraintSystem(r1csBytes:)` is `ConstraintSystem(r1cs: R1CSFile(bytes:))`: same constraints, same errors.
    func testStreamedR1CSEqualsThePlainParse() throws {
        for (set, name) in [("circom-multiplier-circuit-0x79de", "multiplier2.r1cs"), ("snarkjs-test-groth16-2023", "circuit.r1cs"),
                            ("sample-circom-groth16-verifiedanon", "circuit.r1cs")] {
            let bytes = [UInt8](try Fixtures.data(set, name))
            let plain = try ConstraintSystem(r1cs: R1CSFile(bytes: bytes)), streamed = try ConstraintSystem(r1csBytes: bytes)
            XCTAssertEqual(streamed.wireCount, plain.wireCount, name)
            XCTAssertEqual(streamed.publicCount, plain.publicCount, name)
            XCTAssertEqual(streamed.constraintCount, plain.constraintCount, name)
            for i in 0..<plain.constraintCount { XCTAssertEqual(streamed.constraint(i), plain.constraint(i), "\(name) \(i)") }
        }
        let orig = [UInt8](try Fixtures.data("circom-multiplier-circuit-0x79de", "multiplier2.r1cs"))
        var rng = SplitMix64(seed: 12)
        for trial in 0..<200 {
            var z = orig
            let i = Int(rng.next() % UInt64(z.count))
            z[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            if trial % 3 == 0 { z = Array(z[0..<i]) }
            let plain = Result { try ConstraintSystem(r1cs: R1CSFile(bytes: z)) }
            let streamed = Result { try ConstraintSystem(r1csBytes: z) }
            switch (plain, streamed) {
            case let (.success(a), .success(b)): XCTAssertEqual(a.constraintCount, b.constraintCount)
            case let (.failure(a), .failure(b)): XCTAssertEqual(a as? FormatError, b as? FormatError, "trial \(trial)")
            default: XCTFail("trial \(trial): \(plain) vs \(streamed)")
            }
        }
    }
}
