import Foundation
import ZKAlgebra
import ZKFormats

/// A snarkjs powers-of-tau file (`.ptau`, magic `ptau`, version 1) over BN254, as bytes plus the
/// parsed header and contributions. Point sections are decoded on demand.
///
/// Sections: 1 header (`n8 = 32 | q | power | ceremonyPower`), 2 τⁱ·G1 (`2·2^power − 1` points),
/// 3 τⁱ·G2, 4 α·τⁱ·G1, 5 β·τⁱ·G1 (`2^power` each), 6 β·G2 (one point), 7 contributions, and after
/// `prepare`: 12–15, the Lagrange-basis forms of 2–5 for every domain size `2^p`, `p = 0 ... power`
/// (section 12 also for `p = power + 1`), block `p` starting at point index `2^p − 1`.
/// All points are LEM-encoded (``SnarkjsPoint``).
///
/// Invariants after parsing: the header is BN254's with `power ≤ ceremonyPower`, `power ≤ 27`;
/// every present point section has exactly its size; every contribution parsed (its points on
/// their curves, G2 points in the subgroup). Point sections are *not* checked point by point here
/// (``PhaseOne/verify(_:threads:)`` does that).
public struct PowersOfTau: Sendable {
    public let bytes: [UInt8]
    let container: BinContainer
    public let power: Int
    public let ceremonyPower: Int
    public let contributions: [PhaseOneContribution]

    /// Largest power accepted (snarkjs's Hermez files go to 28; 2^28 points do not fit here anyway).
    public static let maxPower = 27

    public init(bytes: [UInt8]) throws {
        do {
            container = try BinContainer(bytes, magic: "ptau", version: 1)
        } catch { throw CeremonyError.invalidFile("not a powers-of-tau file: \(error)") }
        self.bytes = bytes
        do {
            var h = try container.reader(1, name: "header")
            try h.readFieldHeader(Fq.self, n8What: "n8", primeName: "base field modulus q")
            let power = try h.readU32("power"), ceremonyPower = try h.readU32("ceremonyPower")
            try h.expectEnd()
            guard power >= 1, power <= PowersOfTau.maxPower else {
                throw CeremonyError.unsupported("powers-of-tau power \(power) is outside 1...\(PowersOfTau.maxPower)")
            }
            guard ceremonyPower >= power, ceremonyPower <= 28 else {
                throw CeremonyError.invalidFile("ceremonyPower \(ceremonyPower) is below power \(power) or above 28")
            }
            self.power = Int(power)
            self.ceremonyPower = Int(ceremonyPower)
            let n = 1 << Int(power)
            let expected: [(UInt32, Int)] = [(2, (2 * n - 1) * 64), (3, n * 128), (4, n * 64), (5, n * 64), (6, 128)]
            for (t, size) in expected {
                guard let s = container.section(t) else { throw CeremonyError.invalidFile("ptau section \(t) is missing") }
                guard s.range.count == size else {
                    throw CeremonyError.invalidFile("ptau section \(t) has \(s.range.count) bytes, expected \(size)")
                }
            }
            let lagrange: [(UInt32, Int)] = [(12, (4 * n - 1) * 64), (13, (2 * n - 1) * 128), (14, (2 * n - 1) * 64), (15, (2 * n - 1) * 64)]
            let file = container
            let present = lagrange.filter { file.section($0.0) != nil }
            if !present.isEmpty {
                guard present.count == 4 else { throw CeremonyError.invalidFile("ptau has only some of the Lagrange sections 12–15") }
                for (t, size) in lagrange where file.section(t)!.range.count != size {
                    throw CeremonyError.invalidFile("ptau section \(t) has \(file.section(t)!.range.count) bytes, expected \(size)")
                }
            }
            var c = try container.reader(7, name: "contributions")
            let count = try c.readU32("number of contributions")
            try c.checkCount(UInt64(count), itemSize: 64 * 6 + 128 * 3 + 64 * 3 + 128 * 2 + 216 + 64 + 8, "contributions")
            var list: [PhaseOneContribution] = []
            for i in 0..<Int(count) { list.append(try PhaseOneContribution(reading: &c, index: i + 1)) }
            try c.expectEnd()
            contributions = list
        } catch let e as CeremonyError {
            throw e
        } catch {
            throw CeremonyError.invalidFile("invalid powers-of-tau file: \(error)")
        }
    }

    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw CeremonyError.invalidFile("\(url.path): cannot read: \(error.localizedDescription)") }
        try self.init(bytes: [UInt8](data))
    }

    /// Whether `ptau prepare` has added the Lagrange sections 12–15.
    public var isPrepared: Bool { container.section(12) != nil }

    /// The byte range of a section's body (sections 1–7 always exist; 12–15 when prepared).
    /// The byte range of a section's body in ``bytes`` (sections 1–7 always exist; 12–15 when prepared).
    public func range(_ section: UInt32) -> Range<Int> { container.section(section)!.range }

    /// Point `index` of a G1 section; throws if it is not on the curve.
    func g1(_ section: UInt32, _ index: Int) throws -> G1Affine {
        let o = range(section).lowerBound + index * 64
        let p = bytes.withUnsafeBytes { SnarkjsPoint.g1(lem: $0, at: o) }
        guard let p else { throw CeremonyError.invalidFile("ptau section \(section) point \(index) is not a valid G1 point") }
        return p
    }

    /// Point `index` of a G2 section; throws if it is not on the twist or not in the subgroup.
    func g2(_ section: UInt32, _ index: Int, subgroup: Bool = true) throws -> G2Affine {
        let o = range(section).lowerBound + index * 128
        let p = bytes.withUnsafeBytes { SnarkjsPoint.g2(lem: $0, at: o, subgroup: subgroup) }
        guard let p else { throw CeremonyError.invalidFile("ptau section \(section) point \(index) is not a valid G2 point") }
        return p
    }
}

/// One phase-1 contribution as stored in section 7.
public struct PhaseOneContribution: Sendable, Equatable {
    /// 1-based position in the file.
    public var index: Int
    public var tauG1: G1Affine, tauG2: G2Affine, alphaG1: G1Affine, betaG1: G1Affine, betaG2: G2Affine
    /// The public key: for tau, alpha, beta: `g1_s`, `g1_sx = x·g1_s`, `g2_spx = x·hashToG2(…)`.
    public var key: PhaseOneKey
    /// snarkjs's 216-byte BLAKE2b state after the response's points (``Blake2b512/partialState``).
    public var partialHash: [UInt8]
    /// The challenge hash of the file this contribution produced.
    public var nextChallenge: [UInt8]
    /// 0 for a contribution, 1 for a beacon.
    public var type: UInt32
    public var name: String?
    public var iterationsExp: Int?
    public var beaconHash: [UInt8]?

    /// The response hash: the partial state continued with the public key (uncompressed).
    public var responseHash: [UInt8] {
        guard var h = Blake2b512(partialState: partialHash) else { return [] }
        h.update(key.uncompressed)
        return h.finalize()
    }

    init(tauG1: G1Affine, tauG2: G2Affine, alphaG1: G1Affine, betaG1: G1Affine, betaG2: G2Affine, key: PhaseOneKey,
         partialHash: [UInt8], nextChallenge: [UInt8], type: UInt32, name: String?, iterationsExp: Int?, beaconHash: [UInt8]?, index: Int) {
        self.tauG1 = tauG1; self.tauG2 = tauG2; self.alphaG1 = alphaG1; self.betaG1 = betaG1; self.betaG2 = betaG2
        self.key = key; self.partialHash = partialHash; self.nextChallenge = nextChallenge; self.type = type
        self.name = name; self.iterationsExp = iterationsExp; self.beaconHash = beaconHash; self.index = index
    }

    init(reading r: inout ByteReader, index: Int) throws {
        let w = "contribution #\(index)"
        self.index = index
        tauG1 = try r.readG1Montgomery("\(w) tauG1")
        tauG2 = try r.readG2Montgomery("\(w) tauG2", subgroup: true)
        alphaG1 = try r.readG1Montgomery("\(w) alphaG1")
        betaG1 = try r.readG1Montgomery("\(w) betaG1")
        betaG2 = try r.readG2Montgomery("\(w) betaG2", subgroup: true)
        var k = PhaseOneKey()
        k.tau.g1s = try r.readG1Montgomery("\(w) key tau g1_s")
        k.tau.g1sx = try r.readG1Montgomery("\(w) key tau g1_sx")
        k.alpha.g1s = try r.readG1Montgomery("\(w) key alpha g1_s")
        k.alpha.g1sx = try r.readG1Montgomery("\(w) key alpha g1_sx")
        k.beta.g1s = try r.readG1Montgomery("\(w) key beta g1_s")
        k.beta.g1sx = try r.readG1Montgomery("\(w) key beta g1_sx")
        k.tau.g2spx = try r.readG2Montgomery("\(w) key tau g2_spx", subgroup: true)
        k.alpha.g2spx = try r.readG2Montgomery("\(w) key alpha g2_spx", subgroup: true)
        k.beta.g2spx = try r.readG2Montgomery("\(w) key beta g2_spx", subgroup: true)
        key = k
        partialHash = Array(try r.readBytes(216, "\(w) partial hash"))
        guard Blake2b512(partialState: partialHash) != nil else {
            throw CeremonyError.invalidFile("\(w): partial hash is not a valid BLAKE2b state")
        }
        nextChallenge = Array(try r.readBytes(64, "\(w) next challenge"))
        type = try r.readU32("\(w) type")
        guard type <= 1 else { throw CeremonyError.invalidFile("\(w): unknown contribution type \(type)") }
        let params = try ContributionParameters(reading: &r, context: w)
        name = params.name; iterationsExp = params.iterationsExp; beaconHash = params.beaconHash
        if type == 1 {
            guard let e = iterationsExp, let b = beaconHash, (10...63).contains(e), !b.isEmpty else {
                throw CeremonyError.invalidFile("\(w): a beacon needs its hash and an iteration exponent in 10...63")
            }
        }
    }

    func append(to out: inout [UInt8]) {
        SnarkjsPoint.appendLEM(tauG1, to: &out); SnarkjsPoint.appendLEM(tauG2, to: &out)
        SnarkjsPoint.appendLEM(alphaG1, to: &out); SnarkjsPoint.appendLEM(betaG1, to: &out)
        SnarkjsPoint.appendLEM(betaG2, to: &out)
        key.appendLEM(to: &out)
        out += partialHash
        out += nextChallenge
        appendU32(type, &out)
        ContributionParameters(name: name, iterationsExp: type == 1 ? iterationsExp : nil, beaconHash: type == 1 ? beaconHash : nil).append(to: &out)
    }
}

/// A phase-1 public key: one proof of knowledge per secret (tau, alpha, beta).
public struct PhaseOneKey: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        public var g1s = G1Affine.infinity, g1sx = G1Affine.infinity, g2spx = G2Affine.infinity
    }
    public var tau = Part(), alpha = Part(), beta = Part()

    /// `toPtauPubKeyRpr`: the six G1 points (tau, alpha, beta; s then sx) then the three `g2_spx`.
    func appendLEM(to out: inout [UInt8]) {
        for p in [tau.g1s, tau.g1sx, alpha.g1s, alpha.g1sx, beta.g1s, beta.g1sx] { SnarkjsPoint.appendLEM(p, to: &out) }
        for p in [tau.g2spx, alpha.g2spx, beta.g2spx] { SnarkjsPoint.appendLEM(p, to: &out) }
    }

    var uncompressed: [UInt8] {
        var out: [UInt8] = []
        for p in [tau.g1s, tau.g1sx, alpha.g1s, alpha.g1sx, beta.g1s, beta.g1sx] { out += SnarkjsPoint.uncompressed(p) }
        for p in [tau.g2spx, alpha.g2spx, beta.g2spx] { out += SnarkjsPoint.uncompressed(p) }
        return out
    }
}

/// The optional parameters of a contribution (both phases): sorted `type | …` records — 1 name
/// (length-prefixed UTF-8, at most 64 characters written), 2 beacon iteration exponent, 3 beacon
/// hash (length-prefixed) — behind a u32 total length.
struct ContributionParameters {
    var name: String?
    var iterationsExp: Int?
    var beaconHash: [UInt8]?

    init(name: String?, iterationsExp: Int?, beaconHash: [UInt8]?) {
        self.name = name; self.iterationsExp = iterationsExp; self.beaconHash = beaconHash
    }

    init(reading r: inout ByteReader, context: String) throws {
        let length = Int(try r.readU32("\(context) parameter length"))
        try r.require(length, "\(context) parameters")
        let end = r.offset + length
        var last: UInt8 = 0
        while r.offset < end {
            let t = try r.readBytes(1, "\(context) parameter type").first!
            guard t > last else { throw CeremonyError.invalidFile("\(context): parameters are not sorted") }
            last = t
            switch t {
            case 1:
                let n = Int(try r.readBytes(1, "\(context) name length").first!)
                let b = try r.readBytes(n, "\(context) name")
                name = String(decoding: b, as: UTF8.self)
            case 2:
                iterationsExp = Int(try r.readBytes(1, "\(context) iterations").first!)
            case 3:
                let n = Int(try r.readBytes(1, "\(context) beacon hash length").first!)
                beaconHash = Array(try r.readBytes(n, "\(context) beacon hash"))
            default:
                throw CeremonyError.invalidFile("\(context): unknown parameter type \(t)")
            }
        }
        guard r.offset == end else { throw CeremonyError.invalidFile("\(context): parameters overrun their length") }
    }

    func append(to out: inout [UInt8]) {
        var p: [UInt8] = []
        if let name, !name.isEmpty {
            // snarkjs writes `name.substring(0, 64)` (UTF-16 units); a name of at most 64 characters
            // whose UTF-8 form fits in 255 bytes is written whole, which CLI input is limited to.
            let b = Array(String(name.prefix(64)).utf8.prefix(255))
            p.append(1); p.append(UInt8(b.count)); p += b
        }
        if let iterationsExp, let beaconHash {
            p.append(2); p.append(UInt8(truncatingIfNeeded: iterationsExp))
            p.append(3); p.append(UInt8(truncatingIfNeeded: beaconHash.count)); p += beaconHash.prefix(255)
        }
        appendU32(UInt32(p.count), &out)
        out += p
    }
}

@inline(__always)
func appendU32(_ v: UInt32, _ out: inout [UInt8]) { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * i))) } }
@inline(__always)
func appendU64(_ v: UInt64, _ out: inout [UInt8]) { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i))) } }
