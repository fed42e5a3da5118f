import Foundation
import ZKAlgebra

/// An iden3 `.wtns` witness file (magic `wtns`, version 2) over BN254's scalar field.
///
/// Layout: section 1 = `u32 n8 (32) | prime r (32 bytes LE) | u32 nWitness`; section 2 =
/// `nWitness` plain (non-Montgomery) 32-byte little-endian values, each `< r`.
/// `values[0]` is the constant 1 for circom witnesses (not enforced here), and `values[w]`
/// is the value of wire `w` of the matching ``R1CSFile``.
public struct WitnessFile: Sendable, Hashable {
    /// The witness values, indexed by wire.
    public var values: [Fr]

    public init(values: [Fr]) { self.values = values }

    /// Parses a `.wtns` file; throws ``FormatError`` on any malformed or unsupported input.
    public init(data: Data) throws { try self.init(bytes: [UInt8](data)) }

    /// Parses a `.wtns` file; throws ``FormatError`` on any malformed or unsupported input.
    /// Sections may appear in either order; unknown section types are ignored.
    public init(bytes: [UInt8]) throws {
        let file = try BinContainer(bytes, magic: "wtns", version: 2)
        var h = try file.reader(1, name: "header")
        try h.readFieldHeader(Fr.self, n8What: "n8", primeName: "scalar field modulus r")
        let n = try h.readU32("nWitness")
        try h.expectEnd()

        var r = try file.reader(2, name: "values")
        let expected = UInt64(n) * 32
        guard UInt64(r.remaining) == expected else {
            throw FormatError.sectionSizeMismatch(context: r.context, declared: UInt64(r.remaining), expected: expected)
        }
        var values: [Fr] = []
        values.reserveCapacity(Int(n))
        for i in 0..<Int(n) { values.append(try r.readCanonical(Fr.self, "witness \(i)")) }
        self.values = values
    }

    /// The file's bytes (version 2, sections 1 then 2, as snarkjs/circom write them).
    /// Round-trips a parsed file byte-for-byte. At most `2^32 − 1` values are representable.
    public func serialized() -> [UInt8] {
        var h = ByteWriter()
        h.u32(32)
        h.limbs([Fr.p0, Fr.p1, Fr.p2, Fr.p3])
        h.u32(int: values.count)
        var v = ByteWriter()
        v.bytes.reserveCapacity(values.count * 32)
        for x in values { v.fr(x) }
        return BinContainer.write(magic: "wtns", version: 2, sections: [(1, h.bytes), (2, v.bytes)])
    }
}
