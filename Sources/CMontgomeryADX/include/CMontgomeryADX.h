#ifndef ZKINFER_CMONTGOMERYADX_H
#define ZKINFER_CMONTGOMERYADX_H
#include <stdint.h>

/// Four 64-bit limbs, least significant first.
typedef struct { uint64_t l0, l1, l2, l3; } zk_limbs4;
/// Eight 64-bit limbs, least significant first.
typedef struct { uint64_t w0, w1, w2, w3, w4, w5, w6, w7; } zk_limbs8;

// Compiled in by ZKAlgebra only where `Package.swift` defines ZK_ADX: release builds for a CPU with BMI2 and ADX.
// The asm operands need an optimizing compile: at -O0 clang has too few registers left for them ("inline assembly
// requires more registers than available").
#if defined(__x86_64__)
/// One CIOS round of the no-carry Montgomery product (El Housni–Botrel 2022, Alg. 2) on the five-limb window
/// X0..X4: X += a·B (two carry chains: ADOX for the low halves, ADCX for the high halves), then
/// X += m·p with m = X0·(−p⁻¹) mod 2^64, which clears X0. The value is then (X1, X2, X3, X4) and X0 is free.
#define ZK_MONT_ROUND(B, X0, X1, X2, X3, X4) \
    "movq " B ", %%rdx\n\t" \
    "xorl %k[z], %k[z]\n\t" \
    "mulxq %[a0], %[lo], %[hi]\n\t" "adoxq %[lo], %[" X0 "]\n\t" "adcxq %[hi], %[" X1 "]\n\t" \
    "mulxq %[a1], %[lo], %[hi]\n\t" "adoxq %[lo], %[" X1 "]\n\t" "adcxq %[hi], %[" X2 "]\n\t" \
    "mulxq %[a2], %[lo], %[hi]\n\t" "adoxq %[lo], %[" X2 "]\n\t" "adcxq %[hi], %[" X3 "]\n\t" \
    "mulxq %[a3], %[lo], %[" X4 "]\n\t" "adoxq %[lo], %[" X3 "]\n\t" \
    "adcxq %[z], %[" X4 "]\n\t" "adoxq %[z], %[" X4 "]\n\t" \
    "movq %[" X0 "], %%rdx\n\t" \
    "imulq %[inv], %%rdx\n\t" \
    "xorl %k[z], %k[z]\n\t" \
    "mulxq %[p0], %[lo], %[hi]\n\t" "adcxq %[" X0 "], %[lo]\n\t" "adoxq %[hi], %[" X1 "]\n\t" \
    "mulxq %[p1], %[lo], %[hi]\n\t" "adcxq %[lo], %[" X1 "]\n\t" "adoxq %[hi], %[" X2 "]\n\t" \
    "mulxq %[p2], %[lo], %[hi]\n\t" "adcxq %[lo], %[" X2 "]\n\t" "adoxq %[hi], %[" X3 "]\n\t" \
    "mulxq %[p3], %[lo], %[hi]\n\t" "adcxq %[lo], %[" X3 "]\n\t" "adoxq %[hi], %[" X4 "]\n\t" \
    "adcxq %[z], %[" X4 "]\n\t"

/// BN254's base-field modulus q and scalar-field modulus r (limbs least significant first), and −q⁻¹, −r⁻¹ mod 2^64.
static const uint64_t zk_bn254_q[4] = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
static const uint64_t zk_bn254_q_inv = 0x87d20782e4866389ULL;
static const uint64_t zk_bn254_r[4] = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
static const uint64_t zk_bn254_r_inv = 0xc2e1f593efffffffULL;

/// The Montgomery product `a·b·2^-256 mod p` for a 4-limb modulus p with top limb below 2^62 (so the no-carry
/// variant applies), a, b < p; the result is < p. `pm` points to p's limbs, `inv` is −p⁻¹ mod 2^64.
/// Needs BMI2 (`mulx`) and ADX (`adcx`/`adox`): compiled in only where the build targets such a CPU.
static inline __attribute__((always_inline)) zk_limbs4
zk_montgomery_product_adx(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                          uint64_t b0, uint64_t b1, uint64_t b2, uint64_t b3,
                          const uint64_t *pm, const uint64_t *inv) {
    uint64_t r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4, lo, hi, z;
    const uint64_t b[4] = {b0, b1, b2, b3};
    __asm__(
        ZK_MONT_ROUND("%[b0]", "r0", "r1", "r2", "r3", "r4")
        ZK_MONT_ROUND("%[b1]", "r1", "r2", "r3", "r4", "r0")
        ZK_MONT_ROUND("%[b2]", "r2", "r3", "r4", "r0", "r1")
        ZK_MONT_ROUND("%[b3]", "r3", "r4", "r0", "r1", "r2")
        : [r0] "+&r"(r0), [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3), [r4] "=&r"(r4),
          [lo] "=&r"(lo), [hi] "=&r"(hi), [z] "=&r"(z)
        : [a0] "r"(a0), [a1] "r"(a1), [a2] "r"(a2), [a3] "r"(a3),
          [b0] "m"(b[0]), [b1] "m"(b[1]), [b2] "m"(b[2]), [b3] "m"(b[3]),
          [inv] "m"(*inv), [p0] "m"(pm[0]), [p1] "m"(pm[1]), [p2] "m"(pm[2]), [p3] "m"(pm[3])
        : "rdx", "cc");
    // The value (r4, r0, r1, r2) is < 2p: subtract p once when it is ≥ p (branch-free select).
    unsigned long long d0, d1, d2, d3;
    unsigned char borrow = __builtin_ia32_subborrow_u64(0, r4, pm[0], &d0);
    borrow = __builtin_ia32_subborrow_u64(borrow, r0, pm[1], &d1);
    borrow = __builtin_ia32_subborrow_u64(borrow, r1, pm[2], &d2);
    borrow = __builtin_ia32_subborrow_u64(borrow, r2, pm[3], &d3);
    uint64_t keep = 0 - (uint64_t)borrow;
    zk_limbs4 r = {(r4 & keep) | (d0 & ~keep), (r0 & keep) | (d1 & ~keep), (r1 & keep) | (d2 & ~keep), (r2 & keep) | (d3 & ~keep)};
    return r;
}
#undef ZK_MONT_ROUND

/// The full 512-bit product of two 256-bit values (any limbs; no reduction).
static inline __attribute__((always_inline)) zk_limbs8
zk_wide_product_adx(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t b0, uint64_t b1, uint64_t b2, uint64_t b3) {
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, lo, hi, z;
    const uint64_t a[4] = {a0, a1, a2, a3};
    __asm__(
        "movq %[b0], %%rdx\n\t"
        "mulxq %[a0], %[t0], %[t1]\n\t"
        "mulxq %[a1], %[lo], %[t2]\n\t" "addq %[lo], %[t1]\n\t"
        "mulxq %[a2], %[lo], %[t3]\n\t" "adcq %[lo], %[t2]\n\t"
        "mulxq %[a3], %[lo], %[t4]\n\t" "adcq %[lo], %[t3]\n\t" "adcq $0, %[t4]\n\t"
#define ZK_WIDE_ROW(B, X0, X1, X2, X3, X4) \
        "movq " B ", %%rdx\n\t" "xorl %k[z], %k[z]\n\t" \
        "mulxq %[a0], %[lo], %[hi]\n\t" "adoxq %[lo], %[" X0 "]\n\t" "adcxq %[hi], %[" X1 "]\n\t" \
        "mulxq %[a1], %[lo], %[hi]\n\t" "adoxq %[lo], %[" X1 "]\n\t" "adcxq %[hi], %[" X2 "]\n\t" \
        "mulxq %[a2], %[lo], %[hi]\n\t" "adoxq %[lo], %[" X2 "]\n\t" "adcxq %[hi], %[" X3 "]\n\t" \
        "mulxq %[a3], %[lo], %[" X4 "]\n\t" "adoxq %[lo], %[" X3 "]\n\t" \
        "adcxq %[z], %[" X4 "]\n\t" "adoxq %[z], %[" X4 "]\n\t"
        ZK_WIDE_ROW("%[b1]", "t1", "t2", "t3", "t4", "t5")
        ZK_WIDE_ROW("%[b2]", "t2", "t3", "t4", "t5", "t6")
        ZK_WIDE_ROW("%[b3]", "t3", "t4", "t5", "t6", "t7")
#undef ZK_WIDE_ROW
        : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4), [t5] "=&r"(t5),
          [t6] "=&r"(t6), [t7] "=&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi), [z] "=&r"(z)
        : [a0] "m"(a[0]), [a1] "m"(a[1]), [a2] "m"(a[2]), [a3] "m"(a[3]),
          [b0] "rm"(b0), [b1] "rm"(b1), [b2] "rm"(b2), [b3] "rm"(b3)
        : "rdx", "cc");
    zk_limbs8 r = {t0, t1, t2, t3, t4, t5, t6, t7};
    return r;
}
/// Montgomery reduction `T·2^-256 mod p` of `T < p·2^256`, fully reduced (< p); p as in
/// ``zk_montgomery_product_adx``. Each round adds m·p at limb i (m = t_i·(−p⁻¹)), with ADCX for the low halves and
/// ADOX for the high halves; `k` carries the two chains' carries (0–2) into the next round's top limb. By the bound
/// on T the result fits in limbs 4–7 and is < 2p.
static inline __attribute__((always_inline)) zk_limbs4
zk_montgomery_reduce_adx(zk_limbs8 t, const uint64_t *pm, const uint64_t *inv) {
    uint64_t t0 = t.w0, t1 = t.w1, t2 = t.w2, t3 = t.w3, t4 = t.w4, t5 = t.w5, t6 = t.w6, t7 = t.w7, lo, hi, z, k;
    __asm__(
        "xorl %k[k], %k[k]\n\t"
#define ZK_REDC_ROUND(X0, X1, X2, X3, X4) \
        "movq %[" X0 "], %%rdx\n\t" "imulq %[inv], %%rdx\n\t" "xorl %k[z], %k[z]\n\t" \
        "mulxq %[p0], %[lo], %[hi]\n\t" "adcxq %[" X0 "], %[lo]\n\t" "adoxq %[hi], %[" X1 "]\n\t" \
        "mulxq %[p1], %[lo], %[hi]\n\t" "adcxq %[lo], %[" X1 "]\n\t" "adoxq %[hi], %[" X2 "]\n\t" \
        "mulxq %[p2], %[lo], %[hi]\n\t" "adcxq %[lo], %[" X2 "]\n\t" "adoxq %[hi], %[" X3 "]\n\t" \
        "mulxq %[p3], %[lo], %[hi]\n\t" "adcxq %[lo], %[" X3 "]\n\t" "adoxq %[hi], %[" X4 "]\n\t" \
        "adcxq %[k], %[" X4 "]\n\t" \
        "movl $0, %k[k]\n\t" "adoxq %[z], %[k]\n\t" "adcxq %[z], %[k]\n\t"
        ZK_REDC_ROUND("t0", "t1", "t2", "t3", "t4")
        ZK_REDC_ROUND("t1", "t2", "t3", "t4", "t5")
        ZK_REDC_ROUND("t2", "t3", "t4", "t5", "t6")
        ZK_REDC_ROUND("t3", "t4", "t5", "t6", "t7")
#undef ZK_REDC_ROUND
        : [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3), [t4] "+&r"(t4), [t5] "+&r"(t5),
          [t6] "+&r"(t6), [t7] "+&r"(t7), [lo] "=&r"(lo), [hi] "=&r"(hi), [z] "=&r"(z), [k] "=&r"(k)
        : [inv] "m"(*inv), [p0] "m"(pm[0]), [p1] "m"(pm[1]), [p2] "m"(pm[2]), [p3] "m"(pm[3])
        : "rdx", "cc");
    (void)k;
    unsigned long long d0, d1, d2, d3;
    unsigned char borrow = __builtin_ia32_subborrow_u64(0, t4, pm[0], &d0);
    borrow = __builtin_ia32_subborrow_u64(borrow, t5, pm[1], &d1);
    borrow = __builtin_ia32_subborrow_u64(borrow, t6, pm[2], &d2);
    borrow = __builtin_ia32_subborrow_u64(borrow, t7, pm[3], &d3);
    uint64_t keep = 0 - (uint64_t)borrow;
    zk_limbs4 r = {(t4 & keep) | (d0 & ~keep), (t5 & keep) | (d1 & ~keep), (t6 & keep) | (d2 & ~keep), (t7 & keep) | (d3 & ~keep)};
    return r;
}

/// `a·b·2^-256 mod q` (Fq in Montgomery form; inputs and output < q).
static inline __attribute__((always_inline)) zk_limbs4
zk_bn254_fq_product(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t b0, uint64_t b1, uint64_t b2, uint64_t b3) {
    return zk_montgomery_product_adx(a0, a1, a2, a3, b0, b1, b2, b3, zk_bn254_q, &zk_bn254_q_inv);
}

/// `T·2^-256 mod q` for `T < q·2^256`, fully reduced.
static inline __attribute__((always_inline)) zk_limbs4 zk_bn254_fq_reduce(zk_limbs8 t) {
    return zk_montgomery_reduce_adx(t, zk_bn254_q, &zk_bn254_q_inv);
}

/// `a·b·2^-256 mod r` (Fr in Montgomery form; inputs and output < r).
static inline __attribute__((always_inline)) zk_limbs4
zk_bn254_fr_product(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t b0, uint64_t b1, uint64_t b2, uint64_t b3) {
    return zk_montgomery_product_adx(a0, a1, a2, a3, b0, b1, b2, b3, zk_bn254_r, &zk_bn254_r_inv);
}
#endif

#endif
