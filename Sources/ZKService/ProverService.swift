// `zkinfer serve` as a library: the data directory, the store, the runner and the HTTP application together.

import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Settings of `zkinfer serve`.
public struct ServeConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The data directory (SQLite database, compiled models, host key).
    public var data: String
    /// A PostgreSQL URL: models, jobs and claims go there instead of DATA/zkinfer.sqlite (compiled models, the host
    /// key and the token stay in the data directory, which external workers share).
    public var database: String? = nil
    /// In-process workers.
    public var workers: Int
    /// The write token's file (nil: DATA/token, created on first start).
    public var tokenFile: String?
    public var runner: RunnerConfiguration
    /// Largest request body of POST /v1/models (413 beyond).
    public var maxModelRequestBytes = 32 << 20
    /// Largest request body of the other POST routes (413 beyond).
    public var maxRequestBytes = 1 << 20
    public init(host: String = "127.0.0.1", port: Int = 8080, data: String, workers: Int = 1, tokenFile: String? = nil,
                runner: RunnerConfiguration = RunnerConfiguration()) {
        self.host = host; self.port = port; self.data = data; self.workers = workers; self.tokenFile = tokenFile
        self.runner = runner
        self.runner.workers = workers
    }
}

/// The prover service assembled: a ``SQLiteJobStore`` in the data directory (or a ``PostgresJobStore``), a
/// ``JobRunner`` with the in-process workers, and the Hummingbird application serving ``ProverAPI``.
public struct ProverService: Sendable {
    public let configuration: ServeConfiguration
    public let data: ServiceData
    public let store: any JobStore
    /// The store when it is PostgreSQL (its client runs beside the application).
    public let postgres: PostgresJobStore?
    public let runner: JobRunner
    public let api: ProverAPI

    public init(_ configuration: ServeConfiguration, logger: Logger = Logger(label: "zkinfer.serve")) throws {
        self.configuration = configuration
        data = try ServiceData(path: configuration.data)
        if let url = configuration.database {
            let pg = try PostgresJobStore(url: url)
            postgres = pg
            store = pg
        } else {
            postgres = nil
            store = try SQLiteJobStore(path: data.databasePath)
        }
        runner = JobRunner(store: store, data: data, configuration: configuration.runner, metrics: ServiceMetrics(workers: configuration.workers),
                           logger: logger)
        api = try ProverAPI(store: store, runner: runner, configuration: APIConfiguration(token: try data.token(tokenFile: configuration.tokenFile),
                                                                      maxModelRequestBytes: configuration.maxModelRequestBytes,
                                                                      maxRequestBytes: configuration.maxRequestBytes))
    }

    /// The HTTP application with the runner (and the PostgreSQL client) as its services.
    public func application(logger: Logger = Logger(label: "zkinfer.serve")) throws -> some ApplicationProtocol {
        let services: [any Service] = postgres.map { [$0.client, MigratedRunner(store: $0, runner: runner)] } ?? [runner]
        return Application(router: try api.router(), configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
                           services: services, logger: logger)
    }

    /// Runs the service until SIGINT or SIGTERM (a graceful shutdown: running jobs finish first). With PostgreSQL the
    /// tables are created first when missing.
    public func run(logger: Logger = Logger(label: "zkinfer.serve")) async throws {
        try await application(logger: logger).runService()
    }
}
