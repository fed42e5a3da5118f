import XCTest
import ZKFormats
final class ZKFormatsPlaceholderTests: XCTestCase {}
