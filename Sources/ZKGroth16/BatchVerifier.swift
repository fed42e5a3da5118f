import ZKAlgebra
import ZKSodium

/// One proof of a batch: the proof and its public inputs in signal order.
public struct BatchProof: Sendable {
    public var proof: Proof
    public var publicInputs: [Fr]
    public init(proof: Proof, publicInputs: [Fr]) { self.proof = proof; self.publicInputs = publicInputs }
}

/// The outcome of ``Groth16/batchVerify(_:_:threads:)``.
public struct BatchVerification: Sendable {
    /// One verdict per proof, in the order given: exactly what ``Groth16/verify(_:proof:publicInputs:)`` answers
    /// (a wrong input count is `false` here, not an error), except with probability at most 1/(2¹²⁸ − 1) for each
    /// combined check an invalid proof takes part in.
    public var valid: [Bool]
    /// Combined (random-linear-combination) checks run: 1 when every proof is valid, more when bisection ran.
    public var combinedChecks: Int
    /// Proofs that were checked alone (a bisection step of a few proofs, or a batch of one).
    public var singleChecks: Int
}

extension Groth16 {
    /// Verifies many proofs under one key at once.
    ///
    /// Every proof first gets the checks of a single verification: its input count, A and C on G1 and B in the
    /// G2 subgroup (a proof failing them is invalid and left out). The rest are checked together with independent
    /// random 128-bit scalars rᵢ (libsodium, drawn after the proofs are fixed, fresh for every combined check):
    ///
    ///     ∏ e(rᵢ·Aᵢ, Bᵢ) · e(Σ rᵢ·vk_xᵢ, −γ) · e(Σ rᵢ·Cᵢ, −δ) · e(−(Σ rᵢ)·α, β) = 1
    ///
    /// N + 3 Miller loops and one final exponentiation, where `Σ rᵢ·vk_xᵢ = (Σ rᵢ)·IC₀ + Σⱼ (Σᵢ rᵢ·xᵢⱼ)·ICⱼ₊₁` is one
    /// small MSM over the key. If an invalid proof is among them the product is 1 with probability at most
    /// 1/(2¹²⁸ − 1) (rᵢ uniform in [1, 2¹²⁸); for each invalid proof the equation is a non-zero linear form in its
    /// rᵢ over the prime-order GT; B in the subgroup rules out small-order terms). On failure the set is split in halves, each checked with
    /// fresh scalars, down to groups of at most four, which are verified one by one: each proof gets its own verdict.
    public static func batchVerify(_ pvk: PreparedVerificationKey, _ proofs: [BatchProof], threads: Int? = nil) -> BatchVerification {
        batchVerify(pvk, proofs, threads: threads, pointsChecked: false)
    }

    /// `pointsChecked`: the caller guarantees every proof's A and C are on G1 and B is in the G2 subgroup (the claim
    /// verifier's proofs come from `SnarkjsProof`'s parser, which checks exactly that), so only the input counts are
    /// checked here. Everything else is ``batchVerify(_:_:threads:)``.
    package static func batchVerify(_ pvk: PreparedVerificationKey, _ proofs: [BatchProof], threads: Int?, pointsChecked: Bool) -> BatchVerification {
        let threads = max(1, threads ?? defaultThreadCount())
        // Per-proof checks, in parallel.
        let valid = parallelMap(proofs.count, threads: threads) { i in
            let p = proofs[i]
            return p.publicInputs.count == pvk.key.publicCount
                && (pointsChecked || (p.proof.a.isOnCurve && p.proof.c.isOnCurve && p.proof.b.isInSubgroup))
        }
        var result = BatchVerification(valid: valid, combinedChecks: 0, singleChecks: 0)
        let candidates = valid.indices.filter { valid[$0] }
        resolve(pvk, proofs, candidates, threads: threads, knownInvalid: false, into: &result)
        return result
    }

    /// Sets `result.valid` for `indices` (all of which passed the per-proof checks). `knownInvalid`: the caller's
    /// combined check over exactly these failed, so a second half whose first half passed needs no check of its own.
    private static func resolve(_ pvk: PreparedVerificationKey, _ proofs: [BatchProof], _ indices: [Int], threads: Int,
                                knownInvalid: Bool, into result: inout BatchVerification) {
        if indices.isEmpty { return }
        if indices.count <= 4 {
            for i in indices {
                result.singleChecks += 1
                result.valid[i] = (try? verify(pvk, proof: proofs[i].proof, publicInputs: proofs[i].publicInputs)) ?? false
            }
            return
        }
        if !knownInvalid {
            result.combinedChecks += 1
            if combinedCheck(pvk, proofs, indices, threads: threads) {
                for i in indices { result.valid[i] = true }
                return
            }
        }
        let half = indices.count / 2
        let left = Array(indices[..<half]), right = Array(indices[half...])
        resolve(pvk, proofs, left, threads: threads, knownInvalid: false, into: &result)
        // The whole set failed: if the left half is all valid, the right half holds an invalid proof.
        let leftAllValid = left.allSatisfy { result.valid[$0] }
        resolve(pvk, proofs, right, threads: threads, knownInvalid: leftAllValid, into: &result)
    }

    /// Fresh random scalars in [1, 2¹²⁸), from libsodium.
    package static func batchScalars(_ count: Int) -> [Fr] {
        var bytes = Sodium.randomBytes(16 * count)
        defer { Sodium.zeroize(&bytes) }
        return (0..<count).map { i in
            var lo: UInt64 = 0, hi: UInt64 = 0
            for k in 0..<8 { lo |= UInt64(bytes[16 * i + k]) << UInt64(8 * k); hi |= UInt64(bytes[16 * i + 8 + k]) << UInt64(8 * k) }
            if lo == 0 && hi == 0 { lo = 1 }  // probability 2⁻¹²⁸; keeps every rᵢ non-zero
            return Fr(canonicalLimbs: [lo, hi, 0, 0])!
        }
    }

    /// The combined check over `indices` (proofs already point-checked, input counts right).
    static func combinedCheck(_ pvk: PreparedVerificationKey, _ proofs: [BatchProof], _ indices: [Int], threads: Int) -> Bool {
        let n = indices.count
        let r = batchScalars(n)
        let key = pvk.key
        // Σ rᵢ, and the combined input scalars Σᵢ rᵢ·xᵢⱼ.
        var rSum = Fr.zero
        var inputScalars = [Fr](repeating: .zero, count: key.publicCount)
        for (k, i) in indices.enumerated() {
            rSum += r[k]
            for (j, x) in proofs[i].publicInputs.enumerated() where !x.isZero { inputScalars[j] += r[k] * x }
        }
        // rᵢ·Aᵢ (in parallel), then to affine with one inversion.
        let scaledA = parallelMap(n, threads: threads) { k in
            G1(proofs[indices[k]].proof.a).multiplied(byLimbs: Array(r[k].canonicalLimbs.prefix(2)))
        }
        let aff = batchToAffine(scaledA)
        let cSum = MSM.multiScalarMultiply(bases: indices.map { proofs[$0].proof.c }, scalars: r, threads: threads)
        let vkxSum = MSM.multiScalarMultiply(bases: key.ic, scalars: [rSum] + inputScalars, threads: 1)
        let alphaTerm = (G1(key.alpha1) * (-rSum)).affine
        // The N pairs (rᵢ·Aᵢ, Bᵢ), split over threads: each computes B's lines and a partial multi-Miller loop.
        let chunks = max(1, min(threads, n))
        let per = (n + chunks - 1) / chunks
        let partial = parallelMap(chunks, threads: chunks) { c in
            // Sub-batches of 32 keep the prepared lines (~17 KB a proof) in cache; each costs 63 extra squarings.
            var f = Fq12.one
            for s in stride(from: c * per, to: min(n, (c + 1) * per), by: 32) {
                f = f * Pairing.millerLoop((s..<min(n, (c + 1) * per, s + 32)).map { (aff[$0], G2Prepared(proofs[indices[$0]].proof.b)) })
            }
            return f
        }
        var f = Pairing.millerLoop([(vkxSum.affine, pvk.negatedGamma), (cSum.affine, pvk.negatedDelta), (alphaTerm, pvk.beta)])
        for p in partial { f = f * p }
        return Pairing.finalExponentiation(f).isOne
    }
}
