// Encodings of BN254 field elements and points, shared error type and strict field decoders.
//
// Every decoder in this module is *strict*: it accepts exactly one byte string (or decimal
// string) per value, rejects non-canonical forms, and checks curve and subgroup membership.
// Decoders never trap on malformed input; they throw ``EncodingError``.

/// Why a byte string or decimal string was rejected by a decoder.
///
/// All decoders (``Fq/init(canonicalBigEndianBytes:)``, ``AffinePoint/init(ethereumBytes:)``,
/// ``AffinePoint/init(compressedBytes:)``, ``AffinePoint/init(snarkjs:)``, ``EthereumPrecompiles``)
/// throw only this type (typed throws).
public enum EncodingError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The input has the wrong number of bytes (or JSON elements).
    case invalidLength(expected: Int, got: Int)
    /// The input length must be a multiple of `of` bytes (e.g. 192 for the pairing precompile).
    case lengthNotMultiple(of: Int, got: Int)
    /// A base-field coordinate is `≥ q` (non-canonical).
    case coordinateNotCanonical
    /// A scalar-field element is `≥ r` (non-canonical).
    case scalarNotCanonical
    /// The decoded coordinates do not satisfy the curve equation.
    case notOnCurve
    /// The point is on the curve (the G2 twist) but not in the order-r subgroup.
    case notInSubgroup
    /// The flag bits of a compressed encoding are not one of the allowed combinations.
    case invalidFlags
    /// The infinity flag (or the snarkjs `z = 0` form) is set but the rest of the encoding is not the canonical infinity.
    case invalidInfinityEncoding
    /// A compressed x-coordinate has no matching y on the curve (`x³ + b` is not a square).
    case noSquareRoot
    /// A decimal string is not a strict canonical decimal (ASCII digits only, no sign, no leading zeros).
    /// The associated value is a (possibly truncated) excerpt of the offending text.
    case invalidDecimal(String)
    /// A snarkjs JSON value does not have the expected nesting or element count, or has a
    /// projective `z` other than 1 (affine) or the exact infinity form.
    case invalidJSONShape(String)

    public var description: String {
        switch self {
        case .invalidLength(let expected, let got):
            return "invalid length: expected \(expected), got \(got)"
        case .lengthNotMultiple(let of, let got):
            return "invalid length: \(got) is not a multiple of \(of)"
        case .coordinateNotCanonical:
            return "coordinate is not canonical (≥ q)"
        case .scalarNotCanonical:
            return "scalar is not canonical (≥ r)"
        case .notOnCurve:
            return "point is not on the curve"
        case .notInSubgroup:
            return "point is not in the order-r subgroup"
        case .invalidFlags:
            return "invalid compression flags"
        case .invalidInfinityEncoding:
            return "invalid encoding of the point at infinity"
        case .noSquareRoot:
            return "x-coordinate is not on the curve (x³ + b has no square root)"
        case .invalidDecimal(let text):
            return "invalid decimal string \"\(text)\""
        case .invalidJSONShape(let what):
            return "invalid snarkjs JSON shape: \(what)"
        }
    }

    /// A short excerpt of untrusted text for error messages (at most 40 characters).
    internal static func excerpt(_ text: String) -> String {
        let limit = 40
        var out = ""
        var n = 0
        for ch in text.unicodeScalars {
            if n == limit { return out + "…" }
            out.unicodeScalars.append(ch)
            n += 1
        }
        return out
    }
}

// MARK: - Strict field decoders

/// Parses strict canonical decimal syntax and the value into `F`; `tooLarge` is thrown for
/// syntactically valid decimals `≥ p`.
internal func strictDecimal<F: MontgomeryField>(
    _ text: String, as _: F.Type, tooLarge: EncodingError
) throws(EncodingError) -> F {
    let u = text.utf8
    guard !u.isEmpty, u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), u.count == 1 || u.first != 0x30 else {
        throw .invalidDecimal(EncodingError.excerpt(text))
    }
    // Both moduli are < 10^77, so a canonical decimal has at most 77 digits.
    guard u.count <= 77, let value = F(decimal: text) else { throw tooLarge }
    return value
}

/// Exactly 32 big-endian bytes holding a value `< F.modulus`, else the given error.
private func strictBytes<F: MontgomeryField>(_ bytes: some Collection<UInt8>, as _: F.Type,
                                             tooLarge: EncodingError) throws(EncodingError) -> F {
    let count = bytes.count
    guard count == 32 else { throw .invalidLength(expected: 32, got: count) }
    guard let v = F(bigEndianBytes: bytes) else { throw tooLarge }
    return v
}

extension Fq {
    /// Decodes exactly 32 big-endian bytes holding a canonical value `< q`.
    ///
    /// - Throws: ``EncodingError/invalidLength(expected:got:)`` for any length other than 32,
    ///   ``EncodingError/coordinateNotCanonical`` for values `≥ q`.
    public init(canonicalBigEndianBytes bytes: some Collection<UInt8>) throws(EncodingError) {
        self = try strictBytes(bytes, as: Fq.self, tooLarge: .coordinateNotCanonical)
    }

    /// Decodes a snarkjs decimal string: ASCII digits only, no sign, no leading zeros (except
    /// `"0"`), value `< q`.
    ///
    /// - Throws: ``EncodingError/invalidDecimal(_:)`` for bad syntax,
    ///   ``EncodingError/coordinateNotCanonical`` for values `≥ q`.
    public init(snarkjsDecimal text: String) throws(EncodingError) {
        self = try strictDecimal(text, as: Fq.self, tooLarge: .coordinateNotCanonical)
    }
}

extension Fr {
    /// Decodes exactly 32 big-endian bytes holding a canonical scalar `< r` (no reduction).
    ///
    /// - Throws: ``EncodingError/invalidLength(expected:got:)`` for any length other than 32,
    ///   ``EncodingError/scalarNotCanonical`` for values `≥ r`.
    public init(canonicalBigEndianBytes bytes: some Collection<UInt8>) throws(EncodingError) {
        self = try strictBytes(bytes, as: Fr.self, tooLarge: .scalarNotCanonical)
    }

    /// Decodes a snarkjs decimal string (e.g. an entry of `public.json`): ASCII digits only,
    /// no sign, no leading zeros (except `"0"`), value `< r` (no reduction).
    ///
    /// - Throws: ``EncodingError/invalidDecimal(_:)`` for bad syntax,
    ///   ``EncodingError/scalarNotCanonical`` for values `≥ r`.
    public init(snarkjsDecimal text: String) throws(EncodingError) {
        self = try strictDecimal(text, as: Fr.self, tooLarge: .scalarNotCanonical)
    }
}

// MARK: - Internal byte helpers

/// Reads a canonical Fq from `b[offset ..< offset + 32]`; the caller has checked the length.
@inline(__always)
internal func readCanonicalFq(_ b: [UInt8], _ offset: Int) throws(EncodingError) -> Fq {
    guard offset >= 0, offset + 32 <= b.count, let v = Fq(bigEndianBytes: b[offset ..< offset + 32]) else {
        throw .coordinateNotCanonical
    }
    return v
}

/// Compressed-encoding flags in the two most significant bits of the first byte
/// (gnark-crypto's convention; they are free because q < 2^254).
internal enum CompressionFlag {
    static let mask: UInt8 = 0b1100_0000
    /// 0b00: uncompressed — not valid in a compressed encoding.
    static let uncompressed: UInt8 = 0b0000_0000
    /// 0b10: y is the lexicographically smallest of the two roots.
    static let smallest: UInt8 = 0b1000_0000
    /// 0b11: y is the lexicographically largest root.
    static let largest: UInt8 = 0b1100_0000
    /// 0b01: point at infinity; every other bit must be zero.
    static let infinity: UInt8 = 0b0100_0000
}
