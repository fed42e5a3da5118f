import ZKAlgebra

/// A verification key with its pairing work precomputed: `e(α, β)` and the Miller-loop lines of
/// `−γ` and `−δ`. Verification is then one multi-Miller loop of three pairs (B's lines computed on
/// the fly) and one final exponentiation.
public struct PreparedVerificationKey: Sendable {
    public let key: VerificationKey
    public let alphaBeta: Fq12
    let negatedGamma: G2Prepared
    let negatedDelta: G2Prepared
    /// β's lines, for the α term of a batch check.
    let beta: G2Prepared

    public init(_ key: VerificationKey) {
        self.key = key
        alphaBeta = Pairing.pairing(key.alpha1, key.beta2)
        negatedGamma = G2Prepared(-key.gamma2)
        negatedDelta = G2Prepared(-key.delta2)
        beta = G2Prepared(key.beta2)
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
        return inputCommitment(ic: vk.ic, publicInputs: publicInputs).affine
    }

    /// `ic[0] + Σ publicInputs[i]·ic[i+1]`. Model claims have mostly small public signals (quantized inputs and
    /// outputs, negative ones as `r − |v|`): those are summed by one interleaved double-and-add over their actual bit
    /// length (a negative value adds `−ic[i+1]` times `|v|`); the few full-size ones (statement, commitments, hashes)
    /// by a Pippenger MSM or scalar multiplications. Equal to the plain sum for every input (tested against MSM).
    public static func inputCommitment(ic: [G1Affine], publicInputs: [Fr]) -> G1 {
        var vkx = G1(ic[0])
        var small: [(base: G1Affine, value: UInt64)] = []
        var largeBases: [G1Affine] = [], largeScalars: [Fr] = []
        for (i, x) in publicInputs.enumerated() where !x.isZero {
            let l = x.canonicalLimbs
            if l[1] == 0 && l[2] == 0 && l[3] == 0 { small.append((ic[i + 1], l[0])); continue }
            let n = (-x).canonicalLimbs
            if n[1] == 0 && n[2] == 0 && n[3] == 0 { small.append((-ic[i + 1], n[0])); continue }
            largeBases.append(ic[i + 1]); largeScalars.append(x)
        }
        if largeBases.count > 16 {
            vkx = vkx + MSM.multiScalarMultiply(bases: largeBases, scalars: largeScalars, threads: 1)
        } else {
            for (p, x) in zip(largeBases, largeScalars) { vkx = vkx + G1(p) * x }
        }
        let top = small.reduce(UInt64(0)) { $0 | $1.value }
        guard top != 0 else { return vkx }
        var acc = G1.infinity
        for bit in stride(from: 63 - top.leadingZeroBitCount, through: 0, by: -1) {
            acc = acc.doubled()
            for s in small where (s.value >> UInt64(bit)) & 1 == 1 { acc = acc.adding(s.base) }
        }
        return vkx + acc
    }
}
