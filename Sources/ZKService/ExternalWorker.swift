// `zkinfer worker`: job runners in another process, on the server's PostgreSQL database and data directory.

import Foundation
import Logging
import ServiceLifecycle
import ZKClaim

/// Runs ``JobRunner`` workers on a ``PostgresJobStore`` until SIGINT or SIGTERM.
public struct ExternalWorker: Sendable {
    public let store: PostgresJobStore
    public let runner: JobRunner
    let logger: Logger

    /// A worker on the database at `database` (a PostgreSQL URL) and the server's data directory `path`.
    public init(database: String, data path: String, runner configuration: RunnerConfiguration, logger: Logger = Logger(label: "zkinfer.worker")) throws {
        store = try PostgresJobStore(url: database, logger: logger)
        let data = try ServiceData(path: path)
        _ = try data.hostKey()  // the shared key (created here when the worker starts before the server)
        runner = JobRunner(store: store, data: data, configuration: configuration, metrics: ServiceMetrics(workers: configuration.workers), logger: logger)
        self.logger = logger
    }

    /// A worker on another machine: the database at `database`, models' files fetched from `server` (with the write
    /// token) into its own cache directory `cache`, claims signed by the server. It takes inference jobs only and
    /// holds no host key. Call ``ArtifactClient/connect()`` on `runner.remote` before ``run()`` to check the server
    /// and the token.
    public init(database: String, server: URL, token: String, cache path: String, runner configuration: RunnerConfiguration,
                logger: Logger = Logger(label: "zkinfer.worker")) throws {
        store = try PostgresJobStore(url: database, logger: logger)
        let cache = try ServiceData(path: path)
        runner = JobRunner(store: store, data: cache, configuration: configuration, metrics: ServiceMetrics(workers: configuration.workers),
                           remote: ArtifactClient(server: server, token: token, cache: cache), logger: logger)
        self.logger = logger
    }

    /// The public key (hex) this worker signs claims with (DATA/host.key; a worker with the shared data directory).
    public func signer() throws -> String { HostKeyFile(try runner.data.hostKey()).publicKey }

    /// Creates the tables when missing, then runs the workers (and the database client) until a signal stops them.
    public func run() async throws {
        let group = ServiceGroup(configuration: .init(services: [.init(service: store.client), .init(service: MigratedRunner(store: store, runner: runner))],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// The runner, started once the tables exist.
struct MigratedRunner: Service {
    let store: PostgresJobStore
    let runner: JobRunner
    func run() async throws {
        try await store.migrate()
        try await runner.run()
    }
}
