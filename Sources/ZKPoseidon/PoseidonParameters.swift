import Synchronization
import ZKAlgebra
import ZKBigNum

/// The constants of one Poseidon instance over BN254 Fr: width, round numbers, round constants and
/// MDS matrix, exactly as circomlib uses them (its `poseidon_constants` before the "optimized"
/// re-parametrisation).
///
/// Invariants (established by the generator; instances cannot be built outside this module):
/// - `2 ≤ width ≤ 17`, `fullRounds == 8`, `partialRounds == Poseidon.partialRounds(width:)`;
/// - `roundConstants.count == (fullRounds + partialRounds) · width`, round-major: the constant added
///   to lane `i` in round `r` is `roundConstants[r · width + i]`;
/// - `mds.count == width · width`, row-major: `mds[i · width + j] = 1 / (xᵢ + yⱼ)` (a Cauchy matrix),
///   and one linear layer maps `state` to `state'` with `state'[i] = Σⱼ mds[i · width + j] · state[j]`.
///
/// Obtain instances through ``Poseidon/parameters(width:)``, which generates each width once and
/// caches it.
public struct PoseidonParameters: Sendable, Equatable {
    /// State width t (number of lanes); a hash of n inputs uses t = n + 1.
    public let width: Int
    /// R_F: full rounds, half before and half after the partial rounds (always 8 here).
    public let fullRounds: Int
    /// R_P: partial rounds (S-box on lane 0 only).
    public let partialRounds: Int
    /// `(R_F + R_P) · t` round constants, round-major (see the type's invariants).
    public let roundConstants: [Fr]
    /// The `t × t` MDS matrix, row-major (see the type's invariants).
    public let mds: [Fr]

    /// Total rounds `R_F + R_P`.
    public var rounds: Int { fullRounds + partialRounds }

    /// Whether round `r` (0-based) is a full round: the first and last `R_F / 2` rounds are.
    @inlinable public func isFullRound(_ r: Int) -> Bool {
        r < fullRounds / 2 || r >= fullRounds / 2 + partialRounds
    }

    /// The constant added to lane `lane` in round `round`.
    @inlinable public func roundConstant(round: Int, lane: Int) -> Fr { roundConstants[round * width + lane] }

    /// The MDS entry in row `row`, column `column`.
    @inlinable public func mdsEntry(row: Int, column: Int) -> Fr { mds[row * width + column] }
}

// MARK: - Grain LFSR (Poseidon paper, round-constant generation; reference script generate_parameters_grain.sage)

/// The 80-bit Grain LFSR in self-shrinking mode that the Poseidon reference script uses to derive
/// round constants and the MDS matrix ("nothing up my sleeve").
///
/// State: 80 bits `b₀ … b₇₉`, `b₀` the oldest. Seeded with the parameter encoding (MSB first):
/// field type (2 bits), S-box type (4), field size n (12), width t (12), R_F (10), R_P (10),
/// then 30 one-bits. One clock computes `b = b₆₂ ⊕ b₅₁ ⊕ b₃₈ ⊕ b₂₃ ⊕ b₁₃ ⊕ b₀`, drops `b₀` and
/// appends `b`. The first 160 clocks are discarded. Output bits come from pairs of clocks
/// `(k, v)`: `v` is emitted when `k = 1`, and the pair is discarded when `k = 0`.
struct GrainLFSR {
    /// Bit `k` of the integer is `b_k` (so bit 0 is the oldest).
    private var state: UInt128

    init(fieldType: Int, sboxType: Int, fieldBits: Int, width: Int, fullRounds: Int, partialRounds: Int) {
        var bits: [Bool] = []
        bits.reserveCapacity(80)
        func append(_ value: Int, _ count: Int) {
            precondition(value >= 0 && value < (1 << count), "Grain seed field \(value) does not fit \(count) bits")
            for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) }
        }
        append(fieldType, 2)
        append(sboxType, 4)
        append(fieldBits, 12)
        append(width, 12)
        append(fullRounds, 10)
        append(partialRounds, 10)
        bits.append(contentsOf: repeatElement(true, count: 30))
        precondition(bits.count == 80)
        var s: UInt128 = 0
        for (k, b) in bits.enumerated() where b { s |= UInt128(1) << UInt128(k) }
        state = s
        for _ in 0..<160 { _ = clock() }
    }

    /// One LFSR step; returns the new bit.
    @inline(__always) private mutating func clock() -> Bool {
        let s = state
        let b = ((s >> 62) ^ (s >> 51) ^ (s >> 38) ^ (s >> 23) ^ (s >> 13) ^ s) & 1
        state = (s >> 1) | (b << 79)
        return b == 1
    }

    /// The next output bit of the self-shrinking generator.
    mutating func nextBit() -> Bool {
        while true {
            let keep = clock()
            let bit = clock()
            if keep { return bit }
        }
    }

    /// The next `count` output bits read as a big-endian integer (first bit most significant),
    /// as little-endian 64-bit limbs. - Precondition: `count ≤ 256`.
    mutating func nextInteger(bits count: Int) -> [UInt64] {
        precondition(count >= 0 && count <= 256)
        var l0: UInt64 = 0, l1: UInt64 = 0, l2: UInt64 = 0, l3: UInt64 = 0
        for _ in 0..<count {
            l3 = (l3 << 1) | (l2 >> 63)
            l2 = (l2 << 1) | (l1 >> 63)
            l1 = (l1 << 1) | (l0 >> 63)
            l0 = (l0 << 1) | (nextBit() ? 1 : 0)
        }
        return [l0, l1, l2, l3]
    }

    /// A field element by rejection sampling: draw `n`-bit integers until one is `< p`
    /// (the reference script's round-constant rule).
    mutating func nextFieldElementRejecting(bits n: Int) -> Fr {
        while true {
            if let f = Fr(canonicalLimbs: nextInteger(bits: n)) { return f }
        }
    }

    /// An `n`-bit integer reduced mod p (the reference script's `F(grain_random_bits(n))`, used for
    /// the MDS matrix: no rejection).
    mutating func nextFieldElementReducing(bits n: Int) -> Fr {
        Fr(reducing: BigNum(limbs: nextInteger(bits: n)))
    }
}

// MARK: - Generation and cache

extension Poseidon {
    /// Field type tag in the Grain seed: 1 = prime field GF(p).
    static let grainFieldType = 1
    /// S-box tag in the Grain seed: 0 = x^α (here α = 5).
    static let grainSBoxType = 0
    /// Field size n in bits: ⌈log₂ r⌉ = 254 for BN254 Fr.
    static let grainFieldBits = 254

    /// Generates the parameters of width `t` with the reference procedure: seed the Grain LFSR with
    /// (GF(p), x^α, n = 254, t, R_F, R_P); draw `(R_F + R_P) · t` round constants with rejection of
    /// values `≥ p`; then draw `2t` values `F(bits)` (reduced mod p), redrawing all `2t` while any two
    /// coincide or some `xᵢ + yⱼ = 0`; `xs` = the first t, `ys` = the last t, `M[i][j] = 1/(xᵢ + yⱼ)`.
    ///
    /// (Later versions of the reference script also run security checks on the matrix and redraw
    /// when one fails. circomlib's matrices are the first draw for every t = 2…17; the test suite
    /// pins this against published constants and hashes.)
    static func generateParameters(width t: Int) -> PoseidonParameters {
        precondition(widths.contains(t), "Poseidon width \(t) outside \(widths)")
        let rF = fullRounds
        let rP = partialRoundsTable[t - 2]
        let n = grainFieldBits
        var grain = GrainLFSR(fieldType: grainFieldType, sboxType: grainSBoxType, fieldBits: n,
                              width: t, fullRounds: rF, partialRounds: rP)
        var constants: [Fr] = []
        constants.reserveCapacity((rF + rP) * t)
        for _ in 0..<((rF + rP) * t) { constants.append(grain.nextFieldElementRejecting(bits: n)) }

        var mds: [Fr] = []
        draw: while true {
            let values = (0..<(2 * t)).map { _ in grain.nextFieldElementReducing(bits: n) }
            if Set(values).count != values.count { continue draw }
            let xs = values[0..<t], ys = values[t..<(2 * t)]
            var m: [Fr] = []
            m.reserveCapacity(t * t)
            for x in xs {
                for y in ys {
                    guard let inv = (x + y).inverse() else { continue draw }
                    m.append(inv)
                }
            }
            mds = m
            break
        }
        return PoseidonParameters(width: t, fullRounds: rF, partialRounds: rP, roundConstants: constants, mds: mds)
    }
}

extension PoseidonParameters {
    /// Runs the Grain generation for width `t` afresh, bypassing the cache (for tests and audits;
    /// ``Poseidon/parameters(width:)`` is the cached accessor and returns equal values).
    ///
    /// - Throws: ``PoseidonError/invalidStateWidth(_:)`` unless `2 ≤ t ≤ 17`.
    public static func generate(width t: Int) throws(PoseidonError) -> PoseidonParameters {
        guard Poseidon.widths.contains(t) else { throw .invalidStateWidth(t) }
        return Poseidon.generateParameters(width: t)
    }
}

/// Parameters per width, generated on first use. Index = width (slots 0 and 1 unused).
let poseidonParameterCache = Mutex<[PoseidonParameters?]>(Array(repeating: nil, count: Poseidon.widths.upperBound + 1))
