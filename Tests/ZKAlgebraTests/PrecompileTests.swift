import Foundation
import XCTest
import ZKAlgebra
import ZKBigNum

/// One go-ethereum precompile vector (`core/vm/testdata/precompiles/*.json`).
private struct PrecompileVector: Decodable {
    let Input: String
    let Expected: String
    let Name: String
}

/// Decodes lowercase/uppercase hex without a prefix (test fixtures only).
private func precompileHexBytes(_ hex: String) -> [UInt8]? {
    let u = Array(hex.utf8)
    guard u.count % 2 == 0 else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48 ... 57: return c - 48
        case 97 ... 102: return c - 87
        case 65 ... 70: return c - 55
        default: return nil
        }
    }
    var out: [UInt8] = []
    out.reserveCapacity(u.count / 2)
    var i = 0
    while i < u.count {
        guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
        out.append(hi << 4 | lo)
        i += 2
    }
    return out
}

final class PrecompileTests: XCTestCase {
    typealias S = EncodingTestSupport

    private func loadVectors(_ name: String) throws -> [PrecompileVector] {
        let url = try XCTUnwrap(
            Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures/eth-precompiles"),
            "missing fixture \(name).json")
        return try JSONDecoder().decode([PrecompileVector].self, from: Data(contentsOf: url))
    }

    /// Runs every vector of `name` through `f`, returning how many passed and the output values.
    private func run(_ name: String, expectedCount: Int, _ f: ([UInt8]) throws -> [UInt8]) throws -> [[UInt8]] {
        let vectors = try loadVectors(name)
        XCTAssertEqual(vectors.count, expectedCount, "\(name): vector count")
        var outputs: [[UInt8]] = []
        var passed = 0
        for v in vectors {
            let input = try XCTUnwrap(precompileHexBytes(v.Input), "\(v.Name): bad hex")
            let expected = try XCTUnwrap(precompileHexBytes(v.Expected), "\(v.Name): bad hex")
            do {
                let out = try f(input)
                XCTAssertEqual(out, expected, "\(name)/\(v.Name)")
                if out == expected { passed += 1 }
                outputs.append(out)
            } catch {
                XCTFail("\(name)/\(v.Name) threw \(error)")
            }
        }
        XCTAssertEqual(passed, expectedCount, "\(name): passed")
        return outputs
    }

    func assertThrows<T>(_ expected: EncodingError, _ body: @autoclosure () throws -> T,
                         file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? EncodingError, expected, file: file, line: line)
        }
    }

    // MARK: go-ethereum vectors

    func testAddVectors() throws {
        let outs = try run("bn256Add", expectedCount: 16) { try EthereumPrecompiles.bn256Add($0) }
        XCTAssertTrue(outs.allSatisfy { $0.count == 64 })
    }

    func testScalarMulVectors() throws {
        let outs = try run("bn256ScalarMul", expectedCount: 19) { try EthereumPrecompiles.bn256ScalarMul($0) }
        XCTAssertTrue(outs.allSatisfy { $0.count == 64 })
    }

    func testPairingVectors() throws {
        let outs = try run("bn256Pairing", expectedCount: 14) { try EthereumPrecompiles.bn256Pairing($0) }
        let one = [UInt8](repeating: 0, count: 31) + [1]
        let zero = [UInt8](repeating: 0, count: 32)
        XCTAssertEqual(outs.filter { $0 == one }.count, 12)
        XCTAssertEqual(outs.filter { $0 == zero }.count, 2)
    }

    // MARK: Consistency with the group arithmetic

    func testAddAndMulMatchGroupLaw() throws {
        var rng = SeededGenerator(seed: 101)
        for _ in 0 ..< 10 {
            let p = S.randomG1(&rng), q = S.randomG1(&rng)
            let sum = try EthereumPrecompiles.bn256Add(p.ethereumBytes + q.ethereumBytes)
            XCTAssertEqual(sum, (G1(p) + G1(q)).affine.ethereumBytes)
            XCTAssertEqual(try EthereumPrecompiles.bn256Add(p.ethereumBytes + (-p).ethereumBytes), [UInt8](repeating: 0, count: 64))
            XCTAssertEqual(try EthereumPrecompiles.bn256Add(p.ethereumBytes), p.ethereumBytes)  // padded with infinity
            let k = Fr.random(using: &rng)
            let prod = try EthereumPrecompiles.bn256ScalarMul(p.ethereumBytes + k.bigEndianBytes)
            XCTAssertEqual(prod, (G1(p) * k).affine.ethereumBytes)
            // r and k + r (≥ r, not reduced by the caller) act as 0 and k on the prime-order group.
            XCTAssertEqual(try EthereumPrecompiles.bn256ScalarMul(p.ethereumBytes + S.bytes32(Fr.modulus)),
                           [UInt8](repeating: 0, count: 64))
            XCTAssertEqual(try EthereumPrecompiles.bn256ScalarMul(p.ethereumBytes + S.bytes32(k.bigNum + Fr.modulus)), prod)
            // Extra bytes beyond 96 are ignored; a short scalar is right-padded (big-endian high bytes).
            XCTAssertEqual(try EthereumPrecompiles.bn256ScalarMul(p.ethereumBytes + k.bigEndianBytes + [1, 2, 3]), prod)
        }
        // Scalar 0x01 followed by padding: input "P ‖ 01" means k = 2^248.
        let g = BN254G1.generator
        let k248 = try EthereumPrecompiles.bn256ScalarMul(g.ethereumBytes + [1])
        XCTAssertEqual(k248, G1.generator.multiplied(byLimbs: [0, 0, 0, 1 << 56]).affine.ethereumBytes)
    }

    func testPairingBilinearity() throws {
        var rng = SeededGenerator(seed: 102)
        let a = Fr.random(using: &rng), b = Fr.random(using: &rng)
        let p = BN254G1.generator, q = BN254G2.generator
        let ap = (G1(p) * a).affine, bq = (G2(q) * b).affine, abp = (G1(p) * (a * b)).affine
        // e(aP, bQ) · e(−abP, Q) = 1
        let input = ap.ethereumBytes + bq.ethereumBytes + (-abp).ethereumBytes + q.ethereumBytes
        XCTAssertEqual(try EthereumPrecompiles.bn256Pairing(input), [UInt8](repeating: 0, count: 31) + [1])
        let wrong = ap.ethereumBytes + bq.ethereumBytes + abp.ethereumBytes + q.ethereumBytes
        XCTAssertEqual(try EthereumPrecompiles.bn256Pairing(wrong), [UInt8](repeating: 0, count: 32))
        // Infinity pairs contribute 1.
        let infPair = G1Affine.infinity.ethereumBytes + q.ethereumBytes + p.ethereumBytes + G2Affine.infinity.ethereumBytes
        XCTAssertEqual(try EthereumPrecompiles.bn256Pairing(infPair), [UInt8](repeating: 0, count: 31) + [1])
        XCTAssertEqual(try EthereumPrecompiles.bn256Pairing([]), [UInt8](repeating: 0, count: 31) + [1])
    }

    // MARK: Invalid inputs (not in go-ethereum's vector set)

    /// (1, 3) is not on y² = x³ + 3 (used by ethereum/tests' `ecadd_1-3_*`, `ecmul_1-3_*`).
    private var offCurve: [UInt8] { S.bytes32(BigNum(1)) + S.bytes32(BigNum(3)) }

    func testOffCurvePointIsRejected() {
        let g = BN254G1.generator.ethereumBytes
        assertThrows(.notOnCurve, try EthereumPrecompiles.bn256Add(offCurve + g))
        assertThrows(.notOnCurve, try EthereumPrecompiles.bn256Add(g + offCurve))
        assertThrows(.notOnCurve, try EthereumPrecompiles.bn256Add(offCurve))  // short: padded with infinity
        assertThrows(.notOnCurve, try EthereumPrecompiles.bn256Add(offCurve + offCurve))
        assertThrows(.notOnCurve, try EthereumPrecompiles.bn256ScalarMul(offCurve + S.bytes32(BigNum(2))))
        assertThrows(.notOnCurve, try EthereumPrecompiles.bn256ScalarMul(offCurve + S.bytes32(BigNum(0))))  // even with k = 0
        assertThrows(.notOnCurve, try EthereumPrecompiles.bn256ScalarMul(offCurve))
        let q = BN254G2.generator.ethereumBytes
        assertThrows(.notOnCurve, try EthereumPrecompiles.bn256Pairing(offCurve + q))
        assertThrows(.notOnCurve, try EthereumPrecompiles.bn256Pairing(offCurve + G2Affine.infinity.ethereumBytes))
        // A valid first pair does not hide an invalid second one.
        assertThrows(.notOnCurve, try EthereumPrecompiles.bn256Pairing(g + q + offCurve + q))
    }

    func testNonCanonicalCoordinatesAreRejected() {
        let g = BN254G1.generator.ethereumBytes
        let two = S.bytes32(BigNum(2))
        let bad: [[UInt8]] = [
            S.qBytes + two,                                   // x = q
            S.bytes32(Fq.modulus + BigNum(1)) + two,          // (q + 1, 2) ≡ the generator mod q
            S.allOnes + two,                                  // x = 2^256 − 1
            S.bytes32(BigNum(1)) + S.qBytes,                  // y = q
            S.bytes32(BigNum(1)) + S.bytes32(Fq.modulus + BigNum(2)),
            S.bytes32(BigNum(1)) + S.allOnes,
            S.allOnes + S.allOnes,
        ]
        for b in bad {
            assertThrows(.coordinateNotCanonical, try EthereumPrecompiles.bn256Add(b + g))
            assertThrows(.coordinateNotCanonical, try EthereumPrecompiles.bn256Add(g + b))
            assertThrows(.coordinateNotCanonical, try EthereumPrecompiles.bn256ScalarMul(b + S.bytes32(BigNum(1))))
            assertThrows(.coordinateNotCanonical, try EthereumPrecompiles.bn256Pairing(b + BN254G2.generator.ethereumBytes))
        }
        // G2 coordinates ≥ q in each slot, including generator coordinate + q.
        let q = BN254G2.generator.ethereumBytes
        for slot in 0 ..< 4 {
            let range = slot * 32 ..< slot * 32 + 32
            for replacement in [S.qBytes, S.allOnes, S.bytes32(BigNum(bigEndian: q[range]) + Fq.modulus)] {
                var b = q
                b.replaceSubrange(range, with: replacement)
                assertThrows(.coordinateNotCanonical, try EthereumPrecompiles.bn256Pairing(g + b))
            }
        }
    }

    func testG2OutsideSubgroupIsRejected() {
        let bad = S.nonSubgroupG2
        XCTAssertTrue(bad.isOnCurve)
        XCTAssertFalse(G2(bad).multiplied(byLimbs: S.rLimbs).isInfinity)
        let g = BN254G1.generator.ethereumBytes
        assertThrows(.notInSubgroup, try EthereumPrecompiles.bn256Pairing(g + bad.ethereumBytes))
        assertThrows(.notInSubgroup, try EthereumPrecompiles.bn256Pairing(G1Affine.infinity.ethereumBytes + bad.ethereumBytes))
        assertThrows(.notInSubgroup,
                     try EthereumPrecompiles.bn256Pairing(g + BN254G2.generator.ethereumBytes + g + bad.ethereumBytes))
    }

    func testPairingLengthMustBeMultipleOf192() {
        let valid = BN254G1.generator.ethereumBytes + BN254G2.generator.ethereumBytes
        assertThrows(.lengthNotMultiple(of: 192, got: 191), try EthereumPrecompiles.bn256Pairing(Array(valid.dropLast())))
        assertThrows(.lengthNotMultiple(of: 192, got: 191), try EthereumPrecompiles.bn256Pairing([UInt8](repeating: 0, count: 191)))
        for n in [1, 64, 128, 193, 383] {
            assertThrows(.lengthNotMultiple(of: 192, got: n), try EthereumPrecompiles.bn256Pairing([UInt8](repeating: 0, count: n)))
        }
        XCTAssertEqual(try EthereumPrecompiles.bn256Pairing([UInt8](repeating: 0, count: 384)), [UInt8](repeating: 0, count: 31) + [1])
    }
}
