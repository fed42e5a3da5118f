// The embedded job store: one SQLite database (GRDB) under the service's data directory.

import Foundation
import GRDB

/// ``JobStore`` on SQLite through GRDB. One `DatabaseQueue` serializes writes, so claiming the next job
/// (select the oldest queued row, then mark it running) is atomic without row locks.
public final class SQLiteJobStore: JobStore {
    let db: DatabaseQueue

    /// Opens (creating if needed) the database at `path` and migrates it; `nil` opens an in-memory database.
    public init(path: String?) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        db = try path.map { try DatabaseQueue(path: $0, configuration: config) } ?? DatabaseQueue(configuration: config)
        try Self.migrator.migrate(db)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE models (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    state TEXT NOT NULL,
                    weights TEXT NOT NULL,
                    input TEXT NOT NULL,
                    onnx BLOB NOT NULL,
                    calibration BLOB,
                    job TEXT NOT NULL,
                    model_digest TEXT,
                    constraints INTEGER,
                    verification_key BLOB,
                    verification_key_digest TEXT,
                    error TEXT,
                    created_at DOUBLE NOT NULL
                );
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    model TEXT NOT NULL REFERENCES models(id),
                    state TEXT NOT NULL,
                    progress DOUBLE NOT NULL DEFAULT 0,
                    input BLOB,
                    sign BOOLEAN NOT NULL DEFAULT 0,
                    attempt INTEGER NOT NULL DEFAULT 0,
                    lease_owner TEXT,
                    lease_until DOUBLE,
                    claim_model_digest TEXT,
                    claim_id TEXT,
                    error TEXT,
                    created_at DOUBLE NOT NULL,
                    finished_at DOUBLE
                );
                CREATE INDEX jobs_queue ON jobs(state, created_at);
                CREATE TABLE claims (
                    model_digest TEXT NOT NULL,
                    id TEXT NOT NULL,
                    job TEXT NOT NULL UNIQUE REFERENCES jobs(id),
                    json BLOB NOT NULL,
                    created_at DOUBLE NOT NULL,
                    PRIMARY KEY (model_digest, id)
                );
                """)
        }
        return m
    }

    static func newID() -> String { UUID().uuidString.lowercased() }

    public func createModel(_ model: NewModel, now: Date) async throws -> (model: String, job: String) {
        let modelID = Self.newID(), jobID = Self.newID()
        try await db.write { db in
            try db.execute(sql: """
                INSERT INTO models (id, name, state, weights, input, onnx, calibration, job, created_at)
                VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?)
                """, arguments: [modelID, model.name, model.weights, model.input, model.onnx, model.calibration, jobID, now.timeIntervalSince1970])
            try db.execute(sql: "INSERT INTO jobs (id, kind, model, state, created_at) VALUES (?, 'model', ?, 'queued', ?)",
                           arguments: [jobID, modelID, now.timeIntervalSince1970])
        }
        return (modelID, jobID)
    }

    public func model(_ id: String) async throws -> ModelRecord? {
        try await db.read { db in
            try Row.fetchOne(db, sql: """
                SELECT id, name, state, weights, input, job, model_digest, constraints, verification_key, verification_key_digest, error
                FROM models WHERE id = ?
                """, arguments: [id]).map { r in
                ModelRecord(id: r["id"], name: r["name"], state: ModelState(rawValue: r["state"]) ?? .failed, weights: r["weights"],
                            input: r["input"], job: r["job"], modelDigest: r["model_digest"], constraints: r["constraints"],
                            verificationKey: r["verification_key"], verificationKeyDigest: r["verification_key_digest"], error: r["error"])
            }
        }
    }

    public func modelUpload(_ id: String) async throws -> (onnx: Data, calibration: Data?)? {
        try await db.read { db in
            try Row.fetchOne(db, sql: "SELECT onnx, calibration FROM models WHERE id = ?", arguments: [id]).map { r in
                (onnx: r["onnx"] as Data, calibration: r["calibration"] as Data?)
            }
        }
    }

    public func enqueueInference(model: String, input: Data, sign: Bool, now: Date) async throws -> String {
        let jobID = Self.newID()
        try await db.write { db in
            try db.execute(sql: "INSERT INTO jobs (id, kind, model, state, input, sign, created_at) VALUES (?, 'inference', ?, 'queued', ?, ?, ?)",
                           arguments: [jobID, model, input, sign, now.timeIntervalSince1970])
        }
        return jobID
    }

    static func job(_ r: Row) -> JobRecord {
        JobRecord(id: r["id"], kind: JobKind(rawValue: r["kind"]) ?? .inference, model: r["model"],
                  state: JobState(rawValue: r["state"]) ?? .failed, progress: r["progress"], input: r["input"], sign: r["sign"],
                  attempt: r["attempt"], leaseOwner: r["lease_owner"], leaseUntil: r["lease_until"],
                  claimModelDigest: r["claim_model_digest"], claimID: r["claim_id"], error: r["error"])
    }

    public func job(_ id: String) async throws -> JobRecord? {
        try await db.read { db in try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]).map(Self.job) }
    }

    public func claimNextJob(worker: String, kinds: Set<JobKind>, leaseSeconds: Double, now: Date) async throws -> (JobRecord, JobLease)? {
        let kindNames = kinds.map(\.rawValue).sorted()
        guard !kindNames.isEmpty else { return nil }
        return try await db.write { db in
            let placeholders = Array(repeating: "?", count: kindNames.count).joined(separator: ", ")
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM jobs WHERE state = 'queued' AND kind IN (\(placeholders)) ORDER BY created_at, rowid LIMIT 1",
                                               arguments: StatementArguments(kindNames)) else {
                return nil
            }
            try db.execute(sql: """
                UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_owner = ?, lease_until = ?, progress = 0
                WHERE id = ? AND state = 'queued'
                """, arguments: [worker, now.timeIntervalSince1970 + leaseSeconds, id])
            guard db.changesCount == 1, let row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]) else { return nil }
            let job = Self.job(row)
            return (job, JobLease(job: id, attempt: job.attempt, worker: worker))
        }
    }

    /// The condition that a lease is still its job's.
    static let holds = "id = ? AND attempt = ? AND lease_owner = ? AND state = 'running'"

    static func holdArguments(_ l: JobLease) -> StatementArguments { [l.job, l.attempt, l.worker] }

    public func heartbeat(_ lease: JobLease, progress: Double, leaseSeconds: Double, now: Date) async throws -> Bool {
        try await db.write { db in
            try db.execute(sql: "UPDATE jobs SET lease_until = ?, progress = ? WHERE \(Self.holds)",
                           arguments: [now.timeIntervalSince1970 + leaseSeconds, min(max(progress, 0), 1)] + Self.holdArguments(lease))
            return db.changesCount == 1
        }
    }

    public func completeInference(_ lease: JobLease, claim: StoredClaim, now: Date) async throws -> Bool {
        try await db.write { db in
            try db.execute(sql: """
                UPDATE jobs SET state = 'done', progress = 1, lease_until = NULL, claim_model_digest = ?, claim_id = ?, finished_at = ?
                WHERE \(Self.holds) AND kind = 'inference'
                """, arguments: [claim.modelDigest, claim.id, now.timeIntervalSince1970] + Self.holdArguments(lease))
            guard db.changesCount == 1 else { return false }
            // Two jobs proving the same input produce different claims (fresh proof randomness), so the id is new;
            // the same bytes again would be the same claim, kept once.
            try db.execute(sql: "INSERT OR IGNORE INTO claims (model_digest, id, job, json, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [claim.modelDigest, claim.id, lease.job, claim.json, now.timeIntervalSince1970])
            return true
        }
    }

    public func completeModel(_ lease: JobLease, result: ModelSetupRecord, now: Date) async throws -> Bool {
        try await db.write { db in
            try db.execute(sql: "UPDATE jobs SET state = 'done', progress = 1, lease_until = NULL, finished_at = ? WHERE \(Self.holds) AND kind = 'model'",
                           arguments: [now.timeIntervalSince1970] + Self.holdArguments(lease))
            guard db.changesCount == 1 else { return false }
            try db.execute(sql: """
                UPDATE models SET state = 'ready', model_digest = ?, constraints = ?, verification_key = ?, verification_key_digest = ?
                WHERE job = ?
                """, arguments: [result.modelDigest, result.constraints, result.verificationKey, result.verificationKeyDigest, lease.job])
            return true
        }
    }

    public func fail(_ lease: JobLease, error: String, now: Date) async throws -> Bool {
        try await db.write { db in
            try db.execute(sql: "UPDATE jobs SET state = 'failed', lease_until = NULL, error = ?, finished_at = ? WHERE \(Self.holds)",
                           arguments: [error, now.timeIntervalSince1970] + Self.holdArguments(lease))
            guard db.changesCount == 1 else { return false }
            try db.execute(sql: "UPDATE models SET state = 'failed', error = ? WHERE job = ?", arguments: [error, lease.job])
            return true
        }
    }

    public func requeueExpiredLeases(now: Date, maxAttempts: Int) async throws -> Int {
        try await db.write { db in
            let t = now.timeIntervalSince1970
            let message = "the job's lease expired \(maxAttempts) times (its worker stopped or was too slow); not retried"
            let expiredModelJobs = try String.fetchAll(db, sql: "SELECT id FROM jobs WHERE state = 'running' AND lease_until < ? AND attempt >= ? AND kind = 'model'",
                                                      arguments: [t, maxAttempts])
            try db.execute(sql: """
                UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_until = NULL, error = ?, finished_at = ?
                WHERE state = 'running' AND lease_until < ? AND attempt >= ?
                """, arguments: [message, t, t, maxAttempts])
            var n = db.changesCount
            for id in expiredModelJobs {
                try db.execute(sql: "UPDATE models SET state = 'failed', error = ? WHERE job = ?", arguments: [message, id])
            }
            try db.execute(sql: "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL, progress = 0 WHERE state = 'running' AND lease_until < ?",
                           arguments: [t])
            n += db.changesCount
            return n
        }
    }

    public func claim(modelDigest: String, id: String) async throws -> Data? {
        try await db.read { db in
            try Data.fetchOne(db, sql: "SELECT json FROM claims WHERE model_digest = ? AND id = ?", arguments: [modelDigest, id])
        }
    }

    public func jobCounts() async throws -> [JobState: Int] {
        try await db.read { db in
            var out = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
            for r in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state") {
                if let s = JobState(rawValue: r["state"]) { out[s] = r["n"] }
            }
            return out
        }
    }

    public func counts() async throws -> StoreCounts {
        try await db.read { db in
            StoreCounts(models: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM models") ?? 0,
                        jobs: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs") ?? 0,
                        claims: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM claims") ?? 0)
        }
    }
}
