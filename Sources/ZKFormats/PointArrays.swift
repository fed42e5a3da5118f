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
        let points = (0..<count).map { i in G1Affine(x: limbs(bytes, 64 * i), y: limbs(bytes, 64 * i + 32)) }
        return checked(points, threads: threads, failure)
    }

    /// `count` G2 points from `bytes` (exactly `128·count` bytes); subgroup-checked when `subgroup`.
    package static func g2(_ bytes: UnsafeRawBufferPointer, count: Int, subgroup: Bool, threads: Int? = nil) -> Result<[G2Affine], Failure> {
        precondition(bytes.count == 128 * count, "PointArrays.g2: \(bytes.count) bytes for \(count) points")
        let points = (0..<count).map { i in
            G2Affine(x: Fq2(limbs(bytes, 128 * i), limbs(bytes, 128 * i + 32)), y: Fq2(limbs(bytes, 128 * i + 64), limbs(bytes, 128 * i + 96)))
        }
        return checked(points, threads: threads) { failure($0, $1, subgroup: subgroup) }
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
        return checked(points, threads: threads, failure)
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
        return checked(points, threads: threads) { failure($0, $1, subgroup: subgroup) }
    }

    // MARK: Checks

    /// Why the G1 point `p` (raw limbs, as read) at `index` is refused, or nil: each coordinate `< q`, then all
    /// zeros (infinity, as the files encode it) or on the curve. G1 has cofactor 1, so that is subgroup membership.
    static func failure(_ p: G1Affine, _ index: Int) -> Failure? {
        if !canonical(p.x) { return .notCanonical(index: index, coordinate: 0) }
        if !canonical(p.y) { return .notCanonical(index: index, coordinate: 1) }
        return p.isInfinity || p.isOnCurve ? nil : .notOnCurve(index: index)
    }

    /// Why the G2 point `p` at `index` is refused, or nil: the G1 checks per Fq coordinate, then subgroup membership
    /// when `subgroup`.
    static func failure(_ p: G2Affine, _ index: Int, subgroup: Bool) -> Failure? {
        if !canonical(p.x.c0) { return .notCanonical(index: index, coordinate: 0) }
        if !canonical(p.x.c1) { return .notCanonical(index: index, coordinate: 1) }
        if !canonical(p.y.c0) { return .notCanonical(index: index, coordinate: 2) }
        if !canonical(p.y.c1) { return .notCanonical(index: index, coordinate: 3) }
        if p.isInfinity { return nil }
        guard p.isOnCurve else { return .notOnCurve(index: index) }
        return subgroup && !p.isInSubgroup ? .notInSubgroup(index: index) : nil
    }

    /// Whether an Fq value read from a file has limbs `< q` (a valid Montgomery representation).
    @inline(__always)
    static func canonical(_ f: Fq) -> Bool { limbsBelowModulus((f.l0, f.l1, f.l2, f.l3), Fq.self) }

    /// `points` when `failure(point, index)` is nil for every one, else the failure with the lowest index. The points
    /// are checked in contiguous chunks on up to `threads` threads (each chunk stops at its first failure), so the
    /// result does not depend on the thread count.
    static func checked<P>(_ points: [P], threads: Int?, _ failure: (P, Int) -> Failure?) -> Result<[P], Failure> {
        let count = points.count
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, count / 1024 + 1))
        let chunk = (count + workers - 1) / workers
        var failures = [Failure?](repeating: nil, count: workers)
        points.withUnsafeBufferPointer { points in
            withoutActuallyEscaping(failure) { failure in
                failures.withUnsafeMutableBufferPointer { slots in
                    let box = SendableBox((failure, slots, points))
                    DispatchQueue.concurrentPerform(iterations: workers) { w in
                        let (failure, slots, points) = box.value
                        let lo = min(count, w * chunk), hi = min(count, lo + chunk)
                        for i in lo..<hi {
                            if let f = failure(points[i], i) { slots[w] = f; return }
                        }
                    }
                }
            }
        }
        if let first = failures.compactMap({ $0 }).min(by: { $0.index < $1.index }) { return .failure(first) }
        return .success(points)
    }

    /// The Fq element whose Montgomery limbs are the 32 little-endian bytes at `offset`, unchecked (``failure(_:_:)``
    /// checks them).
    @inline(__always)
    static func limbs(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> Fq {
        func word(_ k: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8 * k, as: UInt64.self)) }
        return Fq(montgomeryLimbs: word(0), word(1), word(2), word(3))
    }
}

/// Carries a value into `concurrentPerform`; workers write disjoint memory and the region is synchronous.
struct SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
