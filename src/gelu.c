/* gelu.c: GELU, exact (erfc form) and tanh approximation, forward and backward.
 *
 * Notation: a = |x|, Phi = standard normal cdf, phi its density, c0 = 1/sqrt(2 pi).
 * gelu(x) = x Phi(x);  gelu'(x) = Phi(x) + x phi(x);  gelu'(x) + gelu'(-x) = 1.
 * For a >= a0:  gelu(-a) = -exp(-a^2/2) T(a),  gelu(a) = a - exp(-a^2/2) T(a),
 *               gelu'(-a) = exp(-a^2/2) (T(a) - c0 a^2) / a,
 * with T(a) = (a/2) erfcx(a/sqrt2) = a phi(a)^-1 Phi(-a) c0, smooth and bounded
 * (0.17 .. 1/sqrt(2 pi)): no cancellation and no 1 + erf, so the negative tail keeps
 * its relative accuracy down to the subnormal results.  The exponential is taken
 * of the exact a^2 (hi + lo, the lo folded into the reduced argument) and its
 * 2^n applied last (scaled by 2^K where results are subnormal): one rounding.
 * For a < a0:   Phi(x) = 1/2 + x P(x^2), phi part likewise, Taylor series in x^2.
 *
 * float32 (and float16, widened to it) is computed in float32 arithmetic:
 *   gelu      1. a = |x| (at most 14.5); piece i = (bits(a + 1) >> 22) & 7 of 8 pieces
 *                [0, .5), [.5, 1), [1, 2), [2, 3), [3, 5), [5, 7), [7, 11), [11, 15),
 *                one per vector lane: vf_lut8 (vpermps) fetches its coefficients;
 *             2. R(a) = Phi(-a) e^(a^2/2) = K + u q(u), u = a - C, q of degree 7
 *                (gelu_tables.h, fitted by relukit/_fit.py: relative error 2^-28);
 *             3. e^(-a^2/2) = 2^n (1 + r + pl): a^2 = h + l exactly (FMA or Dekker),
 *                r1 = -h/2 - n ln2hi exact, r = r1 + c rounded and its rounding
 *                error carried in pl with the polynomial;
 *             4. x Phi(-a) = 2^n x (K + inner), inner = K (r + pl) + q (1 + p), the
 *                largest term K x 2^(n+64) an exact product inside one fma, then 2^-64
 *                (one rounding, subnormal results included);
 *             5. x < 0: that;  x >= 0: x - that.
 *   gelu'     the same with D(a) = gelu'(-a) e^(a^2/2), fitted as D/(a - root) (degree
 *             7, the zero of gelu' at a = 0.7518 factored out) and multiplied by
 *             a - root as an exact two-sum; x >= 0: g (1 - gelu'(-a)).  Rare lanes
 *             (|x| >= 14.5, |g| >= 2^32, zeros, NaN) are fixed behind one whole-vector
 *             test: a huge g is pre-scaled, [-20, -14.5] takes the asymptotic series.
 *   `verify --exhaustive` max, avx2 and avx512 / baseline: gelu 1.717 / 1.884,
 *   gelu' 1.290 / 1.670, gelu_tanh' 1.354 / 1.354 ULP.
 *   gelu_tanh x / (1 + e^-v) with v in double-word, e^-v = 2^m (1 + p) as above and
 *             1 + e^-v rounded once (fma(2^m, p, 2^m + 1), or 2^m (1 + (p + 2^-m))
 *             where 2^m + 1 is not exact); x < -9.5 as x e^v scaled by 2^64.
 *   gelu_tanh' (1 + w a) / (1 + w)^2, a = 1 + x v' in double-word, by sigmoid.h's core
 *             ([-9.8, -4.85) as z (a + z (1 - 2a)), z = e^v; beyond, NaN, huge g:
 *             through the float64 body below).
 * float64: a < 0.75: Taylor in x^2 (15 terms);  a >= 0.75: T(a) = (a/2) erfcx(z),
 *   z = a/sqrt2, from vmath's piecewise erfcx (its error, ~2 ULP, dominates);
 *   gelu'(-a) = e^(-a^2/2) (T - c0 a^2)/a with T and c0 a^2 in double-word, rounded
 *   once before the division (3.4 ULP at most in f64 sampling, baseline and avx2);
 *   x < -37: e^(-a^2/2) scaled by 2^600 (forward; -0 past -38.7) or 2^1100 with a
 *   huge g scaled down (backward, to x = -54, past which g gelu'(x) underflows for
 *   every finite g): one rounding into the subnormals.
 * gelu_tanh(x) = x sigmoid(v), v = 2 sqrt(2/pi) (x + 0.044715 x^3) (both constants
 *   carried in double-word for float64): v is computed in double-word (its
 *   rounding error would be multiplied by |v| in the tail), e = exp(-|v|) with
 *   v's low part folded into the reduction, then x/(1 + e) or x e/(1 + e) with
 *   one corrected division (float64; float32 above).
 * Backward: g times the derivative, computed the same way (g multiplied in
 * float64 for float32 results); float64 gelu_tanh': [(1 + e) s + x v' e] / (1 + e)^2
 * (s = e for v < 0, else 1) with v' = 2 sqrt(2/pi) (1 + 3c x^2), x v' and the
 * numerator in double-word, g folded in, one corrected division.  Limits: gelu(-inf) = -0.0, gelu(inf) = inf,
 * gelu'(-inf) = 0, gelu'(inf) = 1 (times g; an infinite g stays infinite).
 * Accuracy: see the README's table.  Valid input range: every value.
 */
#include <math.h>
#include "kdef.h"
#include "vmath.h"
#include "dwarith.h"
#include "gelu_tables.h"
#include "sigmoid.h"

/* C0, C0_LO, RSQRT2_HI, K2_HI/LO, GT_C/_LO, the derivatives' zeros (GELU_D_ZERO, GELU_TANH_D_ZERO,
 * _F for float) and the Taylor series GELU_PS, GELU_SS: gelu_tables.h (generated) */
static inline vd horner_d(vd s, const double *c, int n) {
    vd r = vd_set1(c[n - 1]);
    for (int i = n - 2; i >= 0; i--) r = vd_fma(r, s, vd_set1(c[i]));
    return r;
}
/* exp(-(h + l)/2) = 2^n (1 + q): returns q and the shifted integer t (for rk_vd_pow2) */
static inline vd expm_half(vd h, vd l, vd *t) {
    vd n;
    vd r = rk_vd_exp_red(vd_mul(h, vd_set1(-0.5)), t, &n);
    r = vd_fnma(l, vd_set1(0.5), r);
    return rk_vd_expm1_poly_e(r);
}

/* ---- float32 gelu_tanh': the float64 core for an x that is a float32 value ---- */

static inline vd gelu_tanh32_core(vd x, int bwd, vd g) {
    vd s = vd_mul(x, x);
    vd v = vd_mul(vd_mul(vd_set1(K2_HI), x), vd_fma(vd_set1(GT_C), s, vd_set1(1.0)));
    vd av = vd_min(vd_abs(v), vd_set1(1400.0));
    vd e = vd_exp(vd_neg(av));                     /* exp(-|v|) */
    vd ope = vd_add(vd_set1(1.0), e);
    md vneg = vd_lt(v, vd_zero());
    if (!bwd) {
        return vd_div(vd_mul(x, vd_select(vneg, e, vd_set1(1.0))), ope);
    }
    /* sigma + x v' sigma (1 - sigma), v' = 2k (1 + 3c x^2), sigma(1-sigma) = e/(1+e)^2 */
    vd vp = vd_mul(vd_set1(K2_HI), vd_fma(vd_set1(3.0 * GT_C), s, vd_set1(1.0)));
    vd num = vd_fma(vd_mul(x, vp), e, vd_mul(ope, vd_select(vneg, e, vd_set1(1.0))));
    vd d = vd_div(num, vd_mul(ope, ope));
    /* e^-|v| underflowed (x below about -26): the derivative, e^v (1 + x v') there, is
     * negative, so its zero is -0 (g d then takes the sign of the true product) */
    d = vd_select(md_and(vd_eq(d, vd_zero()), vd_lt(x, vd_zero())), vd_set1(-0.0), d);
    return vd_mul(g, d);
}

/* specials common to both GELUs (float32 and float64 bodies): NaN, +-inf */
#define RK_GELU_SPECIALS_F(y, x) \
    y = vf_select(vf_eq(x, vf_set1(-INFINITY)), vf_set1(-0.0f), y); \
    y = vf_select(vf_eq(x, vf_set1(INFINITY)), x, y); \
    y = vf_select(vf_isnan(x), x, y);

/* float32 gelu_tanh in float32 arithmetic: x / (1 + w), w = e^-v,
 * v = 2 sqrt(2/pi) x (1 + 0.044715 x^2):
 *   1. v = vh + vl in double-word (x^2, c x^2, 1 + c x^2 and the products carried
 *      exactly: v's rounding error would be multiplied by |v| in the tail);
 *   2. w = 2^m (1 + p): m = rint(-vh/ln2), r1 = -vh - m ln2hi (exact), r = r1 + c,
 *      c = -m ln2lo - vl, d = (r1 - r) + c its rounding, p = r + (r^2 P(r) + d);
 *   3. y = x / den, den = 1 + w rounded once: fma(2^m, p, 2^m + 1) while 2^m + 1
 *      is exact (m <= 23), else 2^m (1 + (p + 2^-m)).
 * A vector with a lane outside [-9.5, 1e4] or NaN recomputes those lanes: above
 * 1e4, x; below -9.5 (1 + e^v rounds to 1), x e^v with 2^(m+64) and a final 2^-64
 * (subnormal results rounded once), -0 below v = -120. */
RK_INLINE vf gelu_tanh_v_f(vf x, vf *vl) {
    vf sl, sh = twoprod_f(x, x, &sl);
    vf e1, ch = twoprod_f(vf_set1(GT_C_F_HI), sh, &e1);
    vf cl = vf_fma(vf_set1(GT_C_F_HI), sl, vf_fma(vf_set1(GT_C_F_LO), sh, e1));
    vf ml, mh = twosum_f(vf_set1(1.0f), ch, &ml);
    ml = vf_add(ml, cl);
    vf e2, kh = twoprod_f(vf_set1(GT_K2_F_HI), x, &e2);
    vf kl = vf_fma(vf_set1(GT_K2_F_LO), x, e2);
    vf e3, vh = twoprod_f(kh, mh, &e3);
    *vl = vf_fma(kh, ml, vf_fma(kl, mh, e3));
    return vh;
}
/* e^(uh + ul) = 2^m (1 + *p), uh <= 127 ln2: returns the shifted m */
RK_INLINE vf gelu_tanh_exp_f(vf uh, vf ul, vf *p) {
    vf t = vf_fma(uh, vf_set1(RK_F_LOG2E), vf_set1(RK_F_SHIFT));
    vf m = vf_sub(t, vf_set1(RK_F_SHIFT));
    vf r1 = vf_fnma(m, vf_set1(RK_F_LN2HI), uh);
    vf c = vf_fnma(m, vf_set1(RK_F_LN2LO), ul);
    vf r = vf_add(r1, c);
    vf d = vf_add(vf_sub(r1, r), c);
    vf e = vf_fma(vf_set1(RK_EXPF_P4), r, vf_set1(RK_EXPF_P3));
    e = vf_fma(e, r, vf_set1(RK_EXPF_P2));
    e = vf_fma(e, r, vf_set1(RK_EXPF_P1));
    e = vf_fma(e, r, vf_set1(RK_EXPF_P0));
    *p = vf_add(r, vf_fma(vf_mul(r, r), e, d));
    return t;
}
/* w = e^-v = P (1 + p) for x in [-9.5, 1e4] (steps 1-2 above): returns -v (at
 * least -87, where w is below 2^-125) and P, p */
RK_INLINE vf gelu_tanh_w_f(vf xc, vf *P, vf *p) {
    vf vl, vh = gelu_tanh_v_f(xc, &vl);
    vf nvh = vf_neg(vh);
    mf clamp = vf_lt(nvh, vf_set1(-87.0f));           /* w below 2^-125: den = 1 */
    vf uh = vf_max(nvh, vf_set1(-87.0f));
    vf ul = vf_select(clamp, vf_zero(), vf_neg(vl));
    *P = rk_vf_pow2(gelu_tanh_exp_f(uh, ul, p), 0);
    return uh;
}
/* the denominator 1 + w rounded once (step 3), for x in [-9.5, 1e4] */
RK_INLINE vf gelu_tanh_den_f(vf xc) {
    vf P, p, uh = gelu_tanh_w_f(xc, &P, &p);
    vf Pinv = vi_as_vf(vi_sub(vi_set1(254 << 23), vf_as_vi(P)));     /* 2^-m */
    return vf_select(vf_le(uh, vf_set1(16.0f)), vf_fma(P, p, vf_add(P, vf_set1(1.0f))),
                     vf_fma(P, vf_add(p, Pinv), P));
}
static inline vf gelu_tanh_f(vf x, vf pa, vf pb) {
    (void)pa; (void)pb;
    vf xc = vf_min(vf_max(x, vf_set1(-9.5f)), vf_set1(1e4f));
    vf y = vf_div(x, gelu_tanh_den_f(xc));
    mf ok = mf_and(vf_ge(x, vf_set1(-9.5f)), vf_le(x, vf_set1(1e4f)));   /* false for NaN */
    if (!mf_all(ok)) {
        vf xt = vf_max(x, vf_set1(-20.0f));
        vf tl, th = gelu_tanh_v_f(xt, &tl);
        mf deep = vf_lt(th, vf_set1(-120.0f));
        vf q, tt = gelu_tanh_exp_f(vf_max(th, vf_set1(-120.0f)), vf_select(deep, vf_zero(), tl), &q);
        vf M = vf_mul(xt, rk_vf_pow2(tt, 64));
        vf yt = vf_mul(vf_fma(M, q, M), vf_set1(0x1p-64f));
        yt = vf_select(deep, vf_set1(-0.0f), yt);
        yt = vf_select(vf_gt(x, vf_set1(1e4f)), x, yt);
        y = vf_select(ok, y, vf_select(vf_isnan(x), x, yt));
    }
    return y;
}
/* backward specials: +inf -> g; -inf -> 0*g (an infinite g: g); NaN x -> x;
 * an infinite g: g times the derivative's sign */
#define RK_GELU_BWD_SPECIALS_F(y, x, g, dsign) \
    y = vf_select(vf_eq(vf_abs(g), vf_set1(INFINITY)), vf_mul(g, dsign), y); \
    y = vf_select(vf_eq(x, vf_set1(INFINITY)), g, y); \
    y = vf_select(vf_eq(x, vf_set1(-INFINITY)), \
                  vf_select(vf_eq(vf_abs(g), vf_set1(INFINITY)), g, vf_mul(g, vf_zero())), y); \
    y = vf_select(vf_isnan(x), x, y);

/* float32 gelu_tanh' through the float64 core: the lanes outside the bulk */
static __attribute__((noinline, cold)) vf gelu_tanh_bwd_all_f(vf x, vf g) {
    vf y = vd2_vf(gelu_tanh32_core(vf_lo_vd(x), 1, vf_lo_vd(g)),
                  gelu_tanh32_core(vf_hi_vd(x), 1, vf_hi_vd(g)));
    vf dsign = vf_select(vf_lt(x, vf_set1(GELU_TANH_D_ZERO_F)), vf_set1(-1.0f), vf_set1(1.0f));
    RK_GELU_BWD_SPECIALS_F(y, x, g, dsign)
    return y;
}
/* float32 gelu_tanh' in float32 arithmetic: with w = e^-v and a = 1 + x v',
 * v' = 2 sqrt(2/pi) (1 + 3c x^2), gelu_tanh'(x) = (1 + w a) / (1 + w)^2, sigmoid.h's
 * core (the zero of gelu_tanh' at -0.752, where w a = -1, cancelled exactly):
 *   1. v = vh + vl in double-word (gelu_tanh_v_f); -v clamped at -87 (beyond, w
 *      is below 2^-125 and the gradient rounds to 1);
 *   2. x v' = Xh + Xl: x^2, 3c x^2, 1 + 3c x^2 and the products carried exactly;
 *   3. a = 1 + Xh: exact for Xh <= -0.5 (Sterbenz, or ulp(Xh) >= ulp(1)), else the
 *      fast two-sum on max(1, Xh), min(1, Xh); al = its error + Xl.
 * Bulk: x in [-4.85, 1e4] (-v <= 16: 2^m + 1 exact) and |g| <= RK_GBIG; a vector
 * with other lanes takes [-9.8, -4.85) as z (a + z (1 - 2a)), z = e^v (below), and
 * the rest (tails, NaN, huge g) through the float64 core.
 * gelu_tanh_dargs_f: steps 1-3, the arguments of sigmoid.h's core (returns u = -v
 * clamped, *ul its low part, *a + *al; *vh + *vlo_out = v). */
RK_INLINE vf gelu_tanh_dargs_f(vf x, vf *vh_, vf *vlo_out, vf *ul_, vf *a_, vf *al_) {
    vf one = vf_set1(1.0f);
    vf vlo_, vh = gelu_tanh_v_f(x, &vlo_);
    vf sl, sh = twoprod_f(x, x, &sl);
    vf e1, th = twoprod_f(vf_set1(GT_C3_F_HI), sh, &e1);
    vf tl = vf_fma(vf_set1(GT_C3_F_HI), sl, vf_fma(vf_set1(GT_C3_F_LO), sh, e1));
    vf qh = vf_add(one, th);                                 /* th >= 0 */
    vf ql = vf_add(vf_add(vf_sub(vf_max(one, th), qh), vf_min(one, th)), tl);
    vf e2, kh = twoprod_f(vf_set1(GT_K2_F_HI), x, &e2);
    vf kl = vf_fma(vf_set1(GT_K2_F_LO), x, e2);
    vf e3, xh = twoprod_f(kh, qh, &e3);
    vf xl = vf_fma(kh, ql, vf_fma(kl, qh, e3));
    vf a = vf_add(one, xh);
    vf al = vf_add(vf_add(vf_sub(vf_max(one, xh), a), vf_min(one, xh)), xl);
    mf clamp = vf_gt(vh, vf_set1(RK_EXPV_MAX_f));
    *ul_ = vf_select(clamp, vf_zero(), vf_neg(vlo_));
    *vh_ = vh;
    *vlo_out = vlo_;
    *a_ = a;
    *al_ = al;
    return vf_max(vf_neg(vh), vf_set1(-RK_EXPV_MAX_f));
}
static inline vf gelu_tanh_bwd_f(vf x, vf g, vf pa, vf pb) {
    (void)pa; (void)pb;
    vf vh, vlo_, ul, a, al, u = gelu_tanh_dargs_f(x, &vh, &vlo_, &ul, &a, &al);
    vf y = dsig_f(u, ul, a, al, g);
    mf gok = vf_le(vf_abs(g), vf_set1(RK_GBIG_f));
    mf ok = mf_and(mf_and(vf_ge(x, vf_set1(-4.85f)), vf_le(x, vf_set1(1e4f))), gok);
    if (!mf_all(ok)) {
        /* x in [-9.8, -4.85): v in [-83, -16), z = e^v <= 2^-23: sigmoid.h's
         * z (a + z (1 - 2a)) */
        vf yz = dsig_far_f(vh, vlo_, a, al, g);
        mf zok = mf_and(mf_and(vf_ge(x, vf_set1(-9.8f)), vf_lt(x, vf_set1(-4.85f))), gok);
        y = vf_select(zok, yz, y);
        ok = mf_or(ok, zok);
        if (!mf_all(ok)) y = vf_select(ok, y, gelu_tanh_bwd_all_f(x, g));
    }
    return y;
}

/* ---- float32 GELU, computed in float32 (tables: gelu_tables.h) ----
 * a = |x| clamped to GELU_AMAX; piece index id = (bits(a + 1) >> 22) & 7 (8 pieces,
 * one vector lane each: vf_lut8 fetches the lane's coefficient), u = a - C.
 * exp(-a^2/2) = 2^n (1 + p): a^2 = h + l exactly, n = rint(-h/(2 ln2)),
 * r = (-h/2 - n ln2hi) - n ln2lo - l/2, p = the expm1 polynomial of r.
 * F (R or D) = K + q, q = u Q(u), and F (1 + p) = K + inner with inner = K p + q (1 + p),
 * so that the largest term K enters the result through an exact product (fmac):
 * the result is rounded once, up to the small terms' roundings.
 * The result is scaled by 2^(n+64) and a final 2^-64, which rounds subnormal
 * results once; a vector with a lane outside the bulk (0 < |x| < GELU_AMAX, for
 * the gradient also 0 < |g| < 2^32) then selects the limits, NaN and the huge-g
 * and deep-tail results for those lanes (the others keep their bits). */
#define GELU_AMAX 14.5f      /* gelu(-14.36) is below 2^-150: -0 from here on; gelu(14.5) = 14.5 */
#define GELU_BWD_AMAX 20.0f  /* |gelu'(-20)| < 2^-277: times any float g, below 2^-150 */

/* true in every lane with 0 < |x| < lim (lim > 0 finite; NaN false): one unsigned
 * compare of the bits of |x| - 1, as a signed one after adding 2^31 */
RK_INLINE mf gelu_in_bulk(vf ax, float lim) {
    vi b = vi_add(vf_as_vi(ax), vi_set1(0x7fffffff));
    int32_t l;
    memcpy(&l, &lim, 4);
    return vi_gt(vi_set1((int32_t)((uint32_t)l - 1u + 0x80000000u)), b);
}
/* exp(-a^2/2) = 2^n (1 + r + *pl), r a float and *pl a small correction: r1 =
 * -h/2 - n ln2hi is exact and c = -n ln2lo - l/2 tiny; r = r1 + c rounded, and the
 * rounding error d = (r1 - r) + c goes into pl = r^2 P(r) + d (e^(r+d) = e^r (1 + d)
 * to 2^-50), so that neither the rounding of r nor that of 1 + p costs an ULP.
 * Returns the shifted n (for rk_vf_pow2). */
RK_INLINE vf gelu_expm(vf a, vf *r, vf *pl) {
    vf l, h = twoprod_f(a, a, &l);
    vf hh = vf_mul(h, vf_set1(-0.5f));
    vf t = vf_fma(hh, vf_set1(RK_F_LOG2E), vf_set1(RK_F_SHIFT));
    vf n = vf_sub(t, vf_set1(RK_F_SHIFT));
    vf r1 = vf_fnma(n, vf_set1(RK_F_LN2HI), hh);
    vf c = vf_fnma(l, vf_set1(0.5f), vf_mul(n, vf_set1(-RK_F_LN2LO)));
    vf rr = vf_add(r1, c);
    vf d = vf_add(vf_sub(r1, rr), c);
    vf e = vf_fma(vf_set1(RK_EXPF_P4), rr, vf_set1(RK_EXPF_P3));
    e = vf_fma(e, rr, vf_set1(RK_EXPF_P2));
    e = vf_fma(e, rr, vf_set1(RK_EXPF_P1));
    e = vf_fma(e, rr, vf_set1(RK_EXPF_P0));
    *pl = vf_fma(vf_mul(rr, rr), e, d);
    *r = rr;
    return t;
}
/* F (1 + r + pl) - K = K r + [K pl + q (1 + p)]: the exact product K r inside the fma */
RK_INLINE vf gelu_inner(vf K, vf q, vf r, vf pl) {
    vf p = vf_add(r, pl);
    return fmac_f(K, r, vf_fma(K, pl, vf_fma(q, p, q)));
}
#define GELU_LUT(T) vf_lut8(T, id)
#define GELU_ID(a) vi_lut8_index(vi_srli(vf_as_vi(vf_add(a, vf_set1(1.0f))), 22))

/* Phi(-a) 2^-n = K + inner, for a <= GELU_AMAX; *t: the shifted n */
RK_INLINE vf gelu_T_f(vf a, vf *inner, vf *t) {
    vi id = GELU_ID(a);
    vf u = vf_sub(a, GELU_LUT(GELU_R_C));
    vf q = vf_fma(GELU_LUT(GELU_R_Q8), u, GELU_LUT(GELU_R_Q7));
    q = vf_fma(q, u, GELU_LUT(GELU_R_Q6));
    q = vf_fma(q, u, GELU_LUT(GELU_R_Q5));
    q = vf_fma(q, u, GELU_LUT(GELU_R_Q4));
    q = vf_fma(q, u, GELU_LUT(GELU_R_Q3));
    q = vf_fma(q, u, GELU_LUT(GELU_R_Q2));
    q = vf_fma(q, u, GELU_LUT(GELU_R_Q1));
    q = vf_mul(q, u);
    vf K = GELU_LUT(GELU_R_K);
    vf r, pl;
    *t = gelu_expm(a, &r, &pl);
    *inner = gelu_inner(K, q, r, pl);
    return K;
}

static inline vf gelu_f(vf x, vf pa, vf pb) {
    (void)pa; (void)pb;
    vf ax = vf_abs(x);
    vf a = vf_min(ax, vf_set1(GELU_AMAX));
    vf inner, t, K = gelu_T_f(a, &inner, &t);
    /* x Phi(-a) = fmac(M, K, M inner) 2^-64, M = x 2^(n+64) (exact: x, M and
     * M inner stay normal, and a subnormal result is rounded once, at the end) */
    vf M = vf_mul(x, rk_vf_pow2(t, 64));
    vf xt = vf_mul(fmac_f(M, K, vf_mul(M, inner)), vf_set1(0x1p-64f));
    vf y = vf_select_neg(x, xt, vf_sub(x, xt));
    if (!mf_all(gelu_in_bulk(ax, GELU_AMAX))) {
        y = vf_select(vf_eq(x, vf_zero()), x, y);                 /* +-0 */
        y = vf_select(vf_ge(x, vf_set1(GELU_AMAX)), x, y);
        y = vf_select(vf_le(x, vf_set1(-GELU_AMAX)), vf_set1(-0.0f), y);
        y = vf_select(vf_isnan(x), x, y);
    }
    return y;
}

/* gelu'(-a) e^(a^2/2) as Kh + rest: D = W (K + q), W = a - root = W_hi + W_lo
 * (two-sum), K + q the fit of D / (a - root) (no cancellation near the zero of
 * gelu'); W (K + inner) = Kh + [Kl + W_hi inner + W_lo (K + inner)] with
 * Kh + Kl = W_hi K exactly.  Returns Kh, *rest and *t (the shifted n). */
RK_INLINE vf gelu_dk_f(vf a, vf *rest, vf *t) {
    vi id = GELU_ID(a);
    vf u = vf_sub(a, GELU_LUT(GELU_D_C));
    vf q = vf_fma(GELU_LUT(GELU_D_Q7), u, GELU_LUT(GELU_D_Q6));
    q = vf_fma(q, u, GELU_LUT(GELU_D_Q5));
    q = vf_fma(q, u, GELU_LUT(GELU_D_Q4));
    q = vf_fma(q, u, GELU_LUT(GELU_D_Q3));
    q = vf_fma(q, u, GELU_LUT(GELU_D_Q2));
    q = vf_fma(q, u, GELU_LUT(GELU_D_Q1));
    q = vf_mul(q, u);
    vf K = GELU_LUT(GELU_D_K);
    vf r, pl;
    *t = gelu_expm(a, &r, &pl);
    vf inner = gelu_inner(K, q, r, pl);
    vf e, wh = twosum_f(a, vf_set1(-GELU_ROOT_HI), &e);     /* a - root = wh + wl */
    vf wl = vf_sub(e, vf_set1(GELU_ROOT_LO));
    vf Kl, Kh = twoprod_f(wh, K, &Kl);
    *rest = vf_fma(wh, inner, vf_fma(wl, vf_add(K, inner), Kl));
    return Kh;
}

/* g gelu'(-a) for a in [GELU_AMAX, GELU_BWD_AMAX] (only a large g makes it nonzero):
 * D = gelu'(-a) e^(a^2/2) = -c0 a + c0 (1/a) (1 - v + 3 v^2 - 15 v^3), v = 1/a^2 (the
 * asymptotic series; the next term is below 2^-33 of D), with -c0 a = Kh + Kl exactly
 * and the rest a small correction; then the bulk's fold and scaling, with g taken as
 * g 2^-100 and 2^(n+164) (n in [-289, -105]) so that every product stays normal */
static const float gelu_c0_hi = (float)C0;
static const float gelu_c0_lo = (float)(C0 - (double)(float)C0);
static inline vf gelu_bwd_deep_f(vf a, vf g) {
    vf w = vf_div(vf_set1(1.0f), a), v = vf_mul(w, w);
    vf s = vf_fma(vf_set1(-15.0f), v, vf_set1(3.0f));
    s = vf_fma(s, v, vf_set1(-1.0f));
    s = vf_fma(s, v, vf_set1(1.0f));
    vf corr = vf_mul(vf_mul(vf_set1(gelu_c0_hi), w), s);
    vf Kl, Kh = twoprod_f(vf_set1(-gelu_c0_hi), a, &Kl);
    vf Dlo = vf_add(vf_fma(vf_set1(-gelu_c0_lo), a, Kl), corr);
    vf r, pl, t = gelu_expm(a, &r, &pl);
    vf rest = gelu_inner(Kh, Dlo, r, pl);                  /* Kh (r + pl) + Dlo (1 + p) */
    vf P = vi_as_vf(vi_slli(vi_add(vf_as_vi(t), vi_set1(127 + 164)), 23));
    vf M = vf_mul(vf_mul(g, vf_set1(0x1p-100f)), P);
    return vf_mul(fmac_f(M, Kh, vf_mul(M, rest)), vf_set1(0x1p-64f));
}

static inline vf gelu_bwd_f(vf x, vf g, vf pa, vf pb) {
    (void)pa; (void)pb;
    vf ax = vf_abs(x);
    vf a = vf_min(ax, vf_set1(GELU_AMAX));
    vf rest, t, Kh = gelu_dk_f(a, &rest, &t);
    /* x < 0: g gelu'(-a) = fmac(M, Kh, M rest) 2^-64 with M = g 2^(n+64);
     * x >= 0: g (1 - gelu'(-a)), gelu'(-a) the same with M = 2^(n+64) */
    vf P = rk_vf_pow2(t, 64);
    vf M = vf_select_neg(x, vf_mul(g, P), P);
    vf v = vf_mul(fmac_f(M, Kh, vf_mul(M, rest)), vf_set1(0x1p-64f));
    vf y = vf_select_neg(x, v, vf_fnma(g, v, g));
    /* rare lanes (the same formula, then fixed): +-0, |x| >= GELU_AMAX, g = 0 or
     * |g| >= 2^32, NaN x or g, infinities */
    mf bulk = mf_and(gelu_in_bulk(ax, GELU_AMAX), gelu_in_bulk(vf_abs(g), 0x1p32f));
    if (!mf_all(bulk)) {
        mf neg = vf_lt(x, vf_zero());
        /* a huge g: g = gs 2^(e-1) with gs in [2, 4) (exact), M = gs 2^(n+64) (normal,
         * below 2^66: Dekker's product without FMA needs < 2^100), the result
         * times 2^(e-65) (exact: for |g| >= 2^32 and a <= GELU_AMAX, |g gelu'(-a)|
         * > 2^-118 is never subnormal) */
        mf gbig = vf_ge(vf_abs(g), vf_set1(0x1p32f));
        if (mf_any(gbig)) {
            vi ge = vi_and(vf_as_vi(g), vi_set1(0x7f800000));
            vf gs = vf_mul(g, vi_as_vf(vi_sub(vi_set1(255 << 23), ge)));     /* g 2^(1-e) */
            vf Mb = vf_mul(gs, P);
            vf vb = vf_mul(fmac_f(Mb, Kh, vf_mul(Mb, rest)), vi_as_vf(vi_sub(ge, vi_set1(65 << 23))));
            y = vf_select(mf_and(gbig, neg), vb, y);
        }
        y = vf_select(vf_eq(x, vf_zero()), vf_mul(g, vf_set1(0.5f)), y);   /* gelu'(0) = 1/2 */
        mf deep = mf_and(vf_le(x, vf_set1(-GELU_AMAX)), vf_ge(x, vf_set1(-GELU_BWD_AMAX)));
        if (mf_any(deep)) {
            vf yd = gelu_bwd_deep_f(vf_min(ax, vf_set1(GELU_BWD_AMAX)), g);
            /* a result that underflowed (its scaled terms can round to zeros of both
             * signs) is the zero of g times the negative derivative */
            yd = vf_select(vf_eq(yd, vf_zero()), vf_mul(g, vf_set1(-0.0f)), yd);
            y = vf_select(deep, yd, y);
        }
        y = vf_select(vf_lt(x, vf_set1(-GELU_BWD_AMAX)), vf_mul(g, vf_set1(-0.0f)), y);
        y = vf_select(vf_ge(x, vf_set1(GELU_AMAX)), g, y);
        /* sign of gelu': negative for x < -0.7518 (its zero), else positive */
        vf dsign = vf_select(vf_lt(x, vf_set1(GELU_D_ZERO_F)), vf_set1(-1.0f), vf_set1(1.0f));
        RK_GELU_BWD_SPECIALS_F(y, x, g, dsign)
    }
    return y;
}

/* ---- float64 results ---- */
/* (g + glo) D rounded once; g D (the same bits, signed zeros included) where glo = 0 */
static inline vd mulw_d(vd g, vd glo, vd D) {
    vd y = vd_mul(g, D);
    md w = vd_gt(vd_abs(glo), vd_zero());
    return md_any(w) ? vd_select(w, fmac_d(g, D, vd_mul(glo, D)), y) : y;
}
/* glo: the backward's g as g + glo (the gated backward's g b, an exact product
 * carried as a double-word: its rounding is not added to the result's); 0 else */
static inline vd gelu_d_core(vd x, int bwd, vd g, vd glo) {
    vd a = vd_abs(x);
    md small = vd_lt(a, vd_set1(0.75)), neg = vd_lt(x, vd_zero());
    md deep = vd_lt(x, vd_set1(-37.0));            /* results near or below the subnormals */
    /* past 38.7 gelu(x) underflows; g gelu'(x) does only past 54 (for every finite g) */
    vd ac = vd_min(vd_max(a, vd_set1(0.75)), vd_set1(bwd ? 54.0 : 38.7));
    vd zc = vd_mul(ac, vd_set1(RSQRT2_HI));
    md lt6;
    vd F = rk_vd_erfcx_F(zc, &lt6);
    /* T = (a/2) F (z < 6) or (a/2) F / z, carried as Th + Tl (one corrected
     * division, exact products) so that G = T e^(-a^2/2) is rounded once */
    vd Fq = vd_div(F, zc), fpe;
    vd fpp = twoprod_d(Fq, zc, &fpe);
    vd Fql = vd_div(vd_sub(vd_sub(F, fpp), fpe), zc);   /* F/z - Fq */
    vd Fh = vd_select(lt6, F, Fq), Fl = vd_select(lt6, vd_zero(), Fql);
    vd ha = vd_mul(vd_set1(0.5), ac), Tl;
    vd Th = twoprod_d(ha, Fh, &Tl);
    Tl = vd_fma(ha, Fl, Tl);
    vd l, t;
    vd h = twoprod_d(ac, ac, &l);
    vd q = expm_half(h, l, &t);
    /* 2^n, or 2^(n+600) where deep (undone by the final * 2^-600: one rounding) */
    vd P2 = vd_mul(rk_vd_pow2(t, 600), vd_select(deep, vd_set1(1.0), vd_set1(0x1p-600)));
    vd out = vd_select(deep, vd_set1(0x1p-600), vd_set1(1.0));
    vd s = vd_mul(x, x), y;
    if (!bwd) {
        vd G = vd_mul(vd_add(Th, vd_fma(Th, q, vd_fma(Tl, q, Tl))), P2);
        vd ytail = vd_select(neg, vd_mul(vd_neg(G), out), vd_sub(a, G));
        vd ysmall = vd_mul(x, vd_fma(x, horner_d(s, GELU_PS, 15), vd_set1(0.5)));
        y = vd_select(small, ysmall, ytail);
        y = vd_select(vd_gt(x, vd_set1(38.7)), x, y);
        y = vd_select(vd_lt(x, vd_set1(-38.7)), vd_set1(-0.0), y);
    } else {
        /* gelu'(-a) = e^(-a^2/2) (T - c0 a^2) / a with a^2 = h + l */
        /* T - c0 a^2 with c0 a^2 as hi + lo (c0 in double-word, a^2 = h + l) and T as
         * Th + Tl: one rounding before the division (also without FMA) */
        vd cpl, nl;
        vd cph = twoprod_d(vd_set1(C0), h, &cpl);
        cpl = vd_fma(vd_set1(C0), l, vd_fma(vd_set1(C0_LO), h, cpl));
        vd nh = twosum_d(Th, vd_neg(cph), &nl);
        vd U = vd_div(vd_add(nh, vd_add(nl, vd_sub(Tl, cpl))), ac);
        vd D = vd_mul(vd_fma(U, q, U), P2);
        md gbig = vd_gt(vd_abs(g), vd_set1(0x1p900));
        vd gsc = vd_select(gbig, vd_set1(0x1p-64), vd_set1(1.0));
        vd gs = vd_mul(g, gsc), gsl = vd_mul(glo, gsc);
        vd Dp = vd_select(neg, D, vd_sub(vd_set1(1.0), D));
        vd dtail = vd_mul(mulw_d(gs, gsl, Dp), vd_select(neg, out, vd_set1(1.0)));
        vd dsmall = mulw_d(gs, gsl, vd_fma(x, horner_d(s, GELU_SS, 15), vd_set1(0.5)));
        y = vd_mul(vd_select(small, dsmall, dtail), vd_select(gbig, vd_set1(0x1p64), vd_set1(1.0)));
        if (md_any(deep)) {
            /* x < -37: U (1 + q) 2^(n+1100), n + 1100 in [-1004, 113] for a in [37, 54]
             * (2^(n+600) would underflow past 46); times g (scaled by 2^-900 past
             * 2^800: no overflow), rounded once, then 2^-1100 in two steps (one
             * rounding into the subnormals: a first step below 2^-1022 leaves a
             * result that rounds to 0) */
            vd Ds = vd_mul(vd_fma(U, q, U), rk_vd_pow2(t, 1100));
            md big = vd_gt(vd_abs(g), vd_set1(0x1p800));
            vd bsc = vd_select(big, vd_set1(0x1p-900), vd_set1(1.0));
            vd yd = mulw_d(vd_mul(g, bsc), vd_mul(glo, bsc), Ds);
            yd = vd_mul(yd, vd_select(big, vd_set1(0x1p-200), vd_set1(0x1p-550)));
            yd = vd_mul(yd, vd_select(big, vd_set1(1.0), vd_set1(0x1p-550)));
            y = vd_select(deep, yd, y);
        }
        y = vd_select(vd_gt(x, vd_set1(38.7)), g, y);
        y = vd_select(vd_lt(x, vd_set1(-54.0)), vd_mul(g, vd_set1(-0.0)), y);
    }
    return y;
}

static inline vd gelu_tanh_d_core(vd x, int bwd, vd g) {
    /* v = 2 sqrt(2/pi) x (1 + c x^2) in double-word */
    /* beyond |x| = 1e10 the op is at its limit (x or -0; g or -0*g) */
    vd xc = vd_min(vd_max(x, vd_set1(-1e10)), vd_set1(1e10));
    vd l, chl, ml, kxl, vlo;
    vd h = twoprod_d(xc, xc, &l);
    vd ch = twoprod_d(vd_set1(GT_C), h, &chl);
    chl = vd_fma(vd_set1(GT_C), l, vd_fma(vd_set1(GT_C_LO), h, chl));
    vd mh = twosum_d(vd_set1(1.0), ch, &ml);
    ml = vd_add(ml, chl);
    vd kxh = twoprod_d(vd_set1(K2_HI), xc, &kxl);
    kxl = vd_fma(vd_set1(K2_LO), xc, kxl);
    vd vh = twoprod_d(kxh, mh, &vlo);
    vlo = vd_fma(kxh, ml, vd_fma(kxl, mh, vlo));
    md vneg = vd_lt(vh, vd_zero());
    /* e = exp(-|v|) = 2^n (1 + q), n scaled by 2^600 where deep */
    vd avh = vd_min(vd_abs(vh), vd_set1(1100.0));  /* 2^(n+600) stays normal */
    vd t, n;
    vd r = rk_vd_exp_red(vd_neg(avh), &t, &n);
    /* v's low part, only where v itself was not clamped */
    r = vd_add(r, vd_select(vd_lt(vd_abs(vh), vd_set1(1100.0)), vd_select(vneg, vlo, vd_neg(vlo)), vd_zero()));
    vd q = rk_vd_expm1_poly_e(r);
    md deep = vd_lt(vh, vd_set1(-600.0));
    vd E = vd_mul(vd_add(vd_set1(1.0), q), vd_mul(rk_vd_pow2(t, 600),
                  vd_select(deep, vd_set1(1.0), vd_set1(0x1p-600))));
    vd e = vd_mul(E, vd_select(deep, vd_set1(0x1p-600), vd_set1(1.0)));
    vd out = vd_select(deep, vd_set1(0x1p-600), vd_set1(1.0));
    vd dl;
    vd dh = twosum_d(vd_set1(1.0), e, &dl);         /* 1 + e */
    vd y;
    if (!bwd) {
        vd nl;
        vd nh = twoprod_d(xc, E, &nl);
        nh = vd_select(vneg, nh, xc);
        nl = vd_select(vneg, nl, vd_zero());
        y = vd_mul(divc_d(nh, nl, dh, dl), out);
        y = vd_select(vd_gt(x, vd_set1(1e10)), x, y);
        y = vd_select(vd_lt(x, vd_set1(-1e10)), vd_set1(-0.0), y);
    } else {
        /* d = [(1+e) (v<0 ? e : 1) + x v' e] / (1+e)^2, v' = 2k (1 + 3c x^2) */
        /* v' and x v' as hi + lo (x^2 = h + l): for v < 0, (1 + e) + x v' cancels
         * by up to 2x near the zero of the derivative and beyond */
        vd t3l, m3l, vpl, xvl, sl, bnl, xel, bpl;
        vd t3 = twoprod_d(vd_set1(3.0 * GT_C), h, &t3l);
        t3l = vd_fma(vd_set1(3.0 * GT_C), l, t3l);
        vd m3 = twosum_d(vd_set1(1.0), t3, &m3l);
        m3l = vd_add(m3l, t3l);
        vd vp = dwmul_d(vd_set1(K2_HI), vd_set1(K2_LO), m3, m3l, &vpl);
        vd xv = dwmul_d(xc, vd_zero(), vp, vpl, &xvl);
        /* v < 0: E ((1 + e) + x v') (scaled);  v >= 0: (1 + e) + x v' e */
        vd sh = dwadd_d(dh, dl, xv, xvl, &sl);
        vd bn = dwmul_d(E, vd_zero(), sh, sl, &bnl);
        vd xe = dwmul_d(xv, xvl, e, vd_zero(), &xel);
        vd bph = dwadd_d(dh, dl, xe, xel, &bpl);
        vd Nh = vd_select(vneg, bn, bph), Nl = vd_select(vneg, bnl, bpl);
        vd D2l;
        vd D2h = twoprod_d(dh, dh, &D2l);
        D2l = vd_fma(vd_add(dh, dh), dl, D2l);
        md gbig = vd_gt(vd_abs(g), vd_set1(0x1p900));
        /* 2^-128: g times the numerator stays below 2^900, where divc still corrects */
        vd gs = vd_mul(g, vd_select(gbig, vd_set1(0x1p-128), vd_set1(1.0))), Gl;
        vd Gh = twoprod_d(gs, Nh, &Gl);
        Gl = vd_fma(gs, Nl, Gl);
        vd d = divc_d(Gh, Gl, D2h, D2l);
        y = vd_mul(vd_mul(d, vd_select(vneg, out, vd_set1(1.0))),
                   vd_select(gbig, vd_set1(0x1p128), vd_set1(1.0)));
        y = vd_select(vd_eq(vd_abs(Gh), vd_set1(INFINITY)), Gh, y);
        md deep2 = vd_lt(vh, vd_set1(-600.0));
        if (md_any(deep2)) {
            /* v < -600: the derivative is e ((1 + e) + x v') to working precision,
             * formed as ((1 + e) + x v') (1 + q) 2^(n+1100), n + 1100 in [-1021, 234]
             * for v down to -1470 (|(1 + e) + x v'| < 2^14 there); times g (scaled
             * by 2^-800 past 2^700: no overflow), then 2^-1100 in two steps, one
             * rounding into the subnormals.  Past v = -1470, |g d| < 2^-1075 for
             * every finite g: -0 g. */
            vd tt, nn;
            vd r2 = rk_vd_exp_red(vd_max(vh, vd_set1(-1470.0)), &tt, &nn);
            r2 = vd_add(r2, vlo);
            vd S2 = vd_add(sh, sl);
            vd Ds = vd_mul(vd_fma(S2, rk_vd_expm1_poly_e(r2), S2), rk_vd_pow2(tt, 1100));
            md big = vd_gt(vd_abs(g), vd_set1(0x1p700));
            vd yd = vd_mul(vd_mul(g, vd_select(big, vd_set1(0x1p-800), vd_set1(1.0))), Ds);
            yd = vd_mul(yd, vd_select(big, vd_set1(0x1p-300), vd_set1(0x1p-550)));
            yd = vd_mul(yd, vd_select(big, vd_set1(1.0), vd_set1(0x1p-550)));
            yd = vd_select(vd_lt(vh, vd_set1(-1470.0)), vd_mul(g, vd_set1(-0.0)), yd);
            y = vd_select(deep2, yd, y);
        }
        y = vd_select(vd_gt(x, vd_set1(1e10)), g, y);
        y = vd_select(vd_lt(x, vd_set1(-1e10)), vd_mul(g, vd_set1(-0.0)), y);
    }
    return y;
}

#define RK_GELU_SPECIALS_D(y, x) \
    y = vd_select(vd_eq(x, vd_zero()), x, y); /* +-0 */ \
    y = vd_select(vd_eq(x, vd_set1(-INFINITY)), vd_set1(-0.0), y); \
    y = vd_select(vd_eq(x, vd_set1(INFINITY)), x, y); \
    y = vd_select(vd_isnan(x), x, y);
#define RK_GELU_BWD_SPECIALS_D(y, x, g, dsign) \
    y = vd_select(vd_eq(vd_abs(g), vd_set1(INFINITY)), vd_mul(g, dsign), y); \
    y = vd_select(vd_eq(x, vd_set1(INFINITY)), g, y); \
    y = vd_select(vd_eq(x, vd_set1(-INFINITY)), \
                  vd_select(vd_eq(vd_abs(g), vd_set1(INFINITY)), g, vd_mul(g, vd_zero())), y); \
    y = vd_select(vd_isnan(x), x, y);

static inline vd gelu_d(vd x, vd pa, vd pb) {
    (void)pa; (void)pb;
    vd y = gelu_d_core(x, 0, vd_zero(), vd_zero());
    RK_GELU_SPECIALS_D(y, x)
    return y;
}
static inline vd gelu_tanh_d(vd x, vd pa, vd pb) {
    (void)pa; (void)pb;
    vd y = gelu_tanh_d_core(x, 0, vd_zero());
    RK_GELU_SPECIALS_D(y, x)
    return y;
}
/* (g + glo) gelu'(x) rounded once (the gated backward: g + glo = g b exactly) */
static inline vd gelu_bwd_dw_d(vd x, vd g, vd glo) {
    vd y = gelu_d_core(x, 1, g, glo);
    vd dsign = vd_select(vd_lt(x, vd_set1(GELU_D_ZERO)), vd_set1(-1.0), vd_set1(1.0));
    RK_GELU_BWD_SPECIALS_D(y, x, g, dsign)
    return y;
}
static inline vd gelu_bwd_d(vd x, vd g, vd pa, vd pb) {
    (void)pa; (void)pb;
    return gelu_bwd_dw_d(x, g, vd_zero());
}
static __attribute__((noinline, cold)) vd gelu_tanh_bwd_all_d(vd x, vd g) {
    vd y = gelu_tanh_d_core(x, 1, g);
    vd dsign = vd_select(vd_lt(x, vd_set1(GELU_TANH_D_ZERO)), vd_set1(-1.0), vd_set1(1.0));
    RK_GELU_BWD_SPECIALS_D(y, x, g, dsign)
    return y;
}
/* float64 gelu_tanh': the float32 algorithm in double (sigmoid.h's core), bulk x in
 * [-7, 1e10] (-v <= 36: 2^m + 1 exact), [-20, -7) as z (a + z (1 - 2a)); the rest
 * (tails, NaN, |g| > 2^900) through gelu_tanh_d_core */
static inline vd gelu_tanh_bwd_d(vd x, vd g, vd pa, vd pb) {
    (void)pa; (void)pb;
    vd one = vd_set1(1.0);
    vd l, chl, ml, kxl, vlo_, e1, e3;
    vd h = twoprod_d(x, x, &l);
    vd ch = twoprod_d(vd_set1(GT_C), h, &chl);
    chl = vd_fma(vd_set1(GT_C), l, vd_fma(vd_set1(GT_C_LO), h, chl));
    vd mh = twosum_d(one, ch, &ml);
    ml = vd_add(ml, chl);
    vd kxh = twoprod_d(vd_set1(K2_HI), x, &kxl);
    kxl = vd_fma(vd_set1(K2_LO), x, kxl);
    vd vh = twoprod_d(kxh, mh, &vlo_);                   /* v = vh + vlo_ */
    vlo_ = vd_fma(kxh, ml, vd_fma(kxl, mh, vlo_));
    vd th = twoprod_d(vd_set1(GT_C3_D_HI), h, &e1);
    vd tl = vd_fma(vd_set1(GT_C3_D_HI), l, vd_fma(vd_set1(GT_C3_D_LO), h, e1));
    vd qh = vd_add(one, th);                           /* th >= 0 */
    vd ql = vd_add(vd_add(vd_sub(vd_max(one, th), qh), vd_min(one, th)), tl);
    vd xh = twoprod_d(kxh, qh, &e3);                   /* x v' = xh + xl */
    vd xl = vd_fma(kxh, ql, vd_fma(kxl, qh, e3));
    vd a = vd_add(one, xh);
    vd al = vd_add(vd_add(vd_sub(vd_max(one, xh), a), vd_min(one, xh)), xl);
    md clamp = vd_gt(vh, vd_set1(RK_EXPV_MAX_d));
    vd u = vd_max(vd_neg(vh), vd_set1(-RK_EXPV_MAX_d));
    vd y = dsig_d(u, vd_select(clamp, vd_zero(), vd_neg(vlo_)), a, al, g);
    md gok = vd_le(vd_abs(g), vd_set1(RK_GBIG_d));
    md ok = md_and(md_and(vd_ge(x, vd_set1(-7.0)), vd_le(x, vd_set1(1e10))), gok);
    if (!md_all(ok)) {
        md zok = md_and(md_and(vd_ge(x, vd_set1(-20.0)), vd_lt(x, vd_set1(-7.0))), gok);
        y = vd_select(zok, dsig_far_d(vh, vlo_, a, al, g), y);
        ok = md_or(ok, zok);
        if (!md_all(ok)) y = vd_select(ok, y, gelu_tanh_bwd_all_d(x, g));
    }
    return y;
}

RK_KERNELS_1(gelu)
RK_KERNELS_2(gelu_bwd)
RK_KERNELS_1(gelu_tanh)
RK_KERNELS_2(gelu_tanh_bwd)
