// Receipts: the model host's Ed25519 signature over the canonical bytes of a claim.

import Foundation
import ZKModel
import ZKAlgebra
import ZKGroth16
import ZKSodium

/// A host's signature on a claim.
public struct ClaimSignature: Codable, Equatable, Sendable {
    /// Always `ed25519` (libsodium `crypto_sign_detached`).
    public var algorithm: String
    /// The signer's 32-byte public key, hex.
    public var publicKey: String
    /// The 64-byte detached signature of ``ClaimVerifier/signedBytes(_:)``, hex.
    public var signature: String
}

/// An Ed25519 key file written by `zkinfer keygen` (JSON, mode 0600).
public struct HostKeyFile: Codable, Sendable {
    public static let type = "zkinfer-ed25519-secret-key"
    public var type: String
    public var publicKey: String
    /// libsodium's 64-byte secret key (seed ‖ public key), hex.
    public var secretKey: String

    public init(_ pair: Ed25519KeyPair) {
        type = HostKeyFile.type
        publicKey = hexString(pair.publicKey)
        secretKey = hexString(pair.secretKeyBytes)
    }

    /// Parses a key file and rebuilds the pair (checks type, lengths and that the public half matches).
    public static func load(_ data: Data) throws -> Ed25519KeyPair {
        let f: HostKeyFile
        do { f = try JSONDecoder().decode(HostKeyFile.self, from: data) } catch {
            throw ModelError.invalidInput("not a zkinfer key file (\(error))")
        }
        guard f.type == HostKeyFile.type else { throw ModelError.invalidInput("key file type is '\(f.type)', expected '\(HostKeyFile.type)'") }
        var sk = hexBytes(f.secretKey) ?? []
        defer { Sodium.zeroize(&sk) }
        guard sk.count == 64, f.secretKey.count == 128 else { throw ModelError.invalidInput("secret key must be 64 bytes of hex") }
        let pair: Ed25519KeyPair
        do { pair = try Ed25519KeyPair(secretKey: sk) } catch { throw ModelError.invalidInput("secret key is inconsistent (\(error))") }
        guard hexString(pair.publicKey) == f.publicKey.lowercased() else { throw ModelError.invalidInput("public key does not match the secret key") }
        return pair
    }
}

extension ClaimVerifier {
    /// Domain separator at the start of every signed claim.
    public static let signatureDomain = Array("zkinfer-claim-v1".utf8) + [0]

    /// The canonical bytes a host signs (documented in README "Signed claims"):
    /// `"zkinfer-claim-v1\0"` ‖ onnxDigest ‖ quantizedDigest ‖ modelDigest ‖ circuitDigest ‖
    /// verificationKeyDigest (32 raw bytes each) ‖ n (u32 big-endian) ‖ n public signals (32-byte
    /// big-endian each) ‖ proof A (64) ‖ B (128, EIP-197 order) ‖ C (64).
    /// The public signals carry the model digest, weights commitment, input (or its hash) and the
    /// output, so the signature covers everything the proof attests.
    public static func signedBytes(_ claim: Claim) throws -> [UInt8] {
        var out = signatureDomain
        for (what, d) in [("onnxDigest", claim.model.onnxDigest), ("quantizedDigest", claim.model.quantizedDigest),
                          ("modelDigest", claim.model.modelDigest), ("circuitDigest", claim.model.circuitDigest),
                          ("verificationKeyDigest", claim.verificationKeyDigest)] {
            // Canonical text only: 64 lowercase hex digits (so equal bytes never have two spellings).
            guard isCanonicalDigest(d), let b = hexBytes(d) else { throw ModelError.invalidClaim("\(what) is not 32 bytes of lowercase hex") }
            out += b
        }
        guard claim.publicSignals.count < 1 << 24 else { throw ModelError.invalidClaim("too many public signals") }
        let n = UInt32(claim.publicSignals.count)
        out += [UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)]
        for (i, s) in claim.publicSignals.enumerated() {
            guard let v = try? Fr(snarkjsDecimal: s) else { throw ModelError.invalidClaim("publicSignals[\(i)] is not a canonical decimal < r") }
            out += v.bigEndianBytes
        }
        let p = try proof(of: claim)
        out += p.a.ethereumBytes + p.b.ethereumBytes + p.c.ethereumBytes
        return out
    }

    /// Adds the host's signature to a claim.
    public static func sign(_ claim: inout Claim, with key: Ed25519KeyPair) throws {
        claim.signature = nil
        let msg = try signedBytes(claim)
        claim.signature = ClaimSignature(algorithm: "ed25519", publicKey: hexString(key.publicKey), signature: hexString(key.sign(msg)))
    }

    /// Whether the claim's signature is a valid Ed25519 signature of its canonical bytes (nil: unsigned).
    public static func checkSignature(_ claim: Claim) throws -> Bool? {
        guard let s = claim.signature else { return nil }
        guard s.algorithm == "ed25519" else { return false }
        guard let pk = hexBytes(s.publicKey), let sig = hexBytes(s.signature), pk.count == 32, sig.count == 64 else { return false }
        return Ed25519KeyPair.verify(signature: sig, message: try signedBytes(claim), publicKey: pk)
    }
}
