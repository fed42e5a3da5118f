import Foundation

/// Wall-clock samples of one measurement, in seconds per operation.
public struct BenchMeasurement: Sendable, Equatable {
    /// Seconds per operation, one per timed sample (warm-up runs excluded).
    public var samples: [Double]
    /// Operations per sample (1 for whole-call measurements such as an MSM).
    public var opsPerSample: Int

    public init(samples: [Double], opsPerSample: Int = 1) {
        precondition(!samples.isEmpty, "a measurement needs at least one sample")
        self.samples = samples; self.opsPerSample = opsPerSample
    }

    public var median: Double {
        let s = samples.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    public var min: Double { samples.min()! }
    public var max: Double { samples.max()! }

    /// Seconds in one `unit` (`ns`, `us`, `ms`, `s`).
    public static func secondsPer(_ unit: String) -> Double {
        switch unit {
        case "ns": return 1e-9
        case "us": return 1e-6
        case "ms": return 1e-3
        default: return 1
        }
    }

    /// `warmup` untimed calls of `body`, then `repetitions` timed ones.
    public static func time(warmup: Int, repetitions: Int, _ body: () throws -> Void) rethrows -> BenchMeasurement {
        for _ in 0..<warmup { try body() }
        var samples: [Double] = []
        for _ in 0..<Swift.max(1, repetitions) {
            let start = ContinuousClock.now
            try body()
            samples.append(seconds(ContinuousClock.now - start))
        }
        return BenchMeasurement(samples: samples)
    }

    /// A micro-benchmark: `body(n)` performs `n` operations. The calibration doubles `n` until one
    /// call takes at least `minimumSampleSeconds` (those calls are the warm-up), then times
    /// `repetitions` calls with that `n` and reports seconds per operation.
    public static func loop(minimumSampleSeconds: Double, repetitions: Int, maxOps: Int = 1 << 26,
                            _ body: (Int) -> Void) -> BenchMeasurement {
        var n = 1
        while true {
            let start = ContinuousClock.now
            body(n)
            let elapsed = seconds(ContinuousClock.now - start)
            if elapsed >= minimumSampleSeconds || n >= maxOps { break }
            // Jump close to the target once a call is long enough to be timed reliably.
            if elapsed > 1e-4 {
                n = Swift.min(maxOps, Swift.max(n * 2, Int((Double(n) * minimumSampleSeconds * 1.2 / elapsed).rounded(.up))))
            } else {
                n = Swift.min(maxOps, n * 4)
            }
        }
        var samples: [Double] = []
        for _ in 0..<Swift.max(1, repetitions) {
            let start = ContinuousClock.now
            body(n)
            samples.append(seconds(ContinuousClock.now - start) / Double(n))
        }
        return BenchMeasurement(samples: samples, opsPerSample: n)
    }
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

/// Where ``blackHole(_:)`` writes: a global the optimizer cannot prove unused.
nonisolated(unsafe) private var blackHoleSink: UInt8 = 0

/// Consumes a value so that the loop computing it is not removed as dead code: the first byte of
/// its representation goes into a global, in a function the optimizer neither inlines nor rewrites
/// (an empty `@inline(never)` sink is not enough: dead-argument elimination drops its argument).
@inline(never) @_optimize(none)
public func blackHole<T>(_ value: T) {
    withUnsafeBytes(of: value) { bytes in blackHoleSink &+= bytes.first ?? 0 }
}

// MARK: - Memory

/// Resident memory of this process, from `/proc/self/status` (Linux; zero elsewhere).
///
/// `VmHWM` is the *process* peak resident set size **so far**: it never decreases on its own, so a
/// figure taken after a later, smaller measurement still shows the earlier, larger peak.
/// ``resetPeak()`` writes `5` to `/proc/self/clear_refs` (Linux ≥ 4.0), which sets the peak back
/// to the current RSS; the groth16 suite calls it before each circuit size so that each size's
/// `peakMemoryBytes` is that size's own peak (when the reset fails, the row says so with
/// `peakIsProcessPeak`).
public enum ProcessMemory {
    /// `VmHWM` in bytes: the peak resident set size (see the type's note).
    public static var peakResidentBytes: Int { statusField("VmHWM") }
    /// `VmRSS` in bytes: the current resident set size.
    public static var residentBytes: Int { statusField("VmRSS") }

    /// Resets `VmHWM` to the current RSS. Returns false where the kernel refuses (or is not Linux).
    @discardableResult
    public static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }

    static func statusField(_ name: String) -> Int {
        guard let text = readProcFile("/proc/self/status") else { return 0 }
        return kilobytesField(name, in: text)
    }

    /// The text of a /proc file. (They report a size of 0, so `String(contentsOfFile:)` can come
    /// back empty: read until end of file instead.)
    static func readProcFile(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var data = Data()
        while let chunk = try? handle.read(upToCount: 65536), !chunk.isEmpty { data.append(chunk) }
        return data.isEmpty ? nil : String(decoding: data, as: UTF8.self)
    }

    /// `NAME:   123 kB` → 123 × 1024.
    public static func kilobytesField(_ name: String, in text: String) -> Int {
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let parts = line.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" })
            if let first = parts.first, let kb = Int(first) {
                return parts.count > 1 && parts[1].lowercased() == "kb" ? kb * 1024 : kb
            }
        }
        return 0
    }
}

// MARK: - Machine and build information

extension MachineInfo {
    /// The current machine (Linux /proc files; "unknown"/0 where they are missing).
    public static func current() -> MachineInfo {
        var cpu = "unknown"
        if let text = ProcessMemory.readProcFile("/proc/cpuinfo"),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            cpu = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var memory = 0
        if let text = ProcessMemory.readProcFile("/proc/meminfo") {
            memory = ProcessMemory.kilobytesField("MemTotal", in: text)
        }
        let info = ProcessInfo.processInfo
        return MachineInfo(cpuModel: cpu, cores: info.processorCount, activeCores: info.activeProcessorCount,
                           memoryBytes: memory, os: info.operatingSystemVersionString, hostname: info.hostName)
    }
}

extension BuildInfo {
    /// `release` or `debug`, as ZKBench itself was compiled.
    public static var configurationName: String {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }

    /// Information for a run starting now.
    public static func current(version: String, threads: Int, repetitions: Int, warmup: Int, date: Date = Date()) -> BuildInfo {
        let (commit, dirty) = gitCommit()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return BuildInfo(configuration: configurationName, commit: commit, dirty: dirty, version: version,
                         date: formatter.string(from: date), threads: threads, repetitions: repetitions, warmup: warmup)
    }

    /// env `ZKINFER_COMMIT` (dirty unknown), else `git rev-parse HEAD` and `git status --porcelain`
    /// in the current directory, else ("unknown", nil).
    static func gitCommit() -> (String, Bool?) {
        if let env = ProcessInfo.processInfo.environment["ZKINFER_COMMIT"], !env.isEmpty { return (env, nil) }
        guard let head = runGit(["rev-parse", "HEAD"])?.trimmingCharacters(in: .whitespacesAndNewlines),
              head.count == 40 || head.count == 64, head.allSatisfy(\.isHexDigit) else { return ("unknown", nil) }
        let status = runGit(["status", "--porcelain", "--untracked-files=no"])
        return (head, status.map { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty })
    }

    private static func runGit(_ arguments: [String]) -> String? {
        let candidates = ["/usr/bin/git", "/usr/local/bin/git", "/bin/git"]
        guard let git = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: git)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
