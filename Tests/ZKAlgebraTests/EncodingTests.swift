import XCTest
import ZKAlgebra
import ZKBigNum


/// Points and byte strings shared by the encoding, precompile and fuzz tests.
enum EncodingTestSupport {
    /// The scalar-field order r as little-endian limbs.
    static var rLimbs: [UInt64] { [Fr.p0, Fr.p1, Fr.p2, Fr.p3] }

    static func randomG1<R: RandomNumberGenerator>(_ rng: inout R) -> G1Affine {
        (G1.generator * Fr.random(using: &rng)).affine
    }

    static func randomG2<R: RandomNumberGenerator>(_ rng: inout R) -> G2Affine {
        (G2.generator * Fr.random(using: &rng)).affine
    }

    /// A point on the G2 twist `y² = x³ + 3/(9+u)` that is *not* in the order-r subgroup:
    /// the first `x = k + u` (k = 0, 1, …) with `x³ + b'` a square in Fq2.
    static let nonSubgroupG2: G2Affine = {
        for k in UInt64(0) ..< 1000 {
            let x = Fq2(Fq(k), Fq(1))
            guard let y = (x.squared() * x + BN254G2.b).squareRoot() else { continue }
            let p = G2Affine(x: x, y: y)
            precondition(p.isOnCurve)
            if !G2(p).multiplied(byLimbs: rLimbs).isInfinity { return p }
        }
        fatalError("no non-subgroup twist point found")
    }()

    /// An x (as `k`) with `k³ + 3` not a square in Fq: no G1 point has this x.
    static let g1XWithoutPoint: Fq = {
        var k: UInt64 = 0
        while true {
            let x = Fq(k)
            if (x.squared() * x + BN254G1.b).squareRoot() == nil { return x }
            k += 1
        }
    }()

    /// An x = k + u with `x³ + b'` not a square in Fq2.
    static let g2XWithoutPoint: Fq2 = {
        var k: UInt64 = 0
        while true {
            let x = Fq2(Fq(k), Fq(1))
            if (x.squared() * x + BN254G2.b).squareRoot() == nil { return x }
            k += 1
        }
    }()

    /// 32-byte big-endian encoding of a non-negative integer `< 2^256`.
    static func bytes32(_ v: BigNum) -> [UInt8] { v.bigEndianBytes(count: 32)! }

    static var qBytes: [UInt8] { bytes32(Fq.modulus) }
    static var allOnes: [UInt8] { [UInt8](repeating: 0xFF, count: 32) }

    /// Compressed G2 bytes for an arbitrary (possibly invalid) affine point, bypassing the encoder.
    static func rawCompressedG2(x: Fq2, largest: Bool) -> [UInt8] {
        var b = x.c1.bigEndianBytes + x.c0.bigEndianBytes
        b[0] |= largest ? 0xC0 : 0x80
        return b
    }
}

final class EncodingTests: XCTestCase {
    typealias S = EncodingTestSupport

    /// Asserts that `body` throws exactly `expected`.
    func assertThrows<T>(_ expected: EncodingError, _ body: @autoclosure () throws -> T,
                         file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? EncodingError, expected, file: file, line: line)
        }
    }

    // MARK: Field elements

    func testFieldByteDecoders() throws {
        var rng = SeededGenerator(seed: 1)
        for _ in 0 ..< 50 {
            let a = Fq.random(using: &rng), s = Fr.random(using: &rng)
            XCTAssertEqual(try Fq(canonicalBigEndianBytes: a.bigEndianBytes), a)
            XCTAssertEqual(try Fr(canonicalBigEndianBytes: s.bigEndianBytes), s)
            XCTAssertEqual(try Fq(snarkjsDecimal: a.description), a)
            XCTAssertEqual(try Fr(snarkjsDecimal: s.description), s)
        }
        assertThrows(.coordinateNotCanonical, try Fq(canonicalBigEndianBytes: S.qBytes))
        assertThrows(.coordinateNotCanonical, try Fq(canonicalBigEndianBytes: S.allOnes))
        XCTAssertEqual(try Fq(canonicalBigEndianBytes: S.bytes32(Fq.modulus - BigNum(1))), -Fq.one)
        assertThrows(.scalarNotCanonical, try Fr(canonicalBigEndianBytes: S.bytes32(Fr.modulus)))
        assertThrows(.scalarNotCanonical, try Fr(canonicalBigEndianBytes: S.allOnes))
        XCTAssertEqual(try Fr(canonicalBigEndianBytes: S.bytes32(Fr.modulus - BigNum(1))), -Fr.one)
        for n in [0, 31, 33, 64] {
            let b = [UInt8](repeating: 0, count: n)
            assertThrows(.invalidLength(expected: 32, got: n), try Fq(canonicalBigEndianBytes: b))
            assertThrows(.invalidLength(expected: 32, got: n), try Fr(canonicalBigEndianBytes: b))
        }
    }

    func testStrictDecimals() throws {
        XCTAssertEqual(try Fr(snarkjsDecimal: "0"), Fr.zero)
        XCTAssertEqual(try Fr(snarkjsDecimal: "33"), Fr(33))
        XCTAssertEqual(try Fr(snarkjsDecimal: (Fr.modulus - BigNum(1)).toString()), -Fr.one)
        XCTAssertEqual(try Fq(snarkjsDecimal: (Fq.modulus - BigNum(1)).toString()), -Fq.one)
        for bad in ["", "01", "00", "-1", "+1", " 1", "1 ", "1.0", "0x1", "1e3", "١", "１", "1\u{0}", "abc"] {
            assertThrows(.invalidDecimal(bad), try Fr(snarkjsDecimal: bad))
            assertThrows(.invalidDecimal(bad), try Fq(snarkjsDecimal: bad))
        }
        assertThrows(.scalarNotCanonical, try Fr(snarkjsDecimal: Fr.modulus.toString()))
        // r ≤ value < q: a valid Fq but not a valid Fr.
        let between = (Fr.modulus + BigNum(5)).toString()
        assertThrows(.scalarNotCanonical, try Fr(snarkjsDecimal: between))
        XCTAssertNoThrow(try Fq(snarkjsDecimal: between))
        assertThrows(.coordinateNotCanonical, try Fq(snarkjsDecimal: Fq.modulus.toString()))
        let huge = String(repeating: "9", count: 10_000)
        assertThrows(.coordinateNotCanonical, try Fq(snarkjsDecimal: huge))
        assertThrows(.scalarNotCanonical, try Fr(snarkjsDecimal: huge))
        // Long bad text is truncated in the error.
        XCTAssertThrowsError(try Fq(snarkjsDecimal: "0" + huge)) { error in
            guard case .invalidDecimal(let excerpt) = error as? EncodingError else { return XCTFail("\(error)") }
            XCTAssertLessThanOrEqual(excerpt.count, 41)
        }
    }

    // MARK: Ethereum encodings

    func testG1EthereumRoundTrip() throws {
        var rng = SeededGenerator(seed: 2)
        var points = [G1Affine.infinity, BN254G1.generator, -BN254G1.generator]
        for _ in 0 ..< 40 { points.append(S.randomG1(&rng)) }
        for p in points {
            let b = p.ethereumBytes
            XCTAssertEqual(b.count, 64)
            XCTAssertEqual(try G1Affine(ethereumBytes: b), p)
            XCTAssertEqual(try G1Affine(ethereumBytes: b[...]), p)  // slices work too
        }
        XCTAssertEqual(G1Affine.infinity.ethereumBytes, [UInt8](repeating: 0, count: 64))
        XCTAssertEqual(BN254G1.generator.ethereumBytes, S.bytes32(BigNum(1)) + S.bytes32(BigNum(2)))
    }

    func testG1EthereumRejections() {
        let g = BN254G1.generator.ethereumBytes
        for n in [0, 1, 32, 63, 65, 96, 128] {
            assertThrows(.invalidLength(expected: 64, got: n), try G1Affine(ethereumBytes: [UInt8](repeating: 0, count: n)))
        }
        assertThrows(.invalidLength(expected: 64, got: 65), try G1Affine(ethereumBytes: g + [0]))
        assertThrows(.invalidLength(expected: 64, got: 63), try G1Affine(ethereumBytes: Array(g.dropLast())))
        // (1, 3) is not on y² = x³ + 3.
        assertThrows(.notOnCurve, try G1Affine(ethereumBytes: S.bytes32(BigNum(1)) + S.bytes32(BigNum(3))))
        // (0, 1), (1, 0): near-infinity forms are not infinity.
        assertThrows(.notOnCurve, try G1Affine(ethereumBytes: S.bytes32(BigNum(0)) + S.bytes32(BigNum(1))))
        assertThrows(.notOnCurve, try G1Affine(ethereumBytes: S.bytes32(BigNum(1)) + S.bytes32(BigNum(0))))
        // Coordinates ≥ q, including a non-canonical form of the generator (q + 1, 2).
        let two = S.bytes32(BigNum(2))
        assertThrows(.coordinateNotCanonical, try G1Affine(ethereumBytes: S.qBytes + two))
        assertThrows(.coordinateNotCanonical, try G1Affine(ethereumBytes: S.bytes32(Fq.modulus + BigNum(1)) + two))
        assertThrows(.coordinateNotCanonical, try G1Affine(ethereumBytes: S.bytes32(BigNum(1)) + S.bytes32(Fq.modulus + BigNum(2))))
        assertThrows(.coordinateNotCanonical, try G1Affine(ethereumBytes: S.allOnes + S.allOnes))
        assertThrows(.coordinateNotCanonical, try G1Affine(ethereumBytes: S.bytes32(BigNum(0)) + S.qBytes))  // (0, q) ≢ infinity
        // (1, q − 2) = −G is fine.
        XCTAssertEqual(try G1Affine(ethereumBytes: S.bytes32(BigNum(1)) + S.bytes32(Fq.modulus - BigNum(2))), -BN254G1.generator)
    }

    func testG2EthereumByteOrder() throws {
        // EIP-197 G2 generator, imaginary part first (as in go-ethereum's pairing vectors).
        let hex = "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
            + "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
            + "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
            + "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
        let expected = BigNum(hex: hex)!.bigEndianBytes(count: 128)!
        let g = BN254G2.generator
        XCTAssertEqual(g.ethereumBytes, expected)
        XCTAssertEqual(Array(g.ethereumBytes[0 ..< 32]), g.x.c1.bigEndianBytes)
        XCTAssertEqual(g.x.c1.description, "11559732032986387107991004021392285783925812861821192530917403151452391805634")
        XCTAssertEqual(g.x.c0.description, "10857046999023057135944570762232829481370756359578518086990519993285655852781")
        XCTAssertEqual(try G2Affine(ethereumBytes: expected), g)
        // Swapping to real-part-first (the snarkjs order) must not decode.
        let swapped = Array(expected[32 ..< 64] + expected[0 ..< 32] + expected[96 ..< 128] + expected[64 ..< 96])
        XCTAssertThrowsError(try G2Affine(ethereumBytes: swapped))
    }

    func testG2EthereumRoundTrip() throws {
        var rng = SeededGenerator(seed: 3)
        var points = [G2Affine.infinity, BN254G2.generator, -BN254G2.generator]
        for _ in 0 ..< 15 { points.append(S.randomG2(&rng)) }
        for p in points {
            let b = p.ethereumBytes
            XCTAssertEqual(b.count, 128)
            XCTAssertEqual(try G2Affine(ethereumBytes: b), p)
        }
        XCTAssertEqual(G2Affine.infinity.ethereumBytes, [UInt8](repeating: 0, count: 128))
    }

    func testG2EthereumRejections() {
        let g = BN254G2.generator.ethereumBytes
        for n in [0, 64, 127, 129, 192] {
            assertThrows(.invalidLength(expected: 128, got: n), try G2Affine(ethereumBytes: [UInt8](repeating: 0, count: n)))
        }
        // Each coordinate ≥ q in turn: q itself, 2^256 − 1, and the generator's coordinate + q.
        for slot in 0 ..< 4 {
            let range = slot * 32 ..< slot * 32 + 32
            let original = BigNum(bigEndian: g[range])
            for bad in [S.qBytes, S.allOnes, S.bytes32(original + Fq.modulus)] {
                var b = g
                b.replaceSubrange(range, with: bad)
                assertThrows(.coordinateNotCanonical, try G2Affine(ethereumBytes: b))
            }
            var flipped = g
            flipped[slot * 32 + 31] ^= 1
            assertThrows(.notOnCurve, try G2Affine(ethereumBytes: flipped))
        }
        // Off the twist: the G1 generator's coordinates as Fq2 elements.
        let offTwist = S.bytes32(BigNum(0)) + S.bytes32(BigNum(1)) + S.bytes32(BigNum(0)) + S.bytes32(BigNum(2))
        assertThrows(.notOnCurve, try G2Affine(ethereumBytes: offTwist))
        // On the twist, outside the subgroup.
        let bad = S.nonSubgroupG2
        XCTAssertTrue(bad.isOnCurve)
        XCTAssertFalse(bad.isInSubgroup)
        XCTAssertFalse(G2(bad).multiplied(byLimbs: S.rLimbs).isInfinity)
        assertThrows(.notInSubgroup, try G2Affine(ethereumBytes: bad.ethereumBytes))
        assertThrows(.notInSubgroup, try G2Affine(ethereumBytes: (-bad).ethereumBytes))
    }

    // MARK: Compressed encodings

    func testG1CompressedRoundTripBothSigns() throws {
        var rng = SeededGenerator(seed: 4)
        var points = [BN254G1.generator]
        for _ in 0 ..< 40 { points.append(S.randomG1(&rng)) }
        var seenFlags = Set<UInt8>()
        for p in points {
            for q in [p, -p] {
                let b = q.compressedBytes
                XCTAssertEqual(b.count, 32)
                XCTAssertEqual(try G1Affine(compressedBytes: b), q)
                let flag = b[0] & 0xC0
                XCTAssertEqual(flag, q.y.isLexicographicallyLargest ? 0xC0 : 0x80)
                seenFlags.insert(flag)
                var x = b
                x[0] &= 0x3F
                XCTAssertEqual(x, q.x.bigEndianBytes)
            }
            XCTAssertNotEqual(p.compressedBytes[0] & 0xC0, (-p).compressedBytes[0] & 0xC0)
        }
        XCTAssertEqual(seenFlags, [0x80, 0xC0])
        // The generator (1, 2): 2 ≤ (q−1)/2, so it is the "smallest" root.
        XCTAssertEqual(BN254G1.generator.compressedBytes, [0x80] + [UInt8](repeating: 0, count: 30) + [1])
        let inf = [0x40] + [UInt8](repeating: 0, count: 31)
        XCTAssertEqual(G1Affine.infinity.compressedBytes, inf)
        XCTAssertEqual(try G1Affine(compressedBytes: inf), .infinity)
    }

    func testG1CompressedRejections() {
        let g = BN254G1.generator.compressedBytes
        for n in [0, 31, 33, 64] {
            assertThrows(.invalidLength(expected: 32, got: n), try G1Affine(compressedBytes: [UInt8](repeating: 0x80, count: n)))
        }
        var noFlag = g
        noFlag[0] &= 0x3F
        assertThrows(.invalidFlags, try G1Affine(compressedBytes: noFlag))
        assertThrows(.invalidFlags, try G1Affine(compressedBytes: [UInt8](repeating: 0, count: 32)))
        // Infinity flag with any other bit set.
        var infLow = [0x40] + [UInt8](repeating: 0, count: 31)
        infLow[31] = 1
        assertThrows(.invalidInfinityEncoding, try G1Affine(compressedBytes: infLow))
        assertThrows(.invalidInfinityEncoding, try G1Affine(compressedBytes: [0x41] + [UInt8](repeating: 0, count: 31)))
        assertThrows(.invalidInfinityEncoding, try G1Affine(compressedBytes: [0x60] + [UInt8](repeating: 0, count: 31)))
        var infWithX = g
        infWithX[0] = (infWithX[0] & 0x3F) | 0x40
        assertThrows(.invalidInfinityEncoding, try G1Affine(compressedBytes: infWithX))
        // x ≥ q (with either sign flag): q, q + 1 (≡ generator), 2^254 − 1.
        let maxX = S.bytes32((BigNum(1) << 254) - BigNum(1))
        for x in [S.qBytes, S.bytes32(Fq.modulus + BigNum(1)), maxX] {
            for flag: UInt8 in [0x80, 0xC0] {
                var b = x
                b[0] |= flag
                assertThrows(.coordinateNotCanonical, try G1Affine(compressedBytes: b))
            }
        }
        // x with no point on the curve.
        var noRoot = S.g1XWithoutPoint.bigEndianBytes
        noRoot[0] |= 0x80
        assertThrows(.noSquareRoot, try G1Affine(compressedBytes: noRoot))
        noRoot[0] |= 0xC0
        assertThrows(.noSquareRoot, try G1Affine(compressedBytes: noRoot))
    }

    func testG2CompressedRoundTripBothSigns() throws {
        var rng = SeededGenerator(seed: 5)
        var points = [BN254G2.generator]
        for _ in 0 ..< 12 { points.append(S.randomG2(&rng)) }
        var seenFlags = Set<UInt8>()
        for p in points {
            for q in [p, -p] {
                let b = q.compressedBytes
                XCTAssertEqual(b.count, 64)
                XCTAssertEqual(try G2Affine(compressedBytes: b), q)
                let flag = b[0] & 0xC0
                XCTAssertEqual(flag, q.y.isLexicographicallyLargest ? 0xC0 : 0x80)
                seenFlags.insert(flag)
                var x = b
                x[0] &= 0x3F
                XCTAssertEqual(x, q.x.c1.bigEndianBytes + q.x.c0.bigEndianBytes)  // imaginary part first
            }
        }
        XCTAssertEqual(seenFlags, [0x80, 0xC0])
        let inf = [0x40] + [UInt8](repeating: 0, count: 63)
        XCTAssertEqual(G2Affine.infinity.compressedBytes, inf)
        XCTAssertEqual(try G2Affine(compressedBytes: inf), .infinity)
    }

    func testG2CompressedFlagFollowsFq2Order() throws {
        // Fq2.isLexicographicallyLargest compares c1 first; when y.c1 = 0 the c0 part decides.
        var rng = SeededGenerator(seed: 6)
        for _ in 0 ..< 4 {
            let p = S.randomG2(&rng)
            let y = p.y
            let expectLargest = y.c1.isZero ? y.c0.isLexicographicallyLargest : y.c1.isLexicographicallyLargest
            XCTAssertEqual(p.compressedBytes[0] & 0xC0, expectLargest ? 0xC0 : 0x80)
        }
    }

    func testG2CompressedRejections() {
        let g = BN254G2.generator.compressedBytes
        for n in [0, 32, 63, 65, 128] {
            assertThrows(.invalidLength(expected: 64, got: n), try G2Affine(compressedBytes: [UInt8](repeating: 0x80, count: n)))
        }
        var noFlag = g
        noFlag[0] &= 0x3F
        assertThrows(.invalidFlags, try G2Affine(compressedBytes: noFlag))
        for i in [0, 31, 32, 63] {
            var b = [0x40] + [UInt8](repeating: 0, count: 63)
            b[i] |= 1
            assertThrows(.invalidInfinityEncoding, try G2Affine(compressedBytes: b))
        }
        // Non-canonical x.c1 (carries the flags) and x.c0.
        for bad in [S.qBytes, S.allOnes, S.bytes32(Fq.modulus + BigNum(7))] {
            var hi = bad + Array(g[32 ..< 64])
            hi[0] = (hi[0] & 0x3F) | 0x80
            assertThrows(.coordinateNotCanonical, try G2Affine(compressedBytes: hi))
            let lo = Array(g[0 ..< 32]) + bad
            assertThrows(.coordinateNotCanonical, try G2Affine(compressedBytes: lo))
        }
        assertThrows(.noSquareRoot, try G2Affine(compressedBytes: S.rawCompressedG2(x: S.g2XWithoutPoint, largest: false)))
        assertThrows(.noSquareRoot, try G2Affine(compressedBytes: S.rawCompressedG2(x: S.g2XWithoutPoint, largest: true)))
        let bad = S.nonSubgroupG2
        assertThrows(.notInSubgroup, try G2Affine(compressedBytes: bad.compressedBytes))
        assertThrows(.notInSubgroup, try G2Affine(compressedBytes: (-bad).compressedBytes))
        assertThrows(.notInSubgroup, try G2Affine(compressedBytes: S.rawCompressedG2(x: bad.x, largest: true)))
    }

    // MARK: snarkjs

    func testSnarkjsG1RoundTrip() throws {
        var rng = SeededGenerator(seed: 7)
        var points = [G1Affine.infinity, BN254G1.generator]
        for _ in 0 ..< 30 { points.append(S.randomG1(&rng)) }
        for p in points {
            let s = p.snarkjsStrings
            XCTAssertEqual(try G1Affine(snarkjs: s), p)
        }
        XCTAssertEqual(G1Affine.infinity.snarkjsStrings, ["0", "1", "0"])
        XCTAssertEqual(BN254G1.generator.snarkjsStrings, ["1", "2", "1"])
    }

    /// Points carry no infinity flag: a G1 point is its two coordinates (64 bytes, the key files' size and one cache
    /// line), a G2 point 128 bytes; (0, 0) is the point at infinity, which no curve point can be (b ≠ 0).
    func testPointLayoutAndInfinity() {
        XCTAssertEqual(MemoryLayout<G1Affine>.size, 64)
        XCTAssertEqual(MemoryLayout<G1Affine>.stride, 64)
        XCTAssertEqual(MemoryLayout<G2Affine>.size, 128)
        XCTAssertTrue(G1Affine(x: .zero, y: .zero).isInfinity)
        XCTAssertTrue(G2Affine.infinity.isInfinity)
        XCTAssertFalse(BN254G1.generator.isInfinity)
        XCTAssertEqual(JacobianPoint(G1Affine.infinity), .infinity)
        XCTAssertEqual(G1Affine.infinity, -G1Affine.infinity)
        // Points with one zero coordinate are finite (and (0, ±√3) is on the curve when √3 exists).
        XCTAssertFalse(G1Affine(x: .zero, y: .one).isInfinity)
        XCTAssertFalse(G1Affine(x: .one, y: .zero).isInfinity)
        XCTAssertEqual(Set([G1Affine.infinity, G1Affine(x: .zero, y: .zero), BN254G1.generator]).count, 2)
    }

    func testSnarkjsG1Rejections() {
        assertThrows(.invalidJSONShape("G1 point needs 3 coordinates, got 2"), try G1Affine(snarkjs: ["1", "2"]))
        XCTAssertThrowsError(try G1Affine(snarkjs: []))
        XCTAssertThrowsError(try G1Affine(snarkjs: ["1", "2", "1", "1"]))
        assertThrows(.invalidDecimal("01"), try G1Affine(snarkjs: ["01", "2", "1"]))
        assertThrows(.invalidDecimal("-2"), try G1Affine(snarkjs: ["1", "-2", "1"]))
        assertThrows(.invalidDecimal(""), try G1Affine(snarkjs: ["1", "2", ""]))
        assertThrows(.invalidDecimal("0x1"), try G1Affine(snarkjs: ["0x1", "2", "1"]))
        assertThrows(.coordinateNotCanonical, try G1Affine(snarkjs: [(Fq.modulus + BigNum(1)).toString(), "2", "1"]))
        assertThrows(.coordinateNotCanonical, try G1Affine(snarkjs: ["1", Fq.modulus.toString(), "1"]))
        assertThrows(.notOnCurve, try G1Affine(snarkjs: ["1", "3", "1"]))
        // Only z = 1 or the exact infinity form.
        XCTAssertThrowsError(try G1Affine(snarkjs: ["1", "2", "2"])) { e in
            guard case .invalidJSONShape = e as? EncodingError else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try G1Affine(snarkjs: ["4", "16", "2"]))  // projective form of (1, 2) with z = 2
        assertThrows(.invalidDecimal("01"), try G1Affine(snarkjs: ["1", "2", "01"]))
        assertThrows(.invalidInfinityEncoding, try G1Affine(snarkjs: ["0", "0", "0"]))
        assertThrows(.invalidInfinityEncoding, try G1Affine(snarkjs: ["1", "2", "0"]))
        assertThrows(.invalidInfinityEncoding, try G1Affine(snarkjs: ["0", "2", "0"]))
        assertThrows(.notOnCurve, try G1Affine(snarkjs: ["0", "1", "1"]))
        assertThrows(.notOnCurve, try G1Affine(snarkjs: ["0", "0", "1"]))
    }

    func testSnarkjsG2RoundTripAndOrder() throws {
        var rng = SeededGenerator(seed: 8)
        var points = [G2Affine.infinity, BN254G2.generator]
        for _ in 0 ..< 10 { points.append(S.randomG2(&rng)) }
        for p in points {
            XCTAssertEqual(try G2Affine(snarkjs: p.snarkjsStrings), p)
        }
        XCTAssertEqual(G2Affine.infinity.snarkjsStrings, [["0", "0"], ["1", "0"], ["0", "0"]])
        let g = BN254G2.generator.snarkjsStrings
        // snarkjs order: real part first.
        XCTAssertEqual(g[0], ["10857046999023057135944570762232829481370756359578518086990519993285655852781",
                              "11559732032986387107991004021392285783925812861821192530917403151452391805634"])
        XCTAssertEqual(g[2], ["1", "0"])
    }

    func testSnarkjsG2Rejections() {
        let g = BN254G2.generator.snarkjsStrings
        XCTAssertThrowsError(try G2Affine(snarkjs: Array(g.prefix(2))))
        XCTAssertThrowsError(try G2Affine(snarkjs: g + [["1", "0"]]))
        XCTAssertThrowsError(try G2Affine(snarkjs: [g[0], g[1], ["1"]]))
        XCTAssertThrowsError(try G2Affine(snarkjs: [g[0], g[1] + ["0"], ["1", "0"]]))
        XCTAssertThrowsError(try G2Affine(snarkjs: [g[0], g[1], ["1", "0", "0"]]))
        // Swapped components (Ethereum order) are off the twist.
        let swapped = [[g[0][1], g[0][0]], [g[1][1], g[1][0]], ["1", "0"]]
        assertThrows(.notOnCurve, try G2Affine(snarkjs: swapped))
        // z other than (1, 0) / infinity.
        for z in [["1", "1"], ["2", "0"], ["0", "1"]] {
            XCTAssertThrowsError(try G2Affine(snarkjs: [g[0], g[1], z])) { e in
                guard case .invalidJSONShape = e as? EncodingError else { return XCTFail("\(e)") }
            }
        }
        assertThrows(.invalidInfinityEncoding, try G2Affine(snarkjs: [["0", "0"], ["0", "0"], ["0", "0"]]))
        assertThrows(.invalidInfinityEncoding, try G2Affine(snarkjs: [g[0], g[1], ["0", "0"]]))
        assertThrows(.invalidInfinityEncoding, try G2Affine(snarkjs: [["0", "0"], ["1", "1"], ["0", "0"]]))
        // (0, 0) with z = 1 is off the twist, even though the in-memory type stores infinity as (0, 0).
        assertThrows(.notOnCurve, try G2Affine(snarkjs: [["0", "0"], ["0", "0"], ["1", "0"]]))
        var uncompressed = [UInt8](repeating: 0, count: 128)
        XCTAssertEqual(try G2Affine(ethereumBytes: uncompressed), .infinity)  // EIP-197: all zeros is infinity
        uncompressed[127] = 1
        XCTAssertThrowsError(try G2Affine(ethereumBytes: uncompressed))
        assertThrows(.invalidDecimal("01"), try G2Affine(snarkjs: [g[0], g[1], ["01", "0"]]))
        assertThrows(.coordinateNotCanonical, try G2Affine(snarkjs: [[g[0][0], Fq.modulus.toString()], g[1], ["1", "0"]]))
        let bad = S.nonSubgroupG2
        assertThrows(.notInSubgroup, try G2Affine(snarkjs: bad.snarkjsStrings))
    }

    func testErrorDescriptions() {
        let all: [EncodingError] = [
            .invalidLength(expected: 64, got: 3), .lengthNotMultiple(of: 192, got: 191), .coordinateNotCanonical,
            .scalarNotCanonical, .notOnCurve, .notInSubgroup, .invalidFlags, .invalidInfinityEncoding,
            .noSquareRoot, .invalidDecimal("x"), .invalidJSONShape("y"),
        ]
        XCTAssertEqual(Set(all.map(\.description)).count, all.count)
        XCTAssertTrue(EncodingError.invalidLength(expected: 64, got: 3).description.contains("64"))
    }
}
