import ArgumentParser
import Foundation
import ZKModel
import ZKService

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP prover service: upload models, queue proofs, fetch and verify claims.",
        discussion: """
            zkinfer serve --data DIR keeps models, jobs and claims in SQLite under DIR (DIR/zkinfer.sqlite; compiled \
            models in DIR/models/ID/attempt-N, as `zkinfer compile` and `setup` write them) and proves with --workers in-process \
            workers. The API is described by GET /openapi.json; writes (POST /v1/models, POST /v1/models/ID/inferences) \
            need `Authorization: Bearer TOKEN`, with the token read from --token-file or, without it, from DIR/token \
            (created with a random token, mode 0600, on first start). Claims of inferences with "sign": true are \
            signed by DIR/host.key (created on first start, never served; its public key is in GET /healthz). Model \
            setup is single party: whoever runs the server can forge claims under its keys (see the README's trust \
            model). Listens on 127.0.0.1 unless --host says otherwise; put TLS in front of it for other hosts. \
            With --database, `zkinfer worker` processes take jobs too: with the data directory shared, or on other \
            machines with --server URL --token-file FILE (they fetch models' files by digest from GET \
            /v1/models/ID/artifacts, and this server signs their claims after verifying them).
            """)

    @Option(name: .long, help: "Address to listen on.")
    var host = "127.0.0.1"
    @Option(name: .long, help: "Port to listen on.")
    var port = 8080
    @Option(name: .long, help: "Data directory (SQLite database, compiled models, host key, token; with --database, default ./zkinfer-data).")
    var data: String?
    @Option(name: .long, help: "PostgreSQL URL (postgres://USER[:PASSWORD]@HOST[:PORT]/DB) for models, jobs and claims; --data still holds compiled models, the host key and the token, shared with `zkinfer worker`.")
    var database: String?
    @Option(name: .long, help: "In-process workers (0: only external workers prove).")
    var workers = 1
    @Option(name: .long, help: "File whose first line is the bearer token writes need (default: DATA/token, created when missing).")
    var tokenFile: String?
    @Option(name: .long, help: "Seconds a job stays leased to a worker without a heartbeat before it returns to the queue.")
    var leaseSeconds = 30.0
    @Option(name: .long, help: "Prover threads per job (default: all cores).")
    var threads: Int?

    func validate() throws {
        if data == nil && database == nil { throw ValidationError("give --data DIR (SQLite) or --database URL (PostgreSQL)") }
        guard (0...1024).contains(workers) else { throw ValidationError("--workers must be in 0...1024") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be in 1...65535") }
        guard leaseSeconds >= 1 else { throw ValidationError("--lease-seconds must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// Blocks until the server stops (SIGINT/SIGTERM shut it down gracefully): `zkinfer`'s entry point is synchronous.
    func run() throws {
        let data = self.data ?? defaultSharedData
        var config = ServeConfiguration(host: host, port: port, data: data, workers: workers, tokenFile: tokenFile,
                                        runner: RunnerConfiguration(leaseSeconds: leaseSeconds, proverThreads: threads))
        config.database = database
        let service: ProverService
        do { service = try ProverService(config) } catch let e as ServiceError { throw CLIError(e.message) } catch let e as ModelError {
            throw CLIError(e.description)
        }
        FileHandle.standardError.write(Data("zkinfer: serving http://\(host):\(port) (\(database == nil ? "" : "PostgreSQL store, ")data \(data), \(workers) worker(s); write token in \(tokenFile ?? service.data.root.appendingPathComponent("token").path))\n".utf8))
        try runUntilDone { try await service.run() }
    }
}

/// Runs `body` (a server or worker loop) as a task and blocks the calling (main) thread until it ends; rethrows
/// its error.
func runUntilDone(_ body: @escaping @Sendable () async throws -> Void) throws {
    let result = ServeOutcome()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await body() } catch { result.error = error }
        done.signal()
    }
    done.wait()
    if let error = result.error { throw error }
}

/// Runs `body` as a task, blocks until it ends and returns its value.
func runAndWait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.set(.success(try await body())) } catch { box.set(.failure(error)) }
        done.signal()
    }
    done.wait()
    return try box.get()
}

/// The outcome of the server task, handed to the blocked main thread.
final class ServeOutcome: @unchecked Sendable {
    var error: Error?
}

/// The data directory of `serve --database` and `worker` when --data is not given.
let defaultSharedData = "zkinfer-data"
