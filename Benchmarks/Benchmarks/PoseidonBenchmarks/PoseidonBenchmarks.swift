import Benchmark
import ZKAlgebra
import ZKPoseidon

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

/// Native Poseidon (circomlib parameters). Parameters are generated before timing starts
/// (the first call per width runs the Grain LFSR), so the figures are the steady-state hash cost.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], timeUnits: .microseconds,
                                           maxDuration: .seconds(2), maxIterations: 100_000)
    var rng = BenchRNG(state: 42)
    let two = (0..<2).map { _ in Fr.random(using: &rng) }
    let sixteen = (0..<16).map { _ in Fr.random(using: &rng) }
    let thousand = (0..<1000).map { _ in Fr.random(using: &rng) }
    _ = try? Poseidon.hash(two)       // warm the parameter cache: t = 3
    _ = try? Poseidon.hash(sixteen)   // t = 17 (also used by hashMany)

    Benchmark("Poseidon hash t=3, 2 inputs (µs)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try? Poseidon.hash(two)) }
    }
    Benchmark("Poseidon hash t=17, 16 inputs (µs)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try? Poseidon.hash(sixteen)) }
    }
    Benchmark("Poseidon hashMany, 1000 elements (µs)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Poseidon.hashMany(thousand)) }
    }
    Benchmark("Poseidon parameter generation t=17, uncached (µs)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try? PoseidonParameters.generate(width: 17)) }
    }
}
