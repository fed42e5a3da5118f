import Foundation
import XCTest
import ZKAlgebra
import ZKFormats

/// Malformed `.r1cs`, `.wtns` and `.zkey` inputs: each must throw a ``FormatError`` (never trap,
/// never allocate a declared-but-absent size).
final class MalformedBinaryTests: XCTestCase {
    func multiplier2() throws -> [UInt8] { try fixtureBytes(.x79de, "multiplier2.r1cs") }
    func witness() throws -> [UInt8] { try fixtureBytes(.x79de, "witness.wtns") }
    func zkey() throws -> [UInt8] { try fixtureBytes(.x79de, "multiplier2_0001.zkey") }

    // MARK: Truncation

    func testEveryPrefixOfSmallFilesThrows() throws {
        let r1cs = try multiplier2(), wtns = try witness(), zk = try zkey()
        for n in 0..<r1cs.count { assertFormatError("r1cs prefix \(n)") { try R1CSFile(bytes: Array(r1cs[0..<n])) } }
        for n in 0..<wtns.count { assertFormatError("wtns prefix \(n)") { try WitnessFile(bytes: Array(wtns[0..<n])) } }
        for n in 0..<zk.count {
            assertFormatError("zkey prefix \(n)") { try ZKeyGroth16(bytes: Array(zk[0..<n]), validateSubgroup: false) }
        }
        // A sample of prefixes with the subgroup checks on.
        for n in stride(from: 0, to: zk.count, by: 61) {
            assertFormatError("zkey prefix \(n)") { try ZKeyGroth16(bytes: Array(zk[0..<n])) }
        }
    }

    func testSampledPrefixesOfLargerFilesThrow() throws {
        let r1cs = try fixtureBytes(.snarkjs2023, "circuit.r1cs")
        for n in stride(from: 0, to: r1cs.count, by: 97) { assertFormatError("r1cs prefix \(n)") { try R1CSFile(bytes: Array(r1cs[0..<n])) } }
        let wtns = try fixtureBytes(.multiplier1000, "witness.wtns")
        for n in stride(from: 0, to: wtns.count, by: 331) { assertFormatError("wtns prefix \(n)") { try WitnessFile(bytes: Array(wtns[0..<n])) } }
        let zk = try fixtureBytes(.snarkjs2023, "circuit.zkey")
        for n in stride(from: 0, to: zk.count, by: 487) {
            assertFormatError("zkey prefix \(n)") { try ZKeyGroth16(bytes: Array(zk[0..<n]), validateSubgroup: false) }
        }
        XCTAssertEqual(assertFormatError("cut in a section") { try R1CSFile(bytes: Array(r1cs[0..<100])) },
                       .sectionTooLarge(format: "r1cs", section: 2, declared: 15600, available: 76))
        XCTAssertEqual(assertFormatError("empty") { try R1CSFile(bytes: []) },
                       .truncated(context: "r1cs, magic", offset: 0, needed: 4, available: 0))
    }

    // MARK: Container

    func testWrongMagicAndVersion() throws {
        var b = try multiplier2()
        b[3] = UInt8(ascii: "x")
        XCTAssertEqual(assertFormatError("magic") { try R1CSFile(bytes: b) },
                       .badMagic(format: "r1cs", found: Array("r1cx".utf8)))
        XCTAssertEqual(assertFormatError("wtns as r1cs") { try R1CSFile(bytes: try witness()) },
                       .badMagic(format: "r1cs", found: Array("wtns".utf8)))
        XCTAssertEqual(assertFormatError("r1cs as zkey") { try ZKeyGroth16(bytes: try multiplier2()) },
                       .badMagic(format: "zkey", found: Array("r1cs".utf8)))
        b = try multiplier2()
        putU32(&b, 4, 2)
        XCTAssertEqual(assertFormatError("version") { try R1CSFile(bytes: b) },
                       .unsupportedVersion(format: "r1cs", found: 2, supported: 1))
        var w = try witness()
        putU32(&w, 4, 1)
        XCTAssertEqual(assertFormatError("wtns version") { try WitnessFile(bytes: w) },
                       .unsupportedVersion(format: "wtns", found: 1, supported: 2))
        var z = try zkey()
        putU32(&z, 4, 2)
        XCTAssertEqual(assertFormatError("zkey version") { try ZKeyGroth16(bytes: z) },
                       .unsupportedVersion(format: "zkey", found: 2, supported: 1))
    }

    func testSectionTableErrors() throws {
        let orig = try multiplier2()
        // Declared section size larger than the file, including 2^64 − 1 (no overflow).
        for size: UInt64 in [265, 1 << 40, .max] {
            var b = orig
            putU64(&b, section(b, 2).headerOffset + 4, size)
            XCTAssertEqual(assertFormatError("size \(size)") { try R1CSFile(bytes: b) },
                           .sectionTooLarge(format: "r1cs", section: 2, declared: size, available: 240))
        }
        // A huge section count with a short body.
        var b = orig
        putU32(&b, 8, 0xFFFF_FFFF)
        XCTAssertEqual(assertFormatError("nSections") { try R1CSFile(bytes: b) },
                       .truncated(context: "r1cs, section 3 type", offset: 264, needed: 4, available: 0))
        // Duplicate section.
        b = orig
        let h = section(b, 1)
        b += Array(b[h.headerOffset..<(h.bodyOffset + h.size)])
        putU32(&b, 8, 4)
        XCTAssertEqual(assertFormatError("duplicate") { try R1CSFile(bytes: b) }, .duplicateSection(format: "r1cs", section: 1))
        // Missing section (drop the wire map, the last one).
        b = Array(orig[0..<section(orig, 3).headerOffset])
        putU32(&b, 8, 2)
        XCTAssertEqual(assertFormatError("missing") { try R1CSFile(bytes: b) }, .missingSection(format: "r1cs", section: 3))
        // Trailing garbage after the last section.
        XCTAssertEqual(assertFormatError("trailing") { try R1CSFile(bytes: orig + [0]) },
                       .trailingBytes(context: "r1cs after the last section", count: 1))
        // Custom gates (PLONK-only) sections.
        b = orig + [4, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0]
        putU32(&b, 8, 4)
        guard case .unsupportedFeature = assertFormatError("custom gates", { try R1CSFile(bytes: b) }) else { return XCTFail() }
        // Unknown section types are skipped.
        b = orig + [99, 0, 0, 0] + [1, 0, 0, 0, 0, 0, 0, 0] + [7]
        putU32(&b, 8, 4)
        XCTAssertEqual(try R1CSFile(bytes: b), try R1CSFile(bytes: orig))
    }

    // MARK: r1cs contents

    func testR1CSHeaderErrors() throws {
        let orig = try multiplier2()
        let hdr = section(orig, 1).bodyOffset
        var b = orig
        putU32(&b, hdr, 64)
        XCTAssertEqual(assertFormatError("n8") { try R1CSFile(bytes: b) },
                       .unsupportedFieldSize(context: "r1cs section 1 (header), n8", found: 64))
        b = orig
        b[hdr + 4] ^= 1
        guard case .wrongPrime = assertFormatError("prime", { try R1CSFile(bytes: b) }) else { return XCTFail() }
        b = orig
        b.replaceSubrange((hdr + 4)..<(hdr + 36), with: fqModulusLE)
        guard case .wrongPrime = assertFormatError("prime q", { try R1CSFile(bytes: b) }) else { return XCTFail() }
        // Huge nWires: the constraints still parse, but the wire map cannot hold 2^32 − 1 labels.
        b = orig
        putU32(&b, hdr + 36, 0xFFFF_FFFF)
        XCTAssertEqual(assertFormatError("nWires") { try R1CSFile(bytes: b) },
                       .sectionSizeMismatch(context: "r1cs section 3 (wire-to-label map)", declared: 32, expected: 0xFFFF_FFFF * 8))
        // Huge nConstraints with a 120-byte constraints section.
        b = orig
        putU32(&b, hdr + 60, 0xFFFF_FFFF)
        XCTAssertEqual(assertFormatError("nConstraints") { try R1CSFile(bytes: b) },
                       .countTooLarge(context: "r1cs section 2 (constraints), nConstraints", count: 0xFFFF_FFFF, maximumPossible: 10))
        // More inputs than wires (sum would overflow u32).
        b = orig
        for f in [40, 44, 48] { putU32(&b, hdr + f, 0xFFFF_FFFF) }
        guard case .invalidHeader = assertFormatError("inputs", { try R1CSFile(bytes: b) }) else { return XCTFail() }
        // A label ≥ nLabels.
        b = orig
        putU64(&b, section(b, 3).bodyOffset + 8, 4)
        XCTAssertEqual(assertFormatError("label") { try R1CSFile(bytes: b) },
                       .indexOutOfRange(context: "r1cs section 3 (wire-to-label map), wire 1 label", index: 4, bound: 4))
    }

    func testR1CSConstraintErrors() throws {
        let orig = try multiplier2()
        let con = section(orig, 2).bodyOffset
        var b = orig
        putU32(&b, con, 0xFFFF_FFFF)  // A's term count
        XCTAssertEqual(assertFormatError("nTerms") { try R1CSFile(bytes: b) },
                       .countTooLarge(context: "r1cs section 2 (constraints), constraint 0 A term count", count: 0xFFFF_FFFF, maximumPossible: 3))
        b = orig
        putU32(&b, con + 4, 4)  // wire 4 with nWires = 4
        XCTAssertEqual(assertFormatError("wire") { try R1CSFile(bytes: b) },
                       .indexOutOfRange(context: "r1cs section 2 (constraints), constraint 0 A term 0 wire", index: 4, bound: 4))
        b = orig
        b.replaceSubrange((con + 8)..<(con + 40), with: frModulusLE)  // coefficient = r
        XCTAssertEqual(assertFormatError("coef = r") { try R1CSFile(bytes: b) },
                       .nonCanonicalValue(context: "r1cs section 2 (constraints), constraint 0 A term 0 coefficient"))
        b = orig
        putU32(&b, con, 0)  // A has no terms: the rest no longer lines up with the section
        XCTAssertNotNil(assertFormatError("misaligned") { try R1CSFile(bytes: b) })
    }

    // MARK: wtns contents

    func testWitnessErrors() throws {
        let orig = try witness()
        let hdr = section(orig, 1).bodyOffset, vals = section(orig, 2).bodyOffset
        var b = orig
        putU32(&b, hdr + 36, 0xFFFF_FFFF)
        XCTAssertEqual(assertFormatError("nWitness") { try WitnessFile(bytes: b) },
                       .sectionSizeMismatch(context: "wtns section 2 (values)", declared: 128, expected: 0xFFFF_FFFF * 32))
        b = orig
        putU32(&b, hdr, 31)
        guard case .unsupportedFieldSize = assertFormatError("n8", { try WitnessFile(bytes: b) }) else { return XCTFail() }
        b = orig
        b[hdr + 35] ^= 0x80
        guard case .wrongPrime = assertFormatError("prime", { try WitnessFile(bytes: b) }) else { return XCTFail() }
        b = orig
        b.replaceSubrange((vals + 32)..<(vals + 64), with: frModulusLE)
        XCTAssertEqual(assertFormatError("value = r") { try WitnessFile(bytes: b) },
                       .nonCanonicalValue(context: "wtns section 2 (values), witness 1"))
        b = orig
        b.replaceSubrange((vals + 32)..<(vals + 64), with: [UInt8](repeating: 0xFF, count: 32))
        guard case .nonCanonicalValue = assertFormatError("value = 2^256-1", { try WitnessFile(bytes: b) }) else { return XCTFail() }
    }

    // MARK: zkey contents

    /// Offset of the header section's body in the 0x79de zkey, and the field offsets inside it.
    enum ZH { static let nVars = 72, nPublic = 76, domainSize = 80, alpha1 = 84, beta2 = 212 }

    func testZKeyProtocolAndHeaderErrors() throws {
        let orig = try zkey()
        let hdr = section(orig, 2).bodyOffset
        var b = orig
        putU32(&b, section(b, 1).bodyOffset, 2)
        XCTAssertEqual(assertFormatError("plonk") { try ZKeyGroth16(bytes: b) }, .unsupportedProtocol(id: 2, name: "plonk"))
        putU32(&b, section(b, 1).bodyOffset, 10)
        XCTAssertEqual(assertFormatError("fflonk") { try ZKeyGroth16(bytes: b) }, .unsupportedProtocol(id: 10, name: "fflonk"))
        b = orig
        putU32(&b, hdr, 48)
        XCTAssertEqual(assertFormatError("n8q") { try ZKeyGroth16(bytes: b) },
                       .unsupportedFieldSize(context: "zkey section 2 (header), n8q", found: 48))
        b = orig
        b.replaceSubrange((hdr + 4)..<(hdr + 36), with: frModulusLE)  // r where q belongs
        guard case .wrongPrime = assertFormatError("q", { try ZKeyGroth16(bytes: b) }) else { return XCTFail() }
        b = orig
        putU32(&b, hdr + ZH.nVars, 0xFFFF_FFFF)
        XCTAssertEqual(assertFormatError("nVars") { try ZKeyGroth16(bytes: b) },
                       .sectionSizeMismatch(context: "zkey section 5 (A)", declared: 256, expected: 0xFFFF_FFFF * 64))
        b = orig
        putU32(&b, hdr + ZH.nPublic, 0xFFFF_FFFF)
        guard case .invalidHeader = assertFormatError("nPublic", { try ZKeyGroth16(bytes: b) }) else { return XCTFail() }
        b = orig
        putU32(&b, hdr + ZH.nPublic, 2)
        XCTAssertEqual(assertFormatError("nPublic vs IC") { try ZKeyGroth16(bytes: b) },
                       .sectionSizeMismatch(context: "zkey section 3 (IC)", declared: 128, expected: 192))
        b = orig
        putU32(&b, hdr + ZH.domainSize, 3)
        guard case .invalidHeader = assertFormatError("domainSize", { try ZKeyGroth16(bytes: b) }) else { return XCTFail() }
        b = orig
        putU32(&b, hdr + ZH.domainSize, 1 << 31)
        XCTAssertEqual(assertFormatError("huge domain") { try ZKeyGroth16(bytes: b) },
                       .sectionSizeMismatch(context: "zkey section 9 (H)", declared: 256, expected: (1 << 31) * 64))
    }

    func testZKeyPointErrors() throws {
        let orig = try zkey()
        let hdr = section(orig, 2).bodyOffset
        // alpha1.x = q, and = 2^256 − 1.
        var b = orig
        b.replaceSubrange((hdr + ZH.alpha1)..<(hdr + ZH.alpha1 + 32), with: fqModulusLE)
        XCTAssertEqual(assertFormatError("x = q") { try ZKeyGroth16(bytes: b) },
                       .nonCanonicalValue(context: "zkey section 2 (header), alpha1, x"))
        b.replaceSubrange((hdr + ZH.alpha1)..<(hdr + ZH.alpha1 + 32), with: [UInt8](repeating: 0xFF, count: 32))
        guard case .nonCanonicalValue = assertFormatError("x = max", { try ZKeyGroth16(bytes: b) }) else { return XCTFail() }
        // Flip a low byte of alpha1.x: still < q, but off the curve.
        b = orig
        b[hdr + ZH.alpha1] ^= 1
        XCTAssertEqual(assertFormatError("alpha1 off curve") { try ZKeyGroth16(bytes: b) },
                       .pointNotOnCurve(context: "zkey section 2 (header), alpha1"))
        // Off-curve G2 and G1 points in the body sections.
        b = orig
        b[hdr + ZH.beta2 + 64] ^= 1
        XCTAssertEqual(assertFormatError("beta2 off curve") { try ZKeyGroth16(bytes: b) },
                       .pointNotOnCurve(context: "zkey section 2 (header), beta2"))
        b = orig
        b[section(b, 5).bodyOffset + 64 + 1] ^= 1
        XCTAssertEqual(assertFormatError("A[1] off curve") { try ZKeyGroth16(bytes: b) },
                       .pointNotOnCurve(context: "zkey section 5 (A), point 1"))
        // An on-curve G2 point outside the order-r subgroup.
        b = orig
        b.replaceSubrange((hdr + ZH.beta2)..<(hdr + ZH.beta2 + 128), with: montgomeryBytes(nonSubgroupG2()))
        XCTAssertEqual(assertFormatError("beta2 not in G2") { try ZKeyGroth16(bytes: b) },
                       .pointNotInSubgroup(context: "zkey section 2 (header), beta2"))
        // The header's G2 points are the verification key's: checked even when the B2 section is not.
        XCTAssertEqual(assertFormatError("beta2 not in G2, B2 unchecked") { try ZKeyGroth16(bytes: b, validateSubgroup: false) },
                       .pointNotInSubgroup(context: "zkey section 2 (header), beta2"))
        // In the B2 section the same point is refused by default and accepted by the prover's loader.
        b = orig
        let b2 = section(b, 7).bodyOffset + 128 * 3
        b.replaceSubrange(b2..<(b2 + 128), with: montgomeryBytes(nonSubgroupG2()))
        XCTAssertEqual(assertFormatError("B2[3] not in G2") { try ZKeyGroth16(bytes: b) },
                       .pointNotInSubgroup(context: "zkey section 7 (B2), point 3"))
        XCTAssertEqual(try ZKeyGroth16(bytes: b, validateSubgroup: false).b2[3], nonSubgroupG2())
    }

    func testZKeyCoefficientErrors() throws {
        let orig = try zkey()
        let co = section(orig, 4).bodyOffset
        var b = orig
        putU32(&b, co, 0xFFFF_FFFF)
        XCTAssertEqual(assertFormatError("count") { try ZKeyGroth16(bytes: b) },
                       .sectionSizeMismatch(context: "zkey section 4 (coefficients)", declared: 180, expected: 4 + 0xFFFF_FFFF * 44))
        b = orig
        putU32(&b, co + 4, 2)
        XCTAssertEqual(assertFormatError("matrix") { try ZKeyGroth16(bytes: b) },
                       .indexOutOfRange(context: "zkey section 4 (coefficients), coefficient 0 matrix", index: 2, bound: 2))
        b = orig
        putU32(&b, co + 8, 4)
        XCTAssertEqual(assertFormatError("row") { try ZKeyGroth16(bytes: b) },
                       .indexOutOfRange(context: "zkey section 4 (coefficients), coefficient 0 constraint", index: 4, bound: 4))
        b = orig
        putU32(&b, co + 12, 4)
        XCTAssertEqual(assertFormatError("signal") { try ZKeyGroth16(bytes: b) },
                       .indexOutOfRange(context: "zkey section 4 (coefficients), coefficient 0 signal", index: 4, bound: 4))
        b = orig
        b.replaceSubrange((co + 16)..<(co + 48), with: frModulusLE)
        XCTAssertEqual(assertFormatError("value = r") { try ZKeyGroth16(bytes: b) },
                       .nonCanonicalValue(context: "zkey section 4 (coefficients), coefficient 0 value"))
    }

    func testRandomByteCorruptionNeverTraps() throws {
        // Deterministic pseudo-random single-byte corruptions: parsing may succeed (e.g. a changed
        // label or witness value) or throw a FormatError, but must never trap.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        let files: [([UInt8], ([UInt8]) throws -> Void)] = [
            (try multiplier2(), { _ = try R1CSFile(bytes: $0) }),
            (try witness(), { _ = try WitnessFile(bytes: $0) }),
            (try zkey(), { _ = try ZKeyGroth16(bytes: $0, validateSubgroup: false) }),
        ]
        for (orig, parse) in files {
            for _ in 0..<400 {
                var b = orig
                b[Int(next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: next())
                do { try parse(b) } catch is FormatError {} catch { XCTFail("unexpected error type \(error)") }
            }
        }
    }
}

/// An on-curve point of the G2 twist that is not in the order-r subgroup.
func nonSubgroupG2() -> G2Affine { BN254G2.pointOutsideSubgroup }

/// zkey encoding of a G2 point: x.c0, x.c1, y.c0, y.c1 as little-endian Montgomery limbs.
func montgomeryBytes(_ p: G2Affine) -> [UInt8] {
    [p.x.c0, p.x.c1, p.y.c0, p.y.c1].flatMap { leBytes([$0.l0, $0.l1, $0.l2, $0.l3]) }
}
