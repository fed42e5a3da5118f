// snarkjs JSON decimal forms of G1 and G2 points (proof.json / verification_key.json).

extension AffinePoint where C == BN254G1 {
    /// Decodes snarkjs' G1 form `["x", "y", "1"]` (projective with `z = 1`), or exactly
    /// `["0", "1", "0"]` for the point at infinity.
    ///
    /// Checked: exactly three strings; each a strict canonical decimal (ASCII digits, no sign,
    /// no leading zeros) `< q`; `z` is 1, or `z` is 0 with `x = 0, y = 1`; the point is on the curve.
    /// - Throws: ``EncodingError/invalidJSONShape(_:)``, ``EncodingError/invalidDecimal(_:)``,
    ///   ``EncodingError/coordinateNotCanonical``, ``EncodingError/invalidInfinityEncoding``,
    ///   ``EncodingError/notOnCurve``.
    public init(snarkjs strings: [String]) throws(EncodingError) {
        guard strings.count == 3 else {
            throw .invalidJSONShape("G1 point needs 3 coordinates, got \(strings.count)")
        }
        self = try AffinePoint(snarkjsCoordinates: try Fq(snarkjsDecimal: strings[0]),
                               try Fq(snarkjsDecimal: strings[1]), try Fq(snarkjsDecimal: strings[2]))
    }

    /// The point check behind every snarkjs G1 decoder, on already-parsed canonical coordinates:
    /// `z = 1` gives `(x, y)` checked on the curve; `z = 0` must be exactly `(0, 1, 0)` (infinity).
    /// - Throws: ``EncodingError/invalidInfinityEncoding``, ``EncodingError/invalidJSONShape(_:)``
    ///   (any other z), ``EncodingError/notOnCurve``.
    public init(snarkjsCoordinates x: Fq, _ y: Fq, _ z: Fq) throws(EncodingError) {
        if z.isZero {
            guard x.isZero, y == .one else { throw .invalidInfinityEncoding }
            self = .infinity
            return
        }
        guard z == .one else { throw .invalidJSONShape("G1 z coordinate must be \"1\" (affine) or \"0\" (infinity)") }
        // (0, 0) is this type's infinity, but in snarkjs JSON infinity is only (0, 1, 0): (0, 0, 1) is off the curve.
        guard !(x.isZero && y.isZero) else { throw .notOnCurve }
        let p = AffinePoint(x: x, y: y)
        guard p.isOnCurve else { throw .notOnCurve }
        self = p
    }

    /// snarkjs' G1 form: `[x, y, "1"]` as canonical decimals; infinity is `["0", "1", "0"]`.
    public var snarkjsStrings: [String] {
        if isInfinity { return ["0", "1", "0"] }
        return [x.description, y.description, "1"]
    }
}

extension AffinePoint where C == BN254G2 {
    /// Decodes snarkjs' G2 form `[["x.c0", "x.c1"], ["y.c0", "y.c1"], ["1", "0"]]` (real part
    /// first — the reverse of Ethereum's byte order), or exactly
    /// `[["0", "0"], ["1", "0"], ["0", "0"]]` for the point at infinity.
    ///
    /// Checked: three pairs of strings; each a strict canonical decimal `< q`; `z = 1` or the
    /// exact infinity form; the point is on the twist and in the order-r subgroup.
    /// - Throws: ``EncodingError/invalidJSONShape(_:)``, ``EncodingError/invalidDecimal(_:)``,
    ///   ``EncodingError/coordinateNotCanonical``, ``EncodingError/invalidInfinityEncoding``,
    ///   ``EncodingError/notOnCurve``, ``EncodingError/notInSubgroup``.
    public init(snarkjs strings: [[String]]) throws(EncodingError) {
        guard strings.count == 3 else {
            throw .invalidJSONShape("G2 point needs 3 coordinates, got \(strings.count)")
        }
        var c: [Fq2] = []
        c.reserveCapacity(3)
        for pair in strings {
            guard pair.count == 2 else {
                throw .invalidJSONShape("G2 coordinate needs 2 components, got \(pair.count)")
            }
            c.append(Fq2(try Fq(snarkjsDecimal: pair[0]), try Fq(snarkjsDecimal: pair[1])))
        }
        self = try AffinePoint(snarkjsCoordinates: c[0], c[1], c[2])
    }

    /// The point check behind every snarkjs G2 decoder, on already-parsed canonical coordinates:
    /// `z = 1` gives `(x, y)` checked on the twist and in the subgroup; `z = 0` must be exactly
    /// `(0, 1, 0)` (infinity).
    /// - Throws: ``EncodingError/invalidInfinityEncoding``, ``EncodingError/invalidJSONShape(_:)``
    ///   (any other z), ``EncodingError/notOnCurve``, ``EncodingError/notInSubgroup``.
    public init(snarkjsCoordinates x: Fq2, _ y: Fq2, _ z: Fq2) throws(EncodingError) {
        if z.isZero {
            guard x.isZero, y == .one else { throw .invalidInfinityEncoding }
            self = .infinity
            return
        }
        guard z == .one else {
            throw .invalidJSONShape("G2 z coordinate must be [\"1\",\"0\"] (affine) or [\"0\",\"0\"] (infinity)")
        }
        self = try AffinePoint.checkedG2(x: x, y: y)
    }

    /// snarkjs' G2 form: `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]` as canonical decimals;
    /// infinity is `[["0", "0"], ["1", "0"], ["0", "0"]]`.
    public var snarkjsStrings: [[String]] {
        if isInfinity { return [["0", "0"], ["1", "0"], ["0", "0"]] }
        return [[x.c0.description, x.c1.description], [y.c0.description, y.c1.description], ["1", "0"]]
    }
}
