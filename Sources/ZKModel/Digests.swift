// Hex and BLAKE2b helpers for digests. Every helper on the verification path fails closed: a
// digest that cannot be computed or a string that is not hex is an error, never "" or [].

import Foundation
import ZKSodium

/// BLAKE2b-256 (libsodium) as 64 lowercase hex digits. Throws if libsodium fails (it never returns "").
public func blake2bHex(_ bytes: some Collection<UInt8>) throws -> String {
    let d: [UInt8]
    do { d = try Sodium.blake2b(bytes) } catch { throw ModelError.invalidInput("BLAKE2b failed: \(error)") }
    guard d.count == 32 else { throw ModelError.invalidInput("BLAKE2b returned \(d.count) bytes") }
    return hexString(d)
}

/// The bytes of a hex string (either case), or nil when it has an odd length or a non-hex character.
func hexBytes(_ s: String) -> [UInt8]? {
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
func digestBytes(_ s: String, _ what: String) throws -> [UInt8] {
    guard isCanonicalDigest(s), let b = hexBytes(s) else { throw ModelError.invalidClaim("\(what) is not 64 lowercase hex digits") }
    return b
}

/// Whether `s` is exactly 64 lowercase hex digits (the only spelling zkinfer writes or accepts for a digest).
public func isCanonicalDigest(_ s: String) -> Bool {
    s.utf8.count == 64 && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
}

func hexString(_ b: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(b.count * 2)
    for x in b { out.append(digits[Int(x >> 4)]); out.append(digits[Int(x & 15)]) }
    return String(decoding: out, as: UTF8.self)
}
