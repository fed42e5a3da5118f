import Dispatch
import Foundation

/// Wraps a value for `DispatchQueue.concurrentPerform`; callers write disjoint memory only.
struct Unchecked<T>: @unchecked Sendable { let value: T }

/// Runs `body` over contiguous chunks of `0..<count` on up to `threads` threads (disjoint writes only).
func forEachChunk(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    let t = max(1, min(threads, count))
    if t == 1 { if count > 0 { body(0..<count) }; return }
    let chunk = (count + t - 1) / t
    withoutActuallyEscaping(body) { escapable in
        let box = Unchecked(value: escapable)
        DispatchQueue.concurrentPerform(iterations: t) { i in
            let start = i * chunk, end = min(count, start + chunk)
            if start < end { box.value(start..<end) }
        }
    }
}

/// `[f(0), …, f(count−1)]` computed on up to `threads` threads.
func parallelMap<T>(_ count: Int, threads: Int, _ f: (Int) -> T) -> [T] {
    if count == 0 { return [] }
    var out = [T?](repeating: nil, count: count)
    out.withUnsafeMutableBufferPointer { buf in
        let b = Unchecked(value: buf.baseAddress!)
        forEachChunk(count, threads: threads) { r in for i in r { b.value[i] = f(i) } }
    }
    return out.map { $0! }
}

/// Every core this process may use.
public func ceremonyDefaultThreads() -> Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
