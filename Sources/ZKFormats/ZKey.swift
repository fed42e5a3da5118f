import Foundation
import ZKAlgebra
import ZKBigNum

/// One entry of a Groth16 `.zkey`'s coefficient section (section 4): the coefficient of
/// `signal` in row `constraint` of matrix A or B of the QAP.
///
/// Rows `0 ..< nConstraints` are the circuit's A and B linear combinations (C is not stored; the
/// prover derives it). snarkjs appends one extra row per public signal and the constant:
/// `A[nConstraints + i][i] = 1` for `i = 0 ... nPublic`.
public struct ZKeyCoefficient: Sendable, Hashable {
    /// Which QAP matrix the coefficient belongs to.
    public enum Matrix: UInt32, Sendable {
        case a = 0
        case b = 1
    }

    public var matrix: Matrix
    /// The row (constraint index), `< domainSize`.
    public var constraint: Int
    /// The column (signal / wire index), `< nVars`.
    public var signal: Int
    /// The coefficient itself (decoded from the file's `coef·R² mod r` encoding, `R = 2^256`).
    public var value: Fr

    public init(matrix: Matrix, constraint: Int, signal: Int, value: Fr) {
        self.matrix = matrix
        self.constraint = constraint
        self.signal = signal
        self.value = value
    }
}

/// One QAP matrix's coefficients from a `.zkey` as parallel columns, in file order: the compact form a prover
/// keeps (40 bytes a coefficient) instead of a ``ZKeyCoefficient`` list.
package struct ZKeyCoefficientColumns: Sendable, Hashable {
    package var rows: [UInt32] = []
    package var signals: [UInt32] = []
    package var values: [Fr] = []

    mutating func reserve(_ n: Int) {
        rows.reserveCapacity(n); signals.reserveCapacity(n); values.reserveCapacity(n)
    }
}

/// The A and B coefficients of a `.zkey` as columns (``ZKeyGroth16/coefficientColumns``).
package struct ZKeyQAPColumns: Sendable, Hashable {
    package var a: ZKeyCoefficientColumns
    package var b: ZKeyCoefficientColumns
}

/// A snarkjs Groth16 proving key (`.zkey`, magic `zkey`, version 1, protocol id 1) over BN254.
///
/// Sections read: 1 protocol, 2 header, 3 IC, 4 coefficients, 5 A, 6 B1, 7 B2, 8 C, 9 H.
/// Section 10 (contributions) and unknown types are ignored. Every point coordinate in the file
/// is little-endian Montgomery form; the all-zero encoding is the point at infinity.
///
/// Invariants after a successful parse: `n8q = n8r = 32`, `q`/`r` are BN254's;
/// `nPublic + 1 ≤ nVars`; `domainSize` is a power of two; `ic.count == nPublic + 1`;
/// `a.count == b1.count == b2.count == nVars`; `c.count == nVars − nPublic − 1`;
/// `h.count == domainSize`; every coefficient has `constraint < domainSize` and
/// `signal < nVars`; every point is on its curve, and every G2 point is in the order-r subgroup
/// when parsed with `validateSubgroup: true` (G1 has cofactor 1, so on-curve suffices there).
public struct ZKeyGroth16: Sendable, Hashable {
    /// Size in bytes of a base-field element (always 32).
    public var n8q: Int
    /// The base-field modulus q (always BN254's).
    public var q: BigNum
    /// Size in bytes of a scalar-field element (always 32).
    public var n8r: Int
    /// The scalar-field modulus r (always BN254's).
    public var r: BigNum
    /// Number of signals (wires), including the constant-one signal 0.
    public var nVars: Int
    /// Number of public signals (outputs then inputs), i.e. signals `1 ... nPublic`.
    public var nPublic: Int
    /// The evaluation domain size (a power of two, ≥ nConstraints + nPublic + 1).
    public var domainSize: Int

    public var alpha1: G1Affine
    public var beta1: G1Affine
    public var beta2: G2Affine
    public var gamma2: G2Affine
    public var delta1: G1Affine
    public var delta2: G2Affine
    /// The verification key's IC points (`γ⁻¹`-scaled public-signal commitments), `nPublic + 1` of them.
    public var ic: [G1Affine]
    /// The A and B coefficients (section 4), in file order.
    public var coefficients: [ZKeyCoefficient]
    /// `[A_i(τ)]₁` for every signal `i < nVars`.
    public var a: [G1Affine]
    /// `[B_i(τ)]₁` for every signal `i < nVars`.
    public var b1: [G1Affine]
    /// `[B_i(τ)]₂` for every signal `i < nVars`.
    public var b2: [G2Affine]
    /// The private-signal C points: `c[k]` belongs to signal `nPublic + 1 + k`
    /// (`c.count == nVars − nPublic − 1`; the constant and public signals have no C point).
    /// Use ``cPoint(signal:)`` to index by signal.
    public var c: [G1Affine]
    /// The H points (`domainSize` of them) for the quotient polynomial.
    public var h: [G1Affine]
    /// With `coefficientColumns: true` (the prover's reader), the A and B coefficients as columns, and
    /// ``coefficients`` empty; nil otherwise.
    package var coefficientColumns: ZKeyQAPColumns?

    /// The C point of `signal`, or nil for the constant and public signals (`signal ≤ nPublic`)
    /// and for out-of-range signals.
    public func cPoint(signal: Int) -> G1Affine? {
        let k = signal - nPublic - 1
        return k >= 0 && k < c.count ? c[k] : nil
    }

    /// Parses a Groth16 `.zkey`; throws ``FormatError`` on any malformed or unsupported input,
    /// including a zkey for another protocol (``FormatError/unsupportedProtocol(id:name:)``).
    /// `validateSubgroup: false` skips the subgroup checks of the B2 section (about 0.1 ms per G2 point):
    /// the prover's B2 points need none for soundness — a point outside the subgroup can only make the
    /// prover's own proof fail (the verifier checks the proof's B), which the prover catches by checking
    /// its output (``Groth16/prove(_:witness:threads:progress:)``). The header's G2 points (the
    /// verification key) are always subgroup-checked, and curve-equation and `< q` checks always done.
    /// Point sections are decoded on `threads` threads (nil: every core).
    public init(data: Data, validateSubgroup: Bool = true, threads: Int? = nil) throws {
        try self.init(bytes: [UInt8](data), validateSubgroup: validateSubgroup, threads: threads)
    }

    /// See ``init(data:validateSubgroup:threads:)``.
    public init(bytes: [UInt8], validateSubgroup: Bool = true, threads: Int? = nil) throws {
        try self.init(sections: BinContainer(bytes, magic: "zkey", version: 1), validateSubgroup: validateSubgroup, threads: threads)
    }

    /// Reads the `.zkey` at `path` one section at a time (the same checks and result as ``init(bytes:validateSubgroup:threads:)``):
    /// the whole file is never in memory at once, only the decoded key and the section being decoded. Throws
    /// ``FormatError`` for a malformed file and `CocoaError` when it cannot be read.
    public init(contentsOfFile path: String, validateSubgroup: Bool = true, threads: Int? = nil) throws {
        try self.init(sections: BinFileSections(path: path, magic: "zkey", version: 1), validateSubgroup: validateSubgroup, threads: threads)
    }

    /// ``init(contentsOfFile:validateSubgroup:threads:)`` for a prover: the same checks, but the coefficients go
    /// straight into ``coefficientColumns`` (``coefficients`` stays empty), so the file's coefficient list is never
    /// held as ``ZKeyCoefficient`` values.
    package init(contentsOfFile path: String, validateSubgroup: Bool, threads: Int?, coefficientColumns: Bool) throws {
        try self.init(sections: BinFileSections(path: path, magic: "zkey", version: 1), validateSubgroup: validateSubgroup,
                      threads: threads, coefficientColumns: coefficientColumns)
    }

    /// Opens the `.zkey` at `path` for one proof: sections 1–4 are read and checked as
    /// ``init(contentsOfFile:validateSubgroup:threads:coefficientColumns:)`` reads them (the coefficients as columns),
    /// the sizes of the point sections 5–9 are checked, and the points themselves are left in the file: the returned
    /// key's `a`, `b1`, `b2`, `c` and `h` are empty, and ``ZKeyPointSections`` reads each one, with the checks of
    /// `validateSubgroup: false`, when asked. Throws ``FormatError`` for a malformed file, `CocoaError` when it cannot
    /// be read.
    package static func openForProving(path: String, threads: Int?) throws -> (key: ZKeyGroth16, points: ZKeyPointSections) {
        let file = try BinFileSections(path: path, magic: "zkey", version: 1)
        let key = try ZKeyGroth16(sections: file, validateSubgroup: false, threads: threads, coefficientColumns: true, deferPoints: true)
        return (key, ZKeyPointSections(file: file, nVars: key.nVars, nPublic: key.nPublic, domainSize: key.domainSize, threads: threads))
    }

    init(sections file: some SectionSource, validateSubgroup: Bool, threads: Int?, coefficientColumns: Bool = false,
         deferPoints: Bool = false) throws {

        // 1: protocol.
        var p = try file.reader(1, name: "protocol")
        let protocolID = try p.readU32("protocol id")
        try p.expectEnd()
        guard protocolID == 1 else {
            let name: String
            switch protocolID {
            case 2: name = "plonk"
            case 10: name = "fflonk"
            default: name = "unknown"
            }
            throw FormatError.unsupportedProtocol(id: protocolID, name: name)
        }

        // 2: header.
        var h = try file.reader(2, name: "header")
        try h.readFieldHeader(Fq.self, n8What: "n8q", primeName: "base field modulus q")
        try h.readFieldHeader(Fr.self, n8What: "n8r", primeName: "scalar field modulus r")
        let nVars = try h.readU32("nVars")
        let nPublic = try h.readU32("nPublic")
        let domainSize = try h.readU32("domainSize")
        guard UInt64(nPublic) + 1 <= UInt64(nVars) else {
            throw FormatError.invalidHeader(context: h.context, reason: "nPublic + 1 = \(UInt64(nPublic) + 1) exceeds nVars = \(nVars)")
        }
        guard domainSize != 0, domainSize & (domainSize - 1) == 0 else {
            throw FormatError.invalidHeader(context: h.context, reason: "domainSize = \(domainSize) is not a power of two")
        }
        // The header's G2 points form the verification key: always subgroup-checked.
        alpha1 = try h.readG1Montgomery("alpha1")
        beta1 = try h.readG1Montgomery("beta1")
        beta2 = try h.readG2Montgomery("beta2", subgroup: true)
        gamma2 = try h.readG2Montgomery("gamma2", subgroup: true)
        delta1 = try h.readG1Montgomery("delta1")
        delta2 = try h.readG2Montgomery("delta2", subgroup: true)
        try h.expectEnd()

        n8q = 32
        q = Fq.modulus
        n8r = 32
        r = Fr.modulus
        self.nVars = Int(nVars)
        self.nPublic = Int(nPublic)
        self.domainSize = Int(domainSize)

        // 3: IC.
        ic = try Self.g1Section(file, 3, "IC", count: Int(nPublic) + 1, threads: threads)

        // 4: coefficients.
        var cs = try file.reader(4, name: "coefficients")
        let nCoefs = try cs.readU32("count")
        let expectedCoefBytes = UInt64(nCoefs) * 44
        guard UInt64(cs.remaining) == expectedCoefBytes else {
            throw FormatError.sectionSizeMismatch(
                context: cs.context, declared: UInt64(cs.remaining) + 4, expected: expectedCoefBytes + 4)
        }
        // The value is stored as coef·R² mod r; read as Montgomery limbs that is the element
        // coef·R, and multiplying by the element R⁻¹ (Montgomery limbs 1) yields coef.
        let rInverse = Fr(montgomeryLimbs: 1, 0, 0, 0)
        /// Reads coefficient `i`: its matrix, row, signal and value, each checked.
        func coefficient(_ i: Int) throws -> (ZKeyCoefficient.Matrix, UInt32, UInt32, Fr) {
            let m = try cs.readU32("coefficient \(i) matrix")
            guard let matrix = ZKeyCoefficient.Matrix(rawValue: m) else {
                throw FormatError.indexOutOfRange(context: "\(cs.context), coefficient \(i) matrix", index: UInt64(m), bound: 2)
            }
            let row = try cs.readU32("coefficient \(i) constraint")
            guard row < domainSize else {
                throw FormatError.indexOutOfRange(
                    context: "\(cs.context), coefficient \(i) constraint", index: UInt64(row), bound: UInt64(domainSize))
            }
            let signal = try cs.readU32("coefficient \(i) signal")
            guard signal < nVars else {
                throw FormatError.indexOutOfRange(
                    context: "\(cs.context), coefficient \(i) signal", index: UInt64(signal), bound: UInt64(nVars))
            }
            let v = try cs.readMontgomery(Fr.self, "coefficient \(i) value")
            return (matrix, row, signal, v * rInverse)
        }
        var coefficients: [ZKeyCoefficient] = []
        if coefficientColumns {
            // Count each matrix's entries first (the matrix word of every 44-byte entry), so that each column is
            // allocated once at its exact size; entries with another matrix word fail in the pass below.
            var aCount = 0
            cs.bytes.withUnsafeBytes { raw in
                for k in 0..<Int(nCoefs) where UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: cs.offset + 44 * k, as: UInt32.self)) == 0 { aCount += 1 }
            }
            var a = ZKeyCoefficientColumns(), b = ZKeyCoefficientColumns()
            a.reserve(aCount)
            b.reserve(Int(nCoefs) - aCount)
            for i in 0..<Int(nCoefs) {
                let (matrix, row, signal, value) = try coefficient(i)
                if matrix == .a { a.rows.append(row); a.signals.append(signal); a.values.append(value) }
                else { b.rows.append(row); b.signals.append(signal); b.values.append(value) }
            }
            self.coefficientColumns = ZKeyQAPColumns(a: a, b: b)
        } else {
            coefficients.reserveCapacity(Int(nCoefs))
            for i in 0..<Int(nCoefs) {
                let (matrix, row, signal, value) = try coefficient(i)
                coefficients.append(ZKeyCoefficient(matrix: matrix, constraint: Int(row), signal: Int(signal), value: value))
            }
            self.coefficientColumns = nil
        }
        self.coefficients = coefficients

        // 5–9: the proving-key points (with `deferPoints`, only their sizes).
        if deferPoints {
            for (type, name, count, size) in Self.pointSections(nVars: Int(nVars), nPublic: Int(nPublic), domainSize: Int(domainSize)) {
                _ = try Self.checkSectionSize(file, type, name, count: count, pointSize: size)
            }
            (a, b1, b2, c, self.h) = ([], [], [], [], [])
        } else {
            let n = Int(nVars)
            a = try Self.g1Section(file, 5, "A", count: n, threads: threads)
            b1 = try Self.g1Section(file, 6, "B1", count: n, threads: threads)
            b2 = try Self.g2Section(file, 7, "B2", count: n, subgroup: validateSubgroup, threads: threads)
            c = try Self.g1Section(file, 8, "C", count: n - Int(nPublic) - 1, threads: threads)
            self.h = try Self.g1Section(file, 9, "H", count: Int(domainSize), threads: threads)
        }
    }

    /// The point sections 5–9: type, name, point count and bytes a point.
    static func pointSections(nVars: Int, nPublic: Int, domainSize: Int) -> [(UInt32, String, Int, Int)] {
        [(5, "A", nVars, 64), (6, "B1", nVars, 64), (7, "B2", nVars, 128), (8, "C", nVars - nPublic - 1, 64), (9, "H", domainSize, 64)]
    }

    /// The context of section `type`, after checking that it holds exactly `count` points of `pointSize` bytes.
    static func checkSectionSize(_ file: some SectionSource, _ type: UInt32, _ name: String, count: Int, pointSize: Int) throws -> String {
        let (size, context) = try file.sectionSize(type, name: name)
        let expected = UInt64(count) * UInt64(pointSize)
        guard UInt64(size) == expected else {
            throw FormatError.sectionSizeMismatch(context: context, declared: UInt64(size), expected: expected)
        }
        return context
    }

    /// The `count` G1 points of section `type`, read straight into their array and checked in parallel on `threads`
    /// threads (each coordinate `< q`, each point on the curve or all zeros); errors name the section and the lowest bad point.
    static func g1Section(_ file: some SectionSource, _ type: UInt32, _ name: String, count: Int, threads: Int?) throws -> [G1Affine] {
        let context = try checkSectionSize(file, type, name, count: count, pointSize: 64)
        return try pointsOrError(try PointArrays.g1(count: count, threads: threads) { try file.copySection(type, into: $0) }, context, coordinates: ["x", "y"])
    }

    /// The `count` G2 points of section `type` (see ``g1Section(_:_:_:count:threads:)``), subgroup-checked when `subgroup`.
    static func g2Section(_ file: some SectionSource, _ type: UInt32, _ name: String, count: Int, subgroup: Bool, threads: Int?) throws -> [G2Affine] {
        let context = try checkSectionSize(file, type, name, count: count, pointSize: 128)
        let read = try PointArrays.g2(count: count, subgroup: subgroup, threads: threads) { try file.copySection(type, into: $0) }
        return try pointsOrError(read, context, coordinates: ["x.c0", "x.c1", "y.c0", "y.c1"])
    }

    static func pointsOrError<P>(_ read: Result<[P], PointArrays.Failure>, _ context: String, coordinates: [String]) throws -> [P] {
        switch read {
        case let .success(p): return p
        case let .failure(.notCanonical(i, k)): throw FormatError.nonCanonicalValue(context: "\(context), point \(i), \(coordinates[k])")
        case let .failure(.notOnCurve(i)): throw FormatError.pointNotOnCurve(context: "\(context), point \(i)")
        case let .failure(.notInSubgroup(i)): throw FormatError.pointNotInSubgroup(context: "\(context), point \(i)")
        }
    }
}

/// The point sections (5–9) of a `.zkey` opened by ``ZKeyGroth16/openForProving(path:threads:)``, read from the
/// open file one at a time, so that a prover holds only the array its current stage needs. Each read has the checks
/// of ``ZKeyGroth16/init(contentsOfFile:validateSubgroup:threads:)`` with `validateSubgroup: false` (every coordinate
/// `< q`, every point on its curve; B2 not subgroup-checked) and throws the same ``FormatError``s. Sizes were checked
/// when the file was opened.
package struct ZKeyPointSections: Sendable {
    let file: BinFileSections
    package let nVars: Int, nPublic: Int, domainSize: Int
    let threads: Int?

    /// Section 5: `[A_i(τ)]₁`, `nVars` points.
    package func a() throws -> [G1Affine] { try ZKeyGroth16.g1Section(file, 5, "A", count: nVars, threads: threads) }
    /// Section 6: `[B_i(τ)]₁`, `nVars` points.
    package func b1() throws -> [G1Affine] { try ZKeyGroth16.g1Section(file, 6, "B1", count: nVars, threads: threads) }
    /// Section 7: `[B_i(τ)]₂`, `nVars` points, not subgroup-checked.
    package func b2() throws -> [G2Affine] { try ZKeyGroth16.g2Section(file, 7, "B2", count: nVars, subgroup: false, threads: threads) }
    /// Section 8: the private signals' C points, `nVars − nPublic − 1`.
    package func c() throws -> [G1Affine] { try ZKeyGroth16.g1Section(file, 8, "C", count: nVars - nPublic - 1, threads: threads) }
    /// Section 9: the H points, `domainSize`.
    package func h() throws -> [G1Affine] { try ZKeyGroth16.g1Section(file, 9, "H", count: domainSize, threads: threads) }
}

extension ZKeyGroth16 {
    /// A key from its parts (the invariants of the type are the caller's to keep; ``serialized()`` then
    /// writes a file that ``init(bytes:validateSubgroup:threads:)`` reads back equal).
    public init(nVars: Int, nPublic: Int, domainSize: Int, alpha1: G1Affine, beta1: G1Affine, beta2: G2Affine, gamma2: G2Affine,
                delta1: G1Affine, delta2: G2Affine, ic: [G1Affine], coefficients: [ZKeyCoefficient],
                a: [G1Affine], b1: [G1Affine], b2: [G2Affine], c: [G1Affine], h: [G1Affine]) {
        n8q = 32; q = Fq.modulus; n8r = 32; r = Fr.modulus
        self.nVars = nVars; self.nPublic = nPublic; self.domainSize = domainSize
        self.alpha1 = alpha1; self.beta1 = beta1; self.beta2 = beta2; self.gamma2 = gamma2; self.delta1 = delta1; self.delta2 = delta2
        self.ic = ic; self.coefficients = coefficients
        self.a = a; self.b1 = b1; self.b2 = b2; self.c = c; self.h = h
        coefficientColumns = nil
    }

    /// The `.zkey` bytes of sections 1–9 as snarkjs lays them out (Montgomery-form coordinates, coefficients
    /// stored as `coef·R² mod r`), without section 10 (the ceremony transcript): enough for snarkjs's and
    /// rapidsnark's provers and for zkinfer's, not for `ceremony verify`.
    public func serialized() -> [UInt8] {
        func limbs<F: MontgomeryField>(_ w: inout ByteWriter, _ f: F) { w.limbs([f.l0, f.l1, f.l2, f.l3]) }
        func g1(_ w: inout ByteWriter, _ p: G1Affine) {
            if p.isInfinity { w.append([UInt8](repeating: 0, count: 64)) } else { limbs(&w, p.x); limbs(&w, p.y) }
        }
        func g2(_ w: inout ByteWriter, _ p: G2Affine) {
            if p.isInfinity { w.append([UInt8](repeating: 0, count: 128)) } else { for f in [p.x.c0, p.x.c1, p.y.c0, p.y.c1] { limbs(&w, f) } }
        }
        func section(_ body: (inout ByteWriter) -> Void) -> [UInt8] {
            var w = ByteWriter()
            body(&w)
            return w.bytes
        }
        let header = section { w in
            w.u32(32); w.limbs(Fq.modulus.limbs(count: 4)!)
            w.u32(32); w.limbs(Fr.modulus.limbs(count: 4)!)
            w.u32(int: nVars); w.u32(int: nPublic); w.u32(int: domainSize)
            g1(&w, alpha1); g1(&w, beta1); g2(&w, beta2); g2(&w, gamma2); g1(&w, delta1); g2(&w, delta2)
        }
        // Stored value v with Montgomery limbs coef·R² mod r, i.e. the element coef·R = coef / R⁻¹.
        let r = Fr(montgomeryLimbs: 1, 0, 0, 0).inverse()!
        let coefficientSection = section { w in
            w.u32(int: coefficients.count)
            for k in coefficients {
                w.u32(k.matrix.rawValue); w.u32(int: k.constraint); w.u32(int: k.signal)
                limbs(&w, k.value * r)
            }
        }
        return BinContainer.write(magic: "zkey", version: 1, sections: [
            (1, section { $0.u32(1) }), (2, header), (3, section { w in ic.forEach { g1(&w, $0) } }), (4, coefficientSection),
            (5, section { w in a.forEach { g1(&w, $0) } }), (6, section { w in b1.forEach { g1(&w, $0) } }),
            (7, section { w in b2.forEach { g2(&w, $0) } }), (8, section { w in c.forEach { g1(&w, $0) } }),
            (9, section { w in h.forEach { g1(&w, $0) } }),
        ])
    }
}
