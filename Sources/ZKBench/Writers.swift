import Foundation

/// `results.json`, `results.csv`, `report.md` and the SVG plots of a run.
public enum BenchWriter {
    /// Pretty-printed JSON with sorted keys.
    public static func json(_ results: BenchResults) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(results) } catch {
            throw BenchError.malformedResults("cannot encode (\(error)); every number must be finite")
        }
    }

    /// The CSV columns: the comparison key, the value and its unit, then the timing statistics
    /// (empty for non-timing rows).
    public static let csvHeader = ["suite", "name", "size", "metric", "value", "unit", "min", "max", "repetitions"]

    /// One header line, then one line per row of ``BenchResults/allRows`` (RFC 4180 quoting).
    public static func csv(_ results: BenchResults) -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [csvHeader.joined(separator: ",")]
        for r in results.allRows {
            lines.append([r.suite, r.name, r.size.map(String.init) ?? "", r.metric, number(r.value), r.unit,
                          r.min.map(number) ?? "", r.max.map(number) ?? "", r.repetitions.map(String.init) ?? ""]
                .map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Shortest round-tripping text of a number (integers without a fraction).
    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// File name of a model's layer chart: `layers-<name>.svg` with anything but letters, digits,
    /// `.`, `_` and `-` replaced by `_`.
    public static func layersFileName(_ model: String) -> String {
        let safe = String(model.unicodeScalars.map { s -> Character in
            (s.isASCII && (CharacterSet.alphanumerics.contains(s) || "._-".unicodeScalars.contains(s))) ? Character(s) : "_"
        })
        return "layers-\(safe.isEmpty ? "model" : safe).svg"
    }

    /// Writes every output file into `directory` (created if needed) and returns their paths.
    /// Plots are written only when they have data: `prover-time.svg` and `memory.svg` need
    /// groth16 or model rows, `layers-<model>.svg` one model with layers.
    @discardableResult
    public static func write(_ results: BenchResults, to directory: URL) throws -> [URL] {
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw BenchError.io("\(directory.path): cannot create directory (\(error.localizedDescription))")
        }
        var files: [(String, Data)] = [
            ("results.json", try json(results)),
            ("results.csv", Data(csv(results).utf8)),
            ("report.md", Data(BenchReport.markdown(results).utf8)),
        ]
        if let svg = BenchPlots.proverTime(results) { files.append(("prover-time.svg", Data(svg.utf8))) }
        if let svg = BenchPlots.memory(results) { files.append(("memory.svg", Data(svg.utf8))) }
        for model in results.models where !model.layers.isEmpty {
            files.append((layersFileName(model.name), Data(BenchPlots.layers(model).utf8)))
        }
        var written: [URL] = []
        for (name, data) in files {
            let url = directory.appendingPathComponent(name)
            do { try data.write(to: url, options: .atomic) } catch {
                throw BenchError.io("\(url.path): cannot write file (\(error.localizedDescription))")
            }
            written.append(url)
        }
        return written
    }
}

// MARK: - Markdown report

/// `report.md`: a machine header, then one table per suite.
public enum BenchReport {
    public static func markdown(_ results: BenchResults) -> String {
        let m = results.machine, b = results.build
        var out = ["# zkinfer bench", ""]
        out.append("| | |")
        out.append("|---|---|")
        out.append("| CPU | \(cell(m.cpuModel)) |")
        out.append("| cores | \(m.cores) (\(m.activeCores) usable) |")
        out.append("| memory | \(BenchFormat.bytes(Double(m.memoryBytes))) |")
        out.append("| OS | \(cell(m.os)) |")
        out.append("| zkinfer | \(cell(b.version)), \(b.configuration) build, commit `\(b.commit)`\(b.dirty == true ? " (uncommitted changes)" : "") |")
        out.append("| date | \(b.date) |")
        out.append("| threads | \(b.threads) (MSM, NTT, setup, prover; field and curve loops single-threaded) |")
        out.append("| samples | \(b.warmup) warm-up + \(b.repetitions) timed; median (min–max) |")
        if !results.suites.isEmpty {
            let list = results.suites.map { "\($0.name) (\(BenchFormat.seconds($0.seconds)))" }.joined(separator: ", ")
            out.append("| suites | \(list) |")
        }
        out.append("")

        let primitives = results.rows.filter { $0.suite == "primitives" }
        if !primitives.isEmpty {
            out += ["## Primitives", "",
                    "| operation | size | median | min | max | per element | ops/sample |",
                    "|---|---:|---:|---:|---:|---:|---:|"]
            for r in primitives where r.metric == "time" {
                let perElement = primitives.first { $0.name == r.name && $0.size == r.size && $0.metric == "timePerElement" }
                out.append("| \(cell(r.name)) | \(r.size.map(BenchFormat.sizeLabel) ?? "") | \(BenchFormat.value(r.value, r.unit)) | "
                    + "\(r.min.map { BenchFormat.value($0, r.unit) } ?? "") | \(r.max.map { BenchFormat.value($0, r.unit) } ?? "") | "
                    + "\(perElement.map { BenchFormat.value($0.value, $0.unit) } ?? "") | \(r.opsPerSample.map(String.init) ?? "1") |")
            }
            out.append("")
        }

        let groth = results.rows.filter { $0.suite == "groth16" }
        let sizes = orderedSizes(groth)
        if !sizes.isEmpty {
            func value(_ size: Int, _ metric: String) -> BenchRow? { groth.first { $0.size == size && $0.metric == metric } }
            func show(_ size: Int, _ metric: String) -> String { value(size, metric).map { BenchFormat.value($0.value, $0.unit) } ?? "–" }
            out += ["## Groth16 (square chain, 2 public inputs)", "",
                    "| constraints | domain | setup | prove (median) | prove min–max | verify | proving key | VK JSON | proof | peak memory |",
                    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
            for s in sizes {
                let prove = value(s, "prove")
                let range = prove.flatMap { p in p.min.flatMap { lo in p.max.map { "\(BenchFormat.value(lo, p.unit))–\(BenchFormat.value($0, p.unit))" } } } ?? "–"
                let proof = "\(value(s, "proofBytes").map { Int($0.value) }.map(String.init) ?? "–") B "
                    + "(\(value(s, "proofBytesCompressed").map { Int($0.value) }.map(String.init) ?? "–") compressed)"
                out.append("| \(BenchFormat.grouped(s)) | \(value(s, "domainSize").map { BenchFormat.sizeLabel(Int($0.value)) } ?? "–") | \(show(s, "setup")) | "
                    + "\(show(s, "prove")) | \(range) | \(show(s, "verify")) | \(show(s, "provingKeyBytes")) | "
                    + "\(show(s, "verificationKeyBytes")) | \(proof) | \(show(s, "peakMemoryBytes")) |")
            }
            out += ["", "Prover phases (medians):", "",
                    "| constraints | rows | NTTs | MSM A | MSM B1 | MSM B2 (G2) | MSM C | MSM H |",
                    "|---:|---:|---:|---:|---:|---:|---:|---:|"]
            for s in sizes {
                let phases = ["rows", "ntt", "msmA", "msmB1", "msmB2", "msmC", "msmH"].map { show(s, "prove.\($0)") }
                out.append("| \(BenchFormat.grouped(s)) | " + phases.joined(separator: " | ") + " |")
            }
            out += ["", "Loading (warm page cache; `.zkey`: the same key in snarkjs's format; `groth16 prove --zkey` opens it and reads each point section just before its MSM):", "",
                    "| constraints | proving.key load | .zkey whole-key load | .zkey open | .zkey open + prove | .zkey size |",
                    "|---:|---:|---:|---:|---:|---:|"]
            for s in sizes {
                out.append("| \(BenchFormat.grouped(s)) | \(show(s, "load.provingKey")) | \(show(s, "load.zkey")) | \(show(s, "load.zkeyOpen")) | \(show(s, "prove.zkey")) | \(show(s, "zkeyBytes")) |")
            }
            out.append("")
            if let p = results.suites.first(where: { $0.name == "groth16" })?.parameters["peakMemory"] {
                out += ["Peak memory: \(p).", ""]
            }
            if let fit = BenchPlots.fit(groth.filter { $0.metric == "prove" }.compactMap { r in r.size.map { (Double($0), r.value) } }) {
                out += [String(format: "Prove time grows as constraints^%.2f (least squares in log–log space).", fit.slope), ""]
            }
            out += ["![prove time](prover-time.svg) ![peak memory](memory.svg)", ""]
        }

        if !results.models.isEmpty {
            out += ["## Models", "",
                    "| model | constraints | compile | setup | prove | verify | accuracy float | accuracy quantized | agreement | proving key | VK | proof | peak memory |",
                    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
            for m in results.models {
                out.append("| \(cell(m.name)) | \(BenchFormat.grouped(m.constraints)) | \(BenchFormat.seconds(m.compileSeconds)) | \(BenchFormat.seconds(m.setupSeconds)) | "
                    + "\(BenchFormat.seconds(m.proveSeconds)) | \(BenchFormat.seconds(m.verifySeconds)) | \(BenchFormat.percent(m.accuracyFloat)) | "
                    + "\(BenchFormat.percent(m.accuracyQuantized)) | \(BenchFormat.percent(m.agreement)) | \(BenchFormat.bytes(Double(m.provingKeyBytes))) | "
                    + "\(BenchFormat.bytes(Double(m.verificationKeyBytes))) | \(m.proofBytes) B | \(BenchFormat.bytes(Double(m.peakMemoryBytes))) |")
            }
            out.append("")
            for m in results.models where !m.layers.isEmpty {
                out += ["### \(m.name): constraints per layer", "", "| layer | op | constraints | share |", "|---|---|---:|---:|"]
                for l in m.layers { out.append("| \(cell(l.name)) | \(cell(l.op)) | \(BenchFormat.grouped(l.constraints)) | \(BenchFormat.percent(l.share)) |") }
                out += ["", "![\(m.name) layers](\(BenchWriter.layersFileName(m.name)))", ""]
            }
        }
        return out.joined(separator: "\n")
    }

    /// Escapes `|` and line breaks for a table cell.
    static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    static func orderedSizes(_ rows: [BenchRow]) -> [Int] { Array(Set(rows.compactMap(\.size))).sorted() }
}

// MARK: - Number formatting (shared by the report, the plots and the CLI)

/// Readable numbers for the report, the plots and the CLI.
public enum BenchFormat {
    /// `12,345,678`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// 2^k when `n` is a power of two, else grouped digits.
    public static func sizeLabel(_ n: Int) -> String {
        n > 0 && n & (n - 1) == 0 ? "2^\(n.trailingZeroBitCount)" : grouped(n)
    }

    /// Three significant digits (at most three decimals).
    static func significant(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        let decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3
        return String(format: "%.\(decimals)f", v)
    }

    /// Seconds as `850 ns`, `12.3 µs`, `4.56 ms`, `1.23 s`.
    public static func seconds(_ s: Double) -> String {
        let a = abs(s)
        if a == 0 { return "0 s" }
        if a < 1e-6 { return significant(s * 1e9) + " ns" }
        if a < 1e-3 { return significant(s * 1e6) + " µs" }
        if a < 1 { return significant(s * 1e3) + " ms" }
        return significant(s) + " s"
    }

    /// Bytes in binary units: `512 B`, `1.50 KiB`, `3.21 MiB`, `1.07 GiB`.
    public static func bytes(_ b: Double) -> String {
        let a = abs(b)
        if a < 1024 { return "\(Int(b)) B" }
        if a < Double(1 << 20) { return significant(b / 1024) + " KiB" }
        if a < Double(1 << 30) { return significant(b / Double(1 << 20)) + " MiB" }
        return significant(b / Double(1 << 30)) + " GiB"
    }

    /// A ratio as a percentage.
    public static func percent(_ r: Double, decimals: Int = 1) -> String { String(format: "%.\(decimals)f%%", r * 100) }

    /// A value in its unit, readably.
    public static func value(_ v: Double, _ unit: String) -> String {
        switch unit {
        case "ns", "us", "ms", "s": return seconds(v * BenchMeasurement.secondsPer(unit))
        case "bytes": return bytes(v)
        case "count": return grouped(Int(v))
        case "ratio": return percent(v)
        default: return "\(significant(v)) \(unit)"
        }
    }
}
