import Foundation
import XCTest
import ZKAlgebra
import ZKFormats

/// End-to-end cross-check of the project's pairing against external Groth16 data: the
/// verification equation `e(A, B) = e(α, β)·e(vk_x, γ)·e(C, δ)` with
/// `vk_x = IC[0] + Σ publicᵢ·IC[i+1]`, checked as
/// `e(−A, B)·e(α, β)·e(vk_x, γ)·e(C, δ) = 1`.
final class PairingCrossCheckTests: XCTestCase {
    func verify(_ vk: SnarkjsVerificationKey, _ proof: SnarkjsProof, _ pub: [Fr]) -> Bool {
        precondition(pub.count == vk.nPublic)
        var acc = G1(vk.ic[0])
        for (i, s) in pub.enumerated() { acc = acc + G1(vk.ic[i + 1]) * s }
        return Pairing.check([(-proof.a, proof.b), (vk.alpha1, vk.beta2), (acc.affine, vk.gamma2), (proof.c, vk.delta2)])
    }

    func load(_ set: FixtureSet) throws -> (SnarkjsVerificationKey, SnarkjsProof, [Fr]) {
        let vk: SnarkjsVerificationKey
        if set == .snarkjs2023 {
            vk = SnarkjsVerificationKey(zkey: try ZKeyGroth16(data: fixtureData(set, "circuit.zkey")))
        } else {
            vk = try SnarkjsVerificationKey(jsonData: fixtureData(set, "verification_key.json"))
        }
        return (vk, try SnarkjsProof(jsonData: fixtureData(set, "proof.json")),
                try SnarkjsPublicSignals(jsonData: fixtureData(set, "public.json")).values)
    }

    func testMatchingTriplesVerify() throws {
        for set: FixtureSet in [.garaga, .x79de, .phonbopit, .verifiedanon, .snarkjs2023] {
            let (vk, proof, pub) = try load(set)
            XCTAssertTrue(verify(vk, proof, pub), "\(set.rawValue): valid proof must verify")
            for i in pub.indices {
                var tampered = pub
                tampered[i] += .one
                XCTAssertFalse(verify(vk, proof, tampered), "\(set.rawValue): public[\(i)] + 1 must be rejected")
            }
        }
    }

    func testCrossedTriplesFail() throws {
        let (vk79, proof79, pub79) = try load(.x79de)
        let (vkPh, proofPh, pubPh) = try load(.phonbopit)
        XCTAssertEqual(pub79, pubPh)
        XCTAssertFalse(verify(vk79, proofPh, pubPh), "phonbopit's proof under 0x79de's vk must be rejected")
        XCTAssertFalse(verify(vkPh, proof79, pub79), "0x79de's proof under phonbopit's vk must be rejected")
        // The pre-contribution zkey 0000 is not the key of 0x79de's proof.
        let vk0000 = SnarkjsVerificationKey(zkey: try ZKeyGroth16(data: fixtureData(.x79de, "multiplier2_0000.zkey")))
        XCTAssertFalse(verify(vk0000, proof79, pub79), "0x79de's proof under zkey 0000 must be rejected")
        // The key exported from zkey 0001 verifies it.
        let vk0001 = SnarkjsVerificationKey(zkey: try ZKeyGroth16(data: fixtureData(.x79de, "multiplier2_0001.zkey")))
        XCTAssertTrue(verify(vk0001, proof79, pub79))
    }
}
