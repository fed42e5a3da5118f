import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress on stderr: a redrawn bar when stderr is a terminal, one plain line per phase otherwise.
final class ProgressReporter: @unchecked Sendable {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let quiet: Bool
    private var lastPhase = ""
    private let lock = NSLock()

    init(quiet: Bool = false) { self.quiet = quiet }

    func update(_ phase: String, _ fraction: Double) {
        guard !quiet else { return }
        lock.lock(); defer { lock.unlock() }
        if isTerminal {
            let width = 30
            let filled = max(0, min(width, Int(fraction * Double(width))))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data("\r\u{1B}[K[\(bar)] \(Int(fraction * 100))% \(phase)".utf8))
            if fraction >= 1 { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if phase != lastPhase {
            FileHandle.standardError.write(Data("zkinfer: \(phase)\n".utf8))
        }
        lastPhase = phase
    }

    var callback: @Sendable (String, Double) -> Void { { [self] in self.update($0, $1) } }

    func finish() {
        guard !quiet, isTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
