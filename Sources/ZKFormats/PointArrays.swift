import Dispatch
import Foundation
import ZKAlgebra

/// Parallel decoding of the bulk point arrays of proving keys (snarkjs `.zkey` sections 5–9, zkinfer
/// `proving.key`): consecutive points whose coordinates are 32-byte little-endian **Montgomery-form**
/// limbs (G1: x, y; G2: x.c0, x.c1, y.c0, y.c1), all zeros meaning the point at infinity.
///
/// Every coordinate is checked `< q` and every point on its curve (G1 has cofactor 1, so that is also
/// subgroup membership); G2 subgroup membership only when asked (about 0.1 ms a point: the prover's
/// B2 points need none, see ``ZKeyGroth16/init(bytes:validateSubgroup:threads:)``). The work is split
/// into contiguous chunks on up to `threads` threads; the result and the reported failure (the lowest
/// failing index) do not depend on the thread count.
package enum PointArrays {
    /// Why decoding stopped, at the lowest failing point index.
    package enum Failure: Error, Equatable {
        /// Coordinate `coordinate` (0 = x or x.c0, 1 = y or x.c1, 2 = y.c0, 3 = y.c1) is not `< q`.
        case notCanonical(index: Int, coordinate: Int)
        case notOnCurve(index: Int)
        case notInSubgroup(index: Int)

        package var index: Int {
            switch self {
            case let .notCanonical(i, _), let .notOnCurve(i), let .notInSubgroup(i): return i
            }
        }
    }

    /// `count` G1 points from `bytes` (exactly `64·count` bytes).
    package static func g1(_ bytes: UnsafeRawBufferPointer, count: Int, threads: Int? = nil) -> Result<[G1Affine], Failure> {
        precondition(bytes.count == 64 * count, "PointArrays.g1: \(bytes.count) bytes for \(count) points")
        return decode(count: count, threads: threads, filler: .infinity) { i in
            let o = 64 * i
            guard let x = coordinate(bytes, o) else { return .failure(.notCanonical(index: i, coordinate: 0)) }
            guard let y = coordinate(bytes, o + 32) else { return .failure(.notCanonical(index: i, coordinate: 1)) }
            if x.isZero && y.isZero { return .success(.infinity) }
            let p = G1Affine(x: x, y: y)
            return p.isOnCurve ? .success(p) : .failure(.notOnCurve(index: i))
        }
    }

    /// `count` G2 points from `bytes` (exactly `128·count` bytes); subgroup-checked when `subgroup`.
    package static func g2(_ bytes: UnsafeRawBufferPointer, count: Int, subgroup: Bool, threads: Int? = nil) -> Result<[G2Affine], Failure> {
        precondition(bytes.count == 128 * count, "PointArrays.g2: \(bytes.count) bytes for \(count) points")
        return decode(count: count, threads: threads, filler: .infinity) { i in
            let o = 128 * i
            guard let x0 = coordinate(bytes, o) else { return .failure(.notCanonical(index: i, coordinate: 0)) }
            guard let x1 = coordinate(bytes, o + 32) else { return .failure(.notCanonical(index: i, coordinate: 1)) }
            guard let y0 = coordinate(bytes, o + 64) else { return .failure(.notCanonical(index: i, coordinate: 2)) }
            guard let y1 = coordinate(bytes, o + 96) else { return .failure(.notCanonical(index: i, coordinate: 3)) }
            if x0.isZero && x1.isZero && y0.isZero && y1.isZero { return .success(.infinity) }
            let p = G2Affine(x: Fq2(x0, x1), y: Fq2(y0, y1))
            guard p.isOnCurve else { return .failure(.notOnCurve(index: i)) }
            if subgroup, !p.isInSubgroup { return .failure(.notInSubgroup(index: i)) }
            return .success(p)
        }
    }

    /// True when `G1Affine` and `G2Affine` sit in memory exactly as these files store them (x then y; each
    /// coordinate four little-endian 64-bit limbs, Fq2 as c0 then c1; 64 and 128 bytes a point, no padding), so
    /// file bytes can be read straight into a point array. Checked once at run time on sample points; when false
    /// (a big-endian machine, or a layout the compiler changed), the readers below decode through a byte buffer.
    package static let fileLayoutInMemory: Bool = {
        #if _endian(little)
        guard MemoryLayout<G1Affine>.size == 64, MemoryLayout<G1Affine>.stride == 64,
              MemoryLayout<G2Affine>.size == 128, MemoryLayout<G2Affine>.stride == 128 else { return false }
        func f(_ k: UInt64) -> Fq { Fq(montgomeryLimbs: 4 * k + 1, 4 * k + 2, 4 * k + 3, 4 * k + 4) }
        let g1 = G1Affine(x: f(0), y: f(1))
        let g2 = G2Affine(x: Fq2(f(0), f(1)), y: Fq2(f(2), f(3)))
        let sequential = { (raw: UnsafeRawBufferPointer) in
            (0..<(raw.count / 8)).allSatisfy { raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self) == UInt64($0 + 1) }
        }
        return withUnsafeBytes(of: g1, sequential) && withUnsafeBytes(of: g2, sequential)
        #else
        return false
        #endif
    }()

    /// `count` G1 points whose file bytes (`64·count`, the layout of ``g1(_:count:threads:)``) `fill` writes
    /// straight into the new array's storage, checked there: no second copy of the section in memory. Same
    /// checks, result and failure as ``g1(_:count:threads:)``; rethrows `fill`'s error.
    package static func g1(count: Int, threads: Int? = nil, fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Result<[G1Affine], Failure> {
        guard fileLayoutInMemory else {
            let bytes = try [UInt8](unsafeUninitializedCapacity: 64 * count) { b, n in try fill(UnsafeMutableRawBufferPointer(b)); n = 64 * count }
            return bytes.withUnsafeBytes { g1($0, count: count, threads: threads) }
        }
        let points = try [G1Affine](unsafeUninitializedCapacity: count) { b, n in
            try fill(UnsafeMutableRawBufferPointer(b))  // every bit pattern is a G1Affine value (plain limbs)
            n = count
        }
        let failure = points.withUnsafeBufferPointer { p in
            check(count: count, threads: threads) { i -> Failure? in
                let q = p[i]
                guard limbsBelowModulus((q.x.l0, q.x.l1, q.x.l2, q.x.l3), Fq.self) else { return .notCanonical(index: i, coordinate: 0) }
                guard limbsBelowModulus((q.y.l0, q.y.l1, q.y.l2, q.y.l3), Fq.self) else { return .notCanonical(index: i, coordinate: 1) }
                return q.isInfinity || q.isOnCurve ? nil : .notOnCurve(index: i)  // all zeros is infinity, as in the files
            }
        }
        return failure.map { .failure($0) } ?? .success(points)
    }

    /// `count` G2 points read by `fill` straight into the array (see ``g1(count:threads:fill:)``); the checks of
    /// ``g2(_:count:subgroup:threads:)``.
    package static func g2(count: Int, subgroup: Bool, threads: Int? = nil, fill: (UnsafeMutableRawBufferPointer) throws -> Void) throws -> Result<[G2Affine], Failure> {
        guard fileLayoutInMemory else {
            let bytes = try [UInt8](unsafeUninitializedCapacity: 128 * count) { b, n in try fill(UnsafeMutableRawBufferPointer(b)); n = 128 * count }
            return bytes.withUnsafeBytes { g2($0, count: count, subgroup: subgroup, threads: threads) }
        }
        let points = try [G2Affine](unsafeUninitializedCapacity: count) { b, n in
            try fill(UnsafeMutableRawBufferPointer(b))
            n = count
        }
        let failure = points.withUnsafeBufferPointer { p in
            check(count: count, threads: threads) { i -> Failure? in
                let q = p[i]
                for (k, f) in [q.x.c0, q.x.c1, q.y.c0, q.y.c1].enumerated() where !limbsBelowModulus((f.l0, f.l1, f.l2, f.l3), Fq.self) {
                    return .notCanonical(index: i, coordinate: k)
                }
                if q.isInfinity { return nil }
                guard q.isOnCurve else { return .notOnCurve(index: i) }
                return subgroup && !q.isInSubgroup ? .notInSubgroup(index: i) : nil
            }
        }
        return failure.map { .failure($0) } ?? .success(points)
    }

    /// Runs `failure(i)` for every `i < count` in contiguous chunks on up to `threads` threads (each chunk stops at
    /// its first failure) and returns the failure with the lowest index, if any.
    static func check(count: Int, threads: Int?, _ failure: (Int) -> Failure?) -> Failure? {
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, count / 1024 + 1))
        let chunk = (count + workers - 1) / workers
        var failures = [Failure?](repeating: nil, count: workers)
        withoutActuallyEscaping(failure) { failure in
            failures.withUnsafeMutableBufferPointer { slots in
                let box = SendableBox((failure, slots))
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    let (failure, slots) = box.value
                    let lo = min(count, w * chunk), hi = min(count, lo + chunk)
                    for i in lo..<hi {
                        if let f = failure(i) { slots[w] = f; return }
                    }
                }
            }
        }
        return failures.compactMap { $0 }.min { $0.index < $1.index }
    }

    /// The Montgomery-form Fq element at byte `offset`, or nil when its limbs are not `< q`.
    @inline(__always)
    static func coordinate(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> Fq? {
        let l0 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        let l1 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
        let l2 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
        let l3 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
        guard limbsBelowModulus((l0, l1, l2, l3), Fq.self) else { return nil }
        return Fq(montgomeryLimbs: l0, l1, l2, l3)
    }

    /// Runs `point(i)` for every `i < count` in contiguous chunks on up to `threads` threads. Each chunk
    /// stops at its first failure (filling the rest of its slots with `filler`); the lowest failing index wins.
    static func decode<P>(count: Int, threads: Int?, filler: P, _ point: (Int) -> Result<P, Failure>) -> Result<[P], Failure> {
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, count / 1024 + 1))
        let chunk = (count + workers - 1) / workers
        var failures = [Failure?](repeating: nil, count: workers)
        let points = withoutActuallyEscaping(point) { point in
            failures.withUnsafeMutableBufferPointer { failureSlots in
                [P](unsafeUninitializedCapacity: count) { buffer, initializedCount in
                    let box = SendableBox((point, buffer, failureSlots, filler))
                    DispatchQueue.concurrentPerform(iterations: workers) { w in
                        let (point, buffer, failureSlots, filler) = box.value
                        let lo = min(count, w * chunk), hi = min(count, lo + chunk)
                        var i = lo
                        while i < hi {
                            switch point(i) {
                            case let .success(p):
                                (buffer.baseAddress! + i).initialize(to: p)
                            case let .failure(f):
                                failureSlots[w] = f
                                (buffer.baseAddress! + i).initialize(repeating: filler, count: hi - i)
                                return
                            }
                            i += 1
                        }
                    }
                    initializedCount = count
                }
            }
        }
        if let first = failures.compactMap({ $0 }).min(by: { $0.index < $1.index }) { return .failure(first) }
        return .success(points)
    }
}

/// Carries a value into `concurrentPerform`; workers write disjoint memory and the region is synchronous.
struct SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
