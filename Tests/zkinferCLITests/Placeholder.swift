import XCTest
final class zkinferCLITestsPlaceholder: XCTestCase {}
