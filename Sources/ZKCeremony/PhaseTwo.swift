import Foundation
import ZKAlgebra
import ZKFormats
import ZKSodium

/// Phase 2 of a Groth16 ceremony, byte-compatible with snarkjs (`zkey new`, `zkey contribute`,
/// `zkey beacon`, `zkey verify`, `zkey export verificationkey`).
///
/// Trust model: the final key is sound if the `.ptau` is sound (phase 1) and at least one
/// contributor in the chain kept its δ′ secret. ``verify(initial:final:threads:)`` checks exactly
/// what a verifier must not take on trust: each proof of knowledge, the transcript chain, that δ is
/// the product of the contributions, that nothing but δ, L and H changed, and that L and H were
/// scaled by the same δ⁻¹ (random linear combinations).
public enum PhaseTwo {
    // MARK: zkey new

    /// snarkjs `zkey new` (= `groth16 setup`): the initial key (δ = 1, no contributions) of a circuit
    /// from a prepared `.ptau`. Deterministic; the same bytes as snarkjs for the same inputs.
    ///
    /// A = Σ a·Lτ, B1 = Σ b·Lτ, B2 = Σ b·Lτ·G2, and for every signal β·A + α·B + C (IC for public
    /// signals, C/L for the others) from the Lagrange sections 12–15 at the circuit's domain; H is
    /// the odd half of the next domain's τ-Lagrange block (the odd-coset form the prover uses);
    /// one extra A row per public signal and the constant, as snarkjs adds.
    public static func newKey(r1cs: R1CSFile, ptau: PowersOfTau, threads: Int = ceremonyDefaultThreads()) throws -> [UInt8] {
        try initialKey(r1cs: r1cs, ptau: ptau, threads: threads).bytes
    }

    /// The initial key and, besides its circuit hash, the one snarkjs computed before May 2023:
    /// wasmcurves then encoded the identity as `0x40, 0…` in the hashed (uncompressed) form
    /// (wasmcurves commit 16485fb removed the flag), so keys made then from circuits with unused
    /// signals carry that hash. Verification accepts either; `newKey` writes today's.
    public static func initialKey(r1cs: R1CSFile, ptau: PowersOfTau, threads: Int = ceremonyDefaultThreads()) throws -> (bytes: [UInt8], legacyCircuitHash: [UInt8]) {
        guard ptau.isPrepared else {
            throw CeremonyError.mismatch("the .ptau is not prepared for phase 2 (run `zkinfer ptau prepare` first)")
        }
        try r1cs.validateForCeremony()
        let nPublic = r1cs.nPublic, nVars = r1cs.nWires, nConstraints = r1cs.nConstraints
        let total = nConstraints + nPublic
        let cirPower = (total == 0 ? 0 : (Int.bitWidth - 1 - total.leadingZeroBitCount)) + 1
        guard cirPower <= ptau.power else {
            throw CeremonyError.mismatch("circuit too big for this powers-of-tau file: \(nConstraints) constraints + \(nPublic) public signals need 2^\(cirPower) points, the file has 2^\(ptau.power)")
        }
        let domainSize = 1 << cirPower
        if cirPower == ptau.power, domainSize - 1 > hashChunk {
            // snarkjs hashes the H part of the circuit hash in chunks of 2^14 differences
            // τ^(d+i)·G1 − τ^i·G1; for d ≥ 2^15 its last chunk runs to i = d − 1 and reads τ^(2d−1)·G1,
            // which a .ptau of power log2(d) does not have (snarkjs reads the next section's bytes).
            throw CeremonyError.unsupported("a circuit of domain 2^\(cirPower) needs a .ptau of power ≥ \(cirPower + 1) for a snarkjs-compatible circuit hash (this one has power \(ptau.power))")
        }

        var hasher = CircuitHasher()
        let alpha1 = try ptau.g1(4, 0), beta1 = try ptau.g1(5, 0), beta2 = try ptau.g2(6, 0)
        let g1 = G1Affine.generatorPoint, g2 = G2Affine.generatorPoint
        hasher.point(alpha1); hasher.point(beta1); hasher.point(beta2)
        hasher.point(g2); hasher.point(g1); hasher.point(g2)

        // Lagrange bases at the circuit's domain: block cirPower starts at index d − 1.
        let first = domainSize - 1
        let tauL = try loadG1(ptau, 12, first, domainSize, threads)
        let alphaL = try loadG1(ptau, 14, first, domainSize, threads)
        let betaL = try loadG1(ptau, 15, first, domainSize, threads)
        let tauL2 = try loadG2(ptau, 13, first, domainSize, threads)

        // Per-signal linear combinations of bases. kind: 0 τ, 2 α·τ, 3 β·τ (snarkjs's numbering).
        var aTerms = [[(Int, Fr)]](repeating: [], count: nVars)
        var bTerms = [[(Int, Fr)]](repeating: [], count: nVars)
        var cTerms = [[(UInt8, Int, Fr)]](repeating: [], count: nVars)
        var coefficients: [UInt8] = []
        var coefficientCount = 0
        let rElement = Fr(montgomeryLimbs: 1, 0, 0, 0).inverse()!
        func writeCoefficient(_ matrix: UInt32, _ c: Int, _ s: Int, _ v: Fr) {
            appendU32(matrix, &coefficients); appendU32(UInt32(c), &coefficients); appendU32(UInt32(s), &coefficients)
            SnarkjsPoint.appendMontgomery(v * rElement, &coefficients)
            coefficientCount += 1
        }
        for (c, con) in r1cs.constraints.enumerated() {
            for t in con.a {
                aTerms[t.wire].append((c, t.coefficient)); cTerms[t.wire].append((3, c, t.coefficient))
                writeCoefficient(0, c, t.wire, t.coefficient)
            }
            for t in con.b {
                bTerms[t.wire].append((c, t.coefficient)); cTerms[t.wire].append((2, c, t.coefficient))
                writeCoefficient(1, c, t.wire, t.coefficient)
            }
            for t in con.c { cTerms[t.wire].append((0, c, t.coefficient)) }
        }
        for s in 0...nPublic {
            aTerms[s].append((nConstraints + s, .one)); cTerms[s].append((3, nConstraints + s, .one))
            writeCoefficient(0, nConstraints + s, s, .one)
        }
        var section4: [UInt8] = []
        appendU32(UInt32(coefficientCount), &section4)
        section4 += coefficients

        let aPoints = combine(aTerms, tauL, threads)
        let b1Points = combine(bTerms, tauL, threads)
        let b2Points = combine(bTerms, tauL2, threads)
        let cPoints: [G1Affine] = batchToAffine(parallelMap(nVars, threads: threads) { s in
            var acc = G1.infinity
            for (kind, c, v) in cTerms[s] {
                let base = kind == 0 ? tauL[c] : kind == 2 ? alphaL[c] : betaL[c]
                acc = acc + scaled(base, v)
            }
            return acc
        })
        let ic = Array(cPoints[0...nPublic]), l = Array(cPoints[(nPublic + 1)...])

        func hashPoints(_ ps: [G1Affine]) {
            hasher.count(ps.count)
            for p in ps { hasher.point(p) }
        }
        hashPoints(ic)
        // H in the file: τ-Lagrange block of size 2d (starting at 2d − 1), odd positions, copied.
        let r12 = ptau.range(12)
        var section9: [UInt8] = []
        section9.reserveCapacity(domainSize * 64)
        for i in 0..<domainSize {
            let o = r12.lowerBound + (2 * domainSize - 1 + 2 * i + 1) * 64
            section9 += ptau.bytes[o..<(o + 64)]
        }
        // H in the circuit hash: (τ^(d+i) − τ^i)·G1, with snarkjs's chunking (see the check above).
        hasher.count(domainSize - 1)
        var i = 0
        while i < domainSize - 1 {
            let n = min(domainSize - 1, hashChunk)
            let diffs = batchToAffine(try parallelMapThrowing(n, threads: threads) { k in
                let hi = try ptau.g1(2, domainSize + i + k), lo = try ptau.g1(2, i + k)
                return hi.jacobian - lo.jacobian
            })
            for p in diffs { hasher.point(p) }
            i += hashChunk
        }
        hashPoints(l)
        hashPoints(aPoints)
        hashPoints(b1Points)
        hasher.count(b2Points.count)
        for p in b2Points { hasher.point(p) }
        let (circuitHash, legacyHash) = hasher.finalize()

        var sections = PhaseTwoKey.headerSections(nVars: nVars, nPublic: nPublic, domainSize: domainSize, alpha1: alpha1, beta1: beta1,
                                                  beta2: beta2, gamma2: g2, delta1: g1, delta2: g2)
        sections.append((4, section4))
        sections.append((3, lem(ic)))
        sections.append((9, section9))
        sections.append((8, lem(l)))
        sections.append((5, lem(aPoints)))
        sections.append((6, lem(b1Points)))
        sections.append((7, lem(b2Points)))
        sections.append((10, PhaseTwoKey.contributionsSection(circuitHash: circuitHash, [])))
        return (BinContainer.write(magic: "zkey", version: 1, sections: sections), legacyHash)
    }

    /// snarkjs's chunk size when hashing the H differences (`hashHPoints`).
    static let hashChunk = 1 << 14

    // MARK: contribute / beacon

    /// A contribution's outcome: the new file and the contribution hash snarkjs prints.
    public struct ContributionResult: Sendable {
        public var bytes: [UInt8]
        public var contributionHash: [UInt8]
        public var circuitHash: [UInt8]
    }

    /// snarkjs `zkey contribute`: δ ← δ·δ′ for a fresh secret δ′, L and H scaled by δ′⁻¹, and a
    /// proof of knowledge of δ′ appended. δ′ comes from ChaCha seeded with BLAKE2b-512(64 bytes
    /// from libsodium | entropy), as snarkjs does; the secret, the seed and the generator state are
    /// zeroed before returning and nothing secret is written.
    public static func contribute(_ key: PhaseTwoKey, name: String?, entropy: [UInt8], threads: Int = ceremonyDefaultThreads()) throws -> ContributionResult {
        var rng = SnarkjsChaCha.contributionSecrets(entropy: entropy)
        defer { rng.wipe() }
        return try apply(key, rng: &rng, type: 0, name: name, iterationsExp: nil, beaconHash: nil, threads: threads)
    }

    /// snarkjs `zkey beacon`: a contribution whose δ′ is derived from a public beacon value
    /// (`2^iterationsExp` SHA-256 rounds), so anyone can recompute and check it.
    public static func beacon(_ key: PhaseTwoKey, name: String?, beaconHash: [UInt8], iterationsExp: Int,
                              threads: Int = ceremonyDefaultThreads()) throws -> ContributionResult {
        try checkBeacon(beaconHash, iterationsExp)
        var rng = snarkjsBeaconRNG(beacon: beaconHash, iterationsExp: iterationsExp)
        return try apply(key, rng: &rng, type: 1, name: name, iterationsExp: iterationsExp, beaconHash: beaconHash, threads: threads)
    }

    static func checkBeacon(_ beaconHash: [UInt8], _ iterationsExp: Int) throws {
        guard !beaconHash.isEmpty, beaconHash.count < 256 else {
            throw CeremonyError.invalidArgument("the beacon hash must be 1 to 255 bytes of hex")
        }
        guard (10...63).contains(iterationsExp) else {
            throw CeremonyError.invalidArgument("the beacon iteration exponent must be between 10 and 63 (got \(iterationsExp))")
        }
    }

    static func apply(_ key: PhaseTwoKey, rng: inout SnarkjsChaCha, type: UInt32, name: String?, iterationsExp: Int?,
                      beaconHash: [UInt8]?, threads: Int) throws -> ContributionResult {
        var transcriptHasher = Blake2b512()
        transcriptHasher.update(key.circuitHash)
        for c in key.contributions { c.hashPublicKey(into: &transcriptHasher) }
        var secret = rng.field(Fr.self)
        defer { Sodium.zeroize(&secret) }
        guard !secret.isZero else { throw CeremonyError.unsupported("the contribution secret was zero (probability 2^-254); run it again") }
        let g1s = rng.g1()
        let g1sx = (g1s.jacobian * secret).affine
        transcriptHasher.update(SnarkjsPoint.uncompressed(g1s))
        transcriptHasher.update(SnarkjsPoint.uncompressed(g1sx))
        let transcript = transcriptHasher.finalize()
        let g2sp = snarkjsHashToG2(transcript)
        let g2spx = (g2sp.jacobian * secret).affine
        let delta1 = (key.delta1.jacobian * secret).affine
        let delta2 = (key.delta2.jacobian * secret).affine
        var inverse = secret.inverse()!
        defer { Sodium.zeroize(&inverse) }
        let contribution = PhaseTwoContribution(index: key.contributions.count + 1, deltaAfter: delta1, g1s: g1s, g1sx: g1sx, g2spx: g2spx,
                                                transcript: transcript, type: type, name: name, iterationsExp: iterationsExp, beaconHash: beaconHash)
        let l = try scaleSection(key, 8, by: inverse, threads: threads)
        let h = try scaleSection(key, 9, by: inverse, threads: threads)
        var sections = PhaseTwoKey.headerSections(nVars: key.nVars, nPublic: key.nPublic, domainSize: key.domainSize, alpha1: key.alpha1,
                                                  beta1: key.beta1, beta2: key.beta2, gamma2: key.gamma2, delta1: delta1, delta2: delta2)
        for s: UInt32 in 3...7 { sections.append((s, Array(key.section(s)))) }
        sections.append((8, l))
        sections.append((9, h))
        sections.append((10, PhaseTwoKey.contributionsSection(circuitHash: key.circuitHash, key.contributions + [contribution])))
        return ContributionResult(bytes: BinContainer.write(magic: "zkey", version: 1, sections: sections),
                                  contributionHash: contribution.contributionHash, circuitHash: key.circuitHash)
    }

    /// Every G1 point of a section multiplied by `k` (points checked on the curve first).
    static func scaleSection(_ key: PhaseTwoKey, _ section: UInt32, by k: Fr, threads: Int) throws -> [UInt8] {
        let points = try loadSection(key, section, threads: threads)
        // One scalar for every point: decompose it once for the GLV endomorphism.
        var d = G1Endomorphism.decompose(k)
        defer { Sodium.zeroize(&d.k1); Sodium.zeroize(&d.k2) }
        let blocks = (points.count + 4095) / 4096
        let parts = parallelMap(blocks, threads: threads) { b in
            G1Endomorphism.multiply(Array(points[(b * 4096)..<min(points.count, (b + 1) * 4096)]), by: d)
        }
        let scaled = parts.flatMap { $0 }
        return lem(scaled)
    }

    static func loadSection(_ key: PhaseTwoKey, _ section: UInt32, threads: Int) throws -> [G1Affine] {
        let r = key.range(section)
        let n = r.count / 64
        return try key.bytes.withUnsafeBytes { raw in
            let b = Unchecked(value: raw)
            return try parallelMapThrowing(n, threads: threads) { i in
                guard let p = SnarkjsPoint.g1(lem: b.value, at: r.lowerBound + 64 * i) else {
                    throw CeremonyError.invalidFile("zkey section \(section) point \(i) is not a valid G1 point")
                }
                return p
            }
        }
    }

    // MARK: helpers

    static func loadG1(_ ptau: PowersOfTau, _ section: UInt32, _ first: Int, _ count: Int, _ threads: Int) throws -> [G1Affine] {
        try parallelMapThrowing(count, threads: threads) { try ptau.g1(section, first + $0) }
    }

    /// G2 bases on the twist (the subgroup is `ptau verify`'s business; the file's other checks
    /// and the pairing checks in verification catch keys built on bad points).
    static func loadG2(_ ptau: PowersOfTau, _ section: UInt32, _ first: Int, _ count: Int, _ threads: Int) throws -> [G2Affine] {
        try parallelMapThrowing(count, threads: threads) { try ptau.g2(section, first + $0, subgroup: false) }
    }

    static func combine<C: CurveParameters>(_ terms: [[(Int, Fr)]], _ bases: [AffinePoint<C>], _ threads: Int) -> [AffinePoint<C>] {
        batchToAffine(parallelMap(terms.count, threads: threads) { s in
            var acc = JacobianPoint<C>.infinity
            for (c, v) in terms[s] { acc = acc + scaled(bases[c], v) }
            return acc
        })
    }

    static func lem(_ ps: [G1Affine]) -> [UInt8] {
        var o: [UInt8] = []
        o.reserveCapacity(ps.count * 64)
        for p in ps { SnarkjsPoint.appendLEM(p, to: &o) }
        return o
    }

    static func lem(_ ps: [G2Affine]) -> [UInt8] {
        var o: [UInt8] = []
        o.reserveCapacity(ps.count * 128)
        for p in ps { SnarkjsPoint.appendLEM(p, to: &o) }
        return o
    }
}

/// `v·P`, cheap for the small and small-negative coefficients circuits mostly have.
@inline(__always)
func scaled<C: CurveParameters>(_ p: AffinePoint<C>, _ v: Fr) -> JacobianPoint<C> {
    if v.isOne { return p.jacobian }
    let neg = -v
    let l = v.canonicalLimbs, ln = neg.canonicalLimbs
    let bits = l.reversed().firstIndex { $0 != 0 }.map { 256 - 64 * $0 } ?? 0
    let bitsNeg = ln.reversed().firstIndex { $0 != 0 }.map { 256 - 64 * $0 } ?? 0
    if bitsNeg < bits { return -(p.jacobian.multiplied(byLimbs: ln)) }
    return p.jacobian.multiplied(byLimbs: l)
}

/// The circuit hash in today's encoding and in the pre-2023 one (identity hashed as `0x40, 0…`).
struct CircuitHasher {
    var current = Blake2b512(), legacy = Blake2b512()

    mutating func count(_ n: Int) { hashU32BE(n, &current); hashU32BE(n, &legacy) }

    mutating func point(_ p: G1Affine) { add(SnarkjsPoint.uncompressed(p), p.isInfinity) }
    mutating func point(_ p: G2Affine) { add(SnarkjsPoint.uncompressed(p), p.isInfinity) }

    private mutating func add(_ u: [UInt8], _ identity: Bool) {
        current.update(u)
        if identity { var v = u; v[0] = 0x40; legacy.update(v) } else { legacy.update(u) }
    }

    consuming func finalize() -> ([UInt8], [UInt8]) { (current.finalize(), legacy.finalize()) }
}

func hashU32BE(_ n: Int, _ h: inout Blake2b512) {
    let v = UInt32(truncatingIfNeeded: n)
    h.update([UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)])
}

/// ``parallelMap(_:threads:_:)`` for a throwing body: the first error (by index) is rethrown.
func parallelMapThrowing<T>(_ count: Int, threads: Int, _ f: (Int) throws -> T) throws -> [T] {
    let results: [Result<T, Error>] = parallelMap(count, threads: threads) { i in Result { try f(i) } }
    return try results.map { try $0.get() }
}

extension AffinePoint where C == BN254G1 {
    static var generatorPoint: AffinePoint { BN254G1.generator }
}

extension AffinePoint where C == BN254G2 {
    static var generatorPoint: AffinePoint { BN254G2.generator }
}

extension R1CSFile {
    /// What `zkey new` needs of a circuit beyond the parser's checks.
    func validateForCeremony() throws {
        do { try validate() } catch { throw CeremonyError.invalidFile("invalid .r1cs: \(error)") }
        guard nWires >= nPublic + 1, nConstraints + nPublic < 1 << 27 else {
            throw CeremonyError.unsupported("circuit of \(nConstraints) constraints and \(nPublic) public signals is too large")
        }
    }
}
