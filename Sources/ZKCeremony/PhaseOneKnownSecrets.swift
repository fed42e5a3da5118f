import Foundation
import ZKAlgebra
import ZKFormats
import ZKSodium

extension PhaseOne {
    /// A *prepared* powers-of-tau file computed directly from known secrets τ, α, β (fixed-base
    /// multiplications; Lagrange bases from field-side Lagrange evaluations), with **no
    /// contributions**. Whoever knows the secrets can forge proofs for every key built on it, and
    /// `ptau verify` rejects it ("no contribution"). It exists for tests and benchmarks: it has the
    /// exact layout and values `new → contribute(τ, α, β) → prepare` would give, in seconds instead
    /// of the hours a group FFT of 2^21 points takes here, and it cross-checks ``prepare(_:threads:)``.
    @_spi(Testing)
    public static func knownSecretsPreparedFile(power: Int, tau: Fr, alpha: Fr, beta: Fr, threads: Int = ceremonyDefaultThreads()) throws -> [UInt8] {
        guard (1...PowersOfTau.maxPower).contains(power), power + 1 <= Domain.maxLogSize else {
            throw CeremonyError.invalidArgument("power must be between 1 and \(PowersOfTau.maxPower) (got \(power))")
        }
        let n = 1 << power
        let g1 = FixedBaseTable(base: G1Affine.generatorPoint.jacobian), g2 = FixedBaseTable(base: G2Affine.generatorPoint.jacobian)
        var powers = [Fr](repeating: .one, count: 2 * n)
        for i in 1..<(2 * n) { powers[i] = powers[i - 1] * tau }
        func mul1(_ s: [Fr]) -> [UInt8] { PhaseTwo.lem(batchToAffine(parallelMap(s.count, threads: threads) { g1.multiply(s[$0]) })) }
        func mul2(_ s: [Fr]) -> [UInt8] { PhaseTwo.lem(batchToAffine(parallelMap(s.count, threads: threads) { g2.multiply(s[$0]) })) }
        let first = Array(powers[0..<n])
        // Lagrange scalars for every block: L_k(τ) of the domain 2^p; for p = power + 1 the block is
        // the inverse FFT of (τ^0 … τ^(N−2), 0), i.e. L_k(τ) − τ^(N−1)·ω^k / N.
        func lagrange(_ extra: Bool) -> [Fr] {
            var out: [Fr] = []
            for p in 0...(power + (extra ? 1 : 0)) {
                let d = Domain(logSize: p)!
                var l = d.lagrangeEvaluations(at: tau)
                if p == power + 1 {
                    let c = powers[d.size - 1] * d.sizeInverse
                    var w = Fr.one
                    for k in 0..<d.size { l[k] = l[k] - c * w; w = w * d.omega }
                }
                out += l
            }
            return out
        }
        let l1 = lagrange(true), l = lagrange(false)
        var contributions: [UInt8] = []
        appendU32(0, &contributions)
        return BinContainer.write(magic: "ptau", version: 1, sections: [
            (1, header(power: power, ceremonyPower: power)),
            (2, mul1(Array(powers[0..<(2 * n - 1)]))), (3, mul2(first)), (4, mul1(first.map { $0 * alpha })), (5, mul1(first.map { $0 * beta })),
            (6, mul2([beta])), (7, contributions),
            (12, mul1(l1)), (13, mul2(l)), (14, mul1(l.map { $0 * alpha })), (15, mul1(l.map { $0 * beta })),
        ])
    }
}
