// Hex and BLAKE2b helpers for digests. Every helper on the verification path fails closed: a
// digest that cannot be computed or a string that is not hex is an error, never "" or [].

import Foundation
import ZKAlgebra
import ZKConstraints
import ZKGroth16
import ZKSodium

/// BLAKE2b-256 (libsodium) as 64 lowercase hex digits. Throws if libsodium fails (it never returns "").
public func blake2bHex(_ bytes: some Collection<UInt8>) throws -> String {
    let d: [UInt8]
    do { d = try Sodium.blake2b(bytes) } catch { throw ModelError.invalidInput("BLAKE2b failed: \(error)") }
    guard d.count == 32 else { throw ModelError.invalidInput("BLAKE2b returned \(d.count) bytes") }
    return hexString(d)
}

/// The bytes of a hex string (either case), or nil when it has an odd length or a non-hex character.
package func hexBytes(_ s: String) -> [UInt8]? {
    let u = Array(s.utf8)
    guard u.count % 2 == 0 else { return nil }
    func nib(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
    var out: [UInt8] = []
    out.reserveCapacity(u.count / 2)
    var i = 0
    while i < u.count {
        guard let x = nib(u[i]), let y = nib(u[i + 1]) else { return nil }
        out.append(x << 4 | y)
        i += 2
    }
    return out
}

/// The 32 bytes of a canonical digest: exactly 64 lowercase hex digits, else `ModelError.invalidClaim` naming `what`.
package func digestBytes(_ s: String, _ what: String) throws -> [UInt8] {
    guard isCanonicalDigest(s), let b = hexBytes(s) else { throw ModelError.invalidClaim("\(what) is not 64 lowercase hex digits") }
    return b
}

/// Whether `s` is exactly 64 lowercase hex digits (the only spelling zkinfer writes or accepts for a digest).
public func isCanonicalDigest(_ s: String) -> Bool {
    s.utf8.count == 64 && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
}

package func hexString(_ b: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(b.count * 2)
    for x in b { out.append(digits[Int(x >> 4)]); out.append(digits[Int(x & 15)]) }
    return String(decoding: out, as: UTF8.self)
}

extension VerificationKey {
    /// BLAKE2b-256 over the key's Ethereum encodings (α, β, γ, δ, IC in order).
    public var digest: String {
        get throws {
        var bytes = alpha1.ethereumBytes + beta2.ethereumBytes + gamma2.ethereumBytes + delta2.ethereumBytes
        for p in ic { bytes += p.ethereumBytes }
        return try blake2bHex(bytes)
        }
    }
}

/// The digest of a constraint system: BLAKE2b-256 over (publicCount, wireCount, constraintCount)
/// and every term (side, wire, coefficient) of every constraint, little-endian.
public func circuitDigest(_ s: ConstraintSystem) throws -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(24 + s.termCount * 40 + s.constraintCount * 24)
    func put64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    func put(_ v: Int) { put64(UInt64(v)) }
    put(s.publicCount); put(s.wireCount); put(s.constraintCount)
    for i in 0..<s.constraintCount {
        for side in ConstraintSide.allCases {
            let terms = s.terms(i, side)
            put(terms.count)
            for t in terms {
                // The coefficient's canonical 32-byte little-endian encoding, limb by limb.
                let c = t.coefficient.canonicalTuple
                put(t.wire); put64(c.0); put64(c.1); put64(c.2); put64(c.3)
            }
        }
    }
    return try blake2bHex(bytes)
}

/// The zkinfer version written into claims and manifests.
public let zkinferVersion = "0.2.0"

extension Fr {
    /// `0x` and 64 lowercase hex digits (32-byte big-endian): how `verify` prints a weights commitment.
    public var hex: String { "0x" + hexString(bigEndianBytes) }

    /// Parses 64 hex digits (optionally `0x`-prefixed) as a canonical field element (< r), or nil.
    public init?(hex: String) {
        let body = hex.hasPrefix("0x") || hex.hasPrefix("0X") ? String(hex.dropFirst(2)) : hex
        guard body.utf8.count == 64, let b = hexBytes(body), let v = Fr(bigEndianBytes: b) else { return nil }
        self = v
    }
}
