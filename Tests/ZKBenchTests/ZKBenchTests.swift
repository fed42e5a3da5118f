import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import ZKBench

/// Small suites in-process, the results schema, the writers and the comparison. No assertion looks
/// at a timing's value: only at its presence, sign and finiteness.
final class ZKBenchTests: XCTestCase {
    /// Tiny sizes: the whole run takes a second or two in release.
    static let tiny = BenchConfiguration(
        threads: 2, repetitions: 1, warmup: 1, minimumSampleSeconds: 0.001,
        msmG1Logs: [4, 6], msmG2Logs: [4], nttLogs: [4, 6], groth16Logs: [4, 5, 6], version: "test")

    static let layers = [
        LayerBenchResult(name: "conv1", op: "Conv", constraints: 30_000, share: 0.6),
        LayerBenchResult(name: "relu1 <&> \"quoted\"", op: "Relu", constraints: 15_000, share: 0.3),
        LayerBenchResult(name: "fc", op: "Gemm", constraints: 5_000, share: 0.1),
    ]

    static func model(_ name: String, constraints: Int = 50_000, prove: Double = 2.5) -> ModelBenchResult {
        ModelBenchResult(name: name, constraints: constraints, layers: layers, compileSeconds: 0.4, setupSeconds: 3.1,
                         proveSeconds: prove, verifySeconds: 0.0021, accuracyFloat: 0.978, accuracyQuantized: 0.975,
                         agreement: 0.996, provingKeyBytes: 12_345_678, verificationKeyBytes: 3_456, proofBytes: 256,
                         peakMemoryBytes: 456_789_012)
    }

    nonisolated(unsafe) static var cached: BenchResults?
    /// One small run shared by the tests (primitives + groth16 + two synthetic models).
    func smallRun() throws -> BenchResults {
        if let cached = Self.cached { return cached }
        let messages = Messages()
        let results = try Bench.run(Set(BenchSuite.allCases), configuration: Self.tiny,
                                    models: { [Self.model("mnist-mlp"), Self.model("mnist cnn/28x28", constraints: 2_558_720, prove: 43.8)] },
                                    progress: { messages.append($0) })
        XCTAssertFalse(messages.all.isEmpty, "progress callback never called")
        XCTAssertTrue(messages.all.contains { $0.contains("groth16 2^6") }, messages.all.joined(separator: "\n"))
        Self.cached = results
        return results
    }

    final class Messages: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func append(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return list }
    }

    var tmp: URL!
    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("zkbench-\(UUID().uuidString)")
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }

    // MARK: Suites and schema

    func testSmallRunHasEveryMeasurementPositiveAndFinite() throws {
        let r = try smallRun()
        XCTAssertEqual(r.schemaVersion, 1)
        XCTAssertEqual(r.suites.map(\.name), ["primitives", "groth16", "models"])
        XCTAssertEqual(r.build.threads, 2)
        XCTAssertEqual(r.build.repetitions, 1)
        XCTAssertEqual(r.build.version, "test")
        XCTAssertEqual(r.build.configuration, BuildInfo.configurationName)
        XCTAssertFalse(r.build.commit.isEmpty)
        XCTAssertNotNil(ISO8601DateFormatter().date(from: r.build.date), r.build.date)
        XCTAssertGreaterThan(r.machine.cores, 0)
        XCTAssertFalse(r.machine.cpuModel.isEmpty)
        #if os(Linux)
        XCTAssertGreaterThan(r.machine.memoryBytes, 0)
        XCTAssertNotEqual(r.machine.cpuModel, "unknown")
        #endif

        for row in r.allRows {
            XCTAssertTrue(row.value.isFinite, "\(row.key)")
            if row.metric == "rssDeltaBytes" { XCTAssertGreaterThanOrEqual(row.value, 0, "\(row.key)") } else {
                XCTAssertGreaterThan(row.value, 0, "\(row.key)")
            }
            if let lo = row.min, let hi = row.max {
                XCTAssertTrue(lo.isFinite && hi.isFinite && lo > 0, "\(row.key)")
                XCTAssertLessThanOrEqual(lo, row.value, "\(row.key)")
                XCTAssertLessThanOrEqual(row.value, hi, "\(row.key)")
            }
        }
        for s in r.suites { XCTAssertTrue(s.seconds.isFinite && s.seconds >= 0) }

        // Primitives: every operation and size.
        for name in ["Fr mul", "Fq mul", "G1 add", "G2 add", "pairing", "multi-pairing 4 pairs"] {
            let row = try XCTUnwrap(r.row(suite: "primitives", name: name, metric: "time"), name)
            XCTAssertEqual(row.unit, "ns")
            XCTAssertEqual(row.repetitions, 1)
        }
        XCTAssertGreaterThan(try XCTUnwrap(r.row(suite: "primitives", name: "Fr mul", metric: "time")?.opsPerSample), 1)
        for (name, sizes) in [("MSM G1", [16, 64]), ("MSM G1 (GLV)", [16, 64]), ("MSM G2", [16]), ("MSM G2 (GLV)", [16]), ("NTT", [16, 64])] {
            for n in sizes {
                XCTAssertEqual(r.row(suite: "primitives", name: name, size: n, metric: "time")?.unit, "ms", "\(name) \(n)")
                XCTAssertNotNil(r.row(suite: "primitives", name: name, size: n, metric: "timePerElement"), "\(name) \(n)")
            }
        }

        // Groth16: one set of metrics per size.
        let metrics = ["constraints", "wires", "domainSize", "setup", "prove", "prove.rows", "prove.ntt", "prove.msmA",
                       "prove.msmB1", "prove.msmB2", "prove.msmC", "prove.msmH", "verify", "provingKeyBytes",
                       "verificationKeyBytes", "proofBytes", "proofBytesCompressed", "peakMemoryBytes", "rssDeltaBytes",
                       "load.provingKey", "load.zkey", "load.zkeyOpen", "prove.zkey", "zkeyBytes"]
        for k in [4, 5, 6] {
            let size = (1 << k) - 3
            for m in metrics { XCTAssertNotNil(r.row(suite: "groth16", name: "square chain", size: size, metric: m), "2^\(k) \(m)") }
            XCTAssertEqual(r.row(suite: "groth16", name: "square chain", size: size, metric: "constraints")?.value, Double(size))
            XCTAssertEqual(r.row(suite: "groth16", name: "square chain", size: size, metric: "domainSize")?.value, Double(1 << k))
            XCTAssertEqual(r.row(suite: "groth16", name: "square chain", size: size, metric: "proofBytes")?.value, 256)
            XCTAssertEqual(r.row(suite: "groth16", name: "square chain", size: size, metric: "proofBytesCompressed")?.value, 128)
            XCTAssertEqual(r.row(suite: "groth16", name: "square chain", size: size, metric: "prove")?.repetitions, 1)
            XCTAssertGreaterThan(try XCTUnwrap(r.row(suite: "groth16", name: "square chain", size: size, metric: "zkeyBytes")?.value),
                                 Double(64 * (1 << k)), "the .zkey holds at least the H points")
            for m in ["load.provingKey", "load.zkey", "load.zkeyOpen"] {
                XCTAssertLessThan(try XCTUnwrap(r.row(suite: "groth16", name: "square chain", size: size, metric: m)?.value),
                                  try XCTUnwrap(r.row(suite: "groth16", name: "square chain", size: size, metric: "prove.zkey")?.value) * 2, m)
            }
        }
        let groth16Rows = r.rows.filter { $0.suite == "groth16" }
        XCTAssertEqual(groth16Rows.count, 3 * metrics.count)
        XCTAssertEqual(Set(groth16Rows.map(\.key)).count, groth16Rows.count, "duplicate keys")

        // Models: the hook's results, and their derived rows.
        XCTAssertEqual(r.models.map(\.name), ["mnist-mlp", "mnist cnn/28x28"])
        XCTAssertEqual(r.row(suite: "models", name: "mnist-mlp", size: 50_000, metric: "prove")?.value, 2.5)
        XCTAssertEqual(r.row(suite: "models", name: "mnist-mlp", size: 50_000, metric: "layer.conv1.constraints")?.value, 30_000)
    }

    func testResultsRoundTripThroughJSON() throws {
        let r = try smallRun()
        let data = try BenchWriter.json(r)
        let decoded = try BenchResults.decode(data)
        XCTAssertEqual(decoded, r)
        // Pretty and with sorted keys: "build" before "machine" before "models" before "rows".
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\n  \"build\" : {"), String(text.prefix(300)))
        let order = ["\"build\"", "\"machine\"", "\"models\"", "\"rows\"", "\"schemaVersion\"", "\"suites\""]
            .map { text.range(of: "\n  " + $0)!.lowerBound }
        XCTAssertEqual(order, order.sorted())
        // Decoding through the generic JSON layer too (every number plain and finite).
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(object["schemaVersion"] as? Int, 1)
    }

    func testCSVHasOneLinePerRow() throws {
        let r = try smallRun()
        let csv = BenchWriter.csv(r)
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).dropLast()  // trailing newline
        XCTAssertEqual(lines.count, 1 + r.allRows.count)
        XCTAssertEqual(String(lines[0]), "suite,name,size,metric,value,unit,min,max,repetitions")
        XCTAssertTrue(lines.contains { $0.hasPrefix("primitives,Fr mul,,time,") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("groth16,square chain,61,proofBytes,256,bytes,") })
        // A layer name with a quote is quoted RFC 4180 style.
        XCTAssertTrue(csv.contains("\"layer.relu1 <&> \"\"quoted\"\".constraints\""), csv)
        // Unquoted lines have exactly 9 fields.
        for line in lines where !line.contains("\"") { XCTAssertEqual(line.split(separator: ",", omittingEmptySubsequences: false).count, 9, String(line)) }
    }

    func testWriterOutputsAndSVGsParse() throws {
        let r = try smallRun()
        let files = try BenchWriter.write(r, to: tmp)
        // For looking at the plots: ZKBENCH_KEEP_OUTPUT=/some/dir keeps a copy of this run's files.
        if let keep = ProcessInfo.processInfo.environment["ZKBENCH_KEEP_OUTPUT"], !keep.isEmpty {
            try BenchWriter.write(r, to: URL(fileURLWithPath: keep))
        }
        let names = Set(files.map(\.lastPathComponent))
        XCTAssertEqual(names, ["results.json", "results.csv", "report.md", "prover-time.svg", "memory.svg",
                               "layers-mnist-mlp.svg", "layers-mnist_cnn_28x28.svg"])
        for f in files { XCTAssertTrue(FileManager.default.fileExists(atPath: f.path), f.path) }

        let prover = try parseSVG(tmp.appendingPathComponent("prover-time.svg"))
        // 3 circuit points + 1 legend marker; 2 model diamonds + 1 legend diamond.
        XCTAssertEqual(prover.count("circle"), 4)
        XCTAssertEqual(prover.count("polygon"), 3)
        XCTAssertTrue(prover.texts.contains { $0.contains("slope") }, "\(prover.texts)")
        XCTAssertTrue(prover.texts.contains("mnist cnn/28x28"))
        XCTAssertTrue(prover.texts.contains("constraints (log scale)"))
        XCTAssertTrue(prover.texts.contains("10"), "decade labels: \(prover.texts)")
        XCTAssertGreaterThanOrEqual(prover.count("line"), 10)

        let memory = try parseSVG(tmp.appendingPathComponent("memory.svg"))
        XCTAssertEqual(memory.count("polyline"), 1)
        XCTAssertTrue(memory.texts.contains { $0.hasSuffix("MB") }, "\(memory.texts)")

        let layers = try parseSVG(tmp.appendingPathComponent("layers-mnist-mlp.svg"))
        // Background + 3 bars + 3 legend swatches.
        XCTAssertEqual(layers.count("rect"), 7)
        XCTAssertTrue(layers.texts.contains("relu1 <&> \"quoted\""), "\(layers.texts)")
        XCTAssertTrue(layers.texts.contains("Conv"))
        XCTAssertTrue(layers.texts.contains { $0.hasPrefix("60.0%") })

        let report = try String(contentsOf: tmp.appendingPathComponent("report.md"), encoding: .utf8)
        for heading in ["# zkinfer bench", "## Primitives", "## Groth16", "## Models", "### mnist-mlp: constraints per layer",
                        "| Fr mul |", "multi-pairing 4 pairs", "| 61 | 2^6 |", "mnist cnn/28x28", "97.8%", "layers-mnist_cnn_28x28.svg"] {
            XCTAssertTrue(report.contains(heading), "report.md lacks \(heading)")
        }
    }

    func testPlotsAreStandaloneSVG() throws {
        let r = try smallRun()
        for svg in [BenchPlots.proverTime(r)!, BenchPlots.memory(r)!, BenchPlots.layers(r.models[0])] {
            XCTAssertTrue(svg.hasPrefix("<?xml version=\"1.0\""))
            let doc = try parseSVG(Data(svg.utf8))
            XCTAssertEqual(doc.root, "svg")
            XCTAssertEqual(doc.rootAttributes["xmlns"], "http://www.w3.org/2000/svg")
            XCTAssertEqual(doc.rootAttributes["version"], "1.1")
            XCTAssertNotNil(doc.rootAttributes["viewBox"])
            XCTAssertEqual(doc.firstChild, "rect", "white background first")
            XCTAssertEqual(doc.firstChildAttributes["fill"], "white")
        }
        // Nothing to plot: no file.
        let empty = BenchResults(machine: r.machine, build: r.build)
        XCTAssertNil(BenchPlots.proverTime(empty))
        XCTAssertNil(BenchPlots.memory(empty))
    }

    // MARK: Models rendered without running anything

    func testModelRowsRenderInEveryOutput() throws {
        let r = BenchResults(machine: MachineInfo(cpuModel: "Test CPU", cores: 2, activeCores: 2, memoryBytes: 1 << 34, os: "Linux", hostname: "h"),
                             build: BuildInfo(configuration: "release", commit: "abc", version: "0.1.0", date: "2025-01-01T00:00:00Z",
                                              threads: 2, repetitions: 3, warmup: 1),
                             suites: [SuiteInfo(name: "models", seconds: 1)], models: [Self.model("m1")])
        XCTAssertEqual(r.allRows.count, 12 + 3)
        XCTAssertEqual(BenchWriter.csv(r).split(separator: "\n").count, 1 + 15)
        let files = try BenchWriter.write(r, to: tmp).map(\.lastPathComponent)
        XCTAssertEqual(Set(files), ["results.json", "results.csv", "report.md", "prover-time.svg", "memory.svg", "layers-m1.svg"])
        let prover = try parseSVG(tmp.appendingPathComponent("prover-time.svg"))
        XCTAssertEqual(prover.count("circle"), 0)
        XCTAssertEqual(prover.count("polygon"), 2)  // the model and its legend entry
        XCTAssertEqual(try BenchResults.decode(BenchWriter.json(r)), r)
    }

    // MARK: Compare

    func synthetic(_ rows: [BenchRow], models: [ModelBenchResult] = []) -> BenchResults {
        BenchResults(machine: MachineInfo(cpuModel: "X", cores: 2, activeCores: 2, memoryBytes: 1, os: "", hostname: ""),
                     build: BuildInfo(configuration: "release", commit: "c", version: "v", date: "2025-01-01T00:00:00Z",
                                      threads: 2, repetitions: 1, warmup: 0),
                     rows: rows, models: models)
    }

    func testCompareRatios() throws {
        let a = synthetic([
            BenchRow(suite: "primitives", name: "Fr mul", metric: "time", value: 20, unit: "ns"),
            BenchRow(suite: "groth16", name: "square chain", size: 1021, metric: "prove", value: 2, unit: "s"),
            BenchRow(suite: "groth16", name: "square chain", size: 1021, metric: "verify", value: 1.5, unit: "ms"),
            BenchRow(suite: "groth16", name: "square chain", size: 4093, metric: "prove", value: 4, unit: "s"),
            BenchRow(suite: "primitives", name: "only A", metric: "time", value: 1, unit: "ns"),
        ], models: [Self.model("m", prove: 10)])
        let b = synthetic([
            BenchRow(suite: "groth16", name: "square chain", size: 1021, metric: "prove", value: 1, unit: "s"),
            BenchRow(suite: "primitives", name: "Fr mul", metric: "time", value: 30, unit: "ns"),
            BenchRow(suite: "groth16", name: "square chain", size: 1021, metric: "verify", value: 0.003, unit: "s"),
            BenchRow(suite: "groth16", name: "square chain", size: 4093, metric: "prove", value: 0, unit: "s"),
            BenchRow(suite: "primitives", name: "only B", metric: "time", value: 1, unit: "ns"),
        ], models: [Self.model("m", prove: 5)])
        let rows = compare(a: a, b: b)
        func find(_ name: String, _ size: Int?, _ metric: String) -> ComparisonRow? {
            rows.first { $0.name == name && $0.size == size && $0.metric == metric }
        }
        XCTAssertEqual(try XCTUnwrap(find("Fr mul", nil, "time")?.ratio), 1.5, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(find("square chain", 1021, "prove")?.ratio), 0.5, accuracy: 1e-12)
        // B in seconds, A in ms: converted to A's unit.
        XCTAssertEqual(find("square chain", 1021, "verify")?.unit, "ms")
        XCTAssertEqual(try XCTUnwrap(find("square chain", 1021, "verify")?.b), 3, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(find("square chain", 1021, "verify")?.ratio), 2, accuracy: 1e-12)
        XCTAssertEqual(find("square chain", 4093, "prove")?.ratio, 0)
        XCTAssertEqual(try XCTUnwrap(find("m", 50_000, "prove")?.ratio), 0.5, accuracy: 1e-12)
        XCTAssertEqual(find("m", 50_000, "proofBytes")?.ratio, 1)
        XCTAssertNil(find("only A", nil, "time")?.ratio)
        XCTAssertNil(find("only A", nil, "time")?.b)
        XCTAssertNil(find("only B", nil, "time")?.a)
        XCTAssertEqual(rows.count, 5 + 15 + 1)
        // A's order first, B-only rows last.
        XCTAssertEqual(rows.first?.name, "Fr mul")
        XCTAssertEqual(rows.last?.name, "only B")
        let table = ComparisonRow.table(rows)
        XCTAssertTrue(table.contains("only in B"))
        XCTAssertTrue(table.contains("0.500"))
    }

    func testCompareOfARunWithItselfIsAllOnes() throws {
        let r = try smallRun()
        let rows = compare(a: r, b: r)
        XCTAssertEqual(rows.count, r.allRows.count)
        for row in rows where row.a != 0 { XCTAssertEqual(row.ratio, 1, "\(row)") }
    }

    func testDecodeRejectsMalformedFiles() throws {
        let good = try BenchWriter.json(synthetic([BenchRow(suite: "s", name: "n", metric: "m", value: 1, unit: "s")]))
        XCTAssertNoThrow(try BenchResults.decode(good))
        let text = String(decoding: good, as: UTF8.self)
        let bad: [String] = [
            "", "not json", "[]", "{}", "{\"schemaVersion\": 1}",
            text.replacingOccurrences(of: "\"schemaVersion\" : 1", with: "\"schemaVersion\" : 2"),
            text.replacingOccurrences(of: "\"value\" : 1", with: "\"value\" : \"fast\""),
            text.replacingOccurrences(of: "\"machine\"", with: "\"machina\""),
            String(text.prefix(text.count / 2)),
        ]
        for s in bad {
            XCTAssertThrowsError(try BenchResults.decode(Data(s.utf8)), String(s.prefix(60))) { error in
                guard case BenchError.malformedResults(let message) = error else { return XCTFail("\(error)") }
                XCTAssertFalse(message.isEmpty)
            }
        }
    }

    // MARK: Pieces

    func testMeasurementStatistics() {
        let m = BenchMeasurement(samples: [3, 1, 2])
        XCTAssertEqual(m.median, 2); XCTAssertEqual(m.min, 1); XCTAssertEqual(m.max, 3)
        XCTAssertEqual(BenchMeasurement(samples: [4, 1, 2, 3]).median, 2.5)
        let row = BenchRow(suite: "s", name: "n", metric: "time", BenchMeasurement(samples: [0.002, 0.001, 0.003]), unit: "ms")
        XCTAssertEqual(row.value, 2, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(row.min), 1, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(row.max), 3, accuracy: 1e-12)
        XCTAssertEqual(row.repetitions, 3)
        var calls = 0
        let loop = BenchMeasurement.loop(minimumSampleSeconds: 0.002, repetitions: 2) { n in
            calls += 1
            var x = 1.0
            for i in 0..<n { x = x * 1.000001 + Double(i & 1) }
            blackHole(x)
        }
        XCTAssertEqual(loop.samples.count, 2)
        XCTAssertGreaterThan(loop.opsPerSample, 1)
        XCTAssertGreaterThan(calls, 2)
    }

    func testLogLogFit() throws {
        let points = [1e3, 1e4, 1e5, 1e6].map { (x: $0, y: 3e-6 * pow($0, 1.5)) }
        let f = try XCTUnwrap(BenchPlots.fit(points))
        XCTAssertEqual(f.slope, 1.5, accuracy: 1e-9)
        XCTAssertEqual(f.intercept, log10(3e-6), accuracy: 1e-9)
        XCTAssertNil(BenchPlots.fit([(x: 10, y: 1)]))
        XCTAssertNil(BenchPlots.fit([(x: 10, y: 1), (x: 10, y: 2)]))
    }

    func testAxisLabelsAndFormatting() {
        let (lo, hi) = BenchPlots.logRange([1021, 1_048_573])
        XCTAssertLessThan(lo, log10(1021.0) - 0.1)
        XCTAssertGreaterThan(hi, log10(1_048_573.0) + 0.1)
        XCTAssertEqual(BenchPlots.ticks(lo, hi).filter(\.labelled).map(\.value), [1e3, 1e4, 1e5, 1e6])
        let narrow = BenchPlots.logRange([1000, 1000])
        XCTAssertGreaterThanOrEqual(narrow.1 - narrow.0, 0.5)
        XCTAssertEqual(BenchPlots.ticks(log10(150.0), log10(3000.0)).filter(\.labelled).map(\.value), [200, 500, 1000, 2000])
        XCTAssertEqual(BenchPlots.countLabel(2000), "2k")
        XCTAssertEqual(BenchPlots.timeLabel(0.05), "50 ms")
        XCTAssertEqual(BenchPlots.bytesLabel(2e7), "20 MB")
        XCTAssertEqual(BenchPlots.countLabel(1e6), "1M")
        XCTAssertEqual(BenchPlots.countLabel(1e4), "10k")
        XCTAssertEqual(BenchPlots.timeLabel(1e-2), "10 ms")
        XCTAssertEqual(BenchPlots.timeLabel(100), "100 s")
        XCTAssertEqual(BenchPlots.bytesLabel(1e8), "100 MB")
        XCTAssertEqual(BenchFormat.grouped(2_558_720), "2,558,720")
        XCTAssertEqual(BenchFormat.sizeLabel(65536), "2^16")
        XCTAssertEqual(BenchFormat.seconds(0.00123), "1.23 ms")
        XCTAssertEqual(BenchFormat.bytes(1536), "1.50 KiB")
        XCTAssertEqual(BenchWriter.layersFileName("mnist cnn/28x28"), "layers-mnist_cnn_28x28.svg")
        XCTAssertEqual(BenchWriter.layersFileName("a.b-c_d"), "layers-a.b-c_d.svg")
        XCTAssertEqual(BenchConfiguration.msmG1Logs(max: 16), [10, 14, 16])
        XCTAssertEqual(BenchConfiguration.msmG1Logs(max: 20), [10, 14, 16, 18, 20])
        XCTAssertEqual(BenchConfiguration.msmG1Logs(max: 12), [10, 12])
        XCTAssertEqual(BenchConfiguration.msmG1Logs(max: 6), [6])
        XCTAssertEqual(BenchConfiguration.groth16Logs(max: 14), Array(10...14))
    }

    func testConfigurationValidation() {
        XCTAssertNoThrow(try Self.tiny.validate())
        var c = Self.tiny; c.repetitions = 0
        XCTAssertThrowsError(try c.validate())
        c = Self.tiny; c.groth16Logs = [1]
        XCTAssertThrowsError(try c.validate())
        c = Self.tiny; c.threads = 0
        XCTAssertThrowsError(try Bench.run([.primitives], configuration: c))
    }

    func testProcessMemoryReadsProc() {
        #if os(Linux)
        XCTAssertGreaterThan(ProcessMemory.residentBytes, 0)
        XCTAssertGreaterThanOrEqual(ProcessMemory.peakResidentBytes, ProcessMemory.residentBytes / 2)
        XCTAssertEqual(ProcessMemory.kilobytesField("VmHWM", in: "Name:\tx\nVmHWM:\t  1234 kB\n"), 1234 * 1024)
        #endif
    }
}

// MARK: - SVG parsing

struct ParsedSVG {
    var root = "", rootAttributes: [String: String] = [:]
    var firstChild = "", firstChildAttributes: [String: String] = [:]
    var elements: [String] = []
    var texts: [String] = []
    func count(_ element: String) -> Int { elements.filter { $0 == element }.count }
}

final class SVGCollector: NSObject, XMLParserDelegate {
    var svg = ParsedSVG()
    var depth = 0
    var text: String?
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if depth == 0 { svg.root = name; svg.rootAttributes = attributes }
        if depth == 1 && svg.firstChild.isEmpty { svg.firstChild = name; svg.firstChildAttributes = attributes }
        svg.elements.append(name)
        if name == "text" { text = "" }
        depth += 1
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { text? += string }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text", let t = text { svg.texts.append(t); text = nil }
        depth -= 1
    }
}

func parseSVG(_ url: URL) throws -> ParsedSVG { try parseSVG(try Data(contentsOf: url)) }

func parseSVG(_ data: Data) throws -> ParsedSVG {
    let parser = XMLParser(data: data)
    let collector = SVGCollector()
    parser.delegate = collector
    guard parser.parse() else {
        throw NSError(domain: "svg", code: 1, userInfo: [NSLocalizedDescriptionKey: "not well-formed XML: \(String(describing: parser.parserError))"])
    }
    return collector.svg
}
