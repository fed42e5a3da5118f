// A compiled model directory as a library object: load it with its consistency checks, prove an input, write the
// claim and the files that go with it. The CLI's `prove` only parses arguments and prints what this returns.
//
// A directory holds model.onnx (a copy), circuit.json (the quantized graph), manifest.json (digests, counts,
// per-layer costs), report.txt, circuit.r1cs; `setup` adds proving.key and verification_key.json; with private
// weights `compile` also writes public/ (the weight-free part for whoever runs setup).

import Foundation
import ZKModel
import ZKAlgebra
import ZKConstraints
import ZKFormats
import ZKGroth16
import ZKSodium

/// One proven input: the circuit (with its witness), the proof, the claim and what proving took.
public struct ProvedInput {
    public var circuit: ModelCircuit
    public var proof: Proof
    public var claim: Claim
    /// The hashed input's blinding value (zero unless the input is hashed): the opening stays with the prover.
    public var inputSalt: Fr
    public var quantizedInput: [Int]
    public var witnessTime: Duration
    public var timings: ProverTimings
}

/// A proving key checked against a compiled directory's circuit (its QAP matrices are that circuit's), with the
/// circuit digest it was checked for.
public struct CheckedProvingKey: Sendable {
    public let key: ProvingKey
    public let circuitDigest: String
}

public struct ModelWorkspace {
    public let directory: URL
    public let compiled: CompiledModel
    public let manifest: ModelManifest

    func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Opens a compiled directory: circuit.json (a host's model, or a private-weights model's public part) and
    /// manifest.json. Throws `ModelError` naming the directory when either is missing or malformed.
    public init(directory path: String) throws {
        directory = URL(fileURLWithPath: path)
        let circuitURL = directory.appendingPathComponent("circuit.json")
        guard FileManager.default.fileExists(atPath: circuitURL.path) else {
            throw ModelError.invalidCircuit("\(path): not a compiled model directory (no circuit.json; run `zkinfer compile MODEL.onnx -o \(path)`)")
        }
        compiled = try CompiledModel.load(circuitJSON: try Self.read(circuitURL))
        manifest = try ModelManifest.decode(try Self.read(directory.appendingPathComponent("manifest.json")))
    }

    static func read(_ url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch { throw ModelError.invalidCircuit("\(url.path): cannot read file") }
    }

    /// What `setup` made.
    public struct SetupResult {
        public var constraints: Int
        public var provingKeyBytes: Int
        public var verificationKeyBytes: Int
        public var verificationKeyDigest: String
        public var seconds: Duration
        /// Whether the directory is the weight-free public part of a private-weights model.
        public var fromPublicPart: Bool
    }

    /// Single-party Groth16 setup of this directory's circuit (built without a witness and checked against the
    /// manifest): writes proving.key and verification_key.json and records the key digest in manifest.json.
    public func setup(threads: Int? = nil, progress: Groth16.Progress? = nil) throws -> SetupResult {
        let circuit = try compiled.constraintSystem()
        try checkAgainstManifest(circuit)
        let clock = ContinuousClock()
        let start = clock.now
        let pk = try Groth16.setup(circuit.system, threads: threads, progress: progress)
        let elapsed = clock.now - start
        let pkBytes = ProvingKeyFile.serialize(pk)
        try Self.write(Data(pkBytes), file("proving.key"))
        let vkData = try pk.verificationKey.snarkjs.jsonData()
        try Self.write(vkData, file("verification_key.json"))
        var m = manifest
        m.verificationKeyDigest = try pk.verificationKey.digest
        try Self.write(try m.encoded(), file("manifest.json"))
        try? FileManager.default.removeItem(at: file("ceremony.json"))
        return SetupResult(constraints: circuit.system.constraintCount, provingKeyBytes: pkBytes.count, verificationKeyBytes: vkData.count,
                           verificationKeyDigest: m.verificationKeyDigest ?? "", seconds: elapsed, fromPublicPart: compiled.isPublicPart)
    }

    /// Writes a compiled model's directory: model.onnx, circuit.json, manifest.json, circuit.r1cs, report.txt and, with
    /// private weights, public/ (circuit.json without weights or salt, manifest.json, circuit.r1cs) for whoever runs
    /// setup. The constraint system is built without a witness.
    @discardableResult
    public static func create(at path: String, onnx: Data, compiled: CompiledModel, name: String) throws -> ModelManifest {
        let circuit = try compiled.constraintSystem()
        let manifest = try ModelManifest(name: name, compiled: compiled, circuit: circuit)
        let dir = URL(fileURLWithPath: path)
        func mkdir(_ u: URL) throws {
            do { try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true) } catch {
                throw ModelError.invalidInput("\(u.path): cannot create directory")
            }
        }
        try mkdir(dir)
        try write(onnx, dir.appendingPathComponent("model.onnx"))
        try write(try compiled.circuitJSON(), dir.appendingPathComponent("circuit.json"))
        try write(try manifest.encoded(), dir.appendingPathComponent("manifest.json"))
        let r1cs = Data(R1CSFile(circuit.system).serialized())
        try write(r1cs, dir.appendingPathComponent("circuit.r1cs"))
        if compiled.model.visibility.weights == .private {
            // What someone other than the host needs to run setup: no weights, no salt, no ONNX file.
            let pub = dir.appendingPathComponent("public")
            try mkdir(pub)
            try write(try compiled.publicCircuitJSON(), pub.appendingPathComponent("circuit.json"))
            try write(try manifest.encoded(), pub.appendingPathComponent("manifest.json"))
            try write(r1cs, pub.appendingPathComponent("circuit.r1cs"))
        }
        try write(Data((manifest.costTable() + "\n").utf8), dir.appendingPathComponent("report.txt"))
        return manifest
    }

    static func write(_ data: Data, _ url: URL) throws {
        do { try writeFileAtomically(data, to: url) } catch { throw ModelError.invalidInput("\(url.path): cannot write file") }
    }

    /// Checks that a built circuit is the one manifest.json records (circuit.json was not edited after compile).
    public func checkAgainstManifest(_ circuit: ModelCircuit) throws {
        guard try circuitDigest(circuit.system) == manifest.circuitDigest else {
            throw ModelError.invalidCircuit("\(directory.path): circuit.json does not produce the circuit recorded in manifest.json (recompile)")
        }
    }

    /// The proving key, checked to be made for `system` (it may come from someone else's setup, e.g. a verifier's
    /// setup of DIR/public: what matters is that its QAP matrices are this circuit's).
    public func provingKey(for system: ConstraintSystem) throws -> ProvingKey {
        let url = file("proving.key")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ModelError.invalidCircuit("\(directory.path): no proving.key (run `zkinfer setup \(directory.path)`)")
        }
        let pk: ProvingKey
        do { pk = try ProvingKeyFile.read(from: url) } catch { throw ModelError.invalidCircuit("\(url.path): invalid proving key (\(error))") }
        guard pk.wireCount == system.wireCount, pk.publicCount == system.publicCount else {
            throw ModelError.invalidCircuit("\(url.path): the proving key was made for a different circuit (run `zkinfer setup \(directory.path)` again)")
        }
        guard QAP.matches(system, a: pk.matrixA, b: pk.matrixB) else {
            throw ModelError.invalidCircuit("\(url.path): the proving key was made for a different circuit")
        }
        return pk
    }

    /// Runs the model on `input`, proves it and makes the claim (signed with `hostKey` when given). The witness is
    /// checked against the circuit before proving: a failure there is an internal error, never a bad proof.
    public func prove(input: [Double], threads: Int? = nil, progress: Groth16.Progress? = nil, hostKey: Ed25519KeyPair? = nil) throws -> ProvedInput {
        try prove(input: input, threads: threads, progress: progress, hostKey: hostKey, checkedKey: nil)
    }

    /// The proving key, read and checked once (``provingKey(for:)`` on the circuit built without a witness), for
    /// callers that prove many inputs on this directory (the prover service). Each proof still checks its circuit
    /// against manifest.json's digest, so the key keeps matching the circuit it proves.
    public func checkedProvingKey() throws -> CheckedProvingKey {
        let circuit = try compiled.constraintSystem()
        try checkAgainstManifest(circuit)
        return CheckedProvingKey(key: try provingKey(for: circuit.system), circuitDigest: manifest.circuitDigest)
    }

    /// ``prove(input:threads:progress:hostKey:)`` with a key from ``checkedProvingKey()`` instead of reading
    /// proving.key again.
    public func prove(input: [Double], threads: Int? = nil, progress: Groth16.Progress? = nil, hostKey: Ed25519KeyPair? = nil,
                      checkedKey: CheckedProvingKey?) throws -> ProvedInput {
        let clock = ContinuousClock()
        let start = clock.now
        let inputSalt = compiled.model.visibility.input == .hashed ? Fr.random() : Fr.zero
        let circuit = try compiled.circuit(for: input, inputSalt: inputSalt)
        let witnessTime = clock.now - start
        try checkAgainstManifest(circuit)
        do { try circuit.system.check(circuit.witness) } catch {
            throw ModelError.invalidCircuit("internal error: the witness does not satisfy the circuit (\(error)); please report this model")
        }
        // A checked key was matched against a circuit whose digest is manifest.json's, as this circuit's is (above):
        // the same constraint system, so the key's QAP matrices are this circuit's.
        let pk: ProvingKey
        if let checkedKey, checkedKey.circuitDigest == manifest.circuitDigest { pk = checkedKey.key } else { pk = try provingKey(for: circuit.system) }
        // Handed over, so that a key read for this proof alone is released array by array while proving.
        let verificationKey = pk.verificationKey
        let (proof, timings) = try Groth16.proveWithTimings(consume pk, witness: circuit.witness, threads: threads, progress: progress)
        var claim = try ClaimVerifier.makeClaim(name: manifest.name, compiled: compiled, circuit: circuit, input: input, proof: proof,
                                                verificationKey: verificationKey, inputSalt: inputSalt, circuitDigest: manifest.circuitDigest)
        claim.ceremony = ceremonyRecord(for: claim.verificationKeyDigest)
        if let hostKey { try ClaimVerifier.sign(&claim, with: hostKey) }
        return ProvedInput(circuit: circuit, proof: proof, claim: claim, inputSalt: inputSalt,
                           quantizedInput: try compiled.model.quantizeInput(input), witnessTime: witnessTime, timings: timings)
    }

    /// Writes OUT/claim.json, proof.json and public.json (snarkjs); for a hashed input the opening
    /// OUT/input_opening.json (mode 0600: it stays with the prover / input owner); with `witness`, OUT/witness.wtns
    /// (0600, it holds every private value).
    public static func write(_ p: ProvedInput, model: QuantizedModel, to output: String, witness: Bool = false) throws {
        let out = URL(fileURLWithPath: output)
        do { try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true) } catch {
            throw ModelError.invalidInput("\(output): cannot create directory")
        }
        if witness { try writeOwnerOnly(Data(WitnessFile(values: p.circuit.witness).serialized()), out.appendingPathComponent("witness.wtns").path) }
        if model.visibility.input == .hashed {
            let opening: [String: Any] = ["salt": p.inputSalt.description, "quantized": p.quantizedInput, "scale": model.inputTensor.scale,
                                          "hash": p.claim.input.hash ?? "", "rule": "hash = Poseidon.hashMany([salt] ++ quantized) over BN254 Fr"]
            let data = try JSONSerialization.data(withJSONObject: opening, options: [.prettyPrinted, .sortedKeys])
            try writeOwnerOnly(data, out.appendingPathComponent("input_opening.json").path)
        }
        func write(_ data: Data, _ name: String) throws {
            do { try data.write(to: out.appendingPathComponent(name), options: .atomic) } catch {
                throw ModelError.invalidInput("\(out.appendingPathComponent(name).path): cannot write file")
            }
        }
        try write(try p.proof.snarkjs.jsonData(), "proof.json")
        try write(try SnarkjsPublicSignals(values: p.circuit.publicSignals).jsonData(), "public.json")
        try write(try ClaimVerifier.encode(p.claim), "claim.json")
    }
}

/// Writes a file readable by its owner only (mode 0600), replacing any old one atomically.
public func writeOwnerOnly(_ data: Data, _ file: String) throws {
    let tmp = file + ".tmp-\(getpid())"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard fd >= 0 else { throw ModelError.invalidInput("\(file): cannot create file (errno \(errno))") }
    let ok = data.withUnsafeBytes { buf -> Bool in
        var off = 0
        while off < buf.count {
            let n = Foundation.write(fd, buf.baseAddress! + off, buf.count - off)
            if n <= 0 { return false }
            off += n
        }
        return true
    }
    close(fd)
    guard ok, rename(tmp, file) == 0 else { unlink(tmp); throw ModelError.invalidInput("\(file): cannot write file") }
}
