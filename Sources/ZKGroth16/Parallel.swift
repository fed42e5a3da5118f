import Dispatch
import Foundation

/// Wraps a value for use inside `DispatchQueue.concurrentPerform`. Safety contract: workers write
/// disjoint memory and the region is synchronous (`concurrentPerform` returns after all iterations).
package struct UncheckedSendable<T>: @unchecked Sendable {
    package let value: T
    package init(value: T) { self.value = value }
}

/// Splits `0..<count` into contiguous chunks and runs `body` on each, on up to `threads` threads.
/// `body` must only write to disjoint parts of shared buffers.
package func parallelChunks(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    let t = max(1, min(threads, count))
    if t == 1 { if count > 0 { body(0..<count) }; return }
    let chunk = (count + t - 1) / t
    withoutActuallyEscaping(body) { escapable in
        let box = UncheckedSendable(value: escapable)
        DispatchQueue.concurrentPerform(iterations: t) { i in
            let start = i * chunk
            let end = min(count, start + chunk)
            if start < end { box.value(start..<end) }
        }
    }
}

/// The default thread count: every core this process may use.
public func defaultThreadCount() -> Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

/// A pointer that may cross into concurrent closures; callers guarantee disjoint writes.
package struct SendablePointer<T>: @unchecked Sendable {
    package let base: UnsafeMutablePointer<T>
    package init(base: UnsafeMutablePointer<T>) { self.base = base }
}

/// `(0..<count).map(transform)`, computed on up to `threads` threads (each index exactly once).
package func parallelMap<T>(_ count: Int, threads: Int, _ transform: (Int) -> T) -> [T] {
    if count == 0 { return [] }
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        let out = SendablePointer(base: buffer.baseAddress!)
        parallelChunks(count, threads: threads) { range in
            for i in range { (out.base + i).initialize(to: transform(i)) }
        }
        initialized = count
    }
}
