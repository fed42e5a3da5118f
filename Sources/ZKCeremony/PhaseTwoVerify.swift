import Foundation
import ZKAlgebra
import ZKFormats
import ZKSodium

extension PhaseTwo {
    /// What a successful verification established, for printing and for claims.
    public struct Report: Sendable, Equatable {
        public var circuitHash: [UInt8]
        /// In chain order (the first contribution first).
        public var contributions: [ContributionSummary]
        /// The key's circuit hash is the pre-2023 snarkjs encoding of the rebuilt initial key's.
        public var legacyCircuitHash = false
    }

    /// One verified contribution.
    public struct ContributionSummary: Sendable, Equatable, Codable {
        /// 1-based position in the chain.
        public var index: Int
        public var name: String?
        /// snarkjs's contribution hash (BLAKE2b-512 of the public key), 64 bytes.
        public var hash: [UInt8]
        /// For a beacon: the beacon value (hex) and exponent.
        public var beaconHash: String?
        public var iterationsExp: Int?

        public var hashHex: String { hexString(hash) }
    }

    /// snarkjs `zkey verify` against an initial key (the one `zkey new` makes from the circuit and
    /// the `.ptau`, or a given `0000.zkey`). Throws ``CeremonyError/verificationFailed(_:)`` naming
    /// the first failed check; returns the chain on success.
    ///
    /// Checks: the initial key has δ = 1 and no contributions; same circuit hash, sizes, α, β, γ;
    /// for each contribution: its transcript = BLAKE2b(circuit hash | earlier public keys | g1_s |
    /// g1_sx), e(g1_s, g2_spx) = e(g1_sx, hashToG2(transcript)), δ_after / δ_before is the same
    /// ratio, beacons regenerated from their parameters; δ1 is the last δ_after and δ2 matches it;
    /// sections 3–7 byte-identical; and for L and H, with fresh random 128-bit weights rᵢ from
    /// libsodium, e(Σrᵢ·Lᵢ, δ2) = e(Σrᵢ·L⁰ᵢ, δ⁰2) (likewise H): every point scaled by the same δ⁻¹.
    public static func verify(initial: PhaseTwoKey, final key: PhaseTwoKey, threads: Int = ceremonyDefaultThreads()) throws -> Report {
        func fail(_ m: String) -> CeremonyError { .verificationFailed(m) }
        guard initial.contributions.isEmpty, initial.delta1 == .generatorPoint, initial.delta2 == .generatorPoint else {
            throw fail("the initial key is not a fresh `zkey new` key (it has contributions or δ ≠ 1)")
        }
        guard key.circuitHash == initial.circuitHash else { throw fail("circuit hash differs from the initial key's: the key is for another circuit or .ptau") }
        guard key.nVars == initial.nVars, key.nPublic == initial.nPublic, key.domainSize == initial.domainSize else {
            throw fail("nVars, nPublic or domainSize differ from the initial key")
        }
        guard key.alpha1 == initial.alpha1, key.beta1 == initial.beta1, key.beta2 == initial.beta2, key.gamma2 == initial.gamma2 else {
            throw fail("α, β or γ differ from the initial key (a different .ptau?)")
        }

        let (summaries, current) = try checkChain(key)
        _ = current
        for s: UInt32 in 3...7 where key.section(s) != initial.section(s) {
            let what = [3: "IC", 4: "coefficients", 5: "A", 6: "B1", 7: "B2"][Int(s)]!
            throw fail("section \(s) (\(what)) differs from the initial key")
        }
        for (s, what) in [(UInt32(8), "L"), (UInt32(9), "H")] {
            guard key.range(s).count == initial.range(s).count else { throw fail("section \(s) (\(what)) has another size than the initial key's") }
        }
        // L: every point scaled by the same δ⁻¹ (random 128-bit weights).
        let lFinal = try loadSection(key, 8, threads: threads), lInitial = try loadSection(initial, 8, threads: threads)
        if !lFinal.isEmpty {
            var w = PhaseOne.randomWeights(lFinal.count)
            defer { Sodium.zeroize(&w) }
            guard scaledByDelta(lInitial, lFinal, w) else { throw fail("section 8 (L) does not match the initial key scaled by δ⁻¹") }
        }
        // H, in the monomial basis τⁱ·t(τ)/δ (i < n) that the odd-coset points encode: the first n − 1
        // components (all an honest prover uses) by a random combination — snarkjs's check, with the
        // weights s (s[n−1] = 0) mapped to the odd-coset basis by an FFT — and the last component
        // must be the initial one scaled by δ⁻¹ or zero (what `zkey import bellman` writes). snarkjs
        // leaves that component unchecked; a contributor could plant a point there that a malicious
        // prover can use (an IC point over δ turns a public input into a private one).
        let hFinal = try loadSection(key, 9, threads: threads), hInitial = try loadSection(initial, 9, threads: threads)
        let n = hFinal.count
        var s = PhaseOne.randomWeights(n)
        s[n - 1] = .zero
        Domain(size: n)!.forward(&s)
        defer { Sodium.zeroize(&s) }
        guard scaledByDelta(hInitial, hFinal, s) else { throw fail("section 9 (H) does not match the initial key scaled by δ⁻¹") }
        var last = [Fr](repeating: .one, count: n)
        let omegaInverse = Domain(size: n)!.omegaInverse
        for k in 1..<max(n, 1) { last[k] = last[k - 1] * omegaInverse }
        let lastFinal = MSM.multiScalarMultiply(bases: hFinal, scalars: last, threads: threads).affine
        if !lastFinal.isInfinity {
            let lastInitial = MSM.multiScalarMultiply(bases: hInitial, scalars: last, threads: threads).affine
            guard !lastInitial.isInfinity, Pairing.check([(lastInitial, initial.delta2), (-lastFinal, key.delta2)]) else {
                throw fail("section 9 (H): the top component (unused by honest provers) is neither the initial one scaled by δ⁻¹ nor zero")
            }
        }

        /// Σwᵢ·Aᵢ and Σwᵢ·Bᵢ: e(ΣwA, δ⁰2) = e(ΣwB, δ2), i.e. B = A·δ⁰/δ on the combination.
        func scaledByDelta(_ a: [G1Affine], _ b: [G1Affine], _ w: [Fr]) -> Bool {
            let r1 = MSM.multiScalarMultiply(bases: a, scalars: w, threads: threads).affine
            let r2 = MSM.multiScalarMultiply(bases: b, scalars: w, threads: threads).affine
            if r1.isInfinity || r2.isInfinity { return r1.isInfinity && r2.isInfinity && a == b }
            return Pairing.check([(r1, initial.delta2), (-r2, key.delta2)])
        }
        return Report(circuitHash: key.circuitHash, contributions: summaries)
    }

    /// The checks that need only the final key: every contribution's transcript, proof of knowledge
    /// and δ step (beacons regenerated), and δ1/δ2 in the header equal to the chain's product.
    /// Without the initial key this does not show that L, H and sections 3–7 are right; that is
    /// ``verify(initial:final:threads:)``'s job. Returns the contributions and the last δ.
    public static func verifyChain(_ key: PhaseTwoKey) throws -> [ContributionSummary] { try checkChain(key).0 }

    static func checkChain(_ key: PhaseTwoKey) throws -> ([ContributionSummary], G1Affine) {
        func fail(_ m: String) -> CeremonyError { .verificationFailed(m) }
        var accumulated = Blake2b512()
        accumulated.update(key.circuitHash)
        var current = G1Affine.generatorPoint
        var summaries: [ContributionSummary] = []
        for c in key.contributions {
            let who = "contribution #\(c.index)\(c.name.map { " (\($0))" } ?? "")"
            var ours = accumulated
            ours.update(SnarkjsPoint.uncompressed(c.g1s))
            ours.update(SnarkjsPoint.uncompressed(c.g1sx))
            guard ours.finalize() == c.transcript else { throw fail("\(who): transcript hash does not match the chain before it") }
            let g2sp = snarkjsHashToG2(c.transcript)
            guard sameRatio(c.g1s, c.g1sx, g2sp, c.g2spx) else { throw fail("\(who): proof of knowledge invalid (g1_s, g1_sx and g2_spx do not have the same ratio)") }
            guard sameRatio(current, c.deltaAfter, g2sp, c.g2spx) else { throw fail("\(who): δ changed without a matching proof (deltaAfter does not follow the public key)") }
            if c.type == 1, let beacon = c.beaconHash, let e = c.iterationsExp {
                var rng = snarkjsBeaconRNG(beacon: beacon, iterationsExp: e)
                let secret = rng.field(Fr.self)
                let g1s = rng.g1()
                guard g1s == c.g1s, (g1s.jacobian * secret).affine == c.g1sx else { throw fail("\(who): beacon key does not match the beacon parameters") }
            }
            c.hashPublicKey(into: &accumulated)
            summaries.append(ContributionSummary(index: c.index, name: c.name, hash: c.contributionHash,
                                                 beaconHash: c.type == 1 ? c.beaconHash.map(hexString) : nil,
                                                 iterationsExp: c.type == 1 ? c.iterationsExp : nil))
            current = c.deltaAfter
        }
        guard key.delta1 == current else { throw fail("δ1 in the header is not the last contribution's deltaAfter") }
        guard sameRatio(.generatorPoint, current, .generatorPoint, key.delta2) else { throw fail("δ2 in the header does not match δ1") }
        return (summaries, current)
    }

    /// snarkjs `zkey verify CIRCUIT.r1cs FILE.ptau FINAL.zkey`: rebuilds the initial key from the
    /// circuit and the `.ptau`, then ``verify(initial:final:threads:)``. A final key whose circuit
    /// hash is the pre-2023 encoding of the same initial key (see ``initialKey(r1cs:ptau:threads:)``)
    /// is checked against that variant; `Report.legacyCircuitHash` says so.
    public static func verify(r1cs: R1CSFile, ptau: PowersOfTau, final key: PhaseTwoKey, threads: Int = ceremonyDefaultThreads()) throws -> Report {
        let (bytes, legacy) = try initialKey(r1cs: r1cs, ptau: ptau, threads: threads)
        var initial = try PhaseTwoKey(bytes: bytes)
        var usedLegacy = false
        if key.circuitHash != initial.circuitHash, key.circuitHash == legacy {
            var patched = bytes
            let at = initial.range(10).lowerBound
            patched.replaceSubrange(at..<(at + 64), with: legacy)
            initial = try PhaseTwoKey(bytes: patched)
            usedLegacy = true
        }
        var report = try verify(initial: initial, final: key, threads: threads)
        report.legacyCircuitHash = usedLegacy
        return report
    }

    /// snarkjs `zkey export verificationkey` as zkinfer's ``VerificationKeyJSON``-compatible values:
    /// α1, β2, γ2, δ2 and IC (checked on the curve; G2 in the subgroup).
    public static func verificationKeyPoints(_ key: PhaseTwoKey) throws -> (alpha1: G1Affine, beta2: G2Affine, gamma2: G2Affine, delta2: G2Affine, ic: [G1Affine]) {
        (key.alpha1, key.beta2, key.gamma2, key.delta2, try loadSection(key, 3, threads: 1))
    }

    /// The text snarkjs prints after a successful `zkey verify`: each contribution from the last,
    /// its hash in snarkjs's format, beacon parameters, and "ZKey Ok!".
    public static func describe(_ report: Report) -> String {
        var lines = [formatSnarkjsHash(report.circuitHash, title: "Circuit Hash: ")]
        for c in report.contributions.reversed() {
            lines.append("-------------------------")
            lines.append(formatSnarkjsHash(c.hash, title: "contribution #\(c.index) \(c.name ?? ""):"))
            if let b = c.beaconHash, let e = c.iterationsExp {
                lines.append("Beacon generator: \(b)")
                lines.append("Beacon iterations Exp: \(e)")
            }
        }
        lines.append("-------------------------")
        lines.append("ZKey Ok!")
        return lines.joined(separator: "\n")
    }
}
