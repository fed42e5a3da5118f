import ZKAlgebra
import ZKBigNum

/// The seeded generator of every randomized test (SplitMix64, from ZKAlgebra).
typealias SeededGenerator = SplitMix64

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
