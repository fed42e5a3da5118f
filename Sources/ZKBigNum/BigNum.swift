internal import CGMP

/// An arbitrary-precision signed integer backed by GMP's `mpz_t`, with value semantics
/// (copy-on-write over a class that owns the `mpz_t` and clears it in `deinit`).
///
/// This is the only variable-length integer in zkinfer. Use it for constants, parsing and
/// printing, and as the slow, obviously-correct oracle that fixed-width field kernels are
/// tested against. Division (`/`, `%`) truncates toward zero like Swift's integers;
/// ``mod(_:)`` gives the non-negative residue.
public struct BigNum: Sendable {
    @usableFromInline
    final class Storage: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<__mpz_struct>
        init() {
            pointer = .allocate(capacity: 1)
            zk_mpz_init(pointer)
        }
        init(copying other: Storage) {
            pointer = .allocate(capacity: 1)
            zk_mpz_init(pointer)
            zk_mpz_set(pointer, other.pointer)
        }
        deinit {
            zk_mpz_clear(pointer)
            pointer.deallocate()
        }
    }

    @usableFromInline var storage: Storage

    private init(storage: Storage) { self.storage = storage }

    /// Runs `body` with a pointer that may be written; copies the storage first if it is shared.
    private mutating func withMutablePointer<T>(_ body: (UnsafeMutablePointer<__mpz_struct>) -> T) -> T {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(copying: storage) }
        return body(storage.pointer)
    }

    private static func make(_ body: (UnsafeMutablePointer<__mpz_struct>) -> Void) -> BigNum {
        let s = Storage()
        body(s.pointer)
        return BigNum(storage: s)
    }

    // MARK: Construction

    /// Zero.
    public init() { storage = Storage() }

    public init(_ value: Int) {
        storage = Storage()
        zk_mpz_set_si(storage.pointer, value)
    }

    public init(_ value: UInt64) {
        storage = Storage()
        zk_mpz_set_ui(storage.pointer, UInt(value))
    }

    /// Parses an optionally signed integer in `radix` (2...62). Accepts a leading `-`.
    /// Returns nil for an empty string or any character that is not a digit in `radix`
    /// (GMP would otherwise skip whitespace; we do not).
    public init?(_ text: String, radix: Int = 10) {
        guard (2...62).contains(radix) else { return nil }
        var body = Substring(text)
        var negative = false
        if body.first == "-" { negative = true; body = body.dropFirst() }
        guard !body.isEmpty else { return nil }
        for ch in body.unicodeScalars {
            guard ch.isASCII, let d = Self.digitValue(ch), d < radix else { return nil }
        }
        let s = Storage()
        let rc = String(body).withCString { zk_mpz_set_str(s.pointer, $0, Int32(radix)) }
        guard rc == 0 else { return nil }
        if negative { zk_mpz_neg(s.pointer, s.pointer) }
        storage = s
    }

    private static func digitValue(_ c: Unicode.Scalar) -> Int? {
        switch c.value {
        case 48...57: return Int(c.value - 48)
        case 65...90: return Int(c.value - 55)
        case 97...122: return Int(c.value - 87)
        default: return nil
        }
    }

    /// Parses `0x`-prefixed or bare hexadecimal.
    public init?(hex text: String) {
        var t = Substring(text)
        if t.hasPrefix("0x") || t.hasPrefix("0X") { t = t.dropFirst(2) }
        self.init(String(t), radix: 16)
    }

    /// Interprets `bytes` as an unsigned big-endian integer.
    public init(bigEndian bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        storage = Storage()
        if !array.isEmpty {
            array.withUnsafeBytes { zk_mpz_import(storage.pointer, array.count, 1, 1, 1, 0, $0.baseAddress) }
        }
    }

    /// Interprets `bytes` as an unsigned little-endian integer.
    public init(littleEndian bytes: some Collection<UInt8>) {
        self.init(bigEndian: Array(bytes).reversed())
    }

    /// Interprets 64-bit `limbs` (least significant first) as an unsigned integer.
    public init(limbs: [UInt64]) {
        storage = Storage()
        if !limbs.isEmpty {
            limbs.withUnsafeBytes { zk_mpz_import(storage.pointer, limbs.count, -1, 8, 0, 0, $0.baseAddress) }
        }
    }

    // MARK: Output

    /// Decimal (or other radix, 2...62) text, with a leading `-` when negative.
    public func toString(radix: Int = 10) -> String {
        precondition((2...62).contains(radix), "radix must be in 2...62")
        let size = zk_mpz_sizeinbase(storage.pointer, Int32(radix)) + 2
        var buffer = [CChar](repeating: 0, count: size)
        _ = buffer.withUnsafeMutableBufferPointer { zk_mpz_get_str($0.baseAddress, Int32(radix), storage.pointer) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Unsigned magnitude as big-endian bytes, left-padded with zeros to `count` when given.
    /// Returns nil when the magnitude needs more than `count` bytes.
    public func bigEndianBytes(count: Int? = nil) -> [UInt8]? {
        let n = (bitWidth + 7) / 8
        var out = [UInt8](repeating: 0, count: n)
        if n > 0 {
            var written = 0
            out.withUnsafeMutableBytes { _ = zk_mpz_export($0.baseAddress, &written, 1, 1, 1, 0, storage.pointer) }
            out = Array(out.prefix(written))
        }
        guard let count else { return out }
        guard out.count <= count else { return nil }
        return [UInt8](repeating: 0, count: count - out.count) + out
    }

    /// Unsigned magnitude as little-endian bytes, right-padded to `count` when given.
    public func littleEndianBytes(count: Int? = nil) -> [UInt8]? {
        bigEndianBytes(count: count).map { Array($0.reversed()) }
    }

    /// The magnitude as `count` 64-bit limbs, least significant first; nil if it does not fit.
    public func limbs(count: Int) -> [UInt64]? {
        guard let bytes = littleEndianBytes(count: count * 8) else { return nil }
        return (0..<count).map { i in
            var limb: UInt64 = 0
            for j in 0..<8 { limb |= UInt64(bytes[i * 8 + j]) << (8 * UInt64(j)) }
            return limb
        }
    }

    // MARK: Properties

    /// -1, 0 or 1.
    public var signum: Int { Int(zk_mpz_sgn(storage.pointer)) }
    public var isZero: Bool { signum == 0 }
    public var isNegative: Bool { signum < 0 }
    /// Number of bits in the magnitude (0 for zero).
    public var bitWidth: Int { isZero ? 0 : zk_mpz_sizeinbase(storage.pointer, 2) }
    /// Bit `index` of the magnitude's two's-complement representation (GMP semantics).
    public func bit(_ index: Int) -> Bool { zk_mpz_tstbit(storage.pointer, UInt(index)) != 0 }
    /// The value as an `Int` when it fits.
    public var intValue: Int? { zk_mpz_fits_slong_p(storage.pointer) != 0 ? zk_mpz_get_si(storage.pointer) : nil }

    // MARK: Arithmetic

    public static func + (a: BigNum, b: BigNum) -> BigNum { make { zk_mpz_add($0, a.storage.pointer, b.storage.pointer) } }
    public static func - (a: BigNum, b: BigNum) -> BigNum { make { zk_mpz_sub($0, a.storage.pointer, b.storage.pointer) } }
    public static func * (a: BigNum, b: BigNum) -> BigNum { make { zk_mpz_mul($0, a.storage.pointer, b.storage.pointer) } }
    public static prefix func - (a: BigNum) -> BigNum { make { zk_mpz_neg($0, a.storage.pointer) } }
    public static func += (a: inout BigNum, b: BigNum) { a = a + b }
    public static func -= (a: inout BigNum, b: BigNum) { a = a - b }
    public static func *= (a: inout BigNum, b: BigNum) { a = a * b }

    /// Truncating quotient and remainder (remainder has the sign of the dividend). Traps on a zero divisor.
    public func quotientAndRemainder(dividingBy d: BigNum) -> (quotient: BigNum, remainder: BigNum) {
        precondition(!d.isZero, "BigNum division by zero")
        let q = Storage(), r = Storage()
        zk_mpz_tdiv_qr(q.pointer, r.pointer, storage.pointer, d.storage.pointer)
        return (BigNum(storage: q), BigNum(storage: r))
    }
    public static func / (a: BigNum, b: BigNum) -> BigNum { a.quotientAndRemainder(dividingBy: b).quotient }
    public static func % (a: BigNum, b: BigNum) -> BigNum { a.quotientAndRemainder(dividingBy: b).remainder }

    /// The residue in `0..<|m|`. Traps when `m` is zero.
    public func mod(_ m: BigNum) -> BigNum {
        precondition(!m.isZero, "BigNum modulo zero")
        return BigNum.make { zk_mpz_mod($0, storage.pointer, m.storage.pointer) }
    }

    /// `self^e mod m` for `e ≥ 0`, `m ≠ 0`.
    public func power(_ e: BigNum, modulus m: BigNum) -> BigNum {
        precondition(!e.isNegative && !m.isZero, "powm needs e >= 0 and m != 0")
        return BigNum.make { zk_mpz_powm($0, storage.pointer, e.storage.pointer, m.storage.pointer) }
    }

    /// `self^e` for a small non-negative exponent.
    public func power(_ e: Int) -> BigNum {
        precondition(e >= 0)
        var result = BigNum(1), base = self, k = e
        while k > 0 {
            if k & 1 == 1 { result *= base }
            base *= base
            k >>= 1
        }
        return result
    }

    /// The inverse modulo `m`, or nil when `gcd(self, m) ≠ 1`.
    public func inverse(modulus m: BigNum) -> BigNum? {
        guard !m.isZero else { return nil }
        let s = Storage()
        guard zk_mpz_invert(s.pointer, storage.pointer, m.storage.pointer) != 0 else { return nil }
        return BigNum(storage: s)
    }

    /// The non-negative greatest common divisor.
    public static func gcd(_ a: BigNum, _ b: BigNum) -> BigNum { make { zk_mpz_gcd($0, a.storage.pointer, b.storage.pointer) } }

    /// Legendre symbol (self / p) for an odd prime p: -1, 0 or 1.
    public func legendre(_ p: BigNum) -> Int { Int(zk_mpz_legendre(storage.pointer, p.storage.pointer)) }

    /// Whether GMP's Miller–Rabin test (with `rounds` rounds) believes the value prime.
    public func isProbablePrime(rounds: Int = 30) -> Bool { zk_mpz_probab_prime_p(storage.pointer, Int32(rounds)) != 0 }

    public static func << (a: BigNum, n: Int) -> BigNum { make { zk_mpz_mul_2exp($0, a.storage.pointer, UInt(n)) } }
    /// Floor division by 2^n.
    public static func >> (a: BigNum, n: Int) -> BigNum { make { zk_mpz_fdiv_q_2exp($0, a.storage.pointer, UInt(n)) } }

    public var magnitude: BigNum { BigNum.make { zk_mpz_abs($0, storage.pointer) } }

    public mutating func negate() { withMutablePointer { zk_mpz_neg($0, $0) } }
}

extension BigNum: Equatable, Comparable, Hashable {
    public static func == (a: BigNum, b: BigNum) -> Bool { zk_mpz_cmp(a.storage.pointer, b.storage.pointer) == 0 }
    public static func < (a: BigNum, b: BigNum) -> Bool { zk_mpz_cmp(a.storage.pointer, b.storage.pointer) < 0 }
    public func hash(into hasher: inout Hasher) { hasher.combine(toString(radix: 16)) }
}

extension BigNum: CustomStringConvertible {
    public var description: String { toString() }
}
