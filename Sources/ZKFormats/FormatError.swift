/// Every way an input file can be rejected by the readers in this module.
///
/// Readers never trap and never allocate based on a declared size they have not first checked
/// against the bytes actually present; any malformed input ends in one of these cases. The
/// `context` strings name the file format and the place (section, field, element index) where
/// the problem was found, e.g. `"zkey section 5 (A), point 3"`.
public enum FormatError: Error, Sendable, Hashable, CustomStringConvertible {
    // MARK: Binary (iden3 container) errors

    /// A field needed `needed` bytes at `offset` but only `available` remained (in the file, or in
    /// the enclosing section).
    case truncated(context: String, offset: Int, needed: Int, available: Int)
    /// The file does not start with the 4-byte magic of `format`.
    case badMagic(format: String, found: [UInt8])
    /// The container version is not the one this reader understands.
    case unsupportedVersion(format: String, found: UInt32, supported: UInt32)
    /// A section header declares more bytes than remain in the file.
    case sectionTooLarge(format: String, section: UInt32, declared: UInt64, available: Int)
    /// A required section is absent.
    case missingSection(format: String, section: UInt32)
    /// The same section type occurs more than once.
    case duplicateSection(format: String, section: UInt32)
    /// A section's declared size differs from the size its contents imply.
    case sectionSizeMismatch(context: String, declared: UInt64, expected: UInt64)
    /// Bytes left over after the last expected field (of the file or of a section).
    case trailingBytes(context: String, count: Int)
    /// A field-size field (`n8`, `n8q`, `n8r`) is not 32.
    case unsupportedFieldSize(context: String, found: UInt32)
    /// The prime stored in the file is not the BN254 modulus expected there (`r` or `q`).
    case wrongPrime(context: String, expected: String)
    /// A stored field element is not below its modulus.
    case nonCanonicalValue(context: String)
    /// A declared element count cannot possibly fit in the bytes that remain.
    case countTooLarge(context: String, count: UInt64, maximumPossible: UInt64)
    /// Header fields are inconsistent with each other (the reason says how).
    case invalidHeader(context: String, reason: String)
    /// An index (wire, signal, constraint, label, matrix) is outside its valid range `0..<bound`.
    case indexOutOfRange(context: String, index: UInt64, bound: UInt64)
    /// A `.zkey` file for a proving system other than Groth16.
    case unsupportedProtocol(id: UInt32, name: String)
    /// A valid but unsupported feature (for example circom custom gates).
    case unsupportedFeature(context: String, feature: String)
    /// A curve point does not satisfy the curve equation.
    case pointNotOnCurve(context: String)
    /// A G2 point is on the curve but not in the order-r subgroup.
    case pointNotInSubgroup(context: String)

    // MARK: JSON errors

    /// The bytes are not valid JSON (or not UTF-8).
    case invalidJSON(context: String, reason: String)
    /// A required object key is absent.
    case missingField(context: String, field: String)
    /// A JSON value has the wrong type (e.g. a number where snarkjs writes a decimal string).
    case wrongJSONType(context: String, expected: String, found: String)
    /// A decimal string is malformed, non-canonical (leading zeros, sign, spaces) or not below its modulus.
    case invalidDecimal(context: String, value: String, reason: String)
    /// The `protocol` field is not `"groth16"`.
    case wrongProtocol(context: String, found: String)
    /// The `curve` field is not `"bn128"`.
    case wrongCurve(context: String, found: String)
    /// A count disagrees with the data (e.g. `nPublic ≠ IC.count − 1`, wrong array length).
    case countMismatch(context: String, expected: Int, found: Int)
    /// A projective point is neither `z = 1` nor snarkjs's exact point-at-infinity form.
    case invalidPointEncoding(context: String, reason: String)

    public var description: String {
        switch self {
        case let .truncated(context, offset, needed, available):
            return "\(context): truncated input at byte offset \(offset): need \(needed) byte(s), only \(available) available"
        case let .badMagic(format, found):
            let shown = found.map { ($0 >= 0x20 && $0 < 0x7f) ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined()
            return "\(format): wrong magic \"\(shown)\" (expected \"\(format)\")"
        case let .unsupportedVersion(format, found, supported):
            return "\(format): unsupported version \(found) (supported: \(supported))"
        case let .sectionTooLarge(format, section, declared, available):
            return "\(format): section \(section) declares \(declared) bytes but only \(available) remain in the file"
        case let .missingSection(format, section):
            return "\(format): required section \(section) is missing"
        case let .duplicateSection(format, section):
            return "\(format): section \(section) occurs more than once"
        case let .sectionSizeMismatch(context, declared, expected):
            return "\(context): section size is \(declared) bytes but its contents require \(expected)"
        case let .trailingBytes(context, count):
            return "\(context): \(count) unexpected trailing byte(s)"
        case let .unsupportedFieldSize(context, found):
            return "\(context): field size n8 = \(found), only 32 (BN254) is supported"
        case let .wrongPrime(context, expected):
            return "\(context): prime is not the BN254 \(expected)"
        case let .nonCanonicalValue(context):
            return "\(context): field element is not below the modulus"
        case let .countTooLarge(context, count, maximumPossible):
            return "\(context): declared count \(count) exceeds the at most \(maximumPossible) that the remaining bytes can hold"
        case let .invalidHeader(context, reason):
            return "\(context): invalid header: \(reason)"
        case let .indexOutOfRange(context, index, bound):
            return "\(context): index \(index) out of range (must be < \(bound))"
        case let .unsupportedProtocol(id, name):
            return "zkey: protocol id \(id) (\(name)) is not supported; only 1 (groth16) is"
        case let .unsupportedFeature(context, feature):
            return "\(context): unsupported feature: \(feature)"
        case let .pointNotOnCurve(context):
            return "\(context): point is not on the curve"
        case let .pointNotInSubgroup(context):
            return "\(context): point is not in the order-r subgroup"
        case let .invalidJSON(context, reason):
            return "\(context): invalid JSON: \(reason)"
        case let .missingField(context, field):
            return "\(context): missing field \"\(field)\""
        case let .wrongJSONType(context, expected, found):
            return "\(context): expected \(expected), found \(found)"
        case let .invalidDecimal(context, value, reason):
            let shown = value.count > 100 ? String(value.prefix(100)) + "…" : value
            return "\(context): invalid decimal \"\(shown)\": \(reason)"
        case let .wrongProtocol(context, found):
            return "\(context): protocol is \"\(found)\", expected \"groth16\""
        case let .wrongCurve(context, found):
            return "\(context): curve is \"\(found)\", expected \"bn128\""
        case let .countMismatch(context, expected, found):
            return "\(context): expected \(expected), found \(found)"
        case let .invalidPointEncoding(context, reason):
            return "\(context): invalid point encoding: \(reason)"
        }
    }
}
