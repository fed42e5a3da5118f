import Foundation
import XCTest
import ZKAlgebra
import ZKFormats

/// The prover's fast loading paths (issue 18) against the plain ones they replace: a `.zkey` read a
/// section at a time from disk, point sections decoded in parallel, and `.r1cs` files streamed — same
/// values, same errors, whatever the thread count.
final class ProverLoadingTests: XCTestCase {
    /// Both readers on the same bytes: equal keys, or both throwing.
    private func bothReaders(_ bytes: [UInt8], _ what: String, exactError: Bool) throws {
        let path = try temporaryFile(bytes)
        let inMemory = Result { try ZKeyGroth16(bytes: bytes, validateSubgroup: false) }
        for threads in [1, 2, 5] {
            let fromFile = Result { try ZKeyGroth16(contentsOfFile: path, validateSubgroup: false, threads: threads) }
            switch (inMemory, fromFile) {
            case let (.success(a), .success(b)): XCTAssertEqual(a, b, what)
            case let (.failure(a), .failure(b)):
                XCTAssertTrue(a is FormatError && b is FormatError, "\(what): \(a) / \(b)")
                if exactError { XCTAssertEqual(a as? FormatError, b as? FormatError, what) }
            default: XCTFail("\(what): in memory \(inMemory), from the file \(fromFile)")
            }
        }
    }

    func testFileReaderEqualsInMemoryReaderOnFixtures() throws {
        for k in ZKeyTests.cases {
            let bytes = try fixtureBytes(k.set, k.zkey)
            let path = try temporaryFile(bytes)
            let reference = try ZKeyGroth16(bytes: bytes)
            for threads in [1, 2, 3, 8] {
                XCTAssertEqual(try ZKeyGroth16(contentsOfFile: path, threads: threads), reference, "\(k.zkey) threads \(threads)")
                XCTAssertEqual(try ZKeyGroth16(bytes: bytes, validateSubgroup: false, threads: threads), reference, "\(k.zkey)")
            }
        }
    }

    /// `serialized()` writes sections 1–9 byte for byte as snarkjs did, and reads back equal.
    func testSerializedZKeyMatchesSnarkjsSections() throws {
        for k in ZKeyTests.cases {
            let bytes = try fixtureBytes(k.set, k.zkey)
            let z = try ZKeyGroth16(bytes: bytes)
            let out = z.serialized()
            XCTAssertEqual(try ZKeyGroth16(bytes: out), z, k.zkey)
            let orig = try BinContainer(bytes, magic: "zkey", version: 1), ours = try BinContainer(out, magic: "zkey", version: 1)
            for t: UInt32 in 1...9 {
                let a = try XCTUnwrap(orig.section(t), "\(k.zkey) section \(t)"), b = try XCTUnwrap(ours.section(t))
                XCTAssertEqual(Array(bytes[a.range]), Array(out[b.range]), "\(k.zkey) section \(t)")
            }
            XCTAssertNil(ours.section(10))
        }
    }

    func testFileReaderRejectsWhatTheInMemoryReaderRejects() throws {
        let orig = try fixtureBytes(.x79de, "multiplier2_0001.zkey")
        // Every prefix (section-table and body truncations).
        for n in stride(from: 0, to: orig.count, by: 7) { try bothReaders(Array(orig[0..<n]), "prefix \(n)", exactError: false) }
        // Random single-byte corruptions; past the section table the errors are identical.
        var rng = SplitMix64(seed: 18)
        for _ in 0..<200 {
            var z = orig
            let i = Int(rng.next() % UInt64(z.count))
            z[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            try bothReaders(z, "byte \(i)", exactError: i >= 200)
        }
        XCTAssertThrowsError(try ZKeyGroth16(contentsOfFile: "/nonexistent/zkinfer.zkey"))
        XCTAssertThrowsError(try ZKeyGroth16(contentsOfFile: FileManager.default.temporaryDirectory.path))
    }

    // MARK: Parallel point decoding

    private func encode(_ points: [G1Affine]) -> [UInt8] {
        var out: [UInt8] = []
        for p in points {
            let limbs = p.isInfinity ? [UInt64](repeating: 0, count: 8) : [p.x.l0, p.x.l1, p.x.l2, p.x.l3, p.y.l0, p.y.l1, p.y.l2, p.y.l3]
            for l in limbs { withUnsafeBytes(of: l.littleEndian) { out += $0 } }
        }
        return out
    }

    private func encode(_ points: [G2Affine]) -> [UInt8] {
        var out: [UInt8] = []
        for p in points {
            let limbs = p.isInfinity ? [UInt64](repeating: 0, count: 16)
                : [p.x.c0, p.x.c1, p.y.c0, p.y.c1].flatMap { [$0.l0, $0.l1, $0.l2, $0.l3] }
            for l in limbs { withUnsafeBytes(of: l.littleEndian) { out += $0 } }
        }
        return out
    }

    func testParallelG1DecodingMatchesAndReportsTheLowestBadPoint() throws {
        var rng = SplitMix64(seed: 5)
        var points = batchToAffine((0..<5000).map { _ in G1.generator * Fr.random(using: &rng) })
        points[17] = .infinity
        let bytes = encode(points)
        for threads in [1, 2, 3, 8] {
            let decoded = bytes.withUnsafeBytes { PointArrays.g1($0, count: points.count, threads: threads) }
            XCTAssertEqual(try decoded.get(), points, "threads \(threads)")
        }
        // An off-curve point at 4000 and a coordinate ≥ q at 1500 (in different chunks): 1500 is reported.
        var bad = bytes
        bad[64 * 4000 + 40] ^= 1
        for k in 0..<8 { bad[64 * 1500 + 32 + 24 + k] = 0xFF }
        for threads in [1, 2, 3, 8] {
            let decoded = bad.withUnsafeBytes { PointArrays.g1($0, count: points.count, threads: threads) }
            guard case let .failure(f) = decoded else { return XCTFail("accepted a bad point") }
            XCTAssertEqual(f, .notCanonical(index: 1500, coordinate: 1), "threads \(threads)")
        }
        var offCurve = bytes
        offCurve[64 * 4000 + 40] ^= 1
        let failure = offCurve.withUnsafeBytes { PointArrays.g1($0, count: points.count, threads: 2) }
        guard case let .failure(f) = failure else { return XCTFail("accepted an off-curve point") }
        XCTAssertEqual(f, .notOnCurve(index: 4000))
    }

    /// The readers that take file bytes straight into the point array (the `.zkey` prover path) give the decoder's
    /// result and failure, on good points and on every kind of bad one, whatever the thread count.
    func testPointsReadInPlaceMatchTheDecoder() throws {
        #if arch(x86_64) || arch(arm64)
        XCTAssertTrue(PointArrays.fileLayoutInMemory, "points are not laid out as the files store them")
        #endif
        var rng = SplitMix64(seed: 7)
        var g1 = batchToAffine((0..<3000).map { _ in G1.generator * Fr.random(using: &rng) })
        g1[10] = .infinity
        var g2 = batchToAffine((0..<1100).map { _ in G2.generator * Fr.random(using: &rng) })
        g2[5] = .infinity
        let outside: G2Affine? = BN254G2.pointOutsideSubgroup
        let g1Bytes = encode(g1), g2Bytes = encode(g2)
        func inPlace1(_ bytes: [UInt8], _ threads: Int) throws -> Result<[G1Affine], PointArrays.Failure> {
            try PointArrays.g1(count: bytes.count / 64, threads: threads) { buffer in bytes.withUnsafeBytes { buffer.copyMemory(from: $0) } }
        }
        func inPlace2(_ bytes: [UInt8], _ subgroup: Bool, _ threads: Int) throws -> Result<[G2Affine], PointArrays.Failure> {
            try PointArrays.g2(count: bytes.count / 128, subgroup: subgroup, threads: threads) { buffer in bytes.withUnsafeBytes { buffer.copyMemory(from: $0) } }
        }
        var g1Cases: [(String, [UInt8])] = [("good", g1Bytes)]
        var bad = g1Bytes; for k in 0..<8 { bad[64 * 2500 + k + 24] = 0xFF }; g1Cases.append(("x ≥ q", bad))
        bad = g1Bytes; bad[64 * 2999 + 63] = 0x31; g1Cases.append(("y ≥ q, last point", bad))
        bad = g1Bytes; bad[64 * 100 + 40] ^= 1; bad[64 * 2000] ^= 1; g1Cases.append(("two off the curve", bad))
        bad = g1Bytes; bad[64 * 10 + 3] = 1; g1Cases.append(("infinity with x = 1", bad))
        for (what, bytes) in g1Cases {
            let decoded = bytes.withUnsafeBytes { PointArrays.g1($0, count: bytes.count / 64, threads: 2) }
            for threads in [1, 2, 3] { XCTAssertEqual(try inPlace1(bytes, threads), decoded, "G1 \(what), threads \(threads)") }
        }
        var withOutside = g2
        withOutside[700] = outside!
        var g2Cases: [(String, [UInt8])] = [("good", g2Bytes), ("outside the subgroup", encode(withOutside))]
        bad = g2Bytes; for k in 0..<8 { bad[128 * 50 + 96 + 24 + k] = 0xFF }; g2Cases.append(("y.c1 ≥ q", bad))
        bad = g2Bytes; bad[128 * 900 + 70] ^= 2; g2Cases.append(("off the curve", bad))
        for (what, bytes) in g2Cases {
            for subgroup in [false, true] {
                let decoded = bytes.withUnsafeBytes { PointArrays.g2($0, count: bytes.count / 128, subgroup: subgroup, threads: 2) }
                for threads in [1, 2, 3] {
                    XCTAssertEqual(try inPlace2(bytes, subgroup, threads), decoded, "G2 \(what), subgroup \(subgroup), threads \(threads)")
                }
            }
        }
        // Empty arrays, and a failing read is rethrown.
        XCTAssertEqual(try PointArrays.g1(count: 0) { _ in }.get(), [])
        struct ReadFailed: Error {}
        XCTAssertThrowsError(try PointArrays.g2(count: 4, subgroup: false) { _ in throw ReadFailed() }) { XCTAssertTrue($0 is ReadFailed) }
    }

    func testG2SubgroupCheckIsOptionalButTheCurveCheckIsNot() throws {
        var rng = SplitMix64(seed: 6)
        var points = batchToAffine((0..<1500).map { _ in G2.generator * Fr.random(using: &rng) })
        // A twist point outside the order-r subgroup.
        let outside: G2Affine? = BN254G2.pointOutsideSubgroup
        points[1200] = outside!
        let bytes = encode(points)
        for threads in [1, 2, 4] {
            XCTAssertEqual(try bytes.withUnsafeBytes { PointArrays.g2($0, count: points.count, subgroup: false, threads: threads) }.get(), points)
            let checked = bytes.withUnsafeBytes { PointArrays.g2($0, count: points.count, subgroup: true, threads: threads) }
            guard case let .failure(f) = checked else { return XCTFail("accepted a point outside the subgroup") }
            XCTAssertEqual(f, .notInSubgroup(index: 1200))
        }
        var offCurve = bytes
        offCurve[128 * 3 + 100] ^= 4
        let failure = offCurve.withUnsafeBytes { PointArrays.g2($0, count: points.count, subgroup: false, threads: 2) }
        guard case let .failure(f) = failure else { return XCTFail("accepted an off-curve G2 point") }
        XCTAssertEqual(f, .notOnCurve(index: 3))
    }

    /// A `.zkey` whose B2 section holds a twist point outside the subgroup: refused by default, accepted by the
    /// prover's loader (`validateSubgroup: false`) — which still refuses a B2 point off the curve.
    func testZKeyB2PointOutsideTheSubgroup() throws {
        let orig = try fixtureBytes(.x79de, "multiplier2_0001.zkey")
        let zkey = try ZKeyGroth16(bytes: orig)
        let outside: G2Affine? = BN254G2.pointOutsideSubgroup
        // A B2 point that is not infinity, located through the section table.
        let i = try XCTUnwrap((1..<zkey.nVars).first { !zkey.b2[$0].isInfinity })
        let offset = try XCTUnwrap(BinContainer(orig, magic: "zkey", version: 1).section(7)).range.lowerBound + 128 * i
        XCTAssertEqual(Array(orig[offset..<(offset + 128)]), encode([zkey.b2[i]]))
        var z = orig
        z.replaceSubrange(offset..<(offset + 128), with: encode([outside!]))
        XCTAssertEqual(assertFormatError("B2 outside the subgroup") { try ZKeyGroth16(bytes: z) },
                       .pointNotInSubgroup(context: "zkey section 7 (B2), point \(i)"))
        let loose = try ZKeyGroth16(contentsOfFile: try temporaryFile(z), validateSubgroup: false)
        XCTAssertEqual(loose.b2[i], outside!)
        z[offset + 70] ^= 1
        XCTAssertEqual(assertFormatError("B2 off the curve") { try ZKeyGroth16(contentsOfFile: try temporaryFile(z), validateSubgroup: false) },
                       .pointNotOnCurve(context: "zkey section 7 (B2), point \(i)"))
    }

    // MARK: Streaming .r1cs

    func testStreamingR1CSParseMatchesAndRejectsTheSame() throws {
        for (set, name) in [(FixtureSet.x79de, "multiplier2.r1cs"), (.snarkjs2023, "circuit.r1cs"), (.verifiedanon, "circuit.r1cs")] {
            let bytes = try fixtureBytes(set, name)
            let file = try R1CSFile(bytes: bytes)
            var streamed: [R1CSConstraint] = []
            var counts: R1CSFile.Counts?
            let header = try R1CSFile(bytes: bytes, header: { counts = $0 }) { streamed.append(R1CSConstraint(a: $0, b: $1, c: $2)) }
            XCTAssertEqual(streamed, file.constraints, name)
            XCTAssertTrue(header.constraints.isEmpty)
            XCTAssertEqual(header.wireToLabel, file.wireToLabel)
            XCTAssertEqual(counts, R1CSFile.Counts(nWires: file.nWires, nPubOut: file.nPubOut, nPubIn: file.nPubIn,
                                                    nPrvIn: file.nPrvIn, nConstraints: file.nConstraints))
        }
        let orig = try fixtureBytes(.x79de, "multiplier2.r1cs")
        var rng = SplitMix64(seed: 9)
        for trial in 0..<300 {
            var z = orig
            if trial < 100 { z = Array(z[0..<(trial * z.count / 100)]) } else {
                let i = Int(rng.next() % UInt64(z.count)); z[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            }
            let plain = Result { try R1CSFile(bytes: z) }
            let streaming = Result { try R1CSFile(bytes: z, header: { _ in }) { _, _, _ in } }
            switch (plain, streaming) {
            case (.success, .success): break
            case let (.failure(a), .failure(b)): XCTAssertEqual(a as? FormatError, b as? FormatError, "trial \(trial)")
            default: XCTFail("trial \(trial): \(plain) vs \(streaming)")
            }
        }
    }

    func testReadFileBytes() throws {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        XCTAssertEqual(try readFileBytes(try temporaryFile(bytes)), bytes)
        XCTAssertEqual(try readFileBytes(try temporaryFile([])), [])
        XCTAssertThrowsError(try readFileBytes("/nonexistent/zkinfer"))
        XCTAssertThrowsError(try readFileBytes(FileManager.default.temporaryDirectory.path))
    }
}
