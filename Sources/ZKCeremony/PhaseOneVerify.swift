import Foundation
import ZKAlgebra
import ZKFormats
import ZKSodium

extension PhaseOne {
    /// One verified phase-1 contribution, as snarkjs prints it.
    public struct ContributionSummary: Sendable, Equatable {
        public var index: Int
        public var name: String?
        public var nextChallenge: [UInt8]
        public var responseHash: [UInt8]
        /// The challenge this contribution answered (the previous one's next challenge).
        public var previousChallenge: [UInt8]
        public var beaconHash: String?
        public var iterationsExp: Int?
    }

    public struct Report: Sendable, Equatable {
        public var power: Int
        public var ceremonyPower: Int
        /// In chain order.
        public var contributions: [ContributionSummary]
        /// The file's own challenge hash (recomputed from its points).
        public var nextChallenge: [UInt8]
        /// Whether sections 12–15 were present (and checked).
        public var prepared: Bool
    }

    /// snarkjs `powersoftau verify`: throws ``CeremonyError/verificationFailed(_:)`` naming the
    /// first failed check. Checks every contribution's three proofs of knowledge against the
    /// previous challenge, that each contribution's τ·G1, τ·G2, α·G1, β·G1, β·G2 follow the
    /// previous one's by the proven ratios, beacons against their parameters, that the file's
    /// points are successive powers (random linear combinations with 128-bit libsodium weights:
    /// e(Σrᵢ·Pᵢ, τ·G2) = e(Σrᵢ·Pᵢ₊₁, G2)), that the first points match the last contribution,
    /// that the recomputed challenge equals the last `nextChallenge` (full files), every point on
    /// its curve and the G2 powers in the subgroup, and — when prepared — that every Lagrange block
    /// equals the inverse FFT of the powers (Σrᵢ·τⁱ·G = Σ FFT(r)ₖ·Lₖ for random r).
    public static func verify(_ file: PowersOfTau, threads: Int = ceremonyDefaultThreads()) throws -> Report {
        func fail(_ m: String) -> CeremonyError { .verificationFailed(m) }
        guard let last = file.contributions.last else {
            throw fail("this file has no contribution: it cannot be used in production")
        }
        let first = firstChallengeHash(power: file.ceremonyPower)
        let g1 = G1Affine.generatorPoint, g2 = G2Affine.generatorPoint
        struct Prev { var tauG1: G1Affine; var tauG2: G2Affine; var alphaG1: G1Affine; var betaG1: G1Affine; var betaG2: G2Affine; var nextChallenge: [UInt8] }
        let initial = Prev(tauG1: g1, tauG2: g2, alphaG1: g1, betaG1: g1, betaG2: g2, nextChallenge: first)

        func check(_ c: PhaseOneContribution, _ prev: Prev) throws {
            let who = "contribution #\(c.index)\(c.name.map { " (\($0))" } ?? "")"
            if c.type == 1, let b = c.beaconHash, let e = c.iterationsExp {
                var rng = snarkjsBeaconRNG(beacon: b, iterationsExp: e)
                let expected = makeKey(challenge: prev.nextChallenge, rng: &rng).key
                guard expected == c.key else { throw fail("\(who): beacon key is not generated correctly from its beacon parameters") }
            }
            let sp = [UInt8(0), 1, 2].map { i -> G2Affine in
                let part = [c.key.tau, c.key.alpha, c.key.beta][Int(i)]
                return snarkjsG2sp(personalization: i, challenge: prev.nextChallenge, g1s: part.g1s, g1sx: part.g1sx)
            }
            let parts = [("tau", c.key.tau), ("alpha", c.key.alpha), ("beta", c.key.beta)]
            for (i, (name, part)) in parts.enumerated() where !sameRatio(part.g1s, part.g1sx, sp[i], part.g2spx) {
                throw fail("\(who): proof of knowledge of \(name) is invalid")
            }
            guard sameRatio(prev.tauG1, c.tauG1, sp[0], c.key.tau.g2spx) else { throw fail("\(who): τ·G1 does not follow the previous contribution") }
            guard sameRatio(c.key.tau.g1s, c.key.tau.g1sx, prev.tauG2, c.tauG2) else { throw fail("\(who): τ·G2 does not follow the previous contribution") }
            guard sameRatio(prev.alphaG1, c.alphaG1, sp[1], c.key.alpha.g2spx) else { throw fail("\(who): α·G1 does not follow the previous contribution") }
            guard sameRatio(prev.betaG1, c.betaG1, sp[2], c.key.beta.g2spx) else { throw fail("\(who): β·G1 does not follow the previous contribution") }
            guard sameRatio(c.key.beta.g1s, c.key.beta.g1sx, prev.betaG2, c.betaG2) else { throw fail("\(who): β·G2 does not follow the previous contribution") }
        }

        // The chain, each contribution against the one before.
        var prev = initial
        var summaries: [ContributionSummary] = []
        for c in file.contributions {
            try check(c, prev)
            summaries.append(ContributionSummary(index: c.index, name: c.name, nextChallenge: c.nextChallenge, responseHash: c.responseHash,
                                                 previousChallenge: prev.nextChallenge, beaconHash: c.type == 1 ? c.beaconHash.map(hexString) : nil,
                                                 iterationsExp: c.type == 1 ? c.iterationsExp : nil))
            prev = Prev(tauG1: c.tauG1, tauG2: c.tauG2, alphaG1: c.alphaG1, betaG1: c.betaG1, betaG2: c.betaG2, nextChallenge: c.nextChallenge)
        }

        // The points of the file.
        let n = 1 << file.power
        let tau1 = try loadG1(file, 2, count: 2 * n - 1, threads: threads)
        let tau2 = try loadG2(file, 3, count: n, subgroup: true, threads: threads)
        let alpha = try loadG1(file, 4, count: n, threads: threads)
        let beta = try loadG1(file, 5, count: n, threads: threads)
        let betaG2 = try file.g2(6, 0)
        func successive<C: GLVCurve>(_ ps: [AffinePoint<C>]) -> (AffinePoint<C>, AffinePoint<C>) {
            let w = randomWeights(ps.count - 1)
            return (MSM.multiScalarMultiply(bases: Array(ps.dropLast()), scalars: w, threads: threads).affine,
                    MSM.multiScalarMultiply(bases: Array(ps.dropFirst()), scalars: w, threads: threads).affine)
        }
        func powersHold(_ name: String, _ r: (G1Affine, G1Affine)) throws {
            if r.0.isInfinity && r.1.isInfinity { return }
            guard sameRatio(r.0, r.1, g2, last.tauG2) else { throw fail("\(name) section: the points are not successive powers of τ") }
        }
        try powersHold("τ·G1", successive(tau1))
        guard tau1[0] == g1 else { throw fail("the first τ·G1 point must be the generator") }
        guard tau1[1] == last.tauG1 else { throw fail("the second τ·G1 point does not match the last contribution") }
        let r2 = successive(tau2)
        guard (r2.0.isInfinity && r2.1.isInfinity) || sameRatio(g1, last.tauG1, r2.0, r2.1) else { throw fail("τ·G2 section: the points are not successive powers of τ") }
        guard tau2[0] == g2 else { throw fail("the first τ·G2 point must be the generator") }
        guard n < 2 || tau2[1] == last.tauG2 else { throw fail("the second τ·G2 point does not match the last contribution") }
        try powersHold("α·τ·G1", successive(alpha))
        guard alpha[0] == last.alphaG1 else { throw fail("the first α·τ·G1 point (α·G1) does not match the last contribution") }
        try powersHold("β·τ·G1", successive(beta))
        guard beta[0] == last.betaG1 else { throw fail("the first β·τ·G1 point (β·G1) does not match the last contribution") }
        guard betaG2 == last.betaG2 else { throw fail("β·G2 does not match the last contribution") }

        var next = Blake2b512()
        next.update(last.responseHash)
        hashUncompressed(tau1, &next); hashUncompressed(tau2, &next); hashUncompressed(alpha, &next)
        hashUncompressed(beta, &next); hashUncompressed([betaG2], &next)
        let nextChallenge = next.finalize()
        if file.power == file.ceremonyPower, nextChallenge != last.nextChallenge {
            throw fail("the hash of the file's points does not match the last contribution's next challenge")
        }

        if file.isPrepared {
            try verifyLagrange(file, 12, tau1, extra: true, threads: threads)
            try verifyLagrange(file, 13, tau2, extra: false, threads: threads)
            try verifyLagrange(file, 14, alpha, extra: false, threads: threads)
            try verifyLagrange(file, 15, beta, extra: false, threads: threads)
        }
        return Report(power: file.power, ceremonyPower: file.ceremonyPower, contributions: summaries, nextChallenge: nextChallenge, prepared: file.isPrepared)
    }

    static func verifyLagrange<C: GLVCurve>(_ file: PowersOfTau, _ section: UInt32, _ powers: [AffinePoint<C>], extra: Bool, threads: Int) throws {
        let name = [12: "τ·G1", 13: "τ·G2", 14: "α·τ·G1", 15: "β·τ·G1"][Int(section)]!
        for p in 0...(file.power + (extra ? 1 : 0)) {
            let size = 1 << p
            var r = randomWeights(size)
            if size > powers.count { r[size - 1] = .zero }    // the missing τ^(2n−1)
            let lhs = MSM.multiScalarMultiply(bases: Array(powers.prefix(min(size, powers.count))), scalars: Array(r.prefix(min(size, powers.count))), threads: threads)
            var e = r
            Domain(logSize: p)!.forward(&e)
            let blockStart = size - 1
            let lagrange: [AffinePoint<C>] = try parallelMapThrowing(size, threads: threads) { i in
                let o = file.range(section).lowerBound + (blockStart + i) * (C.self == BN254G2.self ? 128 : 64)
                let q: AffinePoint<C>? = file.bytes.withUnsafeBytes { raw in
                    if C.self == BN254G2.self { return SnarkjsPoint.g2(lem: raw, at: o, subgroup: false) as? AffinePoint<C> }
                    return SnarkjsPoint.g1(lem: raw, at: o) as? AffinePoint<C>
                }
                guard let q else { throw CeremonyError.invalidFile("ptau section \(section) point \(blockStart + i) is not a valid curve point") }
                return q
            }
            let rhs = MSM.multiScalarMultiply(bases: lagrange, scalars: e, threads: threads)
            guard lhs == rhs else { throw CeremonyError.verificationFailed("Lagrange section \(section) (\(name)), domain 2^\(p): not the Lagrange basis of the powers") }
        }
    }

    /// Independent uniformly random 128-bit weights from libsodium.
    static func randomWeights(_ n: Int) -> [Fr] {
        let bytes = Sodium.randomBytes(16 * max(n, 0))
        return (0..<n).map { i in
            let o = 16 * i
            let lo = bytes[o..<(o + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let hi = bytes[(o + 8)..<(o + 16)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return Fr(canonicalLimbs: [lo, hi, 0, 0])!
        }
    }

    /// snarkjs's printout of a verified chain (each contribution with its hashes; beacons with
    /// their parameters).
    public static func describe(_ report: Report) -> String {
        var lines: [String] = [formatSnarkjsHash(report.nextChallenge, title: "Next challenge hash: ")]
        for c in report.contributions.reversed() {
            lines.append("-----------------------------------------------------")
            lines.append("Contribution #\(c.index): \(c.name ?? "")")
            lines.append(formatSnarkjsHash(c.nextChallenge, title: "Next Challenge: "))
            lines.append(formatSnarkjsHash(c.responseHash, title: "Response Hash:"))
            lines.append(formatSnarkjsHash(c.previousChallenge, title: "Previous Challenge:"))
            if let b = c.beaconHash, let e = c.iterationsExp {
                lines.append("Beacon generator: \(b)")
                lines.append("Beacon iterations Exp: \(e)")
            }
        }
        lines.append("-----------------------------------------------------")
        if !report.prepared { lines.append("this file does not contain phase2 precalculated values (run `zkinfer ptau prepare`)") }
        lines.append("Powers of Tau Ok!")
        return lines.joined(separator: "\n")
    }
}
