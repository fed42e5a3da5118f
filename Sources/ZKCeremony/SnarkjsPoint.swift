import ZKAlgebra

/// The point encodings snarkjs uses in `.ptau`/`.zkey` files and in its transcript hashes
/// (ffjavascript/wasmcurves `toRprLEM`, `LEMtoU`, `LEMtoC`).
///
/// * **LEM** (in files): x then y, each coordinate little-endian in Montgomery form (`R = 2^256`,
///   the same as ours, so the limbs are copied); Fq2 as c0 then c1; the identity is all zeros.
/// * **Uncompressed** (hashed): each coordinate big-endian, canonical; an Fq2 element is written
///   as one 64-byte big-endian number, i.e. c1 then c0; the identity is all zeros.
/// * **Compressed** (hashed in phase-1 responses): x only as above, with bit 0x80 of the first
///   byte set when y is "negative" (ffjavascript's sign) and 0x40 alone for the identity.
public enum SnarkjsPoint {
    // MARK: LEM

    public static func appendLEM(_ p: G1Affine, to out: inout [UInt8]) {
        if p.isInfinity { out.append(contentsOf: repeatElement(0, count: 64)); return }
        appendMontgomery(p.x, &out); appendMontgomery(p.y, &out)
    }

    public static func appendLEM(_ p: G2Affine, to out: inout [UInt8]) {
        if p.isInfinity { out.append(contentsOf: repeatElement(0, count: 128)); return }
        appendMontgomery(p.x.c0, &out); appendMontgomery(p.x.c1, &out)
        appendMontgomery(p.y.c0, &out); appendMontgomery(p.y.c1, &out)
    }

    public static func lem(_ p: G1Affine) -> [UInt8] { var o: [UInt8] = []; o.reserveCapacity(64); appendLEM(p, to: &o); return o }
    public static func lem(_ p: G2Affine) -> [UInt8] { var o: [UInt8] = []; o.reserveCapacity(128); appendLEM(p, to: &o); return o }

    /// A G1 point from 64 LEM bytes at `offset`; nil if a coordinate is `≥ q` or the point is off
    /// the curve (G1 has cofactor 1, so on the curve means in the group).
    public static func g1(lem b: UnsafeRawBufferPointer, at offset: Int) -> G1Affine? {
        guard let x = montgomery(Fq.self, b, offset), let y = montgomery(Fq.self, b, offset + 32) else { return nil }
        if x.isZero && y.isZero { return .infinity }
        let p = G1Affine(x: x, y: y)
        return p.isOnCurve ? p : nil
    }

    /// A G2 point from 128 LEM bytes at `offset`; nil if a coordinate is `≥ q`, the point is off
    /// the twist, or (when `subgroup`) outside the order-r subgroup.
    public static func g2(lem b: UnsafeRawBufferPointer, at offset: Int, subgroup: Bool) -> G2Affine? {
        guard let x0 = montgomery(Fq.self, b, offset), let x1 = montgomery(Fq.self, b, offset + 32),
              let y0 = montgomery(Fq.self, b, offset + 64), let y1 = montgomery(Fq.self, b, offset + 96) else { return nil }
        if x0.isZero && x1.isZero && y0.isZero && y1.isZero { return .infinity }
        let p = G2Affine(x: Fq2(x0, x1), y: Fq2(y0, y1))
        guard p.isOnCurve else { return nil }
        if subgroup, !p.isInSubgroup { return nil }
        return p
    }

    // MARK: Uncompressed / compressed (big-endian, canonical)

    public static func uncompressed(_ p: G1Affine) -> [UInt8] {
        if p.isInfinity { return [UInt8](repeating: 0, count: 64) }
        var o: [UInt8] = []
        o.reserveCapacity(64)
        appendBE(p.x, &o); appendBE(p.y, &o)
        return o
    }

    public static func uncompressed(_ p: G2Affine) -> [UInt8] {
        if p.isInfinity { return [UInt8](repeating: 0, count: 128) }
        var o: [UInt8] = []
        o.reserveCapacity(128)
        appendBE(p.x.c1, &o); appendBE(p.x.c0, &o); appendBE(p.y.c1, &o); appendBE(p.y.c0, &o)
        return o
    }

    public static func compressed(_ p: G1Affine) -> [UInt8] {
        if p.isInfinity { var o = [UInt8](repeating: 0, count: 32); o[0] = 0x40; return o }
        var o: [UInt8] = []
        appendBE(p.x, &o)
        if p.y.isSnarkjsNegative { o[0] |= 0x80 }
        return o
    }

    public static func compressed(_ p: G2Affine) -> [UInt8] {
        if p.isInfinity { var o = [UInt8](repeating: 0, count: 64); o[0] = 0x40; return o }
        var o: [UInt8] = []
        appendBE(p.x.c1, &o); appendBE(p.x.c0, &o)
        if p.y.isSnarkjsNegative { o[0] |= 0x80 }
        return o
    }

    // MARK: Field helpers

    @inline(__always)
    static func appendMontgomery<F: MontgomeryField>(_ x: F, _ out: inout [UInt8]) {
        for w in [x.l0, x.l1, x.l2, x.l3] { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: w >> UInt64(8 * i))) } }
    }

    @inline(__always)
    static func appendBE<F: MontgomeryField>(_ x: F, _ out: inout [UInt8]) {
        let l = x.canonicalLimbs
        for w in l.reversed() { for i in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: w >> UInt64(8 * i))) } }
    }

    @inline(__always)
    static func montgomery<F: MontgomeryField>(_: F.Type, _ b: UnsafeRawBufferPointer, _ o: Int) -> F? {
        let l0 = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: o, as: UInt64.self))
        let l1 = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: o + 8, as: UInt64.self))
        let l2 = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: o + 16, as: UInt64.self))
        let l3 = UInt64(littleEndian: b.loadUnaligned(fromByteOffset: o + 24, as: UInt64.self))
        if l3 != F.p3 { guard l3 < F.p3 else { return nil } }
        else if l2 != F.p2 { guard l2 < F.p2 else { return nil } }
        else if l1 != F.p1 { guard l1 < F.p1 else { return nil } }
        else { guard l0 < F.p0 else { return nil } }
        return F(montgomeryLimbs: l0, l1, l2, l3)
    }
}
