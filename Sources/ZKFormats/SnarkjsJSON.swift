import Foundation
import ZKAlgebra

// snarkjs JSON files: verification_key.json, proof.json, public.json.
//
// Encoding (as snarkjs writes it, `JSON.stringify(value, null, 1)`): every field element is a
// canonical decimal *string*; G1 is `[x, y, "1"]`; G2 is `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]`;
// the points at infinity are exactly `["0", "1", "0"]` and `[["0","0"], ["1","0"], ["0","0"]]`.

// MARK: - Verification key

/// A snarkjs Groth16 `verification_key.json` over BN254 (`"protocol": "groth16"`, `"curve": "bn128"`).
///
/// Invariants after parsing: all points are on their curves and G2 points are in the order-r
/// subgroup; `ic.count == nPublic + 1 ≥ 1`; `alphabeta12`, when present, is a 2×3×2 array of
/// canonical decimals `< q` (kept as strings and not used for verification). Note: snarkjs
/// computes it with libff's final exponentiation, so it equals the exact pairing `e(α, β)`
/// raised to `2u(6u² + 3u + 1)` (u the BN parameter), not `e(α, β)` itself.
public struct SnarkjsVerificationKey: Sendable, Hashable {
    /// `[α]₁` (`vk_alpha_1`).
    public var alpha1: G1Affine
    /// `[β]₂` (`vk_beta_2`).
    public var beta2: G2Affine
    /// `[γ]₂` (`vk_gamma_2`).
    public var gamma2: G2Affine
    /// `[δ]₂` (`vk_delta_2`).
    public var delta2: G2Affine
    /// `IC` (snarkjs's name for the public-input commitments), `nPublic + 1` points.
    public var ic: [G1Affine]
    /// `vk_alphabeta_12` as decimal strings `[[c0.c0, c0.c1, c0.c2], [c1.c0, c1.c1, c1.c2]]`
    /// with each Fq2 as `[c0, c1]`; nil when absent (it is then not written either).
    public var alphabeta12: [[[String]]]?

    /// Number of public signals: `ic.count − 1`.
    public var nPublic: Int { ic.count - 1 }

    public init(alpha1: G1Affine, beta2: G2Affine, gamma2: G2Affine, delta2: G2Affine,
                ic: [G1Affine], alphabeta12: [[[String]]]? = nil) {
        self.alpha1 = alpha1
        self.beta2 = beta2
        self.gamma2 = gamma2
        self.delta2 = delta2
        self.ic = ic
        self.alphabeta12 = alphabeta12
    }

    /// The verification key contained in a proving key (what `snarkjs zkey export verificationkey`
    /// outputs, without `vk_alphabeta_12`).
    public init(zkey: ZKeyGroth16) {
        self.init(alpha1: zkey.alpha1, beta2: zkey.beta2, gamma2: zkey.gamma2, delta2: zkey.delta2, ic: zkey.ic)
    }

    /// Parses `verification_key.json`. Throws ``FormatError`` for invalid JSON, a wrong
    /// `protocol`/`curve` (`"bn128"`; the synonyms `"bn254"` and `"alt_bn128"` are also
    /// accepted), missing fields, numbers given as JSON numbers instead of strings (other than
    /// `nPublic`, which is a JSON integer), non-canonical decimals, coordinates `≥ q`, points off
    /// the curve or outside the subgroup, or `nPublic ≠ IC.count − 1`.
    public init(jsonData: Data) throws {
        let ctx = "verification_key.json"
        let root = try JSONValue.parse(jsonData, context: ctx)
        let obj = try root.object(ctx)
        try checkProtocolAndCurve(obj, ctx)
        let nPublic = try requireField(obj, "nPublic", ctx).integer("\(ctx) nPublic")
        alpha1 = try parseG1(requireField(obj, "vk_alpha_1", ctx), "\(ctx) vk_alpha_1")
        beta2 = try parseG2(requireField(obj, "vk_beta_2", ctx), "\(ctx) vk_beta_2")
        gamma2 = try parseG2(requireField(obj, "vk_gamma_2", ctx), "\(ctx) vk_gamma_2")
        delta2 = try parseG2(requireField(obj, "vk_delta_2", ctx), "\(ctx) vk_delta_2")
        let icItems = try requireField(obj, "IC", ctx).array("\(ctx) IC")
        guard nPublic >= 0, icItems.count == nPublic + 1 else {
            throw FormatError.countMismatch(context: "\(ctx) IC length (nPublic + 1)", expected: nPublic + 1, found: icItems.count)
        }
        ic = try icItems.enumerated().map { i, v in try parseG1(v, "\(ctx) IC[\(i)]") }
        if let ab = obj["vk_alphabeta_12"] {
            let c = "\(ctx) vk_alphabeta_12"
            let outer = try ab.array(c)
            guard outer.count == 2 else { throw FormatError.countMismatch(context: "\(c) length", expected: 2, found: outer.count) }
            alphabeta12 = try outer.enumerated().map { i, v in
                let mid = try v.array("\(c)[\(i)]")
                guard mid.count == 3 else {
                    throw FormatError.countMismatch(context: "\(c)[\(i)] length", expected: 3, found: mid.count)
                }
                return try mid.enumerated().map { j, w in
                    let inner = try w.array("\(c)[\(i)][\(j)]")
                    guard inner.count == 2 else {
                        throw FormatError.countMismatch(context: "\(c)[\(i)][\(j)] length", expected: 2, found: inner.count)
                    }
                    return try inner.enumerated().map { k, x in
                        try parseDecimal(x, Fq.self, "\(c)[\(i)][\(j)][\(k)]").description
                    }
                }
            }
        } else {
            alphabeta12 = nil
        }
    }

    /// The JSON snarkjs writes: keys `protocol, curve, nPublic, vk_alpha_1, vk_beta_2,
    /// vk_gamma_2, vk_delta_2, [vk_alphabeta_12,] IC`, one-space indentation, no trailing newline.
    public func jsonData() throws -> Data {
        var fields: [(String, JSONOut)] = [
            ("protocol", .string("groth16")),
            ("curve", .string("bn128")),
            ("nPublic", .integer(nPublic)),
            ("vk_alpha_1", g1JSON(alpha1)),
            ("vk_beta_2", g2JSON(beta2)),
            ("vk_gamma_2", g2JSON(gamma2)),
            ("vk_delta_2", g2JSON(delta2)),
        ]
        if let ab = alphabeta12 {
            fields.append(("vk_alphabeta_12", .array(ab.map { .array($0.map { .array($0.map { .string($0) }) }) })))
        }
        fields.append(("IC", .array(ic.map(g1JSON))))
        return JSONOut.object(fields).data()
    }
}

// MARK: - Proof

/// A snarkjs Groth16 `proof.json` over BN254: `pi_a` (G1), `pi_b` (G2), `pi_c` (G1),
/// `"protocol": "groth16"`, `"curve": "bn128"`. Parsed points are on their curves and `b` is
/// in the order-r subgroup.
public struct SnarkjsProof: Sendable, Hashable {
    /// `pi_a`.
    public var a: G1Affine
    /// `pi_b`.
    public var b: G2Affine
    /// `pi_c`.
    public var c: G1Affine

    public init(a: G1Affine, b: G2Affine, c: G1Affine) {
        self.a = a
        self.b = b
        self.c = c
    }

    /// Parses `proof.json`; throws ``FormatError`` (same rules as the verification key, except that a missing
    /// `curve` is accepted: rapidsnark writes none).
    public init(jsonData: Data) throws {
        let ctx = "proof.json"
        let obj = try JSONValue.parse(jsonData, context: ctx).object(ctx)
        try checkProtocolAndCurve(obj, ctx, curveOptional: true)
        a = try parseG1(requireField(obj, "pi_a", ctx), "\(ctx) pi_a")
        b = try parseG2(requireField(obj, "pi_b", ctx), "\(ctx) pi_b")
        c = try parseG1(requireField(obj, "pi_c", ctx), "\(ctx) pi_c")
    }

    /// The proof from snarkjs's fields already decoded as strings (e.g. a claim's `proof`), with exactly the checks of
    /// ``init(jsonData:)`` (canonical decimals, points on their curves, `b` in the subgroup) and no JSON round trip.
    public init(piA: [String], piB: [[String]], piC: [String], protocol proto: String, curve: String) throws {
        let ctx = "proof"
        try checkProtocolAndCurve(["protocol": .string(proto), "curve": .string(curve)], ctx)
        a = try parseG1(.array(piA.map { .string($0) }), "\(ctx) pi_a")
        b = try parseG2(.array(piB.map { .array($0.map { .string($0) }) }), "\(ctx) pi_b")
        c = try parseG1(.array(piC.map { .string($0) }), "\(ctx) pi_c")
    }

    /// The JSON snarkjs writes: keys `pi_a, pi_b, pi_c, protocol, curve`, one-space indentation.
    public func jsonData() throws -> Data {
        JSONOut.object([
            ("pi_a", g1JSON(a)),
            ("pi_b", g2JSON(b)),
            ("pi_c", g1JSON(c)),
            ("protocol", .string("groth16")),
            ("curve", .string("bn128")),
        ]).data()
    }
}

// MARK: - Public signals

/// A snarkjs `public.json`: a JSON array of canonical decimal strings, each `< r`, in signal
/// order (public outputs, then public inputs).
public struct SnarkjsPublicSignals: Sendable, Hashable {
    public var values: [Fr]

    public init(values: [Fr]) { self.values = values }

    /// Parses `public.json`; throws ``FormatError`` for anything but an array of canonical
    /// decimal strings below r.
    public init(jsonData: Data) throws {
        let ctx = "public.json"
        let items = try JSONValue.parse(jsonData, context: ctx).array(ctx)
        values = try items.enumerated().map { i, v in try parseDecimal(v, Fr.self, "\(ctx)[\(i)]") }
    }

    /// The JSON snarkjs writes (one-space indentation, no trailing newline).
    public func jsonData() throws -> Data {
        JSONOut.array(values.map { .string($0.description) }).data()
    }
}

// MARK: - JSON reading helpers

/// A parsed JSON value (via Foundation's `JSONDecoder`).
enum JSONValue: Decodable {
    case null
    case bool(Bool)
    case string(String)
    case number(Double)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    static func parse(_ data: Data, context: String) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw FormatError.invalidJSON(context: context, reason: "\(error)")
        }
    }

    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .string: return "a string"
        case .number: return "a JSON number"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    func object(_ ctx: String) throws -> [String: JSONValue] {
        guard case .object(let o) = self else { throw FormatError.wrongJSONType(context: ctx, expected: "an object", found: kind) }
        return o
    }

    func array(_ ctx: String) throws -> [JSONValue] {
        guard case .array(let a) = self else { throw FormatError.wrongJSONType(context: ctx, expected: "an array", found: kind) }
        return a
    }

    func string(_ ctx: String) throws -> String {
        guard case .string(let s) = self else { throw FormatError.wrongJSONType(context: ctx, expected: "a string", found: kind) }
        return s
    }

    /// A JSON integer in `0 ... 2^31 − 1`.
    func integer(_ ctx: String) throws -> Int {
        guard case .number(let d) = self else { throw FormatError.wrongJSONType(context: ctx, expected: "a JSON integer", found: kind) }
        guard d >= 0, d <= Double(Int32.max), d == d.rounded() else {
            throw FormatError.wrongJSONType(context: ctx, expected: "a non-negative JSON integer", found: "\(d)")
        }
        return Int(d)
    }
}

func requireField(_ obj: [String: JSONValue], _ key: String, _ ctx: String) throws -> JSONValue {
    guard let v = obj[key] else { throw FormatError.missingField(context: ctx, field: key) }
    return v
}

/// `protocol` must be `groth16`; `curve` a name of BN254. With `curveOptional` a missing `curve` is accepted
/// (rapidsnark's `proof.json` has none; the points are BN254's whatever the label says, and checked as such).
func checkProtocolAndCurve(_ obj: [String: JSONValue], _ ctx: String, curveOptional: Bool = false) throws {
    let proto = try requireField(obj, "protocol", ctx).string("\(ctx) protocol")
    guard proto == "groth16" else { throw FormatError.wrongProtocol(context: ctx, found: proto) }
    if curveOptional && obj["curve"] == nil { return }
    let curve = try requireField(obj, "curve", ctx).string("\(ctx) curve")
    guard ["bn128", "bn254", "alt_bn128"].contains(curve) else { throw FormatError.wrongCurve(context: ctx, found: curve) }
}

/// A canonical decimal string `< F.modulus`: ASCII digits only, no sign, no leading zeros
/// (except `"0"` itself).
func parseDecimal<F: MontgomeryField>(_ v: JSONValue, _: F.Type, _ ctx: String) throws -> F {
    guard case .string(let s) = v else {
        throw FormatError.wrongJSONType(context: ctx, expected: "a decimal string", found: v.kind)
    }
    let u = s.utf8
    guard !u.isEmpty else { throw FormatError.invalidDecimal(context: ctx, value: s, reason: "empty string") }
    guard u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
        throw FormatError.invalidDecimal(context: ctx, value: s, reason: "only the digits 0-9 are allowed")
    }
    guard u.count == 1 || u.first != 0x30 else {
        throw FormatError.invalidDecimal(context: ctx, value: s, reason: "leading zero (not canonical)")
    }
    guard u.count <= 80, let x = F(decimal: s) else {
        throw FormatError.invalidDecimal(context: ctx, value: s, reason: "not below the \(F.name) modulus")
    }
    return x
}

/// Maps ZKAlgebra's point-check errors onto this file format's errors, with `ctx` naming the field.
private func pointError(_ e: EncodingError, _ ctx: String, infinityForm: String, zRule: String) -> FormatError {
    switch e {
    case .notOnCurve: return .pointNotOnCurve(context: ctx)
    case .notInSubgroup: return .pointNotInSubgroup(context: ctx)
    case .invalidInfinityEncoding: return .invalidPointEncoding(context: ctx, reason: "z = 0 but the point is not \(infinityForm)")
    case .invalidJSONShape: return .invalidPointEncoding(context: ctx, reason: zRule)
    default: return .invalidPointEncoding(context: ctx, reason: e.description)
    }
}

/// `[x, y, "1"]` (checked on the curve) or exactly `["0", "1", "0"]` (infinity). Decimals are
/// parsed here (for per-coordinate diagnostics); the point rules are ZKAlgebra's
/// `G1Affine(snarkjsCoordinates:)`, shared with every other snarkjs decoder.
func parseG1(_ v: JSONValue, _ ctx: String) throws -> G1Affine {
    let items = try v.array(ctx)
    guard items.count == 3 else { throw FormatError.countMismatch(context: "\(ctx) coordinate count", expected: 3, found: items.count) }
    let x = try parseDecimal(items[0], Fq.self, "\(ctx) x")
    let y = try parseDecimal(items[1], Fq.self, "\(ctx) y")
    let z = try parseDecimal(items[2], Fq.self, "\(ctx) z")
    do { return try G1Affine(snarkjsCoordinates: x, y, z) } catch {
        throw pointError(error, ctx, infinityForm: "[\"0\", \"1\", \"0\"]", zRule: "z must be \"1\" (affine) or \"0\" (infinity)")
    }
}

private func parseFq2(_ v: JSONValue, _ ctx: String) throws -> Fq2 {
    let items = try v.array(ctx)
    guard items.count == 2 else { throw FormatError.countMismatch(context: "\(ctx) component count", expected: 2, found: items.count) }
    return Fq2(try parseDecimal(items[0], Fq.self, "\(ctx)[0]"), try parseDecimal(items[1], Fq.self, "\(ctx)[1]"))
}

/// `[[x.c0, x.c1], [y.c0, y.c1], ["1", "0"]]` (checked on the curve and in the subgroup) or exactly
/// `[["0","0"], ["1","0"], ["0","0"]]` (infinity); point rules from `G2Affine(snarkjsCoordinates:)`.
func parseG2(_ v: JSONValue, _ ctx: String) throws -> G2Affine {
    let items = try v.array(ctx)
    guard items.count == 3 else { throw FormatError.countMismatch(context: "\(ctx) coordinate count", expected: 3, found: items.count) }
    let x = try parseFq2(items[0], "\(ctx) x")
    let y = try parseFq2(items[1], "\(ctx) y")
    let z = try parseFq2(items[2], "\(ctx) z")
    do { return try G2Affine(snarkjsCoordinates: x, y, z) } catch {
        throw pointError(error, ctx, infinityForm: "[[\"0\",\"0\"],[\"1\",\"0\"],[\"0\",\"0\"]]",
                         zRule: "z must be [\"1\", \"0\"] (affine) or [\"0\", \"0\"] (infinity)")
    }
}

// MARK: - JSON writing (byte-compatible with `JSON.stringify(value, null, 1)`)

indirect enum JSONOut {
    case string(String)
    case integer(Int)
    case array([JSONOut])
    case object([(String, JSONOut)])

    func data() -> Data {
        var s = ""
        write(into: &s, indent: 0)
        return Data(s.utf8)
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    private func write(into s: inout String, indent: Int) {
        let pad = String(repeating: " ", count: indent + 1), close = String(repeating: " ", count: indent)
        switch self {
        case .string(let v): s += JSONOut.quoted(v)
        case .integer(let v): s += String(v)
        case .array(let items):
            if items.isEmpty { s += "[]"; return }
            s += "[\n"
            for (i, item) in items.enumerated() {
                s += pad
                item.write(into: &s, indent: indent + 1)
                s += i + 1 < items.count ? ",\n" : "\n"
            }
            s += close + "]"
        case .object(let fields):
            if fields.isEmpty { s += "{}"; return }
            s += "{\n"
            for (i, (key, value)) in fields.enumerated() {
                s += pad + JSONOut.quoted(key) + ": "
                value.write(into: &s, indent: indent + 1)
                s += i + 1 < fields.count ? ",\n" : "\n"
            }
            s += close + "}"
        }
    }
}

func g1JSON(_ p: G1Affine) -> JSONOut {
    if p.isInfinity { return .array([.string("0"), .string("1"), .string("0")]) }
    return .array([.string(p.x.description), .string(p.y.description), .string("1")])
}

func g2JSON(_ p: G2Affine) -> JSONOut {
    func fq2(_ a: String, _ b: String) -> JSONOut { .array([.string(a), .string(b)]) }
    if p.isInfinity { return .array([fq2("0", "0"), fq2("1", "0"), fq2("0", "0")]) }
    return .array([
        fq2(p.x.c0.description, p.x.c1.description),
        fq2(p.y.c0.description, p.y.c1.description),
        fq2("1", "0"),
    ])
}
