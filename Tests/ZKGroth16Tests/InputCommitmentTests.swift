// The verifier's public-input commitment (small signals by an interleaved double-and-add, negative ones as −base
// times |v|, full-size ones by MSM) equals the naive sum Σ x_i·ic_i for every kind of input.

import XCTest
import ZKAlgebra
import ZKGroth16

final class InputCommitmentTests: XCTestCase {
    func testEqualsNaiveSumForSmallNegativeAndLargeInputs() {
        var rng = SplitMix64(seed: 1414)
        let g = G1.generator.affine
        for count in [1, 3, 17, 75, 120] {
            let ic = (0...count).map { _ in (G1(g) * Fr.random(using: &rng)).affine }
            for trial in 0..<4 {
                let inputs: [Fr] = (0..<count).map { k in
                    switch (k + trial) % 6 {
                    case 0: return Fr(UInt64(rng.next() % 5000))
                    case 1: return -Fr(UInt64(rng.next() % 5000))
                    case 2: return Fr.random(using: &rng)
                    case 3: return Fr.zero
                    case 4: return Fr(UInt64.max)            // the largest small value
                    default: return -Fr(UInt64.max) - Fr.one // just beyond it: a full-size scalar
                    }
                }
                var naive = G1(ic[0])
                for (i, x) in inputs.enumerated() { naive = naive + G1(ic[i + 1]) * x }
                XCTAssertEqual(Groth16.inputCommitment(ic: ic, publicInputs: inputs).affine, naive.affine, "count \(count) trial \(trial)")
            }
        }
    }
}
