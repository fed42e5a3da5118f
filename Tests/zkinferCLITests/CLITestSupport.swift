import Foundation
import XCTest

/// What one run of the `zkinfer` binary gave.
struct CLIResult { var status: Int32; var stdout: String; var stderr: String }

/// Runs the `zkinfer` binary built next to the test bundle.
enum ZkinferBinary {
    static var url: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("zkinfer") }
    static let circuits = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Circuits")

    /// Runs `zkinfer args`; stderr goes to a temporary file, so a chatty stderr can never block the child while
    /// stdout is read.
    static func run(_ args: [String], environment: [String: String] = [:]) throws -> CLIResult {
        let p = Process()
        p.executableURL = url
        p.arguments = args
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errURL) }
        let errHandle = try FileHandle(forWritingTo: errURL)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = errHandle
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try errHandle.close()
        let e = try Data(contentsOf: errURL)
        return CLIResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}

/// A test case with a fresh temporary directory and helpers to run the binary on the sample models.
class CLITestCase: XCTestCase {
    var tmp: URL!
    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("zkinfer-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: tmp) }
    func path(_ name: String) -> String { tmp.appendingPathComponent(name).path }
    /// `Circuits/<name>/<file>`.
    func model(_ name: String, _ file: String) -> String { ZkinferBinary.circuits.appendingPathComponent(name).appendingPathComponent(file).path }

    /// Runs the binary; with `expect`, asserts the exit status (the message shows the command and its output).
    @discardableResult
    func run(_ args: [String], expect: Int32? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
        let r = try ZkinferBinary.run(args)
        if let expect {
            XCTAssertEqual(r.status, expect, "zkinfer \(args.joined(separator: " ")): \(r.stdout) \(r.stderr)", file: file, line: line)
        }
        return r
    }
}
