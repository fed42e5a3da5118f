// The HTTP/JSON API (Hummingbird 2) of `zkinfer serve`, as described by openapi.json.

import Foundation
import Hummingbird
import ZKModel
import ZKClaim
import ZKFormats
import ZKGroth16
import ZKSodium

/// HTTP settings of the service.
public struct APIConfiguration: Sendable {
    /// The bearer token that writes (POST /v1/models, POST /v1/models/{id}/inferences) need.
    public var token: String
    /// Largest request body of POST /v1/models (the base64 ONNX file and calibration samples).
    public var maxModelRequestBytes: Int
    /// Largest request body of the other POST routes.
    public var maxRequestBytes: Int
    public init(token: String, maxModelRequestBytes: Int = 32 << 20, maxRequestBytes: Int = 1 << 20) {
        self.token = token; self.maxModelRequestBytes = maxModelRequestBytes; self.maxRequestBytes = maxRequestBytes
    }
}

extension ServiceError: HTTPResponseError {
    public var status: HTTPResponse.Status { HTTPResponse.Status(code: code) }

    /// `{"error": MESSAGE}` with the status (and `WWW-Authenticate: Bearer` on 401).
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if code == 401 { headers[.wwwAuthenticate] = "Bearer" }
        let body = try JSONEncoder().encode(["error": message])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// POST /v1/models.
public struct CreateModelRequest: Codable, Sendable {
    public var name: String
    /// The ONNX file, base64.
    public var onnx: String
    /// Calibration samples, `{"input_data": [[...]]}` (as `zkinfer compile --calibrate`).
    public var calibration: JSONValue?
    /// "public" (default) or "private".
    public var weights: String?
    /// "public" (default), "private" or "hashed".
    public var input: String?
    public init(name: String, onnx: String, calibration: JSONValue? = nil, weights: String? = nil, input: String? = nil) {
        self.name = name; self.onnx = onnx; self.calibration = calibration; self.weights = weights; self.input = input
    }
}

/// POST /v1/models/{id}/inferences.
public struct InferenceRequest: Codable, Sendable {
    /// One sample: `[[x0, x1, ...]]` (EZKL's input.json shape).
    public var input_data: JSONValue
    /// Sign the claim with the server's host key.
    public var sign: Bool?
}

/// POST /v1/verify: a claim and either a model id (its verification key) or a snarkjs verification key.
public struct VerifyRequest: Codable, Sendable {
    public var claim: JSONValue
    public var model: String?
    public var verificationKey: JSONValue?
}

/// 202 of POST /v1/models.
public struct ModelAccepted: Codable, Sendable { public var model: String; public var job: String }
/// 202 of POST /v1/models/{id}/inferences.
public struct JobAccepted: Codable, Sendable { public var job: String }

/// GET /v1/models/{id}.
public struct ModelView: Codable, Sendable {
    public var id: String
    public var name: String
    public var state: ModelState
    public var weights: String
    public var input: String
    public var job: String
    public var modelDigest: String?
    public var constraints: Int?
    public var verificationKey: JSONValue?
    public var verificationKeyDigest: String?
    public var error: String?
}

/// GET /v1/jobs/{id}.
public struct JobView: Codable, Sendable {
    public var id: String
    public var kind: JobKind
    public var model: String
    public var state: JobState
    public var progress: Double
    public var attempt: Int
    /// Done inference jobs: the claim, and where it stays (GET /v1/claims/{modelDigest}/{id}).
    public var claim: JSONValue?
    public var claimId: String?
    public var claimUrl: String?
    public var modelDigest: String?
    public var error: String?
}

/// 200 of POST /v1/verify: the verdict `zkinfer verify` gives.
public struct VerifyResponse: Codable, Sendable {
    public var valid: Bool
    /// Why the claim is invalid ("; "-joined problems); empty when valid.
    public var reason: String
    public var problems: [String]
    /// The signer's public key (hex) when signed.
    public var signer: String?
    /// nil: unsigned.
    public var signatureValid: Bool?
}

/// GET /healthz.
public struct HealthResponse: Codable, Sendable {
    public var status: String
    public var workers: Int
    /// The public key (hex) of the host key that signs claims on request.
    public var signer: String
}

/// Builds the router of the service.
public struct ProverAPI: Sendable {
    public let store: any JobStore
    public let runner: JobRunner
    public let configuration: APIConfiguration
    let tokenDigest: [UInt8]
    /// The public key (hex) of the host key that signs claims.
    public let signer: String
    /// Digests of set-up models' files (served to workers that do not share the data directory).
    let artifactIndex = ArtifactIndex()

    public init(store: any JobStore, runner: JobRunner, configuration: APIConfiguration) throws {
        self.store = store; self.runner = runner; self.configuration = configuration
        tokenDigest = Sodium.sha256(Array(configuration.token.utf8))
        signer = HostKeyFile(try runner.data.hostKey()).publicKey
    }

    /// The committed OpenAPI 3 document (Sources/ZKService/openapi.json).
    public static func openAPIDocument() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else { throw ServiceError(500, "openapi.json is missing") }
        return try Data(contentsOf: url)
    }

    /// A router with every route of the document.
    public func router() throws -> Router<BasicRequestContext> {
        let router = Router()
        let openapi = try Self.openAPIDocument()
        router.get("/openapi.json") { _, _ in Self.raw(openapi) }
        router.get("/healthz") { _, _ in try Self.json(HealthResponse(status: "ok", workers: runner.configuration.workers, signer: signer)) }
        router.get("/metrics") { _, _ in
            let text = runner.metrics.render(jobCounts: try await store.jobCounts())
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.post("/v1/models") { request, _ in try await createModel(request) }
        router.get("/v1/models/{id}") { _, context in try await model(try context.parameters.require("id")) }
        router.post("/v1/models/{id}/inferences") { request, context in try await createInference(request, model: try context.parameters.require("id")) }
        router.get("/v1/jobs/{id}") { _, context in try await job(try context.parameters.require("id")) }
        router.get("/v1/claims/{modelDigest}/{id}") { _, context in
            let digest = try context.parameters.require("modelDigest"), id = try context.parameters.require("id")
            guard let claim = try await store.claim(modelDigest: digest, id: id) else { throw ServiceError(404, "unknown claim \(id) of model digest \(digest)") }
            return Self.raw(claim)
        }
        router.post("/v1/verify") { request, _ in try await verify(request) }
        // For workers on other machines (`zkinfer worker --server URL --token-file FILE`); all need the token.
        router.get("/v1/auth") { request, _ in
            try authorize(request)
            return Response(status: .noContent)
        }
        router.get("/v1/models/{id}/artifacts") { request, context in
            try authorize(request)
            return try Self.json(try await artifacts(try context.parameters.require("id")))
        }
        router.get("/v1/models/{id}/artifacts/{digest}") { request, context in
            try authorize(request)
            return try await artifact(try context.parameters.require("id"), digest: try context.parameters.require("digest"))
        }
        router.post("/v1/models/{id}/sign") { request, context in try await sign(request, model: try context.parameters.require("id")) }
        return router
    }

    static func raw(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return raw(try e.encode(value), status: status)
    }

    /// Throws 401 unless the request carries `Authorization: Bearer TOKEN` (compared as SHA-256 digests, so the
    /// comparison's time does not depend on how much of the token matched).
    func authorize(_ request: Request) throws {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              Sodium.sha256(Array(header.dropFirst(7).utf8)) == tokenDigest else {
            throw ServiceError(401, "this request needs Authorization: Bearer TOKEN (the token of --token-file)")
        }
    }

    /// The request body, at most `limit` bytes (413 beyond).
    func body(_ request: Request, limit: Int) async throws -> Data {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw ServiceError(413, "request body of \(length) bytes is over the limit of \(limit) bytes")
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch let e as HTTPResponseError where e.status == .contentTooLarge {
            throw ServiceError(413, "request body is over the limit of \(limit) bytes")
        } catch {
            throw ServiceError(400, "cannot read the request body")
        }
    }

    /// Decodes a JSON request, with a short message naming the field at fault.
    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch let DecodingError.keyNotFound(key, _) {
            throw ServiceError(400, "invalid request: missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw ServiceError(400, "invalid request: field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw ServiceError(400, "invalid request: field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' is null")
        } catch {
            throw ServiceError(400, "invalid request: not a JSON object")
        }
    }

    func createModel(_ request: Request) async throws -> Response {
        try authorize(request)
        let r = try decode(CreateModelRequest.self, try await body(request, limit: configuration.maxModelRequestBytes))
        let name = r.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200, !name.contains(where: \.isNewline) else {
            throw ServiceError(400, "name: must be 1 to 200 characters on one line")
        }
        guard let weights = WeightVisibility(rawValue: r.weights ?? "public") else { throw ServiceError(400, "weights: must be public or private") }
        guard let input = InputVisibility(rawValue: r.input ?? "public") else { throw ServiceError(400, "input: must be public, private or hashed") }
        guard let onnx = Data(base64Encoded: r.onnx), !onnx.isEmpty else { throw ServiceError(400, "onnx: not base64 (standard alphabet, padded)") }
        if let c = r.calibration, c.object == nil { throw ServiceError(400, "calibration: expected {\"input_data\": [[numbers...]]}") }
        let calibration = try r.calibration.map { try $0.data() }
        // Everything that can reject the upload runs before anything is stored.
        _ = try await offload { try ModelPipeline.quantize(onnx: onnx, calibration: calibration, weights: weights, input: input) }
        let ids = try await store.createModel(NewModel(name: name, onnx: onnx, calibration: calibration, weights: weights.rawValue, input: input.rawValue),
                                              now: Date())
        return try Self.json(ModelAccepted(model: ids.model, job: ids.job), status: .accepted)
    }

    func model(_ id: String) async throws -> Response {
        guard let m = try await store.model(id) else { throw ServiceError(404, "unknown model \(id)") }
        let vk = try m.verificationKey.map { try JSONValue.parse($0) }
        return try Self.json(ModelView(id: m.id, name: m.name, state: m.state, weights: m.weights, input: m.input, job: m.job, modelDigest: m.modelDigest,
                                       constraints: m.constraints, verificationKey: vk, verificationKeyDigest: m.verificationKeyDigest, error: m.error))
    }

    /// A model that can prove: known (404) and set up (409).
    func readyModel(_ id: String) async throws -> ModelRecord {
        guard let m = try await store.model(id) else { throw ServiceError(404, "unknown model \(id)") }
        switch m.state {
        case .ready: return m
        case .pending: throw ServiceError(409, "model \(id) is not set up yet (job \(m.job))")
        case .failed: throw ServiceError(409, "model \(id) failed to compile or set up: \(m.error ?? "")")
        }
    }

    func createInference(_ request: Request, model id: String) async throws -> Response {
        try authorize(request)
        let r = try decode(InferenceRequest.self, try await body(request, limit: configuration.maxRequestBytes))
        _ = try await readyModel(id)
        let rows: [[Double]]
        do { rows = try InputFile.parse(try JSONValue.object(["input_data": r.input_data]).data()) } catch { throw ServiceError.badInput("input_data", error) }
        guard rows.count == 1 else { throw ServiceError(400, "input_data: one sample per inference (got \(rows.count))") }
        let directory = try await runner.modelDirectory(model: id), workspaces = runner.workspaces
        // The checks `zkinfer prove` makes on its input (length, range), before anything is stored.
        try await offload {
            let workspace = try workspaces.workspace(directory)
            do { _ = try workspace.compiled.model.quantizeInput(rows[0]) } catch { throw ServiceError.badInput("input_data", error) }
        }
        let job = try await store.enqueueInference(model: id, input: try JSONEncoder().encode(rows[0]), sign: r.sign ?? false, now: Date())
        return try Self.json(JobAccepted(job: job), status: .accepted)
    }

    func job(_ id: String) async throws -> Response {
        guard let j = try await store.job(id) else { throw ServiceError(404, "unknown job \(id)") }
        var view = JobView(id: j.id, kind: j.kind, model: j.model, state: j.state, progress: j.progress, attempt: j.attempt, error: j.error)
        if let digest = j.claimModelDigest, let claimID = j.claimID, let claim = try await store.claim(modelDigest: digest, id: claimID) {
            view.claim = try JSONValue.parse(claim)
            view.claimId = claimID
            view.modelDigest = digest
            view.claimUrl = "/v1/claims/\(digest)/\(claimID)"
        }
        return try Self.json(view)
    }

    func verify(_ request: Request) async throws -> Response {
        let r = try decode(VerifyRequest.self, try await body(request, limit: configuration.maxRequestBytes))
        let keyData: Data
        switch (r.model, r.verificationKey) {
        case (let id?, nil):
            let m = try await readyModel(id)
            guard let vk = m.verificationKey else { throw ServiceError(409, "model \(id) has no verification key") }
            keyData = vk
        case (nil, let vk?): keyData = try vk.data()
        default: throw ServiceError(400, "give either model or verificationKey")
        }
        let claimData = try r.claim.data()
        let verdict = try await offload { () throws -> ClaimVerdict in
            let key: VerificationKey
            do { key = VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: keyData)) } catch {
                throw ServiceError(400, "verificationKey: invalid verification key: \(describe(error))")
            }
            let claim: Claim
            do { claim = try ClaimVerifier.decode(claimData) } catch { throw ServiceError.badInput("claim", error) }
            do { return try ClaimVerifier.verify(claim, key: key) } catch { throw ServiceError.badInput("claim", error) }
        }
        return try Self.json(VerifyResponse(valid: verdict.valid, reason: verdict.problems.joined(separator: "; "), problems: verdict.problems,
                                            signer: verdict.signer, signatureValid: verdict.signatureValid))
    }

    /// The files a worker proves with (listed with their digests): a set-up model's compiled directory.
    func artifacts(_ id: String) async throws -> ModelArtifacts {
        let m = try await readyModel(id)
        guard let modelDigest = m.modelDigest, let vkDigest = m.verificationKeyDigest else { throw ServiceError(409, "model \(id) has no digests") }
        let directory = try await runner.modelDirectory(model: id), index = artifactIndex
        return try await offload { try index.artifacts(model: id, modelDigest: modelDigest, verificationKeyDigest: vkDigest, directory: directory) }
    }

    /// One of a set-up model's files, by its BLAKE2b-256 digest (404 when the model has no file with that digest).
    func artifact(_ id: String, digest: String) async throws -> Response {
        guard isDigest(digest) else { throw ServiceError(400, "digest: expected 64 lowercase hex digits") }
        let listing = try await artifacts(id)
        guard let file = listing.files.first(where: { $0.digest == digest }) else { throw ServiceError(404, "model \(id) has no file with digest \(digest)") }
        let path = URL(fileURLWithPath: try await runner.modelDirectory(model: id)).appendingPathComponent(file.name).path
        guard let data = FileManager.default.contents(atPath: path) else { throw ServiceError(500, "\(path): cannot read file") }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Signs a claim with the host key for a worker that does not hold it, after verifying the claim as
    /// `POST /v1/verify` does under the model's own key: the server signs only valid claims of its set-up models.
    func sign(_ request: Request, model id: String) async throws -> Response {
        try authorize(request)
        let r = try decode(SignRequest.self, try await body(request, limit: configuration.maxRequestBytes))
        let m = try await readyModel(id)
        guard let vkData = m.verificationKey, let modelDigest = m.modelDigest else { throw ServiceError(409, "model \(id) has no verification key") }
        let claimData = try r.claim.data(), hostKey = try runner.data.hostKey()
        let signature = try await offload { () throws -> ClaimSignature in
            var claim: Claim
            do { claim = try ClaimVerifier.decode(claimData) } catch { throw ServiceError.badInput("claim", error) }
            guard claim.signature == nil else { throw ServiceError(400, "claim: already signed") }
            guard claim.model.modelDigest == modelDigest else { throw ServiceError(422, "claim: not a claim of model \(id) (modelDigest differs)") }
            let key = VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: vkData))
            let verdict: ClaimVerdict
            do { verdict = try ClaimVerifier.verify(claim, key: key) } catch { throw ServiceError.badInput("claim", error) }
            guard verdict.valid else { throw ServiceError(422, "claim: does not verify (\(verdict.problems.joined(separator: "; ")))") }
            try ClaimVerifier.sign(&claim, with: hostKey)
            guard let s = claim.signature else { throw ServiceError(500, "signing failed") }
            return s
        }
        return try Self.json(SignResponse(signature: signature))
    }
}
