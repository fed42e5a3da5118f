import ZKAlgebra
import ZKSodium

/// Wall-clock time of each prover phase, for reports and benchmarks.
public struct ProverTimings: Sendable, Hashable, CustomStringConvertible {
    public var rows: Duration = .zero
    public var ntt: Duration = .zero
    public var msmA: Duration = .zero
    public var msmB1: Duration = .zero
    public var msmB2: Duration = .zero
    public var msmC: Duration = .zero
    public var msmH: Duration = .zero
    public var total: Duration = .zero
    public var description: String {
        func ms(_ d: Duration) -> String {
            let tenths = Int((Double(d.components.seconds) * 1e4 + Double(d.components.attoseconds) / 1e14).rounded())
            return "\(tenths / 10).\(tenths % 10) ms"
        }
        return "rows \(ms(rows)), NTTs \(ms(ntt)), MSM A \(ms(msmA)), B1 \(ms(msmB1)), B2 \(ms(msmB2)), C \(ms(msmC)), H \(ms(msmH)), total \(ms(total))"
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
        progress?("prove: evaluating constraints", 0)
        var a = [Fr](repeating: .zero, count: n)
        var b = [Fr](repeating: .zero, count: n)
        var t = clock.now
        witness.withUnsafeBufferPointer { w in
            a.withUnsafeMutableBufferPointer { QAP.evaluateRows(pk.matrixA, witness: w, into: $0) }
            b.withUnsafeMutableBufferPointer { QAP.evaluateRows(pk.matrixB, witness: w, into: $0) }
        }
        var c = zip(a, b).map { $0 * $1 }
        pk.matrixA = SparseMatrix(); pk.matrixB = SparseMatrix()  // not needed again
        timings.rows = clock.now - t

        // 2. Interpolate, move to the odd coset ω_{2n}·H, evaluate: 3 inverse + 3 forward NTTs.
        progress?("prove: NTTs", 0.1)
        t = clock.now
        domain.inverse(&a, threads: threads)
        domain.inverse(&b, threads: threads)
        domain.inverse(&c, threads: threads)
        let shift = domain2.omega
        a.withUnsafeMutableBufferPointer { ab in
            b.withUnsafeMutableBufferPointer { bb in
                c.withUnsafeMutableBufferPointer { cb in
                    let (pa, pb, pc) = (SendablePointer(base: ab.baseAddress!), SendablePointer(base: bb.baseAddress!), SendablePointer(base: cb.baseAddress!))
                    parallelChunks(n, threads: threads) { range in
                        var p = shift.power(UInt64(range.lowerBound))
                        for i in range {
                            pa.base[i] = pa.base[i] * p
                            pb.base[i] = pb.base[i] * p
                            pc.base[i] = pc.base[i] * p
                            p = p * shift
                        }
                    }
                }
            }
        }
        domain.forward(&a, threads: threads)
        domain.forward(&b, threads: threads)
        domain.forward(&c, threads: threads)
        for i in 0..<n { a[i] = a[i] * b[i] - c[i] }  // h evaluations on the odd coset
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
        // H first (then its scalars go), B2 last: its scratch (the GLV images are 128 bytes a point) is the largest, and
        // by then the G1 arrays before it have been released.
        let msmH = timed("MSM H", 0.3, \.msmH) { MSM.multiScalarMultiply(bases: pk.h, scalars: a, threads: threads) }
        pk.h = []; a = []
        let msmA = timed("MSM A", 0.4, \.msmA) { MSM.multiScalarMultiply(bases: pk.a, scalars: witness, threads: threads) }
        pk.a = []
        let msmB1 = timed("MSM B1", 0.5, \.msmB1) { MSM.multiScalarMultiply(bases: pk.b1, scalars: witness, threads: threads) }
        pk.b1 = []
        let msmC = timed("MSM C", 0.6, \.msmC) {
            // The private wires' scalars, borrowed in place (no copy of the witness).
            pk.c.withUnsafeBufferPointer { bases in
                witness.withUnsafeBufferPointer { w in
                    MSM.multiScalarMultiply(bases: bases, scalars: UnsafeBufferPointer(rebasing: w[(pk.publicCount + 1)...]), threads: threads)
                }
            }
        }
        pk.c = []
        let msmB2 = timed("MSM B2", 0.7, \.msmB2) { MSM.multiScalarMultiply(bases: pk.b2, scalars: witness, threads: threads) }
        pk.b2 = []

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
