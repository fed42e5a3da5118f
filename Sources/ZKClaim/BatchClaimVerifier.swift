// Batch verification of claims for validators: every claim-level check per claim, the pairing checks of all claims
// under one key combined into one (Groth16.batchVerify), each claim with its own verdict.

import Foundation
import ZKAlgebra
import ZKGroth16
import ZKModel

/// One claim of a batch: a name for reports (a path, `FILE:LINE`) and the claim's JSON bytes.
public struct BatchClaimInput: Sendable {
    public var name: String
    public var json: Data
    public init(name: String, json: Data) { self.name = name; self.json = json }
}

/// The verdict on one claim of a batch.
public struct BatchClaimResult: Sendable {
    public var name: String
    /// The checks' verdict, or nil when the claim could not be interpreted (`malformed` says why).
    public var verdict: ClaimVerdict?
    /// Why the claim is malformed (the error a single `verify` would exit 2 with), or nil.
    public var malformed: String?
    /// The claim's model digest and verification-key digest, when it decoded.
    public var modelDigest: String?
    public var verificationKeyDigest: String?
    public var valid: Bool { verdict?.valid == true }
    /// One line: the problems, or the malformation.
    public var reason: String {
        if let malformed { return "malformed claim: \(malformed)" }
        guard let verdict else { return "not checked" }
        return verdict.valid ? "valid" : verdict.problems.joined(separator: "; ")
    }
}

/// A batch's verdicts and what the pairing checks cost.
public struct BatchClaimReport: Sendable {
    public var results: [BatchClaimResult]
    /// Combined pairing checks and single ones (see ``BatchVerification``), summed over the keys.
    public var combinedChecks: Int
    public var singleChecks: Int
    public var allValid: Bool { results.allSatisfy(\.valid) }
}

extension ClaimVerifier {
    /// Verifies many claims. Each claim gets every check of ``verify(_:key:options:)`` (strict decoding, digests,
    /// public signals against the stated model, input and output, input range, signature, the key's forgeability)
    /// on its own; the Groth16 pairing checks of the claims under each key are combined
    /// (``Groth16/batchVerify(_:_:threads:)``). A claim is checked under the key its `verificationKeyDigest` names;
    /// with one key given, every claim is checked under it (a claim naming another key is invalid, as in `verify`).
    /// Never throws for a bad claim: it gets `malformed` and is invalid. `combine: false` checks each proof alone
    /// (``Groth16/verify(_:proof:publicInputs:)``, in parallel): the one-at-a-time reference, same verdicts.
    public static func verifyBatch(_ claims: [BatchClaimInput], keys: [VerificationKey], options: ClaimCheckOptions = ClaimCheckOptions(),
                                   threads: Int? = nil, combine: Bool = true) throws -> BatchClaimReport {
        precondition(!keys.isEmpty, "verifyBatch needs at least one key")
        let threads = max(1, threads ?? defaultThreadCount())
        let facts = try keys.map { try KeyFacts($0) }
        var keyIndex: [String: Int] = [:]
        for (i, f) in facts.enumerated() where keyIndex[f.digest] == nil { keyIndex[f.digest] = i }

        struct Checked { var result: BatchClaimResult; var key: Int?; var checks: ClaimChecks? }
        let checked = parallelMap(claims.count, threads: threads) { i -> Checked in
            let input = claims[i]
            var result = BatchClaimResult(name: input.name)
            let claim: Claim
            do { claim = try decode(input.json) } catch {
                result.malformed = "\(error)"
                return Checked(result: result, key: nil, checks: nil)
            }
            result.modelDigest = claim.model.modelDigest
            result.verificationKeyDigest = claim.verificationKeyDigest
            guard let k = keyIndex[claim.verificationKeyDigest] ?? (facts.count == 1 ? 0 : nil) else {
                result.verdict = ClaimVerdict(valid: false, problems: ["the claim names verification key \(claim.verificationKeyDigest), which is not one of the \(facts.count) keys given"],
                                              signer: claim.signature?.publicKey, signatureValid: nil)
                return Checked(result: result, key: nil, checks: nil)
            }
            do {
                let checks = try claimChecks(claim, key: facts[k], options: options)
                return Checked(result: result, key: k, checks: checks)
            } catch {
                result.malformed = "\(error)"
                return Checked(result: result, key: nil, checks: nil)
            }
        }

        var proofValid = [Bool?](repeating: nil, count: claims.count)
        var combined = 0, single = 0
        for (k, key) in keys.enumerated() {
            let members = checked.indices.filter { checked[$0].key == k && checked[$0].checks?.statement != nil }
            if members.isEmpty { continue }
            let pvk = PreparedVerificationKey(key)
            let statements = members.map { checked[$0].checks!.statement! }
            guard combine else {
                let alone = parallelMap(statements.count, threads: threads) { m in
                    (try? Groth16.verify(pvk, proof: statements[m].proof, publicInputs: statements[m].publicInputs)) ?? false
                }
                for (m, i) in members.enumerated() { proofValid[i] = alone[m] }
                single += statements.count
                continue
            }
            // The proofs come from `proof(of:)`, whose parser refuses A or C off G1 and B outside the G2 subgroup.
            let batch = Groth16.batchVerify(pvk, statements, threads: threads, pointsChecked: true)
            for (m, i) in members.enumerated() { proofValid[i] = batch.valid[m] }
            combined += batch.combinedChecks
            single += batch.singleChecks
        }
        let results = checked.enumerated().map { i, c -> BatchClaimResult in
            var r = c.result
            if let checks = c.checks { r.verdict = checks.verdict(proofValid: proofValid[i]) }
            return r
        }
        return BatchClaimReport(results: results, combinedChecks: combined, singleChecks: single)
    }
}
