import Foundation
import XCTest
import ZKAlgebra
import ZKBigNum

/// SplitMix64 for the decoder fuzz tests (seeded, reproducible).
extension SeededGenerator {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    mutating func bytes(_ n: Int) -> [UInt8] { (0 ..< n).map { _ in byte() } }
}

/// Feeds random and mutated inputs to every decoder. Each call must return a value or throw an
/// ``EncodingError``; a trap (overflow, out-of-range index) would crash the test process.
/// Successful decodes must re-encode to exactly the input (canonical encodings).
final class DecoderFuzzTests: XCTestCase {
    private typealias S = EncodingTestSupport

    /// A byte decoder under test: name, valid lengths, valid seed inputs, and the checked call.
    private struct Target {
        let name: String
        let lengths: [Int]
        let seeds: [[UInt8]]
        /// Returns nil when the input was accepted (after checking the acceptance invariants),
        /// else the typed error.
        let run: ([UInt8]) -> EncodingError?
    }

    private var fed = 0
    private var accepted: [String: Int] = [:]
    private var rejected: [String: [EncodingError: Int]] = [:]

    /// Mutates a valid encoding: bit flips, byte overwrites, flag-bit changes, truncation,
    /// extension, or a fresh random string of nearby length.
    private func mutate(_ seed: [UInt8], lengths: [Int], _ rng: inout SeededGenerator) -> [UInt8] {
        var b = seed
        switch rng.below(9) {
        case 0, 1:  // 1–3 bit flips
            if b.isEmpty { return rng.bytes(rng.below(4)) }
            for _ in 0 ... rng.below(3) { b[rng.below(b.count)] ^= UInt8(1) << UInt8(rng.below(8)) }
        case 2:  // overwrite bytes with 0x00 / 0xFF / random
            if b.isEmpty { return [0xFF] }
            for _ in 0 ... rng.below(4) {
                let v: UInt8 = [0x00, 0xFF, rng.byte()][rng.below(3)]
                b[rng.below(b.count)] = v
            }
        case 3:  // flag / top bits of a 32-byte word
            if b.isEmpty { return [0x40] }
            let word = rng.below(max(1, b.count / 32)) * 32
            if word < b.count { b[word] = (b[word] & 0x3F) | (UInt8(rng.below(4)) << 6) }
            if rng.below(2) == 0, word + 1 < b.count { b[word + 1 ..< b.count] = ArraySlice(repeating: 0, count: b.count - word - 1) }
        case 4:  // truncation
            b = Array(b.prefix(rng.below(b.count + 1)))
        case 5:  // extension with zeros or random bytes
            let n = 1 + rng.below(40)
            b += rng.below(2) == 0 ? [UInt8](repeating: 0, count: n) : rng.bytes(n)
        case 6:  // random bytes, valid length
            b = rng.bytes(lengths[rng.below(lengths.count)])
        case 7:  // random bytes, nearby length
            let base = lengths[rng.below(lengths.count)]
            b = rng.bytes(max(0, base + rng.below(9) - 4))
        default:  // a whole 32-byte word replaced by a boundary value
            if b.count < 32 { return rng.bytes(rng.below(70)) }
            let word = rng.below(b.count / 32) * 32
            let boundary: [[UInt8]] = [S.qBytes, S.allOnes, S.bytes32(Fr.modulus), [UInt8](repeating: 0, count: 32)]
            b.replaceSubrange(word ..< word + 32, with: boundary[rng.below(boundary.count)])
        }
        return b
    }

    private func targets(_ rng: inout SeededGenerator) -> [Target] {
        var g1: [G1Affine] = [.infinity, BN254G1.generator]
        var g2: [G2Affine] = [.infinity, BN254G2.generator]
        for _ in 0 ..< 6 { g1.append(S.randomG1(&rng)); g1.append(-g1[g1.count - 1]) }
        for _ in 0 ..< 3 { g2.append(S.randomG2(&rng)); g2.append(-g2[g2.count - 1]) }
        let fq = (0 ..< 6).map { _ in Fq.random(using: &rng) } + [.zero, -Fq.one]
        let fr = (0 ..< 6).map { _ in Fr.random(using: &rng) } + [.zero, -Fr.one]
        let nonSub = S.nonSubgroupG2

        var addSeeds: [[UInt8]] = [[], [UInt8](repeating: 0, count: 128)]
        var mulSeeds: [[UInt8]] = []
        var pairSeeds: [[UInt8]] = [[]]
        for i in 0 ..< g1.count {
            addSeeds.append(g1[i].ethereumBytes + g1[(i + 1) % g1.count].ethereumBytes)
            mulSeeds.append(g1[i].ethereumBytes + fr[i % fr.count].bigEndianBytes)
            mulSeeds.append(g1[i].ethereumBytes + S.allOnes)
        }
        for i in 0 ..< g2.count {
            pairSeeds.append(g1[i % g1.count].ethereumBytes + g2[i].ethereumBytes)
        }
        pairSeeds.append(pairSeeds[1] + pairSeeds[2])
        pairSeeds.append(BN254G1.generator.ethereumBytes + nonSub.ethereumBytes)

        let zero64 = [UInt8](repeating: 0, count: 64)
        let one32 = [UInt8](repeating: 0, count: 31) + [1]
        let zero32 = [UInt8](repeating: 0, count: 32)
        return [
            Target(name: "G1.ethereum", lengths: [64], seeds: g1.map(\.ethereumBytes)) { b in
                do throws(EncodingError) {
                    let p = try G1Affine(ethereumBytes: b)
                    XCTAssertEqual(p.ethereumBytes, b); XCTAssertTrue(p.isOnCurve)
                    return nil
                } catch { return error }
            },
            Target(name: "G2.ethereum", lengths: [128], seeds: g2.map(\.ethereumBytes) + [nonSub.ethereumBytes]) { b in
                do throws(EncodingError) {
                    let p = try G2Affine(ethereumBytes: b)
                    XCTAssertEqual(p.ethereumBytes, b); XCTAssertTrue(p.isOnCurve)
                    return nil
                } catch { return error }
            },
            Target(name: "G1.compressed", lengths: [32], seeds: g1.map(\.compressedBytes)) { b in
                do throws(EncodingError) {
                    let p = try G1Affine(compressedBytes: b)
                    XCTAssertEqual(p.compressedBytes, b); XCTAssertTrue(p.isOnCurve)
                    return nil
                } catch { return error }
            },
            Target(name: "G2.compressed", lengths: [64], seeds: g2.map(\.compressedBytes) + [nonSub.compressedBytes]) { b in
                do throws(EncodingError) {
                    let p = try G2Affine(compressedBytes: b)
                    XCTAssertEqual(p.compressedBytes, b); XCTAssertTrue(p.isOnCurve)
                    return nil
                } catch { return error }
            },
            Target(name: "Fq.bytes", lengths: [32], seeds: fq.map(\.bigEndianBytes)) { b in
                do throws(EncodingError) {
                    let v = try Fq(canonicalBigEndianBytes: b)
                    XCTAssertEqual(v.bigEndianBytes, b)
                    return nil
                } catch { return error }
            },
            Target(name: "Fr.bytes", lengths: [32], seeds: fr.map(\.bigEndianBytes)) { b in
                do throws(EncodingError) {
                    let v = try Fr(canonicalBigEndianBytes: b)
                    XCTAssertEqual(v.bigEndianBytes, b)
                    return nil
                } catch { return error }
            },
            Target(name: "bn256Add", lengths: [0, 64, 128, 192], seeds: addSeeds) { b in
                do throws(EncodingError) {
                    let out = try EthereumPrecompiles.bn256Add(b)
                    XCTAssertEqual(out.count, 64)
                    XCTAssertTrue(out == zero64 || ((try? G1Affine(ethereumBytes: out)) != nil))
                    return nil
                } catch { return error }
            },
            Target(name: "bn256ScalarMul", lengths: [64, 96, 128], seeds: mulSeeds) { b in
                do throws(EncodingError) {
                    let out = try EthereumPrecompiles.bn256ScalarMul(b)
                    XCTAssertEqual(out.count, 64)
                    XCTAssertTrue(out == zero64 || ((try? G1Affine(ethereumBytes: out)) != nil))
                    return nil
                } catch { return error }
            },
            Target(name: "bn256Pairing", lengths: [0, 192, 384], seeds: pairSeeds) { b in
                do throws(EncodingError) {
                    let out = try EthereumPrecompiles.bn256Pairing(b)
                    XCTAssertTrue(out == one32 || out == zero32)
                    return nil
                } catch { return error }
            },
        ]
    }

    func testByteDecodersNeverTrap() {
        var rng = SeededGenerator(seed: 0x5EED_F022)
        let all = targets(&rng)
        let start = Date()
        // 1. Mutations of valid encodings, per decoder.
        for t in all {
            let perTarget = t.name == "bn256Pairing" ? 12_000 : 25_000
            for _ in 0 ..< perTarget {
                let seed = t.seeds[rng.below(t.seeds.count)]
                let input = mutate(seed, lengths: t.lengths, &rng)
                record(t.name, t.run(input))
            }
        }
        // 2. Cross-feeding: every input (random, or another decoder's mutated encoding) to every decoder.
        let allLengths = all.flatMap(\.lengths) + [1, 31, 33, 63, 65, 96, 127, 129, 191, 193, 200]
        for _ in 0 ..< 5_000 {
            let input: [UInt8]
            if rng.below(2) == 0 {
                input = rng.bytes(allLengths[rng.below(allLengths.count)])
            } else {
                let src = all[rng.below(all.count)]
                input = mutate(src.seeds[rng.below(src.seeds.count)], lengths: src.lengths, &rng)
            }
            for t in all { record(t.name, t.run(input)) }
        }
        XCTAssertEqual(fed, 8 * 25_000 + 12_000 + 5_000 * all.count)
        XCTAssertGreaterThanOrEqual(fed, 100_000)
        // Every decoder both accepted and rejected inputs, and the mutations reached the deep checks.
        for t in all {
            XCTAssertGreaterThan(accepted[t.name, default: 0], 0, t.name)
            XCTAssertGreaterThan(rejected[t.name, default: [:]].count, 0, t.name)
        }
        func seen(_ name: String, _ e: EncodingError) -> Bool { rejected[name, default: [:]][e, default: 0] > 0 }
        for name in ["G1.ethereum", "G2.ethereum", "bn256Add", "bn256ScalarMul", "bn256Pairing"] {
            XCTAssertTrue(seen(name, .notOnCurve), name)
            XCTAssertTrue(seen(name, .coordinateNotCanonical), name)
        }
        for name in ["G1.compressed", "G2.compressed"] {
            for e in [EncodingError.noSquareRoot, .invalidFlags, .invalidInfinityEncoding, .coordinateNotCanonical] {
                XCTAssertTrue(seen(name, e), "\(name): \(e)")
            }
        }
        for name in ["G2.ethereum", "G2.compressed", "bn256Pairing"] { XCTAssertTrue(seen(name, .notInSubgroup), name) }
        XCTAssertTrue(rejected["bn256Pairing", default: [:]].keys.contains {
            if case .lengthNotMultiple = $0 { return true } else { return false }
        })
        XCTAssertTrue(seen("Fr.bytes", .scalarNotCanonical))
        XCTAssertTrue(seen("Fq.bytes", .coordinateNotCanonical))
        let summary = all.map { t in
            let errors = rejected[t.name, default: [:]].values.reduce(0, +)
            return "\(t.name) \(accepted[t.name, default: 0]) ok / \(errors) rejected"
        }
        print("DecoderFuzzTests: \(fed) byte inputs in \(String(format: "%.1f", Date().timeIntervalSince(start))) s: "
              + summary.joined(separator: ", "))
    }

    private func record(_ name: String, _ error: EncodingError?) {
        fed += 1
        if let error { rejected[name, default: [:]][error, default: 0] += 1 } else { accepted[name, default: 0] += 1 }
    }

    // MARK: snarkjs strings

    /// Mutates a decimal string: digit changes, insertions, deletions, signs, whitespace,
    /// leading zeros, non-ASCII digits, huge values, boundary values.
    private func mutate(_ s: String, _ rng: inout SeededGenerator) -> String {
        var u = Array(s.unicodeScalars)
        let exotic: [Unicode.Scalar] = ["-", "+", " ", "\n", ".", "e", "x", "a", "\u{0}", "\u{661}", "\u{FF11}", "0", "9", "\u{1F600}"]
        switch rng.below(10) {
        case 0, 1:  // change a digit
            if u.isEmpty { return "0" }
            u[rng.below(u.count)] = Unicode.Scalar(UInt8(48 + rng.below(10)))
        case 2:  // insert something
            u.insert(exotic[rng.below(exotic.count)], at: rng.below(u.count + 1))
        case 3:  // delete a character
            if !u.isEmpty { u.remove(at: rng.below(u.count)) }
        case 4: return "0" + s
        case 5: return s + String(rng.below(10))
        case 6: return [Fq.modulus.toString(), Fr.modulus.toString(), "", "0", "1", "00",
                        String(repeating: "9", count: 77 + rng.below(300))][rng.below(7)]
        case 7: return String(rng.next() % 1000)
        case 8: return String(s.prefix(rng.below(s.count + 1)))
        default: return (Fq.modulus + BigNum(rng.below(5))).toString()
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: u)
        return out
    }

    func testSnarkjsDecodersNeverTrap() {
        var rng = SeededGenerator(seed: 0x5EED_5A4C)
        var g1: [[String]] = [G1Affine.infinity.snarkjsStrings, BN254G1.generator.snarkjsStrings]
        var g2: [[[String]]] = [G2Affine.infinity.snarkjsStrings, BN254G2.generator.snarkjsStrings,
                                S.nonSubgroupG2.snarkjsStrings]
        for _ in 0 ..< 4 { g1.append(S.randomG1(&rng).snarkjsStrings) }
        for _ in 0 ..< 2 { g2.append(S.randomG2(&rng).snarkjsStrings) }
        let scalars = (0 ..< 4).map { _ in Fr.random(using: &rng).description } + ["0", "1"]
        var count = 0, ok = 0
        for _ in 0 ..< 15_000 {
            var s = g1[rng.below(g1.count)]
            switch rng.below(6) {
            case 0: s.append(scalars[rng.below(scalars.count)])
            case 1: if !s.isEmpty { s.removeLast() }
            default:
                for _ in 0 ... rng.below(2) { let i = rng.below(s.count); s[i] = mutate(s[i], &rng) }
            }
            count += 1
            if let p = try? G1Affine(snarkjs: s) { ok += 1; XCTAssertEqual(p.snarkjsStrings, s) }
        }
        for _ in 0 ..< 15_000 {
            var s = g2[rng.below(g2.count)]
            switch rng.below(6) {
            case 0: s.append(["1", "0"])
            case 1: s[rng.below(s.count)].append("0")
            case 2: s[rng.below(s.count)].removeLast()
            default:
                for _ in 0 ... rng.below(2) {
                    let i = rng.below(s.count), j = rng.below(s[i].count)
                    s[i][j] = mutate(s[i][j], &rng)
                }
            }
            count += 1
            if let p = try? G2Affine(snarkjs: s) { ok += 1; XCTAssertEqual(p.snarkjsStrings, s) }
        }
        for _ in 0 ..< 15_000 {
            let s = mutate(scalars[rng.below(scalars.count)], &rng)
            count += 2
            if let v = try? Fr(snarkjsDecimal: s) { ok += 1; XCTAssertEqual(v.description, s) }
            if let v = try? Fq(snarkjsDecimal: s) { ok += 1; XCTAssertEqual(v.description, s) }
        }
        XCTAssertEqual(count, 60_000)
        XCTAssertGreaterThan(ok, 0)
    }
}
