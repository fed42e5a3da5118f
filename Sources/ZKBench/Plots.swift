import Foundation

/// Standalone SVG 1.1 plots drawn here (no dependencies): white background, `viewBox`, sans-serif text.
public enum BenchPlots {
    static let font = "DejaVu Sans, Helvetica, Arial, sans-serif"
    static let pointColor = "#1f77b4", fitColor = "#d62728", modelColor = "#2ca02c"
    static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    // MARK: Least squares in log–log space

    /// The line `log10 y = intercept + slope · log10 x` fitted by least squares to the points with
    /// positive coordinates; nil with fewer than two distinct x.
    public static func fit(_ points: [(x: Double, y: Double)]) -> (slope: Double, intercept: Double)? {
        let p = points.filter { $0.x > 0 && $0.y > 0 }.map { (log10($0.x), log10($0.y)) }
        guard Set(p.map(\.0)).count >= 2 else { return nil }
        let n = Double(p.count)
        let mx = p.map(\.0).reduce(0, +) / n, my = p.map(\.1).reduce(0, +) / n
        let sxx = p.map { ($0.0 - mx) * ($0.0 - mx) }.reduce(0, +)
        let sxy = p.map { ($0.0 - mx) * ($0.1 - my) }.reduce(0, +)
        let slope = sxy / sxx
        return (slope, my - slope * mx)
    }

    // MARK: Plots

    /// Median prove time against constraints (groth16 square chains, fitted line, models as
    /// labelled diamonds); nil without data.
    public static func proverTime(_ results: BenchResults) -> String? {
        let chain = results.rows.filter { $0.suite == "groth16" && $0.metric == "prove" }
            .compactMap { r in r.size.map { (x: Double($0), y: r.value * BenchMeasurement.secondsPer(r.unit)) } }
        let models = results.models.map { (x: Double($0.constraints), y: $0.proveSeconds, label: $0.name) }
        guard !(chain.isEmpty && models.isEmpty) else { return nil }
        return logLogPlot(title: "Groth16 prove time vs constraints", subtitle: subtitle(results),
                          xTitle: "constraints", yTitle: "median prove time", yLabel: timeLabel,
                          series: chain, seriesName: "square chain, \(results.build.threads) thread\(results.build.threads == 1 ? "" : "s")",
                          connect: false, fitLine: true, models: models)
    }

    /// Peak resident memory against constraints; nil without data.
    public static func memory(_ results: BenchResults) -> String? {
        let chain = results.rows.filter { $0.suite == "groth16" && $0.metric == "peakMemoryBytes" }
            .compactMap { r in r.size.map { (x: Double($0), y: r.value) } }
        let models = results.models.map { (x: Double($0.constraints), y: Double($0.peakMemoryBytes), label: $0.name) }
        guard !(chain.isEmpty && models.isEmpty) else { return nil }
        return logLogPlot(title: "Peak memory (setup + prove) vs constraints", subtitle: subtitle(results),
                          xTitle: "constraints", yTitle: "peak resident memory, VmHWM", yLabel: bytesLabel,
                          series: chain, seriesName: "square chain", connect: true, fitLine: false, models: models)
    }

    /// Horizontal bars: each layer's share of the model's constraints, coloured by operator.
    public static func layers(_ model: ModelBenchResult) -> String {
        let width = 800.0
        let labels = model.layers.map { truncate("\($0.name)", 34) }
        let labelWidth = min(300, max(80, (labels.map { textWidth($0, 12) }.max() ?? 0) + 16))
        let left = 20 + labelWidth, right = width - 150
        let rowHeight = 24.0, top = 78.0
        let ops = model.layers.map(\.op).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let plotHeight = rowHeight * Double(model.layers.count)
        let legendTop = top + plotHeight + 66
        let legendRows = legendLayout(ops, left: left, maxWidth: width - left - 20)
        let height = legendTop + Double(legendRows.count) * 20 + 20
        let maxShare = model.layers.map(\.share).max() ?? 0
        let axisMax = [0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1.0].first { $0 >= maxShare } ?? max(1, maxShare)
        func x(_ share: Double) -> Double { left + (right - left) * share / axisMax }

        var svg = SVG(width: width, height: height)
        svg.text(20, 30, "\(model.name): constraints per layer", size: 18, weight: "bold")
        svg.text(20, 52, "\(BenchFormat.grouped(model.constraints)) constraints in \(model.layers.count) layer\(model.layers.count == 1 ? "" : "s"); bar = share of the total",
                 size: 12, fill: "#555")
        // Vertical grid and the share axis at the bottom.
        for i in 0...5 {
            let share = axisMax * Double(i) / 5, gx = x(share)
            svg.line(gx, top - 4, gx, top + plotHeight, stroke: i == 0 ? "#333" : "#ddd", width: 1)
            svg.text(gx, top + plotHeight + 18, BenchFormat.percent(share, decimals: axisMax <= 0.1 ? 1 : 0), size: 11, anchor: "middle")
        }
        svg.text((left + right) / 2, top + plotHeight + 36, "share of constraints", size: 12, anchor: "middle")
        for (i, layer) in model.layers.enumerated() {
            let y = top + rowHeight * Double(i)
            let color = palette[(ops.firstIndex(of: layer.op) ?? 0) % palette.count]
            svg.text(left - 8, y + rowHeight / 2 + 4, labels[i], size: 12, anchor: "end")
            svg.rect(left, y + 4, max(0.5, x(layer.share) - left), rowHeight - 8, fill: color)
            svg.text(x(layer.share) + 6, y + rowHeight / 2 + 4,
                     "\(BenchFormat.percent(layer.share, decimals: 1))  (\(BenchFormat.grouped(layer.constraints)))", size: 11, fill: "#333")
        }
        // Operator legend.
        for (r, row) in legendRows.enumerated() {
            for (op, lx) in row {
                let ly = legendTop + Double(r) * 20
                svg.rect(lx, ly - 10, 12, 12, fill: palette[(ops.firstIndex(of: op) ?? 0) % palette.count])
                svg.text(lx + 17, ly, op, size: 12)
            }
        }
        svg.text(left - 8, legendTop, "operator", size: 12, anchor: "end", fill: "#555")
        return svg.render()
    }

    /// Places legend entries in rows no wider than `maxWidth`.
    static func legendLayout(_ ops: [String], left: Double, maxWidth: Double) -> [[(String, Double)]] {
        var rows: [[(String, Double)]] = [[]]
        var cursor = 0.0
        for op in ops {
            let w = 17 + textWidth(op, 12) + 18
            if cursor > 0 && cursor + w > maxWidth { rows.append([]); cursor = 0 }
            rows[rows.count - 1].append((op, left + cursor))
            cursor += w
        }
        return rows.filter { !$0.isEmpty }
    }

    // MARK: Log–log plot

    static func subtitle(_ r: BenchResults) -> String {
        let date = r.build.date.prefix(10)
        return "\(r.machine.cpuModel), \(r.machine.cores) cores · zkinfer \(r.build.version) (\(r.build.configuration)) · \(date)"
    }

    static func logLogPlot(title: String, subtitle: String, xTitle: String, yTitle: String, yLabel: (Double) -> String,
                           series: [(x: Double, y: Double)], seriesName: String, connect: Bool, fitLine: Bool,
                           models: [(x: Double, y: Double, label: String)]) -> String {
        let series = series.filter { $0.x > 0 && $0.y > 0 && $0.x.isFinite && $0.y.isFinite }
        let models = models.filter { $0.x > 0 && $0.y > 0 && $0.x.isFinite && $0.y.isFinite }
        let width = 760.0, height = 500.0
        let left = 92.0, right = width - 28, top = 70.0, bottom = height - 62
        let xs = (series.map(\.x) + models.map(\.x)).filter { $0 > 0 }
        let ys = (series.map(\.y) + models.map(\.y)).filter { $0 > 0 }
        let (x0, x1) = logRange(xs), (y0, y1) = logRange(ys)
        func px(_ v: Double) -> Double { left + (right - left) * (log10(v) - x0) / (x1 - x0) }
        func py(_ v: Double) -> Double { bottom - (bottom - top) * (log10(v) - y0) / (y1 - y0) }

        var svg = SVG(width: width, height: height)
        svg.text(left, 30, title, size: 18, weight: "bold")
        svg.text(left, 50, truncate(subtitle, 110), size: 11, fill: "#555")
        // Grid: light lines at 2…9 × 10^k, darker labelled ones at the ticks (decades, plus 2× and 5× on short axes).
        for t in ticks(x0, x1) {
            let gx = px(t.value)
            svg.line(gx, top, gx, bottom, stroke: t.labelled ? "#d0d0d0" : "#f0f0f0", width: 1)
            if t.labelled {
                svg.line(gx, bottom, gx, bottom + 5, stroke: "#333", width: 1)
                svg.text(gx, bottom + 20, countLabel(t.value), size: 12, anchor: "middle")
            }
        }
        for t in ticks(y0, y1) {
            let gy = py(t.value)
            svg.line(left, gy, right, gy, stroke: t.labelled ? "#d0d0d0" : "#f0f0f0", width: 1)
            if t.labelled {
                svg.line(left - 5, gy, left, gy, stroke: "#333", width: 1)
                svg.text(left - 9, gy + 4, yLabel(t.value), size: 12, anchor: "end")
            }
        }
        svg.rect(left, top, right - left, bottom - top, fill: "none", stroke: "#333")
        svg.text((left + right) / 2, height - 18, xTitle + " (log scale)", size: 13, anchor: "middle")
        svg.text(22, (top + bottom) / 2, yTitle + " (log scale)", size: 13, anchor: "middle", rotate: -90)

        var legend: [(kind: String, text: String)] = []
        let sorted = series.sorted { $0.x < $1.x }
        if connect && sorted.count > 1 {
            svg.polyline(sorted.map { (px($0.x), py($0.y)) }, stroke: pointColor, width: 1.5)
        }
        if fitLine, let f = fit(sorted), let lo = sorted.first?.x, let hi = sorted.last?.x {
            func fy(_ x: Double) -> Double { pow(10, f.intercept + f.slope * log10(x)) }
            svg.line(px(lo), py(fy(lo)), px(hi), py(fy(hi)), stroke: fitColor, width: 1.5, dash: "6,4")
            legend.append(("fit", String(format: "least-squares fit in log–log space: slope %.2f", f.slope)))
        }
        for p in sorted { svg.circle(px(p.x), py(p.y), 4, fill: pointColor) }
        if !sorted.isEmpty { legend.insert(("point", seriesName), at: 0) }
        // Model labels: the first of four places around the diamond that stays inside the frame
        // and clear of the points and of the labels already placed; a white box keeps it readable.
        var taken: [(x0: Double, y0: Double, x1: Double, y1: Double)] = sorted.map { (px($0.x) - 5, py($0.y) - 5, px($0.x) + 5, py($0.y) + 5) }
        for m in models { taken.append((px(m.x) - 7, py(m.y) - 7, px(m.x) + 7, py(m.y) + 7)) }
        for m in models {
            svg.diamond(px(m.x), py(m.y), 6, fill: modelColor)
            let w = textWidth(m.label, 11) + 6, h = 15.0, cx = px(m.x), cy = py(m.y)
            let candidates = [(cx + 9, cy - 8 - h), (cx + 9, cy + 8), (cx - 9 - w, cy - 8 - h), (cx - 9 - w, cy + 8)]
            func fits(_ c: (Double, Double)) -> Bool {
                c.0 >= left + 2 && c.0 + w <= right - 2 && c.1 >= top + 2 && c.1 + h <= bottom - 2
                    && !taken.contains { $0.x0 < c.0 + w && c.0 < $0.x1 && $0.y0 < c.1 + h && c.1 < $0.y1 }
            }
            let box = candidates.first(where: fits) ?? candidates.first { c in c.0 >= left && c.0 + w <= right } ?? candidates[0]
            taken.append((box.0, box.1, box.0 + w, box.1 + h))
            svg.rect(box.0, box.1, w, h, fill: "white", opacity: 0.85)
            svg.text(box.0 + 3, box.1 + 11.5, m.label, size: 11, fill: "#1b5e20")
        }
        if !models.isEmpty { legend.append(("model", "models")) }

        // Legend box in the top-left corner of the plot area.
        let lw = (legend.map { textWidth($0.text, 12) }.max() ?? 0) + 44, lh = Double(legend.count) * 20 + 10
        svg.rect(left + 10, top + 10, lw, lh, fill: "white", stroke: "#999", opacity: 0.92)
        for (i, entry) in legend.enumerated() {
            let ly = top + 10 + 20 * Double(i) + 19, lx = left + 22
            switch entry.kind {
            case "point": svg.circle(lx + 6, ly - 4, 4, fill: pointColor)
            case "fit": svg.line(lx - 4, ly - 4, lx + 16, ly - 4, stroke: fitColor, width: 1.5, dash: "6,4")
            default: svg.diamond(lx + 6, ly - 4, 6, fill: modelColor)
            }
            svg.text(lx + 22, ly, entry.text, size: 12)
        }
        return svg.render()
    }

    /// The axis range in log10 units: the data's range with a margin (so no point sits on the
    /// frame), at least half a decade wide; 0…1 without data.
    public static func logRange(_ values: [Double]) -> (Double, Double) {
        let logs = values.filter { $0 > 0 && $0.isFinite }.map(log10)
        guard let lo = logs.min(), let hi = logs.max() else { return (0, 1) }
        let mid = (lo + hi) / 2, half = max(hi - lo, 0.5) / 2
        let pad = 0.07 * 2 * half + 0.03
        return (mid - half - pad, mid + half + pad)
    }

    /// Grid positions in `10^lo … 10^hi`: every `k·10^d` (k = 1…9), labelled at decades — and at
    /// 2× and 5× when the axis spans less than two and a half decades.
    public static func ticks(_ lo: Double, _ hi: Double) -> [(value: Double, labelled: Bool)] {
        var out: [(Double, Bool)] = []
        let short = hi - lo < 2.5
        for d in Int(floor(lo))...Int(ceil(hi)) {
            for k in 1...9 {
                let v = Double(k) * pow(10, Double(d)), l = log10(v)
                guard l >= lo - 1e-9, l <= hi + 1e-9 else { continue }
                out.append((v, k == 1 || (short && (k == 2 || k == 5))))
            }
        }
        return out
    }

    /// `1`, `10`, `100`, `1k`, `10k`, `100k`, `1M`, `10M`, …
    public static func countLabel(_ v: Double) -> String {
        let (m, e) = mantissa(v)
        if e < 0 { return String(format: "%g", v) }
        let suffixes = ["", "k", "M", "G", "T"]
        let group = min(e / 3, suffixes.count - 1)
        return "\(Int((m * pow(10, Double(e - 3 * group))).rounded()))\(suffixes[group])"
    }

    /// `v = m·10^e` with `1 ≤ m < 10` (m rounded to an integer: ticks are 1, 2, 5 × 10^e).
    static func mantissa(_ v: Double) -> (Double, Int) {
        let e = Int(floor(log10(v) + 1e-9))
        return ((v / pow(10, Double(e))).rounded(), e)
    }

    /// Decade of seconds: `1 µs`, `10 ms`, `1 s`, `100 s`.
    public static func timeLabel(_ v: Double) -> String {
        let (m, e) = mantissa(v)
        let units: [(Int, String)] = [(-9, "ns"), (-6, "µs"), (-3, "ms"), (0, "s")]
        let unit = units.last { $0.0 <= e } ?? units[0]
        return "\(Int((m * pow(10, Double(e - unit.0))).rounded())) \(unit.1)"
    }

    /// Decade of bytes (decimal prefixes, since ticks are powers of ten): `1 kB`, `10 MB`, `1 GB`.
    public static func bytesLabel(_ v: Double) -> String {
        let (m, e) = mantissa(v)
        let units: [(Int, String)] = [(0, "B"), (3, "kB"), (6, "MB"), (9, "GB"), (12, "TB")]
        let unit = units.last { $0.0 <= e } ?? units[0]
        return "\(Int((m * pow(10, Double(e - unit.0))).rounded())) \(unit.1)"
    }

    /// Rough width of sans-serif text (average glyph ≈ 0.58 em).
    static func textWidth(_ s: String, _ size: Double) -> Double { Double(s.count) * size * 0.56 }

    static func truncate(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
}

/// A minimal SVG 1.1 document builder.
struct SVG {
    let width: Double, height: Double
    private var body: [String] = []

    init(width: Double, height: Double) { self.width = width; self.height = height }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    static func n(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double, dash: String? = nil) {
        body.append("<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil, opacity: Double? = nil) {
        body.append("<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(w))\" height=\"\(Self.n(h))\" fill=\"\(fill)\"\(stroke.map { " stroke=\"\($0)\"" } ?? "")\(opacity.map { " fill-opacity=\"\($0)\"" } ?? "")/>")
    }

    mutating func circle(_ cx: Double, _ cy: Double, _ r: Double, fill: String) {
        body.append("<circle cx=\"\(Self.n(cx))\" cy=\"\(Self.n(cy))\" r=\"\(Self.n(r))\" fill=\"\(fill)\" stroke=\"white\" stroke-width=\"1\"/>")
    }

    mutating func diamond(_ cx: Double, _ cy: Double, _ r: Double, fill: String) {
        let pts = [(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)].map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body.append("<polygon points=\"\(pts)\" fill=\"\(fill)\" stroke=\"white\" stroke-width=\"1\"/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double) {
        let pts = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body.append("<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"/>")
    }

    mutating func text(_ x: Double, _ y: Double, _ s: String, size: Double, anchor: String = "start", weight: String? = nil,
                       fill: String = "#222", rotate: Double? = nil) {
        let transform = rotate.map { " transform=\"rotate(\(Self.n($0)) \(Self.n(x)) \(Self.n(y)))\"" } ?? ""
        body.append("<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\" text-anchor=\"\(anchor)\" fill=\"\(fill)\"\(weight.map { " font-weight=\"\($0)\"" } ?? "")\(transform)>\(Self.escape(s))</text>")
    }

    func render() -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="no"?>
        <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(Self.n(width))" height="\(Self.n(height))" viewBox="0 0 \(Self.n(width)) \(Self.n(height))" font-family="\(BenchPlots.font)">
        <rect x="0" y="0" width="\(Self.n(width))" height="\(Self.n(height))" fill="white"/>
        \(body.joined(separator: "\n"))
        </svg>

        """
    }
}
