/// iden3 binary formats (`.r1cs`, `.wtns`, `.zkey`) and snarkjs JSON.
public enum ZKFormats {}
