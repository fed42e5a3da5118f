import Benchmark
import ZKAlgebra
import ZKBigNum

/// Deterministic inputs so runs are comparable.
struct BenchRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Field operations are timed in chains of `inner` dependent operations so the per-operation
/// figure (reported by dividing by `inner`, via scalingFactor) is latency, not throughput.
let inner = 1000

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], timeUnits: .nanoseconds,
                                           maxDuration: .seconds(2), maxIterations: 100_000)
    var rng = BenchRNG(state: 42)
    let fr1 = Fr.random(using: &rng), fr2 = Fr.random(using: &rng)
    let fq1 = Fq.random(using: &rng), fq2 = Fq.random(using: &rng)
    let e1 = Fq2(Fq.random(using: &rng), Fq.random(using: &rng)), e2 = Fq2(Fq.random(using: &rng), Fq.random(using: &rng))
    let scaled = Benchmark.Configuration(metrics: [.wallClock], timeUnits: .nanoseconds, scalingFactor: .kilo,
                                         maxDuration: .seconds(2), maxIterations: 100_000)

    Benchmark("Fr mul (ns/op)", configuration: scaled) { benchmark in
        var x = fr1
        for _ in benchmark.scaledIterations { x = x * fr2 }
        blackHole(x)
    }
    Benchmark("Fq mul (ns/op)", configuration: scaled) { benchmark in
        var x = fq1
        for _ in benchmark.scaledIterations { x = x * fq2 }
        blackHole(x)
    }
    Benchmark("Fq square (ns/op)", configuration: scaled) { benchmark in
        var x = fq1
        for _ in benchmark.scaledIterations { x = x.squared() }
        blackHole(x)
    }
    Benchmark("Fq add (ns/op)", configuration: scaled) { benchmark in
        var x = fq1
        for _ in benchmark.scaledIterations { x = x + fq2 }
        blackHole(x)
    }
    Benchmark("Fq mul via GMP mpn Montgomery (ns/op)", configuration: scaled) { benchmark in
        let mont = MPNMontgomery4(modulus: Fq.modulus.limbs(count: 4)!)
        let a = UnsafeMutablePointer<UInt64>.allocate(capacity: 4)
        let b = UnsafeMutablePointer<UInt64>.allocate(capacity: 4)
        defer { a.deallocate(); b.deallocate() }
        for (i, l) in [fq1.l0, fq1.l1, fq1.l2, fq1.l3].enumerated() { a[i] = l }
        for (i, l) in [fq2.l0, fq2.l1, fq2.l2, fq2.l3].enumerated() { b[i] = l }
        for _ in benchmark.scaledIterations { mont.multiply(a, b, into: a) }
        blackHole(a[0])
    }
    Benchmark("Fq inverse (ns/op)") { benchmark in
        var x = fq1
        for _ in benchmark.scaledIterations { x = x.inverse()! }
        blackHole(x)
    }
    Benchmark("Fq2 mul (ns/op)", configuration: scaled) { benchmark in
        var x = e1
        for _ in benchmark.scaledIterations { x = x * e2 }
        blackHole(x)
    }
    Benchmark("Fq2 square (ns/op)", configuration: scaled) { benchmark in
        var x = e1
        for _ in benchmark.scaledIterations { x = x.squared() }
        blackHole(x)
    }

    let p1 = G1.generator * Fr.random(using: &rng)
    let p2 = (G1.generator * Fr.random(using: &rng)).affine
    let q1 = G2.generator * Fr.random(using: &rng)
    let q2 = G2.generator * Fr.random(using: &rng)
    Benchmark("G1 mixed add (ns/op)", configuration: scaled) { benchmark in
        var x = p1
        for _ in benchmark.scaledIterations { x = x.adding(p2) }
        blackHole(x)
    }
    Benchmark("G1 add (ns/op)", configuration: scaled) { benchmark in
        var x = p1
        for _ in benchmark.scaledIterations { x = x + p1 }
        blackHole(x)
    }
    Benchmark("G1 double (ns/op)", configuration: scaled) { benchmark in
        var x = p1
        for _ in benchmark.scaledIterations { x = x.doubled() }
        blackHole(x)
    }
    Benchmark("G2 add (ns/op)", configuration: scaled) { benchmark in
        var x = q1
        for _ in benchmark.scaledIterations { x = x + q2 }
        blackHole(x)
    }
    Benchmark("G2 double (ns/op)", configuration: scaled) { benchmark in
        var x = q1
        for _ in benchmark.scaledIterations { x = x.doubled() }
        blackHole(x)
    }
    let k = Fr.random(using: &rng)
    Benchmark("G1 scalar mul (µs)", configuration: .init(metrics: [.wallClock], timeUnits: .microseconds)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(p1 * k) }
    }
    Benchmark("G2 scalar mul (µs)", configuration: .init(metrics: [.wallClock], timeUnits: .microseconds)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(q1 * k) }
    }
    Benchmark("G2 subgroup check (µs)", configuration: .init(metrics: [.wallClock], timeUnits: .microseconds)) { benchmark in
        let a = q1.affine
        for _ in benchmark.scaledIterations { blackHole(a.isInSubgroup) }
    }

    let g1 = p1.affine, g2 = q1.affine
    Benchmark("Pairing (µs)", configuration: .init(metrics: [.wallClock], timeUnits: .microseconds)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Pairing.pairing(g1, g2)) }
    }
    let pairs: [(G1Affine, G2Affine)] = (0..<4).map { _ in
        ((G1.generator * Fr.random(using: &rng)).affine, (G2.generator * Fr.random(using: &rng)).affine)
    }
    Benchmark("Multi-pairing, 4 pairs (µs)", configuration: .init(metrics: [.wallClock], timeUnits: .microseconds)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Pairing.check(pairs)) }
    }
    let prepared = pairs.map { ($0.0, G2Prepared($0.1)) }
    Benchmark("Multi-pairing, 4 pairs, prepared G2 (µs)", configuration: .init(metrics: [.wallClock], timeUnits: .microseconds)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Pairing.check(prepared: prepared)) }
    }
    let f = Pairing.millerLoop([(g1, G2Prepared(g2))])
    Benchmark("Final exponentiation (µs)", configuration: .init(metrics: [.wallClock], timeUnits: .microseconds)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Pairing.finalExponentiation(f)) }
    }
    Benchmark("Miller loop, 1 pair (µs)", configuration: .init(metrics: [.wallClock], timeUnits: .microseconds)) { benchmark in
        let pq = [(g1, G2Prepared(g2))]
        for _ in benchmark.scaledIterations { blackHole(Pairing.millerLoop(pq)) }
    }
}
