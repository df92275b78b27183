/* dwarith.h: double-word ("hi + lo") arithmetic on the wrapper API, for the
 * kernels that round a compensated result once (exponential.c, gelu.c):
 * twosum_f/d, twoprod_f/d (FMA where the target has it, else Dekker), divc_f/d
 * (a division corrected from its exact remainder), dwmul_f/d, dwadd_f/d.
 * Include after kdef.h. */
#ifndef RK_DWARITH_H
#define RK_DWARITH_H

/* |g| above this: scale g by 2^-64 first (and the result back), so that products
 * with numerators larger than the result cannot overflow on their own; divc keeps
 * its uncorrected quotient past it */
#define RK_GBIG_f 0x1p100f
#define RK_GBIG_d 0x1p900

/* 1/d to ~1.5% for finite d > 0: the exponent-flip guess (bits = MAGIC - bits(d),
 * ~12%) and one Newton step.  Only scales correction terms of about an ULP. */
RK_INLINE vf rcp_approx_f(vf d) {
    vf r = vi_as_vf(vi_sub(vi_set1(0x7ef311c3), vf_as_vi(d)));
    return vf_mul(r, vf_fnma(d, r, vf_set1(2.0f)));
}
static inline vd rcp_approx_d(vd d) {
    vd r = vl_as_vd(vl_sub(vl_set1(0x7fde623822fc16e6LL), vd_as_vl(d)));
    return vd_mul(r, vd_fnma(d, r, vd_set1(2.0)));
}


/* a + b = s + e exactly (any order of magnitude) */
#define RK_TWOSUM(V, P, S)                                                           \
    static inline V twosum_##S(V a, V b, V *e) {                                     \
        V s = P##_add(a, b);                                                         \
        V bb = P##_sub(s, a);                                                        \
        *e = P##_add(P##_sub(a, P##_sub(s, bb)), P##_sub(b, bb));                    \
        return s;                                                                    \
    }
RK_TWOSUM(vf, vf, f)
RK_TWOSUM(vd, vd, d)


/* a * b = p + e exactly: the fused multiply-add where the target has one, else
 * Dekker's product on Veltkamp halves (|a|, |b| < 2^100 for float, 2^900 for double) */
#if RK_HAVE_FMA
#define RK_TWOPROD(V, P, S, C)                                                       \
    static inline V twoprod_##S(V a, V b, V *e) {                                    \
        V p = P##_mul(a, b);                                                         \
        *e = P##_fms(a, b, p);                                                       \
        return p;                                                                    \
    }
#else
#define RK_TWOPROD(V, P, S, C)                                                       \
    static inline V split_##S(V a, V *lo) {                                          \
        V t = P##_mul(P##_set1(C), a);                                               \
        V hi = P##_sub(t, P##_sub(t, a));                                            \
        *lo = P##_sub(a, hi);                                                        \
        return hi;                                                                   \
    }                                                                                \
    static inline V twoprod_##S(V a, V b, V *e) {                                    \
        V p = P##_mul(a, b), al, bl;                                                 \
        V ah = split_##S(a, &al), bh = split_##S(b, &bl);                            \
        *e = P##_add(P##_add(P##_add(P##_sub(P##_mul(ah, bh), p), P##_mul(ah, bl)),  \
                             P##_mul(al, bh)), P##_mul(al, bl));                     \
        return p;                                                                    \
    }
#endif
RK_TWOPROD(vf, vf, f, 4097.0f)          /* 2^12 + 1 */
RK_TWOPROD(vd, vd, d, 134217729.0)      /* 2^27 + 1 */

/* a*b + c with the product exact: one rounding where the target fuses (the
 * fused multiply-add), else the exact product as p + e and (e + c) + p, whose
 * error is at most an ULP of the result plus an ULP of c */
#if RK_HAVE_FMA
RK_INLINE vf fmac_f(vf a, vf b, vf c) { return vf_fma(a, b, c); }
#else
RK_INLINE vf fmac_f(vf a, vf b, vf c) {
    vf e, p = twoprod_f(a, b, &e);
    return vf_add(p, vf_add(e, c));
}
#endif

#if RK_HAVE_FMA
static inline vd fmac_d(vd a, vd b, vd c) { return vd_fma(a, b, c); }
#else
static inline vd fmac_d(vd a, vd b, vd c) {
    vd e, p = twoprod_d(a, b, &e);
    return vd_add(p, vd_add(e, c));
}
#endif

/* g h + g l for l a small low part of h (|h| < 4): the fused multiply-add, or
 * without one two roundings, except for a g above 2^64 (float64 2^512), where the
 * result may lie near the overflow threshold (two roundings there could give inf
 * for a result below the largest float): such a g is scaled down by that power of
 * two (exact), the product taken exactly (fmac: Dekker's split is safe at that
 * scale) and rounded once, and the result scaled back (exact, or the overflow a
 * fused product would give) */
#if RK_HAVE_FMA
RK_INLINE vf mul2_f(vf g, vf h, vf l) { return vf_fma(g, h, vf_mul(g, l)); }
static inline vd mul2_d(vd g, vd h, vd l) { return vd_fma(g, h, vd_mul(g, l)); }
#else
RK_INLINE vf mul2_f(vf g, vf h, vf l) {
    vf y = vf_add(vf_mul(g, h), vf_mul(g, l));
    mf big = vf_gt(vf_abs(g), vf_set1(0x1p64f));
    if (mf_any(big)) {   /* rare: the exact product only for vectors that need it */
        vf gs = vf_mul(g, vf_select(big, vf_set1(0x1p-64f), vf_zero()));
        y = vf_select(big, vf_mul(fmac_f(gs, h, vf_mul(gs, l)), vf_set1(0x1p64f)), y);
    }
    return y;
}
static inline vd mul2_d(vd g, vd h, vd l) {
    vd y = vd_add(vd_mul(g, h), vd_mul(g, l));
    md big = vd_gt(vd_abs(g), vd_set1(0x1p512));
    if (md_any(big)) {
        vd gs = vd_mul(g, vd_select(big, vd_set1(0x1p-512), vd_zero()));
        y = vd_select(big, vd_mul(fmac_d(gs, h, vd_mul(gs, l)), vd_set1(0x1p512)), y);
    }
    return y;
}
#endif

/* g (h + l) rounded once for any g (l a small low part of h): an FMA, or without
 * one the exact product of fmac where Dekker's split cannot overflow (|g| <= GBIG,
 * beyond: two roundings (mul2), for such g only) */
#if RK_HAVE_FMA
RK_INLINE vf gdw_f(vf g, vf h, vf l) { return vf_fma(g, h, vf_mul(g, l)); }
static inline vd gdw_d(vd g, vd h, vd l) { return vd_fma(g, h, vd_mul(g, l)); }
#else
RK_INLINE vf gdw_f(vf g, vf h, vf l) {
    mf small = vf_le(vf_abs(g), vf_set1(RK_GBIG_f));
    vf gs = vf_select(small, g, vf_zero());
    return vf_select(small, fmac_f(gs, h, vf_mul(g, l)), mul2_f(g, h, l));
}
static inline vd gdw_d(vd g, vd h, vd l) {
    md small = vd_le(vd_abs(g), vd_set1(RK_GBIG_d));
    vd gs = vd_select(small, g, vd_zero());
    return vd_select(small, fmac_d(gs, h, vd_mul(g, l)), mul2_d(g, h, l));
}
#endif

/* n - q d for q within a few ULP of n/d: the remainder, exact (or rounded once
 * at its own tiny magnitude): one fused multiply-add, else n - p (exact: p is
 * within a factor 2 of n) minus the product's error e */
#if RK_HAVE_FMA
RK_INLINE vf resid_f(vf n, vf q, vf d) { return vf_fnma(q, d, n); }
static inline vd resid_d(vd n, vd q, vd d) { return vd_fnma(q, d, n); }
#else
RK_INLINE vf resid_f(vf n, vf q, vf d) {
    vf e, p = twoprod_f(q, d, &e);
    return vf_sub(vf_sub(n, p), e);
}
static inline vd resid_d(vd n, vd q, vd d) {
    vd e, p = twoprod_d(q, d, &e);
    return vd_sub(vd_sub(n, p), e);
}
#endif

/* (nh + nl) / (dh + dl) for dh > 0, rounded once up to a tiny fraction of an ULP:
 * q0 = nh/dh, then one correction from the exact remainder nh - q0*dh. */
#define RK_DIVC(V, P, S)                                                             \
    static inline V divc_##S(V nh, V nl, V dh, V dl) {                               \
        V q0 = P##_div(nh, dh), pe;                                                  \
        V pp = twoprod_##S(q0, dh, &pe);                                             \
        V res = P##_sub(P##_add(P##_sub(P##_sub(nh, pp), pe), nl), P##_mul(q0, dl)); \
        V q = P##_fma(res, rcp_approx_##S(dh), q0);                                  \
        /* past 2^100 (2^900) the remainder is not representable: keep q0 */         \
        return P##_select(P##_gt(P##_abs(q0), P##_set1(RK_GBIG_##S)), q0, q);         \
    }
RK_DIVC(vf, vf, f)
RK_DIVC(vd, vd, d)

/* double-word arithmetic: a value is hi + lo with |lo| <= ulp(hi) */
#define RK_DW(V, P, S)                                                               \
    static inline V dwmul_##S(V ah, V al, V bh, V bl, V *pl) {                       \
        V e;                                                                         \
        V ph = twoprod_##S(ah, bh, &e);                                              \
        *pl = P##_fma(ah, bl, P##_fma(al, bh, e));                                   \
        return ph;                                                                   \
    }                                                                                \
    static inline V dwadd_##S(V ah, V al, V bh, V bl, V *sl) {                       \
        V e;                                                                         \
        V sh = twosum_##S(ah, bh, &e);                                               \
        *sl = P##_add(e, P##_add(al, bl));                                           \
        return sh;                                                                   \
    }
RK_DW(vf, vf, f)
RK_DW(vd, vd, d)

#endif
