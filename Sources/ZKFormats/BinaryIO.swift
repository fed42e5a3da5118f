import Foundation
#if canImport(Glibc)
import Glibc
#endif
import ZKAlgebra

// Internal plumbing shared by the iden3 binary readers and writers: a bounds-checked
// little-endian reader, a writer, the section container, and field/point codecs.

/// A bounds-checked little-endian cursor over `bytes[start..<end]`. Every read checks the
/// remaining length first and throws ``FormatError/truncated(context:offset:needed:available:)``.
package struct ByteReader {
    package let bytes: [UInt8]
    package private(set) var offset: Int
    package let end: Int
    package let context: String
    /// Where `bytes[0]` lies in the file, so that errors name file offsets when `bytes` is only part of a file.
    package let origin: Int

    package init(_ bytes: [UInt8], range: Range<Int>? = nil, context: String, origin: Int = 0) {
        self.bytes = bytes
        let r = range ?? 0..<bytes.count
        self.offset = r.lowerBound
        self.end = r.upperBound
        self.context = context
        self.origin = origin
    }

    package var remaining: Int { end - offset }
    package var isAtEnd: Bool { offset == end }

    package mutating func require(_ n: Int, _ what: @autoclosure () -> String) throws {
        guard n >= 0, n <= remaining else {
            throw FormatError.truncated(context: "\(context), \(what())", offset: origin + offset, needed: n, available: remaining)
        }
    }

    package mutating func readU32(_ what: @autoclosure () -> String) throws -> UInt32 {
        try require(4, what())
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << UInt32(8 * i) }
        offset += 4
        return v
    }

    package mutating func readU64(_ what: @autoclosure () -> String) throws -> UInt64 {
        try require(8, what())
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << UInt64(8 * i) }
        offset += 8
        return v
    }

    package mutating func readBytes(_ n: Int, _ what: @autoclosure () -> String) throws -> ArraySlice<UInt8> {
        try require(n, what())
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    /// Reads 32 bytes as four little-endian 64-bit limbs (least significant first).
    package mutating func readLimbs(_ what: @autoclosure () -> String) throws -> (UInt64, UInt64, UInt64, UInt64) {
        try require(32, what())
        var l: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        func word(_ o: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(bytes[o + i]) << UInt64(8 * i) }
            return v
        }
        l.0 = word(offset); l.1 = word(offset + 8); l.2 = word(offset + 16); l.3 = word(offset + 24)
        offset += 32
        return l
    }

    /// Throws unless every byte of the range has been consumed.
    package func expectEnd() throws {
        if remaining != 0 { throw FormatError.trailingBytes(context: context, count: remaining) }
    }

    /// Checks that `count` items of `itemSize` bytes each can fit in the remaining bytes
    /// (no overflow: `count` is at most 2^64 − 1 and the comparison is done by division).
    package func checkCount(_ count: UInt64, itemSize: Int, _ what: @autoclosure () -> String) throws {
        let maximum = UInt64(remaining / max(itemSize, 1))
        if count > maximum {
            throw FormatError.countTooLarge(context: "\(context), \(what())", count: count, maximumPossible: maximum)
        }
    }
}

/// Little-endian byte writer.
package struct ByteWriter {
    package var bytes: [UInt8] = []

    package mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * i))) } }
    package mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i))) } }
    /// A count or index stored as u32 (values above `UInt32.max` are truncated; callers document this).
    package mutating func u32(int v: Int) { u32(UInt32(truncatingIfNeeded: v)) }
    package mutating func append(_ b: some Sequence<UInt8>) { bytes.append(contentsOf: b) }
    package mutating func limbs(_ l: [UInt64]) { for w in l { u64(w) } }
    /// Canonical (plain, non-Montgomery) little-endian encoding of an Fr element.
    package mutating func fr(_ x: Fr) { limbs(x.canonicalLimbs) }
}

/// One section of an iden3 binary container: its type and the byte range of its body.
package struct BinSection {
    package let type: UInt32
    package let range: Range<Int>
}

/// Where a parser gets the body of a section: the whole file in memory (``BinContainer``) or read from disk
/// one section at a time (``BinFileSections``).
package protocol SectionSource {
    /// The sections in file order.
    var sections: [BinSection] { get }
    /// The section of `type`, if present.
    func section(_ type: UInt32) -> BinSection?
    /// A reader over a required section's body (its context names the format, section type and `name`).
    func reader(_ type: UInt32, name: String) throws -> ByteReader
    /// The body size of a required section and the context its errors name.
    func sectionSize(_ type: UInt32, name: String) throws -> (size: Int, context: String)
    /// Copies a required section's body into `buffer`, which must be exactly its size (``sectionSize(_:name:)``).
    func copySection(_ type: UInt32, into buffer: UnsafeMutableRawBufferPointer) throws
}

/// The parsed container of an iden3 binary file: `magic(4) | u32 version | u32 nSections |
/// nSections × (u32 type | u64 size | body)`, all little-endian.
package struct BinContainer: SectionSource {
    package let format: String
    package let bytes: [UInt8]
    package let version: UInt32
    /// Sections in file order.
    package let sections: [BinSection]

    /// Parses and checks the container: magic, version, every section size against the bytes
    /// remaining, no duplicate section types, no trailing bytes after the last section.
    package init(_ bytes: [UInt8], magic: String, version expected: UInt32) throws {
        format = magic
        self.bytes = bytes
        var r = ByteReader(bytes, context: magic)
        let m = try r.readBytes(4, "magic")
        guard Array(m) == Array(magic.utf8) else { throw FormatError.badMagic(format: magic, found: Array(m)) }
        version = try r.readU32("version")
        guard version == expected else {
            throw FormatError.unsupportedVersion(format: magic, found: version, supported: expected)
        }
        let n = try r.readU32("number of sections")
        var seen = Set<UInt32>()
        var list: [BinSection] = []
        for i in 0..<Int(n) {
            let type = try r.readU32("section \(i) type")
            let size = try r.readU64("section \(i) (type \(type)) size")
            guard size <= UInt64(r.remaining) else {
                throw FormatError.sectionTooLarge(format: magic, section: type, declared: size, available: r.remaining)
            }
            guard seen.insert(type).inserted else { throw FormatError.duplicateSection(format: magic, section: type) }
            let start = r.offset
            _ = try r.readBytes(Int(size), "section \(type) body")
            list.append(BinSection(type: type, range: start..<(start + Int(size))))
        }
        if !r.isAtEnd { throw FormatError.trailingBytes(context: "\(magic) after the last section", count: r.remaining) }
        sections = list
    }

    package func section(_ type: UInt32) -> BinSection? { sections.first { $0.type == type } }

    /// A reader over a required section's body.
    package func reader(_ type: UInt32, name: String) throws -> ByteReader {
        guard let s = section(type) else { throw FormatError.missingSection(format: format, section: type) }
        return ByteReader(bytes, range: s.range, context: "\(format) section \(type) (\(name))")
    }

    package func sectionSize(_ type: UInt32, name: String) throws -> (size: Int, context: String) {
        guard let s = section(type) else { throw FormatError.missingSection(format: format, section: type) }
        return (s.range.count, "\(format) section \(type) (\(name))")
    }

    package func copySection(_ type: UInt32, into buffer: UnsafeMutableRawBufferPointer) throws {
        guard let s = section(type) else { throw FormatError.missingSection(format: format, section: type) }
        precondition(buffer.count == s.range.count, "copySection: buffer of \(buffer.count) bytes for a section of \(s.range.count)")
        bytes.withUnsafeBytes { b in buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: b[s.range])) }
    }

    /// Writes a container with the given sections (in order).
    package static func write(magic: String, version: UInt32, sections: [(UInt32, [UInt8])]) -> [UInt8] {
        var w = ByteWriter()
        w.append(Array(magic.utf8))
        w.u32(version)
        w.u32(int: sections.count)
        for (type, body) in sections {
            w.u32(type)
            w.u64(UInt64(body.count))
            w.append(body)
        }
        return w.bytes
    }
}

// MARK: Field and point codecs

/// Whether little-endian limbs are below the modulus of `F`.
@inline(__always)
package func limbsBelowModulus<F: MontgomeryField>(_ l: (UInt64, UInt64, UInt64, UInt64), _: F.Type) -> Bool {
    if l.3 != F.p3 { return l.3 < F.p3 }
    if l.2 != F.p2 { return l.2 < F.p2 }
    if l.1 != F.p1 { return l.1 < F.p1 }
    return l.0 < F.p0
}

extension ByteReader {
    /// Reads `n8` (must be 32) followed by the prime, which must equal `F`'s modulus.
    package mutating func readFieldHeader<F: MontgomeryField>(_ field: F.Type, n8What: String, primeName: String) throws {
        let n8 = try readU32(n8What)
        guard n8 == 32 else { throw FormatError.unsupportedFieldSize(context: "\(context), \(n8What)", found: n8) }
        let p = try readLimbs(primeName)
        guard p.0 == F.p0, p.1 == F.p1, p.2 == F.p2, p.3 == F.p3 else {
            throw FormatError.wrongPrime(context: "\(context), \(primeName)", expected: primeName)
        }
    }

    /// A plain (canonical, non-Montgomery) 32-byte little-endian element of `F`, checked `< p`.
    package mutating func readCanonical<F: MontgomeryField>(_: F.Type, _ what: @autoclosure () -> String) throws -> F {
        let l = try readLimbs("field element")
        guard limbsBelowModulus(l, F.self) else {
            throw FormatError.nonCanonicalValue(context: "\(context), \(what())")
        }
        return F(montgomeryLimbs: l.0, l.1, l.2, l.3) * F.r2  // into Montgomery form
    }

    /// A 32-byte little-endian element of `F` stored in Montgomery form (`x·2^256 mod p`),
    /// checked `< p`. Our fields use the same `R = 2^256`, so the limbs are taken as they are.
    package mutating func readMontgomery<F: MontgomeryField>(_: F.Type, _ what: @autoclosure () -> String) throws -> F {
        let l = try readLimbs("field element")
        guard limbsBelowModulus(l, F.self) else {
            throw FormatError.nonCanonicalValue(context: "\(context), \(what())")
        }
        return F(montgomeryLimbs: l.0, l.1, l.2, l.3)
    }

    /// A G1 point as two Montgomery-form Fq coordinates; all zeros is the point at infinity.
    /// Checked on the curve (G1 has cofactor 1, so that implies subgroup membership).
    package mutating func readG1Montgomery(_ what: @autoclosure () -> String) throws -> G1Affine {
        let x = try readMontgomery(Fq.self, "\(what()), x")
        let y = try readMontgomery(Fq.self, "\(what()), y")
        if x.isZero && y.isZero { return .infinity }
        let p = G1Affine(x: x, y: y)
        guard p.isOnCurve else { throw FormatError.pointNotOnCurve(context: "\(context), \(what())") }
        return p
    }

    /// A G2 point as `x.c0, x.c1, y.c0, y.c1` in Montgomery form; all zeros is infinity.
    /// Checked on the twist curve, and in the order-r subgroup when `subgroup` is true.
    package mutating func readG2Montgomery(_ what: @autoclosure () -> String, subgroup: Bool) throws -> G2Affine {
        let x0 = try readMontgomery(Fq.self, "\(what()), x.c0")
        let x1 = try readMontgomery(Fq.self, "\(what()), x.c1")
        let y0 = try readMontgomery(Fq.self, "\(what()), y.c0")
        let y1 = try readMontgomery(Fq.self, "\(what()), y.c1")
        if x0.isZero && x1.isZero && y0.isZero && y1.isZero { return .infinity }
        let p = G2Affine(x: Fq2(x0, x1), y: Fq2(y0, y1))
        guard p.isOnCurve else { throw FormatError.pointNotOnCurve(context: "\(context), \(what())") }
        if subgroup, !p.isInSubgroup { throw FormatError.pointNotInSubgroup(context: "\(context), \(what())") }
        return p
    }
}

/// An iden3 binary container read from a file: the section table is read and checked exactly as
/// ``BinContainer`` checks it (magic, version, sizes within the file, no duplicate types, no trailing
/// bytes), and each section's body is read from disk when asked for, so only one section is in memory at a
/// time. The file stays open while any copy of this value lives, so every section comes from the file whose
/// table was checked even if the path is replaced meanwhile. Read errors other than truncation throw `CocoaError`.
package struct BinFileSections: SectionSource, Sendable {
    package let format: String
    package let sections: [BinSection]
    let file: OpenFile

    package init(path: String, magic: String, version expected: UInt32) throws {
        format = magic
        file = OpenFile(try FileHandleReader(path: path))
        let handle = file.reader
        let size = handle.size
        func header(_ offset: Int, _ count: Int, _ what: String) throws -> ByteReader {
            let available = max(0, size - offset)
            guard count <= available else {
                throw FormatError.truncated(context: "\(magic), \(what)", offset: offset, needed: count, available: available)
            }
            return ByteReader(try handle.read(offset: offset, count: count), context: magic)
        }
        var r = try header(0, 4, "magic")
        let m = try r.readBytes(4, "magic")
        guard Array(m) == Array(magic.utf8) else { throw FormatError.badMagic(format: magic, found: Array(m)) }
        r = try header(4, 8, "version")
        let version = try r.readU32("version")
        guard version == expected else { throw FormatError.unsupportedVersion(format: magic, found: version, supported: expected) }
        let n = try r.readU32("number of sections")
        var offset = 12
        var seen = Set<UInt32>()
        var list: [BinSection] = []
        for i in 0..<Int(n) {
            var h = try header(offset, 12, "section \(i) type")
            let type = try h.readU32("section \(i) type")
            let sectionSize = try h.readU64("section \(i) (type \(type)) size")
            offset += 12
            guard sectionSize <= UInt64(size - offset) else {
                throw FormatError.sectionTooLarge(format: magic, section: type, declared: sectionSize, available: size - offset)
            }
            guard seen.insert(type).inserted else { throw FormatError.duplicateSection(format: magic, section: type) }
            list.append(BinSection(type: type, range: offset..<(offset + Int(sectionSize))))
            offset += Int(sectionSize)
        }
        if offset != size { throw FormatError.trailingBytes(context: "\(magic) after the last section", count: size - offset) }
        sections = list
    }

    package func reader(_ type: UInt32, name: String) throws -> ByteReader {
        guard let s = sections.first(where: { $0.type == type }) else { throw FormatError.missingSection(format: format, section: type) }
        let body = try file.reader.read(offset: s.range.lowerBound, count: s.range.count)
        return ByteReader(body, context: "\(format) section \(type) (\(name))", origin: s.range.lowerBound)
    }

    package func sectionSize(_ type: UInt32, name: String) throws -> (size: Int, context: String) {
        guard let s = sections.first(where: { $0.type == type }) else { throw FormatError.missingSection(format: format, section: type) }
        return (s.range.count, "\(format) section \(type) (\(name))")
    }

    package func copySection(_ type: UInt32, into buffer: UnsafeMutableRawBufferPointer) throws {
        guard let s = sections.first(where: { $0.type == type }) else { throw FormatError.missingSection(format: format, section: type) }
        precondition(buffer.count == s.range.count, "copySection: buffer of \(buffer.count) bytes for a section of \(s.range.count)")
        try file.reader.read(offset: s.range.lowerBound, into: buffer)
    }

    package func section(_ type: UInt32) -> BinSection? { sections.first { $0.type == type } }

    /// The file bytes `range` (which the caller has checked lie within one section).
    package func read(_ range: Range<Int>) throws -> [UInt8] { try file.reader.read(offset: range.lowerBound, count: range.count) }
}

/// A file descriptor owned by a reference: closed when the last value holding it goes. Positioned reads
/// (pread) need no shared cursor, so concurrent readers are safe.
final class OpenFile: @unchecked Sendable {
    let reader: FileHandleReader
    init(_ reader: FileHandleReader) { self.reader = reader }
    deinit { reader.close() }
}

/// Positioned reads from a regular file (pread(2)), for ``BinFileSections``.
package struct FileHandleReader {
    let fd: Int32
    package let size: Int

    package init(path: String) throws {
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CocoaError(errno == ENOENT ? .fileReadNoSuchFile : .fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(fd)
            throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        size = Int(info.st_size)
    }

    package func close() { _ = Glibc.close(fd) }

    /// Exactly `count` bytes at `offset` (the caller has checked they lie within the file).
    package func read(offset: Int, count: Int) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            try read(offset: offset, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Fills `buffer` with the bytes at `offset` (the caller has checked they lie within the file); throws when the
    /// file ends early or a read fails (the buffer is then zero-filled past what was read).
    package func read(offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        let count = buffer.count
        var done = 0
        while done < count {
            let n = pread(fd, buffer.baseAddress! + done, min(count - done, 1 << 30), off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        if done < count {
            (buffer.baseAddress! + done).initializeMemory(as: UInt8.self, repeating: 0, count: count - done)
            throw CocoaError(.fileReadUnknown)
        }
    }
}
