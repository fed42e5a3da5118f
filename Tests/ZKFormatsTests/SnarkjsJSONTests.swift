import Foundation
import XCTest
import ZKAlgebra
import ZKFormats

final class SnarkjsJSONTests: XCTestCase {
    static let vkSets: [FixtureSet] = [.garaga, .x79de, .phonbopit, .verifiedanon, .arkworks]
    static let proofSets: [FixtureSet] = [.garaga, .x79de, .phonbopit, .verifiedanon, .snarkjs2023]
    /// Files written by snarkjs itself (`JSON.stringify(x, null, 1)`), which the writers reproduce exactly.
    static let snarkjsFormatted: [(FixtureSet, String)] = [
        (.x79de, "verification_key.json"), (.x79de, "proof.json"), (.x79de, "public.json"),
        (.phonbopit, "verification_key.json"), (.phonbopit, "proof.json"), (.phonbopit, "public.json"),
        (.arkworks, "verification_key.json"),
        (.snarkjs2023, "proof.json"), (.snarkjs2023, "public.json"),
    ]

    func testAllJSONFixturesParseAndRoundTrip() throws {
        for set in Self.vkSets {
            let vk = try SnarkjsVerificationKey(jsonData: fixtureData(set, "verification_key.json"))
            XCTAssertEqual(vk.ic.count, vk.nPublic + 1, set.rawValue)
            XCTAssertNotNil(vk.alphabeta12, set.rawValue)
            XCTAssertEqual(try SnarkjsVerificationKey(jsonData: vk.jsonData()), vk, set.rawValue)
            var noAB = vk
            noAB.alphabeta12 = nil
            XCTAssertEqual(try SnarkjsVerificationKey(jsonData: noAB.jsonData()), noAB, set.rawValue)
        }
        for set in Self.proofSets {
            let proof = try SnarkjsProof(jsonData: fixtureData(set, "proof.json"))
            XCTAssertEqual(try SnarkjsProof(jsonData: proof.jsonData()), proof, set.rawValue)
            let pub = try SnarkjsPublicSignals(jsonData: fixtureData(set, "public.json"))
            XCTAssertEqual(try SnarkjsPublicSignals(jsonData: pub.jsonData()), pub, set.rawValue)
        }
        XCTAssertEqual(try SnarkjsPublicSignals(jsonData: fixtureData(.garaga, "public.json")).values,
                       [fr("4949495449574848545353525153565755490000")])
        XCTAssertEqual(try SnarkjsPublicSignals(jsonData: fixtureData(.verifiedanon, "public.json")).values.count, 2)
        XCTAssertEqual(try SnarkjsVerificationKey(jsonData: fixtureData(.verifiedanon, "verification_key.json")).nPublic, 2)
    }

    func testWritersReproduceSnarkjsBytes() throws {
        for (set, file) in Self.snarkjsFormatted {
            let data = try fixtureData(set, file)
            let written: Data
            switch file {
            case "verification_key.json": written = try SnarkjsVerificationKey(jsonData: data).jsonData()
            case "proof.json": written = try SnarkjsProof(jsonData: data).jsonData()
            default: written = try SnarkjsPublicSignals(jsonData: data).jsonData()
            }
            XCTAssertEqual(String(decoding: written, as: UTF8.self), String(decoding: data, as: UTF8.self),
                           "\(set.rawValue)/\(file)")
        }
    }

    func testInfinityEncodingsRoundTrip() throws {
        let proof = SnarkjsProof(a: .infinity, b: .infinity, c: .infinity)
        let text = String(decoding: try proof.jsonData(), as: UTF8.self)
        XCTAssertTrue(text.contains("\"0\",\n  \"1\",\n  \"0\""), text)
        XCTAssertEqual(try SnarkjsProof(jsonData: proof.jsonData()), proof)
        XCTAssertEqual(try SnarkjsPublicSignals(jsonData: Data("[]".utf8)).values, [])
    }

    /// `vk_alphabeta_12` is snarkjs's `e(α, β)`, computed by ffjavascript with libff's
    /// Fuentes-Castañeda final exponentiation, which raises to `m·(p¹² − 1)/r` with
    /// `m = 2u(6u² + 3u + 1)` instead of exactly `(p¹² − 1)/r`. So it must equal the project's
    /// (exact) `e(α, β)` raised to `m` — an independent check of the pairing and of the Fq12
    /// tower layout. (Both are valid pairings; Groth16 verification is unaffected.)
    func testAlphaBetaMatchesProjectPairing() throws {
        let m: [UInt64] = [0x2e5d_4e22_3dde_daf4, 0x1ea9_6b02_d9d9_e38d, 0x3bec_47df_15e3_07c8]  // 2u(6u²+3u+1)
        func strings(_ e: Fq12) -> [[[String]]] {
            [[e.c0.c0, e.c0.c1, e.c0.c2], [e.c1.c0, e.c1.c1, e.c1.c2]].map { $0.map { [$0.c0.description, $0.c1.description] } }
        }
        for set in Self.vkSets {
            let vk = try SnarkjsVerificationKey(jsonData: fixtureData(set, "verification_key.json"))
            let e = Pairing.pairing(vk.alpha1, vk.beta2)
            XCTAssertEqual(strings(e.power(m)), vk.alphabeta12, "\(set.rawValue): e(alpha, beta)^m vs vk_alphabeta_12")
            XCTAssertNotEqual(strings(e), vk.alphabeta12, "\(set.rawValue): exact e(alpha, beta) differs from snarkjs's")
        }
    }
}
