import XCTest
final class ZKGroth16TestsPlaceholder: XCTestCase {}
