import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes `data` to `url` atomically (a temporary file in the same directory, then rename(2)).
///
/// `Data.write(to:options: .atomic)` silently drops everything past 2 GiB on Linux (it issues one
/// write(2), which transfers at most 0x7ffff000 bytes), and a power-21 `.ptau` is 2.3 GB; this writes
/// in 64 MiB chunks and checks every byte went out. Throws on any I/O error (the temporary file is
/// removed); never leaves a partial file at `url`.
public func writeFileAtomically(_ data: Data, to url: URL) throws {
    if data.count < 1 << 30 {
        try data.write(to: url, options: .atomic)
        return
    }
    let tmp = url.path + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
    do {
        guard FileManager.default.createFile(atPath: tmp, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp))
        var offset = 0
        while offset < data.count {
            let end = min(data.count, offset + (1 << 26))
            try h.write(contentsOf: data[offset..<end])
            offset = end
        }
        try h.synchronize()
        try h.close()
        let written = (try FileManager.default.attributesOfItem(atPath: tmp)[.size] as? NSNumber)?.intValue ?? -1
        guard written == data.count else { throw CocoaError(.fileWriteUnknown) }
        guard rename(tmp, url.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    } catch {
        try? FileManager.default.removeItem(atPath: tmp)
        throw error
    }
}

/// The whole file at `path` as bytes, read straight into the array (one copy of the file in memory, not two
/// as with `[UInt8](Data(contentsOf:))`). Throws `CocoaError` for a missing or unreadable file and when the
/// file changes size while it is read.
public func readFileBytes(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw CocoaError(errno == ENOENT ? .fileReadNoSuchFile : .fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
        throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path])
    }
    let size = Int(info.st_size)
    var failed = false
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        var done = 0
        while done < size {
            let n = read(fd, buffer.baseAddress! + done, min(size - done, 1 << 30))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        if done < size { buffer.baseAddress!.advanced(by: done).initialize(repeating: 0, count: size - done); failed = true }
        count = size
    }
    var probe: UInt8 = 0
    if failed || read(fd, &probe, 1) != 0 { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
    return bytes
}
