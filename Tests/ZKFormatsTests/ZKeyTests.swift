import Foundation
import XCTest
import ZKAlgebra
import ZKFormats

final class ZKeyTests: XCTestCase {
    struct Case {
        let set: FixtureSet, zkey: String, r1cs: String
        let nVars: Int, nPublic: Int, domainSize: Int
    }

    static let cases: [Case] = [
        Case(set: .snarkjs2023, zkey: "circuit.zkey", r1cs: "circuit.r1cs", nVars: 103, nPublic: 1, domainSize: 128),
        Case(set: .x79de, zkey: "multiplier2_0000.zkey", r1cs: "multiplier2.r1cs", nVars: 4, nPublic: 1, domainSize: 4),
        Case(set: .x79de, zkey: "multiplier2_0001.zkey", r1cs: "multiplier2.r1cs", nVars: 4, nPublic: 1, domainSize: 4),
        Case(set: .arkworks, zkey: "test.zkey", r1cs: "mycircuit.r1cs", nVars: 4, nPublic: 1, domainSize: 4),
        Case(set: .verifiedanon, zkey: "groth16_pkey.zkey", r1cs: "circuit.r1cs", nVars: 243, nPublic: 2, domainSize: 256),
    ]

    func testZKeysParseWithConsistentShapes() throws {
        for k in Self.cases {
            let name = "\(k.set.rawValue)/\(k.zkey)"
            let z = try ZKeyGroth16(data: fixtureData(k.set, k.zkey))
            XCTAssertEqual(z.nVars, k.nVars, name)
            XCTAssertEqual(z.nPublic, k.nPublic, name)
            XCTAssertEqual(z.domainSize, k.domainSize, name)
            XCTAssertEqual(z.n8q, 32, name)
            XCTAssertEqual(z.n8r, 32, name)
            XCTAssertEqual(z.ic.count, k.nPublic + 1, name)
            XCTAssertEqual(z.a.count, k.nVars, name)
            XCTAssertEqual(z.b1.count, k.nVars, name)
            XCTAssertEqual(z.b2.count, k.nVars, name)
            XCTAssertEqual(z.c.count, k.nVars - k.nPublic - 1, name)
            XCTAssertEqual(z.h.count, k.domainSize, name)
            XCTAssertNil(z.cPoint(signal: 0), name)
            XCTAssertNil(z.cPoint(signal: k.nPublic), name)
            XCTAssertEqual(z.cPoint(signal: k.nPublic + 1), z.c.first, name)
            XCTAssertNil(z.cPoint(signal: k.nVars), name)
            for p in z.b2 + [z.beta2, z.gamma2, z.delta2] { XCTAssertTrue(p.isInSubgroup, name) }

            // The key pairs are consistent: e(δ₁, −g₂)·e(g₁, δ₂) = 1 and likewise for β. This
            // checks the Montgomery decoding of both groups against each other.
            let g1 = G1Affine(x: Fq(1), y: Fq(2)), g2 = G2.generator.affine
            XCTAssertTrue(Pairing.check([(z.delta1, -g2), (g1, z.delta2)]), "\(name) delta1/delta2")
            XCTAssertTrue(Pairing.check([(z.beta1, -g2), (g1, z.beta2)]), "\(name) beta1/beta2")

            // Skipping the subgroup check gives the same result on a valid key.
            XCTAssertEqual(try ZKeyGroth16(data: fixtureData(k.set, k.zkey), validateSubgroup: false), z, name)
        }
    }

    func testCoefficientSectionEqualsR1CSPlusPublicRows() throws {
        for k in Self.cases {
            let name = "\(k.set.rawValue)/\(k.zkey)"
            let z = try ZKeyGroth16(data: fixtureData(k.set, k.zkey))
            let r1cs = try R1CSFile(data: fixtureData(k.set, k.r1cs))
            XCTAssertEqual(z.nVars, r1cs.nWires, name)
            XCTAssertEqual(z.nPublic, r1cs.nPublic, name)
            XCTAssertGreaterThanOrEqual(z.domainSize, r1cs.nConstraints + r1cs.nPublic + 1, name)

            var expected: [ZKeyCoefficient] = []
            for (i, c) in r1cs.constraints.enumerated() {
                for t in c.a { expected.append(ZKeyCoefficient(matrix: .a, constraint: i, signal: t.wire, value: t.coefficient)) }
                for t in c.b { expected.append(ZKeyCoefficient(matrix: .b, constraint: i, signal: t.wire, value: t.coefficient)) }
            }
            for i in 0...r1cs.nPublic {
                expected.append(ZKeyCoefficient(matrix: .a, constraint: r1cs.nConstraints + i, signal: i, value: .one))
            }
            XCTAssertEqual(z.coefficients.count, expected.count, name)
            XCTAssertEqual(Set(z.coefficients), Set(expected), name)
        }
    }

    func testVerificationKeyJSONMatchesZKeyWhereDocumented() throws {
        let matching: [(FixtureSet, String)] = [
            (.x79de, "multiplier2_0001.zkey"), (.arkworks, "test.zkey"), (.verifiedanon, "groth16_pkey.zkey"),
        ]
        for (set, zkeyName) in matching {
            let z = try ZKeyGroth16(data: fixtureData(set, zkeyName))
            let vk = try SnarkjsVerificationKey(jsonData: fixtureData(set, "verification_key.json"))
            XCTAssertEqual(vk.alpha1, z.alpha1, "\(set.rawValue) alpha1")
            XCTAssertEqual(vk.beta2, z.beta2, "\(set.rawValue) beta2")
            XCTAssertEqual(vk.gamma2, z.gamma2, "\(set.rawValue) gamma2")
            XCTAssertEqual(vk.delta2, z.delta2, "\(set.rawValue) delta2")
            XCTAssertEqual(vk.ic, z.ic, "\(set.rawValue) IC")
            XCTAssertEqual(vk.nPublic, z.nPublic, "\(set.rawValue) nPublic")
            var fromZKey = SnarkjsVerificationKey(zkey: z)
            fromZKey.alphabeta12 = vk.alphabeta12
            XCTAssertEqual(fromZKey, vk, set.rawValue)
            // 0x79de 0001 and verifiedanon had a phase-2 contribution (delta ≠ gamma); arkworks' test.zkey did not.
            if set == .arkworks {
                XCTAssertEqual(z.gamma2, z.delta2, set.rawValue)
            } else {
                XCTAssertNotEqual(z.gamma2, z.delta2, "\(set.rawValue): has a phase-2 contribution")
            }
        }
        // The pre-contribution key 0000 does not match the published vk (delta differs).
        let z0 = try ZKeyGroth16(data: fixtureData(.x79de, "multiplier2_0000.zkey"))
        let vk = try SnarkjsVerificationKey(jsonData: fixtureData(.x79de, "verification_key.json"))
        XCTAssertNotEqual(z0.delta2, vk.delta2)
        XCTAssertEqual(z0.gamma2, z0.delta2, "0000 has no contribution: delta = gamma")
        var fromZKey = SnarkjsVerificationKey(zkey: z0)
        fromZKey.alphabeta12 = vk.alphabeta12
        XCTAssertNotEqual(fromZKey, vk)
        // snarkjs 2023's zkey also has gamma = delta (no phase-2 contribution).
        let z2023 = try ZKeyGroth16(data: fixtureData(.snarkjs2023, "circuit.zkey"))
        XCTAssertEqual(z2023.gamma2, z2023.delta2)
    }
}
