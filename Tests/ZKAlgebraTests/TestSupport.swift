import ZKAlgebra
import ZKBigNum

/// SplitMix64: a small seeded generator so every randomized test is reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Edge values for a field: 0, 1, 2, p−1, p−2, (p−1)/2, values just below 2^255/2^256 reduced, powers of two.
func edgeValues<F: MontgomeryField>(_: F.Type) -> [BigNum] {
    let p = F.modulus
    var v: [BigNum] = [BigNum(0), BigNum(1), BigNum(2), p - BigNum(1), p - BigNum(2), (p - BigNum(1)) >> 1, (p + BigNum(1)) >> 1]
    for k in [63, 64, 65, 127, 128, 191, 192, 252, 253] { v.append(BigNum(1) << k); v.append((BigNum(1) << k) - BigNum(1)) }
    // Values near 2^256 reduced mod p (the largest limb patterns).
    v.append(((BigNum(1) << 256) - BigNum(1)).mod(p))
    v.append(((BigNum(1) << 254) - BigNum(1)).mod(p))
    return v.filter { $0 < p }
}
