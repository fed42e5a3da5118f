import Foundation
import XCTest
import Hummingbird
import HummingbirdTesting
import ZKService

/// The repository's digits MLP sample.
enum Digits {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Circuits/digits_mlp")
    static func file(_ name: String) throws -> Data { try Data(contentsOf: directory.appendingPathComponent(name)) }
    static var onnx: Data { get throws { try file("model.onnx") } }
    static var calibration: JSONValue { get throws { try JSONValue.parse(try file("calibration.json")) } }
    /// The first sample of input.json.
    static var input: [Double] {
        get throws {
            let o = try JSONSerialization.jsonObject(with: try file("input.json")) as! [String: Any]
            return (o["input_data"] as! [[Double]])[0]
        }
    }
}

let testToken = "test-token-0123456789abcdef"

/// A service on a fresh temporary data directory, with the token file written.
func makeService(workers: Int, leaseSeconds: Double = 30, maxModelRequestBytes: Int? = nil) throws -> ProverService {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-service-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let tokenFile = dir.appendingPathComponent("token.txt")
    try Data((testToken + "\n").utf8).write(to: tokenFile)
    var config = ServeConfiguration(data: dir.appendingPathComponent("data").path, workers: workers, tokenFile: tokenFile.path,
                                    runner: RunnerConfiguration(leaseSeconds: leaseSeconds, pollInterval: .milliseconds(10)))
    config.port = 0
    if let maxModelRequestBytes { config.maxModelRequestBytes = maxModelRequestBytes }
    return try ProverService(config)
}

/// JSON body helpers.
func jsonBody(_ value: some Encodable) throws -> ByteBuffer { ByteBuffer(bytes: try JSONEncoder().encode(value)) }
func jsonBody(_ object: [String: Any]) throws -> ByteBuffer { ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object)) }

func auth(_ token: String = testToken) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

extension TestResponse {
    var data: Data { Data(body.readableBytesView) }
    func json() throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw ServiceError(0, "not a JSON object: \(String(decoding: data, as: UTF8.self))") }
        return o
    }
    var text: String { String(decoding: data, as: UTF8.self) }
}

/// The model upload of the digits sample (calibrated, public weights and input).
func digitsUpload(name: String = "digits") throws -> CreateModelRequest {
    CreateModelRequest(name: name, onnx: try Digits.onnx.base64EncodedString(), calibration: try Digits.calibration, weights: "public", input: "public")
}

/// The OpenAPI document.
func openAPI() throws -> [String: Any] { try JSONSerialization.jsonObject(with: try ProverAPI.openAPIDocument()) as! [String: Any] }

/// Checks that `value` has every required property of the document's schema `name` (and, recursively, of `$ref`
/// properties it has), failing the test for each one missing.
func assertConforms(_ value: Any, schema name: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let doc = try openAPI()
    let schemas = (doc["components"] as! [String: Any])["schemas"] as! [String: Any]
    guard let schema = schemas[name] as? [String: Any] else { return XCTFail("no schema \(name)", file: file, line: line) }
    guard let object = value as? [String: Any] else { return XCTFail("\(name): not an object", file: file, line: line) }
    for key in schema["required"] as? [String] ?? [] where object[key] == nil {
        XCTFail("\(name): required property '\(key)' missing", file: file, line: line)
    }
    for (key, p) in schema["properties"] as? [String: Any] ?? [:] {
        guard let v = object[key], let p = p as? [String: Any] else { continue }
        if let ref = p["$ref"] as? String { try assertConforms(v, schema: String(ref.split(separator: "/").last!), file: file, line: line) }
        if let allowed = p["enum"] as? [String] { XCTAssertTrue(allowed.contains(v as? String ?? ""), "\(name).\(key) = \(v) not in \(allowed)", file: file, line: line) }
        switch p["type"] as? String {
        case "string": XCTAssertTrue(v is String, "\(name).\(key) is not a string", file: file, line: line)
        case "integer", "number": XCTAssertTrue(v is NSNumber && !(v is Bool && type(of: v) == Bool.self), "\(name).\(key) is not a number", file: file, line: line)
        case "boolean": XCTAssertTrue(v is Bool, "\(name).\(key) is not a boolean", file: file, line: line)
        case "object": XCTAssertTrue(v is [String: Any], "\(name).\(key) is not an object", file: file, line: line)
        case "array": XCTAssertTrue(v is [Any], "\(name).\(key) is not an array", file: file, line: line)
        default: break
        }
    }
}

/// Polls GET /v1/jobs/ID until the job ends (or `timeout` passes) and returns its JSON.
func waitForJob(_ client: some TestClientProtocol, _ id: String, timeout: Duration = .seconds(300)) async throws -> [String: Any] {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        let job = try await client.execute(uri: "/v1/jobs/\(id)", method: .get) { try $0.json() }
        if let s = job["state"] as? String, s == "done" || s == "failed" { return job }
        guard clock.now < deadline else { throw ServiceError(0, "job \(id) did not end in \(timeout): \(job)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// A service whose digits model is set up (by running its job on this thread: no in-process worker).
func readyDigitsService(maxModelRequestBytes: Int? = nil) async throws -> (ProverService, String) {
    let service = try makeService(workers: 0, maxModelRequestBytes: maxModelRequestBytes)
    let modelID = try await service.application().test(.router) { client in
        try await client.execute(uri: "/v1/models", method: .post, headers: auth(), body: try jsonBody(try digitsUpload())) { r in
            XCTAssertEqual(r.status, .accepted, r.text)
            return try XCTUnwrap(try r.json()["model"] as? String)
        }
    }
    let ran = try await service.runner.runNext(worker: "test")
    XCTAssertTrue(ran)
    let state = try await service.store.model(modelID)?.state
    XCTAssertEqual(state, .ready)
    return (service, modelID)
}
