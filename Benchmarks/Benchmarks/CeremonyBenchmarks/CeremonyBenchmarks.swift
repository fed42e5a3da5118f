import Benchmark
import ZKAlgebra
import ZKConstraints
import ZKFormats
import ZKGroth16
import ZKModel
@_spi(Testing) import ZKCeremony

/// Phase-2 ceremony steps on the square chain (2^k − 3 constraints, a 2^k domain) for k = 12, 16:
/// `zkey new` from a prepared .ptau of power k + 1, one contribution, and the full verification of
/// a two-contribution chain against the .ptau (rebuild of the initial key included), 2 threads.
/// The .ptau is made from known secrets outside the measurement (`knownSecretsPreparedFile`: the
/// same layout and values a real ceremony's file has; building one with contributions and a group
/// FFT takes hours at these sizes). 2^20 figures come from the CLI (`scripts/ceremony-bench.sh`).
let benchmarks: @Sendable () -> Void = {
    for logN in [12, 16] {
        let box = CeremonyBox(logN: logN)
        let config = Benchmark.Configuration(metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds,
                                             maxDuration: .seconds(30), maxIterations: logN >= 16 ? 3 : 10)
        Benchmark("ceremony new 2^\(logN), 2 threads", configuration: config) { benchmark in
            let (r1cs, ptau) = (box.r1cs, box.ptau)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try PhaseTwo.newKey(r1cs: r1cs, ptau: ptau, threads: 2)) }
        }
        Benchmark("ceremony contribute 2^\(logN), 2 threads", configuration: config) { benchmark in
            let key = box.initial
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try PhaseTwo.contribute(key, name: "bench", entropy: [], threads: 2)) }
        }
        Benchmark("ceremony verify 2^\(logN) (2 contributions, from the .ptau), 2 threads", configuration: config) { benchmark in
            let (r1cs, ptau, final) = (box.r1cs, box.ptau, box.final)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try PhaseTwo.verify(r1cs: r1cs, ptau: ptau, final: final, threads: 2)) }
        }
    }
}

/// Inputs built once, on first use.
final class CeremonyBox: @unchecked Sendable {
    let logN: Int
    init(logN: Int) { self.logN = logN }
    lazy var r1cs: R1CSFile = R1CSFile(SyntheticCircuits.squareChain(count: (1 << logN) - 3, publicCount: 2).system)
    lazy var ptau: PowersOfTau = try! PowersOfTau(bytes: PhaseOne.knownSecretsPreparedFile(
        power: logN + 1, tau: Fr(0x1234_5678_9abc), alpha: Fr(0xa1f4), beta: Fr(0xbe7a)))
    lazy var initial: PhaseTwoKey = try! PhaseTwoKey(bytes: PhaseTwo.newKey(r1cs: r1cs, ptau: ptau))
    lazy var final: PhaseTwoKey = {
        let one = try! PhaseTwoKey(bytes: PhaseTwo.contribute(initial, name: "a", entropy: []).bytes)
        return try! PhaseTwoKey(bytes: PhaseTwo.contribute(one, name: "b", entropy: []).bytes)
    }()
}
