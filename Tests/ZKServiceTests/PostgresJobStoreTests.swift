import Foundation
import XCTest
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import ZKClaim
import ZKFormats
import ZKGroth16
import ZKService

/// The PostgreSQL store, on the throwaway server `scripts/with-postgres.sh` starts (ZKINFER_TEST_DATABASE); skipped
/// without one.
final class PostgresJobStoreTests: XCTestCase {
    func databaseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["ZKINFER_TEST_DATABASE"], !url.isEmpty else {
            // .ci/run installs PostgreSQL and requires these tests to run.
            if ProcessInfo.processInfo.environment["ZKINFER_REQUIRE_POSTGRES"] == "1" {
                XCTFail("ZKINFER_REQUIRE_POSTGRES=1 but no ZKINFER_TEST_DATABASE: scripts/with-postgres.sh found no PostgreSQL server")
            }
            throw XCTSkip("no ZKINFER_TEST_DATABASE (run through scripts/with-postgres.sh, as `make test` does)")
        }
        return url
    }

    /// Runs `body` with a store on empty tables (and the client running), holding one model created at t = 0.
    func withStore(_ body: @escaping @Sendable (PostgresJobStore, String) async throws -> Void) async throws {
        let store = try PostgresJobStore(url: try databaseURL())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.client.run() }
            defer { group.cancelAll() }
            try await store.client.query("DROP TABLE IF EXISTS claims, jobs, models")
            try await store.migrate()
            let (model, _) = try await store.createModel(NewModel(name: "m", onnx: Data([1, 2]), calibration: nil, weights: "public", input: "public"),
                                                         now: Date(timeIntervalSince1970: 0))
            try await body(store, model)
        }
    }

    func testJobsAreClaimedOldestFirstAndOnlyOnce() async throws {
        try await withStore { try await StoreScenarios.claimedOldestFirstAndOnlyOnce($0, $1) }
    }

    func testExpiredLeaseReturnsTheJobToTheQueueAndItCompletesExactlyOnce() async throws {
        try await withStore { try await StoreScenarios.expiredLeaseReturnsTheJobToTheQueueAndItCompletesExactlyOnce($0, $1) }
    }

    func testRepeatedlyExpiringJobFailsOnce() async throws {
        try await withStore { try await StoreScenarios.repeatedlyExpiringJobFailsOnce($0, $1) }
    }

    /// Concurrent claims on separate connections: FOR UPDATE SKIP LOCKED hands each job to one worker.
    func testConcurrentWorkersTakeEachJobOnce() async throws {
        try await withStore { try await StoreScenarios.concurrentWorkersTakeEachJobOnce($0, $1) }
    }

    /// `zkinfer serve --database` with no in-process worker, and an external worker (its own client, as
    /// `zkinfer worker` on the shared data directory): upload, setup, a signed inference, a claim that verifies.
    func testServerAndExternalWorker() async throws {
        let url = try databaseURL()
        let reset = try PostgresJobStore(url: url)
        try await withThrowingTaskGroup(of: Void.self) { group in  // empty tables
            group.addTask { await reset.client.run() }
            defer { group.cancelAll() }
            try await reset.client.query("DROP TABLE IF EXISTS claims, jobs, models")
            try await reset.migrate()
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-pg-\(UUID().uuidString)")
        let tokenFile = dir.appendingPathComponent("token.txt")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(testToken.utf8).write(to: tokenFile)
        var config = ServeConfiguration(data: dir.appendingPathComponent("data").path, workers: 0, tokenFile: tokenFile.path)
        config.database = url
        let service = try ProverService(config)
        let worker = try ExternalWorker(database: url, data: dir.appendingPathComponent("data").path,
                                        runner: RunnerConfiguration(workers: 1, leaseSeconds: 30, pollInterval: .milliseconds(10)))
        XCTAssertEqual(try worker.signer(), service.api.signer)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await worker.store.client.run() }
            defer { group.cancelAll() }
            try await service.application().test(.router) { client in
                try await worker.store.migrate()
                let accepted = try await client.execute(uri: "/v1/models", method: .post, headers: auth(), body: try jsonBody(try digitsUpload())) { r in
                    XCTAssertEqual(r.status, .accepted, r.text)
                    return try r.json()
                }
                let modelID = try XCTUnwrap(accepted["model"] as? String)
                // Only the external worker proves.
                let ranModel = try await worker.runner.runNext(worker: "external")
                XCTAssertTrue(ranModel)
                let modelJob = try await service.store.job(try XCTUnwrap(accepted["job"] as? String))
                XCTAssertEqual(modelJob?.state, .done, "\(String(describing: modelJob))")
                let model = try await client.execute(uri: "/v1/models/\(modelID)", method: .get) { try $0.json() }
                XCTAssertEqual(model["state"] as? String, "ready", "\(model)")
                let job = try await client.execute(uri: "/v1/models/\(modelID)/inferences", method: .post, headers: auth(),
                                                   body: try jsonBody(["input_data": [try Digits.input], "sign": true])) { try $0.json() }
                let ranInference = try await worker.runner.runNext(worker: "external")
                XCTAssertTrue(ranInference)
                let done = try await waitForJob(client, try XCTUnwrap(job["job"] as? String), timeout: .seconds(10))
                XCTAssertEqual(done["state"] as? String, "done", "\(done)")
                let claimObject = try XCTUnwrap(done["claim"])
                let v = try await client.execute(uri: "/v1/verify", method: .post, body: try jsonBody(["claim": claimObject, "model": modelID])) { try $0.json() }
                XCTAssertEqual(v["valid"] as? Bool, true, "\(v)")
                XCTAssertEqual(v["signatureValid"] as? Bool, true)
                let metrics = try await client.execute(uri: "/metrics", method: .get) { $0.text }
                XCTAssertTrue(metrics.contains(#"zkinfer_jobs{state="done"} 2"#), metrics)
            }
        }
        let counts = try await withStoreCounts(url)
        XCTAssertEqual(counts, StoreCounts(models: 1, jobs: 2, claims: 1))
    }

    func withStoreCounts(_ url: String) async throws -> StoreCounts {
        let store = try PostgresJobStore(url: url)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.client.run() }
            defer { group.cancelAll() }
            return try await store.counts()
        }
    }
}
