/* exponential.c: ELU, CELU, SELU, SiLU, Softplus, Mish (+ backward), on vmath.h.
 *
 * Algorithm (per element; every compare is quiet and false for NaN; NaN x is
 * returned as x by an explicit select where a formula could lose it):
 *   elu       1. y = x > 0 ? x : alpha * expm1(x)
 *   elu_bwd   1. y = x > 0 ? g : g * (alpha * exp(x)), alpha*exp(x) carried exactly
 *                as hi + lo so g*... rounds once              (elu'(0): negative branch)
 *             2. x < -70 (f64 -670): tail_ (below: g m e^a for every finite g)
 *             The ELU-family gradients run a bulk path (x > 0 or x in [-70, 0], finite
 *             g) without exp's clamps or per-lane specials, with the bits of the full
 *             body, which runs only for vectors with another lane (elu_bwd_all_ ...)
 *   celu      1. y = x > 0 ? x : alpha * expm1(x / alpha)
 *   celu_bwd  1. y = x > 0 ? g : g * exp(x / alpha);  2. x/alpha < -70 (-670): tail_
 *   selu      1. y = x > 0 ? S*x : (S*A) * expm1(x); the constants S and S*A are
 *                carried as hi + lo pairs so each product is rounded once
 *   selu_bwd  1. y = x > 0 ? g*S : g * ((S*A) * exp(x)), the product carried as hi + lo
 *             2. x < -70 (f64 -670): tail_
 *   silu      1. w = e^-x = 2^m (1 + p), the reduction's rounding carried into p
 *             2. y = x / (1 + w), 1 + w rounded once: fma(2^m, p, 2^m + 1) (bulk,
 *                x >= -16, f64 -36), else 2^m (1 + (p + 2^-m)) (a rare-lane path)
 *             3. x < -87 (f64 -708): x e^x scaled by 2^64 (2^600), one rounding;
 *                x < -120 (f64 -760) and -inf -> -0.0.  Exhaustive f32 max 1.636 ULP
 *   silu_bwd  1. bulk (|x| <= 16, f64 36; |g| <= 2^100): (1 + w (1 + x)) / (1 + w)^2,
 *                w = e^-x, by sigmoid.h's core (1 + x exact where the numerator
 *                cancels, 1 + w and the numerator exact up to e^r's 2^-28, one
 *                corrected division, g folded into one rounding)
 *             2. other lanes (silu_bwd_all_): z = e^-|x| as hi + lo, s = 1/(1 + z)
 *                corrected; x >= 0: g s + (g x z s) s; x < 0: z (1 + x + z) / (1 + z)^2
 *                in double-word; x > 25 (f64 45): g; x < -70 (f64 -670): tail_,
 *                g e^x (1 + x); x = +inf -> g, x = -inf -> 0*g
 *   softplus  1. z = beta*x, with its rounding error zl (exact);  2. y = z > threshold ?
 *                x : (log(1 + e^z) + zl * sigmoid(z)) / beta  (zl matters in the left
 *                tail, where it would cost |z| ULP; sigmoid(z) ~ sp (1 - sp/2) there)
 *   softplus_bwd 1. z = beta*x, zl;  2. y = z > threshold ? g : g * (s + zl s (1 - s)):
 *                bulk (z >= -16, f64 -36; |g| <= 2^100): s = 1/(Eh + El) with
 *                1 + e^-z = Eh + El exactly (sigmoid.h), R = 1/Eh corrected once,
 *                g folded into one rounding;  other lanes (softplus_bwd_all_): e =
 *                e^-|z| as hi + lo, 1/(1 + e) or e/(1 + e) by one corrected division;
 *                z < -70 (f64 -670): tail_ with m = 1 + zl
 *   mish      1. t = tanh(softplus(x)) = n / (n + 2), n = e(e + 2), e = e^x (scaled
 *                by 2^K where results near the subnormals), for every x up to 20
 *             2. numerator x*num and denominator carried as hi + lo, one corrected
 *                division;  x > 20: y = x;  x < -120 (f64 -760) or -inf: -0.0
 *   mish_bwd  1. mish'(x) = t + x*s*(1 - t^2) written as one ratio of polynomials in
 *                e = e^x, see the body;
 *             2. every step in double-word (hi + lo), g folded into the numerator,
 *                one corrected division;  x > 12 (f64: 24): g;  x < -70 (f64 -670):
 *                tail_, g e^x (1 + x)
 *   *_bwd_y   the backward from the forward's output y: elu g(y + alpha), celu
 *             g((y + alpha)/alpha), selu g(y + S*A), softplus g(1 - e^(-beta y)) (linear where
 *             beta y > threshold; g beta y from y 2^K for |y| < 2^-100, f64 2^-900);
 *             y > 0 gives g (g*S for selu)
 *   tail_     the deep left tails of the backward ops, g m e^a for a < -70 (f64 -670):
 *             1 + p of e^a and m e^a carried as hi + lo, scaled by 2^(n+K) (K = 163,
 *             f64 1099), g scaled down past 2^40 (2^800), one rounding, then 2^-K in
 *             two steps: subnormal results rounded once for every finite g; a below
 *             -200 (f64 -1470) gives a signed zero for every finite g
 * float16 runs these float32 bodies and rounds once.
 * Accuracy: see the README's table (measured by `python -m relukit verify`; errors in
 * ULP of the result down to the subnormals, for gradients too, outside the windows
 * around the zeros of silu' and mish' of relukit/_reference.py).  `verify --exhaustive`
 * float32 (the g = 1 sweep and random-g samples), avx2 and avx512 / baseline:
 * silu_bwd 1.393 / 1.600, softplus_bwd 1.614 / 1.614, elu_bwd 1.616 / 1.616,
 * celu_bwd 1.683 / 1.615, selu_bwd 1.647 / 1.639, mish_bwd 1.836 / 1.734 ULP; the
 * rest in the README.
 * Valid input range: every value; +-inf give the limits, never NaN.
 */
#include <math.h> /* INFINITY */
#include "kdef.h"
#include "vmath.h"
#include "dwarith.h"
#include "sigmoid.h"

/* SELU's constants (PyTorch / Klambauer et al.), and S*A; hi + lo splits of each:
 * hi = the constant rounded to the type, lo = the rest rounded to the type. */
#define RK_SELU_S 1.0507009873554804934193349852946
#define RK_SELU_SA 1.7580993408473768599402175208123   /* S * A = 1.0507009873554805 * 1.6732632423543772 */
static const float selu_s_hi_f = (float)RK_SELU_S;
static const float selu_s_lo_f = (float)(RK_SELU_S - (double)(float)RK_SELU_S);
static const float selu_sa_hi_f = (float)RK_SELU_SA;
static const float selu_sa_lo_f = (float)(RK_SELU_SA - (double)(float)RK_SELU_SA);
static const double selu_s_hi_d = RK_SELU_S;
/* the float64 lo parts from mpmath (vmath_coeffs.h; a long double difference would
 * carry the long double constant's own rounding: 0.35% of S*A's lo part) */
static const double selu_s_lo_d = RK_SELU_S_LO_D;     /* S - (double)S */
static const double selu_sa_hi_d = RK_SELU_SA;
static const double selu_sa_lo_d = RK_SELU_SA_LO_D;   /* S*A - (double)(S*A) */

/* exp(a) * 2^K for a <= 0, clamped at LO (where every op using it has long
 * underflowed): 2^(n+K) stays a normal number, so tails that end in subnormal
 * results are rounded once, at the end, by the caller's final * 2^-K. */
#define RK_EXPK_F_K 64
#define RK_EXPK_f_LO (-120.0f)
#define RK_EXPK_D_K 600
#define RK_EXPK_d_LO (-760.0)
RK_INLINE vf expk_f(vf a) {
    vf t, n;
    vf r = rk_vf_exp_red(vf_max(a, vf_set1(RK_EXPK_f_LO)), &t, &n);
    return vf_mul(vf_add(vf_set1(1.0f), rk_vf_expm1_poly_e(r)), rk_vf_pow2(t, RK_EXPK_F_K));
}
static inline vd expk_d(vd a) {
    vd t, n;
    vd r = rk_vd_exp_red(vd_max(a, vd_set1(RK_EXPK_d_LO)), &t, &n);
    return vd_mul(vd_add(vd_set1(1.0), rk_vd_expm1_poly_e(r)), rk_vd_pow2(t, RK_EXPK_D_K));
}
static const float twomK_f = 0x1p-64f;   /* 2^-K */
/* below these, e^x is within a factor 2^24 (2^53) of the subnormal range */
#define RK_DEEP_f (-70.0f)
#define RK_DEEP_d (-670.0)
static const double twomK_d = 0x1p-600;

/* mish': numerators and denominators grow like e^5x, so a large g is scaled
 * further down than RK_GBIG's 2^-64 (and the result back) */
#define RK_MISH_GBIG_f 0x1p40f        /* numerators up to e^60 (x <= 12) */
#define RK_MISH_GSC_f 0x1p-100f
#define RK_MISH_GBIG_d 0x1p800        /* float64: up to e^120 (x <= 24) */
#define RK_MISH_GSC_d 0x1p-200
/* float32: below this x, a scaled-down g also takes e scaled up by 2^K (float64's
 * range needs neither: never) */
#define RK_MISH_SCX_f (-20.0f)
#define RK_MISH_SCX_d (-INFINITY)
static const float mish_gsck_f = 0x1p36f;      /* 2^(100 - 64): the two scalings undone */
static const double mish_gsck_d = 0x1p-400;    /* 2^(200 - 600) (unused: SCX_d) */

/* 1 - a q, exactly, for a q within a few ULP of 1: one fused multiply-add, or
 * (without FMA) the exact product as hi + lo, from which 1 - hi is exact */
#if RK_HAVE_FMA
RK_INLINE vf rem1_f(vf a, vf q) { return vf_fnma(a, q, vf_set1(1.0f)); }
static inline vd rem1_d(vd a, vd q) { return vd_fnma(a, q, vd_set1(1.0)); }
#else
RK_INLINE vf rem1_f(vf a, vf q) {
    vf e, p = twoprod_f(a, q, &e);
    return vf_sub(vf_sub(vf_set1(1.0f), p), e);
}
static inline vd rem1_d(vd a, vd q) {
    vd e, p = twoprod_d(a, q, &e);
    return vd_sub(vd_sub(vd_set1(1.0), p), e);
}
#endif
/* The deep tails of the backward ops, a < RK_DEEP (x, x/alpha or beta*x), where the
 * derivative is m e^a to working precision (m = alpha, scale*alpha, 1 + beta x's rounding
 * error, or 1 + x for silu' and mish', whose other terms are below e^2a |a|):
 * g m e^a is formed as (g [* 2^-GSC]) (m 2^(n+K) (1 + p)), every factor of e^a and the
 * product with m carried as hi + lo, one rounding, then scaled by 2^-K (2^(GSC-K)) in
 * at most two exact-or-final steps: one rounding into the subnormals, for every finite g.
 *   a in [RK_TAIL_LO, RK_DEEP]: n = rint(a/ln2) in [-289, -101] (f64 [-2121, -967]),
 *     n + K in [-126, 62] ([-1022, 132]): 2^(n+K) is a normal number;
 *   below RK_TAIL_LO, |g m e^a| < 2^-151 (2^-1076) even for g = FLT_MAX (DBL_MAX):
 *     the result rounds to a signed zero, which a at RK_TAIL_LO gives too;
 *   |g| <= GBIG: |g m 2^(n+K)| < 2^40 2^62 2^8.7 (2^800 2^132 2^10.6): no overflow;
 *   |g| >  GBIG: g 2^-GSC is normal and < 2^40 (2^124): no overflow either. */
#define RK_TAIL_LO_f (-200.0f)
#define RK_TAIL_K_f 163
#define RK_TAIL_GBIG_f 0x1p40f
#define RK_TAIL_LO_d (-1470.0)
#define RK_TAIL_K_d 1099
#define RK_TAIL_GBIG_d 0x1p800
static const float tail_gsc_f = 0x1p-88f, tail_big_f = 0x1p-75f;       /* 2^-GSC, 2^(GSC-K) */
static const float tail_s1_f = 0x1p-82f, tail_s2_f = 0x1p-81f;         /* 2^-K in two steps */
static const double tail_gsc_d = 0x1p-900, tail_big_d = 0x1p-199;
static const double tail_s1_d = 0x1p-550, tail_s2_d = 0x1p-549;
/* a g above RK_GBIG is scaled by these in silu' (float64: far enough that g times
 * the numerator stays below 2^900, where divc still corrects its quotient) */
static const float silu_gsc_f = 0x1p-64f;
static const double silu_gsc_d = 0x1p-128;
/* above these, silu'(x) = 1 + e^-x (x - 1) rounds to 1 */
#define RK_SILU_LIN_f 25.0f
#define RK_SILU_LIN_d 45.0
/* above these, mish'(x) rounds to 1 (4x e^-2x below half an ULP), and the
 * rational in e^x stays below the overflow threshold */
#define RK_MISH_LIN_f 12.0f
#define RK_MISH_LIN_d 24.0

#define RK_EXP_BODIES(V, P, S, T)                                                    \
    /* e^a for a in [RK_DEEP, 0] (clamped there) as hi + *lo: 1 + p carried as a      \
     * double word, 2^n applied exactly (a normal number down to RK_DEEP) */        \
    static inline V expdw_##S(V a, V *lo) {                                          \
        V t, n;                                                                      \
        V r = rk_##P##_exp_red(P##_max(a, P##_set1(RK_DEEP_##S)), &t, &n);           \
        V p = rk_##P##_expm1_poly_e(r);                                              \
        V ph = P##_add(P##_set1(1), p);                                              \
        V pl = P##_add(P##_sub(P##_set1(1), ph), p);       /* exact: |p| < 1 */      \
        V sc = rk_##P##_pow2(t, 0);                                                  \
        *lo = P##_mul(pl, sc);                                                       \
        return P##_mul(ph, sc);                                                      \
    }                                                                                \
    /* g (mh + ml) e^a for the deep lanes (see RK_TAIL_LO): one rounding, then the   \
     * scaling into the subnormals; an infinite g gives g times the sign of mh */     \
    static inline V tail_##S(V g, V a, V mh, V ml) {                                 \
        V t, n;                                                                      \
        a = P##_min(P##_max(a, P##_set1(RK_TAIL_LO_##S)), P##_set1(RK_DEEP_##S));     \
        V r = rk_##P##_exp_red(a, &t, &n);                                           \
        V p = rk_##P##_expm1_poly_e(r);                                              \
        V ph = P##_add(P##_set1(1), p);                                              \
        V pl = P##_add(P##_sub(P##_set1(1), ph), p);                                 \
        V sc = rk_##P##_pow2(t, RK_TAIL_K_##S);                                      \
        V eh = P##_mul(ph, sc), el = P##_mul(pl, sc);                                \
        V ql;                                                                        \
        V qh = twoprod_##S(eh, mh, &ql);                                             \
        ql = P##_fma(el, mh, P##_fma(eh, ml, ql));                                   \
        m##S big = P##_gt(P##_abs(g), P##_set1(RK_TAIL_GBIG_##S));                   \
        V gs = P##_mul(g, P##_select(big, P##_set1(tail_gsc_##S), P##_set1(1)));     \
        V y = P##_fma(gs, qh, P##_mul(gs, ql));                                      \
        y = P##_mul(y, P##_select(big, P##_set1(tail_big_##S), P##_set1(tail_s1_##S))); \
        y = P##_mul(y, P##_select(big, P##_set1(1), P##_set1(tail_s2_##S)));         \
        return P##_select(P##_eq(P##_abs(g), P##_set1(INFINITY)), P##_mul(g, mh), y); \
    }                                                                                \
    /* v * (hi + lo), rounded once (without an FMA: dwarith.h's mul2) */          \
    static inline V mulc2_##S(V v, T hi, T lo) {                                     \
        V y = mul2_##S(v, P##_set1(hi), P##_set1(lo));                               \
        return P##_select(P##_eq(P##_abs(v), P##_set1(INFINITY)), P##_mul(v, P##_set1(hi)), y); \
    }                                                                                \
    /* g * (e * a) with the product e*a carried exactly: one rounding */           \
    static inline V mulg_##S(V g, V e, V a) {                                        \
        V pl;                                                                        \
        V ph = twoprod_##S(e, a, &pl);                                               \
        V y = gdw_##S(g, ph, pl);                                                    \
        /* infinite g: g times the (positive, maybe underflowed) e, times a */     \
        V yinf = P##_mul(g, P##_select(P##_eq(ph, P##_zero()), a, ph));              \
        return P##_select(P##_eq(P##_abs(g), P##_set1(INFINITY)), yinf, y);          \
    }                                                                                \
    /* g * d for a derivative d > 0 that may underflow to 0: an infinite g stays   \
     * infinite (g * d, d > 0) instead of inf * 0 */                               \
    static inline V mulpos_##S(V g, V d) {                                           \
        V y = P##_mul(g, d);                                                         \
        return P##_select(m##S##_and(P##_eq(P##_abs(g), P##_set1(INFINITY)),         \
                                     P##_eq(d, P##_zero())), g, y);                  \
    }                                                                                \
    /* at x = -inf the derivative is its limit, +0: g * 0 (an infinite g: g) */   \
    static inline V atminf_##S(V g) {                                                \
        return P##_select(P##_eq(P##_abs(g), P##_set1(INFINITY)), g, P##_mul(g, P##_zero())); \
    }                                                                                \
    static inline V elu_##S(V x, V alpha, V pb) {                                    \
        (void)pb;                                                                    \
        return P##_select(P##_gt(x, P##_zero()), x, P##_mul(alpha, P##_expm1(x)));  \
    }                                                                                \
    RK_COLD V elu_bwd_all_##S(V x, V g, V alpha, V pb) {                             \
        (void)pb;                                                                    \
        V neg = mulg_##S(g, P##_exp(x), alpha);                                      \
        m##S deep = P##_lt(x, P##_set1(RK_DEEP_##S));                                \
        if (m##S##_any(deep)) neg = P##_select(deep, tail_##S(g, x, alpha, P##_zero()), neg); \
        return P##_select(P##_gt(x, P##_zero()), g, P##_select(P##_isnan(x), x, neg)); \
    }                                                                                \
    static inline V celu_##S(V x, V alpha, V pb) {                                   \
        (void)pb;                                                                    \
        V neg = P##_mul(alpha, P##_expm1(P##_div(x, alpha)));                        \
        return P##_select(P##_gt(x, P##_zero()), x, neg);                            \
    }                                                                                \
    RK_COLD V celu_bwd_all_##S(V x, V g, V alpha, V pb) {                            \
        (void)pb;                                                                    \
        V q = P##_div(x, alpha);                                                     \
        V neg = mulpos_##S(g, P##_exp(q));                                           \
        m##S deep = P##_lt(q, P##_set1(RK_DEEP_##S));                                \
        if (m##S##_any(deep)) neg = P##_select(deep, tail_##S(g, q, P##_set1(1), P##_zero()), neg); \
        return P##_select(P##_gt(x, P##_zero()), g, P##_select(P##_isnan(x), x, neg)); \
    }                                                                                \
    static inline V selu_##S(V x, V pa, V pb) {                                      \
        (void)pa; (void)pb;                                                          \
        V pos = mulc2_##S(x, selu_s_hi_##S, selu_s_lo_##S);                          \
        V neg = mulc2_##S(P##_expm1(x), selu_sa_hi_##S, selu_sa_lo_##S);             \
        return P##_select(P##_gt(x, P##_zero()), pos, neg);                          \
    }                                                                                \
    RK_COLD V selu_bwd_all_##S(V x, V g, V pa, V pb) {                               \
        (void)pa; (void)pb;                                                          \
        V pos = mulc2_##S(g, selu_s_hi_##S, selu_s_lo_##S);                          \
        V e = P##_exp(x);                                                            \
        V pl;                                                                        \
        V ph = twoprod_##S(e, P##_set1(selu_sa_hi_##S), &pl);                        \
        pl = P##_fma(e, P##_set1(selu_sa_lo_##S), pl);                               \
        V neg = gdw_##S(g, ph, pl);                                                  \
        neg = P##_select(P##_eq(P##_abs(g), P##_set1(INFINITY)), g, neg);            \
        m##S deep = P##_lt(x, P##_set1(RK_DEEP_##S));                                \
        if (m##S##_any(deep))                                                        \
            neg = P##_select(deep, tail_##S(g, x, P##_set1(selu_sa_hi_##S), P##_set1(selu_sa_lo_##S)), neg); \
        return P##_select(P##_gt(x, P##_zero()), pos, P##_select(P##_isnan(x), x, neg)); \
    }                                                                                \
    /* e^a for a in [RK_DEEP, 0], as P##_exp computes it there (the same bits), without \
     * its clamps and its whole-vector test: the bulk paths of the ELU-family gradients */ \
    RK_INLINE V expb_##S(V a) {                                                      \
        V t, n;                                                                      \
        V r = rk_##P##_exp_red(a, &t, &n);                                           \
        return P##_mul(P##_add(P##_set1(1), rk_##P##_expm1_poly_e(r)), rk_##P##_pow2(t, 0)); \
    }                                                                                \
    /* the ELU-family gradients: the bulk path gives the bits of the full bodies above \
     * (elu_bwd_all_ ...) for x > 0 or a = x (x/alpha) in [RK_DEEP, 0], and a g of finite \
     * magnitude; a vector with any other lane (deep tails, NaN, infinite g, a > 0 for \
     * x <= 0) runs the full body for those lanes */                                 \
    RK_INLINE V elu_bwd_##S(V x, V g, V alpha, V pb) {                               \
        V ph, pl;                                                                    \
        ph = twoprod_##S(expb_##S(P##_min(x, P##_zero())), alpha, &pl);              \
        V y = P##_select(P##_gt(x, P##_zero()), g, gdw_##S(g, ph, pl));              \
        m##S ok = m##S##_and(P##_ge(x, P##_set1(RK_DEEP_##S)), P##_lt(P##_abs(g), P##_set1(INFINITY))); \
        if (!m##S##_all(ok)) y = P##_select(ok, y, elu_bwd_all_##S(x, g, alpha, pb)); \
        return y;                                                                    \
    }                                                                                \
    RK_INLINE V celu_bwd_##S(V x, V g, V alpha, V pb) {                              \
        V q = P##_div(x, alpha);                                                     \
        V y = P##_select(P##_gt(x, P##_zero()), g, P##_mul(g, expb_##S(P##_min(q, P##_zero())))); \
        m##S pos = P##_gt(x, P##_zero());                                            \
        m##S ok = m##S##_and(m##S##_or(pos, m##S##_and(P##_ge(q, P##_set1(RK_DEEP_##S)), P##_le(q, P##_zero()))), \
                             P##_lt(P##_abs(g), P##_set1(INFINITY)));                \
        if (!m##S##_all(ok)) y = P##_select(ok, y, celu_bwd_all_##S(x, g, alpha, pb)); \
        return y;                                                                    \
    }                                                                                \
    RK_INLINE V selu_bwd_##S(V x, V g, V pa, V pb) {                                 \
        V pl, e = expb_##S(P##_min(x, P##_zero()));                                  \
        V ph = twoprod_##S(e, P##_set1(selu_sa_hi_##S), &pl);                        \
        pl = P##_fma(e, P##_set1(selu_sa_lo_##S), pl);                               \
        V pos = gdw_##S(g, P##_set1(selu_s_hi_##S), P##_set1(selu_s_lo_##S));        \
        V y = P##_select(P##_gt(x, P##_zero()), pos, gdw_##S(g, ph, pl));            \
        m##S ok = m##S##_and(P##_ge(x, P##_set1(RK_DEEP_##S)), P##_lt(P##_abs(g), P##_set1(INFINITY))); \
        if (!m##S##_all(ok)) y = P##_select(ok, y, selu_bwd_all_##S(x, g, pa, pb));  \
        return y;                                                                    \
    }                                                                                \
    RK_COLD V silu_bwd_all_##S(V x, V g) {                                           \
        /* z = e^-|x| as z + zl (expdw_), then                                      \
         *   x >= 0:  s = 1/(1 + z) with 1 + z and the quotient corrected (s is       \
         *            1/(1+z) to a small fraction of an ULP);  silu' = s + (x z s) s  \
         *   x <  0:  silu' = z (1 + x + z) / (1 + z)^2: 1 + x + z, the numerator and \
         *            the denominator as hi + lo, g folded into the numerator, one     \
         *            corrected division (no plain product cancels near the zero)     \
         *   x < RK_DEEP: g e^x (1 + x) by tail_ (the other terms are below e^2x |x|) */ \
        V xc = P##_max(x, P##_set1(2 * RK_DEEP_##S));       /* no inf - inf below */ \
        V zl;                                                                        \
        V z = expdw_##S(P##_neg(P##_abs(xc)), &zl);                                  \
        V a = P##_add(P##_set1(1), z);                                               \
        V al = P##_add(P##_add(P##_sub(P##_set1(1), a), z), zl); /* exact: 1 >= z */ \
        V s0 = P##_div(P##_set1(1), a);                                              \
        V r = rem1_##S(a, s0);                                 /* exact remainder */  \
        V s = P##_fma(s0, P##_fnma(al, s0, r), s0);                                  \
        V zs = P##_mul(z, s);                                                        \
        /* a huge g is scaled by 2^-64 first (the exact products' splits, and g times \
         * a numerator up to 2, would overflow) */                                  \
        m##S gbig = P##_gt(P##_abs(g), P##_set1(RK_GBIG_##S));                       \
        V gsc = P##_mul(g, P##_select(gbig, P##_set1(silu_gsc_##S), P##_set1(1)));     \
        /* x >= 0: g s exactly as hi + lo, so g s + (g x z s) s rounds once */       \
        V gsl;                                                                       \
        V gs = twoprod_##S(gsc, s, &gsl);                                            \
        V ypos = P##_add(gs, P##_fma(P##_mul(gsc, P##_mul(xc, zs)), s, gsl));        \
        /* x < 0 */                                                                  \
        V l1, l2, nl, dl, gl;                                                        \
        V a1 = twosum_##S(P##_set1(1), xc, &l1);                                     \
        V A = twosum_##S(a1, z, &l2);                                                \
        V Al = P##_add(P##_add(l1, l2), zl);                                         \
        V nh = twoprod_##S(z, A, &nl);                                               \
        nl = P##_fma(z, Al, P##_fma(zl, A, nl));                                     \
        V dh = twoprod_##S(a, a, &dl);                                               \
        dl = P##_fma(P##_add(a, a), al, dl);                                         \
        V gh = twoprod_##S(gsc, nh, &gl);                                            \
        gl = P##_fma(gsc, nl, gl);                                                   \
        V yneg = divc_##S(gh, gl, dh, dl);                                           \
        m##S neg = P##_lt(x, P##_zero());                                            \
        V y = P##_select(neg, yneg, ypos);                                           \
        y = P##_mul(y, P##_select(gbig, P##_set1(1 / silu_gsc_##S), P##_set1(1)));     \
        /* an infinite g: g times the sign of silu' (the products above are NaN) */  \
        y = P##_select(P##_eq(P##_abs(g), P##_set1(INFINITY)),                        \
                       P##_select(neg, P##_mul(g, nh), g), y);                       \
        y = P##_select(P##_gt(x, P##_set1(RK_SILU_LIN_##S)), g, y);                  \
        m##S deep = P##_lt(x, P##_set1(RK_DEEP_##S));                                \
        if (m##S##_any(deep))                                                        \
            y = P##_select(deep, tail_##S(g, x, P##_add(P##_set1(1), P##_max(x, P##_set1(RK_TAIL_LO_##S))), \
                                          P##_zero()), y);                           \
        y = P##_select(P##_eq(x, P##_set1(-INFINITY)), atminf_##S(g), y);            \
        return P##_select(P##_isnan(x), x, y);                                       \
    }                                                                                \
    /* beta*x rounded to z leaves an error zl = beta*x - z (exact, twoprod); far   \
     * left softplus(z) ~ e^z, so zl would cost |z| ULP: add zl times the          \
     * derivative.  softplus'(z) = sigmoid(z) ~ sp (1 - sp/2) for z < 0 (where it  \
     * matters: for z >= 0 the rounding of z costs at most half an ULP of the      \
     * result);  sigmoid'(z) = s (1 - s).  zl = 0 when beta*x is exact (beta = 1). */ \
    static inline V beta_x_##S(V beta, V x, V *zl) {                                  \
        V z = twoprod_##S(beta, x, zl);                                              \
        /* an overflowing product, or Dekker's split overflowing (targets without   \
         * FMA, |beta x| near the top of the range): no correction */             \
        *zl = P##_select(P##_lt(P##_abs(*zl), P##_set1(INFINITY)), *zl, P##_zero()); \
        return z;                                                                    \
    }                                                                                \
    static inline V softplus_##S(V x, V beta, V th) {                                \
        V zl;                                                                        \
        V z = beta_x_##S(beta, x, &zl);                                              \
        V sp = P##_softplus_core(z);                                                 \
        V d = P##_mul(sp, P##_fma(sp, P##_set1(-0.5), P##_set1(1)));                 \
        sp = P##_select(P##_lt(z, P##_zero()), P##_fma(zl, d, sp), sp);              \
        sp = P##_div(sp, beta);                                                      \
        return P##_select(P##_gt(z, th), x, P##_select(P##_isnan(x), x, sp));        \
    }                                                                                \
    RK_COLD V softplus_bwd_all_##S(V x, V g, V beta, V th) {                         \
        V zl;                                                                        \
        V z = beta_x_##S(beta, x, &zl);                                              \
        /* s = sigmoid(z): e = e^-|z| as hi + lo, 1/(1 + e) or e/(1 + e) by one     \
         * corrected division (z < RK_DEEP: tail_) */                              \
        V el, dl;                                                                    \
        V e = expdw_##S(P##_neg(P##_abs(z)), &el);                                   \
        V dh = P##_add(P##_set1(1), e);                                              \
        dl = P##_add(P##_add(P##_sub(P##_set1(1), dh), e), el);  /* exact: 1 >= e */ \
        m##S neg = P##_lt(z, P##_zero());                                            \
        V s = divc_##S(P##_select(neg, e, P##_set1(1)), P##_select(neg, el, P##_zero()), dh, dl); \
        s = P##_fma(zl, P##_mul(s, P##_sub(P##_set1(1), s)), s);                     \
        V d = mulpos_##S(g, s);                                                      \
        m##S deep = P##_lt(z, P##_set1(RK_DEEP_##S));                                \
        if (m##S##_any(deep)) d = P##_select(deep, tail_##S(g, z, P##_set1(1), zl), d); \
        return P##_select(P##_gt(z, th), g, P##_select(P##_isnan(x), x, d));         \
    }                                                                                \
    /* silu'(x) = (1 + w (1 + x)) / (1 + w)^2, w = e^-x: sigmoid.h's core for |x| <=   \
     * BULK and |g| <= RK_GBIG (1 + x is exact for x <= -0.5, where it cancels);     \
     * the other lanes (tails, NaN, huge or infinite g) through silu_bwd_all_        \
     * (-0 or subnormal tails, the limits) */                                     \
    RK_INLINE V silu_bwd_##S(V x, V g, V pa, V pb) {                                 \
        (void)pa; (void)pb;                                                          \
        m##S ok = m##S##_and(P##_le(P##_abs(x), P##_set1(RK_SIG_BULK_##S)),          \
                             P##_le(P##_abs(g), P##_set1(RK_GBIG_##S)));             \
        V a = P##_add(P##_set1(1), x);                  /* 1 + x = a + al exactly */ \
        V al = P##_add(P##_sub(P##_set1(1), a), x);                                  \
        V y = dsig_##S(P##_neg(x), P##_zero(), a, al, g);                            \
        if (!m##S##_all(ok)) y = P##_select(ok, y, silu_bwd_all_##S(x, g));          \
        return y;                                                                    \
    }                                                                                \
    /* softplus'(x) = sigmoid(z) + zl sigmoid'(z), z + zl = beta x: s = 1/(Eh + El)  \
     * = R (1 + c) with R = 1/Eh and c = 1 - R (Eh + El) from the exact remainder;   \
     * sigmoid' = s (1 - s) with 1 - s = W R; g R + g (R c + zl R W R) rounded once. \
     * Bulk: z >= -BULK (above 87 e^-z is clamped: s rounds to 1) and |g| <= RK_GBIG */ \
    RK_INLINE V softplus_bwd_##S(V x, V g, V beta, V th) {                           \
        V zl, pw, eh, el, El, one = P##_set1(1);                                     \
        V z = beta_x_##S(beta, x, &zl);                                              \
        V Eh = sig_den_##S(P##_max(P##_neg(z), P##_set1(-RK_EXPV_MAX_##S)), P##_zero(), &pw, &eh, &el, &El); \
        V R = P##_div(one, Eh);                                                      \
        V c = P##_fnma(R, El, resid_##S(one, R, Eh));                                \
        V RW = P##_mul(R, P##_mul(pw, eh));                                          \
        V corr = P##_mul(R, P##_fma(zl, RW, c));                                     \
        V back = one;                                                                \
        V gs = RK_GUP(S, g, &back);                                                  \
        (void)back;                                                                  \
        V y = RK_GDOWN(S, fmac_##S(gs, R, P##_mul(gs, corr)), back);                 \
        m##S ok = m##S##_and(P##_ge(z, P##_set1(-RK_SIG_BULK_##S)),                  \
                             P##_le(P##_abs(g), P##_set1(RK_GBIG_##S)));             \
        if (!m##S##_all(ok)) y = P##_select(ok, y, softplus_bwd_all_##S(x, g, beta, th)); \
        return P##_select(P##_gt(z, th), g, y);                                      \
    }                                                                                \
    static inline V mish_##S(V x, V pa, V pb) {                                      \
        (void)pa; (void)pb;                                                          \
        /* t = tanh(softplus(x)) = n / (n + 2), n = e(e + 2), e = e^x, one rational   \
         * for every x up to 20 (beyond, mish(x) = x); e scaled by 2^K where deep, so \
         * subnormal results are rounded once; y = (x * n) / (n + 2) with the       \
         * numerator and denominator carried as hi + lo and one corrected division */ \
        V xc = P##_min(x, P##_set1(20));                                             \
        V Ek = expk_##S(xc);                                                         \
        V e = P##_mul(Ek, P##_set1(twomK_##S));                                      \
        m##S deep = P##_lt(x, P##_set1(RK_DEEP_##S));                                \
        V E = P##_select(deep, Ek, e);                                               \
        V l, nsl, dl;                                                                \
        V e2 = twosum_##S(e, P##_set1(2), &l);                                       \
        V ns = twoprod_##S(E, e2, &nsl);                                             \
        nsl = P##_fma(E, l, nsl);                                                    \
        V n = P##_mul(ns, P##_select(deep, P##_set1(twomK_##S), P##_set1(1)));       \
        V dnh = twosum_##S(P##_set1(2), n, &dl);                                     \
        V dnl = P##_add(dl, P##_mul(nsl, P##_select(deep, P##_set1(twomK_##S), P##_set1(1)))); \
        V Xl;                                                                        \
        V Xh = twoprod_##S(xc, ns, &Xl);                                             \
        Xl = P##_fma(xc, nsl, Xl);                                                   \
        V y = divc_##S(Xh, Xl, dnh, dnl);                                            \
        y = P##_mul(y, P##_select(deep, P##_set1(twomK_##S), P##_set1(1)));          \
        y = P##_select(P##_gt(x, P##_set1(20)), x, y);                               \
        y = P##_select(P##_lt(x, P##_set1(RK_EXPK_##S##_LO)), P##_set1(-0.0), y);     \
        return P##_select(m##S##_or(P##_isnan(x), P##_eq(x, P##_zero())), x, y);     \
    }                                                                                \
    static inline V mish_bwd_##S(V x, V g, V pa, V pb) {                             \
        (void)pa; (void)pb;                                                          \
        /* mish'(x) = t + x s (1 - t^2) as one ratio, every step in double-word:     \
         *  e = e^x, n = e(e+2), d = n + 2:  e [(e+2)(1+e) d + 4x(n+1)] / [d^2 (1+e)]  \
         * for x up to 12 (f64 24), where mish' rounds to 1; g folded into the        \
         * numerator, one corrected division */                                     \
        V xm = P##_min(x, P##_set1(RK_MISH_LIN_##S));                                \
        V Ek = expk_##S(xm);                                                         \
        V e = P##_mul(Ek, P##_set1(twomK_##S));                                      \
        m##S deep = P##_lt(x, P##_set1(RK_DEEP_##S));                                \
        V Z = P##_zero(), one = P##_set1(1), two = P##_set1(2), four = P##_set1(4);  \
        V l1, l2, l3, l4, l5, l6, l7, l8;                                            \
        /* x < 0 */                                                                  \
        V ep2 = twosum_##S(e, two, &l1);                                             \
        V n = dwmul_##S(e, Z, ep2, l1, &l2);                                         \
        V d = dwadd_##S(n, l2, two, Z, &l3);                                         \
        V ope = twosum_##S(one, e, &l4);                                             \
        V np1 = dwadd_##S(n, l2, one, Z, &l5);                                       \
        V a1 = dwmul_##S(ep2, l1, ope, l4, &l6);                                     \
        a1 = dwmul_##S(a1, l6, d, l3, &l6);                                          \
        V fx = P##_mul(four, xm);                                                    \
        V a2 = dwmul_##S(fx, Z, np1, l5, &l7);                                       \
        V An = dwadd_##S(a1, l6, a2, l7, &l8);                                       \
        V Aln = l8;                                                                  \
        V Dn = dwmul_##S(d, l3, d, l3, &l1);                                         \
        Dn = dwmul_##S(Dn, l1, ope, l4, &l1);                                        \
        V Dln = l1;                                                                  \
        /* numerator and denominator grow like e^5x: scale a large g further down */ \
        m##S gbig = P##_gt(P##_abs(g), P##_set1(RK_MISH_GBIG_##S));                  \
        /* the factor e of the numerator: scaled by 2^K where deep, and (float32)    \
         * where g is scaled down and x < -20 (g 2^-100 e would leave the normal      \
         * range before the division) */                                            \
        m##S sc = m##S##_or(deep, m##S##_and(gbig, P##_lt(x, P##_set1(RK_MISH_SCX_##S)))); \
        V Es = P##_select(sc, Ek, e);                                                \
        An = dwmul_##S(An, Aln, Es, Z, &Aln);                                        \
        /* choose, fold g in (scaled when huge), divide */                         \
        V Nh = An, Nl = Aln, Dh = Dn, Dl = Dln;                                      \
        V gs = P##_mul(g, P##_select(gbig, P##_set1(RK_MISH_GSC_##S), one));          \
        V Gl;                                                                        \
        V Gh = dwmul_##S(gs, Z, Nh, Nl, &Gl);                                        \
        V y = divc_##S(Gh, Gl, Dh, Dl);                                              \
        /* undo both scalings in one step (2^-K, 2^GSC or 2^(GSC-K)): no overflow   \
         * of an intermediate, one rounding into the subnormals */                  \
        y = P##_mul(y, P##_select(gbig, P##_select(sc, P##_set1(mish_gsck_##S),      \
                                                   P##_set1(1 / RK_MISH_GSC_##S)),   \
                                  P##_select(sc, P##_set1(twomK_##S), one)));        \
        y = P##_select(P##_eq(P##_abs(g), P##_set1(INFINITY)), P##_mul(g, Nh), y);   \
        y = P##_select(P##_gt(x, P##_set1(RK_MISH_LIN_##S)), g, y);                  \
        /* x < RK_DEEP: g e^x (1 + x), every finite g (the rational's terms in e^2x \
         * are below its rounding there) */                                         \
        if (m##S##_any(deep))                                                        \
            y = P##_select(deep, tail_##S(g, x, P##_add(P##_set1(1), P##_max(x, P##_set1(RK_TAIL_LO_##S))), \
                                          P##_zero()), y);                           \
        y = P##_select(P##_eq(x, P##_set1(-INFINITY)), atminf_##S(g), y);            \
        return P##_select(P##_isnan(x), x, y);                                       \
    }

/* softplus' from the output: below sbt_tiny, |y| is scaled by sbt_up (exact) */
static const float sbt_tiny_f = 0x1p-100f, sbt_up_f = 0x1p64f;
static const double sbt_tiny_d = 0x1p-900, sbt_up_d = 0x1p600;

/* backward from the forward's output y (the wrappers allow it where exact) */
#define RK_EXP_FROM_Y(V, P, S)                                                       \
    static inline V elu_bwd_y_##S(V y, V g, V alpha, V pb) {                         \
        (void)pb;                                                                    \
        V neg = mulpos_##S(g, P##_add(y, alpha));       /* alpha e^x = y + alpha */  \
        return P##_select(P##_gt(y, P##_zero()), g, P##_select(P##_isnan(y), y, neg)); \
    }                                                                                \
    static inline V celu_bwd_y_##S(V y, V g, V alpha, V pb) {                        \
        (void)pb;                                                                    \
        /* e^(x/a) = y/a + 1 = (y + a)/a: y + a exact where it cancels */           \
        V neg = mulpos_##S(g, P##_div(P##_add(y, alpha), alpha));                    \
        return P##_select(P##_gt(y, P##_zero()), g, P##_select(P##_isnan(y), y, neg)); \
    }                                                                                \
    static inline V selu_bwd_y_##S(V y, V g, V pa, V pb) {                           \
        (void)pa; (void)pb;                                                          \
        V pos = mulc2_##S(g, selu_s_hi_##S, selu_s_lo_##S);                          \
        /* S*A*e^x = y + S*A, the constant in two parts */                          \
        V sa = P##_add(P##_add(y, P##_set1(selu_sa_hi_##S)), P##_set1(selu_sa_lo_##S)); \
        V neg = mulpos_##S(g, sa);                                                   \
        return P##_select(P##_gt(y, P##_zero()), pos, P##_select(P##_isnan(y), y, neg)); \
    }                                                                                \
    static inline V softplus_bwd_y_##S(V y, V g, V beta, V th) {                     \
        /* sigmoid(beta x) = 1 - e^(-beta y) */                                      \
        V d = mulpos_##S(g, P##_neg(P##_expm1(P##_neg(P##_mul(beta, y)))));          \
        /* a tiny y: 1 - e^(-beta y) = beta y, formed from y 2^K so that beta y is not \
         * rounded into the subnormals before g scales it back up */                \
        m##S tiny = m##S##_and(P##_lt(P##_abs(y), P##_set1(sbt_tiny_##S)),            \
                               P##_gt(P##_abs(y), P##_zero()));                      \
        if (m##S##_any(tiny)) {                                                      \
            V ys = P##_mul(y, P##_set1(sbt_up_##S));                                 \
            V dt = P##_mul(P##_mul(g, P##_mul(beta, ys)), P##_set1(1 / sbt_up_##S));   \
            d = P##_select(tiny, dt, d);                                             \
        }                                                                            \
        return P##_select(P##_gt(P##_mul(y, beta), th), g, P##_select(P##_isnan(y), y, d)); \
    }
RK_EXP_BODIES(vf, vf, f, float)
RK_EXP_BODIES(vd, vd, d, double)

/* float32 silu in float32 arithmetic: x / (1 + w), w = e^-x:
 *   1. v = -x, at least -87 (beyond 87, w < 2^-125 and 1 + w rounds to 1);
 *   2. w = 2^m (1 + p): m = rint(v/ln2), r1 = v - m ln2hi (exact), r = r1 - m ln2lo
 *      rounded, d = (r1 - r) - m ln2lo its rounding error, p = r + (r^2 P(r) + d);
 *   3. y = x / fma(2^m, p, 2^m + 1): 2^m + 1 is exact for m <= 23 (x >= -16), so the
 *      denominator is rounded once; one division.
 * A vector with a lane below -16 or NaN recomputes those lanes: for x in [-87, -16)
 * the denominator as 2^m (1 + (p + 2^-m)), rounded once; below -87 (where 1 + e^x
 * rounds to 1) as x e^x with 2^(m+64) and a final 2^-64 (subnormal results
 * rounded once); below -120, and at -inf, -0. */
RK_INLINE vf silu_exp_tail_f(vf t, vf r1, vf *p) {
    vf m = vf_sub(t, vf_set1(RK_F_SHIFT));
    vf c = vf_mul(m, vf_set1(-RK_F_LN2LO));
    vf r = vf_add(r1, c);
    vf d = vf_add(vf_sub(r1, r), c);
    vf e = vf_fma(vf_set1(RK_EXPF_P4), r, vf_set1(RK_EXPF_P3));
    e = vf_fma(e, r, vf_set1(RK_EXPF_P2));
    e = vf_fma(e, r, vf_set1(RK_EXPF_P1));
    e = vf_fma(e, r, vf_set1(RK_EXPF_P0));
    *p = vf_add(r, vf_fma(vf_mul(r, r), e, d));
    return t;
}
RK_INLINE vf silu_exp_f(vf v, vf *p) {
    vf t = vf_fma(v, vf_set1(RK_F_LOG2E), vf_set1(RK_F_SHIFT));
    vf m = vf_sub(t, vf_set1(RK_F_SHIFT));
    return silu_exp_tail_f(t, vf_fnma(m, vf_set1(RK_F_LN2HI), v), p);
}
/* the same for v = -x, the negation folded into the operations (the same bits: each
 * rounds the negated exact value): t = x (-log2e) + shift and r1 = -(m ln2hi) - x */
RK_INLINE vf silu_expn_f(vf x, vf *p) {
    vf t = vf_fma(x, vf_set1(-RK_F_LOG2E), vf_set1(RK_F_SHIFT));
    vf m = vf_sub(t, vf_set1(RK_F_SHIFT));
    return silu_exp_tail_f(t, vf_fnms(m, vf_set1(RK_F_LN2HI), x), p);
}
/* silu's lanes below -16 and NaN (out of line: see RK_COLD) */
RK_COLD vf silu_rare_f(vf x, vf v, vf y, mf ok) {
    /* [-87, -16): m in [23, 126] */
    vf p, vm = vf_min(v, vf_set1(87.0f));
    vf t = silu_exp_f(vm, &p);
    vf P = rk_vf_pow2(t, 0);
    vf ym = vf_div(x, vf_fma(P, vf_add(p, vf_div(vf_set1(1.0f), P)), P));
    /* below -87: x e^x */
    vf u = vf_max(x, vf_set1(-120.0f));
    vf q, tt = silu_exp_f(u, &q);
    vf M = vf_mul(x, rk_vf_pow2(tt, 64));
    vf yt = vf_mul(vf_fma(M, q, M), vf_set1(0x1p-64f));
    yt = vf_select(vf_lt(x, vf_set1(-120.0f)), vf_set1(-0.0f), yt);
    y = vf_select(ok, y, vf_select(vf_ge(x, vf_set1(-87.0f)), ym, yt));
    return vf_select(vf_isnan(x), x, y);
}
RK_INLINE vf silu_f(vf x, vf pa, vf pb) {
    (void)pa; (void)pb;
    vf xc = vf_min(x, vf_set1(87.0f));                   /* v = -xc (NaN: -87) */
    vf p, t = silu_expn_f(xc, &p);
    vf P = rk_vf_pow2(t, 0);
    vf y = vf_div(x, vf_fma(P, p, vf_add(P, vf_set1(1.0f))));
    mf ok = vf_ge(x, vf_set1(-16.0f));                   /* false for NaN */
    if (__builtin_expect(!mf_all(ok), 0)) y = silu_rare_f(x, vf_neg(xc), y, ok);
    return y;
}
/* float64 silu: the float32 algorithm above in double (exp polynomial of vmath's
 * float64 fit; bulk x >= -36, where 2^m + 1 is exact; [-708, -36) through
 * 2^m (1 + (p + 2^-m)); below -708, x e^x scaled by 2^600; below -760, -0) */
RK_INLINE vd silu_exp_d(vd v, vd *p) {
    vd t = vd_fma(v, vd_set1(RK_D_LOG2E), vd_set1(RK_D_SHIFT));
    vd m = vd_sub(t, vd_set1(RK_D_SHIFT));
    vd r1 = vd_fnma(m, vd_set1(RK_D_LN2HI), v);
    vd c = vd_mul(m, vd_set1(-RK_D_LN2LO));
    vd r = vd_add(r1, c);
    vd d = vd_add(vd_sub(r1, r), c);
    *p = vd_add(r, vd_fma(vd_mul(r, r), rk_vd_expm1_q_e(r), d));
    return t;
}
RK_COLD vd silu_rare_d(vd x, vd v, vd y, md ok) {
    vd p, t = silu_exp_d(vd_min(v, vd_set1(708.0)), &p);
    vd P = rk_vd_pow2(t, 0);
    vd Pinv = vl_as_vd(vl_sub(vl_set1(2046LL << 52), vd_as_vl(P)));   /* 2^-m */
    vd ym = vd_div(x, vd_fma(P, vd_add(p, Pinv), P));
    vd u = vd_max(x, vd_set1(-760.0));
    vd q, tt = silu_exp_d(u, &q);
    vd M = vd_mul(x, rk_vd_pow2(tt, 600));
    vd yt = vd_mul(vd_fma(M, q, M), vd_set1(0x1p-600));
    yt = vd_select(vd_lt(x, vd_set1(-760.0)), vd_set1(-0.0), yt);
    y = vd_select(ok, y, vd_select(vd_ge(x, vd_set1(-708.0)), ym, yt));
    return vd_select(vd_isnan(x), x, y);
}
RK_INLINE vd silu_d(vd x, vd pa, vd pb) {
    (void)pa; (void)pb;
    vd v = vd_max(vd_neg(x), vd_set1(-708.0));
    vd p, t = silu_exp_d(v, &p);
    vd P = rk_vd_pow2(t, 0);
    vd y = vd_div(x, vd_fma(P, p, vd_add(P, vd_set1(1.0))));
    md ok = vd_ge(x, vd_set1(-36.0));                    /* false for NaN */
    if (__builtin_expect(!md_all(ok), 0)) y = silu_rare_d(x, v, y, ok);
    return y;
}
RK_EXP_FROM_Y(vf, vf, f)
RK_EXP_FROM_Y(vd, vd, d)
RK_KERNELS_1P(elu)
RK_KERNELS_2P(elu_bwd)
RK_KERNELS_1P(celu)
RK_KERNELS_2P(celu_bwd)
RK_KERNELS_1(selu)
RK_KERNELS_2(selu_bwd)
RK_KERNELS_1(silu)
RK_KERNELS_2(silu_bwd)
RK_KERNELS_1P(softplus)
RK_KERNELS_2P(softplus_bwd)
RK_KERNELS_1(mish)
RK_KERNELS_2(mish_bwd)
RK_KERNELS_2P(elu_bwd_y)
RK_KERNELS_2P(celu_bwd_y)
RK_KERNELS_2(selu_bwd_y)
RK_KERNELS_2P(softplus_bwd_y)
