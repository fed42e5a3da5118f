import Foundation
import XCTest
import ZKAlgebra
import ZKFormats

/// `R1CSFile(contentsOfFile:header:streaming:)`, which reads the constraints section a chunk at a time, against the
/// parser over the whole file's bytes: the same counts, constraints and labels, or the same `FormatError` (offsets
/// included), for every chunk size, including ones that split every constraint.
final class R1CSFileReaderTests: XCTestCase {
    private struct Parsed: Equatable {
        var counts: R1CSFile.Counts?
        var constraints: [R1CSConstraint] = []
        var file: R1CSFile?
    }

    private func fromBytes(_ bytes: [UInt8]) -> Result<Parsed, Error> {
        Result {
            var p = Parsed()
            p.file = try R1CSFile(bytes: bytes, header: { p.counts = $0 }) { p.constraints.append(R1CSConstraint(a: $0, b: $1, c: $2)) }
            return p
        }
    }

    private func fromFile(_ path: String, chunk: Int) -> Result<Parsed, Error> {
        Result {
            var p = Parsed()
            p.file = try R1CSFile(contentsOfFile: path, chunkBytes: chunk, header: { p.counts = $0 }) {
                p.constraints.append(R1CSConstraint(a: $0, b: $1, c: $2))
            }
            return p
        }
    }

    private func bothReaders(_ bytes: [UInt8], _ what: String, chunks: [Int] = [1, 45, 160, 4096, 1 << 22]) throws {
        let path = try temporaryFile(bytes)
        let expected = fromBytes(bytes)
        for chunk in chunks {
            switch (expected, fromFile(path, chunk: chunk)) {
            case let (.success(a), .success(b)): XCTAssertEqual(a, b, "\(what), chunk \(chunk)")
            case let (.failure(a), .failure(b)):
                XCTAssertNotNil(b as? FormatError, "\(what), chunk \(chunk): \(b)")
                XCTAssertEqual(a as? FormatError, b as? FormatError, "\(what), chunk \(chunk)")
            case let (a, b): XCTFail("\(what), chunk \(chunk): bytes \(a), file \(b)")
            }
        }
    }

    func testSameResultOnFixtures() throws {
        for e in R1CSWitnessTests.r1csFixtures {
            let bytes = try fixtureBytes(e.set, e.r1cs)
            try bothReaders(bytes, "\(e.set.rawValue)/\(e.r1cs)")
            let parsed = try fromFile(try temporaryFile(bytes), chunk: 100).get()
            XCTAssertEqual(parsed.constraints.count, e.constraints, e.r1cs)
            XCTAssertEqual(parsed.counts?.nWires, e.wires, e.r1cs)
        }
    }

    /// Truncations and single-byte corruptions of every section: the constraints section's count and term-count
    /// checks, wire bounds and canonical coefficients are the ones the chunked reader re-implements at chunk edges.
    func testSameErrorsOnCorruptedFiles() throws {
        let orig = try fixtureBytes(.arkworks, "circuit2.r1cs")
        let body = section(orig, 2)
        for n in stride(from: 0, to: orig.count, by: 53) { try bothReaders(Array(orig[0..<n]), "prefix \(n)", chunks: [1, 160, 1 << 22]) }
        var rng = SplitMix64(seed: 2026)
        for _ in 0..<150 {
            var z = orig
            let i = Int(rng.next() % UInt64(z.count))
            z[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            try bothReaders(z, "byte \(i)", chunks: [1, 160, 1 << 22])
        }
        // Term counts too large for the section, at the first, a middle and the last constraint; nConstraints too large
        // or too small (trailing bytes).
        var offsets: [Int] = []
        var o = body.bodyOffset
        while o < body.bodyOffset + body.size {
            offsets.append(o)
            for _ in 0..<3 { o += 4 + 36 * Int(u32(orig, o)) }
        }
        for at in [offsets[0], offsets[offsets.count / 2], offsets[offsets.count - 1]] {
            for value: UInt32 in [UInt32(body.size / 36), UInt32(body.size / 36) + 1, .max] {
                var z = orig
                putU32(&z, at, value)
                try bothReaders(z, "term count \(value) at \(at)")
            }
        }
        let header = section(orig, 1)
        let countOffset = header.bodyOffset + header.size - 4
        for value in [u32(orig, countOffset) + 1, u32(orig, countOffset) - 1, UInt32(body.size / 12) + 1] {
            var z = orig
            putU32(&z, countOffset, value)
            try bothReaders(z, "nConstraints \(value)")
        }
    }

    func testMissingOrUnreadableFile() {
        XCTAssertThrowsError(try R1CSFile(contentsOfFile: "/nonexistent/zkinfer.r1cs", header: { _ in }) { _, _, _ in })
        XCTAssertThrowsError(try R1CSFile(contentsOfFile: FileManager.default.temporaryDirectory.path, header: { _ in }) { _, _, _ in })
    }
}
