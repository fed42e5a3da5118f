import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ZKModel
import ZKService

struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Prove jobs of a `zkinfer serve --database` server: an external worker on the same PostgreSQL database.",
        discussion: """
            Takes queued jobs from the database (SELECT … FOR UPDATE SKIP LOCKED, with a lease renewed by heartbeats) \
            and runs them as the server's in-process workers do. --data must be the server's data directory (shared: \
            compiled models are written and read there, and DATA/host.key signs claims). With --server URL the worker \
            first checks that the server answers and that its signing key is the worker's. Stops on SIGINT/SIGTERM after \
            finishing the jobs it is running.
            """)

    @Option(name: .long, help: "PostgreSQL URL (postgres://USER[:PASSWORD]@HOST[:PORT]/DB), as given to `zkinfer serve --database`.")
    var database: String
    @Option(name: .long, help: "The server's data directory (default ./zkinfer-data).")
    var data: String?
    @Option(name: .long, help: "The server's URL (e.g. http://127.0.0.1:8080): check its /healthz and signing key before starting.")
    var server: String?
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
    }

    func run() throws {
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

    /// GET SERVER/healthz: the server answers and signs with the same key as this worker.
    func checkServer(_ server: String, signer: String) throws {
        guard let url = URL(string: server.hasSuffix("/") ? server + "healthz" : server + "/healthz") else { throw CLIError("\(server): not a URL") }
        let result = ServeOutcome()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: url) { data, _, error in
            result.body = data
            result.error = error
            done.signal()
        }.resume()
        done.wait()
        if let error = result.error { throw CLIError("\(url): \(error.localizedDescription)") }
        guard let body = result.body, let health = try? JSONDecoder().decode(HealthResponse.self, from: body) else { throw CLIError("\(url): not a zkinfer server") }
        guard health.signer == signer else {
            throw CLIError("\(url): the server signs with \(health.signer), this worker with \(signer): give the server's --data directory")
        }
    }
}
