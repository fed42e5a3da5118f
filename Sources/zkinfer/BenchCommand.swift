import ArgumentParser
import Foundation
import ZKBench

/// What the `models` suite receives from `zkinfer bench` (see `runModelSuite` in BenchModels.swift).
struct BenchModelOptions: Sendable {
    /// Worker threads for setup and proving.
    var threads: Int
    /// Timed repetitions per measurement (`--repeat`).
    var repetitions: Int
    /// Untimed warm-up runs before them.
    var warmup: Int
    /// The output directory (`--out`), created before the suite runs; model artefacts may go there.
    var outputDirectory: URL
    /// `--quiet`.
    var quiet: Bool
}

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure field/curve primitives, Groth16 on square-chain circuits and compiled models; write a report.",
        discussion: """
            `zkinfer bench [--suite ...]` runs the measurements (the default subcommand, `run`); \
            `zkinfer bench compare A.json B.json` matches two runs' rows and prints B/A ratios; \
            `zkinfer bench report results.json --out DIR` redraws the CSV, report and plots from a results file.
            """,
        subcommands: [Run.self, Compare.self, Report.self],
        defaultSubcommand: Run.self)

    enum Suite: String, CaseIterable, ExpressibleByArgument {
        case primitives, groth16, models, all
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run the suites (the default subcommand: `zkinfer bench --suite groth16` is `zkinfer bench run --suite groth16`).",
            discussion: """
                Writes DIR/results.json (schema: Docs/bench-schema.md), DIR/results.csv (one row per measurement), \
                DIR/report.md and SVG plots (prover-time.svg, memory.svg, layers-<model>.svg). Every timing is the median \
                of --repeat timed runs after a warm-up. Peak memory is the process's VmHWM, reset before each circuit size. \
                Defaults: --suite all takes about 4 minutes on a 2-core machine (longer when it is shared); --suite groth16 --max-size 14 a few seconds.
                """)

        @Option(name: .long, help: "Suite to run.")
        var suite: Suite = .all
        @Option(name: .long, help: "Worker threads for MSM, NTT, setup and proving (default: all cores).")
        var threads: Int?
        @Option(name: .customLong("repeat"), help: "Timed repetitions per measurement (after one warm-up run).")
        var repetitions = 3
        @Option(name: .long, help: "Output directory.")
        var out = "bench-results"
        @Option(name: .long, help: "log2 of the largest square-chain circuit of the groth16 suite (circuits 2^10 ... 2^N; only 2^N when N < 10).")
        var maxSize = 20
        @Option(name: .long, help: "log2 of the largest G1 MSM of the primitives suite (2^10, 2^14, 2^16, ... up to 2^N).")
        var msmMaxSize = 16
        @Flag(name: .long, help: "Print a summary as JSON on stdout.")
        var json = false
        @Flag(name: .long, help: "No progress output on stderr.")
        var quiet = false

        func validate() throws {
            if let t = threads, t < 1 || t > 1024 { throw ValidationError("--threads must be between 1 and 1024") }
            guard (1...100).contains(repetitions) else { throw ValidationError("--repeat must be between 1 and 100") }
            guard (2...24).contains(maxSize) else { throw ValidationError("--max-size must be between 2 and 24 (log2 of the constraint count)") }
            guard (1...24).contains(msmMaxSize) else { throw ValidationError("--msm-max-size must be between 1 and 24") }
        }

        func run() throws {
            let started = ContinuousClock.now
            let quiet = self.quiet
            let progress: BenchProgress = { message in
                guard !quiet else { return }
                let elapsed = seconds(ContinuousClock.now - started)
                FileHandle.standardError.write(Data("zkinfer bench: [\(String(format: "%7.1f", elapsed)) s] \(message)\n".utf8))
            }
            let suites: Set<BenchSuite> = suite == .all ? Set(BenchSuite.allCases) : [BenchSuite(rawValue: suite.rawValue)!]
            let config = BenchConfiguration(threads: threads, repetitions: repetitions, warmup: 1,
                                            msmG1Logs: BenchConfiguration.msmG1Logs(max: msmMaxSize),
                                            groth16Logs: BenchConfiguration.groth16Logs(max: maxSize),
                                            version: Zkinfer.configuration.version)
            let directory = URL(fileURLWithPath: out)
            try makeDirectory(out)
            let modelOptions = BenchModelOptions(threads: config.threads, repetitions: repetitions, warmup: 1,
                                                 outputDirectory: directory, quiet: quiet)
            let results: BenchResults
            do {
                results = try Bench.run(suites, configuration: config, models: { try runModelSuite(modelOptions, progress: progress) },
                                        progress: progress)
            } catch let error as CLIError { throw error } catch let error as BenchError {
                throw CLIError("bench: \(error)")
            } catch {
                throw CLIError("bench failed: \(describe(error))", exitCode: 1)
            }
            let files: [URL]
            do { files = try BenchWriter.write(results, to: directory) } catch { throw CLIError("bench: \(describe(error))") }
            progress("done; wrote \(files.count) files to \(out)")

            if json {
                printJSON(Self.summary(results, files: files, directory: out))
            } else {
                print(Self.textSummary(results))
                print("wrote " + files.map { ($0.path as NSString).lastPathComponent }.joined(separator: ", ") + " to \(out)")
            }
        }

        /// The --json summary: where the files are, how long each suite took, and the headline figures.
        static func summary(_ r: BenchResults, files: [URL], directory: String) -> [String: Any] {
            var groth: [[String: Any]] = []
            for size in Set(r.rows.filter { $0.suite == "groth16" }.compactMap(\.size)).sorted() {
                func v(_ metric: String) -> Double { r.row(suite: "groth16", name: "square chain", size: size, metric: metric)?.value ?? 0 }
                groth.append(["constraints": size, "setupSeconds": v("setup"), "proveSeconds": v("prove"),
                              "verifyMilliseconds": v("verify"), "provingKeyBytes": Int(v("provingKeyBytes")),
                              "peakMemoryBytes": Int(v("peakMemoryBytes"))])
            }
            let primitives: [[String: Any]] = r.rows.filter { $0.suite == "primitives" && $0.metric == "time" }.map {
                var row: [String: Any] = ["name": $0.name, "value": $0.value, "unit": $0.unit]
                if let size = $0.size { row["size"] = size }
                return row
            }
            return [
                "schemaVersion": r.schemaVersion,
                "outputDirectory": directory,
                "files": files.map { ($0.path as NSString).lastPathComponent },
                "suites": r.suites.map { ["name": $0.name, "seconds": $0.seconds] as [String: Any] },
                "rows": r.allRows.count,
                "machine": ["cpuModel": r.machine.cpuModel, "cores": r.machine.cores, "memoryBytes": r.machine.memoryBytes],
                "build": ["configuration": r.build.configuration, "commit": r.build.commit, "version": r.build.version,
                          "date": r.build.date, "threads": r.build.threads],
                "primitives": primitives,
                "groth16": groth,
                "models": r.models.map { ["name": $0.name, "constraints": $0.constraints, "proveSeconds": $0.proveSeconds] as [String: Any] },
            ]
        }

        /// A few lines for a terminal: each primitive's median, each circuit's setup/prove/verify.
        static func textSummary(_ r: BenchResults) -> String {
            var lines = ["\(r.machine.cpuModel), \(r.machine.cores) cores, \(r.build.configuration) build, \(r.build.threads) threads"]
            for row in r.rows where row.suite == "primitives" && row.metric == "time" {
                let name = row.name + (row.size.map { " " + BenchFormat.sizeLabel($0) } ?? "")
                lines.append("  \(name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(BenchFormat.value(row.value, row.unit))")
            }
            for size in Set(r.rows.filter { $0.suite == "groth16" }.compactMap(\.size)).sorted() {
                func show(_ metric: String) -> String {
                    r.row(suite: "groth16", name: "square chain", size: size, metric: metric).map { BenchFormat.value($0.value, $0.unit) } ?? "–"
                }
                lines.append("  groth16 \(BenchFormat.grouped(size).padding(toLength: 10, withPad: " ", startingAt: 0)) constraints: "
                    + "setup \(show("setup")), prove \(show("prove")), verify \(show("verify")), peak memory \(show("peakMemoryBytes"))")
            }
            for m in r.models {
                lines.append("  model \(m.name): \(BenchFormat.grouped(m.constraints)) constraints, prove \(BenchFormat.seconds(m.proveSeconds))")
            }
            return lines.joined(separator: "\n")
        }
}

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
            abstract: "Compare two results.json files: rows matched by (suite, name, size, metric), with B/A ratios.",
            discussion: "A ratio below 1 means B is smaller (faster, for times). Exit code 2 when a file is not a results file.")

        @Argument(help: "Baseline results.json.")
        var a: String
        @Argument(help: "Results to compare with the baseline.")
        var b: String
        @Flag(name: .long, help: "The comparison as JSON on stdout.")
        var json = false

        struct Output: Encodable {
            var a: String, b: String
            var rows: [ComparisonRow]
        }

        func run() throws {
            let dataA = try readFile(a), dataB = try readFile(b)
            let resultsA = try withFile(a, "invalid bench results") { try BenchResults.decode(dataA) }
            let resultsB = try withFile(b, "invalid bench results") { try BenchResults.decode(dataB) }
            let rows = compare(a: resultsA, b: resultsB)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let data = try encoder.encode(Output(a: a, b: b, rows: rows))
                print(String(decoding: data, as: UTF8.self))
                return
            }
            for (label, path, r) in [("A", a, resultsA), ("B", b, resultsB)] {
                print("\(label): \(path) — \(r.machine.cpuModel), \(r.build.configuration), commit \(r.build.commit.prefix(12)), \(r.build.date)")
            }
            if resultsA.machine.cpuModel != resultsB.machine.cpuModel || resultsA.build.threads != resultsB.build.threads {
                print("note: different machines or thread counts; ratios compare setups, not only code")
            }
            print(ComparisonRow.table(rows))
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Rewrite results.json, results.csv, report.md and the plots from a results file (e.g. after adding model rows).")

        @Argument(help: "A results.json written by `zkinfer bench`.")
        var results: String
        @Option(name: .long, help: "Output directory (default: the results file's directory).")
        var out: String?

        func run() throws {
            let data = try readFile(results)
            let decoded = try withFile(results, "invalid bench results") { try BenchResults.decode(data) }
            let directory = out ?? (results as NSString).deletingLastPathComponent
            let target = URL(fileURLWithPath: directory.isEmpty ? "." : directory)
            let files: [URL]
            do { files = try BenchWriter.write(decoded, to: target) } catch { throw CLIError("bench report: \(describe(error))") }
            print("wrote " + files.map { ($0.path as NSString).lastPathComponent }.joined(separator: ", ") + " to \(target.path)")
        }
    }
}
