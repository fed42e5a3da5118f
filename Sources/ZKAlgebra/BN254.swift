import ZKBigNum

/// Constants of the BN254 (alt_bn128) curve family member used by Ethereum and snarkjs.
public enum BN254 {
    /// The BN parameter `u` (often `x₀`): `p = 36u⁴ + 36u³ + 24u² + 6u + 1`.
    public static let u: UInt64 = 4_965_661_367_192_848_881
    /// The scalar field order r (= ``Fr/modulus``).
    public static var r: BigNum { Fr.modulus }
    /// The base field modulus q (= ``Fq/modulus``).
    public static var q: BigNum { Fq.modulus }
    /// `b' = 3/ξ`, the constant of the sextic (D-type) twist `y² = x³ + 3/(9+u)` on which G2 lives.
    public static let twistB: Fq2 = Fq2(Fq(3), .zero) * Fq2.xi.inverse()!
}

/// G1: `y² = x³ + 3` over Fq, prime order r (cofactor 1), generator (1, 2).
public enum BN254G1: CurveParameters {
    public typealias Base = Fq
    @inlinable public static var b: Fq { Fq(3) }
    public static var generator: AffinePoint<BN254G1> { AffinePoint(x: Fq(1), y: Fq(2)) }
    public static var name: String { "G1" }
    /// The cofactor is 1: every point on the curve is in the subgroup.
    public static func isInSubgroup(_ p: JacobianPoint<BN254G1>) -> Bool { p.isOnCurve }
}

/// G2: the order-r subgroup of the twist `y² = x³ + 3/(9+u)` over Fq2, with Ethereum's generator.
public enum BN254G2: CurveParameters {
    public typealias Base = Fq2
    public static var b: Fq2 { BN254.twistB }
    public static let generator: AffinePoint<BN254G2> = AffinePoint(
        x: Fq2(Fq(decimal: "10857046999023057135944570762232829481370756359578518086990519993285655852781")!,
               Fq(decimal: "11559732032986387107991004021392285783925812861821192530917403151452391805634")!),
        y: Fq2(Fq(decimal: "8495653923123431417604973247489272438418190587263600148770280649306958101930")!,
               Fq(decimal: "4082367875863433681332203403145435568316851327593401208105741076214120093531")!))
    public static var name: String { "G2" }

    /// Membership test of El Housni–Guillevic–Piellard (ePrint 2022/348, §3, 5.1) for BN curves:
    /// `Q ∈ G2 ⟺ [u+1]Q + ψ([u]Q) + ψ²([u]Q) = ψ³([2u]Q)`. Cross-checked against `[r]Q = 0` in tests.
    public static func isInSubgroup(_ q: JacobianPoint<BN254G2>) -> Bool {
        if q.isInfinity { return true }
        let uq = q.multiplied(byLimbs: [BN254.u])
        let lhs = (uq + q) + uq.psi() + uq.psi().psi()
        let rhs = uq.doubled().psi().psi().psi()
        return lhs == rhs
    }
}

public typealias G1 = JacobianPoint<BN254G1>
public typealias G1Affine = AffinePoint<BN254G1>
public typealias G2 = JacobianPoint<BN254G2>
public typealias G2Affine = AffinePoint<BN254G2>

extension JacobianPoint where C == BN254G2 {
    /// The untwist–Frobenius–twist endomorphism `ψ(x, y) = (x̄·ξ^((p−1)/3), ȳ·ξ^((p−1)/2))`.
    @inlinable
    public func psi() -> JacobianPoint {
        let g = Fq12.frobeniusCoefficients[0]
        return JacobianPoint(x: x.conjugate() * g[2], y: y.conjugate() * g[3], z: z.conjugate())
    }
}

extension AffinePoint where C == BN254G2 {
    /// ``JacobianPoint/psi()`` on an affine point.
    @inlinable
    public func psi() -> AffinePoint {
        if isInfinity { return self }
        let g = Fq12.frobeniusCoefficients[0]
        return AffinePoint(x: x.conjugate() * g[2], y: y.conjugate() * g[3])
    }
}

extension BN254G2 {
    /// A point of the twist curve outside the order-r subgroup (the first with x = k + u, k = 1, 2, …), for tests of
    /// the subgroup checks. Package-internal: no production path uses it.
    package static let pointOutsideSubgroup: G2Affine = {
        var k: UInt64 = 1
        while true {
            let x = Fq2(Fq(k), Fq.one)
            if let y = (x.squared() * x + BN254G2.b).squareRoot() {
                let p = G2Affine(x: x, y: y)
                if !p.isInSubgroup { return p }
            }
            k += 1
        }
    }()
}
