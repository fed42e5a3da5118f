import Foundation
import ZKGroth16

/// The suites `zkinfer bench` knows. `models` is run by the caller (the model compiler lives
/// outside this module) and handed to ``Bench/run(_:configuration:models:progress:)``.
public enum BenchSuite: String, CaseIterable, Codable, Sendable {
    case primitives, groth16, models
}

/// A progress message for long runs (the CLI prints it on stderr).
public typealias BenchProgress = @Sendable (String) -> Void

/// What to measure and how often.
public struct BenchConfiguration: Sendable, Equatable {
    /// Worker threads for MSM, NTT, setup and the prover.
    public var threads: Int
    /// Timed samples per measurement.
    public var repetitions: Int
    /// Untimed runs before the samples of whole-call measurements (MSM, NTT, prove). Loop
    /// micro-benchmarks warm up during their calibration instead.
    public var warmup: Int
    /// The shortest sample a micro-benchmark loop may take: the loop count is calibrated up to it.
    public var minimumSampleSeconds: Double
    /// log2 sizes of the G1 MSMs, G2 MSMs, NTTs and square-chain circuits.
    public var msmG1Logs: [Int]
    public var msmG2Logs: [Int]
    public var nttLogs: [Int]
    public var groth16Logs: [Int]
    /// zkinfer's version, recorded in ``BuildInfo``.
    public var version: String

    public init(threads: Int? = nil, repetitions: Int = 3, warmup: Int = 1, minimumSampleSeconds: Double = 0.01,
                msmG1Logs: [Int] = BenchConfiguration.msmG1Logs(max: 16), msmG2Logs: [Int] = [12],
                nttLogs: [Int] = [12, 16, 20], groth16Logs: [Int] = BenchConfiguration.groth16Logs(max: 20),
                version: String = "unknown") {
        self.threads = threads ?? defaultThreadCount()
        self.repetitions = repetitions; self.warmup = warmup; self.minimumSampleSeconds = minimumSampleSeconds
        self.msmG1Logs = msmG1Logs; self.msmG2Logs = msmG2Logs; self.nttLogs = nttLogs; self.groth16Logs = groth16Logs
        self.version = version
    }

    /// 2^10, 2^14, 2^16, then every even power up to `max` (and `max` itself), all ≤ `max`;
    /// `[max]` when `max` < 10.
    public static func msmG1Logs(max: Int) -> [Int] {
        guard max >= 10 else { return [max] }
        var logs = [10, 14, 16].filter { $0 <= max }
        var k = 18
        while k <= max { logs.append(k); k += 2 }
        if logs.last != max { logs.append(max) }
        return logs
    }

    /// 10 ... `max` (`[max]` when `max` < 10).
    public static func groth16Logs(max: Int) -> [Int] { max < 10 ? [max] : Array(10...max) }

    /// Throws when a size, count or thread number is out of range.
    public func validate() throws {
        func check(_ ok: Bool, _ message: String) throws { if !ok { throw BenchError.invalidConfiguration(message) } }
        try check((1...1024).contains(threads), "threads must be in 1...1024")
        try check((1...1000).contains(repetitions), "repetitions must be in 1...1000")
        try check((0...100).contains(warmup), "warmup must be in 0...100")
        try check(minimumSampleSeconds > 0 && minimumSampleSeconds <= 10, "minimumSampleSeconds must be in (0, 10]")
        try check(msmG1Logs.allSatisfy { (1...24).contains($0) }, "G1 MSM sizes must be 2^1 ... 2^24")
        try check(msmG2Logs.allSatisfy { (1...22).contains($0) }, "G2 MSM sizes must be 2^1 ... 2^22")
        try check(nttLogs.allSatisfy { (1...24).contains($0) }, "NTT sizes must be 2^1 ... 2^24")
        // 2^k − 3 constraints with 2 public inputs: k ≥ 2; the setup's 2n coset caps k at 27 (memory long before).
        try check(groth16Logs.allSatisfy { (2...24).contains($0) }, "circuit sizes must be 2^2 ... 2^24")
    }
}

/// Runs the suites and assembles a ``BenchResults``.
public enum Bench {
    /// Runs `suites` in the order of ``BenchSuite/allCases``. `models` is called for the `models`
    /// suite (the model compiler's hook); it may print its own progress.
    public static func run(_ suites: Set<BenchSuite>, configuration: BenchConfiguration,
                           models: () throws -> [ModelBenchResult] = { [] },
                           progress: BenchProgress? = nil) throws -> BenchResults {
        try configuration.validate()
        let build = BuildInfo.current(version: configuration.version, threads: configuration.threads,
                                      repetitions: configuration.repetitions, warmup: configuration.warmup)
        var results = BenchResults(machine: .current(), build: build)
        for suite in BenchSuite.allCases where suites.contains(suite) {
            let start = ContinuousClock.now
            var parameters: [String: String] = [:]
            switch suite {
            case .primitives:
                results.rows += runPrimitives(configuration, progress: progress)
                parameters = ["msmG1": logList(configuration.msmG1Logs), "msmG2": logList(configuration.msmG2Logs),
                              "ntt": logList(configuration.nttLogs),
                              "minimumSampleSeconds": String(configuration.minimumSampleSeconds)]
            case .groth16:
                results.rows += try runGroth16(configuration, progress: progress)
                parameters = ["circuit": "square chain, 2^k - 3 constraints, 2 public inputs",
                              "sizes": logList(configuration.groth16Logs),
                              "peakMemory": ProcessMemory.resetPeak()
                                ? "VmHWM of each size alone (peak reset before each size)"
                                : "VmHWM, the process peak so far (this kernel refused the reset)"]
            case .models:
                results.models += try models()
            }
            results.suites.append(SuiteInfo(name: suite.rawValue, parameters: parameters, seconds: seconds(ContinuousClock.now - start)))
        }
        return results
    }

    static func logList(_ logs: [Int]) -> String { logs.map { "2^\($0)" }.joined(separator: ",") }
}

