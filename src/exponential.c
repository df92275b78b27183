/* exponential.c: ELU, CELU, SELU, SiLU, Softplus, Mish (+ backward), on vmath.h.
 *
 * Algorithm (per element; every compare is quiet and false for NaN; NaN x is
 * returned as x by an explicit select where a formula could lose it):
 *   elu       1. y = x > 0 ? x : alpha * expm1(x)
 *   elu_bwd   1. y = x > 0 ? g : g * (alpha * exp(x)), alpha*exp(x) carried exactly
 *                as hi + lo so g*... rounds once              (elu'(0): negative branch)
 *   celu      1. y = x > 0 ? x : alpha * expm1(x / alpha)
 *   celu_bwd  1. y = x > 0 ? g : g * exp(x / alpha)
 *   selu      1. y = x > 0 ? S*x : (S*A) * expm1(x); the constants S and S*A are
 *                carried as hi + lo pairs so each product is rounded once
 *   selu_bwd  1. y = x > 0 ? g*S : g * ((S*A) * exp(x)), the product carried as hi + lo
 *   silu      1. w = e^-x = 2^m (1 + p), the reduction's rounding carried into p
 *             2. y = x / (1 + w), 1 + w rounded once: fma(2^m, p, 2^m + 1) (bulk,
 *                x >= -16, f64 -36), else 2^m (1 + (p + 2^-m)) (a rare-lane path)
 *             3. x < -87 (f64 -708): x e^x scaled by 2^64 (2^600), one rounding;
 *                x < -120 (f64 -760) and -inf -> -0.0.  Exhaustive f32 max 1.636 ULP
 *   silu_bwd  1. z = e^-|x|, s = 1/(1 + z) with the rounding of 1 + z and of the
 *                quotient corrected;  silu'(x) = s + (x z s) s for x >= 0 and
 *                z s (1 + x s) for x < 0 (|silu'| < 1/2 there: the gradient bound
 *                max(2 ULP, eps |g|) leaves room for plain products)
 *             2. y = g * silu'(x), for x >= 0 as g s + (g x z s) s with g s exact (hi + lo)
 *                and one final rounding;  x > 25 (f64 45): g;  x < -80 (f64 -700): -0 * g
 *             3. x = +inf -> g, x -> -inf -> 0*g
 *   softplus  1. z = beta*x, with its rounding error zl (exact);  2. y = z > threshold ?
 *                x : (log(1 + e^z) + zl * sigmoid(z)) / beta  (zl matters in the left
 *                tail, where it would cost |z| ULP; sigmoid(z) ~ sp (1 - sp/2) there)
 *   softplus_bwd 1. z = beta*x, zl;  2. y = z > threshold ? g : g * (s + zl s (1 - s)),
 *                s = sigmoid(z)
 *   mish      1. t = tanh(softplus(x)) = n / (n + 2), n = e(e + 2), e = e^x (scaled
 *                by 2^K where results near the subnormals), for every x up to 20
 *             2. numerator x*num and denominator carried as hi + lo, one corrected
 *                division;  x > 20: y = x;  x < -120 (f64 -760) or -inf: -0.0
 *   mish_bwd  1. mish'(x) = t + x*s*(1 - t^2) written as one ratio of polynomials in
 *                e = e^x, see the body;
 *             2. every step in double-word (hi + lo), g folded into the numerator,
 *                one corrected division;  x > 12 (f64: 24): g;  x < -120 (f64 -760): -0*g
 *   *_bwd_y   the backward from the forward's output y: elu g(y + alpha), celu
 *             g(y/alpha + 1), selu g(y + S*A), softplus g(1 - e^(-beta y)) (linear where
 *             beta y > threshold); y > 0 gives g (g*S for selu)
 * float16 runs these float32 bodies and rounds once.
 * Accuracy: see the README's table (measured by `python -m relukit verify`).
 * Valid input range: every value; +-inf give the limits, never NaN.
 */
#include <math.h> /* INFINITY */
#include "kdef.h"
#include "vmath.h"
#include "dwarith.h"

/* SELU's constants (PyTorch / Klambauer et al.), and S*A; hi + lo splits of each:
 * hi = the constant rounded to the type, lo = the rest rounded to the type. */
#define RK_SELU_S 1.0507009873554804934193349852946
#define RK_SELU_S_L 1.0507009873554804934193349852946L
#define RK_SELU_SA 1.7580993408473768599402175208123   /* S * A = 1.0507009873554805 * 1.6732632423543772 */
#define RK_SELU_SA_L 1.7580993408473768599402175208123L
static const float selu_s_hi_f = (float)RK_SELU_S;
static const float selu_s_lo_f = (float)(RK_SELU_S - (double)(float)RK_SELU_S);
static const float selu_sa_hi_f = (float)RK_SELU_SA;
static const float selu_sa_lo_f = (float)(RK_SELU_SA - (double)(float)RK_SELU_SA);
static const double selu_s_hi_d = RK_SELU_S;
static const double selu_s_lo_d = (double)(RK_SELU_S_L - (long double)RK_SELU_S);
static const double selu_sa_hi_d = RK_SELU_SA;
static const double selu_sa_lo_d = (double)(RK_SELU_SA_L - (long double)RK_SELU_SA);

/* exp(a) * 2^K for a <= 0, clamped at LO (where every op using it has long
 * underflowed): 2^(n+K) stays a normal number, so tails that end in subnormal
 * results are rounded once, at the end, by the caller's final * 2^-K. */
#define RK_EXPK_F_K 64
#define RK_EXPK_f_LO (-120.0f)
#define RK_EXPK_D_K 600
#define RK_EXPK_d_LO (-760.0)
static inline vf expk_f(vf a) {
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

/* 1 - a q, exactly, for a q within a few ULP of 1: one fused multiply-add, or
 * (without FMA) the exact product as hi + lo, from which 1 - hi is exact */
#if RK_HAVE_FMA
static inline vf rem1_f(vf a, vf q) { return vf_fnma(a, q, vf_set1(1.0f)); }
static inline vd rem1_d(vd a, vd q) { return vd_fnma(a, q, vd_set1(1.0)); }
#else
static inline vf rem1_f(vf a, vf q) {
    vf e, p = twoprod_f(a, q, &e);
    return vf_sub(vf_sub(vf_set1(1.0f), p), e);
}
static inline vd rem1_d(vd a, vd q) {
    vd e, p = twoprod_d(a, q, &e);
    return vd_sub(vd_sub(vd_set1(1.0), p), e);
}
#endif
/* below these, |silu'(x)| < 2^-100 (2^-900): the gradient is -0 * g */
#define RK_SILU_DEEP_f (-80.0f)
#define RK_SILU_DEEP_d (-700.0)
/* above these, silu'(x) = 1 + e^-x (x - 1) rounds to 1 */
#define RK_SILU_LIN_f 25.0f
#define RK_SILU_LIN_d 45.0
/* above these, mish'(x) rounds to 1 (4x e^-2x below half an ULP), and the
 * rational in e^x stays below the overflow threshold */
#define RK_MISH_LIN_f 12.0f
#define RK_MISH_LIN_d 24.0

#define RK_EXP_BODIES(V, P, S, T)                                                    \
    /* v * (hi + lo), rounded once */                                                \
    static inline V mulc2_##S(V v, T hi, T lo) {                                     \
        V y = P##_fma(v, P##_set1(hi), P##_mul(v, P##_set1(lo)));                    \
        return P##_select(P##_eq(P##_abs(v), P##_set1(INFINITY)), P##_mul(v, P##_set1(hi)), y); \
    }                                                                                \
    /* g * (e * a) with the product e*a carried exactly: one rounding */           \
    static inline V mulg_##S(V g, V e, V a) {                                        \
        V pl;                                                                        \
        V ph = twoprod_##S(e, a, &pl);                                               \
        V y = P##_fma(g, ph, P##_mul(g, pl));                                        \
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
    /* g * d for a negative d too small to represent */                          \
    static inline V tinyneg_##S(V g) {                                               \
        return P##_select(P##_eq(P##_abs(g), P##_set1(INFINITY)), P##_neg(g),        \
                          P##_mul(g, P##_set1(-0.0)));                               \
    }                                                                                \
    /* at x = -inf the derivative is its limit, +0: g * 0 (an infinite g: g) */   \
    static inline V atminf_##S(V g) {                                                \
        return P##_select(P##_eq(P##_abs(g), P##_set1(INFINITY)), g, P##_mul(g, P##_zero())); \
    }                                                                                \
    static inline V elu_##S(V x, V alpha, V pb) {                                    \
        (void)pb;                                                                    \
        return P##_select(P##_gt(x, P##_zero()), x, P##_mul(alpha, P##_expm1(x)));  \
    }                                                                                \
    static inline V elu_bwd_##S(V x, V g, V alpha, V pb) {                           \
        (void)pb;                                                                    \
        V neg = mulg_##S(g, P##_exp(x), alpha);                                      \
        return P##_select(P##_gt(x, P##_zero()), g, P##_select(P##_isnan(x), x, neg)); \
    }                                                                                \
    static inline V celu_##S(V x, V alpha, V pb) {                                   \
        (void)pb;                                                                    \
        V neg = P##_mul(alpha, P##_expm1(P##_div(x, alpha)));                        \
        return P##_select(P##_gt(x, P##_zero()), x, neg);                            \
    }                                                                                \
    static inline V celu_bwd_##S(V x, V g, V alpha, V pb) {                          \
        (void)pb;                                                                    \
        V neg = mulpos_##S(g, P##_exp(P##_div(x, alpha)));                           \
        return P##_select(P##_gt(x, P##_zero()), g, P##_select(P##_isnan(x), x, neg)); \
    }                                                                                \
    static inline V selu_##S(V x, V pa, V pb) {                                      \
        (void)pa; (void)pb;                                                          \
        V pos = mulc2_##S(x, selu_s_hi_##S, selu_s_lo_##S);                          \
        V neg = mulc2_##S(P##_expm1(x), selu_sa_hi_##S, selu_sa_lo_##S);             \
        return P##_select(P##_gt(x, P##_zero()), pos, neg);                          \
    }                                                                                \
    static inline V selu_bwd_##S(V x, V g, V pa, V pb) {                             \
        (void)pa; (void)pb;                                                          \
        V pos = mulc2_##S(g, selu_s_hi_##S, selu_s_lo_##S);                          \
        V e = P##_exp(x);                                                            \
        V pl;                                                                        \
        V ph = twoprod_##S(e, P##_set1(selu_sa_hi_##S), &pl);                        \
        pl = P##_fma(e, P##_set1(selu_sa_lo_##S), pl);                               \
        V neg = P##_fma(g, ph, P##_mul(g, pl));                                      \
        neg = P##_select(P##_eq(P##_abs(g), P##_set1(INFINITY)), g, neg);            \
        return P##_select(P##_gt(x, P##_zero()), pos, P##_select(P##_isnan(x), x, neg)); \
    }                                                                                \
    static inline V silu_gen_##S(V x, V pa, V pb) {                                  \
        (void)pa; (void)pb;                                                          \
        /* x / (1 + z) for x >= 0, x*z / (1 + z) for x < 0, z = e^-|x|, with z scaled   \
         * by 2^K in the numerator so subnormal results are rounded once */          \
        V E = expk_##S(P##_neg(P##_abs(x)));                                         \
        V z = P##_mul(E, P##_set1(twomK_##S));                                       \
        V dh = P##_add(P##_set1(1), z);                                              \
        V dl = P##_add(P##_sub(P##_set1(1), dh), z);                                 \
        m##S neg = P##_lt(x, P##_zero());                                            \
        V xel;                                                                       \
        V xe = twoprod_##S(x, E, &xel);                                              \
        V nh = P##_select(neg, xe, x);                                               \
        V nl = P##_select(neg, xel, P##_zero());                                     \
        V y = divc_##S(nh, nl, dh, dl);                                              \
        y = P##_mul(y, P##_select(neg, P##_set1(twomK_##S), P##_set1(1)));           \
        y = P##_select(P##_lt(x, P##_set1(RK_EXPK_##S##_LO)), P##_set1(-0.0), y);     \
        /* +inf, +-0 and NaN: x itself */                                           \
        m##S keep = m##S##_or(P##_isnan(x), P##_eq(x, P##_set1(INFINITY))); \
        return P##_select(m##S##_or(keep, P##_eq(x, P##_zero())), x, y);       \
    }                                                                                \
    static inline V silu_bwd_##S(V x, V g, V pa, V pb) {                             \
        (void)pa; (void)pb;                                                          \
        /* z = e^-|x|, s = 1/(1 + z) with 1 + z and the quotient corrected (s is     \
         * 1/(1+z) to a small fraction of an ULP); then silu'(x) =                   \
         *   x >= 0:  s (1 + x z s) = s + (x z s) s   (a small term added to s)       \
         *   x <  0:  z s (1 + x s)                   (|silu'| < 1/2: the bound       \
         *            max(2 ULP, eps |g|) leaves room for the plain products)         \
         * Below RK_SILU_DEEP, |silu'| < 2^-100 (2^-900): -0 * g. */                 \
        V z = P##_exp(P##_neg(P##_abs(x)));                                          \
        V a = P##_add(P##_set1(1), z);                                               \
        V al = P##_add(P##_sub(P##_set1(1), a), z);            /* exact: 1 >= z */    \
        V s0 = P##_div(P##_set1(1), a);                                              \
        V r = rem1_##S(a, s0);                                 /* exact remainder */  \
        V s = P##_fma(s0, P##_fnma(al, s0, r), s0);                                  \
        V zs = P##_mul(z, s);                                                        \
        /* x >= 0: g s exactly as hi + lo, so g s + (g x z s) s rounds once; a huge  \
         * g is scaled by 2^-64 first (the exact product's split would overflow) */ \
        m##S gbig = P##_gt(P##_abs(g), P##_set1(RK_GBIG_##S));                       \
        V gsc = P##_mul(g, P##_select(gbig, P##_set1(0x1p-64), P##_set1(1)));         \
        V gsl;                                                                       \
        V gs = twoprod_##S(gsc, s, &gsl);                                            \
        V ypos = P##_add(gs, P##_fma(P##_mul(gsc, P##_mul(x, zs)), s, gsl));         \
        ypos = P##_mul(ypos, P##_select(gbig, P##_set1(0x1p64), P##_set1(1)));        \
        /* x < 0: the derivative first, then one rounding by g (a tiny g would       \
         * otherwise round g z s into the subnormals) */                             \
        V yneg = P##_mul(g, P##_mul(zs, P##_fma(x, s, P##_set1(1))));                \
        /* an infinite g: g (silu' > 0 for x >= 0; the product form above is NaN) */ \
        ypos = P##_select(P##_eq(P##_abs(g), P##_set1(INFINITY)), g, ypos);          \
        V y = P##_select(P##_lt(x, P##_zero()), yneg, ypos);                         \
        y = P##_select(P##_gt(x, P##_set1(RK_SILU_LIN_##S)), g, y);                  \
        y = P##_select(P##_lt(x, P##_set1(RK_SILU_DEEP_##S)), tinyneg_##S(g), y);    \
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
    static inline V softplus_bwd_##S(V x, V g, V beta, V th) {                       \
        V zl;                                                                        \
        V z = beta_x_##S(beta, x, &zl);                                              \
        V s = P##_sigmoid(z);                                                        \
        s = P##_fma(zl, P##_mul(s, P##_sub(P##_set1(1), s)), s);                     \
        V d = mulpos_##S(g, s);                                                      \
        return P##_select(P##_gt(z, th), g, P##_select(P##_isnan(x), x, d));         \
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
        /* the factor e of the numerator: scaled by 2^K where deep */               \
        V Es = P##_select(deep, Ek, e);                                              \
        An = dwmul_##S(An, Aln, Es, Z, &Aln);                                        \
        /* choose, fold g in (scaled when huge), divide */                         \
        V Nh = An, Nl = Aln, Dh = Dn, Dl = Dln;                                      \
        /* numerator and denominator grow like e^5x: scale a large g further down */ \
        m##S gbig = P##_gt(P##_abs(g), P##_set1(RK_MISH_GBIG_##S));                  \
        V gs = P##_mul(g, P##_select(gbig, P##_set1(RK_MISH_GSC_##S), one));          \
        V Gl;                                                                        \
        V Gh = dwmul_##S(gs, Z, Nh, Nl, &Gl);                                        \
        V y = divc_##S(Gh, Gl, Dh, Dl);                                              \
        y = P##_mul(y, P##_select(deep, P##_set1(twomK_##S), one));                  \
        y = P##_mul(y, P##_select(gbig, P##_set1(1 / RK_MISH_GSC_##S), one));        \
        y = P##_select(P##_eq(P##_abs(g), P##_set1(INFINITY)), P##_mul(g, Nh), y);   \
        y = P##_select(P##_gt(x, P##_set1(RK_MISH_LIN_##S)), g, y);                  \
        y = P##_select(P##_lt(x, P##_set1(RK_EXPK_##S##_LO)), tinyneg_##S(g), y);     \
        y = P##_select(P##_eq(x, P##_set1(-INFINITY)), atminf_##S(g), y);            \
        return P##_select(P##_isnan(x), x, y);                                       \
    }

/* backward from the forward's output y (the wrappers allow it where exact) */
#define RK_EXP_FROM_Y(V, P, S)                                                       \
    static inline V elu_bwd_y_##S(V y, V g, V alpha, V pb) {                         \
        (void)pb;                                                                    \
        V neg = mulpos_##S(g, P##_add(y, alpha));       /* alpha e^x = y + alpha */  \
        return P##_select(P##_gt(y, P##_zero()), g, P##_select(P##_isnan(y), y, neg)); \
    }                                                                                \
    static inline V celu_bwd_y_##S(V y, V g, V alpha, V pb) {                        \
        (void)pb;                                                                    \
        V neg = mulpos_##S(g, P##_add(P##_div(y, alpha), P##_set1(1))); /* e^(x/a) */ \
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
static inline vf silu_exp_f(vf v, vf *p) {
    vf t = vf_fma(v, vf_set1(RK_F_LOG2E), vf_set1(RK_F_SHIFT));
    vf m = vf_sub(t, vf_set1(RK_F_SHIFT));
    vf r1 = vf_fnma(m, vf_set1(RK_F_LN2HI), v);
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
static inline vf silu_f(vf x, vf pa, vf pb) {
    (void)pa; (void)pb;
    vf v = vf_max(vf_neg(x), vf_set1(-87.0f));
    vf p, t = silu_exp_f(v, &p);
    vf P = rk_vf_pow2(t, 0);
    vf y = vf_div(x, vf_fma(P, p, vf_add(P, vf_set1(1.0f))));
    mf ok = vf_ge(x, vf_set1(-16.0f));                   /* false for NaN */
    if (!mf_all(ok)) {
        /* [-87, -16): m in [23, 126] */
        vf vm = vf_min(v, vf_set1(87.0f));
        t = silu_exp_f(vm, &p);
        P = rk_vf_pow2(t, 0);
        vf ym = vf_div(x, vf_fma(P, vf_add(p, vf_div(vf_set1(1.0f), P)), P));
        /* below -87: x e^x */
        vf u = vf_max(x, vf_set1(-120.0f));
        vf q, tt = silu_exp_f(u, &q);
        vf M = vf_mul(x, rk_vf_pow2(tt, 64));
        vf yt = vf_mul(vf_fma(M, q, M), vf_set1(0x1p-64f));
        yt = vf_select(vf_lt(x, vf_set1(-120.0f)), vf_set1(-0.0f), yt);
        y = vf_select(ok, y, vf_select(vf_ge(x, vf_set1(-87.0f)), ym, yt));
        y = vf_select(vf_isnan(x), x, y);
    }
    return y;
}
/* float64 silu: the float32 algorithm above in double (exp polynomial of vmath's
 * float64 fit; bulk x >= -36, where 2^m + 1 is exact; [-708, -36) through
 * 2^m (1 + (p + 2^-m)); below -708, x e^x scaled by 2^600; below -760, -0) */
static inline vd silu_exp_d(vd v, vd *p) {
    vd t = vd_fma(v, vd_set1(RK_D_LOG2E), vd_set1(RK_D_SHIFT));
    vd m = vd_sub(t, vd_set1(RK_D_SHIFT));
    vd r1 = vd_fnma(m, vd_set1(RK_D_LN2HI), v);
    vd c = vd_mul(m, vd_set1(-RK_D_LN2LO));
    vd r = vd_add(r1, c);
    vd d = vd_add(vd_sub(r1, r), c);
    *p = vd_add(r, vd_fma(vd_mul(r, r), rk_vd_expm1_q_e(r), d));
    return t;
}
static inline vd silu_d(vd x, vd pa, vd pb) {
    (void)pa; (void)pb;
    vd v = vd_max(vd_neg(x), vd_set1(-708.0));
    vd p, t = silu_exp_d(v, &p);
    vd P = rk_vd_pow2(t, 0);
    vd y = vd_div(x, vd_fma(P, p, vd_add(P, vd_set1(1.0))));
    md ok = vd_ge(x, vd_set1(-36.0));                    /* false for NaN */
    if (!md_all(ok)) {
        t = silu_exp_d(vd_min(v, vd_set1(708.0)), &p);
        P = rk_vd_pow2(t, 0);
        vd Pinv = vl_as_vd(vl_sub(vl_set1(2046LL << 52), vd_as_vl(P)));   /* 2^-m */
        vd ym = vd_div(x, vd_fma(P, vd_add(p, Pinv), P));
        vd u = vd_max(x, vd_set1(-760.0));
        vd q, tt = silu_exp_d(u, &q);
        vd M = vd_mul(x, rk_vd_pow2(tt, 600));
        vd yt = vd_mul(vd_fma(M, q, M), vd_set1(0x1p-600));
        yt = vd_select(vd_lt(x, vd_set1(-760.0)), vd_set1(-0.0), yt);
        y = vd_select(ok, y, vd_select(vd_ge(x, vd_set1(-708.0)), ym, yt));
        y = vd_select(vd_isnan(x), x, y);
    }
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
