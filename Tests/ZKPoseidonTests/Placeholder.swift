import XCTest

final class ZKPoseidonTestsPlaceholder: XCTestCase {}
