import ArgumentParser
import Foundation
import ZKAlgebra
import ZKFormats
import ZKGroth16

extension VerifierLanguage: ExpressibleByArgument {}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export an EVM verifier contract (Vyper or Solidity) and the calldata for a proof.",
        subcommands: [Verifier.self, Calldata.self])

    struct Verifier: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verifier",
            abstract: "Generate a verifier contract from a verification key.",
            discussion: """
                The contract exposes verifyProof(uint256[2] a, uint256[2][2] b, uint256[2] c, uint256[N] input) -> bool with \
                the argument layout of snarkjs's verifiers (G2 coordinates imaginary part first). It returns false for any \
                public input >= r, any coordinate >= q and any invalid proof point, and uses one 4-pair ecPairing call. \
                The Vyper output is compiled and executed in the test suite; the Solidity output is checked structurally only \
                (no Solidity compiler is installable offline here).
                """)

        @Option(name: .long, help: "verification_key.json (snarkjs format).")
        var vk: String
        @Option(name: .long, help: "Contract language: vyper or solidity.")
        var lang: VerifierLanguage
        @Option(name: .shortAndLong, help: "Output file.")
        var output: String

        func run() throws {
            let key = try loadVerificationKey(vk)
            guard key.publicCount >= 1 else { throw CLIError("\(vk): the key has no public inputs; EVM verifiers need at least one") }
            let source = EVMVerifierDescription(key).render(lang)
            try writeFile(Data(source.utf8), output)
            print("wrote \(output) (\(lang.rawValue), \(key.publicCount) public input\(key.publicCount == 1 ? "" : "s"))")
        }
    }

    struct Calldata: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "calldata",
            abstract: "Print verifyProof's arguments for a proof: as JSON and as ABI-encoded hex calldata (with the selector).")

        @Option(name: .long, help: "proof.json (snarkjs format).")
        var proof: String
        @Option(name: .long, help: "public.json (snarkjs format).")
        var `public`: String
        @Flag(name: .long, help: "One JSON object with the arguments and the hex calldata.")
        var json = false

        func run() throws {
            let proofData = try readFile(proof), publicData = try readFile(self.public)
            let p = try withFile(proof, "invalid proof") { Proof(snarkjs: try SnarkjsProof(jsonData: proofData)) }
            let inputs = try withFile(self.public, "invalid public signals") { try SnarkjsPublicSignals(jsonData: publicData).values }
            let call = EVMCalldata(proof: p, publicInputs: inputs)
            if json {
                printJSON(["a": call.a, "b": call.b, "c": call.c, "input": call.input, "calldata": call.hex])
            } else {
                func list(_ v: [String]) -> String { "[" + v.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
                print("[\(list(call.a)),[\(call.b.map(list).joined(separator: ","))],\(list(call.c)),\(list(call.input))]")
                print(call.hex)
            }
        }
    }
}
