import Foundation
import ZKGroth16

// The ceremony's parallel loops use ZKGroth16's chunking (`parallelChunks`, disjoint writes only).

typealias Unchecked = UncheckedSendable

func forEachChunk(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) { parallelChunks(count, threads: threads, body) }

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
public func ceremonyDefaultThreads() -> Int { defaultThreadCount() }
