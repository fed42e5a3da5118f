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
    let file = try FileHandleReader(path: path)
    defer { file.close() }
    let bytes = try file.read(offset: 0, count: file.size)
    // A file that grew while it was read is refused rather than returned cut short.
    guard (try? file.read(offset: file.size, count: 1)) == nil else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
    return bytes
}
