import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ZKFormats
import ZKGroth16
import ZKModel
import ZKClaim

/// The `zkinfer` command line. Exit codes: 0 success (or a valid proof), 1 an invalid proof,
/// 2 malformed input or usage (with a message naming the file and the problem).
@main
struct Zkinfer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkinfer",
        abstract: "Zero-knowledge proofs of machine-learning inference (ONNX → quantized circuit → Groth16 over BN254), interoperable with snarkjs and circom.",
        discussion: """
            Exit codes: 0 = success / proof valid, 1 = proof invalid, 2 = malformed input or bad usage.
            Long steps report progress on stderr (a bar on a terminal, plain lines otherwise).
            """,
        version: zkinferVersion,
        subcommands: [CompileCommand.self, ModelSetupCommand.self, ModelProveCommand.self, VerifyCommand.self, AuditCommand.self, RunCommand.self,
                      InspectCommand.self, KeygenCommand.self, PtauCommand.self, CeremonyCommand.self, Groth16Command.self, ExportCommand.self,
                      BenchCommand.self, DemoCommand.self, ServeCommand.self, WorkerCommand.self])

    static func main() {
        #if canImport(Glibc)
        // A fixed mmap threshold: blocks of 1 MiB and more (point arrays, MSM scratch, file buffers) are
        // mapped and unmapped, so memory freed after one phase goes back to the system instead of staying
        // in glibc's heap (its default threshold grows to 32 MiB after the first such free). Peak RSS of
        // `groth16 prove` then tracks the live data.
        // (malloc.h is not in the Glibc module: mallopt is looked up; M_MMAP_THRESHOLD is -3.)
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            _ = unsafeBitCast(symbol, to: Mallopt.self)(-3, 1 << 20)
        }
        #endif
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as SilentExit {
            Foundation.exit(error.code)
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("zkinfer: error: \(error.message)\n".utf8))
            Foundation.exit(error.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)  // --help, --version
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            // Usage errors and anything unexpected count as malformed input.
            Foundation.exit(code == .failure && error is ExitCode ? 1 : 2)
        }
    }
}

/// An error with a user-facing message and an exit code (2 = malformed input, 1 = invalid proof).
struct CLIError: Error {
    var message: String
    var exitCode: Int32 = 2
    init(_ message: String, exitCode: Int32 = 2) { self.message = message; self.exitCode = exitCode }
}

/// Runs `body`, turning any thrown error into a CLIError that names `file`.
func withFile<T>(_ file: String, _ what: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as CLIError { throw e } catch {
        throw CLIError("\(file): \(what): \(describe(error))")
    }
}

func describe(_ error: Error) -> String {
    if let e = error as? CocoaError, let path = e.filePath {
        switch e.code {
        case .fileReadNoSuchFile: return "no such file: \(path)"
        case .fileReadNoPermission: return "permission denied: \(path)"
        default: return "cannot read \(path)"
        }
    }
    return String(describing: error)
}

/// The whole file as bytes (one copy in memory), with the CLI's message on failure.
func readFileBytesOrExplain(_ path: String) throws -> [UInt8] {
    do { return try readFileBytes(path) } catch {
        throw CLIError("\(path): cannot read file (\(describe(error)))")
    }
}

func readFile(_ path: String) throws -> Data {
    do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
        throw CLIError("\(path): cannot read file (\(describe(error)))")
    }
}

/// Reads a snarkjs `verification_key.json` (points checked on the curve and in the subgroup) and, with
/// `printWarnings`, prints its forgeability warnings (δ₂ = γ₂, δ = 1, ...) on stderr (`verify` puts them in its
/// verdict instead, unless --allow-forgeable-key).
func loadVerificationKey(_ path: String, printWarnings: Bool = true) throws -> VerificationKey {
    let data = try readFile(path)
    let key = try withFile(path, "invalid verification key") { VerificationKey(snarkjs: try SnarkjsVerificationKey(jsonData: data)) }
    for w in key.forgeabilityWarnings where printWarnings { FileHandle.standardError.write(Data("zkinfer: WARNING: \(path): \(w)\n".utf8)) }
    return key
}

func writeFile(_ data: Data, _ path: String) throws {
    do { try writeFileAtomically(data, to: URL(fileURLWithPath: path)) } catch {
        throw CLIError("\(path): cannot write file (\(describe(error)))")
    }
}

func makeDirectory(_ path: String) throws {
    do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
        throw CLIError("\(path): cannot create directory (\(describe(error)))")
    }
}

/// Prints a JSON object to stdout (sorted keys, pretty).
func printJSON(_ object: [String: Any]) {
    if let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) {
        print(String(decoding: data, as: UTF8.self))
    }
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
