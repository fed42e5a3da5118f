// Executes queued jobs: model jobs (compile + setup into DATA/models/ID/attempt-N) and inference jobs (prove one input, store
// its claim), each under a lease renewed by heartbeats.

import Foundation
import Logging
import ServiceLifecycle
import ZKModel
import ZKClaim
import ZKGroth16
import ZKSodium

/// Settings of the job runner.
public struct RunnerConfiguration: Sendable {
    /// In-process workers (0: none; jobs wait for external workers).
    public var workers: Int
    /// How long a claimed job stays leased without a heartbeat.
    public var leaseSeconds: Double
    /// How often an idle worker looks for a job.
    public var pollInterval: Duration
    /// Expired leases before a job fails instead of being requeued.
    public var maxAttempts: Int
    /// Prover threads per job (nil: all cores).
    public var proverThreads: Int?
    /// The kinds of job these workers take (a worker without the server's data directory takes inference jobs only:
    /// a model job writes the compiled directory the server serves).
    public var kinds: Set<JobKind>
    /// The defaults: one worker, 30-second leases, polling every 50 ms, 3 attempts, all cores per job, every kind.
    public init(workers: Int = 1, leaseSeconds: Double = 30, pollInterval: Duration = .milliseconds(50), maxAttempts: Int = 3,
                proverThreads: Int? = nil, kinds: Set<JobKind> = Set(JobKind.allCases)) {
        self.workers = workers; self.leaseSeconds = leaseSeconds; self.pollInterval = pollInterval
        self.maxAttempts = maxAttempts; self.proverThreads = proverThreads; self.kinds = kinds
    }
}

/// Opened compiled directories, kept so that each inference job does not re-read circuit.json, nor read and check
/// proving.key again (compiled directories do not change once their model is set up).
final class WorkspaceCache: @unchecked Sendable {
    private let lock = NSLock()
    private var workspaces: [String: ModelWorkspace] = [:]
    private var keys: [String: CheckedProvingKey] = [:]

    /// The workspace of a set-up model directory.
    func workspace(_ directory: String) throws -> ModelWorkspace {
        if let w = lock.withLock({ workspaces[directory] }) { return w }
        let w = try ModelWorkspace(directory: directory)
        lock.withLock { workspaces[directory] = w }
        return w
    }

    /// The workspace and its checked proving key (read once per directory).
    func prover(_ directory: String) throws -> (ModelWorkspace, CheckedProvingKey) {
        let w = try workspace(directory)
        if let k = lock.withLock({ keys[directory] }) { return (w, k) }
        let k = try w.checkedProvingKey()
        lock.withLock { keys[directory] = k }
        return (w, k)
    }
}

/// The latest progress a running job reported (written by the prover's callback, read by the heartbeat).
final class ProgressBox: @unchecked Sendable {
    private let lock = NSLock()
    private var fraction = 0.0
    var value: Double {
        get { lock.withLock { fraction } }
        set { lock.withLock { fraction = newValue } }
    }
}

/// A value passed once from the thread that made it to the task that awaits it (never shared).
struct Handoff<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Runs CPU-bound work on a Dispatch thread, off Swift's cooperative pool.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// Takes jobs from a ``JobStore`` and runs them through the library (``ModelPipeline``, `ModelWorkspace.prove`).
/// As a `Service` it runs `configuration.workers` worker loops and a reaper that requeues expired leases.
public final class JobRunner: Service, Sendable {
    public let store: any JobStore
    public let data: ServiceData
    public let configuration: RunnerConfiguration
    public let metrics: ServiceMetrics
    /// Set for a worker that does not share the server's data directory: models' files come from the server (cached
    /// under `data`), and the server signs claims. Such a runner takes inference jobs only.
    public let remote: ArtifactClient?
    let workspaces = WorkspaceCache()
    let logger: Logger

    /// A runner on `store`, with compiled models under `data` (or fetched by `remote` into `data`), recording timings
    /// in `metrics`.
    public init(store: any JobStore, data: ServiceData, configuration: RunnerConfiguration, metrics: ServiceMetrics,
                remote: ArtifactClient? = nil, logger: Logger = Logger(label: "zkinfer.runner")) {
        var configuration = configuration
        if remote != nil { configuration.kinds.remove(.model) }
        self.store = store; self.data = data; self.configuration = configuration; self.metrics = metrics; self.remote = remote
        self.logger = logger
    }

    /// The compiled directory of a set-up model: the one its completed compile-and-setup attempt wrote (for a remote
    /// runner, the server's copy of it, fetched and checked by digest).
    public func modelDirectory(model id: String) async throws -> String {
        if let remote { return try await remote.directory(model: id) }
        guard let model = try await store.model(id), model.state == .ready, let job = try await store.job(model.job), job.state == .done else {
            throw ServiceError(409, "model \(id) is not set up")
        }
        return data.modelDirectory(id, attempt: job.attempt)
    }

    /// The opened compiled directory of a set-up model (cached).
    public func workspace(model id: String) async throws -> ModelWorkspace { try workspaces.workspace(try await modelDirectory(model: id)) }

    /// Runs the workers and the lease reaper until the service shuts down. A graceful shutdown lets each worker
    /// finish (and record) the job it is running, then stop; cancellation stops them at once (their jobs' leases
    /// then expire and the jobs return to the queue).
    public func run() async throws {
        guard configuration.workers > 0 else {
            try? await gracefulShutdown()
            return
        }
        // A worker loop returns an error only when the server refused a remote runner's token: then every job would
        // fail, so the runner stops (its job goes back to the queue after the lease) and the error ends the process.
        let refused = await withTaskGroup(of: ServerUnavailable?.self) { group -> ServerUnavailable? in
            for i in 0..<configuration.workers {
                group.addTask { await self.workerLoop(name: "\(ProcessInfo.processInfo.processIdentifier)-\(i)") }
            }
            group.addTask { await self.reaperLoop(); return nil }
            for await result in group {
                if let result {
                    group.cancelAll()
                    return result
                }
            }
            return nil
        }
        if let refused { throw refused }
    }

    var stopping: Bool { Task.isCancelled || Task.isShuttingDownGracefully }

    /// Sleeps `duration` in steps of the poll interval, returning early when the service stops.
    func pause(_ duration: Duration) async {
        let clock = ContinuousClock()
        let end = clock.now + duration
        while !stopping, clock.now < end {
            try? await Task.sleep(for: min(configuration.pollInterval, end - clock.now))
        }
    }

    func workerLoop(name: String) async -> ServerUnavailable? {
        while !stopping {
            do {
                if try await runNext(worker: name) { continue }
            } catch is CancellationError {
                return nil
            } catch let e as ServerUnavailable where e.tokenRefused {
                logger.critical("worker \(name): \(e); stopping")
                return e
            } catch {
                logger.error("worker \(name): \(error)")
            }
            await pause(configuration.pollInterval)
        }
        return nil
    }

    func reaperLoop() async {
        while !stopping {
            do {
                let n = try await store.requeueExpiredLeases(now: Date(), maxAttempts: configuration.maxAttempts)
                if n > 0 { logger.warning("\(n) job(s) with expired leases requeued or failed") }
            } catch is CancellationError {
                return
            } catch { logger.error("lease reaper: \(error)") }
            await pause(.seconds(max(configuration.leaseSeconds / 4, 0.05)))
        }
    }

    /// Claims the next queued job (if any) as `worker`, runs it while renewing its lease, and ends it with its
    /// result or its error. Returns false when the queue was empty.
    @discardableResult
    public func runNext(worker: String) async throws -> Bool {
        guard let (job, lease) = try await store.claimNextJob(worker: worker, kinds: configuration.kinds, leaseSeconds: configuration.leaseSeconds, now: Date()) else {
            return false
        }
        let progress = ProgressBox()
        let store = self.store, leaseSeconds = configuration.leaseSeconds
        let heartbeat = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(leaseSeconds / 3))
                guard try await store.heartbeat(lease, progress: progress.value, leaseSeconds: leaseSeconds, now: Date()) else { return }
            }
        }
        defer { heartbeat.cancel() }
        try await execute(job, lease: lease, progress: progress)
        return true
    }

    /// Runs a claimed job and records its end (a lost lease means another worker owns the job now: this result is
    /// dropped, and the store keeps the other worker's).
    public func execute(_ job: JobRecord, lease: JobLease) async throws {
        try await execute(job, lease: lease, progress: ProgressBox())
    }

    func execute(_ job: JobRecord, lease: JobLease, progress: ProgressBox) async throws {
        let callback: Groth16.Progress = { _, fraction in progress.value = fraction }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            switch job.kind {
            case .model:
                guard let model = try await store.model(job.model), let upload = try await store.modelUpload(job.model) else {
                    throw ServiceError(404, "unknown model \(job.model)")
                }
                let weights = WeightVisibility(rawValue: model.weights) ?? .public, input = InputVisibility(rawValue: model.input) ?? .public
                let directory = data.modelDirectory(job.model, attempt: lease.attempt), threads = configuration.proverThreads
                let result = try await offload {
                    try ModelPipeline.compileAndSetup(name: model.name, onnx: upload.onnx, calibration: upload.calibration, weights: weights,
                                                      input: input, directory: directory, threads: threads, progress: callback)
                }
                metrics.setupSeconds.record(clock.now - start)
                if !(try await store.completeModel(lease, result: result, now: Date())) { logger.warning("job \(job.id): lease lost; result dropped") }
            case .inference:
                let claim = try await prove(job, progress: callback)
                metrics.proveSeconds.record(clock.now - start)
                if !(try await store.completeInference(lease, claim: claim, now: Date())) { logger.warning("job \(job.id): lease lost; claim dropped") }
            }
        } catch let e as ServerUnavailable {
            // Not the job's fault: leave it to its lease, which expires and returns it to the queue.
            logger.warning("job \(job.id): \(e); left to its lease")
            if e.tokenRefused { throw e }
        } catch {
            if !(try await store.fail(lease, error: describe(error), now: Date())) { logger.warning("job \(job.id): lease lost; error dropped") }
        }
    }

    /// Proves an inference job's input; the claim is signed with the host key when the job asks for it. For a hashed
    /// input the opening (salt and quantized input) is kept under DATA/openings/ (mode 0600), never returned.
    func prove(_ job: JobRecord, progress: @escaping Groth16.Progress) async throws -> StoredClaim {
        guard let inputData = job.input else { throw ServiceError(500, "job \(job.id) has no input") }
        let sample = try JSONDecoder().decode([Double].self, from: inputData)
        // A remote runner has no host key: the server signs (after verifying) once the proof is made.
        let hostKey = job.sign && remote == nil ? try data.hostKey() : nil
        let threads = configuration.proverThreads
        let directory = try await modelDirectory(model: job.model)
        let openings = data.openingsDirectory
        let workspaces = self.workspaces
        let result = try await offload {
            let (workspace, key) = try workspaces.prover(directory)
            let proved = try workspace.prove(input: sample, threads: threads, progress: progress, hostKey: hostKey, checkedKey: key)
            return Handoff((proved, workspace.compiled.model.visibility.input == .hashed ? workspace.compiled.model : nil))
        }
        let (proved, hashed) = (result.value.0, result.value.1)
        var claim = proved.claim
        if job.sign, let remote { claim = try await remote.sign(claim, model: job.model) }
        let json = try ClaimVerifier.encode(claim)
        let id = try blake2bHex([UInt8](json))
        if let model = hashed {
            var p = proved
            p.claim = claim
            try ModelWorkspace.write(p, model: model, to: URL(fileURLWithPath: openings).appendingPathComponent(id).path)
        }
        return StoredClaim(modelDigest: claim.model.modelDigest, id: id, json: json)
    }
}
