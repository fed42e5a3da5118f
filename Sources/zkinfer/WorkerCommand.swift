import ArgumentParser
import Foundation
import ZKModel
import ZKService

struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Prove jobs of a `zkinfer serve --database` server: an external worker on the same PostgreSQL database.",
        discussion: """
            Takes queued jobs from the database (SELECT … FOR UPDATE SKIP LOCKED, with a lease renewed by heartbeats) \
            and runs them as the server's in-process workers do. Stops on SIGINT/SIGTERM after finishing the jobs it is \
            running. Two ways to run one:

            On another machine: --server URL --token-file FILE (the server's write token). The worker fetches each \
            model's circuit.json, manifest.json and proving.key from the server by BLAKE2b digest \
            (GET /v1/models/ID/artifacts) into its own --data directory, a cache checked against the digests once per \
            process and reused across restarts; the server signs claims that ask for it (POST /v1/models/ID/sign, \
            after verifying them), so the host key never leaves the server. Such a worker proves inferences only; \
            compile-and-setup jobs need the server's in-process workers or a worker of the second kind. If the server \
            is unreachable for a minute, the job is left to its lease and returns to the queue.

            On a shared file system: --data is the server's data directory (compiled models are written and read \
            there, and DATA/host.key signs claims); such a worker takes every kind of job. With --server URL (and no \
            --token-file) it first checks that the server answers and that its signing key is the worker's.
            """)

    @Option(name: .long, help: "PostgreSQL URL (postgres://USER[:PASSWORD]@HOST[:PORT]/DB), as given to `zkinfer serve --database`.")
    var database: String
    @Option(name: .long, help: "The server's data directory (default ./zkinfer-data); with --token-file, this worker's own cache (default ./zkinfer-worker).")
    var data: String?
    @Option(name: .long, help: "The server's URL (e.g. http://127.0.0.1:8080): with --token-file, fetch models from it and have it sign claims; otherwise check its /healthz and signing key before starting.")
    var server: String?
    @Option(name: .long, help: "A file whose first line is the server's write token: fetch models from --server instead of sharing its data directory.")
    var tokenFile: String?
    @Option(name: .long, help: "Concurrent jobs in this process.")
    var workers = 1
    @Option(name: .long, help: "Seconds a job stays leased without a heartbeat.")
    var leaseSeconds = 30.0
    @Option(name: .long, help: "Prover threads per job (default: all cores).")
    var threads: Int?

    func validate() throws {
        guard (1...1024).contains(workers) else { throw ValidationError("--workers must be in 1...1024") }
        guard leaseSeconds >= 1 else { throw ValidationError("--lease-seconds must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let server, URL(string: server)?.scheme == nil { throw ValidationError("--server must be a URL such as http://127.0.0.1:8080") }
        if tokenFile != nil, server == nil { throw ValidationError("--token-file needs --server (the server to fetch models from)") }
    }

    func run() throws {
        if let tokenFile, let server, let url = URL(string: server) { return try runRemote(server: url, tokenFile: tokenFile) }
        let data = self.data ?? defaultSharedData
        let worker: ExternalWorker
        do {
            worker = try ExternalWorker(database: database, data: data,
                                        runner: RunnerConfiguration(workers: workers, leaseSeconds: leaseSeconds, proverThreads: threads))
        } catch let e as ServiceError { throw CLIError(e.message) } catch let e as ModelError { throw CLIError(e.description) }
        if let server { try checkServer(server, signer: try worker.signer()) }
        FileHandle.standardError.write(Data("zkinfer: worker on PostgreSQL store, data \(data), \(workers) concurrent job(s)\n".utf8))
        try runUntilDone { try await worker.run() }
    }

    /// A worker that fetches models from the server and has it sign claims.
    func runRemote(server: URL, tokenFile: String) throws {
        let cache = data ?? "zkinfer-worker"
        let worker: ExternalWorker
        do {
            worker = try ExternalWorker(database: database, server: server, token: try ServiceData.readToken(tokenFile), cache: cache,
                                        runner: RunnerConfiguration(workers: workers, leaseSeconds: leaseSeconds, proverThreads: threads))
        } catch let e as ServiceError { throw CLIError(e.message) } catch let e as ModelError { throw CLIError(e.description) }
        guard let remote = worker.runner.remote else { throw CLIError("internal error: no server client") }
        do {
            let health = try runAndWait { try await remote.connect() }
            FileHandle.standardError.write(Data("zkinfer: worker on PostgreSQL store, models from \(server.absoluteString) (signer \(health.signer)), cache \(cache), \(workers) concurrent job(s), inference jobs only\n".utf8))
        } catch let e as ServiceError { throw CLIError(e.message) } catch let e as ServerUnavailable { throw CLIError("\(e)") }
        do { try runUntilDone { try await worker.run() } } catch let e as ServerUnavailable {
            throw CLIError("\(e); worker stopped (the job it held returns to the queue when its lease expires)")
        }
    }

    /// GET SERVER/healthz: the server answers and signs with the same key as this worker.
    func checkServer(_ server: String, signer: String) throws {
        guard let url = URL(string: server.hasSuffix("/") ? server + "healthz" : server + "/healthz") else { throw CLIError("\(server): not a URL") }
        let body: Data
        do { body = try runAndWait { try await ArtifactClient.exchange("GET", url).body } } catch {
            throw CLIError("\(url): \(ArtifactClient.describe(error))")
        }
        guard let health = try? JSONDecoder().decode(HealthResponse.self, from: body) else { throw CLIError("\(url): not a zkinfer server") }
        guard health.signer == signer else {
            throw CLIError("\(url): the server signs with \(health.signer), this worker with \(signer): give the server's --data directory")
        }
    }
}
