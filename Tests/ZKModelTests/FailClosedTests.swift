// Issue 12, item 5: every helper on the verification path fails closed.

import Foundation
import XCTest
import ZKAlgebra
import ZKGroth16
import ZKModel
import ZKClaim

final class FailClosedTests: XCTestCase {
    func testStatementAndDigestsRejectNonCanonicalInput() throws {
        let header = StatementHeader(model: try SampleCache.get("iris_logreg").compiled.model)
        let good = String(repeating: "ab", count: 32)
        XCTAssertNoThrow(try CircuitLowering.statementBase(statementDigest: good, header: header))
        // Before, these all silently became the statement of an empty digest (bad hex → [], odd nibble dropped).
        for bad in ["", "abc", String(repeating: "zz", count: 32), String(repeating: "AB", count: 32), good + "00", String(good.dropLast())] {
            assertModelError(try CircuitLowering.statementBase(statementDigest: bad, header: header), "digest '\(bad)'")
            assertModelError(try CompiledModel.modelDigest(onnx: bad, quantized: good, weightsCommitment: nil), "digest '\(bad)'")
        }
        XCTAssertEqual(try blake2bHex([UInt8]()).count, 64)
    }

    /// The input range is compared as integers: with a bound of 2^45 at scale 8 (2^53 as an integer), the input
    /// 2^53 + 1 converts to the Double 2^53 and used to pass.
    func testInputRangeIsComparedAsIntegers() throws {
        XCTAssertEqual(try quantizedInputBound(1, scale: 8), 256)
        XCTAssertEqual(try quantizedInputBound(0.5, scale: 0), 1)
        XCTAssertEqual(try quantizedInputBound(0.25, scale: 0), 0)
        XCTAssertThrowsError(try quantizedInputBound(3, scale: 0))
        XCTAssertThrowsError(try quantizedInputBound(Double(sign: .plus, exponent: 55, significand: 1), scale: 8))
        var claim = try provenDigitsClaim().claim
        let key = try provenDigitsClaim().key
        claim.quantization.inputBound = Double(sign: .plus, exponent: 45, significand: 1)
        claim.input.scale = 8
        claim.input.quantized[0] = (1 << 53) + 1
        claim.input.values[0] = Double(claim.input.quantized[0]) / 256
        let v = try ClaimVerifier.verify(claim, key: key)
        XCTAssertFalse(v.valid)
        XCTAssertTrue(v.problems.contains { $0.hasPrefix("input.quantized[0] = 9007199254740993 is outside the model's input range") }, "\(v.problems)")
    }

    func testUnknownKeysAreRejectedNamingThem() throws {
        let claim = try provenDigitsClaim().claim
        var obj = try XCTUnwrap(JSONSerialization.jsonObject(with: try ClaimVerifier.encode(claim)) as? [String: Any])
        obj["comment"] = "trust me"
        if case .invalidClaim(let m)? = assertModelError(try ClaimVerifier.decode(try JSONSerialization.data(withJSONObject: obj))) {
            XCTAssertTrue(m.contains("unknown key 'comment'"), m)
        }
        obj["comment"] = nil
        var model = try XCTUnwrap(obj["model"] as? [String: Any])
        model["verified"] = true
        obj["model"] = model
        if case .invalidClaim(let m)? = assertModelError(try ClaimVerifier.decode(try JSONSerialization.data(withJSONObject: obj))) {
            XCTAssertTrue(m.contains("unknown key 'model.verified'"), m)
        }
        model["verified"] = nil
        obj["model"] = model
        XCTAssertEqual(try ClaimVerifier.decode(try JSONSerialization.data(withJSONObject: obj)), claim)
    }

    func testSolidityVerifierNeverReverts() throws {
        let key = try provenDigitsClaim().key
        let sol = EVMVerifierDescription(key).render(.solidity)
        XCTAssertFalse(sol.contains("require("), "a failed precompile call must make verifyProof return false, not revert")
        XCTAssertFalse(sol.contains("revert"))
        XCTAssertTrue(sol.contains("returns (uint256[2] memory r, bool success)"))
        XCTAssertEqual(sol.components(separatedBy: "if (!ok) return false;").count - 1, 2 * key.publicCount)
    }
}
