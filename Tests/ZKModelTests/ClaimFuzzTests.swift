// Claim files mutated byte by byte: decoding and verification never trap, errors are typed, and a
// mutated claim is valid only if it says the same thing as the original (up to the fields the
// README calls informational).

import Foundation
import XCTest
import ZKAlgebra
import ZKGroth16
import ZKModel
import ZKClaim

final class ClaimFuzzTests: XCTestCase {
    /// The same claim with the informational fields (name, producing version, circuit digest and size, scale bits,
    /// calibration flag) set to fixed values and an absent input-range flag read as its default.
    func normalized(_ c: Claim, like original: Claim) -> Claim {
        var c = c
        c.zkinfer = original.zkinfer
        c.model.name = original.model.name
        c.model.circuitDigest = original.model.circuitDigest
        c.model.constraints = original.model.constraints
        c.quantization.scaleBits = original.quantization.scaleBits
        c.quantization.calibrated = original.quantization.calibrated
        c.quantization.tensorScales = original.quantization.tensorScales
        c.quantization.calibrationDigest = original.quantization.calibrationDigest
        c.quantization.inputRangeInCircuit = c.quantization.inputRangeInCircuit ?? (c.visibility.input != .public)
        // Softmax/Sigmoid values are checked to 1e-12 relative, not bit for bit.
        if let t = c.output.transformed, let o = original.output.transformed, t.count == o.count,
           zip(t, o).allSatisfy({ abs($0 - $1) <= 1e-12 * abs($1) + 1e-300 }) {
            c.output.transformed = o
        }
        return c
    }

    func mutate(_ bytes: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var d = bytes
        let alphabet = Array("0123456789-.eE\"{}[],: abcdefx".utf8)
        for _ in 0..<[1, 1, 2, 4, 16][Int(rng.next() % 5)] {
            switch rng.next() % 5 {
            case 4:
                // Add a key to a random object (an unknown one, or a known optional one as null).
                let opens = d.indices.filter { d[$0] == UInt8(ascii: "{") }
                guard let at = opens.isEmpty ? nil : opens[Int(rng.next() % UInt64(opens.count))] else { continue }
                let keys = ["\"extra\":1,", "\"note\":\"x\",", "\"signature\":null,", "\"hash\":null,", "\"valid\":true,"]
                d.insert(contentsOf: Array(keys[Int(rng.next() % UInt64(keys.count))].utf8), at: at + 1)
            case 0 where !d.isEmpty: d[Int(rng.next() % UInt64(d.count))] = UInt8(truncatingIfNeeded: rng.next())
            case 1 where !d.isEmpty: d.remove(at: Int(rng.next() % UInt64(d.count)))
            case 2: d.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: Int(rng.next() % UInt64(d.count + 1)))
            default:
                // Replace one character with a neighbouring digit or letter (keeps JSON well-formed more often).
                guard !d.isEmpty else { continue }
                let i = Int(rng.next() % UInt64(d.count))
                d[i] = d[i] &+ (rng.next() % 2 == 0 ? 1 : 255)
            }
        }
        return d
    }

    func testMutatedClaimsAreRejectedOrEquivalent() throws {
        let p = try provenDigitsClaim()
        let (pk, claim) = (p.provingKey, p.claim)
        XCTAssertTrue(try ClaimVerifier.verify(claim, key: pk.verificationKey).valid)
        let bytes = [UInt8](try ClaimVerifier.encode(claim))
        var rng = SplitMix64(seed: 0x5EED_C1A1)
        var counts = (undecodable: 0, malformed: 0, invalid: 0, validEquivalent: 0)
        // Every added key is rejected by the decoder, naming it.
        for key in ["\"extra\":1,", "\"signature\":null,"] {
            var d = bytes
            d.insert(contentsOf: Array(key.utf8), at: 1)
            if case .invalidClaim(let m)? = assertModelError(try ClaimVerifier.decode(Data(d))) {
                XCTAssertTrue(m.contains("unknown key '"), m)
            } else { XCTFail("\(key) not rejected as an invalid claim") }
            let text = String(decoding: bytes, as: UTF8.self)
            let model = try XCTUnwrap(text.range(of: "\"model\" : {"))
            let nested = String(text[..<model.upperBound]) + key + String(text[model.upperBound...])
            XCTAssertThrowsError(try ClaimVerifier.decode(Data(nested.utf8)), "nested \(key)")
        }
        for round in 0..<3000 {
            let m = mutate(bytes, &rng)
            let decoded: Claim
            do { decoded = try ClaimVerifier.decode(Data(m)) } catch is ModelError { counts.undecodable += 1; continue } catch {
                XCTFail("round \(round): decode threw \(type(of: error)), not a ModelError"); continue
            }
            do {
                let verdict = try ClaimVerifier.verify(decoded, key: pk.verificationKey)
                if verdict.valid {
                    counts.validEquivalent += 1
                    XCTAssertEqual(normalized(decoded, like: claim), claim, "round \(round): a changed claim verified")
                } else {
                    counts.invalid += 1
                    XCTAssertFalse(verdict.problems.isEmpty)
                }
            } catch is ModelError { counts.malformed += 1 } catch {
                XCTFail("round \(round): verify threw \(type(of: error)), not a ModelError")
            }
        }
        print("[claim fuzz] 3000 mutated digits_mlp claims: \(counts.undecodable) undecodable, \(counts.malformed) malformed, \(counts.invalid) invalid, \(counts.validEquivalent) valid and equivalent")
        XCTAssertGreaterThan(counts.invalid, 100, "the mutations should reach the semantic checks")
    }
}
