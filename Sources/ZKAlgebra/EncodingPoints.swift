// Byte encodings of G1 and G2 points: Ethereum EIP-196/197 uncompressed, and compressed
// (gnark-crypto flag convention).

// MARK: - G1

extension AffinePoint where C == BN254G1 {
    /// Size of the Ethereum (EIP-196) uncompressed encoding.
    public static var ethereumByteCount: Int { 64 }
    /// Size of the compressed encoding.
    public static var compressedByteCount: Int { 32 }

    /// Decodes the Ethereum EIP-196 encoding: 64 bytes `x ‖ y`, each a 32-byte big-endian
    /// canonical integer `< q`; all 64 bytes zero is the point at infinity.
    ///
    /// Checked: length is exactly 64, both coordinates `< q`, the point is on `y² = x³ + 3`
    /// (G1 has cofactor 1, so that implies subgroup membership).
    /// - Throws: ``EncodingError/invalidLength(expected:got:)``,
    ///   ``EncodingError/coordinateNotCanonical``, ``EncodingError/notOnCurve``.
    public init(ethereumBytes bytes: some Collection<UInt8>) throws(EncodingError) {
        let b = Array(bytes)
        guard b.count == 64 else { throw .invalidLength(expected: 64, got: b.count) }
        let x = try readCanonicalFq(b, 0)
        let y = try readCanonicalFq(b, 32)
        if x.isZero && y.isZero { self = .infinity; return }  // (0, 0) is not on the curve
        let p = AffinePoint(x: x, y: y)
        guard p.isOnCurve else { throw .notOnCurve }
        self = p
    }

    /// The Ethereum EIP-196 encoding: 64 bytes `x ‖ y` big-endian; infinity is 64 zero bytes.
    /// Canonical: ``init(ethereumBytes:)`` accepts exactly the outputs of this property (for valid points).
    public var ethereumBytes: [UInt8] {
        if isInfinity { return [UInt8](repeating: 0, count: 64) }
        return x.bigEndianBytes + y.bigEndianBytes
    }

    /// Decodes the 32-byte compressed encoding.
    ///
    /// Layout: `x` as 32 big-endian bytes with flags in the two most significant bits of byte 0
    /// (free because q < 2^254; gnark-crypto's convention):
    /// - `0b10`: y is the lexicographically *smallest* square root (`y ≤ (q−1)/2`);
    /// - `0b11`: y is the lexicographically *largest* square root (`y > (q−1)/2`);
    /// - `0b01`: the point at infinity — all other 254 bits must be zero;
    /// - `0b00`: invalid here (gnark's "uncompressed" marker).
    ///
    /// Checked: length 32, valid flags, canonical infinity, `x < q`, `x³ + 3` is a square.
    /// - Throws: ``EncodingError/invalidLength(expected:got:)``, ``EncodingError/invalidFlags``,
    ///   ``EncodingError/invalidInfinityEncoding``, ``EncodingError/coordinateNotCanonical``,
    ///   ``EncodingError/noSquareRoot``.
    public init(compressedBytes bytes: some Collection<UInt8>) throws(EncodingError) {
        var b = Array(bytes)
        guard b.count == 32 else { throw .invalidLength(expected: 32, got: b.count) }
        let flag = b[0] & CompressionFlag.mask
        b[0] &= ~CompressionFlag.mask
        switch flag {
        case CompressionFlag.infinity:
            guard b.allSatisfy({ $0 == 0 }) else { throw .invalidInfinityEncoding }
            self = .infinity
            return
        case CompressionFlag.smallest, CompressionFlag.largest:
            break
        default:
            throw .invalidFlags
        }
        let x = try readCanonicalFq(b, 0)
        let rhs = x.squared() * x + BN254G1.b
        guard var y = rhs.squareRoot() else { throw .noSquareRoot }
        let wantLargest = flag == CompressionFlag.largest
        // y = 0 would make both flags decode to the same point; BN254 has no 2-torsion, but stay strict.
        if y.isZero && wantLargest { throw .invalidFlags }
        if y.isLexicographicallyLargest != wantLargest { y = -y }
        let p = AffinePoint(x: x, y: y)
        guard p.isOnCurve else { throw .notOnCurve }
        self = p
    }

    /// The 32-byte compressed encoding (see ``init(compressedBytes:)`` for the flag layout);
    /// infinity is `0x40` followed by 31 zero bytes.
    public var compressedBytes: [UInt8] {
        var b = [UInt8](repeating: 0, count: 32)
        if isInfinity { b[0] = CompressionFlag.infinity; return b }
        b = x.bigEndianBytes
        b[0] |= y.isLexicographicallyLargest ? CompressionFlag.largest : CompressionFlag.smallest
        return b
    }
}

// MARK: - G2

extension AffinePoint where C == BN254G2 {
    /// Size of the Ethereum (EIP-197) uncompressed encoding.
    public static var ethereumByteCount: Int { 128 }
    /// Size of the compressed encoding.
    public static var compressedByteCount: Int { 64 }

    /// Decodes the Ethereum EIP-197 encoding: 128 bytes `x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0`
    /// (**imaginary part first**; `x = x.c0 + x.c1·u`), each a 32-byte big-endian canonical
    /// integer `< q`; all 128 bytes zero is the point at infinity.
    ///
    /// Checked: length exactly 128, all four coordinates `< q`, on the twist `y² = x³ + 3/(9+u)`,
    /// and in the order-r subgroup.
    /// - Throws: ``EncodingError/invalidLength(expected:got:)``,
    ///   ``EncodingError/coordinateNotCanonical``, ``EncodingError/notOnCurve``,
    ///   ``EncodingError/notInSubgroup``.
    public init(ethereumBytes bytes: some Collection<UInt8>) throws(EncodingError) {
        let b = Array(bytes)
        guard b.count == 128 else { throw .invalidLength(expected: 128, got: b.count) }
        let x1 = try readCanonicalFq(b, 0)
        let x0 = try readCanonicalFq(b, 32)
        let y1 = try readCanonicalFq(b, 64)
        let y0 = try readCanonicalFq(b, 96)
        let x = Fq2(x0, x1), y = Fq2(y0, y1)
        if x.isZero && y.isZero { self = .infinity; return }  // (0, 0) is not on the twist
        self = try AffinePoint.checkedG2(x: x, y: y)
    }

    /// The Ethereum EIP-197 encoding: `x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0`, 32 bytes each, big-endian;
    /// infinity is 128 zero bytes.
    public var ethereumBytes: [UInt8] {
        if isInfinity { return [UInt8](repeating: 0, count: 128) }
        return x.c1.bigEndianBytes + x.c0.bigEndianBytes + y.c1.bigEndianBytes + y.c0.bigEndianBytes
    }

    /// Decodes the 64-byte compressed encoding.
    ///
    /// Layout: `x.c1 ‖ x.c0` (imaginary part first), 32 big-endian bytes each, with flags in the
    /// two most significant bits of byte 0 (the top of `x.c1`; gnark-crypto's convention):
    /// - `0b10`: y is the lexicographically *smallest* root, `0b11`: the *largest*, using
    ///   ``Fq2/isLexicographicallyLargest`` (compare `c1`, then `c0` when `c1 = 0`);
    /// - `0b01`: the point at infinity — all other bits must be zero;
    /// - `0b00`: invalid here.
    ///
    /// Checked: length 64, flags, canonical infinity, `x.c0, x.c1 < q`, `x³ + b'` is a square
    /// in Fq2, and the point is in the order-r subgroup.
    /// - Throws: ``EncodingError/invalidLength(expected:got:)``, ``EncodingError/invalidFlags``,
    ///   ``EncodingError/invalidInfinityEncoding``, ``EncodingError/coordinateNotCanonical``,
    ///   ``EncodingError/noSquareRoot``, ``EncodingError/notInSubgroup``.
    public init(compressedBytes bytes: some Collection<UInt8>) throws(EncodingError) {
        var b = Array(bytes)
        guard b.count == 64 else { throw .invalidLength(expected: 64, got: b.count) }
        let flag = b[0] & CompressionFlag.mask
        b[0] &= ~CompressionFlag.mask
        switch flag {
        case CompressionFlag.infinity:
            guard b.allSatisfy({ $0 == 0 }) else { throw .invalidInfinityEncoding }
            self = .infinity
            return
        case CompressionFlag.smallest, CompressionFlag.largest:
            break
        default:
            throw .invalidFlags
        }
        let x = Fq2(try readCanonicalFq(b, 32), try readCanonicalFq(b, 0))
        let rhs = x.squared() * x + BN254G2.b
        guard var y = rhs.squareRoot() else { throw .noSquareRoot }
        let wantLargest = flag == CompressionFlag.largest
        if y.isZero && wantLargest { throw .invalidFlags }
        if y.isLexicographicallyLargest != wantLargest { y = -y }
        self = try AffinePoint.checkedG2(x: x, y: y)
    }

    /// The 64-byte compressed encoding (see ``init(compressedBytes:)``); infinity is `0x40`
    /// followed by 63 zero bytes.
    public var compressedBytes: [UInt8] {
        var b = [UInt8](repeating: 0, count: 64)
        if isInfinity { b[0] = CompressionFlag.infinity; return b }
        b = x.c1.bigEndianBytes + x.c0.bigEndianBytes
        b[0] |= y.isLexicographicallyLargest ? CompressionFlag.largest : CompressionFlag.smallest
        return b
    }

    /// A finite point after the curve and subgroup checks.
    internal static func checkedG2(x: Fq2, y: Fq2) throws(EncodingError) -> AffinePoint {
        guard !(x.isZero && y.isZero) else { throw .notOnCurve }  // (0, 0) would be this type's infinity
        let p = AffinePoint(x: x, y: y)
        guard p.isOnCurve else { throw .notOnCurve }
        guard BN254G2.isInSubgroup(JacobianPoint(p)) else { throw .notInSubgroup }
        return p
    }
}
