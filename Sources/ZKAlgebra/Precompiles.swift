// The BN254 (alt_bn128) Ethereum precompiles of EIP-196 and EIP-197, as pure functions.

/// Byte-level entry points matching Ethereum's BN254 precompiles 0x06 (ECADD), 0x07 (ECMUL)
/// and 0x08 (ECPAIRING), as specified in EIP-196/EIP-197 (Byzantium; gas is not modelled).
///
/// Points use the Ethereum encodings (``AffinePoint/init(ethereumBytes:)``): G1 `x ‖ y`,
/// G2 `x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0`, 32-byte big-endian integers, all zeros = infinity.
/// Every input point is fully validated (coordinates `< q`, on curve, G2 in the subgroup);
/// an invalid input throws, which corresponds to the precompile call failing.
public enum EthereumPrecompiles {
    /// Right-pads `input` with zeros, or truncates it, to exactly `count` bytes.
    @inline(__always)
    static func padded(_ input: [UInt8], to count: Int) -> [UInt8] {
        if input.count >= count { return Array(input[0 ..< count]) }
        return input + [UInt8](repeating: 0, count: count - input.count)
    }

    /// ECADD (address 0x06). The input is right-padded with zeros to 128 bytes (extra bytes
    /// are ignored) and read as two G1 points `P ‖ Q`; returns the 64-byte encoding of `P + Q`.
    /// - Throws: ``EncodingError`` when either point has a coordinate `≥ q` or is not on the curve.
    public static func bn256Add(_ input: [UInt8]) throws(EncodingError) -> [UInt8] {
        let b = padded(input, to: 128)
        let p = try G1Affine(ethereumBytes: b[0 ..< 64])
        let q = try G1Affine(ethereumBytes: b[64 ..< 128])
        return JacobianPoint(p).adding(q).affine.ethereumBytes
    }

    /// ECMUL (address 0x07). The input is right-padded with zeros (or truncated) to 96 bytes and
    /// read as a G1 point `P` (64 bytes) and a scalar `k` (32 bytes, big-endian). `k` is used as
    /// a full 256-bit integer — it is *not* reduced mod r and may be `≥ r`. Returns the 64-byte
    /// encoding of `[k]P`.
    /// - Throws: ``EncodingError`` when the point has a coordinate `≥ q` or is not on the curve.
    public static func bn256ScalarMul(_ input: [UInt8]) throws(EncodingError) -> [UInt8] {
        let b = padded(input, to: 96)
        let p = try G1Affine(ethereumBytes: b[0 ..< 64])
        var limbs = [UInt64](repeating: 0, count: 4)
        for k in 0 ..< 32 {
            let limbIndex = 3 - k / 8
            limbs[limbIndex] = (limbs[limbIndex] << 8) | UInt64(b[64 + k])
        }
        return JacobianPoint(p).multiplied(byLimbs: limbs).affine.ethereumBytes
    }

    /// ECPAIRING (address 0x08). The input must be a whole number of 192-byte chunks
    /// `G1 (64) ‖ G2 (128)`; returns 32 bytes encoding 1 when `∏ e(Pᵢ, Qᵢ) = 1` and 0 otherwise.
    /// Empty input returns 1. Pairs containing the point at infinity contribute 1.
    /// - Throws: ``EncodingError/lengthNotMultiple(of:got:)`` when the length is not a multiple
    ///   of 192; any point-decoding error (coordinate `≥ q`, not on curve, G2 not in the subgroup).
    public static func bn256Pairing(_ input: [UInt8]) throws(EncodingError) -> [UInt8] {
        guard input.count % 192 == 0 else { throw .lengthNotMultiple(of: 192, got: input.count) }
        var pairs: [(G1Affine, G2Affine)] = []
        pairs.reserveCapacity(input.count / 192)
        var offset = 0
        while offset < input.count {
            let p = try G1Affine(ethereumBytes: input[offset ..< offset + 64])
            let q = try G2Affine(ethereumBytes: input[offset + 64 ..< offset + 192])
            pairs.append((p, q))
            offset += 192
        }
        var out = [UInt8](repeating: 0, count: 32)
        if Pairing.check(pairs) { out[31] = 1 }
        return out
    }
}
