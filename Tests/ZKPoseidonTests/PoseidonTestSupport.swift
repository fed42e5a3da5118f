import Foundation
import XCTest
import ZKAlgebra

/// Seeded, reproducible (SplitMix64, from ZKAlgebra).
typealias PoseidonTestRNG = SplitMix64

extension SplitMix64 {
    mutating func fields(_ n: Int) -> [Fr] { (0..<n).map { _ in Fr.random(using: &self) } }
}

/// A field element from `0x`-prefixed (or bare) hexadecimal; fails the test on malformed or `≥ r` input.
func fr(hex text: String, file: StaticString = #filePath, line: UInt = #line) -> Fr {
    var digits = Substring(text)
    if digits.hasPrefix("0x") { digits = digits.dropFirst(2) }
    guard digits.count <= 64, digits.allSatisfy(\.isHexDigit) else {
        XCTFail("bad hex \(text)", file: file, line: line); return .zero
    }
    let padded = String(repeating: "0", count: 64 - digits.count) + digits
    var bytes: [UInt8] = []
    var i = padded.startIndex
    while i < padded.endIndex {
        let j = padded.index(i, offsetBy: 2)
        bytes.append(UInt8(padded[i..<j], radix: 16)!)
        i = j
    }
    guard let f = Fr(bigEndianBytes: bytes) else { XCTFail("hex \(text) ≥ r", file: file, line: line); return .zero }
    return f
}

/// A field element from decimal; fails the test on malformed or `≥ r` input.
func fr(_ decimal: String, file: StaticString = #filePath, line: UInt = #line) -> Fr {
    guard let f = Fr(decimal: decimal) else { XCTFail("bad decimal \(decimal)", file: file, line: line); return .zero }
    return f
}

/// `Fixtures/circomlib-poseidon.json` (see Fixtures/PROVENANCE.md).
struct CircomlibPoseidonFixture: Decodable {
    struct Case: Decodable {
        let inputs: [String]
        let t: Int
        let hash_hex: String
    }
    let about: String
    let cases: [Case]
    let permutation_t3_input_0_1_2: [String]

    static func load() throws -> CircomlibPoseidonFixture {
        guard let url = Bundle.module.url(forResource: "circomlib-poseidon", withExtension: "json", subdirectory: "Fixtures")
        else { throw CocoaError(.fileNoSuchFile) }
        return try JSONDecoder().decode(CircomlibPoseidonFixture.self, from: Data(contentsOf: url))
    }
}

/// Published circomlib Poseidon hashes of `[1, 2, …, n]` for n = 1…16 (decimal): n = 16 as asserted
/// in circomlibjs `test/poseidon.js`, and the list in several independent ports' test suites
/// (see Fixtures/PROVENANCE.md). n = 1…4 are also the fixture file's values.
let publishedHashesOneToN: [String] = [
    "18586133768512220936620570745912940619677854269274689475585506675881198879027",
    "7853200120776062878684798364095072458815029376092732009249414926327459813530",
    "6542985608222806190361240322586112750744169038454362455181422643027100751666",
    "18821383157269793795438455681495246036402687001665670618754263018637548127333",
    "6183221330272524995739186171720101788151706631170188140075976616310159254464",
    "20400040500897583745843009878988256314335038853985262692600694741116813247201",
    "12748163991115452309045839028154629052133952896122405799815156419278439301912",
    "18604317144381847857886385684060986177838410221561136253933256952257712543953",
    "13589767895268936107593642967621470491511464502761040466226072462545218539640",
    "3657500514307717306974218405144578736633140001277925127187636780142269815841",
    "3572015662710076994097916907865950486270383304442561406230608893458731714472",
    "2501997477381648492950318384533644783248002172679259592360114615426357826485",
    "7041832639553862712666971417715061873827921493498355005117622707743491651590",
    "8354478399926161176778659061636406690034081872658507739535256090879947077494",
    "4203130618016961831408770638653325366880478848856764494148034853759773445968",
    "9989051620750914585850546081941653841776809718687451684622678807385399211877",
]
