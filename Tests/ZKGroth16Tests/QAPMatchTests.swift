import XCTest
import ZKAlgebra
import ZKConstraints
import ZKGroth16

/// `QAP.matches` (the allocation-free check of a key's matrices against a circuit) agrees with comparing against
/// `QAP.matrices`, on the true matrices and on every kind of single change.
final class QAPMatchTests: XCTestCase {
    func testMatchesAgreesWithBuiltMatrices() {
        let (system, _) = SyntheticCircuits.squareChain(count: 60, publicCount: 2)
        let (a, b) = QAP.matrices(system)
        XCTAssertTrue(QAP.matches(system, a: a, b: b))
        var cases: [(String, SparseMatrix, SparseMatrix)] = []
        var x = a; x.values[5] = x.values[5] + .one; cases.append(("A value", x, b))
        x = a; x.wires[7] ^= 1; cases.append(("A wire", x, b))
        x = a; x.rows[9] += 1; cases.append(("A row", x, b))
        var y = b; y.values[y.count - 1] = -y.values[y.count - 1]; cases.append(("last B value", a, y))
        x = a; x.rows.removeLast(); x.wires.removeLast(); x.values.removeLast(); cases.append(("A one entry short", x, b))
        y = b; y.rows.append(0); y.wires.append(0); y.values.append(.one); cases.append(("B one entry long", a, y))
        x = a; x.values[x.count - 2] = Fr(2); cases.append(("public-input row value", x, b))
        x = a; x.wires[x.count - 1] = 0; cases.append(("public-input row wire", x, b))
        cases.append(("A and B swapped", b, a))
        cases.append(("empty", SparseMatrix(), SparseMatrix()))
        let (other, _) = SyntheticCircuits.squareChain(count: 61, publicCount: 2)
        let (oa, ob) = QAP.matrices(other)
        cases.append(("another circuit", oa, ob))
        for (what, ma, mb) in cases {
            XCTAssertEqual(QAP.matches(system, a: ma, b: mb), ma == a && mb == b, what)
            XCTAssertFalse(QAP.matches(system, a: ma, b: mb), what)
        }
    }
}
