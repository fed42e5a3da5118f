import Foundation
import ZKAlgebra
import ZKFormats
import ZKSodium

/// Phase 1 (powers of tau), byte-compatible with snarkjs `powersoftau new / contribute / beacon /
/// prepare phase2 / verify`.
///
/// A contribution multiplies every τⁱ·G by a fresh τ′ⁱ (and α, β by α′, β′), publishes a proof
/// of knowledge of τ′, α′, β′ bound to the previous challenge hash, and records the transcript
/// (response hash, next challenge). The result is sound if any one contributor was honest.
public enum PhaseOne {
    /// The first challenge hash of the 2^28 ceremony (Perpetual Powers of Tau / Hermez): computing it
    /// means hashing about 100 GB of generator points. Published in PPoT round 0001's attestation
    /// and printed by `snarkjs powersoftau verify` as contribution #1's previous challenge (see
    /// `Tests/ZKCeremonyTests/Fixtures/PROVENANCE.md`); ``firstChallengeHash(power:)`` computes every
    /// other power.
    public static let firstChallengeHash28 = bytes(fromHex:
        "93da91920d5a54a8a0fde55cd9dc3a10c4f3eef768b62c0948741370864254b4c1920f3f29d4ebc0ef3acecf2e2db63a755713d77e1ed77347a56fbc317c7a93")!

    /// snarkjs `calculateFirstChallengeHash`: BLAKE2b-512 of BLAKE2b-512("") followed by the blank
    /// file's points, uncompressed (2·2^p − 1 G1, 2^p G2, 2^p G1, 2^p G1, one G2).
    public static func firstChallengeHash(power: Int) -> [UInt8] {
        if power == 28 { return firstChallengeHash28 }
        var h = Blake2b512()
        h.update(Blake2b512.hash([UInt8]()))
        let g1 = SnarkjsPoint.uncompressed(G1Affine.generatorPoint), g2 = SnarkjsPoint.uncompressed(G2Affine.generatorPoint)
        func repeated(_ item: [UInt8], _ count: Int) {
            let block = 4096
            let big = [UInt8]((0..<min(block, max(count, 1))).flatMap { _ in item })
            var left = count
            while left > 0 {
                let k = min(left, block)
                big.withUnsafeBytes { h.update(buffer: UnsafeRawBufferPointer(rebasing: $0[0..<(k * item.count)])) }
                left -= k
            }
        }
        let n = 1 << power
        repeated(g1, 2 * n - 1)
        repeated(g2, n)
        repeated(g1, n)
        repeated(g1, n)
        h.update(g2)
        return h.finalize()
    }

    // MARK: new

    /// snarkjs `powersoftau new bn128 POWER`: every point the generator, no contributions.
    public static func newFile(power: Int) throws -> [UInt8] {
        guard (1...PowersOfTau.maxPower).contains(power) else {
            throw CeremonyError.invalidArgument("power must be between 1 and \(PowersOfTau.maxPower) (got \(power))")
        }
        let n = 1 << power
        let g1 = SnarkjsPoint.lem(G1Affine.generatorPoint), g2 = SnarkjsPoint.lem(G2Affine.generatorPoint)
        func rep(_ b: [UInt8], _ k: Int) -> [UInt8] {
            var o: [UInt8] = []
            o.reserveCapacity(b.count * k)
            for _ in 0..<k { o += b }
            return o
        }
        var contributions: [UInt8] = []
        appendU32(0, &contributions)
        return BinContainer.write(magic: "ptau", version: 1, sections: [
            (1, header(power: power, ceremonyPower: power)),
            (2, rep(g1, 2 * n - 1)), (3, rep(g2, n)), (4, rep(g1, n)), (5, rep(g1, n)), (6, g2), (7, contributions),
        ])
    }

    static func header(power: Int, ceremonyPower: Int) -> [UInt8] {
        var h: [UInt8] = []
        appendU32(32, &h)
        appendLimbs([Fq.p0, Fq.p1, Fq.p2, Fq.p3], &h)
        appendU32(UInt32(power), &h)
        appendU32(UInt32(ceremonyPower), &h)
        return h
    }

    // MARK: contribute / beacon

    /// The outcome of a contribution: the new file, its response hash (what snarkjs prints as
    /// "Contribution Response Hash") and the next challenge.
    public struct ContributionResult: Sendable {
        public var bytes: [UInt8]
        public var responseHash: [UInt8]
        public var nextChallenge: [UInt8]
    }

    /// snarkjs `powersoftau contribute`: τ′, α′, β′ from ChaCha seeded with BLAKE2b-512(64 bytes
    /// from libsodium | entropy); secrets and generator state zeroed before returning.
    public static func contribute(_ file: PowersOfTau, name: String?, entropy: [UInt8], threads: Int = ceremonyDefaultThreads()) throws -> ContributionResult {
        var rng = SnarkjsChaCha.contributionSecrets(entropy: entropy)
        defer { rng.wipe() }
        return try apply(file, rng: &rng, type: 0, name: name, beaconHash: nil, iterationsExp: nil, threads: threads)
    }

    /// snarkjs `powersoftau beacon`: the secrets derived from a public beacon (deterministic).
    public static func beacon(_ file: PowersOfTau, name: String?, beaconHash: [UInt8], iterationsExp: Int, threads: Int = ceremonyDefaultThreads()) throws -> ContributionResult {
        try PhaseTwo.checkBeacon(beaconHash, iterationsExp)
        var rng = snarkjsBeaconRNG(beacon: beaconHash, iterationsExp: iterationsExp)
        return try apply(file, rng: &rng, type: 1, name: name, beaconHash: beaconHash, iterationsExp: iterationsExp, threads: threads)
    }

    /// snarkjs `createPTauKey`: three secrets, then for each a proof of knowledge
    /// (`g1_s` drawn from the generator, `g1_sx = x·g1_s`, `g2_spx = x·getG2sp(i, challenge, …)`).
    static func makeKey(challenge: [UInt8], rng: inout SnarkjsChaCha) -> (key: PhaseOneKey, tau: Fr, alpha: Fr, beta: Fr) {
        let tau = rng.field(Fr.self), alpha = rng.field(Fr.self), beta = rng.field(Fr.self)
        var key = PhaseOneKey()
        func part(_ x: Fr, _ personalization: UInt8) -> PhaseOneKey.Part {
            let g1s = rng.g1()
            let g1sx = (g1s.jacobian * x).affine
            let sp = snarkjsG2sp(personalization: personalization, challenge: challenge, g1s: g1s, g1sx: g1sx)
            return PhaseOneKey.Part(g1s: g1s, g1sx: g1sx, g2spx: (sp.jacobian * x).affine)
        }
        key.tau = part(tau, 0)
        key.alpha = part(alpha, 1)
        key.beta = part(beta, 2)
        return (key, tau, alpha, beta)
    }

    static func apply(_ file: PowersOfTau, rng: inout SnarkjsChaCha, type: UInt32, name: String?, beaconHash: [UInt8]?,
                      iterationsExp: Int?, threads: Int) throws -> ContributionResult {
        guard file.power == file.ceremonyPower else {
            throw CeremonyError.unsupported("this file has been reduced (power \(file.power) of a 2^\(file.ceremonyPower) ceremony); contributions need the full file")
        }
        let challenge = file.contributions.last?.nextChallenge ?? firstChallengeHash(power: file.power)
        var (key, tau, alpha, beta) = makeKey(challenge: challenge, rng: &rng)
        defer { Sodium.zeroize(&tau); Sodium.zeroize(&alpha); Sodium.zeroize(&beta) }
        guard !tau.isZero, !alpha.isZero, !beta.isZero else { throw CeremonyError.unsupported("a contribution secret was zero (probability 2^-252); run it again") }
        let n = 1 << file.power
        var response = Blake2b512()
        response.update(challenge)

        let tauG1 = try scaledG1(file, 2, count: 2 * n - 1, first: .one, step: tau, threads: threads)
        let tauG2 = try scaledG2(file, 3, count: n, first: .one, step: tau, threads: threads)
        let alphaG1 = try scaledG1(file, 4, count: n, first: alpha, step: tau, threads: threads)
        let betaG1 = try scaledG1(file, 5, count: n, first: beta, step: tau, threads: threads)
        let betaG2 = try scaledG2(file, 6, count: 1, first: beta, step: tau, threads: threads)
        // The response hash covers the new points compressed, in chunks of 2^20 bytes of points
        // (snarkjs's chunking; it matters only for the stored partial state).
        func absorbCompressed(_ ps: [G1Affine]) {
            let chunk = (1 << 20) / 64
            for start in stride(from: 0, to: ps.count, by: chunk) {
                var b: [UInt8] = []
                b.reserveCapacity(32 * chunk)
                for p in ps[start..<min(ps.count, start + chunk)] { b += SnarkjsPoint.compressed(p) }
                response.update(b)
            }
        }
        func absorbCompressed(_ ps: [G2Affine]) {
            let chunk = (1 << 20) / 128
            for start in stride(from: 0, to: ps.count, by: chunk) {
                var b: [UInt8] = []
                b.reserveCapacity(64 * chunk)
                for p in ps[start..<min(ps.count, start + chunk)] { b += SnarkjsPoint.compressed(p) }
                response.update(b)
            }
        }
        absorbCompressed(tauG1); absorbCompressed(tauG2); absorbCompressed(alphaG1); absorbCompressed(betaG1); absorbCompressed(betaG2)
        let partial = response.partialState
        response.update(key.uncompressed)
        let responseHash = response.finalize()

        var next = Blake2b512()
        next.update(responseHash)
        hashUncompressed(tauG1, &next); hashUncompressed(tauG2, &next); hashUncompressed(alphaG1, &next)
        hashUncompressed(betaG1, &next); hashUncompressed(betaG2, &next)
        let nextChallenge = next.finalize()

        let contribution = PhaseOneContribution(
            tauG1: tauG1[1], tauG2: tauG2[1], alphaG1: alphaG1[0], betaG1: betaG1[0], betaG2: betaG2[0], key: key,
            partialHash: partial, nextChallenge: nextChallenge, type: type, name: name, iterationsExp: iterationsExp,
            beaconHash: beaconHash, index: file.contributions.count + 1)
        var section7: [UInt8] = []
        appendU32(UInt32(file.contributions.count + 1), &section7)
        for c in file.contributions { c.append(to: &section7) }
        contribution.append(to: &section7)
        let bytes = BinContainer.write(magic: "ptau", version: 1, sections: [
            (1, header(power: file.power, ceremonyPower: file.ceremonyPower)),
            (2, lemG1(tauG1)), (3, lemG2(tauG2)), (4, lemG1(alphaG1)), (5, lemG1(betaG1)), (6, lemG2(betaG2)), (7, section7),
        ])
        return ContributionResult(bytes: bytes, responseHash: responseHash, nextChallenge: nextChallenge)
    }

    /// Points `i` of a section times `first·stepⁱ` (snarkjs `batchApplyKey`).
    static func scaledG1(_ file: PowersOfTau, _ section: UInt32, count: Int, first: Fr, step: Fr, threads: Int) throws -> [G1Affine] {
        let points = try loadG1(file, section, count: count, threads: threads)
        return batchToAffine(parallelChunkedPowers(count, first: first, step: step, threads: threads) { i, k in
            points[i].jacobian.multiplied(by: G1Endomorphism.decompose(k))
        })
    }

    static func scaledG2(_ file: PowersOfTau, _ section: UInt32, count: Int, first: Fr, step: Fr, threads: Int) throws -> [G2Affine] {
        let points = try loadG2(file, section, count: count, threads: threads)
        return batchToAffine(parallelChunkedPowers(count, first: first, step: step, threads: threads) { i, k in points[i].jacobian * k })
    }

    /// `[f(i, first·stepⁱ)]`, each thread starting its chunk at `first·step^start`.
    static func parallelChunkedPowers<T>(_ count: Int, first: Fr, step: Fr, threads: Int, _ f: (Int, Fr) -> T) -> [T] {
        if count == 0 { return [] }
        var out = [T?](repeating: nil, count: count)
        out.withUnsafeMutableBufferPointer { buf in
            let b = Unchecked(value: buf.baseAddress!)
            forEachChunk(count, threads: threads) { r in
                var k = first * step.power(UInt64(r.lowerBound))
                for i in r {
                    b.value[i] = f(i, k)
                    k = k * step
                }
                Sodium.zeroize(&k)
            }
        }
        return out.map { $0! }
    }

    static func loadG1(_ file: PowersOfTau, _ section: UInt32, count: Int, from first: Int = 0, threads: Int) throws -> [G1Affine] {
        try parallelMapThrowing(count, threads: threads) { try file.g1(section, first + $0) }
    }

    static func loadG2(_ file: PowersOfTau, _ section: UInt32, count: Int, from first: Int = 0, subgroup: Bool = false, threads: Int) throws -> [G2Affine] {
        try parallelMapThrowing(count, threads: threads) { try file.g2(section, first + $0, subgroup: subgroup) }
    }

    static func hashUncompressed(_ ps: [G1Affine], _ h: inout Blake2b512) {
        var b: [UInt8] = []
        b.reserveCapacity(64 * min(ps.count, 1 << 16))
        for (i, p) in ps.enumerated() {
            b += SnarkjsPoint.uncompressed(p)
            if b.count >= 64 << 16 || i == ps.count - 1 { h.update(b); b.removeAll(keepingCapacity: true) }
        }
    }

    static func hashUncompressed(_ ps: [G2Affine], _ h: inout Blake2b512) {
        var b: [UInt8] = []
        for (i, p) in ps.enumerated() {
            b += SnarkjsPoint.uncompressed(p)
            if b.count >= 128 << 15 || i == ps.count - 1 { h.update(b); b.removeAll(keepingCapacity: true) }
        }
    }

    static func lemG1(_ ps: [G1Affine]) -> [UInt8] { PhaseTwo.lem(ps) }
    static func lemG2(_ ps: [G2Affine]) -> [UInt8] { PhaseTwo.lem(ps) }
}
