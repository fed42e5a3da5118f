import Dispatch
import Synchronization
import ZKAlgebra
import ZKFormats
import ZKSodium
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time of each prover phase, for reports and benchmarks.
public struct ProverTimings: Sendable, Hashable, CustomStringConvertible {
    public var rows: Duration = .zero
    public var ntt: Duration = .zero
    public var msmA: Duration = .zero
    public var msmB1: Duration = .zero
    public var msmB2: Duration = .zero
    public var msmC: Duration = .zero
    public var msmH: Duration = .zero
    /// Reading and checking point arrays that the key left in its file (``ZKeyProvingFile``); zero for a key in memory.
    public var pointReads: Duration = .zero
    public var total: Duration = .zero
    public var description: String {
        func ms(_ d: Duration) -> String {
            let tenths = Int((Double(d.components.seconds) * 1e4 + Double(d.components.attoseconds) / 1e14).rounded())
            return "\(tenths / 10).\(tenths % 10) ms"
        }
        let reads = pointReads == .zero ? "" : "point reads \(ms(pointReads)), "
        return "rows \(ms(rows)), NTTs \(ms(ntt)), MSM A \(ms(msmA)), B1 \(ms(msmB1)), B2 \(ms(msmB2)), C \(ms(msmC)), H \(ms(msmH)), \(reads)total \(ms(total))"
    }
}

extension Groth16 {
    /// Proves with `pk` for the full witness `witness` (`witness[0] = 1`, then the public inputs,
    /// then private wires). Fresh blinding `r, s` come from libsodium and are zeroed afterwards.
    ///
    /// The prover trusts that the witness satisfies the constraints (it computes `C·w` as
    /// `(A·w)(B·w)` row by row, as snarkjs does); callers holding the constraint system should
    /// `check` the witness first — ``prove(_:witness:threads:progress:)`` cannot detect it and an
    /// unsatisfying witness yields a proof that does not verify.
    ///
    /// The key's bulk B2 points need not have been subgroup-checked: the proof's B is checked instead,
    /// and a key with B2 points outside the subgroup throws ``Groth16Error/keyMismatch(_:)``.
    public static func prove(_ pk: consuming ProvingKey, witness: [Fr], threads: Int? = nil, progress: Progress? = nil) throws -> Proof {
        try proveWithTimings(pk, witness: witness, threads: threads, progress: progress).proof
    }

    /// ``prove(_:witness:threads:progress:)`` with the time spent in each phase.
    ///
    /// The key is consumed: each of its point arrays (and the QAP matrices) is released as soon as its stage is
    /// done, so a caller that passes its last copy (`consume key`) holds at the peak only the arrays still to come
    /// plus one MSM's scratch. A caller that keeps its own copy (a cached key) gets the same result; nothing is freed.
    public static func proveWithTimings(_ pk: consuming ProvingKey, witness: [Fr], threads: Int? = nil,
                                        progress: Progress? = nil) throws -> (proof: Proof, timings: ProverTimings) {
        let header = ProverKeyHeader(publicCount: pk.publicCount, wireCount: pk.wireCount, domainSize: pk.domainSize, alpha1: pk.alpha1,
                                     beta1: pk.beta1, beta2: pk.beta2, delta1: pk.delta1, delta2: pk.delta2)
        // Move the arrays out of the key so that each is uniquely held (and freed when the prover drops it).
        var points = KeyPointArrays(a: pk.a, b1: pk.b1, b2: pk.b2, c: pk.c, h: pk.h)
        (pk.a, pk.b1, pk.b2, pk.c, pk.h) = ([], [], [], [], [])
        let (ma, mb) = (pk.matrixA, pk.matrixB)
        (pk.matrixA, pk.matrixB) = (SparseMatrix(), SparseMatrix())
        return try prove(header, matrixA: consume ma, matrixB: consume mb, points: &points, witness: witness, threads: threads, progress: progress)
    }

    /// Proves with a `.zkey` opened by ``ZKeyProvingFile/init(path:threads:)``: the same proof as
    /// ``prove(_:witness:threads:progress:)`` with ``ProvingKey/init(zkeyFile:threads:)``, but each point section is read
    /// from the file just before its MSM and dropped after it, so the prover never holds more than one point array.
    /// A point that fails its checks (`< q`, on the curve) throws that `FormatError` here, and no proof is made.
    public static func prove(_ key: consuming ZKeyProvingFile, witness: [Fr], threads: Int? = nil, progress: Progress? = nil) throws -> Proof {
        try proveWithTimings(key, witness: witness, threads: threads, progress: progress).proof
    }

    /// ``prove(_:witness:threads:progress:)-(ZKeyProvingFile,_,_,_)`` with the time spent in each phase (reading the point sections is
    /// ``ProverTimings/pointReads``). `stop`, when given, is asked before each phase (the rows, the NTTs, each point read
    /// and MSM); when it answers true the prover throws ``Groth16Error/stopped`` (a caller whose check of the witness
    /// runs beside the proof stops it when the check fails).
    public static func proveWithTimings(_ key: consuming ZKeyProvingFile, witness: [Fr], threads: Int? = nil,
                                        progress: Progress? = nil,
                                        stop: (@Sendable () -> Bool)? = nil) throws -> (proof: Proof, timings: ProverTimings) {
        var points = ZKeyFilePoints(sections: key.points)
        let (ma, mb) = (key.matrixA, key.matrixB)
        (key.matrixA, key.matrixB) = (SparseMatrix(), SparseMatrix())
        return try prove(key.header, matrixA: consume ma, matrixB: consume mb, points: &points, witness: witness, threads: threads,
                         progress: progress, stop: stop)
    }

    /// The prover: `header` and the QAP matrices (released after the rows), the bulk points from `points`, each asked
    /// for just before its MSM and released after it. `stop` is asked before each phase (``Groth16Error/stopped``).
    static func prove<P: ProverPointSource>(_ pk: ProverKeyHeader, matrixA: consuming SparseMatrix, matrixB: consuming SparseMatrix, points: inout P,
                      witness: [Fr], threads: Int?, progress: Progress?,
                      stop: (@Sendable () -> Bool)? = nil) throws -> (proof: Proof, timings: ProverTimings) {
        /// Throws when the caller asked the prover to stop.
        func checkStop() throws { if stop?() == true { throw Groth16Error.stopped } }
        guard witness.count == pk.wireCount else { throw Groth16Error.witnessLength(expected: pk.wireCount, got: witness.count) }
        guard witness.first == .one else { throw Groth16Error.witnessDoesNotSatisfy("witness[0] must be 1") }
        let threads = threads ?? defaultThreadCount()
        let n = pk.domainSize
        guard let domain = Domain(size: n), let domain2 = Domain(size: 2 * n) else {
            throw Groth16Error.keyMismatch("domain size \(n) is not a supported power of two")
        }
        let clock = ContinuousClock()
        var timings = ProverTimings()
        let start = clock.now

        // 1. Rows ⟨A_j,w⟩, ⟨B_j,w⟩, and C_j = A_j·B_j.
        try checkStop()
        progress?("prove: evaluating constraints", 0)
        var a = [Fr](repeating: .zero, count: n)
        var b = [Fr](repeating: .zero, count: n)
        var t = clock.now
        witness.withUnsafeBufferPointer { w in
            a.withUnsafeMutableBufferPointer { QAP.evaluateRows(matrixA, witness: w, into: $0) }
            b.withUnsafeMutableBufferPointer { QAP.evaluateRows(matrixB, witness: w, into: $0) }
        }
        var c = zip(a, b).map { $0 * $1 }
        matrixA = SparseMatrix(); matrixB = SparseMatrix()  // not needed again
        timings.rows = clock.now - t

        // 2. Interpolate, move to the odd coset ω_{2n}·H, evaluate: 3 inverse + 3 forward NTTs.
        try checkStop()
        progress?("prove: NTTs", 0.1)
        t = clock.now
        a.withUnsafeMutableBufferPointer { ab in
            b.withUnsafeMutableBufferPointer { bb in
                c.withUnsafeMutableBufferPointer { cb in
                    oddCosetEvaluations([ab, bb, cb], domain: domain, shift: domain2.omega, threads: threads)
                    let (pa, pb, pc) = (SendablePointer(base: ab.baseAddress!), SendablePointer(base: bb.baseAddress!),
                                        SendablePointer(base: cb.baseAddress!))
                    parallelChunks(n, threads: threads) { range in
                        for i in range { pa.base[i] = pa.base[i] * pb.base[i] - pc.base[i] }  // h evaluations on the odd coset
                    }
                }
            }
        }
        b = []; c = []
        timings.ntt = clock.now - t

        // 3. Blinding and the five MSMs.
        var rng = SecureRandomNumberGenerator()
        var r = Fr.random(using: &rng), s = Fr.random(using: &rng)
        defer { Sodium.zeroize(&r); Sodium.zeroize(&s) }

        /// Runs one MSM, recording its time.
        func timed<T>(_ phase: String, _ fraction: Double, _ slot: WritableKeyPath<ProverTimings, Duration>, _ body: () -> T) -> T {
            progress?("prove: \(phase)", fraction)
            let t = clock.now
            let result = body()
            timings[keyPath: slot] = clock.now - t
            return result
        }
        /// Takes one point array from `points`, recording the time when it comes from a file.
        func read<T>(_ body: (inout P) throws -> T) throws -> T {
            try checkStop()  // before each point read, so before each MSM
            let t = clock.now
            let result = try body(&points)
            if points.readsFromFile { timings.pointReads += clock.now - t }
            return result
        }
        // H first (then its scalars go), C last: MSM tasks are handed out one at a time, so the last MSM's tail (one
        // worker finishing its last window while the other idles) is one task, and a G1 window task is about a third
        // of a G2 one (B2 last cost up to 40 ms of one idle core at 2^16). Each array is a local that dies after its
        // MSM, so the B2 points (128 bytes each) are the only point array held during the B2 MSM wherever it runs.
        var bases = try read { try $0.g1(.h) }
        let msmH = timed("MSM H", 0.3, \.msmH) { MSM.multiScalarMultiply(bases: bases, scalars: a, threads: threads) }
        a = []
        bases = []; bases = try read { try $0.g1(.a) }
        let msmA = timed("MSM A", 0.4, \.msmA) { MSM.multiScalarMultiply(bases: bases, scalars: witness, threads: threads) }
        bases = []; bases = try read { try $0.g1(.b1) }
        let msmB1 = timed("MSM B1", 0.5, \.msmB1) { MSM.multiScalarMultiply(bases: bases, scalars: witness, threads: threads) }
        bases = []
        var b2 = try read { try $0.b2Points() }
        let msmB2 = timed("MSM B2", 0.6, \.msmB2) { MSM.multiScalarMultiply(bases: b2, scalars: witness, threads: threads) }
        b2 = []
        bases = try read { try $0.g1(.c) }
        let msmC = timed("MSM C", 0.8, \.msmC) {
            // The private wires' scalars, borrowed in place (no copy of the witness).
            bases.withUnsafeBufferPointer { bases in
                witness.withUnsafeBufferPointer { w in
                    MSM.multiScalarMultiply(bases: bases, scalars: UnsafeBufferPointer(rebasing: w[(pk.publicCount + 1)...]), threads: threads)
                }
            }
        }
        bases = []

        let delta1 = G1(pk.delta1)
        let proofA = G1(pk.alpha1) + msmA + delta1 * r
        let proofB2 = G2(pk.beta2) + msmB2 + G2(pk.delta2) * s
        let proofB1 = G1(pk.beta1) + msmB1 + delta1 * s
        let proofC = msmC + msmH + proofA * s + proofB1 * r - delta1 * (r * s)
        let affine = batchToAffine([proofA, proofC])
        // Key loaders skip the subgroup checks of the bulk B2 points (0.1 ms each, nothing for soundness
        // depends on them); this one check on the output keeps a key with B2 points outside the
        // subgroup from releasing a proof that every verifier rejects, or whose B carries a
        // witness-dependent component outside the subgroup.
        let proofB = proofB2.affine
        guard proofB.isInSubgroup else {
            throw Groth16Error.keyMismatch("the proof's B is not in the G2 subgroup: the key's B2 points are not all in the subgroup")
        }
        timings.total = clock.now - start
        progress?("prove: done", 1)
        return (Proof(a: affine[0], b: proofB, c: affine[1]), timings)
    }
}

extension Groth16 {
    /// Replaces each array's evaluations on `domain` (size n) by the evaluations of the same polynomial on the odd coset
    /// `shift·H` (`shift` = ω_{2n}): an inverse NTT, `coefficient[i] ·= shiftⁱ`, a forward NTT.
    ///
    /// With 2 or more threads the six transforms are tasks that up to 3 workers take in order (the inverses first;
    /// a forward transform waits until its array's inverse is done), each transform on `threads / workers` threads:
    /// one 2^16-point transform split across this project's 2 cores ran little faster than on one, while two
    /// transforms side by side keep both busy.
    package static func oddCosetEvaluations(_ arrays: [UnsafeMutableBufferPointer<Fr>], domain: Domain, shift: Fr, threads: Int) {
        @Sendable func scale(_ x: UnsafeMutableBufferPointer<Fr>) {
            var p = Fr.one
            for i in x.indices { x[i] = x[i] * p; p = p * shift }
        }
        let count = arrays.count
        precondition(count < Int.bitWidth, "oddCosetEvaluations: at most \(Int.bitWidth - 1) arrays (one bit each below)")
        let workers = min(max(1, threads), count)
        if workers == 1 {
            for x in arrays { domain.inverse(x, threads: threads); scale(x); domain.forward(x, threads: threads) }
            return
        }
        let inner = max(1, threads / workers)
        let box = UncheckedSendable(value: arrays)
        let nextTask = Atomic<Int>(0)
        let inverted = Atomic<Int>(0)  // bit k: array k's inverse transform is done
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let arrays = box.value
            while true {
                let task = nextTask.add(1, ordering: .relaxed).oldValue
                if task >= 2 * count { return }
                if task < count {
                    domain.inverse(arrays[task], threads: inner)
                    inverted.bitwiseOr(1 << task, ordering: .releasing)
                } else {
                    let k = task - count
                    // Its inverse was handed out earlier and is running on another worker, which waits for nothing.
                    while inverted.load(ordering: .acquiring) & (1 << k) == 0 { sched_yield() }
                    scale(arrays[k])
                    domain.forward(arrays[k], threads: inner)
                }
            }
        }
    }
}

/// The parts of a proving key the prover needs besides its QAP matrices and bulk point arrays.
struct ProverKeyHeader: Sendable {
    var publicCount: Int
    var wireCount: Int
    var domainSize: Int
    var alpha1: G1Affine
    var beta1: G1Affine
    var beta2: G2Affine
    var delta1: G1Affine
    var delta2: G2Affine
}

/// One of a proving key's bulk G1 point arrays.
enum G1KeyPoints { case a, b1, c, h }

/// Where the prover gets a key's bulk point arrays: each is asked for once, just before the MSM that uses it, and
/// dropped after it. The arrays have the counts of ``ProvingKey``'s invariants.
protocol ProverPointSource {
    /// Whether the arrays are read from a file (their time is then reported as ``ProverTimings/pointReads``).
    var readsFromFile: Bool { get }
    mutating func g1(_ which: G1KeyPoints) throws -> [G1Affine]
    mutating func b2Points() throws -> [G2Affine]
}

/// The arrays of a ``ProvingKey`` in memory, each handed over (and no longer held here) when asked for.
struct KeyPointArrays: ProverPointSource {
    var a: [G1Affine], b1: [G1Affine], b2: [G2Affine], c: [G1Affine], h: [G1Affine]
    var readsFromFile: Bool { false }
    mutating func g1(_ which: G1KeyPoints) -> [G1Affine] {
        switch which {
        case .a: return Self.take(&a)
        case .b1: return Self.take(&b1)
        case .c: return Self.take(&c)
        case .h: return Self.take(&h)
        }
    }
    mutating func b2Points() -> [G2Affine] { Self.take(&b2) }
    private static func take<T>(_ array: inout [T]) -> [T] {
        let taken = array
        array = []
        return taken
    }
}

/// The point sections of an open `.zkey`, each read (and checked) when asked for.
struct ZKeyFilePoints: ProverPointSource {
    let sections: ZKeyPointSections
    var readsFromFile: Bool { true }
    func g1(_ which: G1KeyPoints) throws -> [G1Affine] {
        switch which {
        case .a: return try sections.a()
        case .b1: return try sections.b1()
        case .c: return try sections.c()
        case .h: return try sections.h()
        }
    }
    func b2Points() throws -> [G2Affine] { try sections.b2() }
}
