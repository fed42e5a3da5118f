import Foundation
import ZKAlgebra

/// One term `coefficient · w[wire]` of a linear combination.
public struct R1CSTerm: Sendable, Hashable {
    /// Wire (signal) index, `0 ..< nWires`; wire 0 is the constant one.
    public var wire: Int
    /// The coefficient, a canonical element of Fr.
    public var coefficient: Fr

    public init(wire: Int, coefficient: Fr) {
        self.wire = wire
        self.coefficient = coefficient
    }
}

/// One rank-1 constraint `⟨a, w⟩ · ⟨b, w⟩ = ⟨c, w⟩`. Terms are kept in file order (circom
/// writes them sorted by wire, without repeats, but the reader does not require that).
public struct R1CSConstraint: Sendable, Hashable {
    public var a: [R1CSTerm]
    public var b: [R1CSTerm]
    public var c: [R1CSTerm]

    public init(a: [R1CSTerm], b: [R1CSTerm], c: [R1CSTerm]) {
        self.a = a
        self.b = b
        self.c = c
    }
}

/// An iden3/circom `.r1cs` file (magic `r1cs`, version 1) over BN254's scalar field.
///
/// Wire layout (circom convention): wire 0 is the constant 1, then the `nPubOut` public
/// outputs, the `nPubIn` public inputs, the `nPrvIn` private inputs, then internal wires. The
/// public signals of a Groth16 proof are wires `1 ... nPubOut + nPubIn`.
///
/// Invariants checked by ``init(bytes:)`` and ``validate()``: field size 32 and prime = r;
/// `1 + nPubOut + nPubIn + nPrvIn ≤ nWires ≤ 2^32 − 1`; every term's wire `< nWires`;
/// `wireToLabel.count == nWires` and every label `< nLabels`; at most `2^32 − 1` constraints
/// and terms per linear combination. Custom-gate sections (types 4 and 5, PLONK-only) are
/// rejected; other unknown section types are skipped (and not written back).
public struct R1CSFile: Sendable, Hashable {
    /// Section types of the format.
    public enum Section: UInt32, Sendable {
        case header = 1, constraints = 2, wireToLabel = 3
    }

    /// Total number of wires, including wire 0 (the constant one).
    public var nWires: Int
    /// Number of public outputs (wires `1 ... nPubOut`).
    public var nPubOut: Int
    /// Number of public inputs (the wires after the outputs).
    public var nPubIn: Int
    /// Number of private inputs (the wires after the public inputs).
    public var nPrvIn: Int
    /// Number of labels (signals before optimisation) in the circom symbol table.
    public var nLabels: UInt64
    /// The constraints, in file order.
    public var constraints: [R1CSConstraint]
    /// `wireToLabel[w]` is the label (original signal id) of wire `w`; length `nWires`.
    public var wireToLabel: [UInt64]
    /// The order of the three sections in the file; ``serialized()`` writes them in this order.
    /// circom writes constraints, header, wire map (`[2, 1, 3]`), the default.
    public var sectionOrder: [Section]

    /// Number of constraints (`constraints.count`).
    public var nConstraints: Int { constraints.count }
    /// Number of public signals of a proof: `nPubOut + nPubIn`.
    public var nPublic: Int { nPubOut + nPubIn }

    public init(nWires: Int, nPubOut: Int, nPubIn: Int, nPrvIn: Int, nLabels: UInt64,
                constraints: [R1CSConstraint], wireToLabel: [UInt64],
                sectionOrder: [Section] = [.constraints, .header, .wireToLabel]) {
        self.nWires = nWires
        self.nPubOut = nPubOut
        self.nPubIn = nPubIn
        self.nPrvIn = nPrvIn
        self.nLabels = nLabels
        self.constraints = constraints
        self.wireToLabel = wireToLabel
        self.sectionOrder = sectionOrder
    }

    /// Parses a `.r1cs` file; throws ``FormatError`` on any malformed or unsupported input.
    public init(data: Data) throws { try self.init(bytes: [UInt8](data)) }

    /// Parses a `.r1cs` file; throws ``FormatError`` on any malformed or unsupported input.
    public init(bytes: [UInt8]) throws {
        var constraints: [R1CSConstraint] = []
        self = try R1CSFile(bytes: bytes, header: { constraints.reserveCapacity($0.nConstraints) }) { a, b, c in
            constraints.append(R1CSConstraint(a: a, b: b, c: c))
        }
        self.constraints = constraints
    }

    /// The header counts, as ``init(bytes:header:streaming:)`` reports them before the first constraint.
    public struct Counts: Sendable, Hashable {
        public var nWires: Int, nPubOut: Int, nPubIn: Int, nPrvIn: Int, nConstraints: Int
        public var nPublic: Int { nPubOut + nPubIn }
        public init(nWires: Int, nPubOut: Int, nPubIn: Int, nPrvIn: Int, nConstraints: Int) {
            self.nWires = nWires; self.nPubOut = nPubOut; self.nPubIn = nPubIn; self.nPrvIn = nPrvIn; self.nConstraints = nConstraints
        }
    }

    /// Parses a `.r1cs` file with exactly the checks of ``init(bytes:)``, but hands every constraint to
    /// `constraint` as it is read (in file order; the three arrays are reused between calls) instead of keeping
    /// it: the returned value's `constraints` is empty. `header` sees the counts before the first constraint.
    /// For large circuits this avoids holding a second, per-constraint copy of the system in memory.
    public init(bytes: [UInt8], header: (Counts) throws -> Void,
                streaming constraint: (_ a: [R1CSTerm], _ b: [R1CSTerm], _ c: [R1CSTerm]) throws -> Void) throws {
        let file = try BinContainer(bytes, magic: "r1cs", version: 1)
        try self.init(file, header: header) { counts in
            var r = try file.reader(2, name: "constraints")
            // Each constraint has at least three u32 term counts.
            try r.checkCount(UInt64(counts.nConstraints), itemSize: 12, "nConstraints")
            try header(counts)
            var ta: [R1CSTerm] = [], tb: [R1CSTerm] = [], tc: [R1CSTerm] = []
            for i in 0..<counts.nConstraints {
                try Self.readConstraint(&r, i, nWires: UInt32(counts.nWires), &ta, &tb, &tc)
                try constraint(ta, tb, tc)
            }
            try r.expectEnd()
        }
    }

    /// ``init(bytes:header:streaming:)`` for the file at `path`, with exactly its checks and errors, reading the
    /// constraints section a few megabytes at a time: neither the file nor its constraints are ever in memory whole
    /// (the wire-to-label map, 8 bytes a wire, is read at once). The file stays open while it is read, so every
    /// section comes from the file whose section table was checked. Throws ``FormatError`` for a malformed file,
    /// `CocoaError` when it cannot be read.
    public init(contentsOfFile path: String, header: (Counts) throws -> Void,
                streaming constraint: (_ a: [R1CSTerm], _ b: [R1CSTerm], _ c: [R1CSTerm]) throws -> Void) throws {
        try self.init(contentsOfFile: path, chunkBytes: 1 << 22, header: header, streaming: constraint)
    }

    /// ``init(contentsOfFile:header:streaming:)`` reading at least `chunkBytes` of the constraints section at a time
    /// (a constraint larger than that is read whole).
    package init(contentsOfFile path: String, chunkBytes chunk: Int, header: (Counts) throws -> Void,
                 streaming constraint: (_ a: [R1CSTerm], _ b: [R1CSTerm], _ c: [R1CSTerm]) throws -> Void) throws {
        precondition(chunk > 0)
        let file = try BinFileSections(path: path, magic: "r1cs", version: 1)
        try self.init(file, header: header) { counts in
            guard let section = file.section(2) else { throw FormatError.missingSection(format: "r1cs", section: 2) }
            let context = "r1cs section 2 (constraints)"
            let (start, end) = (section.range.lowerBound, section.range.upperBound)
            // The checks ByteReader.checkCount and expectEnd make over the whole section.
            guard UInt64(counts.nConstraints) <= UInt64(section.range.count / 12) else {
                throw FormatError.countTooLarge(context: "\(context), nConstraints", count: UInt64(counts.nConstraints),
                                                maximumPossible: UInt64(section.range.count / 12))
            }
            try header(counts)
            let nWires = UInt32(counts.nWires)
            /// The end of the constraint starting at `at` from its three term counts (each read by `word`), or nil when
            /// it would pass `limit`.
            func constraintEnd(at: Int, limit: Int, _ word: (Int) throws -> UInt32) rethrows -> Int? {
                var p = at
                for _ in 0..<3 {
                    guard p + 4 <= limit else { return nil }
                    let n = try word(p)
                    guard UInt64(n) <= UInt64((limit - p - 4) / 36) else { return nil }
                    p += 4 + 36 * Int(n)
                }
                return p
            }
            var r = ByteReader([], context: context, origin: start)
            var position = start  // file offset of `r`'s cursor
            var ta: [R1CSTerm] = [], tb: [R1CSTerm] = [], tc: [R1CSTerm] = []
            for i in 0..<counts.nConstraints {
                // When the next constraint is not wholly in the buffer, read from its start at least `chunk` bytes, or
                // all of it, or (when it would pass the section's end) the rest of the section, where the parse then
                // throws the whole-file parser's error.
                let inBuffer = r.bytes.withUnsafeBytes { raw in
                    constraintEnd(at: r.offset, limit: r.end) { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0, as: UInt32.self)) }
                } != nil
                if !inBuffer {
                    let extent = try constraintEnd(at: position, limit: end) { at in
                        try file.read(at..<(at + 4)).withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
                    }
                    let count = min(end - position, max(chunk, (extent ?? end) - position))
                    r = ByteReader(try file.read(position..<(position + count)), context: context, origin: position)
                }
                let before = r.offset
                try Self.readConstraint(&r, i, nWires: nWires, &ta, &tb, &tc)
                position += r.offset - before
                try constraint(ta, tb, tc)
            }
            if position != end { throw FormatError.trailingBytes(context: context, count: end - position) }
        }
    }

    /// The parse shared by the readers: custom-gate sections, header, `constraints` (which checks the count, calls
    /// `header` and reads every constraint), the wire-to-label map.
    private init(_ file: some SectionSource, header: (Counts) throws -> Void, constraints: (Counts) throws -> Void) throws {
        // circom ≥ 2.0.6 may write the custom-gate sections 4 and 5 even when empty (a zero count);
        // those are accepted, any actual custom gate is not (they are PLONK-only).
        for t: UInt32 in [4, 5] {
            guard let s = file.section(t) else { continue }
            let customGates = FormatError.unsupportedFeature(context: "r1cs section \(t)", feature: "circom custom gates (PLONK only)")
            guard s.range.count == 4 else { throw customGates }
            var count = try file.reader(t, name: "custom gates")
            guard try count.readU32("count") == 0 else { throw customGates }
        }

        // Header.
        var h = try file.reader(1, name: "header")
        try h.readFieldHeader(Fr.self, n8What: "n8", primeName: "scalar field modulus r")
        let nWires = try h.readU32("nWires")
        let nPubOut = try h.readU32("nPubOut")
        let nPubIn = try h.readU32("nPubIn")
        let nPrvIn = try h.readU32("nPrvIn")
        let nLabels = try h.readU64("nLabels")
        let nConstraints = try h.readU32("nConstraints")
        try h.expectEnd()
        let inputs = 1 + UInt64(nPubOut) + UInt64(nPubIn) + UInt64(nPrvIn)
        guard inputs <= UInt64(nWires) else {
            throw FormatError.invalidHeader(
                context: "r1cs header",
                reason: "1 + nPubOut + nPubIn + nPrvIn = \(inputs) exceeds nWires = \(nWires)")
        }

        // Constraints.
        try constraints(Counts(nWires: Int(nWires), nPubOut: Int(nPubOut), nPubIn: Int(nPubIn), nPrvIn: Int(nPrvIn),
                               nConstraints: Int(nConstraints)))

        let labels = try Self.readLabels(try file.reader(3, name: "wire-to-label map"), nWires: nWires, nLabels: nLabels)

        self.nWires = Int(nWires)
        self.nPubOut = Int(nPubOut)
        self.nPubIn = Int(nPubIn)
        self.nPrvIn = Int(nPrvIn)
        self.nLabels = nLabels
        self.constraints = []
        self.wireToLabel = labels
        self.sectionOrder = file.sections.compactMap { Section(rawValue: $0.type) }
    }

    /// Reads constraint `i` (three linear combinations) into `ta`, `tb`, `tc`: each term's wire `< nWires`, each
    /// coefficient canonical.
    static func readConstraint(_ r: inout ByteReader, _ i: Int, nWires: UInt32,
                               _ ta: inout [R1CSTerm], _ tb: inout [R1CSTerm], _ tc: inout [R1CSTerm]) throws {
        func lc(_ name: String, _ terms: inout [R1CSTerm]) throws {
            let n = try r.readU32("constraint \(i) \(name) term count")
            try r.checkCount(UInt64(n), itemSize: 36, "constraint \(i) \(name) term count")
            terms.removeAll(keepingCapacity: true)
            terms.reserveCapacity(Int(n))
            for j in 0..<Int(n) {
                let wire = try r.readU32("constraint \(i) \(name) term \(j) wire")
                guard wire < nWires else {
                    throw FormatError.indexOutOfRange(
                        context: "\(r.context), constraint \(i) \(name) term \(j) wire",
                        index: UInt64(wire), bound: UInt64(nWires))
                }
                let coef = try r.readCanonical(Fr.self, "constraint \(i) \(name) term \(j) coefficient")
                terms.append(R1CSTerm(wire: Int(wire), coefficient: coef))
            }
        }
        try lc("A", &ta); try lc("B", &tb); try lc("C", &tc)
    }

    /// The wire-to-label map (section 3): `nWires` labels, each `< nLabels`.
    static func readLabels(_ section: ByteReader, nWires: UInt32, nLabels: UInt64) throws -> [UInt64] {
        var m = section
        let expected = UInt64(nWires) * 8
        guard UInt64(m.remaining) == expected else {
            throw FormatError.sectionSizeMismatch(context: m.context, declared: UInt64(m.remaining), expected: expected)
        }
        var labels: [UInt64] = []
        labels.reserveCapacity(Int(nWires))
        for w in 0..<Int(nWires) {
            let label = try m.readU64("wire \(w) label")
            guard label < nLabels else {
                throw FormatError.indexOutOfRange(context: "\(m.context), wire \(w) label", index: label, bound: nLabels)
            }
            labels.append(label)
        }
        return labels
    }

    /// Checks the invariants listed in the type's documentation (useful before
    /// ``serialized()`` on a value built in memory). Throws ``FormatError``.
    public func validate() throws {
        let ctx = "r1cs"
        let limit = Int(UInt32.max)
        for (name, v) in [("nWires", nWires), ("nPubOut", nPubOut), ("nPubIn", nPubIn), ("nPrvIn", nPrvIn),
                          ("nConstraints", constraints.count)] where v < 0 || v > limit {
            throw FormatError.invalidHeader(context: ctx, reason: "\(name) = \(v) is not a u32")
        }
        guard 1 + nPubOut + nPubIn + nPrvIn <= nWires else {
            throw FormatError.invalidHeader(context: ctx, reason: "1 + nPubOut + nPubIn + nPrvIn exceeds nWires")
        }
        for (i, con) in constraints.enumerated() {
            for (name, lc) in [("A", con.a), ("B", con.b), ("C", con.c)] {
                guard lc.count <= limit else {
                    throw FormatError.invalidHeader(context: ctx, reason: "constraint \(i) \(name) has too many terms")
                }
                for (j, t) in lc.enumerated() where t.wire < 0 || t.wire >= nWires {
                    throw FormatError.indexOutOfRange(
                        context: "\(ctx), constraint \(i) \(name) term \(j) wire",
                        index: UInt64(truncatingIfNeeded: t.wire), bound: UInt64(nWires))
                }
            }
        }
        guard wireToLabel.count == nWires else {
            throw FormatError.countMismatch(context: "\(ctx) wireToLabel length", expected: nWires, found: wireToLabel.count)
        }
        for (w, label) in wireToLabel.enumerated() where label >= nLabels {
            throw FormatError.indexOutOfRange(context: "\(ctx), wire \(w) label", index: label, bound: nLabels)
        }
    }

    /// The file's bytes: version 1, the three sections in ``sectionOrder`` (any section missing
    /// from it is appended in the order header, constraints, map; repeats are dropped).
    /// Round-trips a parsed file byte-for-byte when it had no unknown sections. Only
    /// meaningful when ``validate()`` passes (counts beyond 32 bits would be truncated).
    public func serialized() -> [UInt8] {
        var order: [Section] = []
        for s in sectionOrder + [.header, .constraints, .wireToLabel] where !order.contains(s) { order.append(s) }
        let sections: [(UInt32, [UInt8])] = order.map { s in
            var w = ByteWriter()
            switch s {
            case .header:
                w.u32(32)
                w.limbs([Fr.p0, Fr.p1, Fr.p2, Fr.p3])
                w.u32(int: nWires); w.u32(int: nPubOut); w.u32(int: nPubIn); w.u32(int: nPrvIn)
                w.u64(nLabels)
                w.u32(int: constraints.count)
            case .constraints:
                for con in constraints {
                    for lc in [con.a, con.b, con.c] {
                        w.u32(int: lc.count)
                        for t in lc { w.u32(int: t.wire); w.fr(t.coefficient) }
                    }
                }
            case .wireToLabel:
                for label in wireToLabel { w.u64(label) }
            }
            return (s.rawValue, w.bytes)
        }
        return BinContainer.write(magic: "r1cs", version: 1, sections: sections)
    }
}
