import ZKAlgebra
import ZKBigNum
let g1 = G1Affine(x: Fq(1), y: Fq(2))
let g2 = BN254G2.generator
let e = Pairing.pairing(g1, g2)
let a = Fr(123456789), b = Fr(987654321)
let lhs = Pairing.pairing((G1(g1) * a).affine, (G2(g2) * b).affine)
print("bilinear", lhs == e.power((a*b).canonicalLimbs))
print("bilinear1", Pairing.pairing((G1(g1) * a).affine, g2) == e.power(a.canonicalLimbs))
print("bilinear2", Pairing.pairing(g1, (G2(g2) * b).affine) == e.power(b.canonicalLimbs))
print("e^r == 1", e.power(Fr.modulus.limbs(count:4)!).isOne)
print("check", Pairing.check([(g1, g2), (-g1, g2)]), Pairing.check([(g1, g2), (g1, g2)]))
let clock = ContinuousClock()
let t = clock.measure { for _ in 0..<100 { _ = Pairing.pairing(g1, g2) } }
print("pairing", t / 100)
