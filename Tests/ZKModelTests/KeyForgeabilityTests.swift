// Issue 12, item 4: a key that offers no soundness makes a claim invalid, not a warning.

import Foundation
import XCTest
import ZKAlgebra
import ZKGroth16
import ZKModel
import ZKClaim

final class KeyForgeabilityTests: XCTestCase {
    /// With δ = γ, anyone can prove anything: A = α, B = β, C = −vk_x satisfies
    /// e(A, B) = e(α, β)·e(vk_x, γ)·e(C, δ) for every choice of public signals.
    func forgedProof(_ key: VerificationKey, _ signals: [Fr]) -> Proof {
        var vkx = G1(key.ic[0])
        for (i, x) in signals.enumerated() { vkx = vkx + G1(key.ic[i + 1]) * x }
        return Proof(a: key.alpha1, b: key.beta2, c: -(vkx.affine))
    }

    func testClaimUnderDeltaEqualsGammaKeyIsInvalid() throws {
        let p = try provenDigitsClaim()
        var key = p.key
        key.delta2 = key.gamma2
        // A false claim: output 0 raised by 1000, with a forged proof under the forgeable key.
        var claim = PrivacyFixtures.claimWithOutput(p.claim, 0, delta: 1000)
        claim.verificationKeyDigest = try key.digest
        let signals = try claim.publicSignals.map { try Fr(snarkjsDecimal: $0) }
        let forged = forgedProof(key, signals)
        XCTAssertTrue(try Groth16.verify(key, proof: forged, publicInputs: signals), "the forgery works against the key")
        claim.proof = try JSONDecoder().decode(ClaimProof.self, from: try forged.snarkjs.jsonData())
        // Before: valid with a warning. Now: invalid, the reason in the verdict.
        let v = try ClaimVerifier.verify(claim, key: key)
        XCTAssertFalse(v.valid)
        XCTAssertTrue(v.problems.contains { $0.hasPrefix("vk_delta_2 equals vk_gamma_2") }, "\(v.problems)")
        // Only with the explicit test switch does it pass (showing what the check prevents).
        XCTAssertTrue(try ClaimVerifier.verify(claim, key: key, options: ClaimCheckOptions(allowForgeableKey: true)).valid)
    }

    func testDegenerateKeysAreNamed() throws {
        let key = try provenDigitsClaim().key
        XCTAssertEqual(key.forgeabilityWarnings, [], "an honest setup's key")
        let cases: [(String, (inout VerificationKey) -> Void)] = [
            ("vk_alpha_1 is the point at infinity", { $0.alpha1 = .infinity }),
            ("vk_beta_2 is the point at infinity", { $0.beta2 = .infinity }),
            ("vk_gamma_2 is the point at infinity", { $0.gamma2 = .infinity }),
            ("vk_delta_2 is the point at infinity", { $0.delta2 = .infinity }),
            ("vk_delta_2 is the G2 generator", { $0.delta2 = BN254G2.generator }),
            ("IC[3] is the point at infinity: public signal 2 can take any value", { $0.ic[3] = .infinity }),
            ("IC[2] equals IC[5]", { $0.ic[5] = $0.ic[2] }),
        ]
        for (expected, edit) in cases {
            var k = key
            edit(&k)
            XCTAssertTrue(k.forgeabilityWarnings.contains { $0.hasPrefix(expected) }, "\(expected): \(k.forgeabilityWarnings)")
        }
        // IC[0] at infinity frees no signal.
        var k0 = key
        k0.ic[0] = .infinity
        XCTAssertEqual(k0.forgeabilityWarnings, [])
    }
}
