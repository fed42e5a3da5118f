import ArgumentParser
import Foundation
import ZKAlgebra
import ZKGroth16

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "End-to-end showcase: a pairing check, then Groth16 setup, prove and verify on a square-chain circuit.")

    @Option(name: .long, help: "log2 of the number of constraints in the demo circuit (1...20).")
    var logConstraints = 12
    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        guard (1...20).contains(logConstraints) else { throw ValidationError("--log-constraints must be in 1...20") }
    }

    func run() throws {
        let clock = ContinuousClock()
        // 1. Bilinearity on BN254: e(a·P, b·Q) = e(ab·P, Q).
        let a = Fr.random(), b = Fr.random()
        var start = clock.now
        let ok = Pairing.check([((G1.generator * a).affine, (G2.generator * b).affine),
                                (-(G1.generator * (a * b)).affine, BN254G2.generator)])
        let pairingTime = clock.now - start
        print("pairing check e(aP, bQ)·e(−abP, Q) = 1: \(ok ? "holds" : "FAILS") (\(String(format: "%.2f", seconds(pairingTime) * 1000)) ms for 2 pairs)")

        // 2. Groth16 on x_{i+1} = x_i² + x_0.
        let m = 1 << logConstraints
        let (system, witness) = SyntheticCircuits.squareChain(count: m, x0: Fr(7), publicCount: 2)
        try system.check(witness)
        start = clock.now
        let pk = try Groth16.setup(system, threads: threads)
        let setupTime = clock.now - start
        let (proof, timings) = try Groth16.proveWithTimings(pk, witness: witness, threads: threads)
        let publics = Array(witness[1...2])
        start = clock.now
        let valid = try Groth16.verify(pk.verificationKey, proof: proof, publicInputs: publics)
        let verifyTime = clock.now - start
        var bad = publics; bad[0] += Fr.one
        let rejects = try !Groth16.verify(pk.verificationKey, proof: proof, publicInputs: bad)
        let proofBytes = proof.a.ethereumBytes.count + proof.b.ethereumBytes.count + proof.c.ethereumBytes.count
        let compressed = proof.a.compressedBytes.count + proof.b.compressedBytes.count + proof.c.compressedBytes.count
        print("Groth16 square chain: \(system.constraintCount) constraints, \(system.wireCount) wires, 2 public inputs")
        print("  setup   \(String(format: "%8.3f", seconds(setupTime))) s   proving key \(ProvingKeyFile.serialize(pk).count) bytes")
        print("  prove   \(String(format: "%8.3f", seconds(timings.total))) s   (\(timings))")
        print("  verify  \(String(format: "%8.3f", seconds(verifyTime) * 1000)) ms  proof \(proofBytes) bytes (\(compressed) compressed)")
        print("  verdict: \(valid ? "valid" : "INVALID"); with a tampered public input: \(rejects ? "rejected" : "ACCEPTED")")
        if !(ok && valid && rejects) { throw CLIError("demo failed", exitCode: 1) }
    }
}
