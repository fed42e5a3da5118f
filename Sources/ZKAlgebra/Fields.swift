import ZKBigNum

/// The BN254 scalar field, `r = 21888242871839275222246405745257275088548364400416034343698204186575808495617`
/// (the order of G1 and G2; circuit values and witnesses live here). Montgomery form, always `< r`.
@frozen
public struct Fr: MontgomeryField {
    public let l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64

    @inlinable @inline(__always)
    public init(montgomeryLimbs l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3
    }

    @inlinable public static var p0: UInt64 { 0x43e1_f593_f000_0001 }
    @inlinable public static var p1: UInt64 { 0x2833_e848_79b9_7091 }
    @inlinable public static var p2: UInt64 { 0xb850_45b6_8181_585d }
    @inlinable public static var p3: UInt64 { 0x3064_4e72_e131_a029 }
    @inlinable public static var inverseNegated: UInt64 { 0xc2e1_f593_efff_ffff }
    @inlinable public static var r2: Fr {
        Fr(montgomeryLimbs: 0x1bb8_e645_ae21_6da7, 0x53fe_3ab1_e35c_59e3, 0x8c49_833d_53bb_8085, 0x0216_d0b1_7f4e_44a5)
    }
    @inlinable public static var one: Fr {
        Fr(montgomeryLimbs: 0xac96_341c_4fff_fffb, 0x36fc_7695_9f60_cd29, 0x666e_a36f_7879_462e, 0x0e0a_77c1_9a07_df2f)
    }
    public static var bitLength: Int { 254 }
    public static var twoAdicity: Int { 28 }
    /// `5^((r−1)/2^28)`; 5 generates Fr*.
    public static let twoAdicRootOfUnity: Fr = Fr(5).power((Fr.modulus - BigNum(1)) >> 28)
    public static var quadraticNonResidue: Fr { Fr(5) }
    /// A generator of the multiplicative group (used as the coset shift).
    public static var multiplicativeGenerator: Fr { Fr(5) }
    public static var name: String { "Fr" }
}

/// The BN254 base field, `q = 21888242871839275222246405745257275088696311157297823662689037894645226208583`
/// (curve coordinates live here). Montgomery form, always `< q`. `q ≡ 3 (mod 4)`.
@frozen
public struct Fq: MontgomeryField {
    public let l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64

    @inlinable @inline(__always)
    public init(montgomeryLimbs l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3
    }

    @inlinable public static var p0: UInt64 { 0x3c20_8c16_d87c_fd47 }
    @inlinable public static var p1: UInt64 { 0x9781_6a91_6871_ca8d }
    @inlinable public static var p2: UInt64 { 0xb850_45b6_8181_585d }
    @inlinable public static var p3: UInt64 { 0x3064_4e72_e131_a029 }
    @inlinable public static var inverseNegated: UInt64 { 0x87d2_0782_e486_6389 }
    @inlinable public static var r2: Fq {
        Fq(montgomeryLimbs: 0xf32c_fc5b_538a_fa89, 0xb5e7_1911_d445_01fb, 0x47ab_1eff_0a41_7ff6, 0x06d8_9f71_cab8_351f)
    }
    @inlinable public static var one: Fq {
        Fq(montgomeryLimbs: 0xd35d_438d_c58f_0d9d, 0x0a78_eb28_f5c7_0b3d, 0x666e_a36f_7879_462c, 0x0e0a_77c1_9a07_df2f)
    }
    public static var bitLength: Int { 254 }
    public static var twoAdicity: Int { 1 }
    public static var twoAdicRootOfUnity: Fq { -Fq.one }
    public static var quadraticNonResidue: Fq { -Fq.one }
    public static var name: String { "Fq" }
}
