import ArgumentParser
import Foundation
import ZKAlgebra
import ZKFormats
import ZKGroth16
import ZKModel
import ZKClaim
import ZKCeremony
import ZKBench
import ZKSodium

extension WeightVisibility: ExpressibleByArgument {}
extension InputVisibility: ExpressibleByArgument {}

// The model workflow: compile → setup → prove → verify, plus run and inspect.
//
// A compiled directory holds: model.onnx (a copy), circuit.json (the quantized graph),
// manifest.json (digests, counts, per-layer costs), report.txt; `setup` adds proving.key and
// verification_key.json.

func path(_ dir: String, _ file: String) -> String { (dir as NSString).appendingPathComponent(file) }

/// `name` for a model file: its stem, or its folder's name when the file is called model.onnx.
func modelName(_ file: String) -> String {
    let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
    if stem == "model" {
        let parent = ((file as NSString).deletingLastPathComponent as NSString).lastPathComponent
        if !parent.isEmpty && parent != "." { return parent }
    }
    return stem
}

/// Writes a file readable by its owner only (mode 0600), replacing any old one atomically.
func writeSecretFile(_ data: Data, _ file: String) throws {
    do { try writeOwnerOnly(data, file) } catch let e as ModelError { throw CLIError(e.description) }
}

/// Runs a model-library step, turning `ModelError` into a CLI message naming the file.
func modelStep<T>(_ file: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as CLIError { throw e } catch let e as ModelError {
        throw CLIError("\(file): \(e.description)")
    } catch {
        throw CLIError("\(file): \(describe(error))")
    }
}

func loadCompiled(_ dir: String) throws -> CompiledModel {
    let p = path(dir, "circuit.json")
    guard FileManager.default.fileExists(atPath: p) else {
        throw CLIError("\(dir): not a compiled model directory (no circuit.json; run `zkinfer compile MODEL.onnx -o \(dir)`)")
    }
    let data = try readFile(p)
    return try modelStep(p) { try CompiledModel.load(circuitJSON: data) }
}

func loadManifest(_ dir: String) throws -> ModelManifest {
    let p = path(dir, "manifest.json")
    let data = try readFile(p)
    return try modelStep(p) { try ModelManifest.decode(data) }
}

func loadInputs(_ file: String) throws -> [[Double]] {
    let data = try readFile(file)
    return try modelStep(file) { try InputFile.parse(data) }
}

struct ModelOptions: ParsableArguments {
    @Flag(name: .long, help: "Machine-readable JSON on stdout.")
    var json = false
    @Flag(name: .long, help: "No progress output on stderr.")
    var quiet = false
}

func formatFloats(_ v: [Double], max: Int = 10) -> String {
    let shown = v.prefix(max).map { String(format: "%.4g", $0) }.joined(separator: ", ")
    return "[" + shown + (v.count > max ? ", … (\(v.count) values)" : "") + "]"
}

func peakMemoryBytes() -> Int { ProcessMemory.peakResidentBytes }

struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile an ONNX model into a quantized circuit.",
        discussion: """
            Writes DIR/circuit.json (the quantized graph), DIR/manifest.json (digests, constraint counts, per-layer \
            costs), DIR/report.txt (the per-layer table), DIR/circuit.r1cs (iden3 format, for snarkjs/circom tools) \
            and a copy of the model. Scales are powers of two: each \
            tensor and weight matrix gets about --scale-bits bits of magnitude. With --calibrate, scales and the \
            input range come from the samples (inputs must then satisfy |x| ≤ the calibrated maximum rounded up to \
            a power of two); without it every tensor is assumed to stay within ±16. Claims record the per-tensor scales \
            and the calibration file's BLAKE2b-256, so `zkinfer verify --model` can re-derive the graph from the ONNX \
            file. With --weights private, DIR/public/ holds the weight-free part (circuit.json without weights or \
            salt, manifest.json, circuit.r1cs) for whoever runs setup: `zkinfer setup DIR/public`. Classical models \
            (ai.onnx.ml tree ensembles, linear models, Scaler, Normalizer, Binarizer, ZipMap): an input read only by \
            tree ensembles or linear models gets the scale their splits and weights need (split decisions on inputs of \
            the quantization grid are exactly the float model's); a classifier's label output is proven as one more \
            public signal and its class names are part of the statement; report.txt gives each ensemble's trees, \
            nodes, distinct comparisons and constraints per node.
            """)

    @Argument(help: "The ONNX model.")
    var model: String
    @Option(name: .shortAndLong, help: "Output directory.")
    var output: String
    @Option(name: .long, help: "Magnitude bits per tensor and weight matrix (2...24).")
    var scaleBits = 8
    @Option(name: .long, help: "Calibration samples, EZKL shape {\"input_data\": [[...]]} (samples concatenated or one per list).")
    var calibrate: String?
    @Option(name: .long, help: "Weights: public (constants in the circuit) or private (witness values bound by a public Poseidon commitment).")
    var weights: WeightVisibility = .public
    @Option(name: .long, help: "Input: public (values are public signals), private (hidden, range-checked in the circuit) or hashed (its Poseidon hash is public).")
    var input: InputVisibility = .public
    @Flag(name: .long, help: "Range-check public inputs inside the circuit, so bare-proof verifiers (snarkjs, the EVM contract) need no range check of their own (costs about one constraint per input bit).")
    var checkInputRange = false
    @Flag(name: .long, help: "Prove a final Softmax/Sigmoid inside the circuit (the output is then the probabilities, at their own scale) instead of proving the tensor before it and applying the function outside the circuit (the default).")
    var proveOutputTransform = false
    @Option(name: .long, help: "Name recorded in manifest and claims (default: the ONNX file's name, or its folder's when the file is model.onnx).")
    var name: String?
    @OptionGroup var options: ModelOptions

    func validate() throws {
        guard (2...24).contains(scaleBits) else { throw ValidationError("--scale-bits must be in 2...24") }
    }

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let onnx = try readFile(model)
        var calibration: [[Double]] = []
        var calibrationDigest: String?
        let graph = try modelStep(model) { try ONNXImporter.load(onnx, proveOutputTransform: proveOutputTransform) }
        if let calibrate {
            let data = try readFile(calibrate)
            let rows = try modelStep(calibrate) { try InputFile.parse(data) }
            calibration = try modelStep(calibrate) { try InputFile.samples(rows, size: graph.size(graph.input)) }
            calibrationDigest = try modelStep(calibrate) { try blake2bHex([UInt8](data)) }
        }
        let progress = ProgressReporter(quiet: options.quiet)
        progress.update("quantizing", 0.1)
        let q = try modelStep(model) {
            var qo = QuantizationOptions(scaleBits: scaleBits, calibration: calibration, visibility: Visibility(input: input, weights: weights))
            qo.checkInputRange = checkInputRange
            qo.calibrationDigest = calibrationDigest
            return try Quantizer.quantize(graph, options: qo, onnxDigest: try blake2bHex([UInt8](onnx)))
        }
        let compiled = try modelStep(model) { try CompiledModel(model: q) }
        progress.update("building constraints", 0.5)
        let manifest = try modelStep(output) { try ModelWorkspace.create(at: output, onnx: onnx, compiled: compiled, name: name ?? modelName(model)) }
        progress.update("done", 1)
        progress.finish()
        let elapsed = clock.now - start
        let table = manifest.costTable()
        if options.json {
            var extra: [String: Any] = [:]
            if let c = manifest.weightsCommitment { extra["weightsCommitment"] = c }
            if let c = compiled.weightsCommitment { extra["weightsCommitmentHex"] = c.hex; extra["publicPart"] = path(output, "public") }
            printJSON(extra.merging(["directory": output, "constraints": manifest.constraints, "wires": manifest.wires,
                       "publicSignals": manifest.publicSignals, "modelDigest": manifest.modelDigest,
                       "circuitDigest": manifest.circuitDigest, "compileSeconds": seconds(elapsed),
                       "costSplit": ["multiplications": manifest.costSplit.multiplications, "rangeChecks": manifest.costSplit.rangeChecks,
                                     "hashing": manifest.costSplit.hashing, "binding": manifest.costSplit.binding, "other": manifest.costSplit.other],
                       "layers": manifest.layers.map { l -> [String: Any] in
                           var r: [String: Any] = ["layer": l.layer, "op": l.onnxOp, "constraints": l.constraints, "maxRangeBits": l.maxRangeBits]
                           if let d = l.detail { r["detail"] = d }
                           return r
                       }]) { a, _ in a })
        } else {
            print(table)
            print("compiled \(model) → \(output): \(manifest.constraints) constraints, \(manifest.wires) wires, \(manifest.publicSignals) public signals (\(String(format: "%.2f", seconds(elapsed))) s)")
            if let c = compiled.weightsCommitment {
                print("weights are private; commitment (public signal 1): \(c.hex)")
                print("the weight-free public part for whoever runs setup is in \(path(output, "public")) (`zkinfer setup \(path(output, "public"))`)")
            }
            let publicConstants = compiled.model.nodes.filter { n in
                switch n.op { case .affine(_, let mul, let add): return !(mul.allSatisfy { $0 == 1 } && add.allSatisfy { $0 == 0 }); default: return false }
            }
            if weights == .private && !publicConstants.isEmpty {
                FileHandle.standardError.write(Data("zkinfer: note: element-wise constants stay public (not covered by --weights private): \(publicConstants.map { "\($0.layer) (\($0.onnxOp))" }.joined(separator: ", "))\n".utf8))
            }
        }
    }
}

struct ModelSetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Groth16 setup for a compiled model: single party, or a multi-party ceremony (--ptau, then --zkey).",
        discussion: """
            Single party (the quick start): writes DIR/proving.key and DIR/verification_key.json (snarkjs format) and \
            records the key digest in DIR/manifest.json. Whoever runs it can forge claims for this key (see the README's \
            trust model). For private weights it needs no weights: `zkinfer setup DIR/public` on the weight-free public \
            part that `compile` writes.

            Trust-minimized (a snarkjs-compatible ceremony): `zkinfer setup DIR --ptau FILE.ptau -o 0000.zkey` writes the \
            circuit's initial key (from a prepared powers-of-tau file, e.g. a public Hermez one); contributors run \
            `zkinfer ceremony contribute` (or snarkjs `zkey contribute`) in turn; `zkinfer setup DIR --zkey FINAL.zkey` \
            verifies the whole chain (from DIR/ceremony/0000.zkey, or from --ptau) and installs the key. Claims then name \
            the ceremony, and `zkinfer verify --zkey FINAL.zkey --require-contribution HASH` checks it.
            """)

    @Argument(help: "A directory written by `zkinfer compile`.")
    var directory: String
    @Option(name: .long, help: "A prepared powers-of-tau file: start a ceremony (with -o), or check --zkey's chain from it.")
    var ptau: String?
    @Option(name: .shortAndLong, help: "With --ptau alone: where to write the initial key (0000.zkey).")
    var output: String?
    @Option(name: .long, help: "The ceremony's final .zkey: verify its chain and install it.")
    var zkey: String?
    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?
    @OptionGroup var options: ModelOptions

    func validate() throws {
        if zkey == nil, ptau != nil, output == nil { throw ValidationError("--ptau without --zkey starts a ceremony: give -o 0000.zkey") }
        if output != nil, ptau == nil || zkey != nil { throw ValidationError("-o is for starting a ceremony: use it with --ptau and without --zkey") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let workspace = try modelStep(directory) { try ModelWorkspace(directory: directory) }
        if let zkey { return try install(workspace, zkey) }
        if let ptau, let output { return try start(workspace, ptau, output) }
        let progress = ProgressReporter(quiet: options.quiet)
        let r = try modelStep(directory) { try workspace.setup(threads: threads, progress: progress.callback) }
        progress.finish()
        if options.json {
            printJSON(["constraints": r.constraints, "setupSeconds": seconds(r.seconds), "provingKeyBytes": r.provingKeyBytes,
                       "verificationKeyBytes": r.verificationKeyBytes, "verificationKeyDigest": r.verificationKeyDigest, "setup": "single-party"])
        } else {
            print("single-party setup\(r.fromPublicPart ? " (from the weight-free public part)" : ""): \(r.constraints) constraints in \(String(format: "%.2f", seconds(r.seconds))) s; proving.key \(r.provingKeyBytes) bytes, verification_key.json \(r.verificationKeyBytes) bytes (whoever ran this setup can forge claims; use --ptau for a ceremony)")
        }
    }

    func start(_ workspace: ModelWorkspace, _ ptauPath: String, _ output: String) throws {
        let file = try loadPtau(ptauPath)
        let r = try modelStep(directory) { try workspace.startCeremony(ptau: file, output: output, threads: threads) }
        if options.json {
            printJSON(["constraints": r.constraints, "domainSize": r.domainSize, "circuitHash": hexString(r.circuitHash), "zkey": output, "zkeyBytes": r.zkeyBytes])
        } else {
            print(formatSnarkjsHash(r.circuitHash, title: "Circuit hash: "))
            print("ceremony started: \(output) (\(r.zkeyBytes) bytes, \(r.constraints) constraints, domain \(r.domainSize)); next: `zkinfer ceremony contribute \(output) 0001.zkey --name NAME` by each participant, then `zkinfer setup \(directory) --zkey FINAL.zkey`")
        }
    }

    func install(_ workspace: ModelWorkspace, _ zkeyPath: String) throws {
        let bytes = [UInt8](try readFile(zkeyPath))
        let file = try ptau.map(loadPtau)
        let r = try modelStep(zkeyPath) { try workspace.installCeremonyKey(zkey: bytes, ptau: file, threads: threads) }
        if options.json {
            printJSON(["constraints": r.constraints, "setup": "ceremony", "circuitHash": hexString(r.report.circuitHash),
                       "verificationKeyDigest": r.verificationKeyDigest, "provingKeyBytes": r.provingKeyBytes, "checkedFromPtau": r.fromPtau,
                       "contributions": r.report.contributions.map { ["index": $0.index, "name": $0.name ?? "", "hash": $0.hashHex] }])
        } else {
            print(PhaseTwo.describe(r.report))
            print("ceremony setup: chain of \(r.report.contributions.count) contribution(s) verified (from \(r.fromPtau ? "the .ptau" : "ceremony/0000.zkey")); installed proving.key (\(r.provingKeyBytes) bytes) and verification_key.json; claims will name this ceremony")
        }
    }
}

struct ModelProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Run the compiled model on an input and prove the result.",
        discussion: """
            INPUT.json is EZKL's shape {"input_data": [[...flattened floats...]]} (the first sample is proven). \
            Writes OUT/proof.json and OUT/public.json (snarkjs) and OUT/claim.json (model digests, key digest, \
            quantization, input, output, public signals, proof). Public signals: model digest, input, output (and a \
            classifier's predicted label, which the claim names in output.label).
            """)

    @Argument(help: "A directory written by `zkinfer compile` and `zkinfer setup`.")
    var directory: String
    @Option(name: .long, help: "INPUT.json (EZKL shape).")
    var input: String
    @Option(name: .shortAndLong, help: "Output directory for proof.json, public.json, claim.json.")
    var output: String
    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?
    @Option(name: .long, help: "Sign the claim with this host key (from `zkinfer keygen`).")
    var sign: String?
    @Flag(name: .long, help: "Also write OUT/witness.wtns (iden3 format; contains every private value: keep it private).")
    var wtns = false
    @OptionGroup var options: ModelOptions

    func run() throws {
        let workspace = try modelStep(directory) { try ModelWorkspace(directory: directory) }
        let samples = try loadInputs(input)
        // Load the signing key first: a missing or corrupt key fails before any proving work.
        var hostKey: Ed25519KeyPair?
        if let sign {
            let data = try readFile(sign)
            hostKey = try modelStep(sign) { try HostKeyFile.load(data) }
        }
        let progress = ProgressReporter(quiet: options.quiet)
        let proved = try modelStep(input) { try workspace.prove(input: samples[0], threads: threads, progress: progress.callback, hostKey: hostKey) }
        progress.finish()
        try modelStep(output) { try ModelWorkspace.write(proved, model: workspace.compiled.model, to: output, witness: wtns) }
        let claim = proved.claim
        if options.json {
            var out: [String: Any] = ["claim": path(output, "claim.json"), "proof": path(output, "proof.json"), "public": path(output, "public.json"),
                       "constraints": proved.circuit.system.constraintCount, "witnessSeconds": seconds(proved.witnessTime),
                       "proveSeconds": seconds(proved.timings.total), "proofBytes": 256, "peakMemoryBytes": peakMemoryBytes(),
                       "output": ["shape": claim.output.shape, "values": claim.output.values, "argmax": claim.output.argmax]]
            if let l = claim.output.label { out["predictedLabel"] = ["index": l.index, "value": l.value, "classes": l.classes] }
            printJSON(out)
        } else {
            print("output \(formatFloats(claim.output.values)) argmax \(claim.output.argmax)\(claim.output.label.map { " predicted label \"\($0.value)\"" } ?? "")\(claim.output.transform == .none ? "" : " (\(claim.output.transform.rawValue) applied outside the proof)")")
            print("proved \(proved.circuit.system.constraintCount) constraints in \(String(format: "%.3f", seconds(proved.timings.total))) s (witness \(String(format: "%.3f", seconds(proved.witnessTime))) s)")
            print("wrote \(path(output, "claim.json")), proof.json, public.json\(claim.signature.map { " (signed by \($0.publicKey))" } ?? "")")
        }
    }
}

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an Ed25519 host key (libsodium) for signing claims.",
        discussion: "Writes a JSON key file readable by its owner only (mode 0600); refuses to overwrite an existing file. Prints the public key.")

    @Option(name: .shortAndLong, help: "Key file to create, e.g. host.key.")
    var output: String
    @Flag(name: .long, help: "Machine-readable JSON on stdout.")
    var json = false

    func run() throws {
        guard !FileManager.default.fileExists(atPath: output) else { throw CLIError("\(output): already exists (not overwritten)") }
        let pair = Ed25519KeyPair()
        var file = HostKeyFile(pair)
        let data = try JSONEncoder().encode(file)
        try writeSecretFile(data, output)
        file.secretKey = String(repeating: "0", count: file.secretKey.count)
        if json { printJSON(["keyFile": output, "publicKey": file.publicKey]) } else {
            print("wrote \(output) (mode 0600); public key \(file.publicKey)")
        }
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The quantized model's output for each input sample, from the circuit's witness (no proof).",
        discussion: "For accuracy checks: every sample in INPUT.json is run through the circuit (and the witness checked).")

    @Argument(help: "A directory written by `zkinfer compile`.")
    var directory: String
    @Option(name: .long, help: "INPUT.json (EZKL shape; every inner list is one sample).")
    var input: String
    @OptionGroup var options: ModelOptions

    func run() throws {
        let compiled = try loadCompiled(directory)
        let samples = try loadInputs(input)
        let m = compiled.model
        var results: [[String: Any]] = []
        for (k, s) in samples.enumerated() {
            let circuit = try modelStep(input) { try compiled.circuit(for: s) }
            do { try circuit.system.check(circuit.witness) } catch {
                throw CLIError("internal error: the witness does not satisfy the circuit for sample \(k) (\(describe(error)))")
            }
            let values = m.dequantize(circuit.output, tensor: m.output)
            let best = firstArgmax(circuit.output)
            var r: [String: Any] = ["shape": m.outputTensor.shape, "values": values, "quantized": circuit.output, "scale": m.outputTensor.scale, "argmax": best]
            if m.outputTransform != .none {
                r["transform"] = m.outputTransform.rawValue
                r["transformed"] = FloatInterpreter.applyTransform(m.outputTransform, values)
            }
            var predicted = ""
            if let l = m.label, let i = circuit.label, l.classes.indices.contains(i) {
                r["predictedLabel"] = ["index": i, "value": l.classes[i]]
                predicted = " predicted label \"\(l.classes[i])\""
            }
            results.append(r)
            if !options.json { print("sample \(k): output \(formatFloats(values)) argmax \(best)\(predicted)") }
        }
        if options.json {
            if results.count == 1 { printJSON(["output": results[0]]) } else { printJSON(["output": results[0], "samples": results.map { ["output": $0] }]) }
        }
    }
}

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Per-layer cost table of an ONNX model (compiled with default settings) or a compiled directory.",
        discussion: "Columns: layer, ONNX op, what it lowered to, output shape, constraints, largest range check (bits), share of the total.")

    @Argument(help: "MODEL.onnx or a compiled directory.")
    var target: String
    @Option(name: .long, help: "Magnitude bits when inspecting an .onnx file.")
    var scaleBits = 8
    @Option(name: .long, help: "Weight visibility when inspecting an .onnx file (private shows the commitment and multiplication costs).")
    var weights: WeightVisibility = .public
    @Option(name: .long, help: "Input visibility when inspecting an .onnx file.")
    var input: InputVisibility = .public
    @Flag(name: .long, help: "Prove a final Softmax/Sigmoid inside the circuit (as `compile --prove-output-transform`).")
    var proveOutputTransform = false
    @OptionGroup var options: ModelOptions

    func run() throws {
        var isDir: ObjCBool = false
        let manifest: ModelManifest
        if FileManager.default.fileExists(atPath: target, isDirectory: &isDir), isDir.boolValue {
            manifest = try loadManifest(target)
        } else {
            let onnx = try readFile(target)
            let (compiled, _) = try modelStep(target) { try CompiledModel.compile(onnx: onnx, options: QuantizationOptions(scaleBits: scaleBits, visibility: Visibility(input: input, weights: weights)),
                                                                              proveOutputTransform: proveOutputTransform) }
            let circuit = try modelStep(target) { try compiled.constraintSystem() }
            manifest = try modelStep(target) { try ModelManifest(name: modelName(target), compiled: compiled, circuit: circuit) }
        }
        if options.json {
            let data = try manifest.encoded()
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(manifest.name): input \(manifest.inputShape) (scale 2^-\(manifest.inputScale)), output \(manifest.outputShape) (scale 2^-\(manifest.outputScale))\(manifest.outputTransform == .none ? "" : ", final \(manifest.outputTransform.rawValue) applied outside the proof")")
            print(manifest.costTable())
        }
    }
}
