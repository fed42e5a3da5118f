// A worker on another machine: it shares the server's database but not its data directory, so it fetches what it
// proves with from the server (by digest, into its own cache) and has the server sign claims (the host key stays
// with the server).

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ZKModel
import ZKClaim

/// The server could not be reached (or answered 502/503/504) for longer than the client's patience: the job is left
/// to its lease, which expires and returns it to the queue, instead of failing it.
public struct ServerUnavailable: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// The server answered 401 to the token: the worker is misconfigured (or its token was replaced), so it stops
    /// taking jobs instead of failing each one.
    public var tokenRefused = false
    public init(description: String, tokenRefused: Bool = false) { self.description = description; self.tokenRefused = tokenRefused }
}

/// Fetches set-up models' files from a `zkinfer serve` server into a local cache, and asks it to sign claims.
///
/// Cache layout: CACHE/models/ID/fetched/ holds circuit.json, manifest.json, proving.key (and ceremony.json) as the
/// server lists them, mode 0600 in 0700 directories (a private-weights model's circuit.json holds its weights). A
/// cached file is used only after its BLAKE2b-256 matched the server's listing in this process; a download is checked
/// against the digest it was requested by before it is renamed into place.
public final class ArtifactClient: @unchecked Sendable {
    /// The server's base URL.
    public let server: URL
    let authorization: String
    /// The worker's own data directory (the cache, and openings of hashed inputs).
    public let cache: ServiceData
    /// How long a request keeps retrying while the server is unreachable or answers 502/503/504.
    public let patience: Duration
    let fetches = FetchCoordinator()
    private let lock = NSLock()
    private var counters = (downloadedFiles: 0, downloadedBytes: 0, reusedFiles: 0)
    /// The server's signing key (hex), learned by ``connect()``.
    private var serverSigner: String?

    public init(server: URL, token: String, cache: ServiceData, patience: Duration = .seconds(60)) {
        self.server = server
        authorization = "Bearer \(token)"
        self.cache = cache
        self.patience = patience
    }

    /// Files downloaded and reused (found in the cache with the listed digest) so far.
    public var statistics: (downloadedFiles: Int, downloadedBytes: Int, reusedFiles: Int) { lock.withLock { counters } }

    /// Checks that the server answers (`GET /healthz`) and takes the token (`GET /v1/auth`), and learns its signing
    /// key. Returns the server's health.
    @discardableResult
    public func connect() async throws -> HealthResponse {
        let (status, body) = try await request("GET", "healthz")
        guard status == 200, let health = try? JSONDecoder().decode(HealthResponse.self, from: body) else {
            throw ServiceError(502, "\(url("healthz")): not a zkinfer server (HTTP \(status))")
        }
        let (authStatus, authBody) = try await request("GET", "v1/auth")
        guard authStatus == 204 else {
            throw ServiceError(authStatus, "\(url("v1/auth")): the server refused the token (HTTP \(authStatus)\(Self.message(authBody).map { ": " + $0 } ?? ""))")
        }
        lock.withLock { serverSigner = health.signer }
        return health
    }

    /// The local compiled directory of set-up model `id`, fetched or checked in the cache on first use in this process.
    public func directory(model id: String) async throws -> String {
        try await fetches.once(id) { try await self.fetch(model: id) }
    }

    func fetch(model id: String) async throws -> String {
        guard ServiceData.isSafeID(id) else { throw ServiceError(400, "invalid model id \(id)") }
        let (status, body) = try await request("GET", "v1/models/\(id)/artifacts")
        try checkToken(status, "v1/models/\(id)/artifacts")
        guard status == 200 else { throw ServiceError(status, "model \(id): \(Self.message(body) ?? "HTTP \(status)")") }
        let listing: ModelArtifacts
        do { listing = try JSONDecoder().decode(ModelArtifacts.self, from: body).validated(model: id) } catch let e as ServiceError { throw e } catch {
            throw ServiceError(502, "model \(id): the server's artifact list is malformed")
        }
        let directory = cache.root.appendingPathComponent("models").appendingPathComponent(id).appendingPathComponent("fetched")
        try makePrivateDirectory(directory.deletingLastPathComponent())
        try makePrivateDirectory(directory)
        for name in ModelArtifacts.fileNames where !listing.files.contains(where: { $0.name == name }) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))  // e.g. a ceremony.json of no use
        }
        for file in listing.files {
            let path = directory.appendingPathComponent(file.name).path
            if let data = FileManager.default.contents(atPath: path), data.count == file.bytes, try blake2bHex(data) == file.digest {
                lock.withLock { counters.reusedFiles += 1 }
                continue
            }
            let (s, data) = try await request("GET", "v1/models/\(id)/artifacts/\(file.digest)", limit: file.bytes)
            try checkToken(s, "v1/models/\(id)/artifacts/\(file.digest)")
            guard s == 200 else { throw ServiceError(s == 404 ? 502 : s, "model \(id), \(file.name): \(Self.message(data) ?? "HTTP \(s)")") }
            guard data.count == file.bytes, try blake2bHex(data) == file.digest else {
                throw ServiceError(502, "model \(id), \(file.name): the server sent bytes whose digest is not the one requested")
            }
            try writeOwnerOnly(data, path)
            lock.withLock { counters.downloadedFiles += 1; counters.downloadedBytes += data.count }
        }
        return directory.path
    }

    /// The server's signature on `claim` (proved on model `id`): the server verifies the claim under the model's key
    /// before it signs. The signature is checked here too, and must be by the key ``connect()`` learned.
    public func sign(_ claim: Claim, model id: String) async throws -> Claim {
        var unsigned = claim
        unsigned.signature = nil
        let body = try JSONEncoder().encode(SignRequest(claim: try JSONValue.parse(try ClaimVerifier.encode(unsigned))))
        let (status, data) = try await request("POST", "v1/models/\(id)/sign", body: body)
        try checkToken(status, "v1/models/\(id)/sign")
        guard status == 200 else { throw ServiceError(status, "signing by the server: \(Self.message(data) ?? "HTTP \(status)")") }
        guard let response = try? JSONDecoder().decode(SignResponse.self, from: data) else { throw ServiceError(502, "signing by the server: malformed answer") }
        var signed = unsigned
        signed.signature = response.signature
        let expected = lock.withLock { serverSigner }
        guard try ClaimVerifier.checkSignature(signed) == true, expected == nil || response.signature.publicKey == expected else {
            throw ServiceError(502, "signing by the server: the signature does not verify with the server's key")
        }
        return signed
    }

    func url(_ path: String) -> URL { server.appendingPathComponent(path) }

    /// Throws ``ServerUnavailable`` with `tokenRefused` for a 401 answer.
    func checkToken(_ status: Int, _ path: String) throws {
        if status == 401 { throw ServerUnavailable(description: "\(url(path)): the server refused the token (HTTP 401)", tokenRefused: true) }
    }

    /// One request with the token; network errors and 502/503/504 are retried (0.1 s, doubling to 5 s) for
    /// ``patience``, then ``ServerUnavailable`` is thrown. A body longer than `limit` bytes (a hostile or broken
    /// server) is not retried: it throws a 502 ``ServiceError``.
    func request(_ method: String, _ path: String, body: Data? = nil, limit: Int = ArtifactClient.messageLimit) async throws -> (Int, Data) {
        var headers = [("Authorization", authorization)]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let target = url(path)
        let clock = ContinuousClock()
        let deadline = clock.now + patience
        var delay = Duration.milliseconds(100)
        var last = ""
        while true {
            do {
                let (status, data) = try await Self.exchange(method, target, headers: headers, body: body, limit: limit)
                if ![502, 503, 504].contains(status) { return (status, data) }
                last = "HTTP \(status)"
            } catch let e as ServiceError {
                throw e
            } catch {
                last = Self.describe(error)
            }
            guard clock.now + delay < deadline else { throw ServerUnavailable(description: "\(target.absoluteString): \(last)") }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    /// The process's HTTP client (AsyncHTTPClient on its default event loops; never shut down). A connection that
    /// cannot be made fails the exchange at once (AsyncHTTPClient's default would retry it until the request's
    /// deadline), so that ``request(_:_:body:limit:)``'s retries and its ``patience`` decide how long to wait;
    /// 10 s to connect, 60 s without a byte read. Redirects are not followed (a zkinfer server sends none, and
    /// following one could carry the token to another host): a 3xx answer is returned like any other status.
    static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The most bytes of an answer that is not a listed artifact (JSON: health, listings, signatures): 16 MiB.
    public static let messageLimit = 16 << 20

    /// One HTTP exchange on ``httpClient``: the status and the body. An answer longer than `limit` bytes is not read
    /// further: it throws a 502 ``ServiceError``. The whole exchange must complete within 300 s plus one second per MiB of
    /// `limit` (a large proving key on a slow link), and no read may wait 60 s for a byte.
    public static func exchange(_ method: String, _ url: URL, headers: [(String, String)] = [], body: Data? = nil,
                                limit: Int = messageLimit) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await httpClient.execute(request, timeout: .seconds(300 + Int64(limit >> 20)))
        let buffer: ByteBuffer
        do { buffer = try await response.body.collect(upTo: limit) } catch is NIOTooManyBytesError {
            throw ServiceError(502, "\(url.absoluteString): the server sent more than \(limit) bytes")
        }
        return (Int(response.status.code), Data(buffer.readableBytesView))
    }

    /// A network error as a short message (the client's errors describe themselves by case name).
    public static func describe(_ error: Error) -> String {
        if let e = error as? HTTPClientError { return "\(e)" }
        return (error as? LocalizedError)?.errorDescription ?? "\(error)"
    }

    /// The `error` of a service error body.
    static func message(_ body: Data) -> String? { (try? JSONDecoder().decode([String: String].self, from: body))?["error"] }

    func makePrivateDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: url.path)
        } catch { throw ServiceError(500, "\(url.path): cannot create directory (or make it private)") }
    }
}

/// Runs one fetch per model at a time; later callers wait for it. A success is remembered for the process; a
/// failure is not (the next job tries again).
actor FetchCoordinator {
    private var done: [String: String] = [:]
    private var running: [String: Task<String, Error>] = [:]

    func once(_ key: String, _ work: @escaping @Sendable () async throws -> String) async throws -> String {
        if let d = done[key] { return d }
        if let t = running[key] { return try await t.value }
        let t = Task { try await work() }
        running[key] = t
        defer { running[key] = nil }
        let d = try await t.value
        done[key] = d
        return d
    }
}
