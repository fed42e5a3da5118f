import XCTest
import ZKSodium

final class SodiumTests: XCTestCase {
    func testRandomBytes() {
        let a = Sodium.randomBytes(32), b = Sodium.randomBytes(32)
        XCTAssertEqual(a.count, 32)
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(Sodium.randomBytes(0), [])
        var rng = SecureRandomNumberGenerator()
        XCTAssertNotEqual(rng.next(), rng.next())
    }

    func testMemzero() {
        var secret: [UInt8] = Array(repeating: 0xAB, count: 64)
        Sodium.zeroize(&secret)
        XCTAssertEqual(secret, Array(repeating: 0, count: 64))
        var value: (UInt64, UInt64) = (~0, 12345)
        Sodium.zeroize(&value)
        XCTAssertEqual(value.0, 0)
        XCTAssertEqual(value.1, 0)
    }

    /// RFC 7693 Appendix A: BLAKE2b-512("abc"); and the empty-input 256-bit digest.
    func testBlake2bKnownAnswers() throws {
        let abc = try Sodium.blake2b(Array("abc".utf8), outputLength: 64)
        XCTAssertEqual(abc.map { String(format: "%02x", $0) }.joined(),
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
        let empty = try Sodium.blake2b([UInt8](), outputLength: 32)
        XCTAssertEqual(empty.map { String(format: "%02x", $0) }.joined(),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8")
        // The pointer form hashes the same bytes without copying.
        let data = Array("abc".utf8)
        XCTAssertEqual(try data.withUnsafeBytes { try Sodium.blake2b(buffer: $0, outputLength: 64) }, abc)
        XCTAssertEqual(try Sodium.blake2b(buffer: UnsafeRawBufferPointer(start: nil, count: 0)), empty)
        XCTAssertThrowsError(try Sodium.blake2b([1], outputLength: 8))
        XCTAssertThrowsError(try Sodium.blake2b([1], outputLength: 65))
        XCTAssertThrowsError(try Sodium.blake2b([1], key: [1, 2, 3]))
        XCTAssertNotEqual(try Sodium.blake2b([1], key: Array(repeating: 7, count: 32)), try Sodium.blake2b([1]))
    }

    /// The incremental hasher equals the one-shot BLAKE2b over the concatenation, however the bytes are split
    /// (empty pieces included), for several output lengths; bad lengths are refused.
    func testBlake2bHasherEqualsOneShot() throws {
        var rng = SystemRandomNumberGenerator()
        for length in [0, 1, 127, 128, 129, 5000] {
            let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            for outputLength in [16, 32, 64] {
                let hasher = try Blake2bHasher(outputLength: outputLength)
                var offset = 0
                while offset < length {
                    let n = min(length - offset, Int.random(in: 0...300, using: &rng))
                    data[offset..<(offset + n)].withUnsafeBytes { hasher.update($0) }
                    offset += n
                }
                hasher.update(UnsafeRawBufferPointer(start: nil, count: 0))
                XCTAssertEqual(try hasher.finish(), try Sodium.blake2b(data, outputLength: outputLength), "length \(length), output \(outputLength)")
            }
        }
        XCTAssertThrowsError(try Blake2bHasher(outputLength: 15))
        XCTAssertThrowsError(try Blake2bHasher(outputLength: 65))
    }

    func testEd25519() throws {
        let pair = Ed25519KeyPair()
        let message = Array("claim bytes".utf8)
        let sig = pair.sign(message)
        XCTAssertEqual(sig.count, 64)
        XCTAssertTrue(Ed25519KeyPair.verify(signature: sig, message: message, publicKey: pair.publicKey))
        var tampered = sig; tampered[5] ^= 1
        XCTAssertFalse(Ed25519KeyPair.verify(signature: tampered, message: message, publicKey: pair.publicKey))
        XCTAssertFalse(Ed25519KeyPair.verify(signature: sig, message: message + [0], publicKey: pair.publicKey))
        XCTAssertFalse(Ed25519KeyPair.verify(signature: Array(sig.prefix(10)), message: message, publicKey: pair.publicKey))
        XCTAssertFalse(Ed25519KeyPair.verify(signature: sig, message: message, publicKey: [1, 2]))
        // Empty messages sign and verify.
        let emptySig = pair.sign([UInt8]())
        XCTAssertTrue(Ed25519KeyPair.verify(signature: emptySig, message: [UInt8](), publicKey: pair.publicKey))
        // Round trip through the secret key bytes.
        let restored = try Ed25519KeyPair(secretKey: pair.secretKeyBytes)
        XCTAssertEqual(restored.publicKey, pair.publicKey)
        XCTAssertThrowsError(try Ed25519KeyPair(secretKey: [1, 2, 3]))
        var corrupt = pair.secretKeyBytes; corrupt[40] ^= 0xff  // public half no longer matches the seed
        XCTAssertThrowsError(try Ed25519KeyPair(secretKey: corrupt))
    }
}
