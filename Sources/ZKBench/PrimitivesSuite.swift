import ZKAlgebra

extension Bench {
    /// The `primitives` suite: field multiplications, curve additions and pairings (single-threaded
    /// loops, calibrated so that each sample takes at least `minimumSampleSeconds`; per-op time in
    /// ns), then G1/G2 MSMs and NTTs (whole calls on `threads` workers; time in ms and per element
    /// in ns). Inputs are pseudo-random full-width values from a fixed seed.
    public static func runPrimitives(_ config: BenchConfiguration, progress: BenchProgress? = nil) -> [BenchRow] {
        var rows: [BenchRow] = []
        var rng = SplitMix64(seed: 0x7A6B_696E_6665_7231)
        let reps = config.repetitions, minimum = config.minimumSampleSeconds

        func micro(_ name: String, _ body: (Int) -> Void) {
            progress?("primitives: \(name)")
            let m = BenchMeasurement.loop(minimumSampleSeconds: minimum, repetitions: reps, body)
            rows.append(BenchRow(suite: "primitives", name: name, metric: "time", m, unit: "ns"))
        }

        let fr1 = Fr.random(using: &rng), fr2 = Fr.random(using: &rng)
        micro("Fr mul") { n in
            var x = fr1
            for _ in 0..<n { x = x * fr2 }
            blackHole(x)
        }
        let fq1 = Fq.random(using: &rng), fq2 = Fq.random(using: &rng)
        micro("Fq mul") { n in
            var x = fq1
            for _ in 0..<n { x = x * fq2 }
            blackHole(x)
        }
        // Full Jacobian additions (both operands with z ≠ 1).
        let p1 = G1.generator * Fr.random(using: &rng), p2 = G1.generator * Fr.random(using: &rng)
        micro("G1 add") { n in
            var p = p1
            for _ in 0..<n { p = p + p2 }
            blackHole(p)
        }
        let q1 = G2.generator * Fr.random(using: &rng), q2 = G2.generator * Fr.random(using: &rng)
        micro("G2 add") { n in
            var q = q1
            for _ in 0..<n { q = q + q2 }
            blackHole(q)
        }
        let pa = p1.affine, qa = q1.affine
        micro("pairing") { n in
            for _ in 0..<n { blackHole(Pairing.pairing(pa, qa)) }
        }
        // A Groth16-verifier-shaped product: 4 pairs, one shared Miller loop and one final
        // exponentiation, G2 lines computed in the call (as the EVM precompile does).
        let pairs = (0..<4).map { _ in ((G1.generator * Fr.random(using: &rng)).affine, (G2.generator * Fr.random(using: &rng)).affine) }
        micro("multi-pairing 4 pairs") { n in
            for _ in 0..<n { blackHole(Pairing.check(pairs)) }
        }

        // MSMs: bases P_i = P_{i−1} + G (distinct points, cheap to make), full-width scalars.
        func whole(_ name: String, _ log: Int, _ body: () -> Void) {
            progress?("primitives: \(name) 2^\(log)")
            let m = BenchMeasurement.time(warmup: config.warmup, repetitions: reps, body)
            let size = 1 << log
            rows.append(BenchRow(suite: "primitives", name: name, size: size, metric: "time", m, unit: "ms"))
            let perElement = BenchMeasurement(samples: m.samples.map { $0 / Double(size) })
            rows.append(BenchRow(suite: "primitives", name: name, size: size, metric: "timePerElement", perElement, unit: "ns"))
        }
        func bases<C: CurveParameters>(_ count: Int, _ start: JacobianPoint<C>) -> [AffinePoint<C>] {
            var out: [JacobianPoint<C>] = []
            out.reserveCapacity(count)
            var p = start
            for _ in 0..<count { out.append(p); p = p + JacobianPoint<C>.generator }
            return batchToAffine(out)
        }
        if let maxG1 = config.msmG1Logs.max() {
            progress?("primitives: preparing 2^\(maxG1) G1 bases")
            let allBases = bases(1 << maxG1, p1)
            let allScalars = (0..<(1 << maxG1)).map { _ in Fr.random(using: &rng) }
            for log in config.msmG1Logs {
                let n = 1 << log
                let b = Array(allBases[0..<n]), s = Array(allScalars[0..<n])
                whole("MSM G1", log) { blackHole(MSM.multiScalarMultiply(bases: b, scalars: s, threads: config.threads)) }
                // The same MSM with the GLV split (not the default: slower here), to keep measuring that choice.
                whole("MSM G1 (GLV)", log) {
                    blackHole(MSM.multiScalarMultiply(bases: b, scalars: s, threads: config.threads, endomorphism: true))
                }
            }
        }
        if let maxG2 = config.msmG2Logs.max() {
            progress?("primitives: preparing 2^\(maxG2) G2 bases")
            let allBases = bases(1 << maxG2, q1)
            let allScalars = (0..<(1 << maxG2)).map { _ in Fr.random(using: &rng) }
            for log in config.msmG2Logs {
                let n = 1 << log
                let b = Array(allBases[0..<n]), s = Array(allScalars[0..<n])
                whole("MSM G2", log) { blackHole(MSM.multiScalarMultiply(bases: b, scalars: s, threads: config.threads)) }
                // The same MSM with the GLV split (not the default: slower here), to keep measuring that choice.
                whole("MSM G2 (GLV)", log) {
                    blackHole(MSM.multiScalarMultiply(bases: b, scalars: s, threads: config.threads, endomorphism: true))
                }
            }
        }
        for log in config.nttLogs {
            guard let domain = Domain(logSize: log) else { continue }
            var values = (0..<(1 << log)).map { _ in Fr.random(using: &rng) }
            whole("NTT", log) { domain.forward(&values, threads: config.threads) }
        }
        return rows
    }
}
