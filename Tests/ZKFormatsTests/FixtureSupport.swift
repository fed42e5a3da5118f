import Foundation
import XCTest
import ZKAlgebra
import ZKFormats

/// Fixture sets under `Fixtures/groth16/` (see PROVENANCE.md).
enum FixtureSet: String, CaseIterable {
    case snarkjs2023 = "snarkjs-test-groth16-2023"
    case multiplier1000 = "snarkjs-test-groth16-multiplier1000"
    case garaga = "garaga-snarkjs-bn254"
    case x79de = "circom-multiplier-circuit-0x79de"
    case phonbopit = "hello-snarkjs-phonbopit"
    case verifiedanon = "sample-circom-groth16-verifiedanon"
    case arkworks = "arkworks-circom-compat"
}

struct FixtureMissing: Error, CustomStringConvertible {
    let description: String
}

/// Bytes of `Fixtures/groth16/<set>/<file>`.
func fixtureData(_ set: FixtureSet, _ file: String) throws -> Data {
    let ns = file as NSString
    guard let url = Bundle.module.url(
        forResource: ns.deletingPathExtension, withExtension: ns.pathExtension,
        subdirectory: "Fixtures/groth16/\(set.rawValue)")
    else { throw FixtureMissing(description: "fixture \(set.rawValue)/\(file) not found in the test bundle") }
    return try Data(contentsOf: url)
}

func fixtureBytes(_ set: FixtureSet, _ file: String) throws -> [UInt8] { [UInt8](try fixtureData(set, file)) }

extension XCTestCase {
    /// Writes `bytes` to a new temporary file, removed when the test ends; returns its path.
    func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-test-\(UUID().uuidString).bin")
        try Data(bytes).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }
}

/// Asserts that `body` throws a ``FormatError`` and returns it (nil, with a failure, otherwise).
@discardableResult
func assertFormatError<T>(_ what: String, file: StaticString = #filePath, line: UInt = #line,
                          _ body: () throws -> T) -> FormatError? {
    do {
        _ = try body()
        XCTFail("\(what): expected a FormatError, but parsing succeeded", file: file, line: line)
        return nil
    } catch let e as FormatError {
        XCTAssertFalse(e.description.isEmpty, file: file, line: line)
        return e
    } catch {
        XCTFail("\(what): expected a FormatError, got \(type(of: error)): \(error)", file: file, line: line)
        return nil
    }
}

/// Locations of the sections of an iden3 binary file (test-side, independent of the reader).
struct SectionInfo {
    let type: UInt32
    let headerOffset: Int  // offset of the u32 type
    let bodyOffset: Int
    let size: Int
}

func u32(_ b: [UInt8], _ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[o + $1]) << (8 * UInt32($1)) } }
func u64(_ b: [UInt8], _ o: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[o + $1]) << (8 * UInt64($1)) } }
func putU32(_ b: inout [UInt8], _ o: Int, _ v: UInt32) { for i in 0..<4 { b[o + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) } }
func putU64(_ b: inout [UInt8], _ o: Int, _ v: UInt64) { for i in 0..<8 { b[o + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) } }

func sections(_ b: [UInt8]) -> [SectionInfo] {
    var out: [SectionInfo] = []
    var o = 12
    for _ in 0..<Int(u32(b, 8)) {
        let t = u32(b, o), s = Int(u64(b, o + 4))
        out.append(SectionInfo(type: t, headerOffset: o, bodyOffset: o + 12, size: s))
        o += 12 + s
    }
    return out
}

func section(_ b: [UInt8], _ type: UInt32) -> SectionInfo { sections(b).first { $0.type == type }! }

/// Little-endian bytes of four 64-bit limbs.
func leBytes(_ limbs: [UInt64]) -> [UInt8] { limbs.flatMap { l in (0..<8).map { UInt8(truncatingIfNeeded: l >> (8 * UInt64($0))) } } }

let frModulusLE = leBytes([Fr.p0, Fr.p1, Fr.p2, Fr.p3])
let fqModulusLE = leBytes([Fq.p0, Fq.p1, Fq.p2, Fq.p3])

/// `Σ coefficient · w[wire]`.
func evaluate(_ lc: [R1CSTerm], _ w: [Fr]) -> Fr {
    lc.reduce(Fr.zero) { $0 + $1.coefficient * w[$1.wire] }
}

/// Indices of the constraints the witness does not satisfy.
func unsatisfied(_ r1cs: R1CSFile, _ w: [Fr]) -> [Int] {
    r1cs.constraints.indices.filter { i in
        let c = r1cs.constraints[i]
        return evaluate(c.a, w) * evaluate(c.b, w) != evaluate(c.c, w)
    }
}

/// Parses a decimal string that the test knows is canonical.
func fr(_ s: String) -> Fr { Fr(decimal: s)! }
