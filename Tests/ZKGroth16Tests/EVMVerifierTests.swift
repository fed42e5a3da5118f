import Foundation
import XCTest
import ZKAlgebra
import ZKFormats
import ZKGroth16

/// Structural checks of the exported contracts (the Vyper one is also compiled and executed in an
/// EVM by Tests/evm/test_evm_verifier.py; no Solidity compiler is installable offline here).
final class EVMVerifierTests: XCTestCase {
    func constantsIn(_ source: String, _ pattern: String) -> [String: String] {
        var out: [String: String] = [:]
        let regex = try! NSRegularExpression(pattern: pattern)
        for m in regex.matches(in: source, range: NSRange(source.startIndex..., in: source)) {
            out[String(source[Range(m.range(at: 1), in: source)!])] = String(source[Range(m.range(at: 2), in: source)!])
        }
        return out
    }

    func testEveryConstantEqualsTheKey() throws {
        for set in ["sample-circom-groth16-verifiedanon", "circom-multiplier-circuit-0x79de"] {
            let vk = VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: Fixtures.data(set, "verification_key.json")))
            let d = EVMVerifierDescription(vk)
            // Expected values straight from the key (G2 imaginary part first, as EIP-197).
            var expected: [String: String] = ["R": Fr.modulus.description, "Q": Fq.modulus.description,
                                              "ALPHA_X": vk.alpha1.x.description, "ALPHA_Y": vk.alpha1.y.description]
            for (name, p) in [("BETA", vk.beta2), ("GAMMA", vk.gamma2), ("DELTA", vk.delta2)] {
                expected["\(name)_X1"] = p.x.c1.description; expected["\(name)_X0"] = p.x.c0.description
                expected["\(name)_Y1"] = p.y.c1.description; expected["\(name)_Y0"] = p.y.c0.description
            }
            for (i, p) in vk.ic.enumerated() { expected["IC\(i)_X"] = p.x.description; expected["IC\(i)_Y"] = p.y.description }

            let solidity = constantsIn(d.render(.solidity), #"uint256 constant (\w+) = (\d+);"#)
            let vyper = constantsIn(d.render(.vyper), #"(?m)^(\w+): constant\(uint256\) = (\d+)$"#)
            XCTAssertEqual(solidity, expected, set)
            XCTAssertEqual(vyper, expected, set)
            let source = d.render(.solidity)
            XCTAssertTrue(source.contains("function verifyProof(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[\(vk.publicCount)] calldata input)"))
            XCTAssertTrue(source.contains("staticcall(gas(), 0x08, p, 768, out, 32)"), "one 4-pair pairing call")
            XCTAssertTrue(source.contains("input[i] >= R"))
        }
    }

    func testSelectorAndCalldata() throws {
        let set = "circom-multiplier-circuit-0x79de"
        let vk = VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: Fixtures.data(set, "verification_key.json")))
        // The selector of snarkjs's one-input Groth16 verifier.
        XCTAssertEqual(EVMVerifierDescription(vk).selector, [0x43, 0x75, 0x3b, 0x4d])
        let proof = Proof(snarkjs: try SnarkjsProof(jsonData: Fixtures.data(set, "proof.json")))
        let call = EVMCalldata(proof: proof, publicInputs: [Fr(33)])
        XCTAssertTrue(call.hex.hasPrefix("0x43753b4d"))
        XCTAssertEqual(call.hex.count, 2 + 2 * (4 + 9 * 32))
        XCTAssertEqual(call.b[0], [proof.b.x.c1.description, proof.b.x.c0.description])
        XCTAssertTrue(call.hex.hasSuffix(String(repeating: "0", count: 62) + "21"))  // input 33
    }
}
