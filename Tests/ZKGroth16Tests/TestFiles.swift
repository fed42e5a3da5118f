import Foundation
import XCTest
import ZKAlgebra

extension XCTestCase {
    /// Writes `bytes` to a new temporary file, removed when the test ends; returns its path.
    func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-test-\(UUID().uuidString).bin")
        try Data(bytes).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    /// Calls `body` with prefixes of `bytes` (every `prefixStride` bytes) and with `flips` copies that each have one
    /// byte at or after `from` changed (seeded), naming each case.
    func corruptions(of bytes: [UInt8], prefixStride: Int, flips: Int, from: Int = 200, seed: UInt64,
                     _ body: ([UInt8], String) throws -> Void) rethrows {
        for n in stride(from: 0, to: bytes.count, by: prefixStride) { try body(Array(bytes[0..<n]), "prefix \(n)") }
        var rng = SplitMix64(seed: seed)
        for _ in 0..<flips {
            var z = bytes
            let i = from + Int(rng.next() % UInt64(z.count - from))
            z[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            try body(z, "byte \(i)")
        }
    }
}
