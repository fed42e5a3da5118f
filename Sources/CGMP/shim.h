#ifndef ZKINFER_CGMP_SHIM_H
#define ZKINFER_CGMP_SHIM_H
// GMP's public names (mpz_init, mpn_mul_n, ...) are macros over __gmpz_* / __gmpn_*,
// which Swift cannot import. These static inline functions re-expose what zkinfer uses.
#include <gmp.h>
#include <stddef.h>

static inline void zk_mpz_init(mpz_ptr x) { mpz_init(x); }
static inline void zk_mpz_clear(mpz_ptr x) { mpz_clear(x); }
static inline void zk_mpz_set(mpz_ptr r, mpz_srcptr a) { mpz_set(r, a); }
static inline void zk_mpz_set_ui(mpz_ptr r, unsigned long a) { mpz_set_ui(r, a); }
static inline void zk_mpz_set_si(mpz_ptr r, long a) { mpz_set_si(r, a); }
static inline int zk_mpz_set_str(mpz_ptr r, const char *s, int base) { return mpz_set_str(r, s, base); }
static inline char *zk_mpz_get_str(char *buf, int base, mpz_srcptr a) { return mpz_get_str(buf, base, a); }
static inline unsigned long zk_mpz_get_ui(mpz_srcptr a) { return mpz_get_ui(a); }
static inline int zk_mpz_fits_slong_p(mpz_srcptr a) { return mpz_fits_slong_p(a); }
static inline long zk_mpz_get_si(mpz_srcptr a) { return mpz_get_si(a); }
static inline void zk_mpz_add(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_add(r, a, b); }
static inline void zk_mpz_sub(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_sub(r, a, b); }
static inline void zk_mpz_mul(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_mul(r, a, b); }
static inline void zk_mpz_neg(mpz_ptr r, mpz_srcptr a) { mpz_neg(r, a); }
static inline void zk_mpz_abs(mpz_ptr r, mpz_srcptr a) { mpz_abs(r, a); }
static inline void zk_mpz_tdiv_qr(mpz_ptr q, mpz_ptr r, mpz_srcptr n, mpz_srcptr d) { mpz_tdiv_qr(q, r, n, d); }
static inline void zk_mpz_mod(mpz_ptr r, mpz_srcptr n, mpz_srcptr d) { mpz_mod(r, n, d); }
static inline void zk_mpz_powm(mpz_ptr r, mpz_srcptr b, mpz_srcptr e, mpz_srcptr m) { mpz_powm(r, b, e, m); }
static inline int zk_mpz_invert(mpz_ptr r, mpz_srcptr a, mpz_srcptr m) { return mpz_invert(r, a, m); }
static inline void zk_mpz_gcd(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_gcd(r, a, b); }
static inline int zk_mpz_cmp(mpz_srcptr a, mpz_srcptr b) { return mpz_cmp(a, b); }
static inline int zk_mpz_sgn(mpz_srcptr a) { return mpz_sgn(a); }
static inline size_t zk_mpz_sizeinbase(mpz_srcptr a, int base) { return mpz_sizeinbase(a, base); }
static inline int zk_mpz_tstbit(mpz_srcptr a, mp_bitcnt_t bit) { return mpz_tstbit(a, bit); }
static inline void zk_mpz_mul_2exp(mpz_ptr r, mpz_srcptr a, mp_bitcnt_t n) { mpz_mul_2exp(r, a, n); }
static inline void zk_mpz_fdiv_q_2exp(mpz_ptr r, mpz_srcptr a, mp_bitcnt_t n) { mpz_fdiv_q_2exp(r, a, n); }
static inline int zk_mpz_legendre(mpz_srcptr a, mpz_srcptr p) { return mpz_legendre(a, p); }
static inline void zk_mpz_import(mpz_ptr r, size_t count, int order, size_t size, int endian, size_t nails, const void *op) {
    mpz_import(r, count, order, size, endian, nails, op);
}
static inline void *zk_mpz_export(void *rop, size_t *countp, int order, size_t size, int endian, size_t nails, mpz_srcptr op) {
    return mpz_export(rop, countp, order, size, endian, nails, op);
}
static inline int zk_mpz_probab_prime_p(mpz_srcptr n, int reps) { return mpz_probab_prime_p(n, reps); }

// The mpn layer (fixed-size natural numbers), used for the Montgomery-multiplication comparison.
static inline mp_limb_t zk_mpn_mul_1(mp_limb_t *rp, const mp_limb_t *s1p, mp_size_t n, mp_limb_t s2) { return mpn_mul_1(rp, s1p, n, s2); }
static inline mp_limb_t zk_mpn_addmul_1(mp_limb_t *rp, const mp_limb_t *s1p, mp_size_t n, mp_limb_t s2) { return mpn_addmul_1(rp, s1p, n, s2); }
static inline void zk_mpn_mul_n(mp_limb_t *rp, const mp_limb_t *s1p, const mp_limb_t *s2p, mp_size_t n) { mpn_mul_n(rp, s1p, s2p, n); }
static inline mp_limb_t zk_mpn_sub_n(mp_limb_t *rp, const mp_limb_t *s1p, const mp_limb_t *s2p, mp_size_t n) { return mpn_sub_n(rp, s1p, s2p, n); }
static inline mp_limb_t zk_mpn_add_n(mp_limb_t *rp, const mp_limb_t *s1p, const mp_limb_t *s2p, mp_size_t n) { return mpn_add_n(rp, s1p, s2p, n); }
static inline int zk_mpn_cmp(const mp_limb_t *s1p, const mp_limb_t *s2p, mp_size_t n) { return mpn_cmp(s1p, s2p, n); }
static inline mp_limb_t zk_mpn_add_1(mp_limb_t *rp, const mp_limb_t *s1p, mp_size_t n, mp_limb_t s2) { return mpn_add_1(rp, s1p, n, s2); }

#endif
