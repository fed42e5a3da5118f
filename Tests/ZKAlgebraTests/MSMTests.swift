import XCTest
import ZKAlgebra


final class MSMTests: XCTestCase {
    // MARK: Helpers

    private func randomBases<C: CurveParameters>(_: C.Type, _ n: Int, _ rng: inout SeededGenerator) -> [AffinePoint<C>] {
        let g = JacobianPoint<C>.generator
        return batchToAffine((0..<n).map { _ in g * Fr.random(using: &rng) })
    }

    private func randomScalars(_ n: Int, _ rng: inout SeededGenerator) -> [Fr] {
        (0..<n).map { _ in Fr.random(using: &rng) }
    }

    private func naive<C: CurveParameters>(_ bases: [AffinePoint<C>], _ scalars: [Fr]) -> JacobianPoint<C> {
        var acc = JacobianPoint<C>.infinity
        for (p, s) in zip(bases, scalars) { acc = acc + JacobianPoint(p) * s }
        return acc
    }

    private func checkG1(_ bases: [G1Affine], _ scalars: [Fr], file: StaticString = #filePath, line: UInt = #line) {
        let expected = naive(bases, scalars)
        for threads in [1, 2] {
            let got = MSM.multiScalarMultiply(bases: bases, scalars: scalars, threads: threads)
            XCTAssertEqual(got, expected, "G1 n=\(bases.count) threads=\(threads)", file: file, line: line)
            let plain = MSM.multiScalarMultiply(bases: bases, scalars: scalars, threads: threads, endomorphism: false)
            XCTAssertEqual(plain, expected, "G1 without GLV n=\(bases.count) threads=\(threads)", file: file, line: line)
        }
    }

    private func checkG2(_ bases: [G2Affine], _ scalars: [Fr], file: StaticString = #filePath, line: UInt = #line) {
        let expected = naive(bases, scalars)
        for threads in [1, 2] {
            let got = MSM.multiScalarMultiply(bases: bases, scalars: scalars, threads: threads)
            XCTAssertEqual(got, expected, "G2 n=\(bases.count) threads=\(threads)", file: file, line: line)
            let plain = MSM.multiScalarMultiply(bases: bases, scalars: scalars, threads: threads, endomorphism: false)
            XCTAssertEqual(plain, expected, "G2 without GLV n=\(bases.count) threads=\(threads)", file: file, line: line)
        }
    }

    // MARK: Random inputs

    func testG1MatchesNaiveSum() {
        var rng = SeededGenerator(seed: 1)
        for n in [0, 1, 2, 3, 17, 255, 1000, 4097] {
            checkG1(randomBases(BN254G1.self, n, &rng), randomScalars(n, &rng))
        }
    }

    func testG2MatchesNaiveSum() {
        var rng = SeededGenerator(seed: 2)
        for n in [0, 1, 2, 3, 17, 255, 1000] {
            checkG2(randomBases(BN254G2.self, n, &rng), randomScalars(n, &rng))
        }
    }

    /// Enough points that a window's light buckets fill several bucket groups (``MSM/groupPoints(_:)``: 16,384 G1 or
    /// 4,096 G2 points), so group boundaries fall where a bucket would overflow the group and starts the next one.
    func testManyBucketGroups() {
        var rng = SeededGenerator(seed: 11)
        checkG1(randomBases(BN254G1.self, 20_000, &rng), randomScalars(20_000, &rng))
        checkG2(randomBases(BN254G2.self, 9_000, &rng), randomScalars(9_000, &rng))
    }

    func testBufferAndGenericEntryPointsAgree() {
        var rng = SeededGenerator(seed: 3)
        let bases = randomBases(BN254G1.self, 600, &rng)
        let scalars = randomScalars(600, &rng)
        let expected = MSM.multiScalarMultiply(bases: bases, scalars: scalars, threads: 1)
        let viaBuffers = bases.withUnsafeBufferPointer { b in
            scalars.withUnsafeBufferPointer { s in MSM.multiScalarMultiply(bases: b, scalars: s, threads: 2) }
        }
        XCTAssertEqual(viaBuffers, expected)
        func generic<C: GLVCurve>(_ b: [AffinePoint<C>]) -> JacobianPoint<C> {
            MSM.multiScalarMultiply(bases: b, scalars: scalars, threads: 2)
        }
        XCTAssertEqual(generic(bases), expected)
        XCTAssertEqual(expected, naive(bases, scalars))
    }

    func testResultIndependentOfThreadCount() {
        var rng = SeededGenerator(seed: 4)
        let bases = randomBases(BN254G1.self, 3000, &rng)
        let scalars = randomScalars(3000, &rng)
        let reference = MSM.multiScalarMultiply(bases: bases, scalars: scalars, threads: 1)
        for threads in [2, 3, 5, 64] {
            XCTAssertEqual(MSM.multiScalarMultiply(bases: bases, scalars: scalars, threads: threads), reference)
        }
        XCTAssertEqual(MSM.multiScalarMultiply(bases: bases, scalars: scalars), reference)
    }

    /// Both methods on G1 and G2 with many threads, where tasks are handed out by a shared counter and (with the
    /// GLV split, whose images are computed as points are gathered) a window's point ranges split inside the images
    /// and across the boundary between bases and images.
    func testResultIndependentOfThreadCountWithAndWithoutGLV() {
        var rng = SeededGenerator(seed: 7)
        let bases = randomBases(BN254G2.self, 700, &rng)
        let scalars = randomScalars(700, &rng)
        let expected = naive(bases, scalars)
        let g1Bases = randomBases(BN254G1.self, 700, &rng)
        let g1Expected = naive(g1Bases, scalars)
        for glv in [false, true] {
            for threads in [1, 3, 16, 64] {
                XCTAssertEqual(MSM.multiScalarMultiply(bases: bases, scalars: scalars, threads: threads, endomorphism: glv),
                               expected, "G2, threads \(threads), GLV \(glv)")
                XCTAssertEqual(MSM.multiScalarMultiply(bases: g1Bases, scalars: scalars, threads: threads, endomorphism: glv),
                               g1Expected, "G1, threads \(threads), GLV \(glv)")
            }
        }
    }

    func testWindowChoiceIsSane() {
        for logN in [4, 10, 16, 20, 24] {
            for threads in [1, 2, 16] {
                let c = MSM.windowBits(count: 1 << logN, threads: threads)
                XCTAssert((2...16).contains(c), "c=\(c) for 2^\(logN)")
                let g = MSM.windowBitsWithEndomorphism(count: 1 << logN, threads: threads)
                XCTAssert((2...16).contains(g), "GLV c=\(g) for 2^\(logN)")
            }
        }
    }

    // MARK: Special inputs

    func testSpecialInputsG1() {
        var rng = SeededGenerator(seed: 5)
        let n = 600
        let bases = randomBases(BN254G1.self, n, &rng)
        specialCases(bases, &rng, check: { checkG1($0, $1) })
    }

    func testSpecialInputsG2() {
        var rng = SeededGenerator(seed: 6)
        let n = 300
        let bases = randomBases(BN254G2.self, n, &rng)
        specialCases(bases, &rng, check: { checkG2($0, $1) })
    }

    /// One scalar for every point puts all of them in one bucket per window, far more than a bucket group holds
    /// (16,384 G1 or 8,192 G2 points): such buckets are summed a group at a time. Reference: Σ (i+1)·G = n(n+1)/2·G.
    func testHeavyBucketsG1() {
        heavyBuckets(BN254G1.self, count: 20_000) { MSM.multiScalarMultiply(bases: $0, scalars: $1, threads: $2, endomorphism: $3) }
    }
    func testHeavyBucketsG2() {
        heavyBuckets(BN254G2.self, count: 10_000) { MSM.multiScalarMultiply(bases: $0, scalars: $1, threads: $2, endomorphism: $3) }
    }

    private func heavyBuckets<C: CurveParameters>(_: C.Type, count n: Int,
                                                  _ msm: ([AffinePoint<C>], [Fr], Int, Bool) -> JacobianPoint<C>) {
        var multiples: [JacobianPoint<C>] = []
        var p = JacobianPoint<C>.generator
        for _ in 0..<n { multiples.append(p); p = p + JacobianPoint<C>.generator }
        let bases = batchToAffine(multiples)
        let triangle = Fr(UInt64(n) * UInt64(n + 1) / 2)
        // G2 is slow in debug builds: one configuration per scalar there.
        let configurations = C.self == BN254G2.self ? [[(2, true)], [(1, false)], [(2, true)]] : [[(1, true), (2, true), (2, false)], [(2, true), (1, false)], [(2, true)]]
        for (s, configs) in zip([Fr(5), Fr.zero - Fr.one, Fr(canonicalLimbs: [~0, ~0, 0x1234, 1 << 60])!], configurations) {
            let expected = JacobianPoint<C>.generator * (triangle * s)
            for (threads, glv) in configs {
                let got = msm(bases, [Fr](repeating: s, count: n), threads, glv)
                XCTAssertEqual(got, expected, "\(C.self) n=\(n) scalar \(s) threads=\(threads) GLV \(glv)")
            }
        }
    }

    private func specialCases<C: GLVCurve>(
        _ bases: [AffinePoint<C>], _ rng: inout SeededGenerator, check: ([AffinePoint<C>], [Fr]) -> Void
    ) {
        let n = bases.count
        let minusOne = Fr.zero - Fr.one  // r − 1, the largest canonical scalar
        // All-zero scalars.
        check(bases, [Fr](repeating: .zero, count: n))
        XCTAssertTrue(MSM.multiScalarMultiply(bases: bases, scalars: [Fr](repeating: .zero, count: n), threads: 2).isInfinity)
        // All scalars r − 1 (result −Σ P), and a mixture of extreme scalars.
        check(bases, [Fr](repeating: minusOne, count: n))
        let extremes: [Fr] = [.one, Fr(2), minusOne, minusOne - Fr.one, Fr(1 << 63),
                              Fr(canonicalLimbs: [0, 0, 0, 1 << 61])!, Fr(canonicalLimbs: [~0, ~0, ~0, (1 << 61) - 1])!]
        check(bases, (0..<n).map { extremes[$0 % extremes.count] })
        // Repeated base with identical scalars: every bucket holds copies of one point (doubling path).
        let same = [AffinePoint<C>](repeating: bases[0], count: n)
        let s = Fr.random(using: &rng)
        check(same, [Fr](repeating: s, count: n))
        // Repeated bases with random scalars, and a few distinct bases repeated in a cycle.
        check(same, randomScalars(n, &rng))
        check((0..<n).map { bases[$0 % 5] }, randomScalars(n, &rng))
        // Infinity bases mixed in (every third), and all-infinity.
        var withInfinity = bases
        for i in stride(from: 0, to: n, by: 3) { withInfinity[i] = .infinity }
        check(withInfinity, randomScalars(n, &rng))
        check([AffinePoint<C>](repeating: .infinity, count: n), randomScalars(n, &rng))
        // P and −P interleaved with equal scalars: they cancel pairwise inside buckets.
        var cancel: [AffinePoint<C>] = []
        var cancelScalars: [Fr] = []
        for i in 0..<(n / 2) {
            let t = Fr.random(using: &rng)
            cancel += [bases[i], -bases[i]]
            cancelScalars += [t, t]
        }
        check(cancel, cancelScalars)
        XCTAssertTrue(MSM.multiScalarMultiply(bases: cancel, scalars: cancelScalars, threads: 1).isInfinity)
        // P, P, −P runs with random scalars, plus one unmatched point.
        var mixed: [AffinePoint<C>] = []
        for i in 0..<(n / 3) { mixed += [bases[i], bases[i], -bases[i]] }
        mixed.append(bases[n - 1])
        var mixedScalars = [Fr](repeating: s, count: mixed.count)
        mixedScalars[mixed.count - 1] = Fr.random(using: &rng)
        check(mixed, mixedScalars)
        // Single point and small counts with special values.
        check([bases[0]], [minusOne])
        check([bases[0], -bases[0]], [s, s])
        check([AffinePoint<C>.infinity], [s])
    }
}
