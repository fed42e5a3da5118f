import Foundation
import XCTest
import Hummingbird
import HummingbirdTesting
import ZKClaim
import ZKFormats
import ZKGroth16
import ZKModel
import ZKService

/// Workers on other machines (`zkinfer worker --server URL --token-file FILE`): they fetch a model's files from the
/// server by digest into their own cache and have the server sign claims. These tests run such a runner in process
/// against a live server (real HTTP on loopback) on the server's own store.
private func temporaryData() throws -> ServiceData {
    try ServiceData(path: FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-worker-\(UUID().uuidString)").path)
}

private func remoteRunner(_ service: ProverService, port: Int, cache: ServiceData, token: String = testToken,
                          patience: Duration = .seconds(5)) -> (JobRunner, ArtifactClient) {
    let client = ArtifactClient(server: URL(string: "http://127.0.0.1:\(port)")!, token: token, cache: cache, patience: patience)
    let runner = JobRunner(store: service.store, data: cache, configuration: RunnerConfiguration(pollInterval: .milliseconds(10)),
                           metrics: ServiceMetrics(workers: 1), remote: client)
    return (runner, client)
}

/// `client.connect()`, which must throw ``ServerUnavailable`` (not a refused token); its description.
private func unavailable(_ client: ArtifactClient, file: StaticString = #filePath, line: UInt = #line) async throws -> String {
    do {
        try await client.connect()
    } catch let e as ServerUnavailable {
        XCTAssertFalse(e.tokenRefused, file: file, line: line)
        return e.description
    }
    XCTFail("the server was accepted", file: file, line: line)
    return ""
}

final class RemoteWorkerTests: XCTestCase {
    /// Two inference jobs (one signed) proved by a remote runner: the files come over HTTP and match the server's by
    /// digest, the claims verify, the signed one carries the server's signature (the worker has no host key), and
    /// a second client on the same cache reuses the files; a corrupted cached file is fetched again.
    func testRemoteWorkerProvesWithFetchedFilesAndServerSignature() async throws {
        let (service, modelID) = try await readyDigitsService()
        let input = try Digits.input
        try await service.application().test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let cache = try temporaryData()
            let (runner, remote) = remoteRunner(service, port: port, cache: cache)
            XCTAssertEqual(runner.configuration.kinds, [.inference], "a remote runner takes inference jobs only")
            let health = try await remote.connect()
            XCTAssertEqual(health.signer, service.api.signer)

            var jobs: [String] = []
            for sign in [true, false] {
                let id = try await client.execute(uri: "/v1/models/\(modelID)/inferences", method: .post, headers: auth(),
                                                  body: try jsonBody(["input_data": [input], "sign": sign] as [String: Any])) { r in
                    XCTAssertEqual(r.status, .accepted, r.text)
                    return try XCTUnwrap(try r.json()["job"] as? String)
                }
                jobs.append(id)
                let ran = try await runner.runNext(worker: "remote")
                XCTAssertTrue(ran)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: cache.hostKeyPath), "a remote worker holds no host key")
            let stats = remote.statistics
            XCTAssertEqual(stats.downloadedFiles, 3, "circuit.json, manifest.json, proving.key, fetched once for both jobs")
            XCTAssertEqual(stats.reusedFiles, 0)

            // The cached files are the server's, byte for byte, and private to the worker.
            let serverDir = try await service.runner.modelDirectory(model: modelID)
            let cachedDir = try await runner.modelDirectory(model: modelID)
            for name in ["circuit.json", "manifest.json", "proving.key"] {
                XCTAssertEqual(FileManager.default.contents(atPath: cachedDir + "/" + name), FileManager.default.contents(atPath: serverDir + "/" + name), name)
                let mode = try FileManager.default.attributesOfItem(atPath: cachedDir + "/" + name)[.posixPermissions] as? Int
                XCTAssertEqual(mode, 0o600, name)
            }

            let stored = try await service.store.model(modelID)
            let key = try XCTUnwrap(stored?.verificationKey)
            let vk = VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: key))
            for (job, signed) in zip(jobs, [true, false]) {
                let j = try await client.execute(uri: "/v1/jobs/\(job)", method: .get) { try $0.json() }
                XCTAssertEqual(j["state"] as? String, "done", "\(j)")
                let claim = try ClaimVerifier.decode(try JSONSerialization.data(withJSONObject: try XCTUnwrap(j["claim"])))
                let verdict = try ClaimVerifier.verify(claim, key: vk)
                XCTAssertTrue(verdict.valid, verdict.problems.joined(separator: "; "))
                XCTAssertEqual(verdict.signer, signed ? service.api.signer : nil)
                XCTAssertEqual(verdict.signatureValid, signed ? true : nil)
            }

            // A new process on the same cache checks the files against the listing and downloads nothing.
            let (_, again) = remoteRunner(service, port: port, cache: cache)
            _ = try await again.directory(model: modelID)
            XCTAssertEqual(again.statistics.downloadedFiles, 0)
            XCTAssertEqual(again.statistics.reusedFiles, 3)

            // A corrupted cached proving key is not used: the next process fetches it again.
            var pk = try XCTUnwrap(FileManager.default.contents(atPath: cachedDir + "/proving.key"))
            pk[pk.count / 2] ^= 1
            try pk.write(to: URL(fileURLWithPath: cachedDir + "/proving.key"))
            let (_, third) = remoteRunner(service, port: port, cache: cache)
            _ = try await third.directory(model: modelID)
            XCTAssertEqual(third.statistics.downloadedFiles, 1)
            XCTAssertEqual(third.statistics.reusedFiles, 2)
            XCTAssertEqual(FileManager.default.contents(atPath: cachedDir + "/proving.key"), FileManager.default.contents(atPath: serverDir + "/proving.key"))
        }
    }

    /// The artifact routes need the token, refuse malformed and unknown digests and unknown or pending models, and
    /// serve each listed file with the digest and size listed.
    func testArtifactRoutes() async throws {
        let (service, modelID) = try await readyDigitsService()
        try await service.application().test(.router) { client in
            try await client.execute(uri: "/v1/auth", method: .get) { XCTAssertEqual($0.status, .unauthorized) }
            try await client.execute(uri: "/v1/auth", method: .get, headers: auth("wrong-token-0123456789")) { XCTAssertEqual($0.status, .unauthorized) }
            try await client.execute(uri: "/v1/auth", method: .get, headers: auth()) { XCTAssertEqual($0.status, .noContent) }
            try await client.execute(uri: "/v1/models/\(modelID)/artifacts", method: .get) { XCTAssertEqual($0.status, .unauthorized) }
            try await client.execute(uri: "/v1/models/nope/artifacts", method: .get, headers: auth()) { XCTAssertEqual($0.status, .notFound) }

            let listing = try await client.execute(uri: "/v1/models/\(modelID)/artifacts", method: .get, headers: auth()) { r in
                XCTAssertEqual(r.status, .ok, r.text)
                try assertConforms(try r.json(), schema: "ModelArtifacts")
                return try JSONDecoder().decode(ModelArtifacts.self, from: r.data)
            }
            XCTAssertEqual(listing.model, modelID)
            XCTAssertEqual(Set(listing.files.map(\.name)), ["circuit.json", "manifest.json", "proving.key"])
            XCTAssertNoThrow(try listing.validated(model: modelID))
            let model = try await service.store.model(modelID)
            XCTAssertEqual(listing.modelDigest, model?.modelDigest)
            XCTAssertEqual(listing.verificationKeyDigest, model?.verificationKeyDigest)
            for file in listing.files {
                let uri = "/v1/models/\(modelID)/artifacts/\(file.digest)"
                try await client.execute(uri: uri, method: .get) { XCTAssertEqual($0.status, .unauthorized) }
                try await client.execute(uri: uri, method: .get, headers: auth()) { r in
                    XCTAssertEqual(r.status, .ok)
                    XCTAssertEqual(r.headers[.contentType], "application/octet-stream")
                    XCTAssertEqual(r.data.count, file.bytes, file.name)
                    XCTAssertEqual(try blake2bHex([UInt8](r.data)), file.digest, file.name)
                }
            }
            for bad in ["00", String(repeating: "g", count: 64), String(repeating: "A", count: 64), "..%2F..%2Fhost.key"] {
                try await client.execute(uri: "/v1/models/\(modelID)/artifacts/\(bad)", method: .get, headers: auth()) { r in
                    XCTAssertEqual(r.status, .badRequest, bad)
                }
            }
            try await client.execute(uri: "/v1/models/\(modelID)/artifacts/\(String(repeating: "0", count: 64))", method: .get, headers: auth()) { r in
                XCTAssertEqual(r.status, .notFound)
            }
            // A pending model has nothing to serve yet.
            let pending = try await client.execute(uri: "/v1/models", method: .post, headers: auth(), body: try jsonBody(try digitsUpload(name: "pending"))) {
                try XCTUnwrap(try $0.json()["model"] as? String)
            }
            try await client.execute(uri: "/v1/models/\(pending)/artifacts", method: .get, headers: auth()) { XCTAssertEqual($0.status, .conflict) }
        }
    }

    /// A server's listing is checked before anything is fetched: names that would escape the cache, duplicates,
    /// malformed digests and missing files are refused.
    func testHostileListingsAreRefused() throws {
        let d = String(repeating: "a", count: 64)
        let good = ModelArtifacts(model: "m", modelDigest: d, verificationKeyDigest: d,
                                  files: ["circuit.json", "manifest.json", "proving.key"].map { ArtifactFile(name: $0, digest: d, bytes: 10) })
        XCTAssertNoThrow(try good.validated(model: "m"))
        XCTAssertThrowsError(try good.validated(model: "other"))
        var bad = good
        bad.files[0].name = "../host.key"
        XCTAssertThrowsError(try bad.validated(model: "m"))
        bad = good
        bad.files.append(good.files[0])
        XCTAssertThrowsError(try bad.validated(model: "m"))
        bad = good
        bad.files[2].digest = "../../" + String(repeating: "a", count: 58)
        XCTAssertThrowsError(try bad.validated(model: "m"))
        bad = good
        bad.files[2].digest = d.uppercased()
        XCTAssertThrowsError(try bad.validated(model: "m"))
        bad = good
        bad.files.removeLast()
        XCTAssertThrowsError(try bad.validated(model: "m"))
        bad = good
        bad.files[1].bytes = -1
        XCTAssertThrowsError(try bad.validated(model: "m"))
    }

    /// The server signs only valid, unsigned claims of the model named, and only with the token.
    func testServerSignsOnlyValidClaimsOfTheModel() async throws {
        let (service, modelID) = try await readyDigitsService()
        let directory = try await service.runner.modelDirectory(model: modelID)
        let unsignedClaim = try ModelWorkspace(directory: directory).prove(input: try Digits.input).claim
        let claimJSON = try JSONValue.parse(try ClaimVerifier.encode(unsignedClaim))
        try await service.application().test(.router) { client in
            let uri = "/v1/models/\(modelID)/sign"
            try await client.execute(uri: uri, method: .post, body: try jsonBody(SignRequest(claim: claimJSON))) { XCTAssertEqual($0.status, .unauthorized) }
            let signature = try await client.execute(uri: uri, method: .post, headers: auth(), body: try jsonBody(SignRequest(claim: claimJSON))) { r in
                XCTAssertEqual(r.status, .ok, r.text)
                try assertConforms(try r.json(), schema: "SignResponse")
                return try JSONDecoder().decode(SignResponse.self, from: r.data).signature
            }
            var signed = unsignedClaim
            signed.signature = signature
            XCTAssertEqual(try ClaimVerifier.checkSignature(signed), true)
            XCTAssertEqual(signature.publicKey, service.api.signer)

            // A forged output: the proof no longer matches; 422 and no signature.
            var forged = unsignedClaim
            forged.publicSignals[forged.publicSignals.count - 1] = "1"
            try await client.execute(uri: uri, method: .post, headers: auth(),
                                     body: try jsonBody(SignRequest(claim: try JSONValue.parse(try ClaimVerifier.encode(forged))))) { r in
                XCTAssertEqual(r.status, .unprocessableContent, r.text)
                XCTAssertTrue(r.text.contains("does not verify"), r.text)
            }
            // Already signed, not a claim, unknown model, another model's claim.
            try await client.execute(uri: uri, method: .post, headers: auth(),
                                     body: try jsonBody(SignRequest(claim: try JSONValue.parse(try ClaimVerifier.encode(signed))))) { r in
                XCTAssertEqual(r.status, .badRequest, r.text)
            }
            try await client.execute(uri: uri, method: .post, headers: auth(), body: try jsonBody(["claim": ["hello": 1]])) { XCTAssertEqual($0.status, .badRequest) }
            try await client.execute(uri: uri, method: .post, headers: auth(), body: ByteBuffer(string: "not json")) { XCTAssertEqual($0.status, .badRequest) }
            try await client.execute(uri: "/v1/models/nope/sign", method: .post, headers: auth(), body: try jsonBody(SignRequest(claim: claimJSON))) {
                XCTAssertEqual($0.status, .notFound)
            }
            var other = unsignedClaim
            other.model.modelDigest = String(repeating: "0", count: 64)
            try await client.execute(uri: uri, method: .post, headers: auth(),
                                     body: try jsonBody(SignRequest(claim: try JSONValue.parse(try ClaimVerifier.encode(other))))) { r in
                XCTAssertEqual(r.status, .unprocessableContent, r.text)
            }
        }
    }

    /// A remote runner leaves model jobs alone; with a wrong token it cannot start, and a token refused later stops
    /// it; when the server is unreachable it leaves the job to its lease instead of failing it.
    func testRemoteRunnerLimits() async throws {
        let (service, modelID) = try await readyDigitsService()
        try await service.application().test(.live) { client in
            let port = try XCTUnwrap(client.port)
            // A queued model job is not taken.
            _ = try await client.execute(uri: "/v1/models", method: .post, headers: auth(), body: try jsonBody(try digitsUpload(name: "second"))) { r in
                XCTAssertEqual(r.status, .accepted)
            }
            let (runner, remote) = remoteRunner(service, port: port, cache: try temporaryData())
            try await remote.connect()
            let took = try await runner.runNext(worker: "remote")
            XCTAssertFalse(took, "a remote runner must not take a model job")

            // A wrong token is refused at connect().
            let (wrongRunner, wrong) = remoteRunner(service, port: port, cache: try temporaryData(), token: "wrong-token-0123456789")
            do {
                try await wrong.connect()
                XCTFail("a wrong token was accepted")
            } catch let e as ServiceError {
                XCTAssertEqual(e.code, 401)
            }
            // A token refused while running (say, replaced on the server): the job is left to its lease, not failed,
            // and the runner stops instead of taking the next one.
            let job = try await service.store.enqueueInference(model: modelID, input: try JSONEncoder().encode(try Digits.input), sign: false, now: Date())
            do {
                _ = try await wrongRunner.runNext(worker: "wrong")
                XCTFail("a refused token did not stop the runner")
            } catch let e as ServerUnavailable {
                XCTAssertTrue(e.tokenRefused, "\(e)")
            }
            let jobState = try await service.store.job(job)?.state
            XCTAssertEqual(jobState, .running)
            _ = try await service.store.requeueExpiredLeases(now: Date().addingTimeInterval(3600), maxAttempts: 10)
            do {
                try await wrongRunner.run()
                XCTFail("run() returned with a refused token")
            } catch let e as ServerUnavailable {
                XCTAssertTrue(e.tokenRefused)
            }
            // Return the job to the queue for the part below.
            _ = try await service.store.requeueExpiredLeases(now: Date().addingTimeInterval(3600), maxAttempts: 10)
        }
        // The server is gone: the job stays running under its lease (not failed), for the reaper to requeue.
        let cache = try temporaryData()
        let (runner, _) = remoteRunner(service, port: 9, cache: cache, patience: .milliseconds(300))
        let ran = try await runner.runNext(worker: "remote")  // the inference job requeued above
        XCTAssertTrue(ran)
        let counts = try await service.store.jobCounts()
        XCTAssertEqual(counts[.running], 1, "\(counts)")
        XCTAssertEqual(counts[.failed] ?? 0, 0, "\(counts)")
    }

    /// The client on a server that is not zkinfer's (or is hostile): an answer longer than the limit is refused
    /// without being read past it (a 502, not retried); 503 answers are retried until the client's patience runs
    /// out (``ServerUnavailable``, not a token problem); an unreachable port is the same; a redirect is not followed
    /// (it could carry the token to another host).
    func testClientBodyLimitRetriesAndUnreachableServer() async throws {
        let router = Router()
        router.get("big") { _, _ in String(repeating: "x", count: 100_000) }
        router.get("healthz") { _, _ in Response(status: .serviceUnavailable) }
        router.get("moved") { _, _ in Response(status: .found, headers: [.location: "http://192.0.2.1/steal-the-token"]) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let base = URL(string: "http://127.0.0.1:\(port)")!
            let whole = try await ArtifactClient.exchange("GET", base.appendingPathComponent("big"), limit: 100_000)
            XCTAssertEqual(whole.status, 200)
            XCTAssertEqual(whole.body.count, 100_000)
            do {
                _ = try await ArtifactClient.exchange("GET", base.appendingPathComponent("big"), limit: 99_999)
                XCTFail("a body over the limit was accepted")
            } catch let e as ServiceError {
                XCTAssertEqual(e.code, 502)
                XCTAssertTrue(e.message.contains("more than 99999 bytes"), e.message)
            }
            let moved = try await ArtifactClient.exchange("GET", base.appendingPathComponent("moved"), headers: [("Authorization", "Bearer secret")])
            XCTAssertEqual(moved.status, 302)
            let remote = ArtifactClient(server: base, token: testToken, cache: try temporaryData(), patience: .milliseconds(400))
            let clock = ContinuousClock(), started = clock.now
            let busy = try await unavailable(remote)
            XCTAssertTrue(busy.contains("HTTP 503"), busy)
            XCTAssertGreaterThanOrEqual(clock.now - started, .milliseconds(200), "retried for the client's patience")
        }
        let gone = ArtifactClient(server: URL(string: "http://127.0.0.1:9")!, token: testToken, cache: try temporaryData(), patience: .milliseconds(300))
        let refused = try await unavailable(gone)
        XCTAssertTrue(refused.hasPrefix("http://127.0.0.1:9/healthz: "), refused)
    }

}
