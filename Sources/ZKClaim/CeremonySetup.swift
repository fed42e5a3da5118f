// The model flow of a multi-party setup: `zkinfer setup DIR --ptau` starts a snarkjs phase-2
// ceremony for the model's circuit, contributors extend it (`zkinfer ceremony contribute` or
// snarkjs), and `zkinfer setup DIR --zkey FINAL.zkey` verifies the chain and installs the key.
// DIR/ceremony/0000.zkey keeps the initial key; DIR/ceremony.json records the verified chain,
// which `prove` copies into each claim.

import Foundation
import ZKModel
import ZKAlgebra
import ZKFormats
import ZKGroth16
import ZKCeremony
import ZKSodium

extension ModelWorkspace {
    /// What `setup --ptau` made.
    public struct CeremonyStart {
        public var constraints: Int
        public var domainSize: Int
        public var circuitHash: [UInt8]
        public var zkeyBytes: Int
    }

    /// The initial phase-2 key of this directory's circuit from a prepared `.ptau` (snarkjs `zkey
    /// new`, byte for byte), written to `output` and kept as DIR/ceremony/0000.zkey. Needs no
    /// weights: the public part of a private-weights model will do.
    public func startCeremony(ptau: PowersOfTau, output: String, threads: Int? = nil) throws -> CeremonyStart {
        let circuit = try compiled.constraintSystem()
        try checkAgainstManifest(circuit)
        let r1cs = R1CSFile(circuit.system)
        let bytes = try ceremonyStep { try PhaseTwo.newKey(r1cs: r1cs, ptau: ptau, threads: threads ?? ceremonyDefaultThreads()) }
        let key = try ceremonyStep { try PhaseTwoKey(bytes: bytes) }
        let dir = file("ceremony")
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw ModelError.invalidInput("\(dir.path): cannot create directory")
        }
        try Self.write(Data(bytes), dir.appendingPathComponent("0000.zkey"))
        try Self.write(Data(bytes), URL(fileURLWithPath: output))
        return CeremonyStart(constraints: circuit.system.constraintCount, domainSize: key.domainSize, circuitHash: key.circuitHash, zkeyBytes: bytes.count)
    }

    /// What `setup --zkey` installed.
    public struct CeremonyInstall {
        public var constraints: Int
        public var report: PhaseTwo.Report
        public var verificationKeyDigest: String
        public var provingKeyBytes: Int
        /// Whether the chain was checked from the `.ptau` (else from DIR/ceremony/0000.zkey).
        public var fromPtau: Bool
    }

    /// Verifies a ceremony's final key against this directory's circuit and installs it: the
    /// initial key is rebuilt from `ptau` when given (else DIR/ceremony/0000.zkey from
    /// `startCeremony` is used), the whole chain is checked (``PhaseTwo/verify(initial:final:threads:)``),
    /// a key without any contribution is refused (δ = 1: anyone could forge proofs), and the key's
    /// matrices must be this circuit's. Writes proving.key, verification_key.json, manifest.json's
    /// key digest and ceremony.json.
    public func installCeremonyKey(zkey bytes: [UInt8], ptau: PowersOfTau?, threads: Int? = nil) throws -> CeremonyInstall {
        let t = threads ?? ceremonyDefaultThreads()
        let circuit = try compiled.constraintSystem()
        try checkAgainstManifest(circuit)
        let final = try ceremonyStep { try PhaseTwoKey(bytes: bytes) }
        guard !final.contributions.isEmpty else {
            throw ModelError.invalidInput("the key has no contribution (δ = 1): anyone could forge proofs with it; add at least one contribution")
        }
        let report: PhaseTwo.Report
        if let ptau {
            report = try ceremonyStep { try PhaseTwo.verify(r1cs: R1CSFile(circuit.system), ptau: ptau, final: final, threads: t) }
        } else {
            let url = file("ceremony/0000.zkey")
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ModelError.invalidInput("\(directory.path): no ceremony/0000.zkey (start with `zkinfer setup \(directory.path) --ptau FILE.ptau`, or pass --ptau)")
            }
            let initial = try ceremonyStep { try PhaseTwoKey(bytes: [UInt8](try Self.read(url))) }
            report = try ceremonyStep { try PhaseTwo.verify(initial: initial, final: final, threads: t) }
        }
        // The prover's B2 points need no subgroup check (the verifier checks the proof's B).
        let pk: ProvingKey
        do { pk = try ProvingKey(zkey: ZKeyGroth16(bytes: bytes, validateSubgroup: false)) } catch {
            throw ModelError.invalidInput("invalid .zkey: \(error)")
        }
        guard pk.wireCount == circuit.system.wireCount, pk.publicCount == circuit.system.publicCount else {
            throw ModelError.invalidInput("the key is for a circuit with \(pk.wireCount) wires and \(pk.publicCount) public signals; this model has \(circuit.system.wireCount) and \(circuit.system.publicCount)")
        }
        guard QAP.matches(circuit.system, a: pk.matrixA, b: pk.matrixB) else { throw ModelError.invalidInput("the key was made for a different circuit") }
        let pkBytes = ProvingKeyFile.serialize(pk)
        try Self.write(Data(pkBytes), file("proving.key"))
        try Self.write(try pk.verificationKey.snarkjs.jsonData(), file("verification_key.json"))
        var m = manifest
        let digest = try pk.verificationKey.digest
        m.verificationKeyDigest = digest
        try Self.write(try m.encoded(), file("manifest.json"))
        let record = ClaimCeremony(report: report, ptau: ptau)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try Self.write(try encoder.encode(CeremonyFile(verificationKeyDigest: digest, ceremony: record)), file("ceremony.json"))
        return CeremonyInstall(constraints: circuit.system.constraintCount, report: report, verificationKeyDigest: digest,
                               provingKeyBytes: pkBytes.count, fromPtau: ptau != nil)
    }

    /// The ceremony record for claims, if the installed key came from one (ceremony.json names the
    /// key it belongs to; a record for another key — e.g. after a later single-party setup — is ignored).
    func ceremonyRecord(for verificationKeyDigest: String) -> ClaimCeremony? {
        guard let data = try? Data(contentsOf: file("ceremony.json")),
              let f = try? JSONDecoder().decode(CeremonyFile.self, from: data), f.verificationKeyDigest == verificationKeyDigest else { return nil }
        return f.ceremony
    }

    func ceremonyStep<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as CeremonyError { throw ModelError.invalidInput(e.description) }
    }
}

/// DIR/ceremony.json.
struct CeremonyFile: Codable {
    var verificationKeyDigest: String
    var ceremony: ClaimCeremony
}

extension ClaimCeremony {
    /// The record of a verified chain (and of its `.ptau`, when given).
    public init(report: PhaseTwo.Report, ptau: PowersOfTau?) {
        self.init(circuitHash: hexString(report.circuitHash),
                  contributions: report.contributions.map(ClaimContribution.init(summary:)),
                  ptau: ptau.map { p in
                      ClaimPtau(power: p.power, ceremonyPower: p.ceremonyPower, contributions: p.contributions.count,
                                lastChallenge: hexString(p.contributions.last?.nextChallenge ?? PhaseOne.firstChallengeHash(power: p.ceremonyPower)))
                  })
    }
}

extension ClaimContribution {
    public init(summary c: PhaseTwo.ContributionSummary) {
        self.init(index: c.index, name: c.name, hash: c.hashHex, beaconHash: c.beaconHash, iterationsExp: c.iterationsExp)
    }
}
