import Foundation
import XCTest
import Hummingbird
import HummingbirdTesting
import ZKClaim
import ZKFormats
import ZKGroth16
import ZKModel
import ZKService

final class ProverServiceTests: XCTestCase {
    /// Upload → model job done → two inference jobs (one signed) → claims that verify with ClaimVerifier and through
    /// POST /v1/verify (by model and by key), a tampered claim that does not, metrics, and every response checked
    /// against the OpenAPI document's required fields. Runs the in-process worker as `zkinfer serve` does.
    func testFullFlowDigitsMLP() async throws {
        let service = try makeService(workers: 1)
        let app = try service.application()
        try await app.test(.router) { client in
            let accepted = try await client.execute(uri: "/v1/models", method: .post, headers: auth(), body: try jsonBody(try digitsUpload())) { r in
                XCTAssertEqual(r.status, .accepted, r.text)
                return try r.json()
            }
            try assertConforms(accepted, schema: "ModelAccepted")
            let modelID = try XCTUnwrap(accepted["model"] as? String)
            let modelJob = try await waitForJob(client, try XCTUnwrap(accepted["job"] as? String))
            XCTAssertEqual(modelJob["state"] as? String, "done", "\(modelJob)")
            XCTAssertEqual(modelJob["kind"] as? String, "model")
            try assertConforms(modelJob, schema: "Job")

            let model = try await client.execute(uri: "/v1/models/\(modelID)", method: .get) { try $0.json() }
            try assertConforms(model, schema: "Model")
            XCTAssertEqual(model["state"] as? String, "ready")
            let modelDigest = try XCTUnwrap(model["modelDigest"] as? String)
            XCTAssertGreaterThan(model["constraints"] as? Int ?? 0, 0)
            let vkObject = try XCTUnwrap(model["verificationKey"] as? [String: Any])
            let key = VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: try JSONSerialization.data(withJSONObject: vkObject)))
            // The compiled directory is the one `zkinfer compile`/`setup` write.
            let dir = try await service.runner.modelDirectory(model: modelID)
            for f in ["circuit.json", "manifest.json", "proving.key", "verification_key.json", "model.onnx"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/" + f), f)
            }

            let health = try await client.execute(uri: "/healthz", method: .get) { try $0.json() }
            try assertConforms(health, schema: "Health")
            let signer = try XCTUnwrap(health["signer"] as? String)

            let input = try Digits.input
            var claims: [Data] = []
            for sign in [false, true] {
                let job = try await client.execute(uri: "/v1/models/\(modelID)/inferences", method: .post, headers: auth(),
                                                   body: try jsonBody(["input_data": [input], "sign": sign])) { r in
                    XCTAssertEqual(r.status, .accepted, r.text)
                    return try r.json()
                }
                try assertConforms(job, schema: "JobAccepted")
                let done = try await waitForJob(client, try XCTUnwrap(job["job"] as? String))
                XCTAssertEqual(done["state"] as? String, "done", "\(done)")
                XCTAssertNil(done["error"])
                XCTAssertEqual(done["progress"] as? Double, 1)
                try assertConforms(done, schema: "Job")
                let claimJSON = try JSONSerialization.data(withJSONObject: try XCTUnwrap(done["claim"]))
                let claim = try ClaimVerifier.decode(claimJSON)
                XCTAssertEqual(claim.model.modelDigest, modelDigest)
                XCTAssertEqual(claim.input.values, input)
                let verdict = try ClaimVerifier.verify(claim, key: key)
                XCTAssertTrue(verdict.valid, "\(verdict.problems)")
                XCTAssertEqual(verdict.signatureValid, sign ? true : nil)
                XCTAssertEqual(verdict.signer, sign ? signer : nil)
                // The claim's address.
                let url = try XCTUnwrap(done["claimUrl"] as? String)
                XCTAssertEqual(url, "/v1/claims/\(modelDigest)/\(try XCTUnwrap(done["claimId"] as? String))")
                let stored = try await client.execute(uri: url, method: .get) { r in
                    XCTAssertEqual(r.status, .ok)
                    return r.data
                }
                XCTAssertEqual(try ClaimVerifier.decode(stored), claim)
                XCTAssertEqual(try blake2bHex([UInt8](stored)), done["claimId"] as? String)
                claims.append(stored)
            }

            // POST /v1/verify, by model id and by key (no token needed).
            let claimObject = try JSONSerialization.jsonObject(with: claims[1])
            for body: [String: Any] in [["claim": claimObject, "model": modelID], ["claim": claimObject, "verificationKey": vkObject]] {
                let v = try await client.execute(uri: "/v1/verify", method: .post, body: try jsonBody(body)) { r in
                    XCTAssertEqual(r.status, .ok, r.text)
                    return try r.json()
                }
                try assertConforms(v, schema: "Verdict")
                XCTAssertEqual(v["valid"] as? Bool, true, "\(v)")
                XCTAssertEqual(v["reason"] as? String, "")
                XCTAssertEqual(v["signer"] as? String, signer)
            }
            // A changed output: the same verdict as ClaimVerifier (and `zkinfer verify`): invalid, with the reason.
            var tampered = try ClaimVerifier.decode(claims[0])
            tampered.output.quantized[0] += 1
            tampered.output.values[0] = Double(tampered.output.quantized[0]) * Double(sign: .plus, exponent: -tampered.output.scale, significand: 1)
            tampered.output.argmax = firstArgmax(tampered.output.quantized)
            let expected = try ClaimVerifier.verify(tampered, key: key)
            XCTAssertFalse(expected.valid)
            let tamperedObject = try JSONSerialization.jsonObject(with: try ClaimVerifier.encode(tampered))
            let v = try await client.execute(uri: "/v1/verify", method: .post, body: try jsonBody(["claim": tamperedObject, "model": modelID])) { try $0.json() }
            try assertConforms(v, schema: "Verdict")
            XCTAssertEqual(v["valid"] as? Bool, false)
            XCTAssertEqual(v["problems"] as? [String], expected.problems)
            XCTAssertEqual(v["reason"] as? String, expected.problems.joined(separator: "; "))

            let metrics = try await client.execute(uri: "/metrics", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                return r.text
            }
            XCTAssertTrue(metrics.contains(#"zkinfer_jobs{state="done"} 3"#), metrics)
            XCTAssertTrue(metrics.contains(#"zkinfer_jobs{state="queued"} 0"#), metrics)
            XCTAssertTrue(metrics.contains("zkinfer_queue_depth 0"), metrics)
            XCTAssertTrue(metrics.contains("zkinfer_workers 1"), metrics)
            XCTAssertTrue(metrics.contains("zkinfer_prove_seconds_count 2"), metrics)
            XCTAssertTrue(metrics.contains("zkinfer_setup_seconds_count 1"), metrics)
        }
        let counts = try await service.store.counts()
        XCTAssertEqual(counts, StoreCounts(models: 1, jobs: 3, claims: 2))
    }

    /// Writes need the bearer token (401 without it or with a wrong one, nothing stored); reads, /v1/verify,
    /// /healthz, /metrics and /openapi.json do not.
    func testWritesNeedTheToken() async throws {
        let service = try makeService(workers: 0)
        let (modelID, _) = try await service.store.createModel(NewModel(name: "m", onnx: Data([1]), calibration: nil, weights: "public", input: "public"), now: Date())
        let before = try await service.store.counts()
        try await service.application().test(.router) { client in
            for headers: HTTPFields in [[:], auth("wrong-token-0123456789"), [.authorization: "Basic \(testToken)"], [.authorization: testToken]] {
                try await client.execute(uri: "/v1/models", method: .post, headers: headers, body: try jsonBody(try digitsUpload())) { r in
                    XCTAssertEqual(r.status, .unauthorized)
                    XCTAssertEqual(r.headers[.wwwAuthenticate], "Bearer")
                    XCTAssertNotNil(try r.json()["error"] as? String)
                }
                try await client.execute(uri: "/v1/models/\(modelID)/inferences", method: .post, headers: headers,
                                         body: try jsonBody(["input_data": [try Digits.input]])) { r in
                    XCTAssertEqual(r.status, .unauthorized)
                }
            }
            for uri in ["/healthz", "/metrics", "/openapi.json", "/v1/models/\(modelID)"] {
                try await client.execute(uri: uri, method: .get) { r in XCTAssertEqual(r.status, .ok, uri) }
            }
            // No token: /v1/verify answers (here 400: the claim is malformed), never 401.
            try await client.execute(uri: "/v1/verify", method: .post, body: try jsonBody(["claim": ["x": 1], "model": modelID])) { r in
                XCTAssertNotEqual(r.status, .unauthorized)
            }
        }
        let after = try await service.store.counts()
        XCTAssertEqual(before, after)
    }

    /// The routes the router serves are exactly the document's paths and methods.
    func testOpenAPIDocumentsEveryRoute() async throws {
        let service = try makeService(workers: 0)
        let router = try service.api.router()
        let served = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        let doc = try openAPI()
        XCTAssertEqual(doc["openapi"] as? String, "3.0.3")
        var documented = Set<String>()
        for (path, item) in doc["paths"] as! [String: Any] {
            for method in (item as! [String: Any]).keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        XCTAssertEqual(served, documented)
        XCTAssertEqual(served.count, 13)
        // Every $ref names a schema that exists.
        let text = String(decoding: try ProverAPI.openAPIDocument(), as: UTF8.self)
        let schemas = Set(((doc["components"] as! [String: Any])["schemas"] as! [String: Any]).keys)
        for ref in text.components(separatedBy: "#/components/schemas/").dropFirst().map({ String($0.prefix(while: { $0 != "\"" })) }) {
            XCTAssertTrue(schemas.contains(ref), ref)
        }
        // GET /openapi.json serves the committed document.
        try await service.application().test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { r in
                XCTAssertEqual(r.status, .ok)
                XCTAssertEqual(r.data, try ProverAPI.openAPIDocument())
            }
            try await client.execute(uri: "/v1/nothing", method: .get) { r in XCTAssertEqual(r.status, .notFound) }
        }
    }
}

/// A hashed input: the claim does not state it, verifies, and the input's opening stays on the server
/// (DATA/openings/CLAIM/input_opening.json, mode 0600). (Private weights work the same way through the same library
/// calls; their Poseidon commitment of every weight makes setup and proving too slow for a debug-build test.)
final class HiddenInputServiceTests: XCTestCase {
    func testHashedInput() async throws {
        let service = try makeService(workers: 0)
        var privateUpload = try digitsUpload(name: "digits-hashed")
        privateUpload.input = "hashed"
        let upload = privateUpload
        try await service.application().test(.router) { client in
            let modelID = try await client.execute(uri: "/v1/models", method: .post, headers: auth(), body: try jsonBody(upload)) { r in
                XCTAssertEqual(r.status, .accepted, r.text)
                return try XCTUnwrap(try r.json()["model"] as? String)
            }
            let ranModel = try await service.runner.runNext(worker: "w")
            XCTAssertTrue(ranModel)
            let model = try await client.execute(uri: "/v1/models/\(modelID)", method: .get) { try $0.json() }
            XCTAssertEqual(model["state"] as? String, "ready", "\(model)")
            XCTAssertEqual(model["input"] as? String, "hashed")
            let job = try await client.execute(uri: "/v1/models/\(modelID)/inferences", method: .post, headers: auth(),
                                               body: try jsonBody(["input_data": [try Digits.input]])) { try $0.json() }
            let ran = try await service.runner.runNext(worker: "w")
            XCTAssertTrue(ran)
            let done = try await waitForJob(client, try XCTUnwrap(job["job"] as? String), timeout: .seconds(5))
            XCTAssertEqual(done["state"] as? String, "done", "\(done)")
            let claim = try ClaimVerifier.decode(try JSONSerialization.data(withJSONObject: try XCTUnwrap(done["claim"])))
            XCTAssertTrue(claim.input.values.isEmpty)
            XCTAssertTrue(claim.input.quantized.isEmpty)
            XCTAssertNotNil(claim.input.hash)
            XCTAssertEqual(claim.visibility.input, .hashed)
            let v = try await client.execute(uri: "/v1/verify", method: .post,
                                             body: try jsonBody(["claim": try XCTUnwrap(done["claim"]), "model": modelID])) { try $0.json() }
            XCTAssertEqual(v["valid"] as? Bool, true, "\(v)")
            let opening = service.data.openingsDirectory + "/" + (try XCTUnwrap(done["claimId"] as? String)) + "/input_opening.json"
            let attributes = try FileManager.default.attributesOfItem(atPath: opening)
            XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
            let o = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: opening))) as? [String: Any]
            XCTAssertEqual(o?["hash"] as? String, claim.input.hash)
            // Nothing in the job's answer carries the input.
            XCTAssertFalse(String(decoding: try JSONSerialization.data(withJSONObject: done), as: UTF8.self).contains("\"quantized\":[0,0,"))
        }
    }
}
