import ZKAlgebra
import ZKConstraints
import ZKSodium

/// Errors of the Groth16 engine (setup, proving, verification inputs).
public enum Groth16Error: Error, Equatable, Sendable, CustomStringConvertible {
    case domainTooLarge(constraints: Int)
    case witnessLength(expected: Int, got: Int)
    case witnessDoesNotSatisfy(String)
    case publicInputCount(expected: Int, got: Int)
    case keyMismatch(String)
    /// The prover's `stop` closure asked it to stop (checked between phases); no proof was made.
    case stopped

    public var description: String {
        switch self {
        case let .domainTooLarge(m): return "\(m) constraints need a domain larger than 2^27 (the largest this field supports with the 2n coset)"
        case let .witnessLength(e, g): return "witness has \(g) values, the circuit has \(e) wires"
        case let .witnessDoesNotSatisfy(s): return "witness does not satisfy the circuit: \(s)"
        case let .publicInputCount(e, g): return "expected \(e) public inputs, got \(g)"
        case let .keyMismatch(s): return "proving key does not match the circuit: \(s)"
        case .stopped: return "proving was stopped before it finished"
        }
    }
}

/// Groth16 (Groth, EUROCRYPT 2016) over BN254.
public enum Groth16 {
    /// Progress callback: a phase name and a fraction in 0...1.
    public typealias Progress = @Sendable (String, Double) -> Void

    /// The toxic waste of a circuit-specific setup. Lives only in memory and is zeroed with
    /// `sodium_memzero` when setup ends; never written anywhere.
    struct ToxicWaste {
        var tau: Fr, alpha: Fr, beta: Fr, gamma: Fr, delta: Fr
        static func sample() -> ToxicWaste {
            var rng = SecureRandomNumberGenerator()
            func nonZero() -> Fr {
                while true { let x = Fr.random(using: &rng); if !x.isZero { return x } }
            }
            return ToxicWaste(tau: nonZero(), alpha: nonZero(), beta: nonZero(), gamma: nonZero(), delta: nonZero())
        }
        mutating func zeroize() { Sodium.zeroize(&self) }
    }

    /// Circuit-specific trusted setup with fresh randomness from libsodium's CSPRNG.
    ///
    /// τ, α, β, γ, δ and every value derived from them (Lagrange evaluations, QAP evaluations,
    /// inverses) are zeroed with `sodium_memzero` before returning. This is a single-party setup:
    /// whoever runs it could forge proofs if they kept the waste, so it suits a host proving its
    /// own computations and tests; for third-party trust use a multi-party ceremony (snarkjs `.zkey`).
    public static func setup(_ system: ConstraintSystem, threads: Int? = nil, progress: Progress? = nil) throws -> ProvingKey {
        var waste = ToxicWaste.sample()
        // Re-sample τ while it lies in a domain (probability ~2^-226, but then Lagrange values degenerate).
        let n = QAP.domainSize(constraintCount: system.constraintCount, publicCount: system.publicCount)
        guard n <= 1 << 27, let domain = Domain(size: n), let domain2 = Domain(size: 2 * n) else {
            throw Groth16Error.domainTooLarge(constraints: system.constraintCount)
        }
        while domain2.evaluateVanishingPolynomial(at: waste.tau).isZero { waste.tau = Fr.random() }
        defer { waste.zeroize() }
        return setup(system, waste: waste, domain: domain, domain2: domain2, threads: threads ?? defaultThreadCount(), progress: progress)
    }

    static func setup(_ system: ConstraintSystem, waste: ToxicWaste, domain: Domain, domain2: Domain,
                      threads: Int, progress: Progress?) -> ProvingKey {
        let n = domain.size
        let wires = system.wireCount
        let nPublic = system.publicCount
        let m = system.constraintCount
        progress?("setup: QAP at τ", 0)

        // Lagrange basis at τ and u_k(τ), v_k(τ), w_k(τ) for every wire.
        var lagrange = domain.lagrangeEvaluations(at: waste.tau)
        var u = [Fr](repeating: .zero, count: wires)
        var v = [Fr](repeating: .zero, count: wires)
        var w = [Fr](repeating: .zero, count: wires)
        for j in 0..<m {
            let l = lagrange[j]
            system.forEachTerm(j, .a) { u[$0] += $1 * l }
            system.forEachTerm(j, .b) { v[$0] += $1 * l }
            system.forEachTerm(j, .c) { w[$0] += $1 * l }
        }
        for i in 0...nPublic { u[i] += lagrange[m + i] }
        Sodium.zeroize(&lagrange)

        var gammaInverse = waste.gamma.inverse()!
        var deltaInverse = waste.delta.inverse()!
        // IC (public wires) and C query (private wires): (β·u + α·v + w)/γ or /δ.
        var icScalars = (0...nPublic).map { k in (waste.beta * u[k] + waste.alpha * v[k] + w[k]) * gammaInverse }
        var cScalars = ((nPublic + 1)..<max(nPublic + 1, wires)).map { k in (waste.beta * u[k] + waste.alpha * v[k] + w[k]) * deltaInverse }
        // H query: L^{2n}_{2i+1}(τ)/δ.
        var lagrange2 = domain2.lagrangeEvaluations(at: waste.tau)
        var hScalars = (0..<n).map { i in lagrange2[2 * i + 1] * deltaInverse }
        Sodium.zeroize(&lagrange2)

        progress?("setup: G1 table", 0.05)
        let g1 = FixedBaseTable(base: G1.generator)
        let g2 = FixedBaseTable(base: G2.generator)
        /// `[sᵢ]G` for every scalar, in parallel, then one batched conversion to affine.
        func points<C: CurveParameters>(_ table: FixedBaseTable<C>, _ scalars: [Fr], _ phase: String) -> [AffinePoint<C>] {
            progress?("setup: \(phase)", 0)
            var out = [JacobianPoint<C>](repeating: .infinity, count: scalars.count)
            out.withUnsafeMutableBufferPointer { o in
                let base = SendablePointer(base: o.baseAddress!)
                scalars.withUnsafeBufferPointer { s in
                    parallelChunks(scalars.count, threads: threads) { range in
                        for i in range { base.base[i] = table.multiply(s[i]) }
                    }
                }
            }
            return batchToAffine(out)
        }
        let aQuery = points(g1, u, "A query")
        let b1Query = points(g1, v, "B1 query")
        let b2Query = points(g2, v, "B2 query")
        let cQuery = points(g1, cScalars, "C query")
        let hQuery = points(g1, hScalars, "H query")
        let ic = points(g1, icScalars, "IC")
        Sodium.zeroize(&u); Sodium.zeroize(&v); Sodium.zeroize(&w)
        Sodium.zeroize(&icScalars); Sodium.zeroize(&cScalars); Sodium.zeroize(&hScalars)

        let alpha1 = g1.multiply(waste.alpha).affine
        let beta1 = g1.multiply(waste.beta).affine
        let delta1 = g1.multiply(waste.delta).affine
        let beta2 = g2.multiply(waste.beta).affine
        let gamma2 = g2.multiply(waste.gamma).affine
        let delta2 = g2.multiply(waste.delta).affine
        Sodium.zeroize(&gammaInverse); Sodium.zeroize(&deltaInverse)

        let (ma, mb) = QAP.matrices(system)
        progress?("setup: done", 1)
        return ProvingKey(
            publicCount: nPublic, wireCount: wires, domainSize: n,
            alpha1: alpha1, beta1: beta1, beta2: beta2, delta1: delta1, delta2: delta2,
            a: aQuery, b1: b1Query, b2: b2Query, c: cQuery, h: hQuery,
            matrixA: ma, matrixB: mb,
            verificationKey: VerificationKey(alpha1: alpha1, beta2: beta2, gamma2: gamma2, delta2: delta2, ic: ic))
    }
}
