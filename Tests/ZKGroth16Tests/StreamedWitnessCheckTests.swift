import Foundation
import XCTest
import ZKAlgebra
import ZKConstraints
import ZKFormats
import ZKGroth16

/// `ConstraintSystem.check(_:r1csFile:)` (the witness checked while the `.r1cs` is read, nothing kept) against
/// `ConstraintSystem(r1csBytes:)` followed by `check`: the same verdict and the same error.
final class StreamedWitnessCheckTests: XCTestCase {
    private func r1csBytes(_ s: ConstraintSystem) -> [UInt8] {
        let constraints = (0..<s.constraintCount).map { i in
            func side(_ k: ConstraintSide) -> [R1CSTerm] { s.terms(i, k).map { R1CSTerm(wire: $0.wire, coefficient: $0.coefficient) } }
            return R1CSConstraint(a: side(.a), b: side(.b), c: side(.c))
        }
        return R1CSFile(nWires: s.wireCount, nPubOut: 1, nPubIn: s.publicCount - 1, nPrvIn: 0, nLabels: UInt64(s.wireCount),
                        constraints: constraints, wireToLabel: (0..<UInt64(s.wireCount)).map { $0 }).serialized()
    }

    /// Both checks on the same file and witness: both pass with the file's counts, or both throw the same error.
    private func bothChecks(_ bytes: [UInt8], _ witness: [Fr], _ what: String) throws {
        let path = try temporaryFile(bytes)
        let whole = Result { () throws -> R1CSFile.Counts in
            let s = try ConstraintSystem(r1csBytes: bytes)
            try s.check(witness)
            let f = try R1CSFile(bytes: bytes)
            return R1CSFile.Counts(nWires: f.nWires, nPubOut: f.nPubOut, nPubIn: f.nPubIn, nPrvIn: f.nPrvIn, nConstraints: f.nConstraints)
        }
        let streamed = Result { try ConstraintSystem.check(witness, r1csFile: path) }
        switch (whole, streamed) {
        case let (.success(a), .success(b)): XCTAssertEqual(a, b, what)
        case let (.failure(a as UnsatisfiedConstraint), .failure(b as UnsatisfiedConstraint)):
            XCTAssertEqual(a.index, b.index, what)
            XCTAssertEqual([a.a, a.b, a.c], [b.a, b.b, b.c], what)
        case let (.failure(a), .failure(b)):
            XCTAssertEqual(String(describing: a), String(describing: b), what)
            XCTAssertTrue(b is FormatError || b is WitnessError, "\(what): \(b)")
        case let (a, b): XCTFail("\(what): whole \(a), streamed \(b)")
        }
    }

    func testSameVerdictAndErrors() throws {
        let (system, witness) = SyntheticCircuits.squareChain(count: 300)
        let bytes = r1csBytes(system)
        try bothChecks(bytes, witness, "valid witness")
        XCTAssertEqual(try ConstraintSystem.check(witness, r1csFile: try temporaryFile(bytes)).nConstraints, system.constraintCount)
        for wire in [3, 150, system.wireCount - 1] {
            var bad = witness
            bad[wire] += .one
            try bothChecks(bytes, bad, "wire \(wire) changed")
            XCTAssertThrowsError(try ConstraintSystem.check(bad, r1csFile: try temporaryFile(bytes)), "wire \(wire)")
        }
        try bothChecks(bytes, Array(witness.dropLast()), "short witness")
        var notOne = witness
        notOne[0] = Fr(2)
        try bothChecks(bytes, notOne, "witness[0] = 2")
        // A malformed file is reported as such even with a failing witness (as a full parse then check would).
        var bad = witness
        bad[3] += .one
        try bothChecks(Array(bytes.dropLast(5)), bad, "truncated file, failing witness")
        try corruptions(of: bytes, prefixStride: bytes.count / 10, flips: 40, from: 0, seed: 77) { try bothChecks($0, witness, $1) }
        XCTAssertThrowsError(try ConstraintSystem.check(witness, r1csFile: "/nonexistent/zkinfer.r1cs"))
    }
}
