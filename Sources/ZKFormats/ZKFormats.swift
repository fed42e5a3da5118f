/// Readers and writers for the circom/snarkjs ecosystem's file formats over BN254.
///
/// - ``R1CSFile``: iden3 `.r1cs` (version 1) — read and write.
/// - ``WitnessFile``: iden3 `.wtns` (version 2) — read and write.
/// - ``ZKeyGroth16``: snarkjs Groth16 `.zkey` (version 1, protocol id 1) — read.
/// - ``SnarkjsVerificationKey``, ``SnarkjsProof``, ``SnarkjsPublicSignals``: snarkjs JSON — read and write.
///
/// All binary integers are little-endian. Readers are defensive: every read is bounds-checked,
/// declared counts and sizes are checked against the bytes present before anything is
/// allocated, and every problem is reported as a ``FormatError`` (never a trap).
public enum ZKFormats {
    /// The field-element size in bytes that all readers require (`n8 = 32`).
    public static let fieldElementSize = 32
}
