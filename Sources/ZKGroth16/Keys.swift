import ZKAlgebra

/// A sparse QAP matrix (A or B), row-major: the prover's only view of the constraints.
/// Row `j < constraintCount` is constraint j; rows `constraintCount + i` for `i = 0...publicCount`
/// hold the snarkjs public-input rows `A[m + i][i] = 1` (B has none), which make the public
/// inputs' polynomials linearly independent (without them proofs would be malleable).
public struct SparseMatrix: Sendable, Hashable {
    public var rows: [UInt32]
    public var wires: [UInt32]
    public var values: [Fr]
    public init(rows: [UInt32] = [], wires: [UInt32] = [], values: [Fr] = []) {
        self.rows = rows; self.wires = wires; self.values = values
    }
    public var count: Int { rows.count }
    mutating func append(row: Int, wire: Int, value: Fr) {
        rows.append(UInt32(row)); wires.append(UInt32(wire)); values.append(value)
    }
}

/// A Groth16 proving key over BN254, laid out like a snarkjs `.zkey` so that keys from our own
/// setup and from snarkjs take the same prover path.
///
/// Invariants: `a`, `b1`, `b2` have `wireCount` points; `c` has `wireCount − publicCount − 1`
/// (private wires, in wire order); `h` has `domainSize` points holding
/// `[L^{2n}_{2i+1}(τ)/δ]₁` — the odd-index Lagrange basis of the domain of size `2n` — so the
/// prover evaluates `A·B − C` on the odd coset (the snarkjs/rapidsnark convention, 6 NTTs).
public struct ProvingKey: Sendable {
    public var publicCount: Int
    public var wireCount: Int
    public var domainSize: Int
    public var alpha1: G1Affine
    public var beta1: G1Affine
    public var beta2: G2Affine
    public var delta1: G1Affine
    public var delta2: G2Affine
    public var a: [G1Affine]
    public var b1: [G1Affine]
    public var b2: [G2Affine]
    public var c: [G1Affine]
    public var h: [G1Affine]
    /// The QAP matrices, including the public-input rows of A.
    public var matrixA: SparseMatrix
    public var matrixB: SparseMatrix
    /// The matching verification key (kept with the proving key so `prove` can self-check).
    public var verificationKey: VerificationKey
}

/// A Groth16 verification key: checks `e(A, B) = e(α, β) · e(Σ xᵢ·ICᵢ, γ) · e(C, δ)`.
/// Points are on their curves and in their subgroups when built by the decoders or by setup.
public struct VerificationKey: Sendable, Hashable {
    public var alpha1: G1Affine
    public var beta2: G2Affine
    public var gamma2: G2Affine
    public var delta2: G2Affine
    /// `publicCount + 1` points; `ic[0]` multiplies the constant one.
    public var ic: [G1Affine]
    public var publicCount: Int { ic.count - 1 }

    public init(alpha1: G1Affine, beta2: G2Affine, gamma2: G2Affine, delta2: G2Affine, ic: [G1Affine]) {
        self.alpha1 = alpha1; self.beta2 = beta2; self.gamma2 = gamma2; self.delta2 = delta2; self.ic = ic
    }

    /// Reasons this key offers no soundness, if any (empty: none found). A claim or proof under such a key is
    /// invalid (`verify` exits 1) unless the caller explicitly allows forgeable keys:
    /// - `δ₂ = γ₂`: a setup without a phase-2 contribution (often both the G2 generator); anyone can forge proofs
    ///   for any public input. Several public snarkjs fixtures are like that. (γ = 1 alone is normal: snarkjs
    ///   always uses the G2 generator for γ; soundness then rests on δ.)
    /// - `δ₂` the G2 generator (δ = 1): the same.
    /// - α, β, γ or δ at infinity: the pairing equation degenerates (γ = O frees every public input, δ = O frees C).
    /// - `ICᵢ` at infinity for a public signal i ≥ 1: that signal does not enter the equation, so it is free.
    /// - `ICᵢ = ICⱼ` for two public signals: their values can be traded against each other.
    public var forgeabilityWarnings: [String] {
        var out: [String] = []
        if delta2 == gamma2 { out.append("vk_delta_2 equals vk_gamma_2: the setup had no phase-2 contribution, so proofs for this key can be forged for any public input") }
        if delta2 == BN254G2.generator { out.append("vk_delta_2 is the G2 generator: δ = 1, proofs for this key can be forged") }
        if alpha1.isInfinity { out.append("vk_alpha_1 is the point at infinity: proofs for this key can be forged") }
        if beta2.isInfinity { out.append("vk_beta_2 is the point at infinity: proofs for this key can be forged") }
        if gamma2.isInfinity { out.append("vk_gamma_2 is the point at infinity: every public signal is free") }
        if delta2.isInfinity { out.append("vk_delta_2 is the point at infinity: proofs for this key can be forged") }
        let free = ic.indices.dropFirst().filter { ic[$0].isInfinity }
        if !free.isEmpty {
            out.append("IC[\(free.map(String.init).joined(separator: ", "))] is the point at infinity: public signal\(free.count == 1 ? "" : "s") \(free.map { String($0 - 1) }.joined(separator: ", ")) can take any value")
        }
        var seen: [G1Affine: Int] = [:]
        for i in ic.indices.dropFirst() where !ic[i].isInfinity {
            if let j = seen[ic[i]] {
                out.append("IC[\(j)] equals IC[\(i)]: public signals \(j - 1) and \(i - 1) can be traded against each other")
                break
            }
            seen[ic[i]] = i
        }
        return out
    }
}

/// A Groth16 proof: `A ∈ G1`, `B ∈ G2`, `C ∈ G1` (256 bytes uncompressed, 128 compressed).
///
/// Proofs are re-randomizable: anyone can turn a valid proof into a different valid proof of the
/// same statement, so a proof is never an identifier (use the statement, not the proof bytes).
public struct Proof: Sendable, Hashable {
    public var a: G1Affine
    public var b: G2Affine
    public var c: G1Affine
    public init(a: G1Affine, b: G2Affine, c: G1Affine) { self.a = a; self.b = b; self.c = c }
}
