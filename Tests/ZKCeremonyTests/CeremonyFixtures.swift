import Foundation
import XCTest

/// Ceremony vectors: byte-for-byte copies in `Fixtures/` (see PROVENANCE.md there) of files from
/// `../shared/vectors/ceremony`, so the tests need nothing outside the repository.
enum CeremonyFixtures {
    static let local = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func url(_ set: String, _ name: String) -> URL { local.appendingPathComponent(set).appendingPathComponent(name) }

    static func bytes(_ set: String, _ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: url(set, name))) }
}
