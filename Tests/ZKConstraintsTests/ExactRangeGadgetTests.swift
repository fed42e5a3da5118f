import XCTest
import ZKAlgebra
import ZKCircuit
import ZKConstraints

/// `assertInRange` is exact: for every small interval, a value is accepted by *some* assignment of the
/// gadget's wires if and only if it lies in [lo, hi] (the old power-of-two check admitted about twice the range).
final class ExactRangeGadgetTests: XCTestCase {
    /// Whether any assignment of the gadget's wires (every one is boolean-constrained, so {0, 1} covers all
    /// satisfying assignments) satisfies the system for the input `x`.
    func satisfiable(_ x: Fr, lo: Int, hi: Int) -> (Bool, Int) {
        let b = CircuitBuilder()
        let v = b.privateInput(x)
        let cost = b.assertInRange(v, lo: lo, hi: hi)
        let (system, witness, _) = b.build()
        let first = b.wireIndex(of: v) + 1
        let aux = Array(first..<witness.count)
        precondition(aux.count <= 16, "too many wires to enumerate")
        var w = witness
        for mask in 0..<(1 << aux.count) {
            for (j, i) in aux.enumerated() { w[i] = (mask >> j) & 1 == 1 ? .one : .zero }
            if system.isSatisfied(by: w) { return (true, cost) }
        }
        return (false, cost)
    }

    func testExactForEverySmallInterval() throws {
        var checked = 0
        for lo in -6...3 {
            for n in 0...17 {
                let hi = lo + n
                var cost = 0
                for x in (lo - 2 * n - 3)...(hi + 2 * n + 3) {
                    let (ok, c) = satisfiable(Fr(signed: Int64(x)), lo: lo, hi: hi)
                    cost = c
                    XCTAssertEqual(ok, x >= lo && x <= hi, "x = \(x) in [\(lo), \(hi)]")
                    checked += 1
                }
                // Values far outside, including ones just below r (negative integers) and ≥ 2^64.
                for x in [Fr(signed: -1_000_000), -Fr(2).power(100), Fr(2).power(70), Fr(2).power(200) + Fr(signed: Int64(lo))] {
                    XCTAssertFalse(satisfiable(x, lo: lo, hi: hi).0, "\(x) in [\(lo), \(hi)]")
                }
                // The documented cost.
                func bitLength(_ v: Int) -> Int { Int.bitWidth - v.leadingZeroBitCount }
                let expected = n == 0 ? 1 : ((n + 1) & n == 0 ? bitLength(n) : (n & (n - 1) == 0 ? n.trailingZeroBitCount + 2 : 2 * bitLength(n)))
                XCTAssertEqual(cost, expected, "cost for n = \(n)")
            }
        }
        XCTAssertGreaterThan(checked, 5000)
    }

    /// A symmetric input range [−B, B] with B = 2^m: exact at both ends, m + 3 constraints.
    func testSymmetricPowerOfTwoRange() {
        for m in [1, 3, 8, 20] {
            let bound = 1 << m
            for (x, inside) in [(-bound, true), (bound, true), (0, true), (-bound - 1, false), (bound + 1, false), (2 * bound - 1, false), (-2 * bound, false)] {
                let b = CircuitBuilder()
                let cost = b.assertInRange(b.privateInput(Fr(signed: Int64(x))), lo: -bound, hi: bound)
                let (system, witness, _) = b.build()
                XCTAssertEqual(system.isSatisfied(by: witness), inside, "x = \(x), B = 2^\(m)")
                XCTAssertEqual(cost, m + 3)
            }
        }
    }
}
