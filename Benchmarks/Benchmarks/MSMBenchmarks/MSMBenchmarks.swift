import Benchmark
import ZKAlgebra

// Prover engines: multi-scalar multiplication (G1, G2) and the NTT over Fr, with 1 and 2 threads.
// Inputs are generated once (lazily, outside the measured region) and sliced per size.

/// SplitMix64, so runs are comparable.
struct MSMBenchRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Pseudo-random group elements: a chain `P₀ = [k]G`, `Pᵢ₊₁ = Pᵢ + Δ_(i mod 64)` with random
/// steps `Δ`, converted to affine with one batched inversion. Far cheaper than one scalar
/// multiplication per base, and MSM cost does not depend on how the bases were drawn.
func msmBenchBases<C: CurveParameters>(_: C.Type, count: Int, seed: UInt64) -> [AffinePoint<C>] {
    var rng = MSMBenchRNG(state: seed)
    let g = JacobianPoint<C>.generator
    let steps = (0..<64).map { _ in g * Fr.random(using: &rng) }
    var p = g * Fr.random(using: &rng)
    var points: [JacobianPoint<C>] = []
    points.reserveCapacity(count)
    for i in 0..<count {
        p = p + steps[i & 63]
        points.append(p)
    }
    return batchToAffine(points)
}

func msmBenchScalars(count: Int, seed: UInt64) -> [Fr] {
    var rng = MSMBenchRNG(state: seed)
    return (0..<count).map { _ in Fr.random(using: &rng) }
}

let maxG1Log = 20, maxG2Log = 18, maxNTTLog = 22
let g1BenchBases: [G1Affine] = msmBenchBases(BN254G1.self, count: 1 << maxG1Log, seed: 1)
let g2BenchBases: [G2Affine] = msmBenchBases(BN254G2.self, count: 1 << maxG2Log, seed: 2)
let benchScalars: [Fr] = msmBenchScalars(count: 1 << max(maxG1Log, maxNTTLog), seed: 3)

/// Few iterations for the large sizes so the suite stays short.
func msmBenchConfiguration(logSize: Int, heavy: Int) -> Benchmark.Configuration {
    let big = logSize >= heavy
    return .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResident], timeUnits: .milliseconds,
                 warmupIterations: big ? 0 : 1, maxDuration: .seconds(big ? 15 : 3), maxIterations: big ? 3 : 25)
}

func threadLabel(_ threads: Int) -> String { threads == 1 ? "1 thread" : "\(threads) threads" }

let benchmarks: @Sendable () -> Void = {
    for logN in stride(from: 10, through: maxG1Log, by: 2) {
        for threads in [1, 2] {
            Benchmark("G1 MSM 2^\(logN) (\(threadLabel(threads)))",
                      configuration: msmBenchConfiguration(logSize: logN, heavy: 16)) { benchmark in
                let n = 1 << logN
                let bases = Array(g1BenchBases[0..<n]), scalars = Array(benchScalars[0..<n])
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    blackHole(MSM.multiScalarMultiply(bases: bases, scalars: scalars, threads: threads))
                }
            }
        }
    }
    for logN in stride(from: 10, through: maxG2Log, by: 2) {
        for threads in [1, 2] {
            Benchmark("G2 MSM 2^\(logN) (\(threadLabel(threads)))",
                      configuration: msmBenchConfiguration(logSize: logN, heavy: 14)) { benchmark in
                let n = 1 << logN
                let bases = Array(g2BenchBases[0..<n]), scalars = Array(benchScalars[0..<n])
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    blackHole(MSM.multiScalarMultiply(bases: bases, scalars: scalars, threads: threads))
                }
            }
        }
    }
    for logN in stride(from: 10, through: maxNTTLog, by: 2) {
        for threads in [1, 2] {
            Benchmark("NTT forward 2^\(logN) (\(threadLabel(threads)))",
                      configuration: msmBenchConfiguration(logSize: logN, heavy: 20)) { benchmark in
                guard let domain = Domain(logSize: logN) else { return }
                var values = Array(benchScalars[0..<(1 << logN)])
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    domain.forward(&values, threads: threads)
                }
                blackHole(values)
            }
        }
    }
}
