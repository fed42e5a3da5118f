import XCTest

final class ZKModelTestsPlaceholder: XCTestCase {}
