import Foundation
import XCTest
import ZKAlgebra
import ZKFormats

/// Malformed snarkjs JSON: each must throw a specific ``FormatError``.
final class MalformedJSONTests: XCTestCase {
    let q = "21888242871839275222246405745257275088696311157297823662689037894645226208583"
    let r = "21888242871839275222246405745257275088548364400416034343698204186575808495617"

    func vkObject() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: fixtureData(.x79de, "verification_key.json")) as! [String: Any]
    }
    func proofObject() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: fixtureData(.x79de, "proof.json")) as! [String: Any]
    }
    func json(_ o: Any) throws -> Data { try JSONSerialization.data(withJSONObject: o) }

    func vkError(_ what: String, _ mutate: (inout [String: Any]) -> Void) throws -> FormatError? {
        var o = try vkObject()
        mutate(&o)
        let data = try json(o)
        return assertFormatError(what) { try SnarkjsVerificationKey(jsonData: data) }
    }
    func proofError(_ what: String, _ mutate: (inout [String: Any]) -> Void) throws -> FormatError? {
        var o = try proofObject()
        mutate(&o)
        let data = try json(o)
        return assertFormatError(what) { try SnarkjsProof(jsonData: data) }
    }
    func publicError(_ text: String) -> FormatError? {
        assertFormatError(text) { try SnarkjsPublicSignals(jsonData: Data(text.utf8)) }
    }

    func testUnmodifiedObjectsStillParse() throws {
        XCTAssertNoThrow(try SnarkjsVerificationKey(jsonData: json(vkObject())))
        XCTAssertNoThrow(try SnarkjsProof(jsonData: json(proofObject())))
    }

    func testVerificationKeyErrors() throws {
        let ctx = "verification_key.json"
        XCTAssertEqual(try vkError("protocol") { $0["protocol"] = "plonk" }, .wrongProtocol(context: ctx, found: "plonk"))
        XCTAssertEqual(try vkError("curve") { $0["curve"] = "bls12381" }, .wrongCurve(context: ctx, found: "bls12381"))
        XCTAssertEqual(try vkError("nPublic") { $0["nPublic"] = 2 }, .countMismatch(context: "\(ctx) IC length (nPublic + 1)", expected: 3, found: 2))
        XCTAssertEqual(try vkError("nPublic string") { $0["nPublic"] = "1" },
                       .wrongJSONType(context: "\(ctx) nPublic", expected: "a JSON integer", found: "a string"))
        XCTAssertEqual(try vkError("missing IC") { $0["IC"] = nil }, .missingField(context: ctx, field: "IC"))
        XCTAssertEqual(try vkError("missing delta") { $0["vk_delta_2"] = nil }, .missingField(context: ctx, field: "vk_delta_2"))
        XCTAssertEqual(try vkError("missing protocol") { $0["protocol"] = nil }, .missingField(context: ctx, field: "protocol"))
        // A JSON number instead of a decimal string.
        XCTAssertEqual(try vkError("number") { o in
            var a = o["vk_alpha_1"] as! [Any]; a[2] = 1; o["vk_alpha_1"] = a
        }, .wrongJSONType(context: "\(ctx) vk_alpha_1 z", expected: "a decimal string", found: "a JSON number"))
        // Leading zero.
        XCTAssertEqual(try vkError("leading zero") { o in
            var a = o["vk_alpha_1"] as! [String]; a[0] = "0" + a[0]; o["vk_alpha_1"] = a
        }, .invalidDecimal(context: "\(ctx) vk_alpha_1 x", value: "0" + (try vkObject()["vk_alpha_1"] as! [String])[0],
                           reason: "leading zero (not canonical)"))
        // Coordinate = q.
        guard case .invalidDecimal = try vkError("x = q", { o in
            var a = o["vk_alpha_1"] as! [String]; a[0] = q; o["vk_alpha_1"] = a
        }) else { return XCTFail() }
        // Off the curve: change x by one.
        XCTAssertEqual(try vkError("off curve") { o in
            var a = o["vk_alpha_1"] as! [String]; a[0] = (Fq(decimal: a[0])! + .one).description; o["vk_alpha_1"] = a
        }, .pointNotOnCurve(context: "\(ctx) vk_alpha_1"))
        XCTAssertEqual(try vkError("IC off curve") { o in
            var ic = o["IC"] as! [[String]]; ic[1][1] = "5"; o["IC"] = ic
        }, .pointNotOnCurve(context: "\(ctx) IC[1]"))
        // A G2 point on the twist but outside the subgroup.
        let bad = nonSubgroupG2()
        XCTAssertEqual(try vkError("subgroup") { o in
            o["vk_beta_2"] = [[bad.x.c0.description, bad.x.c1.description], [bad.y.c0.description, bad.y.c1.description], ["1", "0"]]
        }, .pointNotInSubgroup(context: "\(ctx) vk_beta_2"))
        // Wrong shapes.
        guard case .countMismatch = try vkError("G2 z shape", { o in
            var g = o["vk_gamma_2"] as! [[String]]; g[2] = ["1"]; o["vk_gamma_2"] = g
        }) else { return XCTFail() }
        guard case .invalidPointEncoding = try vkError("G2 z", { o in
            var g = o["vk_gamma_2"] as! [[String]]; g[2] = ["1", "1"]; o["vk_gamma_2"] = g
        }) else { return XCTFail() }
        guard case .countMismatch = try vkError("alphabeta shape", { o in
            var ab = o["vk_alphabeta_12"] as! [Any]; ab.removeLast(); o["vk_alphabeta_12"] = ab
        }) else { return XCTFail() }
        guard case .wrongJSONType = try vkError("IC not array", { $0["IC"] = "x" }) else { return XCTFail() }
        // vk_alphabeta_12 is optional.
        var o = try vkObject()
        o["vk_alphabeta_12"] = nil
        XCTAssertNil(try SnarkjsVerificationKey(jsonData: json(o)).alphabeta12)
    }

    func testProofErrors() throws {
        let ctx = "proof.json"
        XCTAssertEqual(try proofError("protocol") { $0["protocol"] = "fflonk" }, .wrongProtocol(context: ctx, found: "fflonk"))
        XCTAssertEqual(try proofError("curve") { $0["curve"] = "bls12381" }, .wrongCurve(context: ctx, found: "bls12381"))
        XCTAssertEqual(try proofError("missing protocol") { $0["protocol"] = nil }, .missingField(context: ctx, field: "protocol"))
        // rapidsnark writes no "curve": accepted, and the same proof as with it.
        var noCurve = try proofObject()
        noCurve["curve"] = nil
        XCTAssertEqual(try SnarkjsProof(jsonData: json(noCurve)), try SnarkjsProof(jsonData: json(try proofObject())))
        XCTAssertEqual(try proofError("missing pi_c") { $0["pi_c"] = nil }, .missingField(context: ctx, field: "pi_c"))
        XCTAssertEqual(try proofError("z = 2") { o in
            var a = o["pi_a"] as! [String]; a[2] = "2"; o["pi_a"] = a
        }, .invalidPointEncoding(context: "\(ctx) pi_a", reason: "z must be \"1\" (affine) or \"0\" (infinity)"))
        guard case .invalidPointEncoding = try proofError("bad infinity", { $0["pi_a"] = ["0", "0", "0"] }) else { return XCTFail() }
        guard case .invalidPointEncoding = try proofError("bad G2 infinity", {
            $0["pi_b"] = [["0", "0"], ["0", "0"], ["0", "0"]]
        }) else { return XCTFail() }
        XCTAssertEqual(try proofError("two coordinates") { o in
            var a = o["pi_a"] as! [String]; a.removeLast(); o["pi_a"] = a
        }, .countMismatch(context: "\(ctx) pi_a coordinate count", expected: 3, found: 2))
        guard case .wrongJSONType = try proofError("number coordinate", { o in
            let b = o["pi_b"] as! [[String]]; var x: [Any] = b[0]; x[1] = 5; o["pi_b"] = [x, b[1], b[2]]
        }) else { return XCTFail() }
        guard case .invalidDecimal = try proofError("y = q", { o in
            var c = o["pi_c"] as! [String]; c[1] = self.q; o["pi_c"] = c
        }) else { return XCTFail() }
        // Infinity encodings are accepted.
        var o = try proofObject()
        o["pi_a"] = ["0", "1", "0"]
        o["pi_b"] = [["0", "0"], ["1", "0"], ["0", "0"]]
        let p = try SnarkjsProof(jsonData: json(o))
        XCTAssertTrue(p.a.isInfinity)
        XCTAssertTrue(p.b.isInfinity)
    }

    /// The string-field initializer (claims) accepts and rejects exactly what the JSON one does, with the same points.
    func testProofFromStringsMatchesProofJSON() throws {
        let base = try proofObject()
        typealias Parts = ([String], [[String]], [String], String)
        let variants: [(String, (Parts) -> Parts)] = [
            ("as is", { $0 }),
            ("z = 2", { var v = $0; v.0[2] = "2"; return v }),
            ("y = q", { var v = $0; v.2[1] = self.q; return v }),
            ("off the curve", { var v = $0; v.0[1] = "5"; return v }),
            ("G2 off the curve", { var v = $0; v.1[1][0] = "7"; return v }),
            ("two coordinates", { var v = $0; v.0.removeLast(); return v }),
            ("leading zero", { var v = $0; v.2[0] = "0" + v.2[0]; return v }),
            ("infinity", { var v = $0; v.0 = ["0", "1", "0"]; v.1 = [["0", "0"], ["1", "0"], ["0", "0"]]; return v }),
            ("bad infinity", { var v = $0; v.0 = ["0", "0", "0"]; return v }),
            ("protocol", { var v = $0; v.3 = "plonk"; return v }),
        ]
        for (name, mutate) in variants {
            let v = mutate((base["pi_a"] as! [String], base["pi_b"] as! [[String]], base["pi_c"] as! [String], base["protocol"] as! String))
            var o = base
            o["pi_a"] = v.0; o["pi_b"] = v.1; o["pi_c"] = v.2; o["protocol"] = v.3
            let fromJSON = try? SnarkjsProof(jsonData: json(o))
            let fromStrings = try? SnarkjsProof(piA: v.0, piB: v.1, piC: v.2, protocol: v.3, curve: "bn128")
            XCTAssertEqual(fromJSON, fromStrings, name)
            if name == "as is" || name == "infinity" { XCTAssertNotNil(fromStrings, name) } else { XCTAssertNil(fromStrings, name) }
        }
    }

    func testPublicSignalErrors() {
        XCTAssertEqual(publicError("[\"\(r)\"]"),
                       .invalidDecimal(context: "public.json[0]", value: r, reason: "not below the Fr modulus"))
        XCTAssertEqual(publicError("[\"33\", \"033\"]"),
                       .invalidDecimal(context: "public.json[1]", value: "033", reason: "leading zero (not canonical)"))
        XCTAssertEqual(publicError("[33]"),
                       .wrongJSONType(context: "public.json[0]", expected: "a decimal string", found: "a JSON number"))
        XCTAssertEqual(publicError("{\"a\": \"1\"}"), .wrongJSONType(context: "public.json", expected: "an array", found: "an object"))
        for bad in ["-1", "+1", " 1", "1 ", "", "0x21", "1e3", "1.0", "١"] {
            guard case .invalidDecimal = publicError("[\"\(bad)\"]") else { return XCTFail(bad) }
        }
        guard case .invalidDecimal = publicError("[\"\(String(repeating: "9", count: 5000))\"]") else { return XCTFail() }
        guard case .wrongJSONType = publicError("[null]") else { return XCTFail() }
        guard case .wrongJSONType = publicError("[true]") else { return XCTFail() }
        guard case .invalidJSON = publicError("[\"1\"") else { return XCTFail() }
        guard case .invalidJSON = publicError("") else { return XCTFail() }
        XCTAssertEqual(try SnarkjsPublicSignals(jsonData: Data("[\"0\", \"\(r.dropLast())6\"]".utf8)).values,
                       [.zero, -Fr.one])
    }

    func testEveryPrefixOfProofJSONThrows() throws {
        let data = try fixtureData(.x79de, "proof.json")
        for n in 0..<data.count {
            assertFormatError("proof prefix \(n)") { try SnarkjsProof(jsonData: data.prefix(n)) }
        }
        let vk = try fixtureData(.x79de, "verification_key.json")
        for n in stride(from: 0, to: vk.count, by: 37) {
            assertFormatError("vk prefix \(n)") { try SnarkjsVerificationKey(jsonData: vk.prefix(n)) }
        }
    }
}
