/// BLAKE2b-512 (RFC 7693, unkeyed, 64-byte digest) whose intermediate state can be exported and
/// imported in the 216-byte layout snarkjs stores in `.ptau` contributions (`partialHash`).
///
/// The layout is blake2b-wasm's context, which snarkjs keeps for compatibility:
/// `buffer[0..<128] | h[0..<8] (u64 LE) | t (u64 LE, bytes compressed so far) |
/// c (u64 LE, bytes in the buffer) | f (u64 LE, 0 until finalised)`.
/// Like blake2b-wasm, the last full block is kept in the buffer until more input arrives, and
/// buffer bytes past `c` are whatever an earlier block left there (they are part of the state
/// file but never of the hash). libsodium computes the same digests (checked in the tests);
/// this type exists only because libsodium's state cannot be exported in that layout.
public struct Blake2b512: Sendable {
    private var h: [UInt64]
    private var buffer: [UInt8]
    /// Bytes compressed so far (BLAKE2b's counter; inputs here stay far below 2^64).
    private var t: UInt64 = 0
    /// Bytes waiting in `buffer` (0...128).
    private var c: Int = 0

    private static let iv: [UInt64] = [
        0x6a09_e667_f3bc_c908, 0xbb67_ae85_84ca_a73b, 0x3c6e_f372_fe94_f82b, 0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1, 0x9b05_688c_2b3e_6c1f, 0x1f83_d9ab_fb41_bd6b, 0x5be0_cd19_137e_2179,
    ]
    private static let sigma: [[Int]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    ]

    /// A fresh hasher (digest length 64, no key, fanout 1, depth 1).
    public init() {
        h = Blake2b512.iv
        h[0] ^= 0x0101_0040
        buffer = [UInt8](repeating: 0, count: 128)
    }

    /// Resumes from a 216-byte snarkjs `partialHash`; nil unless it has that length, `c ≤ 128`,
    /// `t` is a multiple of 128 and `f = 0` (a state that was not finalised).
    public init?(partialState s: some Collection<UInt8>) {
        let b = Array(s)
        guard b.count == 216 else { return nil }
        func u64(_ o: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[o + $1]) << UInt64(8 * $1) } }
        let t = u64(192), c = u64(200), f = u64(208)
        guard c <= 128, t % 128 == 0, f == 0 else { return nil }
        buffer = Array(b[0..<128])
        h = (0..<8).map { u64(128 + 8 * $0) }
        self.t = t
        self.c = Int(c)
    }

    /// The 216-byte state snarkjs stores as `partialHash`.
    public var partialState: [UInt8] {
        var out = buffer
        func put(_ v: UInt64) { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i))) } }
        for w in h { put(w) }
        put(t)
        put(UInt64(c))
        put(0)
        return out
    }

    public mutating func update(_ data: some Collection<UInt8>) {
        if let done = data.withContiguousStorageIfAvailable({ update(buffer: UnsafeRawBufferPointer($0)) }) { return done }
        let copy = Array(data)
        copy.withUnsafeBytes { update(buffer: $0) }
    }

    /// Absorbs `input` the way @noble/hashes' BLAKE2b does (what snarkjs uses since 2025): a full
    /// buffer is compressed only when more input arrives; while a whole block remains in `input`
    /// beyond the current one, blocks are compressed straight from `input` without passing through
    /// the buffer. The digest does not depend on this; the stale buffer bytes in ``partialState``
    /// do, and snarkjs writes that state into `.ptau` files (inputs are taken as 4-byte aligned,
    /// as snarkjs's are).
    public mutating func update(buffer input: UnsafeRawBufferPointer) {
        var pos = 0
        let n = input.count
        while pos < n {
            if c == 128 {
                t &+= 128
                compress(last: false)
                c = 0
            }
            let take = min(128 - c, n - pos)
            if take == 128 && pos + take < n {
                while pos + 128 < n {
                    t &+= 128
                    compress(block: UnsafeRawBufferPointer(rebasing: input[pos..<(pos + 128)]), last: false)
                    pos += 128
                }
                continue
            }
            let at = c, from = pos
            buffer.withUnsafeMutableBytes { dst in
                dst.baseAddress!.advanced(by: at).copyMemory(from: input.baseAddress!.advanced(by: from), byteCount: take)
            }
            c += take
            pos += take
        }
    }

    /// The 64-byte digest (the hasher is consumed).
    public consuming func finalize() -> [UInt8] {
        t &+= UInt64(c)
        for k in c..<128 { buffer[k] = 0 }
        compress(last: true)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for w in h { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: w >> UInt64(8 * i))) } }
        return out
    }

    /// One-shot BLAKE2b-512.
    public static func hash(_ data: some Collection<UInt8>) -> [UInt8] {
        var b = Blake2b512()
        b.update(data)
        return b.finalize()
    }

    private mutating func compress(last: Bool) {
        let copy = buffer
        copy.withUnsafeBytes { compress(block: $0, last: last) }
    }

    private mutating func compress(block raw: UnsafeRawBufferPointer, last: Bool) {
        let m: [UInt64] = (0..<16).map { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)) }
        var v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3], v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7]
        var v8 = Blake2b512.iv[0], v9 = Blake2b512.iv[1], v10 = Blake2b512.iv[2], v11 = Blake2b512.iv[3]
        var v12 = Blake2b512.iv[4] ^ t, v13 = Blake2b512.iv[5]
        var v14 = last ? ~Blake2b512.iv[6] : Blake2b512.iv[6], v15 = Blake2b512.iv[7]
        @inline(__always) func g(_ a: inout UInt64, _ b: inout UInt64, _ c: inout UInt64, _ d: inout UInt64, _ x: UInt64, _ y: UInt64) {
            a = a &+ b &+ x; d = (d ^ a).rotatedRight(32)
            c = c &+ d; b = (b ^ c).rotatedRight(24)
            a = a &+ b &+ y; d = (d ^ a).rotatedRight(16)
            c = c &+ d; b = (b ^ c).rotatedRight(63)
        }
        for r in 0..<12 {
            let s = Blake2b512.sigma[r % 10]
            g(&v0, &v4, &v8, &v12, m[s[0]], m[s[1]])
            g(&v1, &v5, &v9, &v13, m[s[2]], m[s[3]])
            g(&v2, &v6, &v10, &v14, m[s[4]], m[s[5]])
            g(&v3, &v7, &v11, &v15, m[s[6]], m[s[7]])
            g(&v0, &v5, &v10, &v15, m[s[8]], m[s[9]])
            g(&v1, &v6, &v11, &v12, m[s[10]], m[s[11]])
            g(&v2, &v7, &v8, &v13, m[s[12]], m[s[13]])
            g(&v3, &v4, &v9, &v14, m[s[14]], m[s[15]])
        }
        h[0] ^= v0 ^ v8; h[1] ^= v1 ^ v9; h[2] ^= v2 ^ v10; h[3] ^= v3 ^ v11
        h[4] ^= v4 ^ v12; h[5] ^= v5 ^ v13; h[6] ^= v6 ^ v14; h[7] ^= v7 ^ v15
    }
}

extension UInt64 {
    @inline(__always) fileprivate func rotatedRight(_ n: UInt64) -> UInt64 { (self >> n) | (self << (64 - n)) }
}

/// snarkjs's way of printing a 64-byte hash (`misc.formatHash`): four lines of four big-endian
/// 32-bit words in hex, each line indented by two tabs, under an optional title line.
public func formatSnarkjsHash(_ hash: [UInt8], title: String? = nil) -> String {
    var lines: [String] = []
    for i in 0..<4 {
        var words: [String] = []
        for j in 0..<4 {
            let o = i * 16 + j * 4
            let w = o + 4 <= hash.count ? hash[o..<(o + 4)].map { String(format2: $0) }.joined() : ""
            words.append(w)
        }
        lines.append("\t\t" + words.joined(separator: " "))
    }
    let body = lines.joined(separator: "\n")
    return title.map { "\($0)\n\(body)" } ?? body
}

/// Lower-case hex of bytes.
public func hexString(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format2: $0) }.joined() }

/// Bytes of an even-length hex string (an optional `0x` prefix is allowed); nil if malformed.
public func bytes(fromHex s: String) -> [UInt8]? {
    var t = Substring(s)
    if t.hasPrefix("0x") || t.hasPrefix("0X") { t = t.dropFirst(2) }
    guard t.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    var it = t.makeIterator()
    while let a = it.next(), let b = it.next() {
        guard let hi = a.hexDigitValue, let lo = b.hexDigitValue else { return nil }
        out.append(UInt8(hi * 16 + lo))
    }
    return out
}

extension String {
    fileprivate init(format2 b: UInt8) {
        let d = Array("0123456789abcdef")
        self = String([d[Int(b >> 4)], d[Int(b & 15)]])
    }
}
