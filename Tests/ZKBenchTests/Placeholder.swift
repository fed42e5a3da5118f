import XCTest

final class ZKBenchTestsPlaceholder: XCTestCase {}
