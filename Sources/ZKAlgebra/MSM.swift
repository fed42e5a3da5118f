import CPrefetch
import Dispatch
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// MARK: - Parallel helpers (shared by MSM and NTT)

/// Wraps a value (typically an unsafe pointer into memory that several workers touch at
/// *disjoint* indices) so it can be captured by concurrently executed closures.
///
/// Safety contract: every user of a box guarantees that concurrent workers never write the
/// same memory location, and never read a location another worker is writing, and that the
/// memory outlives the parallel region (all regions here are synchronous:
/// `DispatchQueue.concurrentPerform` returns only after every iteration has finished).
@usableFromInline
internal struct ZKUncheckedSendableBox<T>: @unchecked Sendable {
    @usableFromInline let value: T
    @inlinable init(_ value: T) { self.value = value }
}

/// Thread-count resolution and a synchronous fork/join over `DispatchQueue.concurrentPerform`.
internal enum ZKParallel {
    /// `nil` → all active cores; otherwise clamped to at least 1.
    static func resolve(_ threads: Int?) -> Int {
        max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Runs `body(0) … body(count − 1)`, concurrently when `count > 1`; returns when all are done.
    static func run(_ count: Int, _ body: @Sendable (Int) -> Void) {
        if count <= 1 {
            if count == 1 { body(0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
}

// MARK: - Public API

/// Multi-scalar multiplication `Σ sᵢ·Pᵢ` over BN254 G1 and G2 (Pippenger's bucket method).
///
/// * Bases are affine points assumed to be valid group elements (on the curve, in the order-r
///   subgroup); the point at infinity is allowed and contributes nothing.
/// * Scalars are ``Fr`` elements; since `Fr` only holds fully reduced values, every scalar is
///   a canonical integer in `[0, r)` (its Montgomery form is converted internally).
/// * `threads: nil` uses every active core; `threads: 1` runs on the calling thread only.
///   The computation is deterministic: the result does not depend on the thread count.
/// * All entry points are thread-safe (no shared mutable state); they are *not* constant-time.
/// * Extra memory: about `4·n` bytes of sorted indices per worker, one bucket group (1 MiB of G1 or 512 KiB of G2
///   points, half as many bytes of slope denominators and prefix products) per worker,
///   and `2·n·⌈255/c⌉` bytes of recoded scalar digits.
/// * The default is the plain method (full 255-bit signed digits). The GLV split (`endomorphism: true`) is kept for
///   comparison. Measured on this project's 2-core machines (2026-12-07): with 2 threads the plain method was faster,
///   G1 at 2^16 214 against 253 ms in-process, and the prover's five MSMs took about 10% less time at 2^16 and 5% less
///   at 2^18; single-threaded the two were within run-to-run noise of each other (one run had the plain method
///   8–17% faster, another a tie in G1 and the GLV split 12% faster in G2 at 2^12). The split's costs: each image
///   `φ(P)` is a multiplication every window it is gathered in (an image buffer would cost `n` points of memory),
///   and the window widths that balance 2 workers over its 131-bit digits need more additions.
public enum MSM {
    /// `Σ scalars[i]·bases[i]` in G1. Precondition: `bases.count == scalars.count`.
    /// `endomorphism: true` runs the GLV split (two 130-bit halves per scalar), for comparisons; same result.
    public static func multiScalarMultiply(bases: [G1Affine], scalars: [Fr], threads: Int? = nil, endomorphism: Bool = false) -> G1 {
        precondition(bases.count == scalars.count, "MSM: \(bases.count) bases but \(scalars.count) scalars")
        let t = ZKParallel.resolve(threads)
        return bases.withUnsafeBufferPointer { b in
            scalars.withUnsafeBufferPointer { s in
                endomorphism ? pippengerGLV(bases: b, scalars: s, threads: t) : pippenger(bases: b, scalars: s, threads: t)
            }
        }
    }

    /// `Σ scalars[i]·bases[i]` in G2. Precondition: `bases.count == scalars.count`.
    /// `endomorphism: true` runs the GLV split (two 130-bit halves per scalar), for comparisons; same result.
    public static func multiScalarMultiply(bases: [G2Affine], scalars: [Fr], threads: Int? = nil, endomorphism: Bool = false) -> G2 {
        precondition(bases.count == scalars.count, "MSM: \(bases.count) bases but \(scalars.count) scalars")
        let t = ZKParallel.resolve(threads)
        return bases.withUnsafeBufferPointer { b in
            scalars.withUnsafeBufferPointer { s in
                endomorphism ? pippengerGLV(bases: b, scalars: s, threads: t) : pippenger(bases: b, scalars: s, threads: t)
            }
        }
    }

    /// G1 MSM over borrowed buffers (no copies of the inputs). The buffers must stay valid and
    /// unmodified for the duration of the call. Precondition: equal counts.
    public static func multiScalarMultiply(
        bases: UnsafeBufferPointer<G1Affine>, scalars: UnsafeBufferPointer<Fr>, threads: Int? = nil
    ) -> G1 {
        precondition(bases.count == scalars.count, "MSM: \(bases.count) bases but \(scalars.count) scalars")
        return pippenger(bases: bases, scalars: scalars, threads: ZKParallel.resolve(threads))
    }

    /// G2 MSM over borrowed buffers (no copies of the inputs). The buffers must stay valid and
    /// unmodified for the duration of the call. Precondition: equal counts.
    public static func multiScalarMultiply(
        bases: UnsafeBufferPointer<G2Affine>, scalars: UnsafeBufferPointer<Fr>, threads: Int? = nil
    ) -> G2 {
        precondition(bases.count == scalars.count, "MSM: \(bases.count) bases but \(scalars.count) scalars")
        return pippenger(bases: bases, scalars: scalars, threads: ZKParallel.resolve(threads))
    }

    /// Curve-generic entry point (same contract as the G1/G2 overloads, which callers with a
    /// concrete curve get by overload resolution and which are fully specialised). Calls from
    /// other modules with an abstract `C` run the unspecialised generic code.
    public static func multiScalarMultiply<C: GLVCurve>(
        bases: [AffinePoint<C>], scalars: [Fr], threads: Int? = nil
    ) -> JacobianPoint<C> {
        precondition(bases.count == scalars.count, "MSM: \(bases.count) bases but \(scalars.count) scalars")
        return bases.withUnsafeBufferPointer { b in
            scalars.withUnsafeBufferPointer { s in pippenger(bases: b, scalars: s, threads: ZKParallel.resolve(threads)) }
        }
    }

    /// The window width `c` (bits per signed digit; `2^(c−1)` buckets per window) the cost
    /// model picks for `n` points and `threads` workers. Exposed for benchmarks and tuning.
    public static func windowBits(count n: Int, threads: Int) -> Int {
        plan(n: n, threads: max(1, threads)).c
    }

    /// The window width the GLV method picks for `n` points (it sums `2n` points with 131-bit digits).
    public static func windowBitsWithEndomorphism(count n: Int, threads: Int) -> Int {
        plan(n: 2 * n, threads: max(1, threads), bits: 131).c
    }
}

// MARK: - Planning

extension MSM {
    /// Below this many points the naive sum of wNAF scalar multiplications is cheaper.
    @usableFromInline static let naiveThreshold = 8
    /// A bucket-tree round uses one batched inversion only when it has at least this many
    /// additions; smaller remainders are finished with Jacobian mixed additions.
    @usableFromInline static let minimumBatch = 64
    /// Bucket groups are sized to about this many bytes of points (1 MiB: at 2^18 points about 7% faster than
    /// 512 KiB in interleaved whole-process runs here, no difference at 2^16; within run-to-run noise).
    @usableFromInline static let groupBytes = 1 << 20
    /// Points per bucket group for curve `C`: ``groupBytes`` of G1 points (16,384), half as many bytes of G2 points
    /// (4,096 points, 512 KiB: the B2 MSM sets the prover's peak memory, and its per-worker scratch is then 0.75 MiB
    /// smaller; each group still batches thousands of additions per inversion).
    @usableFromInline static func groupPoints<C: CurveParameters>(_: C.Type) -> Int {
        let stride = MemoryLayout<AffinePoint<C>>.stride
        return max(4 * minimumBatch, (stride > 64 ? groupBytes / 2 : groupBytes) / stride)
    }
    /// How many points ahead the gather prefetches.
    @usableFromInline static let prefetchDistance = 8
    /// Scalars are `< r < 2^254`; signed digits may carry one bit further, so `c·windows ≥ 255`.
    @usableFromInline static let scalarBits = 255

    @usableFromInline
    struct Plan {
        var c: Int          // window width in bits
        var windows: Int    // ⌈255 / c⌉
        var chunks: Int     // point ranges per window (> 1 only when threads > windows)
    }

    /// Cost model (in field-multiplication units): each worker runs ⌈tasks/threads⌉ tasks; a task
    /// adds its `n/chunks` points into buckets (~6M each with batch-affine additions, ~11M once
    /// buckets are too sparse for batching to pay) and reduces `2^(c−1)` buckets (~27M each).
    @usableFromInline
    static func plan(n: Int, threads: Int, bits: Int = scalarBits) -> Plan {
        var best = Plan(c: 2, windows: (bits + 1) / 2, chunks: 1)
        var bestCost = Double.infinity
        for c in 2...16 {
            let windows = (bits + c - 1) / c
            var chunks = threads > windows ? (threads + windows - 1) / windows : 1
            chunks = max(1, min(chunks, n / 64))
            let tasks = windows * chunks
            let perWorker = Double((tasks + threads - 1) / threads)
            let points = Double((n + chunks - 1) / chunks)
            let buckets = Double(1 << (c - 1))
            let addCost = points / buckets >= 4 ? 6.5 : 9.0
            let cost = perWorker * (points * addCost + buckets * 27) + Double(windows * c) * 9
            if cost < bestCost { bestCost = cost; best = Plan(c: c, windows: windows, chunks: chunks) }
        }
        return best
    }
}

// MARK: - Pippenger

/// The digit code of a zero digit (or of a point at infinity): such points are skipped.
@usableFromInline let msmSkipCode: UInt16 = 0xFFFF

extension MSM {
    @usableFromInline
    static func pippenger<C: GLVCurve>(
        bases: UnsafeBufferPointer<AffinePoint<C>>, scalars: UnsafeBufferPointer<Fr>, threads: Int
    ) -> JacobianPoint<C> {
        let n = bases.count
        if n < naiveThreshold {
            var acc = JacobianPoint<C>.infinity
            for i in 0..<n where !scalars[i].isZero && !bases[i].isInfinity {
                acc = acc + JacobianPoint(bases[i]) * scalars[i]
            }
            return acc
        }
        precondition(n < 1 << 31, "MSM: at most 2^31 − 1 points")  // indices are sorted as UInt32 with a sign bit
        let config = MSM.plan(n: n, threads: threads)
        let c = config.c, windows = config.windows

        // 1. Signed-digit recoding of every scalar, window-major: digits[w·n + i].
        let digits = UnsafeMutablePointer<UInt16>.allocate(capacity: windows * n)
        defer { digits.deallocate() }
        let recodeWorkers = n >= 4096 ? min(threads, 8) : 1
        let digitsBox = ZKUncheckedSendableBox(digits)
        let basesBox = ZKUncheckedSendableBox(bases)
        let scalarsBox = ZKUncheckedSendableBox(scalars)
        ZKParallel.run(recodeWorkers) { t in
            let lo = n * t / recodeWorkers, hi = n * (t + 1) / recodeWorkers
            recode(scalars: scalarsBox.value, bases: basesBox.value, range: lo..<hi, n: n,
                   c: c, windows: windows, into: digitsBox.value)
        }

        // 2–3. Buckets and the combination of the windows.
        return sumWindows(bases: bases, digits: digits, count: n, plan: config, threads: threads)
    }

    /// Steps 2–3 of both methods: the bucket sum of every (window, chunk) task over `count` points with
    /// window-major `digits` (point `i ≥ bases.count` is the image `φ(bases[i − bases.count])`, computed as it is
    /// gathered), on up to `threads` workers, then `Σ_w 2^(c·w)·S_w` by
    /// Horner's rule.
    @usableFromInline
    static func sumWindows<C: GLVCurve>(
        bases: UnsafeBufferPointer<AffinePoint<C>>, digits: UnsafeMutablePointer<UInt16>, count n: Int, plan: Plan,
        threads: Int
    ) -> JacobianPoint<C> {
        let c = plan.c, windows = plan.windows, chunks = plan.chunks
        let workers = min(threads, windows * chunks)
        let tasks = windows * chunks
        let sums = UnsafeMutablePointer<JacobianPoint<C>>.allocate(capacity: tasks)
        sums.initialize(repeating: .infinity, count: tasks)
        defer { sums.deinitialize(count: tasks); sums.deallocate() }
        let sumsBox = ZKUncheckedSendableBox(sums)
        let box = ZKUncheckedSendableBox((bases, digits))
        let chunkCapacity = (n + chunks - 1) / chunks
        // Tasks are handed out one at a time (a shared counter), so a worker that is slowed down (another thread on
        // its core, such as the prover's concurrent witness check) does not leave the others idle at the end.
        let nextTask = Atomic<Int>(0)
        ZKParallel.run(workers) { _ in
            let (bases, digits) = box.value
            var scratch = BucketScratch<C>(points: chunkCapacity, buckets: 1 << (c - 1))
            defer { scratch.release() }
            while true {
                let task = nextTask.add(1, ordering: .relaxed).oldValue
                if task >= tasks { break }
                let w = task / chunks, p = task % chunks
                let lo = n * p / chunks, hi = n * (p + 1) / chunks
                sumsBox.value[task] = windowSum(bases: bases, codes: digits + w * n, range: lo..<hi, scratch: &scratch)
            }
        }
        var acc = JacobianPoint<C>.infinity
        for w in stride(from: windows - 1, through: 0, by: -1) {
            if !acc.isInfinity { for _ in 0..<c { acc = acc.doubled() } }
            for p in 0..<chunks { acc = acc + sums[w * chunks + p] }
        }
        return acc
    }

    /// Pippenger with the GLV endomorphism: every scalar splits as `k1 + k2·λ` with `|k1|, |k2| < 2^130`
    /// (``G1Endomorphism/split(_:)``), so the sum runs over `2n` points `Pᵢ, φ(Pᵢ)` with 130-bit scalars:
    /// half the windows of the plain method for twice the points, i.e. the same bucket additions and half
    /// the bucket reductions and window doublings. The images `φ(Pᵢ) = (β·xᵢ, yᵢ)` are computed as their points are
    /// gathered, once per window, instead of into an `n`-point buffer (4 MiB of G1 or 8 MiB of G2 points at 2^16).
    /// Not the default: slower than ``pippenger(bases:scalars:threads:)`` here (see ``MSM``). Same contract and
    /// result.
    @usableFromInline
    static func pippengerGLV<C: GLVCurve>(
        bases: UnsafeBufferPointer<AffinePoint<C>>, scalars: UnsafeBufferPointer<Fr>, threads: Int
    ) -> JacobianPoint<C> {
        let n = bases.count
        if n < 2 * naiveThreshold { return pippenger(bases: bases, scalars: scalars, threads: threads) }
        let total = 2 * n
        precondition(total < 1 << 31, "MSM: at most 2^30 − 1 points")  // indices are sorted as UInt32 with a sign bit
        let bits = 131  // magnitudes < 2^130, plus the carry of the signed digits
        let config = MSM.plan(n: total, threads: threads, bits: bits)
        let c = config.c, windows = config.windows
        let basesBox = ZKUncheckedSendableBox(bases)
        let scalarsBox = ZKUncheckedSendableBox(scalars)

        // 1. Signed digits of (k1, k2), window-major: digits[w·2n + i] (i < n: k1 for Pᵢ, else k2 for φ(P_{i−n})).
        let digits = UnsafeMutablePointer<UInt16>.allocate(capacity: windows * total)
        defer { digits.deallocate() }
        let digitsBox = ZKUncheckedSendableBox(digits)
        let recodeWorkers = n >= 4096 ? min(threads, 8) : 1
        ZKParallel.run(recodeWorkers) { t in
            let lo = n * t / recodeWorkers, hi = n * (t + 1) / recodeWorkers
            let bases = basesBox.value, scalars = scalarsBox.value, digits = digitsBox.value
            let montgomeryOne = Fr(montgomeryLimbs: 1, 0, 0, 0)
            for i in lo..<hi {
                if bases[i].isInfinity || scalars[i].isZero {
                    for w in 0..<windows { digits[w * total + i] = msmSkipCode; digits[w * total + n + i] = msmSkipCode }
                    continue
                }
                let s = scalars[i] * montgomeryOne  // canonical limbs
                let d = G1Endomorphism.split((s.l0, s.l1, s.l2, s.l3))
                recodeMagnitude(d.k1, negative: d.negative1, c: c, windows: windows, into: digits + i, stride: total)
                recodeMagnitude(d.k2, negative: d.negative2, c: c, windows: windows, into: digits + n + i, stride: total)
            }
        }
        // 2–3. Buckets over the 2n points and the combination of the windows.
        return sumWindows(bases: bases, digits: digits, count: total, plan: config, threads: threads)
    }

    /// Signed `c`-bit digits of a magnitude `< 2^130` (negated when `negative`), written at
    /// `out[w·stride]` for every window in the encoding of ``recode(scalars:bases:range:n:c:windows:into:)``.
    @inlinable @inline(__always)
    static func recodeMagnitude(_ m: (UInt64, UInt64, UInt64), negative: Bool, c: Int, windows: Int,
                                into out: UnsafeMutablePointer<UInt16>, stride: Int) {
        let mask = (UInt64(1) << UInt64(c)) - 1
        let half = Int(1) << (c - 1)
        let full = Int(1) << c
        let signFlip: UInt16 = negative ? 1 : 0
        var carry = 0
        for w in 0..<windows {
            let raw = windowBits((m.0, m.1, m.2, 0), bit: w * c, c: c, mask: mask)
            let code = digitCode(raw, carry: &carry, half: half, full: full)
            out[w * stride] = code == msmSkipCode ? code : code ^ signFlip
        }
    }

    /// Bits `bit ..< bit + c` of the 256-bit value `v` (limbs least significant first), zero past the top.
    @inlinable @inline(__always)
    static func windowBits(_ v: (UInt64, UInt64, UInt64, UInt64), bit: Int, c: Int, mask: UInt64) -> UInt64 {
        let limb = bit >> 6, offset = UInt64(bit & 63)
        guard limb < 4 else { return 0 }
        func word(_ k: Int) -> UInt64 { k == 0 ? v.0 : k == 1 ? v.1 : k == 2 ? v.2 : v.3 }
        var raw = word(limb) >> offset
        if offset != 0 && Int(offset) + c > 64 && limb + 1 < 4 { raw |= word(limb + 1) << (64 - offset) }
        return raw & mask
    }

    /// The code of the signed digit `raw + carry`, moved into `(−2^(c−1), 2^(c−1)]` (`half = 2^(c−1)`,
    /// `full = 2^c`; the carry is updated): ``msmSkipCode`` for zero, else `(|d| − 1) << 1 | sign`.
    @inlinable @inline(__always)
    static func digitCode(_ raw: UInt64, carry: inout Int, half: Int, full: Int) -> UInt16 {
        var d = Int(raw) + carry
        if d > half { d -= full; carry = 1 } else { carry = 0 }
        if d == 0 { return msmSkipCode }
        return d > 0 ? UInt16(truncatingIfNeeded: (d - 1) << 1) : UInt16(truncatingIfNeeded: ((-d - 1) << 1) | 1)
    }

    /// Writes the signed `c`-bit digits of `scalars[range]` for every window. Digits lie in
    /// `(−2^(c−1), 2^(c−1)]`; the carry out of the last window is zero because `c·windows ≥ 255`
    /// and scalars are `< 2^254`. Encoding: `0xFFFF` = skip (zero digit or infinity base),
    /// otherwise `(|d| − 1) << 1 | sign` (so bucket index = code >> 1, `|d| − 1 ≤ 2^15 − 1`).
    @usableFromInline
    static func recode<C: CurveParameters>(
        scalars: UnsafeBufferPointer<Fr>, bases: UnsafeBufferPointer<AffinePoint<C>>, range: Range<Int>,
        n: Int, c: Int, windows: Int, into digits: UnsafeMutablePointer<UInt16>
    ) {
        let mask = (UInt64(1) << UInt64(c)) - 1
        let half = Int(1) << (c - 1)
        let full = Int(1) << c
        let montgomeryOne = Fr(montgomeryLimbs: 1, 0, 0, 0)
        for i in range {
            if bases[i].isInfinity || scalars[i].isZero {
                for w in 0..<windows { digits[w * n + i] = msmSkipCode }
                continue
            }
            // Montgomery reduction by 1 yields the canonical (plain) limbs.
            let s = scalars[i] * montgomeryOne
            var carry = 0
            for w in 0..<windows {
                let raw = windowBits((s.l0, s.l1, s.l2, s.l3), bit: w * c, c: c, mask: mask)
                digits[w * n + i] = digitCode(raw, carry: &carry, half: half, full: full)
            }
        }
    }

    /// Sums `Σ dᵢ·Pᵢ` over one window's digits for the points in `range`, where point `i ≥ bases.count`
    /// is the GLV image `φ(bases[i − bases.count])`, computed as it is gathered.
    ///
    /// The points are counting-sorted by bucket as 32-bit indices (sign in the low bit), then gathered one
    /// bucket group at a time (``groupPoints(_:)`` points) into the scratch buffer, where tree rounds of
    /// batch-affine additions reduce every bucket to a few points; each bucket's sum is kept, and a final
    /// running-sum pass yields `Σ_b (b+1)·B_b`. Memory per worker: 4 bytes per point plus one group.
    @usableFromInline
    static func windowSum<C: GLVCurve>(
        bases: UnsafeBufferPointer<AffinePoint<C>>, codes: UnsafeMutablePointer<UInt16>, range: Range<Int>,
        scratch: inout BucketScratch<C>
    ) -> JacobianPoint<C> {
        let bucketCount = scratch.bucketCount
        let count = scratch.count, start = scratch.start, cursor = scratch.cursor, order = scratch.order
        // Counting sort of the (signed) point indices by bucket.
        count.update(repeating: 0, count: bucketCount)
        for i in range {
            let code = codes[i]
            if code != msmSkipCode { count[Int(code >> 1)] += 1 }
        }
        var offset = 0
        for b in 0..<bucketCount { start[b] = offset; offset += count[b] }
        cursor.update(from: start, count: bucketCount)
        for i in range {
            let code = codes[i]
            if code == msmSkipCode { continue }
            let b = Int(code >> 1)
            order[cursor[b]] = UInt32(truncatingIfNeeded: i) << 1 | UInt32(code & 1)
            cursor[b] += 1
        }

        // Bucket groups: gather, tree rounds (one batched inversion per round for the whole group), and the
        // sum of every bucket of the group.
        let sums = scratch.bucketSums
        let groupPoints = groupPoints(C.self)
        let split = bases.count
        let beta = C.endomorphismBeta  // read once: for G1 it sits behind a lazily built parameter struct
        /// Copies the `k` points `order[origin ..< origin + k]` (negated where their sign bit is set) to the
        /// scratch group, which must hold them. Two passes: the loads first (independent cache misses that the CPU
        /// overlaps), then `x ← β·x` for the images, in the scratch (a multiplication
        /// between the loads holds them back: G1 MSMs 20% slower at 2^16 in one measurement here).
        func gather(origin: Int, _ k: Int) {
            let points = scratch.points
            /// Hints the point `prefetchDistance` places further on into the cache: the loads are random (bucket order).
            @inline(__always) func prefetch(_ j: Int) {
                guard j + prefetchDistance < k else { return }
                let i = Int(order[origin + j + prefetchDistance] >> 1)
                zk_prefetch_read(bases.baseAddress! + (i < split ? i : i - split))
            }
            for j in 0..<k {
                prefetch(j)
                let e = order[origin + j]
                let i = Int(e >> 1)
                var p = bases[i < split ? i : i - split]
                if e & 1 == 1 { p.y = -p.y }
                points[j] = p
            }
            guard range.upperBound > split else { return }  // no images in this range
            for j in 0..<k where Int(order[origin + j] >> 1) >= split {
                points[j] = C.endomorphism(points[j], beta: beta)
            }
        }
        var b0 = 0
        while b0 < bucketCount {
            if count[b0] > groupPoints {
                // A heavy bucket (the top window has few buckets, so each holds many points) is summed a group at a
                // time, so that the scratch never grows past one group whatever the digits.
                let total = count[b0], first = start[b0]
                var bucket = JacobianPoint<C>.infinity
                var done = 0
                while done < total {
                    let k = min(groupPoints, total - done)
                    gather(origin: first + done, k)
                    count[b0] = k; start[b0] = first + done
                    var pairs = k >> 1
                    while pairs >= minimumBatch {
                        pairs = batchAffineRound(scratch: scratch, buckets: b0..<(b0 + 1), origin: first + done)
                    }
                    for j in 0..<count[b0] { bucket = bucket.adding(scratch.points[j]) }
                    done += k
                }
                sums[b0] = bucket
                b0 += 1
                continue
            }
            // A group of light buckets: at most groupPoints points (a bucket that would overflow the group starts the
            // next one), so the scratch holds one group.
            var b1 = b0, held = 0, pairs = 0
            while b1 < bucketCount && count[b1] <= groupPoints - held {
                held += count[b1]; pairs += count[b1] >> 1; b1 += 1
            }
            let origin = start[b0]
            scratch.reserve(points: held)
            gather(origin: origin, held)
            let points = scratch.points
            while pairs >= minimumBatch {
                pairs = batchAffineRound(scratch: scratch, buckets: b0..<b1, origin: origin)
            }
            for b in b0..<b1 {
                let k = count[b], s = start[b] - origin
                if k == 0 { sums[b] = .infinity; continue }
                var bucket = JacobianPoint(points[s])
                for j in 1..<k { bucket = bucket.adding(points[s + j]) }
                sums[b] = bucket
            }
            b0 = b1
        }

        // Running sums: Σ_b (b+1)·B_b (buckets that are one affine point use the mixed addition).
        var running = JacobianPoint<C>.infinity
        var total = JacobianPoint<C>.infinity
        for b in stride(from: bucketCount - 1, through: 0, by: -1) {
            let bucket = sums[b]
            if !bucket.isInfinity {
                running = bucket.z == .one ? running.adding(AffinePoint(x: bucket.x, y: bucket.y)) : running + bucket
            }
            total = total + running
        }
        return total
    }

    /// One round of pairwise batch-affine additions inside every bucket of `buckets` with ≥ 2 points
    /// (bucket `b`'s points sit at `scratch.points[start[b] − origin ...]`).
    /// The sum of pair `(s+2i, s+2i+1)` goes to `s+i`; an odd leftover moves to `s+⌊k/2⌋`.
    /// Special pairs: infinity operands pass the other through, `P + P` doubles (tangent slope),
    /// `P + (−P)` gives infinity. Returns the number of pairs for the next round.
    @usableFromInline
    static func batchAffineRound<C: CurveParameters>(scratch: BucketScratch<C>, buckets: Range<Int>, origin: Int) -> Int {
        let count = scratch.count, start = scratch.start, points = scratch.points
        let den = scratch.denominators, prefix = scratch.prefix
        // Pass 1: denominators (zero = no inversion needed).
        var m = 0
        for b in buckets {
            let k = count[b]
            if k < 2 { continue }
            let s = start[b] - origin
            for i in 0..<(k >> 1) {
                den[m] = slopeDenominator(points[s + 2 * i], points[s + 2 * i + 1])
                m += 1
            }
        }
        // One inversion for all of them: den[j] ← 1/den[j] (Fq2 goes through its norms).
        C.Base.invertNonZero(den, scratch: prefix, count: m)
        // Pass 2: finish the additions, compacting each bucket.
        m = 0
        var nextPairs = 0
        for b in buckets {
            let k = count[b]
            if k < 2 { continue }
            let s = start[b] - origin
            for i in 0..<(k >> 1) {
                points[s + i] = affineSum(points[s + 2 * i], points[s + 2 * i + 1], inverse: den[m])
                m += 1
            }
            if k & 1 == 1 { points[s + (k >> 1)] = points[s + k - 1] }
            let newCount = (k + 1) >> 1
            count[b] = newCount
            nextPairs += newCount >> 1
        }
        return nextPairs
    }

    /// The denominator of the chord/tangent slope of `a + b`, or zero when no slope is needed.
    @inlinable @inline(__always)
    static func slopeDenominator<C: CurveParameters>(_ a: AffinePoint<C>, _ b: AffinePoint<C>) -> C.Base {
        if a.isInfinity || b.isInfinity { return .zero }
        if a.x == b.x {
            return a.y == b.y ? a.y.doubled() : .zero  // doubling (2y ≠ 0 in a prime-order group) or P − P
        }
        return b.x - a.x
    }

    /// `a + b` given `inverse` = 1 / ``slopeDenominator(_:_:)`` (ignored in the special cases).
    @inlinable @inline(__always)
    static func affineSum<C: CurveParameters>(_ a: AffinePoint<C>, _ b: AffinePoint<C>, inverse: C.Base) -> AffinePoint<C> {
        if a.isInfinity { return b }
        if b.isInfinity { return a }
        let lambda: C.Base
        if a.x == b.x {
            if a.y != b.y || a.y.isZero { return .infinity }
            let xx = a.x.squared()
            lambda = (xx.doubled() + xx) * inverse
        } else {
            lambda = (b.y - a.y) * inverse
        }
        let x3 = lambda.squared() - a.x - b.x
        let y3 = lambda * (a.x - x3) - a.y
        return AffinePoint(x: x3, y: y3)
    }
}

/// Per-worker scratch memory for bucket accumulation (allocated once per worker, reused for
/// all of its windows). Not shared between threads.
@usableFromInline
struct BucketScratch<C: CurveParameters> {
    @usableFromInline let bucketCount: Int
    /// Point indices sorted by bucket (`index << 1 | sign`), one per point of a task.
    @usableFromInline let order: UnsafeMutablePointer<UInt32>
    /// One bucket group's points (grown by ``reserve(points:)``), and half as many denominators and prefixes.
    @usableFromInline var points: UnsafeMutablePointer<AffinePoint<C>>
    @usableFromInline var denominators: UnsafeMutablePointer<C.Base>
    @usableFromInline var prefix: UnsafeMutablePointer<C.Base>
    @usableFromInline var capacity: Int
    @usableFromInline let count: UnsafeMutablePointer<Int>
    @usableFromInline let start: UnsafeMutablePointer<Int>
    @usableFromInline let cursor: UnsafeMutablePointer<Int>
    @usableFromInline let bucketSums: UnsafeMutablePointer<JacobianPoint<C>>

    @usableFromInline
    init(points n: Int, buckets: Int) {
        bucketCount = buckets
        order = .allocate(capacity: max(1, n))
        capacity = 0
        points = .allocate(capacity: 1)
        denominators = .allocate(capacity: 1)
        prefix = .allocate(capacity: 1)
        count = .allocate(capacity: buckets)
        count.initialize(repeating: 0, count: buckets)
        start = .allocate(capacity: buckets)
        start.initialize(repeating: 0, count: buckets)
        cursor = .allocate(capacity: buckets)
        cursor.initialize(repeating: 0, count: buckets)
        bucketSums = .allocate(capacity: buckets)
        bucketSums.initialize(repeating: .infinity, count: buckets)
        reserve(points: MSM.groupPoints(C.self))
    }

    /// Makes room for a group of `n` points (never shrinks).
    @usableFromInline
    mutating func reserve(points n: Int) {
        guard n > capacity else { return }
        points.deallocate(); denominators.deallocate(); prefix.deallocate()
        capacity = n
        points = .allocate(capacity: n)
        points.initialize(repeating: .infinity, count: n)
        let half = max(1, n / 2)
        denominators = .allocate(capacity: half)
        denominators.initialize(repeating: .zero, count: half)
        prefix = .allocate(capacity: half)
        prefix.initialize(repeating: .zero, count: half)
    }

    /// Frees the memory (element types are trivial, so no deinitialization is needed).
    @usableFromInline
    mutating func release() {
        order.deallocate(); points.deallocate(); denominators.deallocate(); prefix.deallocate()
        count.deallocate(); start.deallocate(); cursor.deallocate(); bucketSums.deallocate()
    }
}

