import ZKAlgebra

/// Why a Poseidon call was rejected.
public enum PoseidonError: Error, Equatable, Sendable, CustomStringConvertible {
    /// ``Poseidon/hash(_:)`` (and the ``ZKCircuit/CircuitBuilder`` gadget `poseidon`) take 1…16
    /// inputs; the associated value is the count that was passed.
    case invalidInputCount(Int)
    /// ``Poseidon/permute(_:)`` (and the gadget `poseidonPermutation`) take a state of width
    /// 2…17; the associated value is the width that was passed.
    case invalidStateWidth(Int)

    public var description: String {
        switch self {
        case .invalidInputCount(let n):
            return "Poseidon hash takes \(Poseidon.inputCounts.lowerBound)...\(Poseidon.inputCounts.upperBound) inputs, got \(n)"
        case .invalidStateWidth(let t):
            return "Poseidon permutation width must be \(Poseidon.widths.lowerBound)...\(Poseidon.widths.upperBound), got \(t)"
        }
    }
}

/// Poseidon over BN254 Fr, bit-for-bit compatible with circomlib (`circuits/poseidon.circom`) and
/// circomlibjs (`poseidon`, `poseidon_reference`).
///
/// The instance: x⁵ S-box, R_F = 8 full rounds (4 before and 4 after the partial rounds),
/// R_P partial rounds from circomlib's table, width t = 2…17. Round constants and the MDS matrix are
/// *generated* by the Grain LFSR procedure of the Poseidon paper's reference script
/// (``PoseidonParameters``), once per width, on first use.
///
/// One round r of the permutation (the plain "HADES" form, which circomlib's optimised circuit
/// is equivalent to): add round constants `state[i] += C[r·t + i]`; S-box `x ↦ x⁵` on every lane in
/// a full round and on lane 0 only in a partial round; then the linear layer `state ← M · state`
/// (`state'[i] = Σⱼ M[i][j] · state[j]`).
///
/// All functions are pure and thread-safe.
public enum Poseidon {
    /// R_F (full rounds) for every width.
    public static let fullRounds = 8
    /// Supported state widths t.
    public static let widths: ClosedRange<Int> = 2...17
    /// Supported input counts of ``hash(_:)`` (t − 1).
    public static let inputCounts: ClosedRange<Int> = 1...16

    /// circomlib's R_P for t = 2…17 (index t − 2): `N_ROUNDS_P` in `poseidon.circom`.
    static let partialRoundsTable = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68]

    /// R_P (partial rounds) for width `t`, or nil when `t` is outside 2…17.
    public static func partialRounds(width t: Int) -> Int? {
        widths.contains(t) ? partialRoundsTable[t - 2] : nil
    }

    /// The parameters of width `t`, generated on first use and cached (thread-safe; later calls
    /// return the cached value).
    ///
    /// - Throws: ``PoseidonError/invalidStateWidth(_:)`` unless `2 ≤ t ≤ 17`.
    public static func parameters(width t: Int) throws(PoseidonError) -> PoseidonParameters {
        guard widths.contains(t) else { throw .invalidStateWidth(t) }
        return cachedParameters(t)
    }

    /// The cached parameters of a width already known to be valid.
    static func cachedParameters(_ t: Int) -> PoseidonParameters {
        poseidonParameterCache.withLock { cache -> PoseidonParameters in
            if let p = cache[t] { return p }
            let p = generateParameters(width: t)
            cache[t] = p
            return p
        }
    }

    // MARK: Hash

    /// circomlib's `Poseidon(n)`: the hash of `n = inputs.count` field elements.
    ///
    /// Runs the width-`(n + 1)` permutation on `[0, inputs[0], …, inputs[n−1]]` and returns lane 0
    /// (circomlibjs `poseidon(inputs)`, i.e. initial state 0 and one output).
    ///
    /// - Throws: ``PoseidonError/invalidInputCount(_:)`` unless `1 ≤ n ≤ 16`.
    public static func hash(_ inputs: [Fr]) throws(PoseidonError) -> Fr {
        guard inputCounts.contains(inputs.count) else { throw .invalidInputCount(inputs.count) }
        var state = [Fr.zero]
        state.reserveCapacity(inputs.count + 1)
        state.append(contentsOf: inputs)
        permute(&state, cachedParameters(state.count))
        return state[0]
    }

    /// The Poseidon permutation of width `state.count`, in place.
    ///
    /// - Throws: ``PoseidonError/invalidStateWidth(_:)`` unless `2 ≤ state.count ≤ 17`
    ///   (then `state` is left unchanged).
    public static func permute(_ state: inout [Fr]) throws(PoseidonError) {
        guard widths.contains(state.count) else { throw .invalidStateWidth(state.count) }
        permute(&state, cachedParameters(state.count))
    }

    // MARK: Many elements

    /// Number of fresh elements absorbed per permutation by ``hashMany(_:)``.
    public static let manyBlockSize = 16
    /// The domain tag of ``hashMany(_:)``: its chaining value starts at `manyDomainTag + n`.
    public static let manyDomainTag = Fr(2).power(64)

    /// A hash of any number `n ≥ 0` of field elements (a length-prefixed Merkle–Damgård chain of
    /// circomlib width-17 permutations).
    ///
    /// Exactly:
    /// ```
    /// h₀     = 2^64 + n                                   (manyDomainTag + n, as a field element)
    /// k      = max(1, ⌈n / 16⌉)                           (blocks; the empty input has one block)
    /// Bⱼ     = values[16j ..< min(16j + 16, n)] right-padded with zeros to 16 elements
    /// hⱼ₊₁   = P₁₇([hⱼ, Bⱼ[0], …, Bⱼ[15]])[0]             (P₁₇ = ``permute(_:)`` at width 17)
    /// result = h_k
    /// ```
    /// Each step is circomlib's `PoseidonEx(16, 1)` with `initialState = hⱼ`, i.e. circomlibjs
    /// `poseidon(Bⱼ, hⱼ, 1)`, so the chain can be recomputed with stock circomlib tooling.
    ///
    /// Domain separation and injectivity: the length n is fixed in h₀, so zero padding is
    /// unambiguous (two inputs with the same n have the same block boundaries and differ in some
    /// block), and h₀ ≠ 0 — the capacity value ``hash(_:)`` uses — because `0 ≤ n < 2^63`; so the
    /// first permutation call never coincides with a ``hash(_:)`` call on 16 inputs.
    /// Cost: k width-17 permutations. The circuit version is `CircuitBuilder.poseidonMany`.
    public static func hashMany(_ values: [Fr]) -> Fr {
        let params = cachedParameters(manyBlockSize + 1)
        var h = manyDomainTag + Fr(UInt64(values.count))
        var state = [Fr](repeating: .zero, count: manyBlockSize + 1)
        let blocks = max(1, (values.count + manyBlockSize - 1) / manyBlockSize)
        for j in 0..<blocks {
            state[0] = h
            for i in 0..<manyBlockSize {
                let k = j * manyBlockSize + i
                state[1 + i] = k < values.count ? values[k] : .zero
            }
            permute(&state, params)
            h = state[0]
        }
        return h
    }

    // MARK: Permutation core

    /// `x⁵` with three multiplications.
    @inline(__always) static func power5(_ x: Fr) -> Fr {
        let x2 = x * x
        let x4 = x2 * x2
        return x4 * x
    }

    /// The permutation with parameters `p` (`state.count == p.width` is the caller's invariant).
    static func permute(_ state: inout [Fr], _ p: PoseidonParameters) {
        let t = p.width
        precondition(state.count == t, "Poseidon state width \(state.count) ≠ parameter width \(t)")
        let half = p.fullRounds / 2
        let partialEnd = half + p.partialRounds
        withUnsafeTemporaryAllocation(of: Fr.self, capacity: t) { tmp in
            state.withUnsafeMutableBufferPointer { s in
                p.roundConstants.withUnsafeBufferPointer { c in
                    p.mds.withUnsafeBufferPointer { m in
                        for r in 0..<(p.fullRounds + p.partialRounds) {
                            let base = r * t
                            if r < half || r >= partialEnd {
                                for i in 0..<t { s[i] = power5(s[i] + c[base + i]) }
                            } else {
                                s[0] = power5(s[0] + c[base])
                                for i in 1..<t { s[i] = s[i] + c[base + i] }
                            }
                            for i in 0..<t {
                                var acc = m[i * t] * s[0]
                                for j in 1..<t { acc += m[i * t + j] * s[j] }
                                tmp.initializeElement(at: i, to: acc)
                            }
                            for i in 0..<t { s[i] = tmp[i] }
                        }
                    }
                }
            }
        }
    }
}
