import Foundation
import XCTest
import Hummingbird
import HummingbirdTesting
import ZKModel
import ZKService

/// Bad input never crashes and never stores anything: each request below is a 4xx with the library's (the CLI's)
/// message, and the row counts are the same before and after.
final class MalformedRequestTests: XCTestCase {
    struct Case {
        var what: String
        var uri: String
        var body: ByteBuffer
        var status: HTTPResponse.Status
        /// A part of the error message.
        var message: String
    }

    func check(_ service: ProverService, _ cases: [Case]) async throws {
        let before = try await service.store.counts()
        let files = try FileManager.default.contentsOfDirectory(atPath: service.data.root.appendingPathComponent("models").path)
        try await service.application().test(.router) { client in
            for c in cases {
                try await client.execute(uri: c.uri, method: .post, headers: auth(), body: c.body) { r in
                    XCTAssertEqual(r.status, c.status, "\(c.what): \(r.text)")
                    try assertConforms(try r.json(), schema: "Error")
                    let message = (try? r.json()["error"] as? String) ?? nil
                    XCTAssertTrue(message?.contains(c.message) == true, "\(c.what): \(r.text) lacks \(c.message)")
                }
            }
        }
        let after = try await service.store.counts()
        XCTAssertEqual(before, after, "rows were stored")
        XCTAssertEqual(files, try FileManager.default.contentsOfDirectory(atPath: service.data.root.appendingPathComponent("models").path))
    }

    func testBadUploadsAreRejectedAndNothingIsStored() async throws {
        let service = try makeService(workers: 0, maxModelRequestBytes: 64 << 10)
        var upload = try digitsUpload()
        func body(_ change: (inout CreateModelRequest) -> Void) throws -> ByteBuffer {
            var u = upload
            change(&u)
            return try jsonBody(u)
        }
        // The message the library gives for the same bytes (what `zkinfer compile` prints after the file name).
        let garbage = Data("this is not an ONNX file at all".utf8)
        var onnxMessage = ""
        do { _ = try ONNXImporter.load(garbage) } catch { onnxMessage = (error as! ModelError).description }
        XCTAssertFalse(onnxMessage.isEmpty)
        var truncatedMessage = ""
        do { _ = try ONNXImporter.load(try Digits.onnx.prefix(5000)) } catch { truncatedMessage = (error as! ModelError).description }
        XCTAssertFalse(truncatedMessage.isEmpty)
        upload.name = "digits"
        try await check(service, [
            Case(what: "bad JSON", uri: "/v1/models", body: ByteBuffer(string: "{\"name\": "), status: .badRequest, message: "invalid request"),
            Case(what: "missing onnx", uri: "/v1/models", body: try jsonBody(["name": "x"]), status: .badRequest, message: "missing field 'onnx'"),
            Case(what: "bad base64", uri: "/v1/models", body: try body { $0.onnx = "%%%not base64%%%" }, status: .badRequest, message: "onnx: not base64"),
            Case(what: "malformed ONNX", uri: "/v1/models", body: try body { $0.onnx = garbage.base64EncodedString() }, status: .badRequest,
                 message: "onnx: " + onnxMessage),
            Case(what: "truncated ONNX", uri: "/v1/models", body: try body { $0.onnx = try! Digits.onnx.prefix(5000).base64EncodedString() },
                 status: .badRequest, message: "onnx: " + truncatedMessage),
            Case(what: "bad weights", uri: "/v1/models", body: try body { $0.weights = "secret" }, status: .badRequest, message: "weights: must be public or private"),
            Case(what: "bad input visibility", uri: "/v1/models", body: try body { $0.input = "encrypted" }, status: .badRequest, message: "input: must be"),
            Case(what: "empty name", uri: "/v1/models", body: try body { $0.name = " " }, status: .badRequest, message: "name:"),
            Case(what: "calibration of the wrong size", uri: "/v1/models", body: try body { $0.calibration = .object(["input_data": .array([.array([.int(1), .int(2), .int(3)])])]) },
                 status: .badRequest, message: "calibration: invalid input: calibration data has 3 numbers, not a multiple of the input size 64"),
            Case(what: "calibration not numbers", uri: "/v1/models", body: try body { $0.calibration = .object(["input_data": .array([.array([.string("a")])])]) },
                 status: .badRequest, message: "calibration:"),
            Case(what: "oversized body", uri: "/v1/models", body: try body { $0.onnx = Data(count: 100 << 10).base64EncodedString() }, status: .contentTooLarge,
                 message: "over the limit of 65536 bytes"),
        ])
    }

    func testBadInferencesAreRejectedAndNothingIsStored() async throws {
        let (service, modelID) = try await readyDigitsService()
        let workspace = try await service.runner.workspace(model: modelID)
        let input = try Digits.input
        func libraryMessage(_ x: [Double]) -> String {
            do { _ = try workspace.compiled.model.quantizeInput(x); return "" } catch { return (error as! ModelError).description }
        }
        var outOfRange = input
        outOfRange[3] = 1000
        let uri = "/v1/models/\(modelID)/inferences"
        try await check(service, [
            Case(what: "bad JSON", uri: uri, body: ByteBuffer(string: "[1, 2"), status: .badRequest, message: "invalid request"),
            Case(what: "no input_data", uri: uri, body: try jsonBody(["sign": true]), status: .badRequest, message: "missing field 'input_data'"),
            Case(what: "wrong input length", uri: uri, body: try jsonBody(["input_data": [Array(input.prefix(10))]]), status: .badRequest,
                 message: "input_data: " + libraryMessage(Array(input.prefix(10)))),
            Case(what: "input out of range", uri: uri, body: try jsonBody(["input_data": [outOfRange]]), status: .badRequest,
                 message: "input_data: " + libraryMessage(outOfRange)),
            Case(what: "not numbers", uri: uri, body: try jsonBody(["input_data": [["a"]]]), status: .badRequest, message: "input_data: invalid input: input_data[0][0] is not a number"),
            Case(what: "two samples", uri: uri, body: try jsonBody(["input_data": [input, input]]), status: .badRequest, message: "one sample per inference"),
            Case(what: "sign not a bool", uri: uri, body: try jsonBody(["input_data": [input], "sign": "yes"]), status: .badRequest, message: "'sign'"),
            Case(what: "unknown model", uri: "/v1/models/no-such-model/inferences", body: try jsonBody(["input_data": [input]]), status: .notFound,
                 message: "unknown model no-such-model"),
            Case(what: "oversized body", uri: uri, body: try jsonBody(["input_data": [[Double](repeating: 0.5, count: 400_000)]]), status: .contentTooLarge,
                 message: "over the limit"),
            Case(what: "verify without a key", uri: "/v1/verify", body: try jsonBody(["claim": [:] as [String: Int]]), status: .badRequest,
                 message: "give either model or verificationKey"),
            Case(what: "verify a malformed claim", uri: "/v1/verify", body: try jsonBody(["claim": ["claimVersion": 1], "model": modelID]), status: .badRequest,
                 message: "claim: invalid claim"),
            Case(what: "verify with a malformed key", uri: "/v1/verify", body: try jsonBody(["claim": ["claimVersion": 1], "verificationKey": ["protocol": "groth16"]]),
                 status: .badRequest, message: "verificationKey: invalid verification key"),
            Case(what: "verify a deeply nested claim", uri: "/v1/verify",
                 body: ByteBuffer(string: "{\"model\": \"x\", \"claim\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"),
                 status: .badRequest, message: "invalid request"),
            Case(what: "verify under an unknown model", uri: "/v1/verify", body: try jsonBody(["claim": ["claimVersion": 1], "model": "nope"]),
                 status: .notFound, message: "unknown model nope"),
        ])
        // Unknown ids on the read routes.
        try await service.application().test(.router) { client in
            for uri in ["/v1/models/nope", "/v1/jobs/nope", "/v1/claims/\(String(repeating: "0", count: 64))/nope"] {
                try await client.execute(uri: uri, method: .get) { r in
                    XCTAssertEqual(r.status, .notFound, uri)
                    XCTAssertNotNil(try r.json()["error"] as? String)
                }
            }
        }
    }

    /// An inference on a model whose job has not run yet is a 409, and nothing is stored.
    func testInferenceOnAPendingModelIsRefused() async throws {
        let service = try makeService(workers: 0)
        try await service.application().test(.router) { client in
            let modelID = try await client.execute(uri: "/v1/models", method: .post, headers: auth(), body: try jsonBody(try digitsUpload())) { r in
                try XCTUnwrap(try r.json()["model"] as? String)
            }
            let before = try await service.store.counts()
            try await client.execute(uri: "/v1/models/\(modelID)/inferences", method: .post, headers: auth(),
                                     body: try jsonBody(["input_data": [try Digits.input]])) { r in
                XCTAssertEqual(r.status, .conflict, r.text)
            }
            let after = try await service.store.counts()
            XCTAssertEqual(before, after)
            let model = try await client.execute(uri: "/v1/models/\(modelID)", method: .get) { try $0.json() }
            try assertConforms(model, schema: "Model")
            XCTAssertEqual(model["state"] as? String, "pending")
            XCTAssertNil(model["verificationKey"])
        }
    }
}
