/// Errors of the ceremony commands. Every malformed file and every failed check ends in one of
/// these (never a trap), with a message that names the file part or the check.
public enum CeremonyError: Error, CustomStringConvertible, Equatable {
    /// A `.ptau`/`.zkey`/`.r1cs` file that cannot be parsed or breaks the format's invariants.
    case invalidFile(String)
    /// Two inputs that do not belong together (a circuit too big for the `.ptau`, another curve…).
    case mismatch(String)
    /// A ceremony check failed: the message says which one (and which contribution).
    case verificationFailed(String)
    /// A valid input this implementation does not handle (stated in the message).
    case unsupported(String)
    /// A bad argument (beacon hash, iteration exponent, name…).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .invalidFile(m): return m
        case let .mismatch(m): return m
        case let .verificationFailed(m): return m
        case let .unsupported(m): return m
        case let .invalidArgument(m): return m
        }
    }
}
