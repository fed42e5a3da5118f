import Foundation

/// One measurement of two runs side by side.
public struct ComparisonRow: Codable, Sendable, Equatable {
    public var suite: String
    public var name: String
    public var size: Int?
    public var metric: String
    /// The unit of `a` and `b` (B's value is converted to A's unit for time units).
    public var unit: String
    /// The value in run A, nil when only B has it.
    public var a: Double?
    /// The value in run B, nil when only A has it.
    public var b: Double?
    /// `b / a`: below 1 means B is smaller (faster, for times). Nil when a side is missing, `a` is
    /// zero, or the units differ and cannot be converted.
    public var ratio: Double?

    public init(suite: String, name: String, size: Int?, metric: String, unit: String, a: Double?, b: Double?, ratio: Double?) {
        self.suite = suite; self.name = name; self.size = size; self.metric = metric
        self.unit = unit; self.a = a; self.b = b; self.ratio = ratio
    }
}

/// Matches the rows of two runs by (suite, name, size, metric) — ``BenchResults/allRows``, so
/// model rows too — and gives `b / a` for each pair. Rows in A come first in A's order, then rows
/// only in B in B's order.
public func compare(a: BenchResults, b: BenchResults) -> [ComparisonRow] {
    var bByKey: [RowKey: BenchRow] = [:]
    for r in b.allRows where bByKey[r.key] == nil { bByKey[r.key] = r }
    var seen = Set<RowKey>()
    var out: [ComparisonRow] = []
    let timeUnits: Set<String> = ["ns", "us", "ms", "s"]
    for ra in a.allRows where seen.insert(ra.key).inserted {
        guard let rb = bByKey[ra.key] else {
            out.append(ComparisonRow(suite: ra.suite, name: ra.name, size: ra.size, metric: ra.metric, unit: ra.unit, a: ra.value, b: nil, ratio: nil))
            continue
        }
        var bValue: Double? = rb.value
        if rb.unit != ra.unit {
            bValue = timeUnits.contains(ra.unit) && timeUnits.contains(rb.unit)
                ? rb.value * BenchMeasurement.secondsPer(rb.unit) / BenchMeasurement.secondsPer(ra.unit) : nil
        }
        let ratio = bValue.flatMap { ra.value != 0 ? $0 / ra.value : nil }
        out.append(ComparisonRow(suite: ra.suite, name: ra.name, size: ra.size, metric: ra.metric,
                                 unit: bValue == nil ? "\(ra.unit) vs \(rb.unit)" : ra.unit, a: ra.value, b: bValue ?? rb.value, ratio: ratio))
    }
    for rb in b.allRows where seen.insert(rb.key).inserted {
        out.append(ComparisonRow(suite: rb.suite, name: rb.name, size: rb.size, metric: rb.metric, unit: rb.unit, a: nil, b: rb.value, ratio: nil))
    }
    return out
}

extension ComparisonRow {
    /// A plain-text table: one line per row with A, B and B/A (`only in A`/`only in B` when unmatched).
    public static func table(_ rows: [ComparisonRow]) -> String {
        let header = ["suite", "name", "size", "metric", "A", "B", "B/A"]
        var lines: [[String]] = [header]
        for r in rows {
            let ratio: String
            switch (r.a, r.b) {
            case (nil, _): ratio = "only in B"
            case (_, nil): ratio = "only in A"
            default: ratio = r.ratio.map { String(format: "%.3f", $0) } ?? "–"
            }
            lines.append([r.suite, r.name, r.size.map(BenchFormat.sizeLabel) ?? "", r.metric,
                          r.a.map { BenchFormat.value($0, r.unit) } ?? "", r.b.map { BenchFormat.value($0, r.unit) } ?? "", ratio])
        }
        let widths = header.indices.map { i in lines.map { $0[i].count }.max() ?? 0 }
        return lines.map { cols in
            cols.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return i >= 4 ? pad + c : c + pad  // numbers right-aligned
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n")
    }
}
