import Foundation
import XCTest

/// Ceremony vectors: the copies in `Fixtures/` (see PROVENANCE.md there), else the shared vector
/// folder `../shared/vectors/ceremony` for the larger sets that were not copied (tests needing
/// those skip when it is absent).
enum CeremonyFixtures {
    static let local = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/vectors/ceremony").standardized

    static func url(_ set: String, _ name: String) -> URL { local.appendingPathComponent(set).appendingPathComponent(name) }

    static func bytes(_ set: String, _ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: url(set, name))) }

    /// A file of the shared vector folder; skips the test when the folder is not there.
    static func sharedBytes(_ set: String, _ name: String) throws -> [UInt8] {
        let u = shared.appendingPathComponent(set).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: u.path) else { throw XCTSkip("shared vector \(set)/\(name) not present") }
        return [UInt8](try Data(contentsOf: u))
    }
}
