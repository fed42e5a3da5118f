import Foundation

// MARK: - Results schema (version 1)
//
// The document written to `results.json` by `zkinfer bench`. Documented field by field in
// `Docs/bench-schema.md`; any change that renames or removes a field, or changes a unit, must bump
// `BenchResults.currentSchemaVersion`.

/// All measurements of one `zkinfer bench` run: where and how they were taken, which suites ran,
/// one ``BenchRow`` per measured quantity, and the per-model figures (``ModelBenchResult``).
public struct BenchResults: Codable, Sendable, Equatable {
    /// The schema version this library writes.
    public static let currentSchemaVersion = 1

    /// Always ``currentSchemaVersion`` (1) when written by this library.
    public var schemaVersion: Int
    public var machine: MachineInfo
    public var build: BuildInfo
    /// The suites that ran, in order, with their parameters and wall time.
    public var suites: [SuiteInfo]
    /// One row per measured quantity of the `primitives` and `groth16` suites.
    public var rows: [BenchRow]
    /// The `models` suite: one entry per compiled model (filled by the model compiler's hook).
    public var models: [ModelBenchResult]

    public init(schemaVersion: Int = BenchResults.currentSchemaVersion, machine: MachineInfo, build: BuildInfo,
                suites: [SuiteInfo] = [], rows: [BenchRow] = [], models: [ModelBenchResult] = []) {
        self.schemaVersion = schemaVersion
        self.machine = machine; self.build = build
        self.suites = suites; self.rows = rows; self.models = models
    }

    /// `rows` followed by the rows derived from `models` (``ModelBenchResult/rows``): what the CSV,
    /// the comparison and the plots read.
    public var allRows: [BenchRow] { rows + models.flatMap(\.rows) }

    /// The first row with this key, if any.
    public func row(suite: String, name: String, size: Int? = nil, metric: String) -> BenchRow? {
        allRows.first { $0.suite == suite && $0.name == name && $0.size == size && $0.metric == metric }
    }

    /// Decodes a results document, rejecting unknown schema versions.
    public static func decode(_ data: Data) throws -> BenchResults {
        let decoder = JSONDecoder()
        let results: BenchResults
        do { results = try decoder.decode(BenchResults.self, from: data) } catch let error as DecodingError {
            throw BenchError.malformedResults(describe(error))
        }
        guard results.schemaVersion == currentSchemaVersion else {
            throw BenchError.malformedResults("schemaVersion \(results.schemaVersion) is not supported (this build reads \(currentSchemaVersion))")
        }
        return results
    }
}

/// One measured quantity.
///
/// Keyed by (`suite`, `name`, `size`, `metric`), which ``compare(a:b:)`` matches on. Timing rows
/// hold the median of `repetitions` samples in `value`, with `min`/`max`; other rows (sizes in
/// bytes, counts) have those three fields absent.
public struct BenchRow: Codable, Sendable, Equatable, Hashable {
    /// `primitives`, `groth16` or `models`.
    public var suite: String
    /// What was measured, e.g. `Fr mul`, `MSM G1`, `square chain`, or a model name.
    public var name: String
    /// The problem size, when the measurement has one: points of an MSM, elements of an NTT,
    /// constraints of a circuit (`nil` for single operations).
    public var size: Int?
    /// e.g. `time`, `setup`, `prove`, `prove.msmH`, `verify`, `provingKeyBytes`, `peakMemoryBytes`.
    public var metric: String
    /// The median for timings; the value otherwise.
    public var value: Double
    /// `ns`, `ms`, `s`, `bytes`, `count`, `ratio`.
    public var unit: String
    public var min: Double?
    public var max: Double?
    /// Number of timed samples (after warm-up) behind `value`/`min`/`max`.
    public var repetitions: Int?
    /// Operations timed per sample for micro-benchmarks (the per-op time is the sample's time divided by this).
    public var opsPerSample: Int?

    public init(suite: String, name: String, size: Int? = nil, metric: String, value: Double, unit: String,
                min: Double? = nil, max: Double? = nil, repetitions: Int? = nil, opsPerSample: Int? = nil) {
        self.suite = suite; self.name = name; self.size = size; self.metric = metric
        self.value = value; self.unit = unit
        self.min = min; self.max = max; self.repetitions = repetitions; self.opsPerSample = opsPerSample
    }

    /// A timing row from a measurement, converted to `unit` (`ns`, `us`, `ms` or `s`).
    public init(suite: String, name: String, size: Int? = nil, metric: String, _ m: BenchMeasurement, unit: String) {
        let scale = BenchMeasurement.secondsPer(unit)
        self.init(suite: suite, name: name, size: size, metric: metric, value: m.median / scale, unit: unit,
                  min: m.min / scale, max: m.max / scale, repetitions: m.samples.count,
                  opsPerSample: m.opsPerSample == 1 ? nil : m.opsPerSample)
    }

    /// The comparison key.
    public var key: RowKey { RowKey(suite: suite, name: name, size: size, metric: metric) }
}

/// (`suite`, `name`, `size`, `metric`): what identifies a measurement across runs.
public struct RowKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var suite: String, name: String, size: Int?, metric: String
    public init(suite: String, name: String, size: Int?, metric: String) {
        self.suite = suite; self.name = name; self.size = size; self.metric = metric
    }
    public static func < (l: RowKey, r: RowKey) -> Bool {
        (l.suite, l.name, l.size ?? -1, l.metric) < (r.suite, r.name, r.size ?? -1, r.metric)
    }
    public var description: String { "\(suite)/\(name)\(size.map { "/\($0)" } ?? "")/\(metric)" }
}

/// The machine the run happened on.
public struct MachineInfo: Codable, Sendable, Equatable {
    /// `model name` from /proc/cpuinfo ("unknown" where absent).
    public var cpuModel: String
    /// Logical CPUs online (`ProcessInfo.processorCount`).
    public var cores: Int
    /// Logical CPUs this process may use (`ProcessInfo.activeProcessorCount`).
    public var activeCores: Int
    /// `MemTotal` from /proc/meminfo, in bytes (0 where unknown).
    public var memoryBytes: Int
    /// `ProcessInfo.operatingSystemVersionString`.
    public var os: String
    public var hostname: String

    public init(cpuModel: String, cores: Int, activeCores: Int, memoryBytes: Int, os: String, hostname: String) {
        self.cpuModel = cpuModel; self.cores = cores; self.activeCores = activeCores
        self.memoryBytes = memoryBytes; self.os = os; self.hostname = hostname
    }
}

/// How the measured code was built and run.
public struct BuildInfo: Codable, Sendable, Equatable {
    /// `release` or `debug` (`#if DEBUG` in ZKBench).
    public var configuration: String
    /// env `ZKINFER_COMMIT`, else `git rev-parse HEAD` in the working directory, else `unknown`.
    public var commit: String
    /// Whether `git status --porcelain` listed changes (nil when git was not asked).
    public var dirty: Bool?
    /// The zkinfer version (`zkinfer --version`).
    public var version: String
    /// Start of the run, ISO 8601 (UTC).
    public var date: String
    /// Worker threads given to MSM, NTT, setup and prover (field and curve micro-benchmarks are single-threaded).
    public var threads: Int
    /// Timed samples per measurement (after the warm-up).
    public var repetitions: Int
    /// Untimed warm-up runs before the samples.
    public var warmup: Int

    public init(configuration: String, commit: String, dirty: Bool? = nil, version: String, date: String,
                threads: Int, repetitions: Int, warmup: Int) {
        self.configuration = configuration; self.commit = commit; self.dirty = dirty; self.version = version
        self.date = date; self.threads = threads; self.repetitions = repetitions; self.warmup = warmup
    }
}

/// A suite that ran: its name, parameters (as text) and wall time.
public struct SuiteInfo: Codable, Sendable, Equatable {
    public var name: String
    public var parameters: [String: String]
    public var seconds: Double
    public init(name: String, parameters: [String: String] = [:], seconds: Double) {
        self.name = name; self.parameters = parameters; self.seconds = seconds
    }
}

/// One layer of a compiled model: its share of the model's constraints.
public struct LayerBenchResult: Codable, Sendable, Equatable {
    /// Layer name (as in the ONNX graph or the compiler's naming).
    public var name: String
    /// Operator, e.g. `Gemm`, `Conv`, `Relu`, `MaxPool`.
    public var op: String
    public var constraints: Int
    /// `constraints / model constraints`, in 0...1.
    public var share: Double
    public init(name: String, op: String, constraints: Int, share: Double) {
        self.name = name; self.op = op; self.constraints = constraints; self.share = share
    }
}

/// The `models` suite's figures for one model: filled by the model compiler (see `runModelSuite`
/// in the CLI), rendered by ZKBench's report, CSV and plots.
public struct ModelBenchResult: Codable, Sendable, Equatable {
    public var name: String
    public var constraints: Int
    public var layers: [LayerBenchResult]
    public var compileSeconds: Double
    public var setupSeconds: Double
    /// Median time to prove one input: witness generation (building the circuit for the input) plus the Groth16 proof.
    public var proveSeconds: Double
    public var verifySeconds: Double
    /// Test-set accuracy of the float model, in 0...1.
    public var accuracyFloat: Double
    /// Test-set accuracy of the quantized (integer) model, in 0...1.
    public var accuracyQuantized: Double
    /// Fraction of test inputs on which the float and quantized models predict the same class, in 0...1.
    public var agreement: Double
    public var provingKeyBytes: Int
    public var verificationKeyBytes: Int
    public var proofBytes: Int
    public var peakMemoryBytes: Int

    public init(name: String, constraints: Int, layers: [LayerBenchResult], compileSeconds: Double, setupSeconds: Double,
                proveSeconds: Double, verifySeconds: Double, accuracyFloat: Double, accuracyQuantized: Double,
                agreement: Double, provingKeyBytes: Int, verificationKeyBytes: Int, proofBytes: Int, peakMemoryBytes: Int) {
        self.name = name; self.constraints = constraints; self.layers = layers
        self.compileSeconds = compileSeconds; self.setupSeconds = setupSeconds
        self.proveSeconds = proveSeconds; self.verifySeconds = verifySeconds
        self.accuracyFloat = accuracyFloat; self.accuracyQuantized = accuracyQuantized; self.agreement = agreement
        self.provingKeyBytes = provingKeyBytes; self.verificationKeyBytes = verificationKeyBytes
        self.proofBytes = proofBytes; self.peakMemoryBytes = peakMemoryBytes
    }

    /// This model as rows of suite `models` (name = model name, size = constraints), in the units of
    /// the `groth16` suite: times in seconds, sizes in bytes, accuracies as ratios. Layers are rows
    /// with metric `layer.<name>.constraints`.
    public var rows: [BenchRow] {
        func row(_ metric: String, _ value: Double, _ unit: String) -> BenchRow {
            BenchRow(suite: "models", name: name, size: constraints, metric: metric, value: value, unit: unit)
        }
        var out = [
            row("constraints", Double(constraints), "count"),
            row("compile", compileSeconds, "s"),
            row("setup", setupSeconds, "s"),
            row("prove", proveSeconds, "s"),
            row("verify", verifySeconds * 1000, "ms"),
            row("accuracyFloat", accuracyFloat, "ratio"),
            row("accuracyQuantized", accuracyQuantized, "ratio"),
            row("agreement", agreement, "ratio"),
            row("provingKeyBytes", Double(provingKeyBytes), "bytes"),
            row("verificationKeyBytes", Double(verificationKeyBytes), "bytes"),
            row("proofBytes", Double(proofBytes), "bytes"),
            row("peakMemoryBytes", Double(peakMemoryBytes), "bytes"),
        ]
        for layer in layers { out.append(row("layer.\(layer.name).constraints", Double(layer.constraints), "count")) }
        return out
    }
}

/// Errors of the bench library.
public enum BenchError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedResults(String)
    case invalidConfiguration(String)
    case io(String)

    public var description: String {
        switch self {
        case let .malformedResults(s): return "not a zkinfer bench results file: \(s)"
        case let .invalidConfiguration(s): return "invalid bench configuration: \(s)"
        case let .io(s): return s
        }
    }
}

/// A short, one-line description of a decoding error (the coding path and what was wrong).
func describe(_ error: DecodingError) -> String {
    func path(_ c: [CodingKey]) -> String {
        c.isEmpty ? "top level" : c.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case let .dataCorrupted(c): return "\(path(c.codingPath)): \(c.debugDescription)\(c.underlyingError.map { " (\($0.localizedDescription))" } ?? "")"
    case let .keyNotFound(key, c): return "\(path(c.codingPath + [key])): missing"
    case let .typeMismatch(_, c): return "\(path(c.codingPath)): \(c.debugDescription)"
    case let .valueNotFound(_, c): return "\(path(c.codingPath)): \(c.debugDescription)"
    @unknown default: return String(describing: error)
    }
}
