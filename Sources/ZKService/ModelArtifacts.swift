// The files a worker needs to prove on a set-up model, addressed by digest: the server lists and serves them
// (`GET /v1/models/{id}/artifacts`, `GET /v1/models/{id}/artifacts/{digest}`, both behind the bearer token since a
// private-weights model's circuit.json holds its weights), and a worker on another machine fetches them into its
// own cache (``ArtifactClient``).

import Foundation
import ZKModel
import ZKClaim

/// One file of a set-up model's compiled directory.
public struct ArtifactFile: Codable, Sendable, Equatable {
    /// The file's name in the compiled directory: one of ``ModelArtifacts/fileNames``.
    public var name: String
    /// BLAKE2b-256 of the file's bytes, 64 lowercase hex digits.
    public var digest: String
    public var bytes: Int
    public init(name: String, digest: String, bytes: Int) { self.name = name; self.digest = digest; self.bytes = bytes }
}

/// GET /v1/models/{id}/artifacts: what a worker needs to prove on model `model`.
public struct ModelArtifacts: Codable, Sendable, Equatable {
    public var model: String
    public var modelDigest: String
    public var verificationKeyDigest: String
    public var files: [ArtifactFile]
    public init(model: String, modelDigest: String, verificationKeyDigest: String, files: [ArtifactFile]) {
        self.model = model; self.modelDigest = modelDigest; self.verificationKeyDigest = verificationKeyDigest; self.files = files
    }

    /// The files proving reads (ceremony.json only when the key came from a ceremony): `ModelWorkspace.prove`
    /// opens circuit.json and manifest.json, reads proving.key, and copies the ceremony record into claims.
    public static let fileNames = ["circuit.json", "manifest.json", "proving.key", "ceremony.json"]
    /// Files that must be present.
    public static let requiredFileNames: Set<String> = ["circuit.json", "manifest.json", "proving.key"]

    /// Checks what a server sent before anything is fetched: known, distinct names, the required ones present, digests
    /// of the right form (they become file names in the cache), sizes in range.
    public func validated(model id: String) throws -> ModelArtifacts {
        guard model == id else { throw ServiceError(502, "the server listed artifacts of model \(model), not \(id)") }
        var seen = Set<String>()
        for f in files {
            guard Self.fileNames.contains(f.name), seen.insert(f.name).inserted else { throw ServiceError(502, "the server listed an unexpected file '\(f.name)'") }
            guard isDigest(f.digest) else { throw ServiceError(502, "the server listed \(f.name) with a malformed digest") }
            guard (0...(1 << 40)).contains(f.bytes) else { throw ServiceError(502, "the server listed \(f.name) with \(f.bytes) bytes") }
        }
        guard Self.requiredFileNames.isSubset(of: seen) else { throw ServiceError(502, "the server's artifacts of model \(id) lack \(Self.requiredFileNames.subtracting(seen).sorted())") }
        return self
    }
}

/// Whether `s` is 64 lowercase hex digits (a BLAKE2b-256 digest as zkinfer writes them).
func isDigest(_ s: String) -> Bool { s.utf8.count == 64 && s.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } }

/// The server's side: digests of compiled directories' files, computed once per file version (path, size,
/// modification time) and kept in memory.
final class ArtifactIndex: @unchecked Sendable {
    private struct Version: Equatable { var size: Int; var modified: Date }
    private let lock = NSLock()
    private var digests: [String: (Version, String)] = [:]

    /// The artifact list of the compiled directory `directory` of model `id`.
    func artifacts(model id: String, modelDigest: String, verificationKeyDigest: String, directory: String) throws -> ModelArtifacts {
        var files: [ArtifactFile] = []
        for name in ModelArtifacts.fileNames {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: path) else {
                if ModelArtifacts.requiredFileNames.contains(name) { throw ServiceError(500, "model \(id): \(name) is missing from its compiled directory") }
                continue
            }
            let (digest, size) = try self.digest(path)
            files.append(ArtifactFile(name: name, digest: digest, bytes: size))
        }
        return ModelArtifacts(model: id, modelDigest: modelDigest, verificationKeyDigest: verificationKeyDigest, files: files)
    }

    /// BLAKE2b-256 and size of the file at `path` (cached while its size and modification time stay the same).
    func digest(_ path: String) throws -> (String, Int) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.intValue, let modified = attributes[.modificationDate] as? Date else {
            throw ServiceError(500, "\(path): cannot read file")
        }
        let version = Version(size: size, modified: modified)
        if let (v, d) = lock.withLock({ digests[path] }), v == version { return (d, size) }
        guard let data = FileManager.default.contents(atPath: path), data.count == size else { throw ServiceError(500, "\(path): cannot read file") }
        let d = try blake2bHex(data)
        lock.withLock { digests[path] = (version, d) }
        return (d, size)
    }
}

/// POST /v1/models/{id}/sign: a claim the worker proved, for the server to verify and sign with its host key.
public struct SignRequest: Codable, Sendable {
    public var claim: JSONValue
    public init(claim: JSONValue) { self.claim = claim }
}

/// 200 of POST /v1/models/{id}/sign.
public struct SignResponse: Codable, Sendable {
    public var signature: ClaimSignature
}
