/* sigmoid.h: the bulk cores of the sigmoid-shaped gradients (silu', softplus',
 * gelu_tanh'), in the kernel's own precision.  Include after kdef.h, vmath.h and
 * dwarith.h.
 *
 * With w = e^u (u = -x for silu', -beta x for softplus', -v for gelu_tanh'):
 *   sigmoid = 1/(1 + w), and the gradients of x sigmoid(v(x)) are
 *   (1 + w a) / (1 + w)^2 with a = 1 + x v'(x) (silu': 1 + x),
 * whose zero (1 + w a = 0, where the gradient changes sign) is cancelled exactly:
 *   1. e^u = 2^m (eh + el): the reduction's rounding and u's low part carried;
 *   2. 1 + w = Eh + El exactly up to the polynomial (2^m + 1 exact for m <= 23,
 *      float64 52: |u| <= RK_SIG_BULK);
 *   3. A = 2^m a exact, A eh = ph + pl exactly, nh = 1 + ph exact where it cancels;
 *   4. q0 = nh / (Eh + El)^2 from 1/dh, corrected once from the exact remainder;
 *      g q0 + g corr rounded once.
 * Exhaustive float32, g = 1 (python -m relukit verify --exhaustive): see the
 * kernel files and the README.
 */
#ifndef RK_SIGMOID_H
#define RK_SIGMOID_H

/* e^(v + v_lo) = 2^m (1 + r + s) for |v| <= 87 (float64: 708), v_lo a small low part:
 * m = rint(v/ln2) in the low bits of the returned t, r = v + v_lo - m ln2 rounded, s = r^2 P(r) plus the rounding error of r, so that 1 + r + s carries
 * e^r to the polynomial's accuracy (2^-28 relative in float32) */
static inline vf expv_f(vf v, vf v_lo, vf *r, vf *s) {
    vf t = vf_fma(v, vf_set1(RK_F_LOG2E), vf_set1(RK_F_SHIFT));
    vf m = vf_sub(t, vf_set1(RK_F_SHIFT));
    vf r1 = vf_fnma(m, vf_set1(RK_F_LN2HI), v);            /* exact */
    vf c = vf_fnma(m, vf_set1(RK_F_LN2LO), v_lo);          /* v_lo - m ln2lo */
    vf rr = vf_add(r1, c);
    vf d = vf_add(vf_sub(r1, rr), c);
    vf q = vf_fma(vf_set1(RK_EXPF_P4), rr, vf_set1(RK_EXPF_P3));
    q = vf_fma(q, rr, vf_set1(RK_EXPF_P2));
    q = vf_fma(q, rr, vf_set1(RK_EXPF_P1));
    q = vf_fma(q, rr, vf_set1(RK_EXPF_P0));
    *s = vf_fma(vf_mul(rr, rr), q, d);
    *r = rr;
    return t;
}
static inline vd expv_d(vd v, vd v_lo, vd *r, vd *s) {
    vd t = vd_fma(v, vd_set1(RK_D_LOG2E), vd_set1(RK_D_SHIFT));
    vd m = vd_sub(t, vd_set1(RK_D_SHIFT));
    vd r1 = vd_fnma(m, vd_set1(RK_D_LN2HI), v);
    vd c = vd_fnma(m, vd_set1(RK_D_LN2LO), v_lo);
    vd rr = vd_add(r1, c);
    vd d = vd_add(vd_sub(r1, rr), c);
    *s = vd_fma(vd_mul(rr, rr), rk_vd_expm1_q_e(rr), d);
    *r = rr;
    return t;
}
/* the bulk range of u = -x, -beta x, -v: u <= BULK, where 2^m + 1 is exact (m <= 23,
 * float64 52), so that 1 + e^u is formed as 1 + W + lo exactly; u is clamped at
 * EXPV_MAX (beyond it 1 + e^-|u| rounds to 1) */
#define RK_SIG_BULK_f 16.0f
#define RK_SIG_BULK_d 36.0
#define RK_EXPV_MAX_f 87.0f
#define RK_EXPV_MAX_d 708.0

/* g times a double word, rounded once (fmac): without an FMA the exact product of
 * a tiny g would itself be rounded into the subnormals before the sum, so such a g
 * is scaled by 2^K first and the result back (one more rounding, at the result's
 * own scale: a subnormal result is within half its ULP plus a 2^-24 fraction) */
#if RK_HAVE_FMA
#define RK_GUP(S, g, back) (g)
#define RK_GDOWN(S, y, back) (y)
#else
static inline vf gup_f(vf g, vf *back) {
    mf t = vf_lt(vf_abs(g), vf_set1(0x1p-60f));
    *back = vf_select(t, vf_set1(0x1p-64f), vf_set1(1.0f));
    return vf_mul(g, vf_select(t, vf_set1(0x1p64f), vf_set1(1.0f)));
}
static inline vd gup_d(vd g, vd *back) {
    md t = vd_lt(vd_abs(g), vd_set1(0x1p-900));
    *back = vd_select(t, vd_set1(0x1p-600), vd_set1(1.0));
    return vd_mul(g, vd_select(t, vd_set1(0x1p600), vd_set1(1.0)));
}
#define RK_GUP(S, g, back) gup_##S(g, back)
#define RK_GDOWN(S, y, back) S##_gdown(y, back)
#define f_gdown(y, back) vf_mul(y, back)
#define d_gdown(y, back) vd_mul(y, back)
#endif

#define RK_SIG_BODIES(V, P, S)                                                       \
    /* 1 + e^(u + ul) = Eh + El and e^(u + ul) = pw (eh + el), pw = 2^m: pw eh is    \
     * exact, and Eh = 1 + W leaves the exact error (1 - Eh) + W (Eh >= 1: 1 - Eh is \
     * exact below 2^24) */                                                          \
    RK_INLINE V sig_den_##S(V u, V ul, V *pw, V *eh, V *el, V *El) {                 \
        V r, s, one = P##_set1(1);                                                   \
        V t = expv_##S(u, ul, &r, &s);                                               \
        V t1 = P##_add(one, r);                                                      \
        V w = P##_add(P##_add(P##_sub(one, t1), r), s);    /* e^r = t1 + w */        \
        *eh = P##_add(t1, w);                                                        \
        *el = P##_add(P##_sub(t1, *eh), w);                 /* exact: |t1| > |w| */  \
        *pw = rk_##P##_pow2(t, 0);                                                   \
        V W = P##_mul(*pw, *eh);                                                     \
        V Eh = P##_add(one, W);                                                      \
        *El = P##_fma(*pw, *el, P##_add(P##_sub(one, Eh), W));                       \
        return Eh;                                                                   \
    }                                                                                \
    /* g (1 + w (a + al)) / (1 + w)^2, w = e^(u + ul), u <= BULK, |g| <= RK_GBIG:    \
     *   A = 2^m a exact, A eh = ph + pl exactly (plus the small terms), nh = 1 + ph: \
     *   exact where it cancels (ph in [-2, -0.5], Sterbenz) and for ph < -2 (ulp(ph) >= \
     *   ulp(1)); elsewhere |ph| < 2 and (1 - nh) + ph is its exact error;           \
     *   (Eh + El)^2 = dh + dl;  q0 = nh / dh from 1/dh, corrected once from the exact \
     *   remainder (dsig_q: q0 and corr);  g q0 + g corr rounded once.  What      \
     *   remains is the error of e^r, 2^-28 in float32, times |w a| / |1 + w a|:   \
     *   7 at the edge of the window around the gradient's zero                     \
     *   (relukit._reference.DERIVATIVE_ROOTS) */                                   \
    RK_INLINE V dsig_q_##S(V u, V ul, V a, V al, V *corr) {                          \
        V pw, eh, el, El, one = P##_set1(1);                                         \
        V Eh = sig_den_##S(u, ul, &pw, &eh, &el, &El);                               \
        V A = P##_mul(pw, a), Al = P##_mul(pw, al);                                  \
        V pl, ph = twoprod_##S(A, eh, &pl);                                          \
        pl = P##_fma(A, el, P##_fma(Al, eh, pl));                                    \
        V nh = P##_add(one, ph);                                                     \
        V nl = P##_add(P##_add(P##_sub(one, nh), ph), pl);                           \
        V dl, dh = twoprod_##S(Eh, Eh, &dl);                                         \
        dl = P##_fma(P##_add(Eh, Eh), El, dl);                                       \
        V R = P##_div(one, dh);                                                      \
        V q0 = P##_mul(nh, R);                                                       \
        V rr = P##_fnma(q0, dl, P##_add(resid_##S(nh, q0, dh), nl));                 \
        *corr = P##_mul(rr, R);                                                      \
        return q0;                                                                   \
    }                                                                                \
    /* the quotient q0 + corr of dsig_q, times g rounded once */                    \
    RK_INLINE V dsig_##S(V u, V ul, V a, V al, V g) {                                \
        V corr, q0 = dsig_q_##S(u, ul, a, al, &corr);                                \
        V back = P##_set1(1);                                                        \
        V gs = RK_GUP(S, g, &back);                                                  \
        (void)back;                                                                  \
        return RK_GDOWN(S, fmac_##S(gs, q0, P##_mul(gs, corr)), back);               \
    }                                                                                \
    /* the same gradient where 1 + w no longer holds w exactly (u + ul = -v > BULK): \
     * z = e^v = 1/w <= 2^-23 (float64 2^-52), (1 + w a)/(1 + w)^2 = z (a + z)/(1 + z)^2 \
     * = z (a + z (1 - 2a)) (1 + O(z^2)): z = 2^m (eh + el), a + al + z (1 - 2a) = a + bl, \
     * the product with g rounded once, then 2^m (a second rounding only where the   \
     * result is subnormal: less than half an ULP more).  v down to -87 (float64 -708): \
     * 2^m normal */                                                                 \
    RK_INLINE V dsig_far_##S(V v, V v_lo, V a, V al, V g) {                          \
        V r, s, one = P##_set1(1);                                                   \
        V t = expv_##S(v, v_lo, &r, &s);                                             \
        V t1 = P##_add(one, r);                                                      \
        V w = P##_add(P##_add(P##_sub(one, t1), r), s);                              \
        V eh = P##_add(t1, w);                                                       \
        V el = P##_add(P##_sub(t1, eh), w);                                          \
        V pw = rk_##P##_pow2(t, 0);                                                  \
        V z = P##_mul(pw, eh);                                                       \
        V bl = P##_fma(z, P##_fnma(P##_set1(2), a, one), al);                        \
        V pl, ph = twoprod_##S(eh, a, &pl);                                          \
        pl = P##_fma(el, a, P##_fma(eh, bl, pl));                                    \
        V back = one;                                                                \
        V gs = RK_GUP(S, g, &back);                                                  \
        (void)back;                                                                  \
        return RK_GDOWN(S, P##_mul(fmac_##S(gs, ph, P##_mul(gs, pl)), pw), back);    \
    }
RK_SIG_BODIES(vf, vf, f)
RK_SIG_BODIES(vd, vd, d)

#endif
