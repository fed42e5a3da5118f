import XCTest
import ZKAlgebra
import ZKGroth16

/// The prover's NTT phase (``Groth16/oddCosetEvaluations(_:domain:shift:threads:)``: the six transforms as tasks on up to
/// three workers) against a quadratic reference: interpolate by the inverse DFT sum, evaluate at `ω_{2n}·ωⁱ` by Horner.
final class OddCosetEvaluationTests: XCTestCase {
    private func reference(_ values: [Fr], domain: Domain, shift: Fr) -> [Fr] {
        let n = values.count
        // coefficient j = n⁻¹·Σᵢ vᵢ·ω^(−ij)
        let coefficients = (0..<n).map { j -> Fr in
            var sum = Fr.zero
            for i in 0..<n { sum += values[i] * domain.omegaInverse.power(UInt64(i * j)) }
            return sum * domain.sizeInverse
        }
        return (0..<n).map { k -> Fr in
            let x = shift * domain.omega.power(UInt64(k))
            return coefficients.reversed().reduce(Fr.zero) { $0 * x + $1 }
        }
    }

    func testMatchesQuadraticReferenceForEveryThreadCount() throws {
        var rng = SplitMix64(seed: 18)
        for logN in [1, 4, 6] {
            let domain = try XCTUnwrap(Domain(logSize: logN)), shift = try XCTUnwrap(Domain(logSize: logN + 1)).omega
            for arrays in [1, 3] {
                let inputs = (0..<arrays).map { _ in (0..<(1 << logN)).map { _ in Fr.random(using: &rng) } }
                let expected = inputs.map { reference($0, domain: domain, shift: shift) }
                for threads in [1, 2, 3, 8] {
                    var buffers = inputs
                    let pointers = buffers.indices.map { k in
                        UnsafeMutableBufferPointer<Fr>.allocate(capacity: buffers[k].count)
                    }
                    defer { pointers.forEach { $0.deallocate() } }
                    for k in pointers.indices { _ = pointers[k].initialize(from: buffers[k]) }
                    Groth16.oddCosetEvaluations(pointers, domain: domain, shift: shift, threads: threads)
                    for k in pointers.indices { buffers[k] = Array(pointers[k]) }
                    XCTAssertEqual(buffers, expected, "2^\(logN), \(arrays) arrays, \(threads) threads")
                }
            }
        }
    }
}
