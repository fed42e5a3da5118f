import XCTest
import ZKAlgebra
import ZKConstraints
import ZKCircuit

/// Seeded, reproducible (SplitMix64, from ZKAlgebra).
typealias CircuitTestRNG = SplitMix64

extension SplitMix64 {
    /// A uniformly random value in `[0, 2^k)` as a field element (k ≤ 253).
    mutating func fieldBelowPowerOfTwo(_ k: Int) -> Fr {
        var limbs = (0..<4).map { _ in next() }
        for i in 0..<4 {
            let lo = 64 * i
            if k <= lo { limbs[i] = 0 } else if k < lo + 64 { limbs[i] &= (1 << UInt64(k - lo)) - 1 }
        }
        return Fr(canonicalLimbs: limbs)!
    }
    mutating func field() -> Fr { Fr.random(using: &self) }
}

func pow2(_ k: Int) -> Fr { Fr(2).power(UInt64(k)) }

/// Canonical bit `i` of `x`.
func bitOf(_ x: Fr, _ i: Int) -> Fr {
    let l = x.canonicalLimbs
    return (l[i >> 6] >> UInt64(i & 63)) & 1 == 1 ? .one : .zero
}

/// Asserts that `witness` violates some constraint of `system` (an `UnsatisfiedConstraint`, not a
/// malformed-witness error) and returns the violation.
@discardableResult
func assertViolated(_ system: ConstraintSystem, _ witness: [Fr], _ message: @autoclosure () -> String = "",
                    file: StaticString = #filePath, line: UInt = #line) -> UnsatisfiedConstraint? {
    do {
        try system.check(witness)
        XCTFail("forged witness satisfies the system \(message())", file: file, line: line)
        return nil
    } catch let e as UnsatisfiedConstraint {
        return e
    } catch {
        XCTFail("expected UnsatisfiedConstraint, got \(error) \(message())", file: file, line: line)
        return nil
    }
}

/// The wire indices of the private wires a gadget allocated, given `privateCount` before and after
/// (valid once all public inputs are declared).
func allocatedWires(_ b: CircuitBuilder, from before: Int, to after: Int) -> [Int] {
    Array((1 + b.publicCount + before)..<(1 + b.publicCount + after))
}
