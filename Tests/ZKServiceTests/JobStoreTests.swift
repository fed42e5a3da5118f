import Foundation
import XCTest
import ZKClaim
import ZKFormats
import ZKGroth16
import ZKService

/// The lease protocol of a job store (run on SQLite and on PostgreSQL): claiming, heartbeats, expiry, and ending
/// each job exactly once. Each scenario starts from an empty store holding one model (created at t = 0).
enum StoreScenarios {
    static func claim(_ n: Int) -> StoredClaim { StoredClaim(modelDigest: String(repeating: "a", count: 64), id: "claim-\(n)", json: Data("{\"n\":\(n)}".utf8)) }

    static func claimedOldestFirstAndOnlyOnce(_ store: any JobStore, _ model: String) async throws {
        let t0 = Date(timeIntervalSince1970: 100)
        let a = try await store.enqueueInference(model: model, input: Data("[1]".utf8), sign: false, now: t0)
        let b = try await store.enqueueInference(model: model, input: Data("[2]".utf8), sign: true, now: t0.addingTimeInterval(1))
        // The model job (created at 0) first, then a, then b, then nothing.
        var order: [String] = []
        while let (job, lease) = try await store.claimNextJob(worker: "w", leaseSeconds: 10, now: t0) {
            XCTAssertEqual(job.state, .running)
            XCTAssertEqual(job.attempt, 1)
            XCTAssertEqual(lease.attempt, 1)
            order.append(job.id)
        }
        XCTAssertEqual(order.count, 3)
        XCTAssertEqual(Array(order.suffix(2)), [a, b])
        let counts = try await store.jobCounts()
        XCTAssertEqual(counts[.running], 3)
        XCTAssertEqual(counts[.queued], 0)
    }

    /// A worker's lease expires: the job goes back to the queue, a second worker completes it, and the first worker
    /// (waking up late) can neither complete, fail nor renew it. One claim is stored.
    static func expiredLeaseReturnsTheJobToTheQueueAndItCompletesExactlyOnce(_ store: any JobStore, _ model: String) async throws {
        let t0 = Date(timeIntervalSince1970: 1000)
        _ = try await store.claimNextJob(worker: "setup", leaseSeconds: 1000, now: t0)  // the model job, out of the way
        let id = try await store.enqueueInference(model: model, input: Data("[1]".utf8), sign: false, now: t0)
        let claimedA = try await store.claimNextJob(worker: "A", leaseSeconds: 5, now: t0)
        let (_, leaseA) = try XCTUnwrap(claimedA)
        // A heartbeat renews the lease: at t0+4 it runs until t0+9.
        let renewed = try await store.heartbeat(leaseA, progress: 0.5, leaseSeconds: 5, now: t0.addingTimeInterval(4))
        XCTAssertTrue(renewed)
        let progress = try await store.job(id)?.progress
        XCTAssertEqual(progress, 0.5)
        var requeued = try await store.requeueExpiredLeases(now: t0.addingTimeInterval(8), maxAttempts: 3)
        XCTAssertEqual(requeued, 0)
        let stillRunning = try await store.job(id)?.state
        XCTAssertEqual(stillRunning, .running)
        // No heartbeat after that: expired at t0+9.
        requeued = try await store.requeueExpiredLeases(now: t0.addingTimeInterval(10), maxAttempts: 3)
        XCTAssertEqual(requeued, 1)
        var job = try await store.job(id)
        XCTAssertEqual(job?.state, .queued)
        XCTAssertNil(job?.leaseOwner)
        // B takes it.
        let claimedB = try await store.claimNextJob(worker: "B", leaseSeconds: 5, now: t0.addingTimeInterval(10))
        let (jobB, leaseB) = try XCTUnwrap(claimedB)
        XCTAssertEqual(jobB.id, id)
        XCTAssertEqual(leaseB.attempt, 2)
        // A wakes up: its lease is not the job's any more.
        var ok = try await store.heartbeat(leaseA, progress: 0.9, leaseSeconds: 5, now: t0.addingTimeInterval(11))
        XCTAssertFalse(ok)
        ok = try await store.completeInference(leaseA, claim: claim(1), now: t0.addingTimeInterval(11))
        XCTAssertFalse(ok)
        ok = try await store.fail(leaseA, error: "late", now: t0.addingTimeInterval(11))
        XCTAssertFalse(ok)
        // B completes; a second completion (or a failure) after that changes nothing.
        ok = try await store.completeInference(leaseB, claim: claim(2), now: t0.addingTimeInterval(12))
        XCTAssertTrue(ok)
        ok = try await store.completeInference(leaseB, claim: claim(3), now: t0.addingTimeInterval(13))
        XCTAssertFalse(ok)
        ok = try await store.fail(leaseB, error: "after the fact", now: t0.addingTimeInterval(13))
        XCTAssertFalse(ok)
        requeued = try await store.requeueExpiredLeases(now: t0.addingTimeInterval(60), maxAttempts: 3)
        XCTAssertEqual(requeued, 0)
        job = try await store.job(id)
        XCTAssertEqual(job?.state, .done)
        XCTAssertEqual(job?.claimID, "claim-2")
        XCTAssertNil(job?.error)
        let counts = try await store.counts()
        XCTAssertEqual(counts.claims, 1)
        let stored = try await store.claim(modelDigest: String(repeating: "a", count: 64), id: "claim-2")
        XCTAssertEqual(stored, claim(2).json)
        let lost = try await store.claim(modelDigest: String(repeating: "a", count: 64), id: "claim-1")
        XCTAssertNil(lost)
    }

    /// A job whose lease expires `maxAttempts` times fails with one error instead of looping; a failed model job
    /// marks its model failed.
    static func repeatedlyExpiringJobFailsOnce(_ store: any JobStore, _ model: String) async throws {
        var t = Date(timeIntervalSince1970: 5000)
        let modelJob = try await store.model(model)?.job
        for attempt in 1...3 {
            let claimed = try await store.claimNextJob(worker: "w\(attempt)", leaseSeconds: 1, now: t)
            let (job, _) = try XCTUnwrap(claimed)
            XCTAssertEqual(job.id, modelJob)
            XCTAssertEqual(job.attempt, attempt)
            t = t.addingTimeInterval(2)
            let n = try await store.requeueExpiredLeases(now: t, maxAttempts: 3)
            XCTAssertEqual(n, 1)
        }
        let job = try await store.job(try XCTUnwrap(modelJob))
        XCTAssertEqual(job?.state, .failed)
        XCTAssertTrue(job?.error?.contains("lease expired 3 times") == true)
        let m = try await store.model(model)
        XCTAssertEqual(m?.state, .failed)
        XCTAssertEqual(m?.error, job?.error)
        let next = try await store.claimNextJob(worker: "w", leaseSeconds: 1, now: t)
        XCTAssertNil(next)
    }

    /// Four workers claim 40 queued jobs at once: every job is taken exactly once.
    static func concurrentWorkersTakeEachJobOnce(_ store: any JobStore, _ model: String) async throws {
        let t0 = Date(timeIntervalSince1970: 100)
        var queued: Set<String> = []
        for i in 0..<40 { queued.insert(try await store.enqueueInference(model: model, input: Data("[\(i)]".utf8), sign: false, now: t0)) }
        let taken = try await withThrowingTaskGroup(of: [String].self) { group in
            for w in 0..<4 {
                group.addTask {
                    var mine: [String] = []
                    while let (job, _) = try await store.claimNextJob(worker: "w\(w)", leaseSeconds: 60, now: t0) { mine.append(job.id) }
                    return mine
                }
            }
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }
        XCTAssertEqual(taken.count, 41)  // the 40 inferences and the model job
        XCTAssertEqual(Set(taken).count, 41)
        XCTAssertTrue(queued.isSubset(of: Set(taken)))
        let counts = try await store.jobCounts()
        XCTAssertEqual(counts[.running], 41)
        XCTAssertEqual(counts[.queued], 0)
    }
}

/// A fresh in-memory SQLite store with one model.
func makeSQLiteStore() async throws -> (SQLiteJobStore, model: String) {
    let store = try SQLiteJobStore(path: nil)
    let (model, _) = try await store.createModel(NewModel(name: "m", onnx: Data([1, 2]), calibration: nil, weights: "public", input: "public"),
                                                 now: Date(timeIntervalSince1970: 0))
    return (store, model)
}

final class JobStoreTests: XCTestCase {
    func testJobsAreClaimedOldestFirstAndOnlyOnce() async throws {
        let (store, model) = try await makeSQLiteStore()
        try await StoreScenarios.claimedOldestFirstAndOnlyOnce(store, model)
    }

    func testExpiredLeaseReturnsTheJobToTheQueueAndItCompletesExactlyOnce() async throws {
        let (store, model) = try await makeSQLiteStore()
        try await StoreScenarios.expiredLeaseReturnsTheJobToTheQueueAndItCompletesExactlyOnce(store, model)
    }

    func testRepeatedlyExpiringJobFailsOnce() async throws {
        let (store, model) = try await makeSQLiteStore()
        try await StoreScenarios.repeatedlyExpiringJobFailsOnce(store, model)
    }

    func testConcurrentWorkersTakeEachJobOnce() async throws {
        let (store, model) = try await makeSQLiteStore()
        try await StoreScenarios.concurrentWorkersTakeEachJobOnce(store, model)
    }

    /// The runner ends a job it cannot run (here: a model job whose upload is not ONNX) with the error, once.
    func testRunnerRecordsAFailedJob() async throws {
        let service = try makeService(workers: 0)
        let (model, jobID) = try await service.store.createModel(NewModel(name: "m", onnx: Data("not onnx".utf8), calibration: nil, weights: "public",
                                                                            input: "public"), now: Date())
        let ran = try await service.runner.runNext(worker: "w")
        XCTAssertTrue(ran)
        let job = try await service.store.job(jobID)
        XCTAssertEqual(job?.state, .failed)
        XCTAssertTrue(job?.error?.hasPrefix("onnx: malformed ONNX model") == true, job?.error ?? "")
        let m = try await service.store.model(model)
        XCTAssertEqual(m?.state, .failed)
        let again = try await service.runner.runNext(worker: "w")
        XCTAssertFalse(again)
    }
}

/// The same protocol through the runner and a real proof: a worker that stalls past its lease loses the job to the
/// next worker, whose claim is the one stored; the stalled worker's late proof is dropped.
final class JobRunnerLeaseTests: XCTestCase {
    func testExpiredLeaseIsProvenByTheNextWorkerAndStoredOnce() async throws {
        let (service, modelID) = try await readyDigitsService()
        let store = service.store
        let id = try await store.enqueueInference(model: modelID, input: try JSONEncoder().encode(try Digits.input), sign: false, now: Date())
        let t0 = Date()
        let claimed = try await store.claimNextJob(worker: "stalled", leaseSeconds: 0.5, now: t0)
        let (jobA, leaseA) = try XCTUnwrap(claimed)
        XCTAssertEqual(jobA.id, id)
        let requeued = try await store.requeueExpiredLeases(now: t0.addingTimeInterval(1), maxAttempts: 3)
        XCTAssertEqual(requeued, 1)
        let ran = try await service.runner.runNext(worker: "next")
        XCTAssertTrue(ran)
        let done = try await store.job(id)
        XCTAssertEqual(done?.state, .done)
        XCTAssertEqual(done?.attempt, 2)
        XCTAssertEqual(done?.leaseOwner, "next")
        let claimID = try XCTUnwrap(done?.claimID)
        // The stalled worker finishes its own proof late: dropped.
        try await service.runner.execute(jobA, lease: leaseA)
        let after = try await store.job(id)
        XCTAssertEqual(after?.state, .done)
        XCTAssertEqual(after?.claimID, claimID)
        XCTAssertNil(after?.error)
        let counts = try await store.counts()
        XCTAssertEqual(counts.claims, 1)
        // The stored claim verifies under the model's key.
        let json = try await store.claim(modelDigest: try XCTUnwrap(done?.claimModelDigest), id: claimID)
        let vk = try await store.model(modelID)?.verificationKey
        let key = VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: try XCTUnwrap(vk)))
        let verdict = try ClaimVerifier.verify(try ClaimVerifier.decode(try XCTUnwrap(json)), key: key)
        XCTAssertTrue(verdict.valid, "\(verdict.problems)")
        let next = try await service.runner.runNext(worker: "next")
        XCTAssertFalse(next)
    }
}

/// A compile-and-setup job whose worker stalls past its lease: the next attempt sets the model up in its own
/// directory, and the stalled worker's late setup (another key) neither completes the job nor touches that
/// directory: the model's key is the completing attempt's.
final class ModelJobLeaseTests: XCTestCase {
    func testStalledSetupDoesNotMixIntoTheCompletingAttempt() async throws {
        let service = try makeService(workers: 0)
        let store = service.store
        let upload = try digitsUpload()
        let (modelID, jobID) = try await store.createModel(NewModel(name: upload.name, onnx: try Digits.onnx, calibration: try upload.calibration?.data(),
                                                                    weights: "public", input: "public"), now: Date())
        let t0 = Date()
        let claimed = try await store.claimNextJob(worker: "stalled", leaseSeconds: 0.5, now: t0)
        let (jobA, leaseA) = try XCTUnwrap(claimed)
        XCTAssertEqual(jobA.id, jobID)
        let requeued = try await store.requeueExpiredLeases(now: t0.addingTimeInterval(1), maxAttempts: 3)
        XCTAssertEqual(requeued, 1)
        let ran = try await service.runner.runNext(worker: "next")
        XCTAssertTrue(ran)
        let directory = try await service.runner.modelDirectory(model: modelID)
        XCTAssertTrue(directory.hasSuffix("/attempt-2"), directory)
        let keyAfterSetup = try Data(contentsOf: URL(fileURLWithPath: directory + "/verification_key.json"))
        // The stalled worker finishes its own setup late.
        try await service.runner.execute(jobA, lease: leaseA)
        let model = try await store.model(modelID)
        XCTAssertEqual(model?.state, .ready)
        XCTAssertEqual(model?.verificationKey, keyAfterSetup)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: directory + "/verification_key.json")), keyAfterSetup)
        let late = try Data(contentsOf: URL(fileURLWithPath: service.data.modelDirectory(modelID, attempt: 1) + "/verification_key.json"))
        XCTAssertNotEqual(late, keyAfterSetup)  // a different setup: had it landed in attempt-2, proofs would not match the stored key
        let job = try await store.job(jobID)
        XCTAssertEqual(job?.state, .done)
        XCTAssertEqual(job?.attempt, 2)
    }
}
