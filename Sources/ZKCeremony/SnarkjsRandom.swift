import ZKAlgebra
import ZKSodium

/// ffjavascript's `ChaCha` generator, bit for bit: the ChaCha20 block function (20 rounds) over
/// the state `"expand 32-byte k" | seed[0..<8] | counter (4 words, starting at 0)`, emitting the
/// 16 output words in order. snarkjs seeds it from a hash (eight big-endian 32-bit words) to
/// derive phase-1/phase-2 public keys, so every value drawn here must match ffjavascript exactly:
/// ``hashToG2(_:)`` of a transcript is what a contribution's proof of knowledge is checked against.
///
/// Not a general-purpose CSPRNG API: secrets drawn from it are only as good as the seed, which
/// the callers take from libsodium (contributions) or from a public beacon (beacons).
public struct SnarkjsChaCha {
    private var state: [UInt32]
    private var block = [UInt32](repeating: 0, count: 16)
    private var index = 16

    /// Seeded with eight 32-bit words.
    public init(seed: [UInt32]) {
        precondition(seed.count == 8, "ChaCha seed is eight words")
        state = [0x6170_7865, 0x3320_646E, 0x7962_2D32, 0x6B20_6574] + seed + [0, 0, 0, 0]
    }

    /// Seeded with the first 32 bytes of `hash`, read as big-endian words (snarkjs's rule).
    public init(seedHash hash: [UInt8]) {
        precondition(hash.count >= 32, "ChaCha seed hash is at least 32 bytes")
        self.init(seed: (0..<8).map { i in (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(hash[4 * i + $1]) } })
    }

    /// A generator for a contribution's secrets, as snarkjs's `getRandomRng(entropy)` makes it:
    /// seeded with BLAKE2b-512(64 bytes from libsodium | entropy); the seed material is wiped.
    public static func contributionSecrets(entropy: [UInt8]) -> SnarkjsChaCha {
        var seedInput = Sodium.randomBytes(64) + entropy
        var seed = Blake2b512.hash(seedInput)
        Sodium.zeroize(&seedInput)
        let rng = SnarkjsChaCha(seedHash: seed)
        Sodium.zeroize(&seed)
        return rng
    }

    /// Overwrites the state (seed included) with zeros.
    public mutating func wipe() {
        for i in state.indices { state[i] = 0 }
        for i in block.indices { block[i] = 0 }
    }

    public mutating func nextU32() -> UInt32 {
        if index == 16 { refill() }
        defer { index += 1 }
        return block[index]
    }

    /// `hi·2^32 + lo`, the high word drawn first.
    public mutating func nextU64() -> UInt64 {
        let hi = UInt64(nextU32())
        return hi << 32 | UInt64(nextU32())
    }

    public mutating func nextBool() -> Bool { nextU32() & 1 == 1 }

    private mutating func refill() {
        var x = state
        @inline(__always) func qr(_ a: Int, _ b: Int, _ c: Int, _ d: Int) {
            x[a] = x[a] &+ x[b]; x[d] = (x[d] ^ x[a]).rotl(16)
            x[c] = x[c] &+ x[d]; x[b] = (x[b] ^ x[c]).rotl(12)
            x[a] = x[a] &+ x[b]; x[d] = (x[d] ^ x[a]).rotl(8)
            x[c] = x[c] &+ x[d]; x[b] = (x[b] ^ x[c]).rotl(7)
        }
        for _ in 0..<10 {
            qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15)
            qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14)
        }
        for i in 0..<16 { block[i] = x[i] &+ state[i] }
        index = 0
        for w in 12..<16 {
            state[w] = state[w] &+ 1
            if state[w] != 0 { break }
        }
    }

    /// A field element as ffjavascript's `F.fromRng` draws it: four `nextU64` words, least
    /// significant first, masked to the modulus' bit length and redrawn while `≥ p`. The result
    /// is used as the element's *Montgomery* representation (ffjavascript keeps elements in
    /// Montgomery form and does not convert), so the value is `v·2^-256 mod p`.
    public mutating func field<F: MontgomeryField>(_: F.Type) -> F {
        let topBits = F.bitLength - 192
        let mask: UInt64 = topBits >= 64 ? .max : (1 << UInt64(topBits)) - 1
        while true {
            let l0 = nextU64(), l1 = nextU64(), l2 = nextU64(), l3 = nextU64() & mask
            if limbsBelow(l0, l1, l2, l3, F.self) { return F(montgomeryLimbs: l0, l1, l2, l3) }
        }
    }

    /// `Fq2.fromRng`: c0 then c1.
    public mutating func fq2() -> Fq2 {
        let c0 = field(Fq.self)
        return Fq2(c0, field(Fq.self))
    }

    /// `G1.fromRng`: x drawn, then a sign bit, until `x³ + 3` is a square; y is the root whose
    /// "negativity" (canonical value > (q−1)/2) equals the bit. G1 has cofactor 1.
    public mutating func g1() -> G1Affine {
        while true {
            let x = field(Fq.self)
            let greatest = nextBool()
            let rhs = x.squared() * x + BN254G1.b
            guard rhs.isZero || rhs.legendre() == 1, var y = rhs.squareRoot() else { continue }
            if y.isSnarkjsNegative != greatest { y = -y }
            return G1Affine(x: x, y: y)
        }
    }

    /// `G2.fromRng`: as ``g1()`` over Fq2 (negativity decided by c1, or by c0 when c1 = 0), then
    /// multiplied by the twist's cofactor `2q − r` into the order-r subgroup.
    public mutating func g2() -> G2Affine {
        while true {
            let x = fq2()
            let greatest = nextBool()
            let rhs = x.squared() * x + BN254G2.b
            guard rhs.isZero || rhs.norm.legendre() == 1, var y = rhs.squareRoot() else { continue }
            if y.isSnarkjsNegative != greatest { y = -y }
            let p = G2Affine(x: x, y: y).jacobian.multiplied(byLimbs: SnarkjsChaCha.g2Cofactor)
            return p.affine
        }
    }

    /// ffjavascript's `cofactorG2` for bn128.
    static let g2Cofactor: [UInt64] = [0x345f_2299_c0f9_fa8d, 0x06ce_ecda_572a_2489, 0xb850_45b6_8181_585e, 0x3064_4e72_e131_a029]
}

@inline(__always)
private func limbsBelow<F: MontgomeryField>(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _: F.Type) -> Bool {
    if l3 != F.p3 { return l3 < F.p3 }
    if l2 != F.p2 { return l2 < F.p2 }
    if l1 != F.p1 { return l1 < F.p1 }
    return l0 < F.p0
}

extension UInt32 {
    @inline(__always) fileprivate func rotl(_ n: UInt32) -> UInt32 { (self << n) | (self >> (32 - n)) }
}

extension Fq {
    /// ffjavascript's `isNegative`: the canonical value exceeds (q−1)/2.
    public var isSnarkjsNegative: Bool {
        let v = canonicalLimbs
        let half: [UInt64] = [(Fq.p0 >> 1) | (Fq.p1 << 63), (Fq.p1 >> 1) | (Fq.p2 << 63), (Fq.p2 >> 1) | (Fq.p3 << 63), Fq.p3 >> 1]
        for i in (0..<4).reversed() where v[i] != half[i] { return v[i] > half[i] }
        return false
    }
}

extension Fq2 {
    /// ffjavascript's `F2.isNegative`: that of c1, or of c0 when c1 = 0.
    public var isSnarkjsNegative: Bool { c1.isZero ? c0.isSnarkjsNegative : c1.isSnarkjsNegative }
}

/// snarkjs's `hashToG2(hash)`: a ChaCha generator seeded with the hash's first 32 bytes
/// (big-endian words) draws a G2 point with ``SnarkjsChaCha/g2()``. This is the `sp` base of every
/// proof of knowledge in both phases; any difference from snarkjs makes valid files fail.
public func snarkjsHashToG2(_ hash: [UInt8]) -> G2Affine {
    var rng = SnarkjsChaCha(seedHash: hash)
    return rng.g2()
}

/// snarkjs's `getG2sp(personalization, challenge, g1s, g1sx)` for phase-1 keys:
/// `hashToG2(BLAKE2b-512(personalization byte | challenge | g1s | g1sx))`, points uncompressed.
public func snarkjsG2sp(personalization: UInt8, challenge: [UInt8], g1s: G1Affine, g1sx: G1Affine) -> G2Affine {
    var h = Blake2b512()
    h.update([personalization])
    h.update(challenge)
    h.update(SnarkjsPoint.uncompressed(g1s))
    h.update(SnarkjsPoint.uncompressed(g1sx))
    return snarkjsHashToG2(h.finalize())
}

/// The generator snarkjs derives from a beacon: `2^iterationsExp` rounds of SHA-256 over the
/// beacon bytes, the last digest seeding ChaCha (big-endian words). `iterationsExp` is 10...63.
public func snarkjsBeaconRNG(beacon: [UInt8], iterationsExp: Int) -> SnarkjsChaCha {
    var h = beacon
    let count: UInt64 = iterationsExp >= 64 ? .max : 1 << UInt64(iterationsExp)
    var i: UInt64 = 0
    while i < count {
        h = Sodium.sha256(h)
        i += 1
    }
    return SnarkjsChaCha(seedHash: h)
}

/// snarkjs's `sameRatio(g1s, g1sx, g2s, g2sx)`: false if any point is the identity, else whether
/// `e(g1s, g2sx) = e(g1sx, g2s)` (the same secret scales both pairs).
public func sameRatio(_ g1s: G1Affine, _ g1sx: G1Affine, _ g2s: G2Affine, _ g2sx: G2Affine) -> Bool {
    if g1s.isInfinity || g1sx.isInfinity || g2s.isInfinity || g2sx.isInfinity { return false }
    return Pairing.check([(g1s, g2sx), (-g1sx, g2s)])
}
