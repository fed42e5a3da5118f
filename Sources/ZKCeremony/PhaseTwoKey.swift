import Foundation
import ZKAlgebra
import ZKFormats

/// A snarkjs Groth16 `.zkey` seen as a phase-2 ceremony file: the raw bytes, the header values a
/// contribution changes or a verifier compares, and the contributions (section 10).
///
/// Invariants after parsing: protocol 1 (Groth16) over BN254; header points on their curves, G2
/// ones in the subgroup; sections 3–9 present with the sizes the header implies (3: nPublic + 1
/// G1, 5/6: nVars G1, 7: nVars G2, 8: nVars − nPublic − 1 G1, 9: domainSize G1); section 10 parsed.
/// The points of sections 3 and 5–9 are checked only when used (verification, contribution).
public struct PhaseTwoKey: Sendable {
    public let bytes: [UInt8]
    let container: BinContainer
    public let nVars: Int
    public let nPublic: Int
    public let domainSize: Int
    public let alpha1: G1Affine, beta1: G1Affine, beta2: G2Affine, gamma2: G2Affine, delta1: G1Affine, delta2: G2Affine
    /// The circuit hash snarkjs computes in `zkey new` (64 bytes).
    public let circuitHash: [UInt8]
    public let contributions: [PhaseTwoContribution]

    public init(bytes: [UInt8]) throws {
        do {
            container = try BinContainer(bytes, magic: "zkey", version: 1)
        } catch { throw CeremonyError.invalidFile("not a zkey file: \(error)") }
        self.bytes = bytes
        do {
            var p = try container.reader(1, name: "protocol")
            let id = try p.readU32("protocol id")
            try p.expectEnd()
            guard id == 1 else { throw CeremonyError.unsupported("zkey protocol \(id) is not Groth16 (1)") }
            var h = try container.reader(2, name: "header")
            try h.readFieldHeader(Fq.self, n8What: "n8q", primeName: "base field modulus q")
            try h.readFieldHeader(Fr.self, n8What: "n8r", primeName: "scalar field modulus r")
            let nVars = Int(try h.readU32("nVars")), nPublic = Int(try h.readU32("nPublic")), domainSize = Int(try h.readU32("domainSize"))
            guard nPublic + 1 <= nVars else { throw CeremonyError.invalidFile("zkey nPublic + 1 exceeds nVars") }
            guard domainSize > 0, domainSize & (domainSize - 1) == 0, domainSize <= 1 << 28 else {
                throw CeremonyError.invalidFile("zkey domainSize \(domainSize) is not a power of two ≤ 2^28")
            }
            alpha1 = try h.readG1Montgomery("alpha1")
            beta1 = try h.readG1Montgomery("beta1")
            beta2 = try h.readG2Montgomery("beta2", subgroup: true)
            gamma2 = try h.readG2Montgomery("gamma2", subgroup: true)
            delta1 = try h.readG1Montgomery("delta1")
            delta2 = try h.readG2Montgomery("delta2", subgroup: true)
            try h.expectEnd()
            self.nVars = nVars; self.nPublic = nPublic; self.domainSize = domainSize
            let sizes: [(UInt32, Int)] = [(3, (nPublic + 1) * 64), (5, nVars * 64), (6, nVars * 64), (7, nVars * 128),
                                          (8, (nVars - nPublic - 1) * 64), (9, domainSize * 64)]
            for (t, size) in sizes {
                guard let s = container.section(t) else { throw CeremonyError.invalidFile("zkey section \(t) is missing") }
                guard s.range.count == size else {
                    throw CeremonyError.invalidFile("zkey section \(t) has \(s.range.count) bytes, expected \(size)")
                }
            }
            guard container.section(4) != nil else { throw CeremonyError.invalidFile("zkey section 4 is missing") }
            var m = try container.reader(10, name: "contributions")
            circuitHash = Array(try m.readBytes(64, "circuit hash"))
            let n = try m.readU32("number of contributions")
            try m.checkCount(UInt64(n), itemSize: 64 * 3 + 128 + 64 + 8, "contributions")
            var list: [PhaseTwoContribution] = []
            for i in 0..<Int(n) { list.append(try PhaseTwoContribution(reading: &m, index: i + 1)) }
            try m.expectEnd()
            contributions = list
        } catch let e as CeremonyError {
            throw e
        } catch {
            throw CeremonyError.invalidFile("invalid zkey file: \(error)")
        }
    }

    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw CeremonyError.invalidFile("\(url.path): cannot read: \(error.localizedDescription)") }
        try self.init(bytes: [UInt8](data))
    }

    /// The byte range of a section's body in ``bytes`` (sections 1–10 exist after parsing).
    public func range(_ section: UInt32) -> Range<Int> { container.section(section)!.range }
    /// A section's body.
    public func section(_ s: UInt32) -> ArraySlice<UInt8> { bytes[range(s)] }

    /// The bytes of sections 1 and 2 for the given header values (snarkjs `writeHeader`).
    static func headerSections(nVars: Int, nPublic: Int, domainSize: Int, alpha1: G1Affine, beta1: G1Affine, beta2: G2Affine,
                               gamma2: G2Affine, delta1: G1Affine, delta2: G2Affine) -> [(UInt32, [UInt8])] {
        var s1: [UInt8] = []
        appendU32(1, &s1)
        var s2: [UInt8] = []
        appendU32(32, &s2); appendLimbs([Fq.p0, Fq.p1, Fq.p2, Fq.p3], &s2)
        appendU32(32, &s2); appendLimbs([Fr.p0, Fr.p1, Fr.p2, Fr.p3], &s2)
        appendU32(UInt32(nVars), &s2); appendU32(UInt32(nPublic), &s2); appendU32(UInt32(domainSize), &s2)
        SnarkjsPoint.appendLEM(alpha1, to: &s2); SnarkjsPoint.appendLEM(beta1, to: &s2); SnarkjsPoint.appendLEM(beta2, to: &s2)
        SnarkjsPoint.appendLEM(gamma2, to: &s2); SnarkjsPoint.appendLEM(delta1, to: &s2); SnarkjsPoint.appendLEM(delta2, to: &s2)
        return [(1, s1), (2, s2)]
    }

    static func contributionsSection(circuitHash: [UInt8], _ contributions: [PhaseTwoContribution]) -> [UInt8] {
        var out = circuitHash
        appendU32(UInt32(contributions.count), &out)
        for c in contributions { c.append(to: &out) }
        return out
    }
}

/// One phase-2 contribution (snarkjs `zkey contribute` / `zkey beacon`): the new δ·G1 and a proof
/// of knowledge of the factor δ′ (`g1_s`, `g1_sx = δ′·g1_s`, `g2_spx = δ′·hashToG2(transcript)`).
public struct PhaseTwoContribution: Sendable, Equatable {
    public var index: Int
    public var deltaAfter: G1Affine
    public var g1s: G1Affine, g1sx: G1Affine
    public var g2spx: G2Affine
    /// BLAKE2b-512(circuit hash | earlier contributions' public keys | g1_s | g1_sx).
    public var transcript: [UInt8]
    /// 0 for a contribution, 1 for a beacon.
    public var type: UInt32
    public var name: String?
    public var iterationsExp: Int?
    public var beaconHash: [UInt8]?

    init(index: Int, deltaAfter: G1Affine, g1s: G1Affine, g1sx: G1Affine, g2spx: G2Affine, transcript: [UInt8], type: UInt32,
         name: String?, iterationsExp: Int?, beaconHash: [UInt8]?) {
        self.index = index; self.deltaAfter = deltaAfter; self.g1s = g1s; self.g1sx = g1sx; self.g2spx = g2spx
        self.transcript = transcript; self.type = type; self.name = name; self.iterationsExp = iterationsExp; self.beaconHash = beaconHash
    }

    init(reading r: inout ByteReader, index: Int) throws {
        let w = "contribution #\(index)"
        self.index = index
        deltaAfter = try r.readG1Montgomery("\(w) deltaAfter")
        g1s = try r.readG1Montgomery("\(w) g1_s")
        g1sx = try r.readG1Montgomery("\(w) g1_sx")
        g2spx = try r.readG2Montgomery("\(w) g2_spx", subgroup: true)
        transcript = Array(try r.readBytes(64, "\(w) transcript"))
        type = try r.readU32("\(w) type")
        guard type <= 1 else { throw CeremonyError.invalidFile("\(w): unknown contribution type \(type)") }
        let p = try ContributionParameters(reading: &r, context: w)
        name = p.name; iterationsExp = p.iterationsExp; beaconHash = p.beaconHash
        if type == 1 {
            guard let e = iterationsExp, let b = beaconHash, (10...63).contains(e), !b.isEmpty else {
                throw CeremonyError.invalidFile("\(w): a beacon needs its hash and an iteration exponent in 10...63")
            }
        }
    }

    func append(to out: inout [UInt8]) {
        SnarkjsPoint.appendLEM(deltaAfter, to: &out)
        SnarkjsPoint.appendLEM(g1s, to: &out)
        SnarkjsPoint.appendLEM(g1sx, to: &out)
        SnarkjsPoint.appendLEM(g2spx, to: &out)
        out += transcript
        appendU32(type, &out)
        ContributionParameters(name: name, iterationsExp: type == 1 ? iterationsExp : nil, beaconHash: type == 1 ? beaconHash : nil).append(to: &out)
    }

    /// snarkjs `hashPubKey`: deltaAfter, g1_s, g1_sx, g2_spx (uncompressed), transcript.
    func hashPublicKey(into h: inout Blake2b512) {
        h.update(SnarkjsPoint.uncompressed(deltaAfter))
        h.update(SnarkjsPoint.uncompressed(g1s))
        h.update(SnarkjsPoint.uncompressed(g1sx))
        h.update(SnarkjsPoint.uncompressed(g2spx))
        h.update(transcript)
    }

    /// The contribution hash snarkjs prints: BLAKE2b-512 of the public key (``hashPublicKey(into:)``).
    public var contributionHash: [UInt8] {
        var h = Blake2b512()
        hashPublicKey(into: &h)
        return h.finalize()
    }
}

func appendLimbs(_ l: [UInt64], _ out: inout [UInt8]) { for w in l { appendU64(w, &out) } }
