internal import CSodium

/// Errors from the libsodium layer.
public enum SodiumError: Error, Equatable, CustomStringConvertible {
    case initializationFailed
    case invalidLength(what: String, expected: Int, got: Int)
    case invalidSignature
    case hashFailed

    public var description: String {
        switch self {
        case .initializationFailed: return "libsodium could not be initialised"
        case let .invalidLength(what, expected, got): return "\(what) must be \(expected) bytes, got \(got)"
        case .invalidSignature: return "signature does not verify"
        case .hashFailed: return "BLAKE2b failed (bad output or key length)"
        }
    }
}

/// Thin Swift layer over libsodium: the CSPRNG, zeroing of secrets, BLAKE2b and Ed25519.
///
/// `sodium_init()` is called exactly once, lazily and thread-safely, through a global
/// initialiser; every entry point goes through ``ensureInitialized()``.
public enum Sodium {
    private static let initResult: Int32 = sodium_init()  // Swift globals are initialised once, atomically.

    /// Initialises libsodium if needed. `sodium_init` returns 0 (first call) or 1 (already done); -1 is fatal.
    @inline(__always)
    public static func ensureInitialized() {
        precondition(initResult >= 0, "libsodium failed to initialise")
    }

    // MARK: Randomness

    /// `count` bytes from the operating system's CSPRNG (via `randombytes_buf`).
    public static func randomBytes(_ count: Int) -> [UInt8] {
        ensureInitialized()
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fillRandom($0) }
        return out
    }

    /// Fills `buffer` with CSPRNG bytes.
    public static func fillRandom(_ buffer: UnsafeMutableRawBufferPointer) {
        ensureInitialized()
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        randombytes_buf(base, buffer.count)
    }

    // MARK: Secrets

    /// Overwrites `buffer` with zeros in a way the compiler may not optimise away (`sodium_memzero`).
    public static func memzero(_ buffer: UnsafeMutableRawBufferPointer) {
        ensureInitialized()
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        sodium_memzero(base, buffer.count)
    }

    /// Zeroes the bytes of a value of trivial type in place (for secrets held in value types).
    public static func zeroize<T: BitwiseCopyable>(_ value: inout T) {
        withUnsafeMutableBytes(of: &value) { memzero($0) }
    }

    /// Zeroes an array's elements in place (the storage is not freed or reallocated).
    public static func zeroize<T: BitwiseCopyable>(_ array: inout [T]) {
        array.withUnsafeMutableBytes { memzero($0) }
    }

    // MARK: Hashing

    /// SHA-256 (`crypto_hash_sha256`) of `data` (32 bytes).
    public static func sha256(_ data: some Collection<UInt8>) -> [UInt8] {
        ensureInitialized()
        let input = Array(data)
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        out.withUnsafeMutableBufferPointer { o in
            input.withUnsafeBufferPointer { i in
                _ = crypto_hash_sha256(o.baseAddress!, i.baseAddress, UInt64(input.count))
            }
        }
        return out
    }

    /// BLAKE2b (`crypto_generichash`) of `data`, `outputLength` bytes (16...64), optionally keyed (16...64-byte key).
    public static func blake2b(_ data: some Collection<UInt8>, outputLength: Int = 32, key: [UInt8] = []) throws -> [UInt8] {
        ensureInitialized()
        guard outputLength >= Int(crypto_generichash_BYTES_MIN), outputLength <= Int(crypto_generichash_BYTES_MAX) else {
            throw SodiumError.invalidLength(what: "BLAKE2b output", expected: Int(crypto_generichash_BYTES), got: outputLength)
        }
        guard key.isEmpty || (key.count >= Int(crypto_generichash_KEYBYTES_MIN) && key.count <= Int(crypto_generichash_KEYBYTES_MAX)) else {
            throw SodiumError.invalidLength(what: "BLAKE2b key", expected: Int(crypto_generichash_KEYBYTES), got: key.count)
        }
        let input = Array(data)
        let inputStorage = input.isEmpty ? [UInt8(0)] : input  // libsodium wants non-null pointers
        var out = [UInt8](repeating: 0, count: outputLength)
        let rc = out.withUnsafeMutableBufferPointer { o in
            inputStorage.withUnsafeBufferPointer { i in
                key.withUnsafeBufferPointer { k in
                    crypto_generichash(o.baseAddress!, outputLength, i.baseAddress!, UInt64(input.count),
                                       key.isEmpty ? nil : k.baseAddress!, key.count)
                }
            }
        }
        guard rc == 0 else { throw SodiumError.hashFailed }
        return out
    }

    /// BLAKE2b of the bytes in `buffer` without copying them (for large memory-mapped files).
    public static func blake2b(buffer: UnsafeRawBufferPointer, outputLength: Int = 32) throws -> [UInt8] {
        ensureInitialized()
        guard outputLength >= Int(crypto_generichash_BYTES_MIN), outputLength <= Int(crypto_generichash_BYTES_MAX) else {
            throw SodiumError.invalidLength(what: "BLAKE2b output", expected: Int(crypto_generichash_BYTES), got: outputLength)
        }
        var out = [UInt8](repeating: 0, count: outputLength)
        var zero: UInt8 = 0  // libsodium wants a non-null pointer even for empty input
        let rc = out.withUnsafeMutableBufferPointer { o in
            withUnsafeMutablePointer(to: &zero) { z in
                let input = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(z)
                return crypto_generichash(o.baseAddress!, outputLength, input, UInt64(buffer.count), nil, 0)
            }
        }
        guard rc == 0 else { throw SodiumError.hashFailed }
        return out
    }

    // MARK: Ed25519

    public static let ed25519PublicKeyBytes = 32
    public static let ed25519SecretKeyBytes = 64
    public static let ed25519SignatureBytes = 64
}

/// An Ed25519 key pair (libsodium `crypto_sign_*`). The 64-byte secret key (seed ‖ public key)
/// is zeroed with `sodium_memzero` when the last copy of the pair goes away.
public final class Ed25519KeyPair: @unchecked Sendable {
    public let publicKey: [UInt8]
    private var secret: [UInt8]

    /// A fresh key pair from the CSPRNG.
    public init() {
        Sodium.ensureInitialized()
        var pk = [UInt8](repeating: 0, count: Sodium.ed25519PublicKeyBytes)
        var sk = [UInt8](repeating: 0, count: Sodium.ed25519SecretKeyBytes)
        _ = pk.withUnsafeMutableBufferPointer { p in sk.withUnsafeMutableBufferPointer { s in crypto_sign_keypair(p.baseAddress!, s.baseAddress!) } }
        publicKey = pk
        secret = sk
    }

    /// Rebuilds a key pair from a 64-byte libsodium secret key; checks that its embedded public key matches.
    public init(secretKey: [UInt8]) throws {
        Sodium.ensureInitialized()
        guard secretKey.count == Sodium.ed25519SecretKeyBytes else {
            throw SodiumError.invalidLength(what: "Ed25519 secret key", expected: Sodium.ed25519SecretKeyBytes, got: secretKey.count)
        }
        var pk = [UInt8](repeating: 0, count: Sodium.ed25519PublicKeyBytes)
        _ = pk.withUnsafeMutableBufferPointer { p in secretKey.withUnsafeBufferPointer { s in crypto_sign_ed25519_sk_to_pk(p.baseAddress!, s.baseAddress!) } }
        // Re-derive from the seed to make sure the stored public half is consistent.
        var seed = [UInt8](repeating: 0, count: 32)
        _ = seed.withUnsafeMutableBufferPointer { d in secretKey.withUnsafeBufferPointer { s in crypto_sign_ed25519_sk_to_seed(d.baseAddress!, s.baseAddress!) } }
        var pk2 = [UInt8](repeating: 0, count: 32), sk2 = [UInt8](repeating: 0, count: 64)
        _ = pk2.withUnsafeMutableBufferPointer { p in sk2.withUnsafeMutableBufferPointer { s in seed.withUnsafeBufferPointer { d in crypto_sign_seed_keypair(p.baseAddress!, s.baseAddress!, d.baseAddress!) } } }
        Sodium.zeroize(&seed)
        Sodium.zeroize(&sk2)
        guard pk == pk2 else { throw SodiumError.invalidSignature }
        publicKey = pk
        secret = secretKey
    }

    deinit { Sodium.zeroize(&secret) }

    /// The secret key bytes (seed ‖ public key). Callers that persist it must protect the file.
    public var secretKeyBytes: [UInt8] { secret }

    /// A detached 64-byte signature of `message`.
    public func sign(_ message: some Collection<UInt8>) -> [UInt8] {
        let m = Array(message)
        let mStorage = m.isEmpty ? [UInt8(0)] : m  // non-null pointer even for an empty message
        var sig = [UInt8](repeating: 0, count: Sodium.ed25519SignatureBytes)
        _ = sig.withUnsafeMutableBufferPointer { s in
            mStorage.withUnsafeBufferPointer { mp in
                secret.withUnsafeBufferPointer { k in
                    crypto_sign_detached(s.baseAddress!, nil, mp.baseAddress!, UInt64(m.count), k.baseAddress!)
                }
            }
        }
        return sig
    }

    /// Whether `signature` is a valid Ed25519 signature of `message` under `publicKey`.
    /// Wrong lengths return false (never trap).
    public static func verify(signature: [UInt8], message: some Collection<UInt8>, publicKey: [UInt8]) -> Bool {
        Sodium.ensureInitialized()
        guard signature.count == Sodium.ed25519SignatureBytes, publicKey.count == Sodium.ed25519PublicKeyBytes else { return false }
        let m = Array(message)
        let mStorage = m.isEmpty ? [UInt8(0)] : m  // non-null pointer even for an empty message
        let rc = signature.withUnsafeBufferPointer { s in
            mStorage.withUnsafeBufferPointer { mp in
                publicKey.withUnsafeBufferPointer { p in
                    crypto_sign_verify_detached(s.baseAddress!, mp.baseAddress!, UInt64(m.count), p.baseAddress!)
                }
            }
        }
        return rc == 0
    }
}

/// A `RandomNumberGenerator` drawing from libsodium's CSPRNG. Use it for setup secrets and
/// proof blinding; tests use a seeded generator instead.
public struct SecureRandomNumberGenerator: RandomNumberGenerator, Sendable {
    public init() { Sodium.ensureInitialized() }
    public mutating func next() -> UInt64 {
        var x: UInt64 = 0
        withUnsafeMutableBytes(of: &x) { Sodium.fillRandom($0) }
        return x
    }
}

/// Incremental BLAKE2b (`crypto_generichash_init/update/final`): the digest of bytes supplied in pieces, for files
/// hashed while they are read (nothing is held but the state). Equal to ``Sodium/blake2b(buffer:outputLength:)`` over
/// the concatenation. One use: ``finish()`` once, after which ``update(_:)`` must not be called.
public final class Blake2bHasher {
    private let state: UnsafeMutableRawPointer
    private let outputLength: Int
    private var finished = false

    /// An unkeyed hasher for an `outputLength`-byte digest (16...64).
    public init(outputLength: Int = 32) throws {
        Sodium.ensureInitialized()
        guard outputLength >= Int(crypto_generichash_BYTES_MIN), outputLength <= Int(crypto_generichash_BYTES_MAX) else {
            throw SodiumError.invalidLength(what: "BLAKE2b output", expected: Int(crypto_generichash_BYTES), got: outputLength)
        }
        self.outputLength = outputLength
        // libsodium's state is 64-byte aligned; allocate it so rather than rely on Swift's layout of the C struct.
        state = UnsafeMutableRawPointer.allocate(byteCount: crypto_generichash_statebytes(), alignment: 64)
        guard crypto_generichash_init(typedState, nil, 0, outputLength) == 0 else {
            state.deallocate()
            throw SodiumError.hashFailed
        }
    }

    deinit {
        sodium_memzero(state, crypto_generichash_statebytes())
        state.deallocate()
    }

    /// The state as libsodium's functions take it (Swift imports the 64-byte-aligned C struct as an opaque pointer).
    private var typedState: OpaquePointer { OpaquePointer(state) }

    /// Absorbs `bytes`.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "Blake2bHasher.update after finish")
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        _ = crypto_generichash_update(typedState, base.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
    }

    /// The digest of everything absorbed.
    public func finish() throws -> [UInt8] {
        precondition(!finished, "Blake2bHasher.finish called twice")
        finished = true
        var out = [UInt8](repeating: 0, count: outputLength)
        let rc = out.withUnsafeMutableBufferPointer { crypto_generichash_final(typedState, $0.baseAddress!, outputLength) }
        guard rc == 0 else { throw SodiumError.hashFailed }
        return out
    }
}

