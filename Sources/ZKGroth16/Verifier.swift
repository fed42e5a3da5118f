import ZKAlgebra

/// A verification key with its pairing work precomputed: `e(α, β)` and the Miller-loop lines of
/// `−γ` and `−δ`. Verification is then one multi-Miller loop of three pairs (B's lines computed on
/// the fly) and one final exponentiation.
public struct PreparedVerificationKey: Sendable {
    public let key: VerificationKey
    public let alphaBeta: Fq12
    let negatedGamma: G2Prepared
    let negatedDelta: G2Prepared

    public init(_ key: VerificationKey) {
        self.key = key
        alphaBeta = Pairing.pairing(key.alpha1, key.beta2)
        negatedGamma = G2Prepared(-key.gamma2)
        negatedDelta = G2Prepared(-key.delta2)
    }
}

extension Groth16 {
    /// Verifies `proof` for `publicInputs` (in signal order, each an ``Fr`` so `< r` by construction).
    ///
    /// Returns false for an invalid proof, including proof points that are off their curve or
    /// outside their subgroup (checked here again, whatever decoded them); throws
    /// ``Groth16Error/publicInputCount(expected:got:)`` when the number of inputs is wrong.
    /// Never traps.
    public static func verify(_ pvk: PreparedVerificationKey, proof: Proof, publicInputs: [Fr]) throws -> Bool {
        guard let vkx = try checkedInputCommitment(pvk.key, proof: proof, publicInputs: publicInputs) else { return false }
        let f = Pairing.millerLoop([
            (proof.a, G2Prepared(proof.b)),
            (vkx, pvk.negatedGamma),
            (proof.c, pvk.negatedDelta),
        ])
        return Pairing.finalExponentiation(f) == pvk.alphaBeta
    }

    /// One-shot verification without a prepared key: a single four-pair product
    /// `e(A, B)·e(vk_x, −γ)·e(C, −δ)·e(−α, β) = 1` (cheaper than preparing the key once).
    public static func verify(_ vk: VerificationKey, proof: Proof, publicInputs: [Fr]) throws -> Bool {
        guard let vkx = try checkedInputCommitment(vk, proof: proof, publicInputs: publicInputs) else { return false }
        return Pairing.check([(proof.a, proof.b), (vkx, -vk.gamma2), (proof.c, -vk.delta2), (-vk.alpha1, vk.beta2)])
    }

    /// Checks the input count (throws) and the proof points (nil when off curve or outside the
    /// subgroup), and returns `vk_x = IC₀ + Σ xᵢ·ICᵢ₊₁`.
    static func checkedInputCommitment(_ vk: VerificationKey, proof: Proof, publicInputs: [Fr]) throws -> G1Affine? {
        guard publicInputs.count == vk.publicCount else {
            throw Groth16Error.publicInputCount(expected: vk.publicCount, got: publicInputs.count)
        }
        guard proof.a.isOnCurve, proof.c.isOnCurve, proof.b.isInSubgroup else { return nil }
        var vkx = G1(vk.ic[0])
        if publicInputs.count > 16 {
            vkx = vkx + MSM.multiScalarMultiply(bases: Array(vk.ic[1...]), scalars: publicInputs, threads: 1)
        } else {
            for (i, x) in publicInputs.enumerated() where !x.isZero { vkx = vkx + G1(vk.ic[i + 1]) * x }
        }
        return vkx.affine
    }
}
