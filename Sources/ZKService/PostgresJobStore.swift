// The shared job store: PostgreSQL through postgres-nio, for a server and external workers on one database.

import Foundation
import Logging
import PostgresNIO

/// ``JobStore`` on PostgreSQL. Workers on several processes or machines claim jobs with
/// `SELECT … FOR UPDATE SKIP LOCKED`, so two workers never take the same job and neither waits for the other.
/// The `PostgresClient` must be running (it is a `Service`: add ``client`` to the service group, or run
/// `client.run()` in a task) for queries to go through.
public final class PostgresJobStore: JobStore {
    public let client: PostgresClient
    let logger: Logger

    /// A client for `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`; TLS is not used: keep the database on
    /// a trusted network or loopback).
    public init(url: String, logger: Logger = Logger(label: "zkinfer.postgres")) throws {
        guard let c = URLComponents(string: url), c.scheme == "postgres" || c.scheme == "postgresql", let host = c.host, !host.isEmpty,
              let user = c.user, !user.isEmpty else {
            throw ServiceError(400, "\(url): expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        }
        let database = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        let config = PostgresClient.Configuration(host: host, port: c.port ?? 5432, username: user, password: c.password,
                                                  database: database.isEmpty ? nil : database, tls: .disable)
        client = PostgresClient(configuration: config, backgroundLogger: logger)
        self.logger = logger
    }

    /// Creates the tables when missing (idempotent; run once at startup, with the client running).
    public func migrate() async throws {
        try await client.withTransaction(logger: logger) { c in
            try await c.query("SELECT pg_advisory_xact_lock(7261)", logger: logger)
            try await c.query("""
                CREATE TABLE IF NOT EXISTS models (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL, weights TEXT NOT NULL, input TEXT NOT NULL,
                    onnx BYTEA NOT NULL, calibration BYTEA, job TEXT NOT NULL, model_digest TEXT, constraints BIGINT,
                    verification_key BYTEA, verification_key_digest TEXT, error TEXT, created_at DOUBLE PRECISION NOT NULL)
                """, logger: logger)
            try await c.query("""
                CREATE TABLE IF NOT EXISTS jobs (
                    seq BIGSERIAL UNIQUE, id TEXT PRIMARY KEY, kind TEXT NOT NULL, model TEXT NOT NULL REFERENCES models(id),
                    state TEXT NOT NULL, progress DOUBLE PRECISION NOT NULL DEFAULT 0, input BYTEA, sign BOOLEAN NOT NULL DEFAULT FALSE,
                    attempt BIGINT NOT NULL DEFAULT 0, lease_owner TEXT, lease_until DOUBLE PRECISION, claim_model_digest TEXT,
                    claim_id TEXT, error TEXT, created_at DOUBLE PRECISION NOT NULL, finished_at DOUBLE PRECISION)
                """, logger: logger)
            try await c.query("CREATE INDEX IF NOT EXISTS jobs_queue ON jobs(state, created_at, seq)", logger: logger)
            try await c.query("""
                CREATE TABLE IF NOT EXISTS claims (
                    model_digest TEXT NOT NULL, id TEXT NOT NULL, job TEXT NOT NULL UNIQUE REFERENCES jobs(id), json BYTEA NOT NULL,
                    created_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (model_digest, id))
                """, logger: logger)
        }
    }

    static let jobColumns = "id, kind, model, state, progress, input, sign, attempt, lease_owner, lease_until, claim_model_digest, claim_id, error"

    static func job(_ row: PostgresRow) throws -> JobRecord {
        let r = row.makeRandomAccess()
        return JobRecord(id: try r["id"].decode(String.self), kind: JobKind(rawValue: try r["kind"].decode(String.self)) ?? .inference,
                         model: try r["model"].decode(String.self), state: JobState(rawValue: try r["state"].decode(String.self)) ?? .failed,
                         progress: try r["progress"].decode(Double.self), input: try r["input"].decode(Data?.self), sign: try r["sign"].decode(Bool.self),
                         attempt: try r["attempt"].decode(Int.self), leaseOwner: try r["lease_owner"].decode(String?.self),
                         leaseUntil: try r["lease_until"].decode(Double?.self), claimModelDigest: try r["claim_model_digest"].decode(String?.self),
                         claimID: try r["claim_id"].decode(String?.self), error: try r["error"].decode(String?.self))
    }

    public func createModel(_ model: NewModel, now: Date) async throws -> (model: String, job: String) {
        let modelID = SQLiteJobStore.newID(), jobID = SQLiteJobStore.newID(), t = now.timeIntervalSince1970
        try await client.withTransaction(logger: logger) { c in
            try await c.query("""
                INSERT INTO models (id, name, state, weights, input, onnx, calibration, job, created_at)
                VALUES (\(modelID), \(model.name), 'pending', \(model.weights), \(model.input), \(model.onnx), \(model.calibration), \(jobID), \(t))
                """, logger: logger)
            try await c.query("INSERT INTO jobs (id, kind, model, state, created_at) VALUES (\(jobID), 'model', \(modelID), 'queued', \(t))", logger: logger)
        }
        return (modelID, jobID)
    }

    public func model(_ id: String) async throws -> ModelRecord? {
        let rows = try await client.query("""
            SELECT id, name, state, weights, input, job, model_digest, constraints, verification_key, verification_key_digest, error
            FROM models WHERE id = \(id)
            """, logger: logger)
        for try await row in rows {
            let r = row.makeRandomAccess()
            return ModelRecord(id: try r["id"].decode(String.self), name: try r["name"].decode(String.self),
                               state: ModelState(rawValue: try r["state"].decode(String.self)) ?? .failed, weights: try r["weights"].decode(String.self),
                               input: try r["input"].decode(String.self), job: try r["job"].decode(String.self),
                               modelDigest: try r["model_digest"].decode(String?.self), constraints: try r["constraints"].decode(Int?.self),
                               verificationKey: try r["verification_key"].decode(Data?.self),
                               verificationKeyDigest: try r["verification_key_digest"].decode(String?.self), error: try r["error"].decode(String?.self))
        }
        return nil
    }

    public func modelUpload(_ id: String) async throws -> (onnx: Data, calibration: Data?)? {
        let rows = try await client.query("SELECT onnx, calibration FROM models WHERE id = \(id)", logger: logger)
        for try await (onnx, calibration) in rows.decode((Data, Data?).self) { return (onnx, calibration) }
        return nil
    }

    public func enqueueInference(model: String, input: Data, sign: Bool, now: Date) async throws -> String {
        let jobID = SQLiteJobStore.newID()
        try await client.query("""
            INSERT INTO jobs (id, kind, model, state, input, sign, created_at)
            VALUES (\(jobID), 'inference', \(model), 'queued', \(input), \(sign), \(now.timeIntervalSince1970))
            """, logger: logger)
        return jobID
    }

    public func job(_ id: String) async throws -> JobRecord? {
        let rows = try await client.query("SELECT \(unescaped: Self.jobColumns) FROM jobs WHERE id = \(id)", logger: logger)
        for try await row in rows { return try Self.job(row) }
        return nil
    }

    public func claimNextJob(worker: String, kinds: Set<JobKind>, leaseSeconds: Double, now: Date) async throws -> (JobRecord, JobLease)? {
        let until = now.timeIntervalSince1970 + leaseSeconds, kindNames = kinds.map(\.rawValue).sorted()
        let rows = try await client.query("""
            UPDATE jobs SET state = 'running', attempt = attempt + 1, lease_owner = \(worker), lease_until = \(until), progress = 0
            WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND kind = ANY(\(kindNames)) ORDER BY created_at, seq LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.jobColumns)
            """, logger: logger)
        for try await row in rows {
            let job = try Self.job(row)
            return (job, JobLease(job: job.id, attempt: job.attempt, worker: worker))
        }
        return nil
    }

    /// Runs an UPDATE … RETURNING id and says whether it changed a row.
    func changed(_ c: PostgresConnection, _ query: PostgresQuery) async throws -> Bool {
        var n = 0
        for try await _ in try await c.query(query, logger: logger) { n += 1 }
        return n > 0
    }

    public func heartbeat(_ lease: JobLease, progress: Double, leaseSeconds: Double, now: Date) async throws -> Bool {
        let p = min(max(progress, 0), 1), until = now.timeIntervalSince1970 + leaseSeconds
        return try await client.withConnection { c in
            try await changed(c, """
                UPDATE jobs SET lease_until = \(until), progress = \(p)
                WHERE id = \(lease.job) AND attempt = \(lease.attempt) AND lease_owner = \(lease.worker) AND state = 'running' RETURNING id
                """)
        }
    }

    public func completeInference(_ lease: JobLease, claim: StoredClaim, now: Date) async throws -> Bool {
        let t = now.timeIntervalSince1970
        return try await client.withTransaction(logger: logger) { c in
            guard try await changed(c, """
                UPDATE jobs SET state = 'done', progress = 1, lease_until = NULL, claim_model_digest = \(claim.modelDigest), claim_id = \(claim.id),
                    finished_at = \(t)
                WHERE id = \(lease.job) AND attempt = \(lease.attempt) AND lease_owner = \(lease.worker) AND state = 'running' AND kind = 'inference'
                RETURNING id
                """) else { return false }
            try await c.query("""
                INSERT INTO claims (model_digest, id, job, json, created_at) VALUES (\(claim.modelDigest), \(claim.id), \(lease.job), \(claim.json), \(t))
                ON CONFLICT DO NOTHING
                """, logger: logger)
            return true
        }
    }

    public func completeModel(_ lease: JobLease, result: ModelSetupRecord, now: Date) async throws -> Bool {
        let t = now.timeIntervalSince1970
        return try await client.withTransaction(logger: logger) { c in
            guard try await changed(c, """
                UPDATE jobs SET state = 'done', progress = 1, lease_until = NULL, finished_at = \(t)
                WHERE id = \(lease.job) AND attempt = \(lease.attempt) AND lease_owner = \(lease.worker) AND state = 'running' AND kind = 'model'
                RETURNING id
                """) else { return false }
            try await c.query("""
                UPDATE models SET state = 'ready', model_digest = \(result.modelDigest), constraints = \(result.constraints),
                    verification_key = \(result.verificationKey), verification_key_digest = \(result.verificationKeyDigest)
                WHERE job = \(lease.job)
                """, logger: logger)
            return true
        }
    }

    public func fail(_ lease: JobLease, error: String, now: Date) async throws -> Bool {
        let t = now.timeIntervalSince1970
        return try await client.withTransaction(logger: logger) { c in
            guard try await changed(c, """
                UPDATE jobs SET state = 'failed', lease_until = NULL, error = \(error), finished_at = \(t)
                WHERE id = \(lease.job) AND attempt = \(lease.attempt) AND lease_owner = \(lease.worker) AND state = 'running'
                RETURNING id
                """) else { return false }
            try await c.query("UPDATE models SET state = 'failed', error = \(error) WHERE job = \(lease.job)", logger: logger)
            return true
        }
    }

    public func requeueExpiredLeases(now: Date, maxAttempts: Int) async throws -> Int {
        let t = now.timeIntervalSince1970
        let message = "the job's lease expired \(maxAttempts) times (its worker stopped or was too slow); not retried"
        return try await client.withTransaction(logger: logger) { c in
            var failedModelJobs: [String] = []
            var n = 0
            let failed = try await c.query("""
                UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_until = NULL, error = \(message), finished_at = \(t)
                WHERE state = 'running' AND lease_until < \(t) AND attempt >= \(maxAttempts)
                RETURNING id, kind
                """, logger: logger)
            for try await (id, kind) in failed.decode((String, String).self) {
                n += 1
                if kind == JobKind.model.rawValue { failedModelJobs.append(id) }
            }
            for id in failedModelJobs {
                try await c.query("UPDATE models SET state = 'failed', error = \(message) WHERE job = \(id)", logger: logger)
            }
            let requeued = try await c.query("""
                UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL, progress = 0
                WHERE state = 'running' AND lease_until < \(t) RETURNING id
                """, logger: logger)
            for try await _ in requeued { n += 1 }
            return n
        }
    }

    public func claim(modelDigest: String, id: String) async throws -> Data? {
        let rows = try await client.query("SELECT json FROM claims WHERE model_digest = \(modelDigest) AND id = \(id)", logger: logger)
        for try await json in rows.decode(Data.self) { return json }
        return nil
    }

    public func jobCounts() async throws -> [JobState: Int] {
        var out = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
        let rows = try await client.query("SELECT state, COUNT(*) FROM jobs GROUP BY state", logger: logger)
        for try await (state, n) in rows.decode((String, Int).self) {
            if let s = JobState(rawValue: state) { out[s] = n }
        }
        return out
    }

    public func counts() async throws -> StoreCounts {
        let rows = try await client.query("SELECT (SELECT COUNT(*) FROM models), (SELECT COUNT(*) FROM jobs), (SELECT COUNT(*) FROM claims)", logger: logger)
        for try await (m, j, c) in rows.decode((Int, Int, Int).self) { return StoreCounts(models: m, jobs: j, claims: c) }
        return StoreCounts(models: 0, jobs: 0, claims: 0)
    }
}
