/// A multiplicative subgroup `H = {1, ω, ω², …, ω^(n−1)}` of ``Fr``* of size `n = 2^k`
/// (`0 ≤ k ≤ 28`), with number-theoretic transforms (NTT) over it and over its coset `g·H`.
///
/// * All values are ``Fr`` elements (Montgomery form internally, always canonical).
/// * Transforms work in place and use natural order for both input and output:
///   coefficient `i` ↔ evaluation at `ωⁱ` (or `g·ωⁱ` for the coset variants).
/// * Immutable after construction, so a `Domain` may be shared freely between threads; the
///   transforms are thread-safe as long as concurrent calls use distinct buffers.
/// * Memory: a twiddle table of `n/2` field elements (32 bytes each).
public final class Domain: Sendable {
    /// Largest supported `log2(size)` (the 2-adicity of r − 1).
    public static let maxLogSize = 28

    /// `n`, a power of two.
    public let size: Int
    /// `log2(n)`.
    public let logSize: Int
    /// `ω`, a primitive `n`-th root of unity: `ω = (2^28-th root)^(2^(28−k))`.
    public let omega: Fr
    /// `ω⁻¹`.
    public let omegaInverse: Fr
    /// `n⁻¹` in Fr.
    public let sizeInverse: Fr
    /// The coset shift `g` (``Fr/multiplicativeGenerator``, 5), a non-residue outside every `H`.
    public let cosetShift: Fr
    /// `g⁻¹`.
    public let cosetShiftInverse: Fr
    /// `twiddles[j] = ωʲ` for `0 ≤ j < n/2` (empty when `n = 1`).
    @usableFromInline let twiddles: [Fr]

    /// Work below this size runs on the calling thread regardless of `threads`.
    @usableFromInline static let parallelThreshold = 1 << 12
    /// Sub-transforms of this many elements (64 KiB) are done block by block, in cache.
    @usableFromInline static let blockLog = 11

    /// The domain of size `2^logSize`; nil unless `0 ≤ logSize ≤ 28`.
    public init?(logSize: Int) {
        guard logSize >= 0, logSize <= Domain.maxLogSize else { return nil }
        let n = 1 << logSize
        size = n
        self.logSize = logSize
        var w = Fr.twoAdicRootOfUnity
        for _ in 0..<(Fr.twoAdicity - logSize) { w = w.squared() }
        omega = w
        // ω^(n−1) = ω⁻¹, and 2^k has inverse (r+1)/2 ^ k; inverses exist since these are non-zero.
        omegaInverse = w.power(UInt64(n - 1))
        var half = Fr.one
        let twoInverse = Fr(2).power([Fr.p0 &- 2, Fr.p1, Fr.p2, Fr.p3])
        for _ in 0..<logSize { half = half * twoInverse }
        sizeInverse = half
        cosetShift = Fr.multiplicativeGenerator
        cosetShiftInverse = Fr.multiplicativeGenerator.power([Fr.p0 &- 2, Fr.p1, Fr.p2, Fr.p3])
        twiddles = Domain.makeTwiddles(omega: w, count: n / 2)
    }

    /// The domain of exactly `size` points; nil unless `size` is a power of two `≤ 2^28`.
    public convenience init?(size: Int) {
        guard size > 0, size & (size - 1) == 0 else { return nil }
        self.init(logSize: size.trailingZeroBitCount)
    }

    /// The smallest domain with at least `count` points (`count ≤ 0` gives size 1); nil when
    /// `count > 2^28`.
    public static func covering(_ count: Int) -> Domain? {
        var k = 0
        while k <= maxLogSize && (1 << k) < count { k += 1 }
        return Domain(logSize: k)
    }

    private static func makeTwiddles(omega: Fr, count: Int) -> [Fr] {
        guard count > 0 else { return [] }
        var table = [Fr](repeating: .zero, count: count)
        let workers = count >= (1 << 14) ? ZKParallel.resolve(nil) : 1
        table.withUnsafeMutableBufferPointer { buf in
            let box = ZKUncheckedSendableBox(buf.baseAddress!)
            ZKParallel.run(workers) { t in
                let lo = count * t / workers, hi = count * (t + 1) / workers
                var w = omega.power(UInt64(lo))
                for j in lo..<hi { box.value[j] = w; w = w * omega }
            }
        }
        return table
    }

    // MARK: Transforms on arrays

    /// Coefficients → evaluations: `a[i] ← Σⱼ a[j]·ω^(i·j)`. Precondition: `a.count == size`.
    public func forward(_ a: inout [Fr], threads: Int? = nil) {
        precondition(a.count == size, "NTT: input has \(a.count) elements, domain size is \(size)")
        a.withUnsafeMutableBufferPointer { forward($0, threads: threads) }
    }

    /// Evaluations at `ωⁱ` → coefficients (the exact inverse of ``forward(_:threads:)``).
    public func inverse(_ a: inout [Fr], threads: Int? = nil) {
        precondition(a.count == size, "NTT: input has \(a.count) elements, domain size is \(size)")
        a.withUnsafeMutableBufferPointer { inverse($0, threads: threads) }
    }

    /// Coefficients → evaluations on the coset: `a[i] ← f(g·ωⁱ)`.
    public func cosetForward(_ a: inout [Fr], threads: Int? = nil) {
        precondition(a.count == size, "NTT: input has \(a.count) elements, domain size is \(size)")
        a.withUnsafeMutableBufferPointer { cosetForward($0, threads: threads) }
    }

    /// Evaluations at `g·ωⁱ` → coefficients (inverse of ``cosetForward(_:threads:)``).
    public func cosetInverse(_ a: inout [Fr], threads: Int? = nil) {
        precondition(a.count == size, "NTT: input has \(a.count) elements, domain size is \(size)")
        a.withUnsafeMutableBufferPointer { cosetInverse($0, threads: threads) }
    }

    // MARK: Transforms on buffers

    /// ``forward(_:threads:)`` on a caller-owned buffer of exactly `size` elements.
    /// Cache-blocked radix-2 stages, then radix-4 passes, parallel over `threads` (nil: all cores).
    public func forward(_ a: UnsafeMutableBufferPointer<Fr>, threads: Int? = nil) {
        precondition(a.count == size, "NTT: input has \(a.count) elements, domain size is \(size)")
        guard size > 1, let base = a.baseAddress else { return }
        let workers = size >= Domain.parallelThreshold ? ZKParallel.resolve(threads) : 1
        twiddles.withUnsafeBufferPointer { tw in
            transform(base, twiddles: tw.baseAddress!, workers: workers)
        }
    }

    /// ``inverse(_:threads:)`` on a caller-owned buffer of exactly `size` elements.
    public func inverse(_ a: UnsafeMutableBufferPointer<Fr>, threads: Int? = nil) {
        forward(a, threads: threads)
        guard let base = a.baseAddress else { return }
        let workers = size >= Domain.parallelThreshold ? ZKParallel.resolve(threads) : 1
        // Evaluations at ω^(−i) = ω^(n−i): reverse a[1..n−1], and divide by n.
        reverseTail(base, scale: sizeInverse, workers: workers)
    }

    /// ``cosetForward(_:threads:)`` on a caller-owned buffer of exactly `size` elements.
    public func cosetForward(_ a: UnsafeMutableBufferPointer<Fr>, threads: Int? = nil) {
        precondition(a.count == size, "NTT: input has \(a.count) elements, domain size is \(size)")
        guard let base = a.baseAddress else { return }
        let workers = size >= Domain.parallelThreshold ? ZKParallel.resolve(threads) : 1
        scaleByPowers(base, first: .one, ratio: cosetShift, workers: workers)
        forward(a, threads: threads)
    }

    /// ``cosetInverse(_:threads:)`` on a caller-owned buffer of exactly `size` elements.
    public func cosetInverse(_ a: UnsafeMutableBufferPointer<Fr>, threads: Int? = nil) {
        forward(a, threads: threads)
        guard let base = a.baseAddress else { return }
        let workers = size >= Domain.parallelThreshold ? ZKParallel.resolve(threads) : 1
        reverseTail(base, scale: .one, workers: workers)
        scaleByPowers(base, first: sizeInverse, ratio: cosetShiftInverse, workers: workers)
    }

    // MARK: Reference

    /// Textbook iterative radix-2 decimation-in-time NTT (single-threaded, twiddles computed on
    /// the fly): the slow reference the optimised ``forward(_:threads:)`` is tested against.
    public func forwardReference(_ a: inout [Fr]) {
        precondition(a.count == size, "NTT: input has \(a.count) elements, domain size is \(size)")
        let n = size
        guard n > 1 else { return }
        for i in 0..<n {
            let r = Domain.bitReverse(i, bits: logSize)
            if i < r { a.swapAt(i, r) }
        }
        var len = 2
        while len <= n {
            let wLen = omega.power(UInt64(n / len))
            var start = 0
            while start < n {
                var w = Fr.one
                for j in 0..<(len / 2) {
                    let u = a[start + j], v = a[start + j + len / 2] * w
                    a[start + j] = u + v
                    a[start + j + len / 2] = u - v
                    w = w * wLen
                }
                start += len
            }
            len *= 2
        }
    }

    // MARK: Polynomial helpers

    /// `Z_H(x) = xⁿ − 1`, the vanishing polynomial of the domain.
    public func evaluateVanishingPolynomial(at x: Fr) -> Fr {
        var p = x
        for _ in 0..<logSize { p = p.squared() }
        return p - .one
    }

    /// All Lagrange basis polynomials at `tau`: `Lᵢ(τ) = ωⁱ·(τⁿ − 1) / (n·(τ − ωⁱ))`, in O(n)
    /// with one batched inversion. When `τ = ωᵏ` lies in the domain the result is the unit vector `eₖ`.
    public func lagrangeEvaluations(at tau: Fr) -> [Fr] {
        let n = size
        let z = evaluateVanishingPolynomial(at: tau)
        var out = [Fr](repeating: .zero, count: n)
        if z.isZero {
            var w = Fr.one
            for i in 0..<n {
                if w == tau { out[i] = .one; break }
                w = w * omega
            }
            return out
        }
        var w = Fr.one
        for i in 0..<n { out[i] = tau - w; w = w * omega }
        batchInvert(&out)
        var c = z * sizeInverse
        for i in 0..<n { out[i] = c * out[i]; c = c * omega }
        return out
    }

    /// The product of two polynomials given by coefficients (lowest degree first), computed with
    /// NTTs on the smallest power-of-two domain that holds the product. Empty input → empty
    /// output. Precondition: `a.count + b.count − 1 ≤ 2^28`.
    public static func multiplyPolynomials(_ a: [Fr], _ b: [Fr], threads: Int? = nil) -> [Fr] {
        if a.isEmpty || b.isEmpty { return [] }
        let outCount = a.count + b.count - 1
        if min(a.count, b.count) <= 16 {
            var out = [Fr](repeating: .zero, count: outCount)
            for i in 0..<a.count where !a[i].isZero {
                for j in 0..<b.count { out[i + j] = out[i + j] + a[i] * b[j] }
            }
            return out
        }
        guard let domain = Domain.covering(outCount) else {
            preconditionFailure("multiplyPolynomials: product has \(outCount) coefficients, more than 2^28")
        }
        let n = domain.size
        var fa = a + [Fr](repeating: .zero, count: n - a.count)
        var fb = b + [Fr](repeating: .zero, count: n - b.count)
        domain.forward(&fa, threads: threads)
        domain.forward(&fb, threads: threads)
        for i in 0..<n { fa[i] = fa[i] * fb[i] }
        domain.inverse(&fa, threads: threads)
        fa.removeLast(n - outCount)
        return fa
    }

    // MARK: Kernels

    @inlinable @inline(__always)
    static func bitReverse(_ i: Int, bits: Int) -> Int {
        guard bits > 0 else { return 0 }
        var v = UInt64(truncatingIfNeeded: i)
        v = ((v >> 1) & 0x5555_5555_5555_5555) | ((v & 0x5555_5555_5555_5555) << 1)
        v = ((v >> 2) & 0x3333_3333_3333_3333) | ((v & 0x3333_3333_3333_3333) << 2)
        v = ((v >> 4) & 0x0F0F_0F0F_0F0F_0F0F) | ((v & 0x0F0F_0F0F_0F0F_0F0F) << 4)
        v = ((v >> 8) & 0x00FF_00FF_00FF_00FF) | ((v & 0x00FF_00FF_00FF_00FF) << 8)
        v = ((v >> 16) & 0x0000_FFFF_0000_FFFF) | ((v & 0x0000_FFFF_0000_FFFF) << 16)
        v = (v >> 32) | (v << 32)
        return Int(truncatingIfNeeded: v >> UInt64(64 - bits))
    }

    /// The optimised forward transform: bit-reversal permutation, then the first `blockLog`
    /// radix-2 stages block by block (each block stays in cache), then the remaining stages two
    /// at a time (radix-4 passes), each split by butterfly index across `workers`.
    private func transform(_ a: UnsafeMutablePointer<Fr>, twiddles tw: UnsafePointer<Fr>, workers: Int) {
        let n = size, logN = logSize
        let aBox = ZKUncheckedSendableBox(a), twBox = ZKUncheckedSendableBox(tw)

        // 1. Bit reversal: the owner of min(i, rev(i)) swaps the pair, so writes are disjoint.
        ZKParallel.run(workers) { t in
            let a = aBox.value
            let lo = n * t / workers, hi = n * (t + 1) / workers
            for i in lo..<hi {
                let r = Domain.bitReverse(i, bits: logN)
                if i < r { let x = a[i]; a[i] = a[r]; a[r] = x }
            }
        }

        // 2. Stages of half-size m < blockSize, independently per block.
        let blockSize = 1 << min(logN, Domain.blockLog)
        let blocks = n / blockSize
        let blockWorkers = min(workers, blocks)
        ZKParallel.run(blockWorkers) { t in
            let a = aBox.value, tw = twBox.value
            var blk = t
            while blk < blocks {
                let base = a + blk * blockSize
                var m = 1
                while m < blockSize {
                    let stride = n / (2 * m)
                    var g = 0
                    while g < blockSize {
                        let p = base + g
                        let u = p[0], v = p[m]
                        p[0] = u + v; p[m] = u - v
                        var j = 1
                        while j < m {
                            let x = p[j], y = p[j + m] * tw[j * stride]
                            p[j] = x + y; p[j + m] = x - y
                            j += 1
                        }
                        g += 2 * m
                    }
                    m *= 2
                }
                blk += blockWorkers
            }
        }

        // 3. Remaining stages over the whole array.
        var m = blockSize
        while m < n {
            let radix4 = 4 * m <= n
            let span = m
            ZKParallel.run(workers) { t in
                let a = aBox.value, tw = twBox.value
                let jLo = span * t / workers, jHi = span * (t + 1) / workers
                if jLo == jHi { return }
                if radix4 {
                    Domain.radix4Pass(a, tw, n: n, m: span, jRange: jLo..<jHi)
                } else {
                    Domain.radix2Pass(a, tw, n: n, m: span, jRange: jLo..<jHi)
                }
            }
            m *= radix4 ? 4 : 2
        }
    }

    /// DIT stage of half-size `m` restricted to butterfly offsets `jRange` in every group.
    @inline(__always)
    private static func radix2Pass(_ a: UnsafeMutablePointer<Fr>, _ tw: UnsafePointer<Fr>, n: Int, m: Int, jRange: Range<Int>) {
        let stride = n / (2 * m)
        var g = 0
        while g < n {
            let p = a + g
            for j in jRange {
                let x = p[j], y = p[j + m] * tw[j * stride]
                p[j] = x + y; p[j + m] = x - y
            }
            g += 2 * m
        }
    }

    /// DIT stages of half-size `m` and `2m` fused (one pass over the data).
    @inline(__always)
    private static func radix4Pass(_ a: UnsafeMutablePointer<Fr>, _ tw: UnsafePointer<Fr>, n: Int, m: Int, jRange: Range<Int>) {
        let s1 = n / (2 * m), s2 = n / (4 * m)
        var g = 0
        while g < n {
            let p = a + g
            for j in jRange {
                let w1 = tw[j * s1], w2 = tw[j * s2], w3 = tw[(j + m) * s2]
                let a0 = p[j], a1 = p[j + m] * w1, a2 = p[j + 2 * m], a3 = p[j + 3 * m] * w1
                let x0 = a0 + a1, x1 = a0 - a1
                let x2 = (a2 + a3) * w2, x3 = (a2 - a3) * w3
                p[j] = x0 + x2; p[j + 2 * m] = x0 - x2
                p[j + m] = x1 + x3; p[j + 3 * m] = x1 - x3
            }
            g += 4 * m
        }
    }

    /// `a[i] ↔ a[n−i]` for `0 < i < n/2`, every element multiplied by `scale`.
    private func reverseTail(_ a: UnsafeMutablePointer<Fr>, scale: Fr, workers: Int) {
        let n = size
        let aBox = ZKUncheckedSendableBox(a)
        let scaled = !scale.isOne
        if scaled {
            a[0] = a[0] * scale
            if n > 1 { a[n / 2] = a[n / 2] * scale }
        }
        guard n > 2 else { return }
        let pairs = n / 2 - 1
        ZKParallel.run(workers) { t in
            let a = aBox.value
            let lo = 1 + pairs * t / workers, hi = 1 + pairs * (t + 1) / workers
            for i in lo..<hi {
                let x = a[i], y = a[n - i]
                if scaled { a[i] = y * scale; a[n - i] = x * scale } else { a[i] = y; a[n - i] = x }
            }
        }
    }

    /// `a[i] ← a[i]·first·ratioⁱ`.
    private func scaleByPowers(_ a: UnsafeMutablePointer<Fr>, first: Fr, ratio: Fr, workers: Int) {
        let n = size
        let aBox = ZKUncheckedSendableBox(a)
        ZKParallel.run(workers) { t in
            let a = aBox.value
            let lo = n * t / workers, hi = n * (t + 1) / workers
            var f = first * ratio.power(UInt64(lo))
            for i in lo..<hi { a[i] = a[i] * f; f = f * ratio }
        }
    }
}
