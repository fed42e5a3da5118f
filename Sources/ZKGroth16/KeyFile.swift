import Foundation
import ZKAlgebra
import ZKFormats
import ZKSodium

/// Errors reading a zkinfer key file.
public enum KeyFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case badMagic
    case unsupportedVersion(UInt32)
    case unsupportedCurve(UInt32)
    case truncated(needed: Int, available: Int)
    case inconsistentHeader(String)
    case digestMismatch
    case coordinateNotCanonical(offset: Int)
    case pointNotOnCurve(String)
    case pointNotInSubgroup(String)
    case trailingBytes(Int)

    public var description: String {
        switch self {
        case .badMagic: return "not a zkinfer proving key (bad magic)"
        case let .unsupportedVersion(v): return "unsupported proving-key version \(v) (this build reads version \(ProvingKeyFile.version))"
        case let .unsupportedCurve(c): return "unsupported curve id \(c) (only 1 = BN254)"
        case let .truncated(n, a): return "file truncated: needs \(n) bytes, has \(a)"
        case let .inconsistentHeader(s): return "inconsistent header: \(s)"
        case .digestMismatch: return "BLAKE2b digest mismatch: the file is corrupt"
        case let .coordinateNotCanonical(o): return "coordinate at byte \(o) is not < q"
        case let .pointNotOnCurve(s): return "\(s) is not on the curve"
        case let .pointNotInSubgroup(s): return "\(s) is not in the G2 subgroup"
        case let .trailingBytes(n): return "\(n) unexpected bytes after the key"
        }
    }
}

/// The binary proving-key file (`proving.key`), version 1. All integers little-endian.
///
/// ```
/// "ZKINFPK\0"  u32 version=1  u32 curve=1 (BN254)
/// u32 publicCount  u32 wireCount  u32 domainSize  u64 |A entries|  u64 |B entries|
/// G1 alpha1, beta1, delta1   G2 beta2, delta2, gamma2   G1 IC[publicCount+1]
/// G1 a[wireCount]  G1 b1[wireCount]  G2 b2[wireCount]  G1 c[wireCount−publicCount−1]  G1 h[domainSize]
/// A entries, then B entries: (u32 row, u32 wire, 32-byte Fr)
/// 32-byte BLAKE2b of everything above
/// ```
/// Coordinates and Fr values are 32-byte little-endian **Montgomery form** (as in snarkjs's
/// `.zkey`, so loading is a copy plus a range check); G2 as x.c0, x.c1, y.c0, y.c1; infinity is all
/// zeros. Loading checks the digest, every size against the file length before allocating,
/// every coordinate `< q`, every point on its curve, and the key's own G2 points (β, γ, δ) in
/// the subgroup. The bulk `b2` points are only checked on the curve: the proving key is the
/// prover's own file and cannot make a verifier accept a false claim.
public enum ProvingKeyFile {
    public static let magic: [UInt8] = Array("ZKINFPK".utf8) + [0]
    public static let version: UInt32 = 1
    static let g1Size = 64, g2Size = 128, entrySize = 40

    // MARK: Writing

    public static func serialize(_ pk: ProvingKey) -> [UInt8] {
        var out: [UInt8] = []
        let estimate = 64 + (pk.a.count + pk.b1.count + pk.c.count + pk.h.count + pk.verificationKey.ic.count + 3) * g1Size
            + (pk.b2.count + 3) * g2Size + (pk.matrixA.count + pk.matrixB.count) * entrySize + 32
        out.reserveCapacity(estimate)
        out += magic
        u32(&out, version); u32(&out, 1)
        u32(&out, UInt32(pk.publicCount)); u32(&out, UInt32(pk.wireCount)); u32(&out, UInt32(pk.domainSize))
        u64(&out, UInt64(pk.matrixA.count)); u64(&out, UInt64(pk.matrixB.count))
        for p in [pk.alpha1, pk.beta1, pk.delta1] { g1(&out, p) }
        for p in [pk.beta2, pk.delta2, pk.verificationKey.gamma2] { g2(&out, p) }
        for p in pk.verificationKey.ic { g1(&out, p) }
        for p in pk.a { g1(&out, p) }
        for p in pk.b1 { g1(&out, p) }
        for p in pk.b2 { g2(&out, p) }
        for p in pk.c { g1(&out, p) }
        for p in pk.h { g1(&out, p) }
        for m in [pk.matrixA, pk.matrixB] {
            for k in 0..<m.count { u32(&out, m.rows[k]); u32(&out, m.wires[k]); limbs(&out, m.values[k]) }
        }
        out += (try? Sodium.blake2b(out, outputLength: 32)) ?? []
        return out
    }

    /// Writes atomically (a temporary file renamed into place), so a failure never leaves a partial key.
    public static func write(_ pk: ProvingKey, to url: URL) throws {
        try Data(serialize(pk)).write(to: url, options: .atomic)
    }

    private static func u32(_ o: inout [UInt8], _ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { o += $0 } }
    private static func u64(_ o: inout [UInt8], _ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { o += $0 } }
    private static func limbs<F: MontgomeryField>(_ o: inout [UInt8], _ f: F) {
        for l in [f.l0, f.l1, f.l2, f.l3] { withUnsafeBytes(of: l.littleEndian) { o += $0 } }
    }
    private static func g1(_ o: inout [UInt8], _ p: G1Affine) {
        if p.isInfinity { o += [UInt8](repeating: 0, count: g1Size) } else { limbs(&o, p.x); limbs(&o, p.y) }
    }
    private static func g2(_ o: inout [UInt8], _ p: G2Affine) {
        if p.isInfinity { o += [UInt8](repeating: 0, count: g2Size) } else { limbs(&o, p.x.c0); limbs(&o, p.x.c1); limbs(&o, p.y.c0); limbs(&o, p.y.c1) }
    }

    // MARK: Reading

    /// Reads and checks a key file with positioned reads: the digest is computed over the file in 4 MiB pieces, then
    /// each point array is read straight into its storage and checked there (on `threads` threads, nil: every core),
    /// so the process never holds the file's bytes beside the decoded key. Same checks, result and errors as
    /// ``parse(_:threads:)`` on the file's bytes; `CocoaError` when the file cannot be read.
    public static func read(from url: URL, threads: Int? = nil) throws -> ProvingKey {
        let file = try FileHandleReader(path: url.path)
        defer { file.close() }
        return try decode(FileKeyBytes(file: file), threads: threads)
    }

    public static func parse(_ bytes: [UInt8], threads: Int? = nil) throws -> ProvingKey {
        try bytes.withUnsafeBytes { try parse($0, threads: threads) }
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer, threads: Int? = nil) throws -> ProvingKey {
        try decode(MemoryKeyBytes(bytes: bytes), threads: threads)
    }

    /// A bounds-checked cursor over the key's body (the bytes before the digest) for the header's small fields.
    struct Reader {
        let source: any KeyBytes
        let count: Int
        var offset = 0
        mutating func need(_ n: Int) throws {
            guard n >= 0, n <= count - offset else { throw KeyFileError.truncated(needed: offset + max(n, 0), available: source.count) }
        }
        private mutating func load<T: FixedWidthInteger>(_: T.Type) throws -> T {
            try need(MemoryLayout<T>.size)
            var v = T.zero
            try withUnsafeMutableBytes(of: &v) { try source.copy(offset: offset, into: $0) }
            offset += MemoryLayout<T>.size
            return T(littleEndian: v)
        }
        mutating func u32() throws -> UInt32 { try load(UInt32.self) }
        mutating func u64() throws -> UInt64 { try load(UInt64.self) }
        mutating func field<F: MontgomeryField>(_: F.Type) throws -> F {
            try need(32)
            let at = offset
            let l = (try load(UInt64.self), try load(UInt64.self), try load(UInt64.self), try load(UInt64.self))
            // Range check: the limbs must be < p (then they are a valid Montgomery representation).
            guard limbsBelowModulus(l, F.self) else { throw KeyFileError.coordinateNotCanonical(offset: at) }
            return F(montgomeryLimbs: l.0, l.1, l.2, l.3)
        }
        mutating func g1(_ what: @autoclosure () -> String) throws -> G1Affine {
            let x = try field(Fq.self), y = try field(Fq.self)
            if x.isZero && y.isZero { return .infinity }
            let p = G1Affine(x: x, y: y)
            guard p.isOnCurve else { throw KeyFileError.pointNotOnCurve(what()) }
            return p
        }
        mutating func g2(_ what: @autoclosure () -> String, subgroup: Bool) throws -> G2Affine {
            let x = Fq2(try field(Fq.self), try field(Fq.self)), y = Fq2(try field(Fq.self), try field(Fq.self))
            if x.isZero && y.isZero { return .infinity }
            let p = G2Affine(x: x, y: y)
            guard p.isOnCurve else { throw KeyFileError.pointNotOnCurve(what()) }
            if subgroup { guard p.isInSubgroup else { throw KeyFileError.pointNotInSubgroup(what()) } }
            return p
        }
    }

    static func decode(_ source: some KeyBytes, threads: Int?) throws -> ProvingKey {
        guard source.count >= magic.count + 32 else { throw KeyFileError.badMagic }
        var head = [UInt8](repeating: 0, count: magic.count)
        try head.withUnsafeMutableBytes { try source.copy(offset: 0, into: $0) }
        guard head == magic else { throw KeyFileError.badMagic }
        // Digest over everything but the last 32 bytes.
        let bodyCount = source.count - 32
        var stored = [UInt8](repeating: 0, count: 32)
        try stored.withUnsafeMutableBytes { try source.copy(offset: bodyCount, into: $0) }
        guard try source.digest(upTo: bodyCount) == stored else { throw KeyFileError.digestMismatch }
        var r = Reader(source: source, count: bodyCount, offset: magic.count)
        let version = try r.u32()
        guard version == Self.version else { throw KeyFileError.unsupportedVersion(version) }
        let curve = try r.u32()
        guard curve == 1 else { throw KeyFileError.unsupportedCurve(curve) }
        let publicCount = Int(try r.u32()), wireCount = Int(try r.u32()), domainSize = Int(try r.u32())
        let aCount = try r.u64(), bCount = try r.u64()
        guard wireCount >= publicCount + 1 else { throw KeyFileError.inconsistentHeader("wireCount \(wireCount) < publicCount + 1") }
        guard domainSize > 0, domainSize & (domainSize - 1) == 0, domainSize <= 1 << 27 else {
            throw KeyFileError.inconsistentHeader("domain size \(domainSize) is not a power of two ≤ 2^27")
        }
        // Each count alone must fit in the file (so the size arithmetic below cannot overflow).
        let maxEntries = UInt64(bodyCount / entrySize)
        guard aCount <= maxEntries, bCount <= maxEntries else {
            throw KeyFileError.truncated(needed: Int(min(max(aCount, bCount), maxEntries + 1)) * entrySize, available: source.count)
        }
        // Check the total size before allocating anything.
        let g1Points = 3 + (publicCount + 1) + 2 * wireCount + (wireCount - publicCount - 1) + domainSize
        let g2Points = 3 + wireCount
        let expected = r.offset + g1Points * g1Size + g2Points * g2Size + (Int(aCount) + Int(bCount)) * entrySize
        guard expected <= bodyCount else { throw KeyFileError.truncated(needed: expected + 32, available: source.count) }
        guard expected == bodyCount else { throw KeyFileError.trailingBytes(bodyCount - expected) }

        let alpha1 = try r.g1("alpha1"), beta1 = try r.g1("beta1"), delta1 = try r.g1("delta1")
        let beta2 = try r.g2("beta2", subgroup: true), delta2 = try r.g2("delta2", subgroup: true), gamma2 = try r.g2("gamma2", subgroup: true)
        let ic = try (0...publicCount).map { try r.g1("IC[\($0)]") }
        /// A bulk point array read straight into its storage and checked in parallel (coordinates `< q`, points on
        /// their curve).
        func bulk<P>(_ name: String, _ count: Int, _ size: Int,
                     _ read: (Int, (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Result<[P], PointArrays.Failure>) throws -> [P] {
            let start = r.offset
            try r.need(count * size)
            r.offset += count * size
            switch try read(count, { try source.copy(offset: start, into: $0) }) {
            case let .success(points): return points
            case let .failure(.notCanonical(i, k)): throw KeyFileError.coordinateNotCanonical(offset: start + i * size + 32 * k)
            case let .failure(.notOnCurve(i)), let .failure(.notInSubgroup(i)): throw KeyFileError.pointNotOnCurve("\(name)[\(i)]")
            }
        }
        let g1 = { (n: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) in try PointArrays.g1(count: n, threads: threads, fill: fill) }
        // B2 points: on the curve only. The proving key is the prover's own file and cannot make a verifier
        // accept a false claim; the prover checks its proof's B is in the subgroup (Groth16.prove).
        let g2 = { (n: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) in
            try PointArrays.g2(count: n, subgroup: false, threads: threads, fill: fill)
        }
        let a = try bulk("A", wireCount, g1Size, g1)
        let b1 = try bulk("B1", wireCount, g1Size, g1)
        let b2 = try bulk("B2", wireCount, g2Size, g2)
        let c = try bulk("C", wireCount - publicCount - 1, g1Size, g1)
        let h = try bulk("H", domainSize, g1Size, g1)
        /// A matrix's entries, read 32,768 at a time (1.25 MiB) and checked as they are parsed.
        func matrix(_ count: Int, _ name: String) throws -> SparseMatrix {
            var m = SparseMatrix()
            m.rows.reserveCapacity(count); m.wires.reserveCapacity(count); m.values.reserveCapacity(count)
            let perRead = 1 << 15
            var chunk = [UInt8](repeating: 0, count: min(count, perRead) * entrySize)
            var done = 0
            while done < count {
                let k = min(perRead, count - done)
                try r.need(k * entrySize)
                let base = r.offset
                try chunk.withUnsafeMutableBytes { try source.copy(offset: base, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<(k * entrySize)])) }
                try chunk.withUnsafeBytes { raw in
                    for e in 0..<k {
                        let o = e * entrySize
                        let row = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self))
                        let wire = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o + 4, as: UInt32.self))
                        guard Int(row) < domainSize, Int(wire) < wireCount else {
                            throw KeyFileError.inconsistentHeader("\(name) entry (row \(row), wire \(wire)) out of range")
                        }
                        let l = (UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o + 8, as: UInt64.self)),
                                 UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o + 16, as: UInt64.self)),
                                 UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o + 24, as: UInt64.self)),
                                 UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o + 32, as: UInt64.self)))
                        guard limbsBelowModulus(l, Fr.self) else { throw KeyFileError.coordinateNotCanonical(offset: base + o + 8) }
                        m.append(row: Int(row), wire: Int(wire), value: Fr(montgomeryLimbs: l.0, l.1, l.2, l.3))
                    }
                }
                r.offset += k * entrySize
                done += k
            }
            return m
        }
        let ma = try matrix(Int(aCount), "A"), mb = try matrix(Int(bCount), "B")
        return ProvingKey(publicCount: publicCount, wireCount: wireCount, domainSize: domainSize,
                          alpha1: alpha1, beta1: beta1, beta2: beta2, delta1: delta1, delta2: delta2,
                          a: a, b1: b1, b2: b2, c: c, h: h, matrixA: ma, matrixB: mb,
                          verificationKey: VerificationKey(alpha1: alpha1, beta2: beta2, gamma2: gamma2, delta2: delta2, ic: ic))
    }
}

/// Where ``ProvingKeyFile`` reads a key's bytes from: a buffer in memory, or a file with positioned reads.
protocol KeyBytes {
    /// The total number of bytes.
    var count: Int { get }
    /// Copies the bytes at `offset ..< offset + buffer.count` (the caller has checked they lie within `count`).
    func copy(offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws
    /// BLAKE2b-256 of the bytes `0 ..< end`.
    func digest(upTo end: Int) throws -> [UInt8]
}

struct MemoryKeyBytes: KeyBytes {
    let bytes: UnsafeRawBufferPointer
    var count: Int { bytes.count }
    func copy(offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + buffer.count)]))
    }
    func digest(upTo end: Int) throws -> [UInt8] {
        try Sodium.blake2b(buffer: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), outputLength: 32)
    }
}

struct FileKeyBytes: KeyBytes {
    let file: FileHandleReader
    var count: Int { file.size }
    func copy(offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        try file.read(offset: offset, into: buffer)
    }
    /// Hashed 4 MiB at a time through one reused buffer.
    func digest(upTo end: Int) throws -> [UInt8] {
        let hasher = try Blake2bHasher(outputLength: 32)
        var buffer = [UInt8](repeating: 0, count: min(end, 1 << 22))
        var offset = 0
        while offset < end {
            let n = min(buffer.count, end - offset)
            try buffer.withUnsafeMutableBytes { raw in
                let piece = UnsafeMutableRawBufferPointer(rebasing: raw[0..<n])
                try file.read(offset: offset, into: piece)
                hasher.update(UnsafeRawBufferPointer(piece))
            }
            offset += n
        }
        return try hasher.finish()
    }
}

