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
 * float32 (and float16) results are computed in float64 and rounded once:
 *   1. widen x; a^2 is exact in float64;  2. a < 0.5: P (Taylor, 7 terms,
 *   truncation 1e-11);  a >= 0.5: T = R(a), a 5/5 rational fitted to T on
 *   [0.5, 15] (max relative error 7.5e-10 = 2^-30.3, iterated reweighted least
 *   squares against mpmath);  3. exp(-a^2/2) by vmath's float64 reduction and
 *   polynomial;  4. combine, round to float32.
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
 *   one corrected division;  float32 goes through the float64 body.
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

#define C0 0x1.9884533d43651p-2          /* 1/sqrt(2 pi) */
#define C0_LO (-0x1.cbc0d30ebfd15p-56)   /* 1/sqrt(2 pi) - C0 (mpmath) */
/* the zeros of gelu' and of gelu_tanh' (root-found in float64): the derivative is
 * negative to their left, which fixes the sign of an infinite g times it */
#define GELU_D_ZERO (-0.7517915246935645)
#define GELU_TANH_D_ZERO (-0.7524614220710162)
#define RSQRT2_HI 0x1.6a09e667f3bcdp-1   /* 1/sqrt(2) rounded to double */
#define K2_HI 0x1.9884533d43651p+0       /* 2 sqrt(2/pi) rounded to double */
#define K2_LO (-0x1.cbc0d30ebfd15p-54)   /* 2 sqrt(2/pi) - K2_HI */
#define GT_C 0.044715                    /* gelu_tanh's cubic coefficient, rounded to double */
#define GT_C_LO 0x1.441355475a31ap-59    /* 0.044715 - GT_C: the decimal constant in double-word */

/* (Phi(x) - 1/2) / x = c0 sum (-1)^n s^n / (2^n n! (2n+1)), s = x^2: the Taylor
 * series, terms computed with mpmath and rounded to double */
static const double PS[15] = {
    0x1.9884533d43651p-2, -0x1.1058377e2cee0p-4, 0x1.46d04297691dap-7, -0x1.37403f6ba1100p-10,
    0x1.e42b0d5216fc8p-14, -0x1.3ce8fac15e2c4p-17, 0x1.658a2177b2739p-21, -0x1.62226a4aabe03p-25,
    0x1.3878b823c4d4ep-29, -0x1.f107e1883d947p-34, 0x1.67c1700ad73d2p-38, -0x1.ddc738b863ab4p-43,
    0x1.25098c9a0d57fp-47, -0x1.4df215a78901cp-52, 0x1.6354d1ae7b14dp-57};
/* (Phi(x) - 1/2)/x + phi(x): c0 sum (-1)^n s^n (2n+2) / (2^n n! (2n+1)) */
static const double SS[15] = {
    0x1.9884533d43651p-1, -0x1.1058377e2cee0p-2, 0x1.ea3863e31dac7p-5, -0x1.37403f6ba1100p-7,
    0x1.2e9ae8534e5ddp-10, -0x1.db5d78220d426p-14, 0x1.38d8dd48bc252p-17, -0x1.62226a4aabe03p-21,
    0x1.5f87cf283d6f7p-25, -0x1.36a4ecf5267cdp-29, 0x1.eea9fa0ee7f41p-34, -0x1.66556a8a4ac07p-38,
    0x1.dc2f847a55aefp-43, -0x1.2433d2f297e19p-47, 0x1.4d1f849393638p-52};
/* T(a) ~ P(a)/Q(a) on [0.5, 15], relative error 7.5e-10 (for float32 results) */
static const double TP[6] = {-0x1.12d3d1b68091fp-19, 0x1.0002780d33389p-1, 0x1.df7f5a2fff11bp-2,
                             0x1.a946a3f9e24e2p-3, 0x1.957f787d9086ap-5, 0x1.74b5d95a14160p-8};
static const double TQ[6] = {0x1.0000000000000p+0, 0x1.bc0bfbd481b90p+0, 0x1.4c84f93091348p+0,
                             0x1.11c3ebed53f3dp-1, 0x1.fc3a1c5381ddap-4, 0x1.d31f2ae56ecc8p-7};

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

/* ---- float32 results: the float64 core for an x that is a float32 value ---- */
static inline vd gelu32_core(vd x, int bwd, vd g) {
    vd a = vd_abs(x), s = vd_mul(x, x);            /* exact */
    md small = vd_lt(a, vd_set1(0.5)), neg = vd_lt(x, vd_zero());
    vd ac = vd_min(vd_max(a, vd_set1(0.5)), vd_set1(15.0));
    vd T = vd_div(horner_d(ac, TP, 6), horner_d(ac, TQ, 6));
    vd t;
    vd q = expm_half(vd_min(s, vd_set1(1400.0)), vd_zero(), &t);   /* e^-700: still normal */
    vd E = vd_mul(vd_fma(q, vd_set1(1.0), vd_set1(1.0)), rk_vd_pow2(t, 0)); /* exp(-a^2/2) */
    vd y;
    if (!bwd) {
        vd G = vd_mul(E, T);
        vd ytail = vd_select(neg, vd_neg(G), vd_sub(a, G));
        vd ysmall = vd_mul(x, vd_fma(x, horner_d(s, PS, 7), vd_set1(0.5)));
        y = vd_select(small, ysmall, ytail);
    } else {
        vd D = vd_mul(E, vd_div(vd_fnma(vd_set1(C0), s, T), ac));   /* gelu'(-a) */
        vd dtail = vd_select(neg, D, vd_sub(vd_set1(1.0), D));
        vd dsmall = vd_fma(x, horner_d(s, SS, 7), vd_set1(0.5));
        y = vd_mul(g, vd_select(small, dsmall, dtail));
    }
    return y;
}

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
    return vd_mul(g, d);
}

/* specials common to both GELUs (float32 and float64 bodies): NaN, +-inf */
#define RK_GELU_SPECIALS_F(y, x) \
    y = vf_select(vf_eq(x, vf_set1(-INFINITY)), vf_set1(-0.0f), y); \
    y = vf_select(vf_eq(x, vf_set1(INFINITY)), x, y); \
    y = vf_select(vf_isnan(x), x, y);

static inline vf gelu_f(vf x, vf pa, vf pb) {
    (void)pa; (void)pb;
    vd z = vd_zero();
    vf y = vd2_vf(gelu32_core(vf_lo_vd(x), 0, z), gelu32_core(vf_hi_vd(x), 0, z));
    RK_GELU_SPECIALS_F(y, x)
    return y;
}
static inline vf gelu_tanh_f(vf x, vf pa, vf pb) {
    (void)pa; (void)pb;
    vd z = vd_zero();
    vf y = vd2_vf(gelu_tanh32_core(vf_lo_vd(x), 0, z), gelu_tanh32_core(vf_hi_vd(x), 0, z));
    RK_GELU_SPECIALS_F(y, x)
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

static inline vf gelu_bwd_f(vf x, vf g, vf pa, vf pb) {
    (void)pa; (void)pb;
    vf y = vd2_vf(gelu32_core(vf_lo_vd(x), 1, vf_lo_vd(g)), gelu32_core(vf_hi_vd(x), 1, vf_hi_vd(g)));
    /* sign of gelu': negative for x < -0.7518 (its zero), else positive */
    vf dsign = vf_select(vf_lt(x, vf_set1((float)GELU_D_ZERO)), vf_set1(-1.0f), vf_set1(1.0f));
    RK_GELU_BWD_SPECIALS_F(y, x, g, dsign)
    return y;
}
static inline vf gelu_tanh_bwd_f(vf x, vf g, vf pa, vf pb) {
    (void)pa; (void)pb;
    vf y = vd2_vf(gelu_tanh32_core(vf_lo_vd(x), 1, vf_lo_vd(g)),
                  gelu_tanh32_core(vf_hi_vd(x), 1, vf_hi_vd(g)));
    vf dsign = vf_select(vf_lt(x, vf_set1((float)GELU_TANH_D_ZERO)), vf_set1(-1.0f), vf_set1(1.0f));
    RK_GELU_BWD_SPECIALS_F(y, x, g, dsign)
    return y;
}

/* ---- float64 results ---- */
static inline vd gelu_d_core(vd x, int bwd, vd g) {
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
        vd ysmall = vd_mul(x, vd_fma(x, horner_d(s, PS, 15), vd_set1(0.5)));
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
        vd gs = vd_mul(g, vd_select(gbig, vd_set1(0x1p-64), vd_set1(1.0)));
        vd dtail = vd_select(neg, vd_mul(vd_mul(gs, D), out), vd_mul(gs, vd_sub(vd_set1(1.0), D)));
        vd dsmall = vd_mul(gs, vd_fma(x, horner_d(s, SS, 15), vd_set1(0.5)));
        y = vd_mul(vd_select(small, dsmall, dtail), vd_select(gbig, vd_set1(0x1p64), vd_set1(1.0)));
        if (md_any(deep)) {
            /* x < -37: U (1 + q) 2^(n+1100), n + 1100 in [-1004, 113] for a in [37, 54]
             * (2^(n+600) would underflow past 46); times g (scaled by 2^-900 past
             * 2^800: no overflow), rounded once, then 2^-1100 in two steps (one
             * rounding into the subnormals: a first step below 2^-1022 leaves a
             * result that rounds to 0) */
            vd Ds = vd_mul(vd_fma(U, q, U), rk_vd_pow2(t, 1100));
            md big = vd_gt(vd_abs(g), vd_set1(0x1p800));
            vd yd = vd_mul(vd_mul(g, vd_select(big, vd_set1(0x1p-900), vd_set1(1.0))), Ds);
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
    vd y = gelu_d_core(x, 0, vd_zero());
    RK_GELU_SPECIALS_D(y, x)
    return y;
}
static inline vd gelu_tanh_d(vd x, vd pa, vd pb) {
    (void)pa; (void)pb;
    vd y = gelu_tanh_d_core(x, 0, vd_zero());
    RK_GELU_SPECIALS_D(y, x)
    return y;
}
static inline vd gelu_bwd_d(vd x, vd g, vd pa, vd pb) {
    (void)pa; (void)pb;
    vd y = gelu_d_core(x, 1, g);
    vd dsign = vd_select(vd_lt(x, vd_set1(GELU_D_ZERO)), vd_set1(-1.0), vd_set1(1.0));
    RK_GELU_BWD_SPECIALS_D(y, x, g, dsign)
    return y;
}
static inline vd gelu_tanh_bwd_d(vd x, vd g, vd pa, vd pb) {
    (void)pa; (void)pb;
    vd y = gelu_tanh_d_core(x, 1, g);
    vd dsign = vd_select(vd_lt(x, vd_set1(GELU_TANH_D_ZERO)), vd_set1(-1.0), vd_set1(1.0));
    RK_GELU_BWD_SPECIALS_D(y, x, g, dsign)
    return y;
}

RK_KERNELS_1(gelu)
RK_KERNELS_2(gelu_bwd)
RK_KERNELS_1(gelu_tanh)
RK_KERNELS_2(gelu_tanh_bwd)
