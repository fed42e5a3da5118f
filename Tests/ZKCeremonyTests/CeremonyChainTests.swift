import XCTest
import ZKAlgebra
import ZKConstraints
import ZKFormats
import ZKGroth16
@_spi(Testing) import ZKCeremony

/// Chains we make ourselves, end to end, and every tamper a verifier must catch.
final class CeremonyChainTests: XCTestCase {
    /// The snarkjs README circuit (Multiplier(5), both inputs public) and its witness.
    static let r1cs = try! R1CSFile(bytes: CeremonyFixtures.bytes("pot12-readme", "circuit.r1cs"))
    static let witness = try! WitnessFile(bytes: CeremonyFixtures.bytes("pot12-readme", "witness.wtns"))

    /// A small phase-1 ceremony of ours: new(6) → two contributions → beacon → prepare.
    static let ptau: PowersOfTau = {
        var f = try! PowersOfTau(bytes: PhaseOne.newFile(power: 6))
        f = try! PowersOfTau(bytes: PhaseOne.contribute(f, name: "alice", entropy: Array("a".utf8)).bytes)
        f = try! PowersOfTau(bytes: PhaseOne.contribute(f, name: "bob", entropy: []).bytes)
        f = try! PowersOfTau(bytes: PhaseOne.beacon(f, name: "beacon", beaconHash: [1, 2, 3, 4], iterationsExp: 10).bytes)
        return try! PowersOfTau(bytes: PhaseOne.prepare(f))
    }()

    /// Phase 2 on it: new → three contributions → beacon.
    static let chain: (initial: PhaseTwoKey, keys: [PhaseTwoKey], hashes: [[UInt8]]) = {
        let initial = try! PhaseTwoKey(bytes: PhaseTwo.newKey(r1cs: r1cs, ptau: ptau))
        var keys: [PhaseTwoKey] = []
        var hashes: [[UInt8]] = []
        var cur = initial
        for name in ["host", "verifier", "auditor"] {
            let r = try! PhaseTwo.contribute(cur, name: name, entropy: Array(name.utf8))
            cur = try! PhaseTwoKey(bytes: r.bytes)
            keys.append(cur); hashes.append(r.contributionHash)
        }
        let b = try! PhaseTwo.beacon(cur, name: "final beacon", beaconHash: Array(repeating: 0xab, count: 32), iterationsExp: 10)
        keys.append(try! PhaseTwoKey(bytes: b.bytes)); hashes.append(b.contributionHash)
        return (initial, keys, hashes)
    }()

    func testOurPhaseOneChainVerifies() throws {
        let report = try PhaseOne.verify(Self.ptau)
        XCTAssertEqual(report.contributions.map(\.name), ["alice", "bob", "beacon"])
        XCTAssertTrue(report.prepared)
        XCTAssertEqual(report.contributions[2].beaconHash, "01020304")
    }

    func testOurPhaseTwoChainVerifiesAndProves() throws {
        let final = Self.chain.keys.last!
        let report = try PhaseTwo.verify(r1cs: Self.r1cs, ptau: Self.ptau, final: final)
        XCTAssertEqual(report.contributions.map(\.name), ["host", "verifier", "auditor", "final beacon"])
        XCTAssertEqual(report.contributions.map(\.hash), Self.chain.hashes)
        XCTAssertEqual(try PhaseTwo.verify(initial: Self.chain.initial, final: final), report)
        XCTAssertEqual(try PhaseTwo.verifyChain(final).map(\.hash), Self.chain.hashes)
        // Every intermediate key is a valid chain too.
        for k in Self.chain.keys { XCTAssertNoThrow(try PhaseTwo.verify(initial: Self.chain.initial, final: k)) }

        // The key proves and the proof verifies under the exported verification key.
        let pk = try ProvingKey(zkey: ZKeyGroth16(bytes: final.bytes))
        let proof = try Groth16.prove(pk, witness: Self.witness.values)
        let p = try PhaseTwo.verificationKeyPoints(final)
        let vk = VerificationKey(alpha1: p.alpha1, beta2: p.beta2, gamma2: p.gamma2, delta2: p.delta2, ic: p.ic)
        XCTAssertEqual(vk, pk.verificationKey)
        let publics = Array(Self.witness.values[1...Self.r1cs.nPublic])
        XCTAssertTrue(try Groth16.verify(vk, proof: proof, publicInputs: publics))
        XCTAssertFalse(try Groth16.verify(vk, proof: proof, publicInputs: [publics[0] + .one] + publics.dropFirst()))
        // δ is not 1 any more (the key is not forgeable by construction).
        XCTAssertTrue(vk.forgeabilityWarnings.isEmpty)
    }

    /// The group inverse FFT of `prepare` against Lagrange evaluations computed in the field from
    /// known secrets (an independent, obviously correct route to the same points).
    func testPrepareMatchesFieldSideLagrangeEvaluations() throws {
        let tau = Fr(123_456_789), alpha = Fr(987), beta = Fr(65_537)
        for power in [1, 3, 5] {
            let known = try PhaseOne.knownSecretsPreparedFile(power: power, tau: tau, alpha: alpha, beta: beta)
            let prepared = try PhaseOne.prepare(PowersOfTau(bytes: known))
            XCTAssertTrue(prepared == known, "power \(power)")
        }
        // Such a file has no contribution: `ptau verify` refuses it for production.
        let f = try PowersOfTau(bytes: PhaseOne.knownSecretsPreparedFile(power: 3, tau: tau, alpha: alpha, beta: beta))
        XCTAssertThrowsError(try PhaseOne.verify(f)) { XCTAssertTrue("\($0)".contains("no contribution"), "\($0)") }
    }

    // MARK: tampers

    func assertRejected(_ key: [UInt8], _ needle: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let k = try PhaseTwoKey(bytes: key)
            _ = try PhaseTwo.verify(r1cs: Self.r1cs, ptau: Self.ptau, final: k)
            XCTFail("tampered key accepted (expected: \(needle))", file: file, line: line)
        } catch let e as CeremonyError {
            guard case .verificationFailed(let m) = e else { return XCTFail("not a verification failure: \(e)", file: file, line: line) }
            XCTAssertTrue(m.contains(needle), "message \"\(m)\" does not name \"\(needle)\"", file: file, line: line)
        } catch { XCTFail("unexpected error \(error)", file: file, line: line) }
    }

    func testDeltaChangedWithoutMatchingProofIsRejected() throws {
        let final = Self.chain.keys.last!
        // Header δ1 replaced (valid point, wrong value).
        var b = final.bytes
        let h = final.range(2)
        let delta1At = h.lowerBound + 4 + 32 + 4 + 32 + 12 + 64 + 64 + 128 + 128
        b.replaceSubrange(delta1At..<(delta1At + 64), with: SnarkjsPoint.lem((final.delta1.jacobian + final.delta1.jacobian).affine))
        assertRejected(b, "δ1 in the header")
        // The last deltaAfter and the header changed together: the proof of knowledge does not cover it.
        var contributions = Contributions(final)
        let doubled = SnarkjsPoint.lem((final.delta1.jacobian + final.delta1.jacobian).affine)
        contributions.items[3].replaceSubrange(0..<64, with: doubled)
        b = contributions.write(into: final)
        b.replaceSubrange(delta1At..<(delta1At + 64), with: doubled)
        assertRejected(b, "δ changed without a matching proof")
    }

    func testAlteredProofOfKnowledgeIsRejected() throws {
        let final = Self.chain.keys.last!
        var c = Contributions(final)
        // g2_spx of the last contribution (not covered by any later transcript).
        let g2 = try XCTUnwrap(c.items[3].withUnsafeBytes { SnarkjsPoint.g2(lem: $0, at: 192, subgroup: true) })
        c.items[3].replaceSubrange(192..<320, with: SnarkjsPoint.lem((g2.jacobian + g2.jacobian).affine))
        assertRejected(c.write(into: final), "proof of knowledge invalid")
    }

    func testAlteredTranscriptIsRejected() throws {
        let final = Self.chain.keys.last!
        var c = Contributions(final)
        c.items[1][320] ^= 1
        assertRejected(c.write(into: final), "contribution #2 (verifier): transcript hash does not match")
    }

    func testRemovedContributionIsRejected() throws {
        let final = Self.chain.keys.last!
        var c = Contributions(final)
        c.items.remove(at: 1)
        assertRejected(c.write(into: final), "contribution #2 (auditor): transcript hash does not match")
    }

    func testChangedLOrHPointIsRejected() throws {
        let final = Self.chain.keys.last!
        for (section, name) in [(UInt32(8), "section 8 (L)"), (UInt32(9), "section 9 (H)")] {
            var b = final.bytes
            let r = final.range(section)
            // Point 0 replaced by point 1: a valid point, the wrong one.
            let second = Array(b[(r.lowerBound + 64)..<(r.lowerBound + 128)])
            b.replaceSubrange(r.lowerBound..<(r.lowerBound + 64), with: second)
            assertRejected(b, name)
        }
    }

    /// H's top monomial component (τ^(n−1)·t(τ)/δ), which honest provers never use and snarkjs's
    /// check leaves free: zeroed (what `zkey import bellman` writes) is accepted, anything else refused.
    func testHTopComponentMustBeScaledOrZero() throws {
        let final = Self.chain.keys.last!
        let r = final.range(9)
        let n = r.count / 64
        let h: [G1Affine] = final.bytes.withUnsafeBytes { raw in (0..<n).map { SnarkjsPoint.g1(lem: raw, at: r.lowerBound + 64 * $0)! } }
        let omega = Domain(size: n)!.omega, nInverse = Domain(size: n)!.sizeInverse
        var wk = [Fr](repeating: .one, count: n)
        for k in 1..<n { wk[k] = wk[k - 1] * omega }
        func withH(_ points: [G1]) -> [UInt8] {
            var body: [UInt8] = []
            for p in batchToAffine(points) { body += SnarkjsPoint.lem(p) }
            return replacingSection(9, of: final.bytes, with: body)
        }
        // A perturbation along ω^k is invisible to the first n − 1 components: planted → refused.
        let planted = (0..<n).map { h[$0].jacobian + G1Affine.generatorForTests.jacobian * wk[$0] }
        assertRejected(withH(planted), "top component")
        // The top component removed (S = Σ ω^(−k)·H_k; H_k − ω^k·S/n): accepted, like a bellman import.
        var s = G1.infinity
        let inverseOmega = Domain(size: n)!.omegaInverse
        var w = Fr.one
        for k in 0..<n { s = s + h[k].jacobian * w; w = w * inverseOmega }
        let zeroed = (0..<n).map { h[$0].jacobian - s * (wk[$0] * nInverse) }
        XCTAssertNoThrow(try PhaseTwo.verify(initial: Self.chain.initial, final: PhaseTwoKey(bytes: withH(zeroed))))
    }

    func testChangedSectionsThreeToSevenAreRejected() throws {
        let final = Self.chain.keys.last!
        for (section, name) in [(UInt32(3), "section 3 (IC)"), (4, "section 4 (coefficients)"), (5, "section 5 (A)"), (6, "section 6 (B1)"), (7, "section 7 (B2)")] {
            var b = final.bytes
            let r = final.range(section)
            let size = section == 7 ? 128 : 64
            if section == 4 {
                b[r.lowerBound + 4 + 12] ^= 1      // the first coefficient's value
            } else {
                // The first point that differs from its successor, replaced by it (a valid point, the wrong one).
                let n = r.count / size
                let i = try XCTUnwrap((0..<(n - 1)).first { b[(r.lowerBound + $0 * size)..<(r.lowerBound + ($0 + 1) * size)] != b[(r.lowerBound + ($0 + 1) * size)..<(r.lowerBound + ($0 + 2) * size)] })
                let next = Array(b[(r.lowerBound + (i + 1) * size)..<(r.lowerBound + (i + 2) * size)])
                b.replaceSubrange((r.lowerBound + i * size)..<(r.lowerBound + (i + 1) * size), with: next)
            }
            assertRejected(b, name)
        }
    }

    func testDifferentPtauIsRejected() throws {
        var other = try PowersOfTau(bytes: PhaseOne.newFile(power: 6))
        other = try PowersOfTau(bytes: PhaseOne.contribute(other, name: "mallory", entropy: []).bytes)
        other = try PowersOfTau(bytes: PhaseOne.prepare(other))
        do {
            _ = try PhaseTwo.verify(r1cs: Self.r1cs, ptau: other, final: Self.chain.keys.last!)
            XCTFail("accepted with another .ptau")
        } catch let CeremonyError.verificationFailed(m) {
            XCTAssertTrue(m.contains("circuit hash differs"), m)
        }
    }

    func testKeyOfAnotherCircuitIsRejected() throws {
        let other = try R1CSFile(bytes: CeremonyFixtures.bytes("pot10-age", "age.r1cs"))
        XCTAssertThrowsError(try PhaseTwo.verify(r1cs: other, ptau: Self.ptau, final: Self.chain.keys.last!))
    }

    // MARK: phase-1 tampers

    func testPhaseOneTampersAreRejected() throws {
        let f = Self.ptau
        func rejected(_ bytes: [UInt8], _ needle: String, line: UInt = #line) {
            do {
                _ = try PhaseOne.verify(try PowersOfTau(bytes: bytes))
                XCTFail("accepted (expected \(needle))", line: line)
            } catch let CeremonyError.verificationFailed(m) {
                XCTAssertTrue(m.contains(needle), "\"\(m)\" does not name \"\(needle)\"", line: line)
            } catch { XCTFail("\(error)", line: line) }
        }
        // A τ·G1 power swapped for the next one.
        var b = f.bytes
        let r2 = f.range(2)
        let p6 = Array(b[(r2.lowerBound + 6 * 64)..<(r2.lowerBound + 7 * 64)])
        b.replaceSubrange((r2.lowerBound + 5 * 64)..<(r2.lowerBound + 6 * 64), with: p6)
        rejected(b, "not successive powers")
        // A Lagrange point swapped.
        b = f.bytes
        let r14 = f.range(14)
        let l = Array(b[(r14.lowerBound + 64)..<(r14.lowerBound + 128)])
        b.replaceSubrange((r14.lowerBound + 2 * 64)..<(r14.lowerBound + 3 * 64), with: l)
        rejected(b, "Lagrange section 14")
        // A contribution's next challenge altered: the next contribution's proofs no longer bind to it.
        b = f.bytes
        let r7 = f.range(7)
        let firstContribution = 64 * 3 + 128 * 2 + 64 * 6 + 128 * 3
        b[r7.lowerBound + 4 + firstContribution + 216] ^= 1
        rejected(b, "contribution #2 (bob): proof of knowledge of tau")
    }

    // MARK: malformed input

    func testMalformedFilesThrowTypedErrors() throws {
        let zkey = Self.chain.keys.last!.bytes
        let ptau = try CeremonyFixtures.bytes("pot10-age", "pot10_0001.ptau")
        for cut in [0, 3, 11, 12, 40, 200, zkey.count / 2, zkey.count - 1] {
            XCTAssertThrowsError(try PhaseTwoKey(bytes: Array(zkey.prefix(cut)))) { XCTAssertTrue($0 is CeremonyError, "\($0)") }
        }
        for cut in [0, 3, 12, 40, 200, ptau.count / 2, ptau.count - 1] {
            XCTAssertThrowsError(try PowersOfTau(bytes: Array(ptau.prefix(cut)))) { XCTAssertTrue($0 is CeremonyError, "\($0)") }
        }
        // Every single-byte corruption of the headers and the contribution sections parses or fails cleanly.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var z = zkey
            let i = Int.random(in: 0..<min(z.count, 2000), using: &rng)
            z[i] = UInt8.random(in: 0...255, using: &rng)
            if let k = try? PhaseTwoKey(bytes: z) { _ = try? PhaseTwo.verify(initial: Self.chain.initial, final: k) }
            var p = ptau
            let j = Int.random(in: 0..<min(p.count, 3000), using: &rng)
            p[j] = UInt8.random(in: 0...255, using: &rng)
            _ = try? PowersOfTau(bytes: p)
            let r7 = (try? PowersOfTau(bytes: ptau))!.range(7)
            var q = ptau
            // Inside the (only) contribution's points and public key: covered by the checks.
            q[Int.random(in: (r7.lowerBound + 4)..<(r7.lowerBound + 4 + 1216), using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            if let f = try? PowersOfTau(bytes: q) { XCTAssertThrowsError(try PhaseOne.verify(f)) }
        }
        // A huge contribution count is refused before any allocation.
        var z = zkey
        let r10 = try PhaseTwoKey(bytes: zkey).range(10)
        z.replaceSubrange((r10.lowerBound + 64)..<(r10.lowerBound + 68), with: [0xff, 0xff, 0xff, 0xff])
        XCTAssertThrowsError(try PhaseTwoKey(bytes: z))
        // Bad arguments.
        XCTAssertThrowsError(try PhaseOne.newFile(power: 0))
        XCTAssertThrowsError(try PhaseOne.newFile(power: 40))
        XCTAssertThrowsError(try PhaseTwo.beacon(Self.chain.initial, name: nil, beaconHash: [], iterationsExp: 10))
        XCTAssertThrowsError(try PhaseTwo.beacon(Self.chain.initial, name: nil, beaconHash: [1], iterationsExp: 9))
        XCTAssertThrowsError(try PhaseTwo.beacon(Self.chain.initial, name: nil, beaconHash: [1], iterationsExp: 64))
        // An unprepared .ptau cannot start phase 2; a circuit too big for the file is refused.
        XCTAssertThrowsError(try PhaseTwo.newKey(r1cs: Self.r1cs, ptau: PowersOfTau(bytes: ptau))) {
            XCTAssertTrue("\($0)".contains("not prepared"), "\($0)")
        }
        let small = try PowersOfTau(bytes: PhaseOne.prepare(PowersOfTau(bytes: PhaseOne.newFile(power: 2))))
        XCTAssertThrowsError(try PhaseTwo.newKey(r1cs: Self.r1cs, ptau: small)) { XCTAssertTrue("\($0)".contains("too big"), "\($0)") }
    }
}

/// Section 10 of a zkey split into its contributions (for tampering), and written back.
struct Contributions {
    var circuitHash: [UInt8]
    var items: [[UInt8]]

    init(_ key: PhaseTwoKey) {
        let b = key.bytes, r = key.range(10)
        circuitHash = Array(b[r.lowerBound..<(r.lowerBound + 64)])
        var o = r.lowerBound + 68
        items = []
        for _ in key.contributions {
            let fixed = 64 * 3 + 128 + 64 + 4
            let paramLength = Int(b[o + fixed]) | Int(b[o + fixed + 1]) << 8 | Int(b[o + fixed + 2]) << 16 | Int(b[o + fixed + 3]) << 24
            let size = fixed + 4 + paramLength
            items.append(Array(b[o..<(o + size)]))
            o += size
        }
    }

    /// The key's bytes with this section 10 (the container rebuilt with the new section size).
    func write(into key: PhaseTwoKey) -> [UInt8] {
        var body = circuitHash
        let n = UInt32(items.count)
        body += [UInt8(n & 0xff), UInt8((n >> 8) & 0xff), UInt8((n >> 16) & 0xff), UInt8(n >> 24)]
        for i in items { body += i }
        return replacingSection(10, of: key.bytes, with: body)
    }
}

/// Rebuilds an iden3 container with one section's body replaced (its size updated).
func replacingSection(_ type: UInt32, of bytes: [UInt8], with body: [UInt8]) -> [UInt8] {
    func u32(_ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[o + $1]) << UInt32(8 * $1) } }
    func u64(_ o: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[o + $1]) << UInt64(8 * $1) } }
    var out = Array(bytes[0..<12])
    var o = 12
    for _ in 0..<Int(u32(8)) {
        let t = u32(o), size = Int(u64(o + 4))
        let b = t == type ? body : Array(bytes[(o + 12)..<(o + 12 + size)])
        out += bytes[o..<(o + 4)]
        let s = UInt64(b.count)
        out += (0..<8).map { UInt8(truncatingIfNeeded: s >> UInt64(8 * $0)) }
        out += b
        o += 12 + size
    }
    return out
}

extension AffinePoint where C == BN254G1 {
    static var generatorForTests: AffinePoint { BN254G1.generator }
}
