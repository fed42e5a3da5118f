import XCTest
final class ZKConstraintsTestsPlaceholder: XCTestCase {}
