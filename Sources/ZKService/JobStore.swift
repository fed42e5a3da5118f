// The service's durable state: uploaded models, the job queue (with leases) and the claims jobs produce.

import Foundation

/// What a job does.
public enum JobKind: String, Codable, Sendable, CaseIterable {
    /// Compile an uploaded ONNX model and run its single-party Groth16 setup.
    case model
    /// Prove one input on a set-up model; ends with a claim.
    case inference
}

/// Where a job is. Every job ends `done` (with its result: a set-up model, or exactly one claim) or `failed` (with
/// exactly one error message).
public enum JobState: String, Codable, Sendable, CaseIterable {
    case queued, running, done, failed
}

/// Where an uploaded model is: `pending` until its compile-and-setup job ends, then `ready` or `failed`.
public enum ModelState: String, Codable, Sendable {
    case pending, ready, failed
}

/// A model upload as the API accepted it (already checked to import, calibrate and quantize).
public struct NewModel: Sendable {
    public var name: String
    public var onnx: Data
    /// The calibration file's bytes (`{"input_data": [[...]]}`), whose BLAKE2b-256 claims record.
    public var calibration: Data?
    public var weights: String
    public var input: String
    public init(name: String, onnx: Data, calibration: Data?, weights: String, input: String) {
        self.name = name; self.onnx = onnx; self.calibration = calibration; self.weights = weights; self.input = input
    }
}

/// A stored model.
public struct ModelRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var state: ModelState
    public var weights: String
    public var input: String
    /// The job that compiles and sets it up.
    public var job: String
    /// Set once compiled and set up.
    public var modelDigest: String?
    public var constraints: Int?
    /// verification_key.json (snarkjs) once set up.
    public var verificationKey: Data?
    public var verificationKeyDigest: String?
    /// Why compile or setup failed.
    public var error: String?
}

/// What a finished model job records.
public struct ModelSetupRecord: Sendable {
    public var modelDigest: String
    public var constraints: Int
    public var verificationKey: Data
    public var verificationKeyDigest: String
    public init(modelDigest: String, constraints: Int, verificationKey: Data, verificationKeyDigest: String) {
        self.modelDigest = modelDigest; self.constraints = constraints; self.verificationKey = verificationKey
        self.verificationKeyDigest = verificationKeyDigest
    }
}

/// A stored job.
public struct JobRecord: Sendable, Equatable {
    public var id: String
    public var kind: JobKind
    public var model: String
    public var state: JobState
    /// 0...1, reported by the worker with its heartbeats.
    public var progress: Double
    /// Inference jobs: the one input sample (JSON array of numbers).
    public var input: Data?
    /// Inference jobs: sign the claim with the server's host key.
    public var sign: Bool
    /// How many times the job was claimed (each claim is a new lease; only the latest can finish the job).
    public var attempt: Int
    public var leaseOwner: String?
    /// Seconds since 1970 until which the lease holds.
    public var leaseUntil: Double?
    /// Done inference jobs: where their claim is.
    public var claimModelDigest: String?
    public var claimID: String?
    /// Failed jobs: the one error.
    public var error: String?
}

/// A worker's hold on a running job: the job and the attempt it claimed. Only the latest attempt's lease can
/// renew, complete or fail the job, so a worker whose lease expired (and whose job was handed to another worker)
/// can no longer change it.
public struct JobLease: Sendable, Equatable {
    public var job: String
    public var attempt: Int
    public var worker: String
    public init(job: String, attempt: Int, worker: String) { self.job = job; self.attempt = attempt; self.worker = worker }
}

/// A claim to store: addressed by its model digest and its id (BLAKE2b-256 of its JSON bytes).
public struct StoredClaim: Sendable, Equatable {
    public var modelDigest: String
    public var id: String
    public var json: Data
    public init(modelDigest: String, id: String, json: Data) { self.modelDigest = modelDigest; self.id = id; self.json = json }
}

/// Row counts, for tests and health checks.
public struct StoreCounts: Sendable, Equatable {
    public var models: Int
    public var jobs: Int
    public var claims: Int
    public init(models: Int, jobs: Int, claims: Int) { self.models = models; self.jobs = jobs; self.claims = claims }
}

/// Models, jobs and claims. Implementations make every state change one transaction: a model and its job are
/// stored together; completing an inference job stores its claim in the same transaction, and only a job that is
/// still running under the given lease can be completed or failed (so each job ends exactly once).
public protocol JobStore: Sendable {
    /// Stores a model (state `pending`) and queues its compile-and-setup job; returns (model id, job id).
    func createModel(_ model: NewModel, now: Date) async throws -> (model: String, job: String)
    /// A stored model; nil when unknown.
    func model(_ id: String) async throws -> ModelRecord?
    /// The uploaded ONNX file and calibration bytes of a model.
    func modelUpload(_ id: String) async throws -> (onnx: Data, calibration: Data?)?
    /// Queues an inference job on a model; returns the job id.
    func enqueueInference(model: String, input: Data, sign: Bool, now: Date) async throws -> String
    /// A stored job; nil when unknown.
    func job(_ id: String) async throws -> JobRecord?
    /// Takes the oldest queued job of one of `kinds` for `worker` with a lease until `now + leaseSeconds` (the job
    /// becomes `running`, its attempt count goes up); nil when no such job is queued.
    func claimNextJob(worker: String, kinds: Set<JobKind>, leaseSeconds: Double, now: Date) async throws -> (JobRecord, JobLease)?
    /// Renews a lease and records progress; false when the lease is no longer the job's (expired and requeued, or
    /// the job ended).
    func heartbeat(_ lease: JobLease, progress: Double, leaseSeconds: Double, now: Date) async throws -> Bool
    /// Ends an inference job with its claim (stored in the same transaction); false (and nothing stored) when the
    /// lease is no longer the job's.
    func completeInference(_ lease: JobLease, claim: StoredClaim, now: Date) async throws -> Bool
    /// Ends a model job: the model becomes `ready` with its digest, size and verification key.
    func completeModel(_ lease: JobLease, result: ModelSetupRecord, now: Date) async throws -> Bool
    /// Ends a job with an error (a model job's model becomes `failed`); false when the lease is no longer the job's.
    func fail(_ lease: JobLease, error: String, now: Date) async throws -> Bool
    /// Returns running jobs whose lease expired to the queue; a job whose lease expired `maxAttempts` times fails
    /// instead (so a job that kills its workers cannot loop forever). Returns how many jobs were requeued or failed.
    func requeueExpiredLeases(now: Date, maxAttempts: Int) async throws -> Int
    /// A stored claim's JSON bytes.
    func claim(modelDigest: String, id: String) async throws -> Data?
    /// How many jobs are in each state.
    func jobCounts() async throws -> [JobState: Int]
    /// How many models, jobs and claims are stored.
    func counts() async throws -> StoreCounts
}

extension JobStore {
    /// Claims the oldest queued job of any kind (see ``claimNextJob(worker:kinds:leaseSeconds:now:)``).
    public func claimNextJob(worker: String, leaseSeconds: Double, now: Date) async throws -> (JobRecord, JobLease)? {
        try await claimNextJob(worker: worker, kinds: Set(JobKind.allCases), leaseSeconds: leaseSeconds, now: now)
    }
}
