import Foundation
import XCTest
import ZKAlgebra
import ZKFormats

final class R1CSWitnessTests: XCTestCase {
    struct Expect {
        let set: FixtureSet, r1cs: String
        let wires: Int, constraints: Int, pubOut: Int, pubIn: Int, prvIn: Int
    }

    static let r1csFixtures: [Expect] = [
        Expect(set: .snarkjs2023, r1cs: "circuit.r1cs", wires: 103, constraints: 100, pubOut: 1, pubIn: 0, prvIn: 2),
        Expect(set: .multiplier1000, r1cs: "circuit.r1cs", wires: 1003, constraints: 1000, pubOut: 1, pubIn: 1, prvIn: 1),
        Expect(set: .x79de, r1cs: "multiplier2.r1cs", wires: 4, constraints: 1, pubOut: 1, pubIn: 0, prvIn: 2),
        Expect(set: .phonbopit, r1cs: "circuit.r1cs", wires: 4, constraints: 1, pubOut: 1, pubIn: 0, prvIn: 2),
        Expect(set: .arkworks, r1cs: "mycircuit.r1cs", wires: 4, constraints: 1, pubOut: 1, pubIn: 0, prvIn: 2),
        Expect(set: .arkworks, r1cs: "circuit2.r1cs", wires: 132, constraints: 131, pubOut: 1, pubIn: 0, prvIn: 2),
        Expect(set: .verifiedanon, r1cs: "circuit.r1cs", wires: 243, constraints: 240, pubOut: 1, pubIn: 1, prvIn: 1),
    ]

    func testR1CSFixturesParseWithDocumentedCounts() throws {
        for e in Self.r1csFixtures {
            let name = "\(e.set.rawValue)/\(e.r1cs)"
            let r = try R1CSFile(data: fixtureData(e.set, e.r1cs))
            XCTAssertEqual(r.nWires, e.wires, name)
            XCTAssertEqual(r.nConstraints, e.constraints, name)
            XCTAssertEqual(r.nPubOut, e.pubOut, name)
            XCTAssertEqual(r.nPubIn, e.pubIn, name)
            XCTAssertEqual(r.nPrvIn, e.prvIn, name)
            XCTAssertEqual(r.wireToLabel.count, e.wires, name)
            XCTAssertEqual(r.sectionOrder, [.constraints, .header, .wireToLabel], name)
            XCTAssertNoThrow(try r.validate(), name)
        }
    }

    func testMultiplier2ConstraintContents() throws {
        // c = a·b as circom writes it: A = [−1·w2], B = [w3], C = [−1·w1].
        let r = try R1CSFile(data: fixtureData(.x79de, "multiplier2.r1cs"))
        let minusOne = -Fr.one
        XCTAssertEqual(r.constraints, [R1CSConstraint(
            a: [R1CSTerm(wire: 2, coefficient: minusOne)],
            b: [R1CSTerm(wire: 3, coefficient: .one)],
            c: [R1CSTerm(wire: 1, coefficient: minusOne)])])
        XCTAssertEqual(r.nLabels, 4)
        XCTAssertEqual(r.wireToLabel, [0, 1, 2, 3])
    }

    func testR1CSRoundTripsByteForByte() throws {
        for e in Self.r1csFixtures {
            let bytes = try fixtureBytes(e.set, e.r1cs)
            XCTAssertEqual(try R1CSFile(bytes: bytes).serialized(), bytes, "\(e.set.rawValue)/\(e.r1cs)")
        }
    }

    func testR1CSWriterSectionOrderAndReparse() throws {
        var r = try R1CSFile(data: fixtureData(.snarkjs2023, "circuit.r1cs"))
        r.sectionOrder = [.header, .constraints, .wireToLabel]
        let bytes = r.serialized()
        XCTAssertEqual(sections(bytes).map(\.type), [1, 2, 3])
        let back = try R1CSFile(bytes: bytes)
        XCTAssertEqual(back, r)
    }

    static let witnessFixtures: [(FixtureSet, String)] = [
        (.snarkjs2023, "witness.wtns"), (.multiplier1000, "witness.wtns"), (.x79de, "witness.wtns"),
        (.phonbopit, "witness.wtns"), (.arkworks, "circuit2_js_witness.wtns"),
    ]

    func testWitnessRoundTripsByteForByte() throws {
        for (set, file) in Self.witnessFixtures {
            let bytes = try fixtureBytes(set, file)
            let w = try WitnessFile(bytes: bytes)
            XCTAssertEqual(w.values.first, Fr.one, "\(set.rawValue)/\(file): witness[0] must be 1")
            XCTAssertEqual(w.serialized(), bytes, "\(set.rawValue)/\(file)")
        }
    }

    func testWitnessesSatisfyTheirR1CS() throws {
        let cases: [(FixtureSet, String, String, [String]?)] = [
            (.snarkjs2023, "circuit.r1cs", "witness.wtns", nil),
            (.multiplier1000, "circuit.r1cs", "witness.wtns",
             ["19820469076730107577691234630797803937210158605698999776717232705083708883456", "11"]),
            (.x79de, "multiplier2.r1cs", "witness.wtns", nil),
            (.phonbopit, "circuit.r1cs", "witness.wtns", nil),
            (.arkworks, "circuit2.r1cs", "circuit2_js_witness.wtns", ["33"]),
        ]
        for (set, r1csName, wtnsName, explicitPublic) in cases {
            let name = "\(set.rawValue)/\(wtnsName)"
            let r1cs = try R1CSFile(data: fixtureData(set, r1csName))
            let w = try WitnessFile(data: fixtureData(set, wtnsName)).values
            XCTAssertEqual(w.count, r1cs.nWires, name)
            XCTAssertEqual(unsatisfied(r1cs, w), [], name)
            // Sanity check of the evaluator: a tampered witness must fail somewhere.
            var bad = w
            bad[r1cs.nWires - 1] += .one
            XCTAssertFalse(unsatisfied(r1cs, bad).isEmpty, "\(name) tampered")

            let expectedPublic: [Fr]
            if let explicitPublic {
                expectedPublic = explicitPublic.map(fr)
            } else {
                expectedPublic = try SnarkjsPublicSignals(jsonData: fixtureData(set, "public.json")).values
            }
            XCTAssertEqual(Array(w[1...r1cs.nPublic]), expectedPublic, "\(name): witness[1...] vs public signals")
        }
    }

    func testWitnessInputsMatchDocumentedInputs() throws {
        // Multiplier2: a = 3, b = 11 are the private inputs (wires 2, 3), c = 33 the output.
        let w = try WitnessFile(data: fixtureData(.x79de, "witness.wtns")).values
        XCTAssertEqual(w, [1, 33, 3, 11].map { Fr($0) })
        // Multiplier(100) from 2023: a = 2, b = 3.
        let w2 = try WitnessFile(data: fixtureData(.snarkjs2023, "witness.wtns")).values
        XCTAssertEqual(Array(w2[2...3]), [Fr(2), Fr(3)])
        // arkworks' JSON witness for mycircuit satisfies the Multiplier2 r1cs.
        let json = try JSONSerialization.jsonObject(with: fixtureData(.arkworks, "mycircuit-witness.json")) as! [String]
        let r1cs = try R1CSFile(data: fixtureData(.arkworks, "mycircuit.r1cs"))
        XCTAssertEqual(unsatisfied(r1cs, json.map(fr)), [])
    }

    func testWitnessWriterRoundTrip() throws {
        let w = WitnessFile(values: [Fr.one, Fr(7), -Fr.one, .zero])
        XCTAssertEqual(try WitnessFile(bytes: w.serialized()), w)
        XCTAssertEqual(try WitnessFile(bytes: WitnessFile(values: []).serialized()).values, [])
    }

    func testValidateRejectsBadInMemoryValues() {
        var r = R1CSFile(nWires: 2, nPubOut: 1, nPubIn: 0, nPrvIn: 0, nLabels: 2,
                         constraints: [R1CSConstraint(a: [R1CSTerm(wire: 1, coefficient: .one)], b: [], c: [])],
                         wireToLabel: [0, 1])
        XCTAssertNoThrow(try r.validate())
        XCTAssertEqual(try R1CSFile(bytes: r.serialized()), r)
        r.constraints[0].a[0].wire = 2
        XCTAssertEqual(assertFormatError("wire") { try r.validate() },
                       .indexOutOfRange(context: "r1cs, constraint 0 A term 0 wire", index: 2, bound: 2))
        r.constraints[0].a[0].wire = 1
        r.wireToLabel = [0]
        assertFormatError("labels") { try r.validate() }
    }
}
