/* reference.c: relukit's ground-truth scalar reference of every activation op.
 *
 * Used only for verification, never in a kernel.  For each op there is
 *   double      rk_ref_<op>(x, g, pa, pb)    accurate to a few double ulp, and
 *   long double rk_refl_<op>(x, g, pa, pb)   accurate to a few long-double ulp
 *                                            (x87 80-bit on x86-64), tails included;
 * g is the incoming gradient (used by *_bwd only), pa, pb the op's parameters.
 * The two halves of this file are the same code, written once per precision.
 *
 * Semantics shared with the SIMD kernels: NaN x returns x (forward and backward);
 * +-inf returns the mathematical limit, never NaN; identity branches pass x through
 * (so -0.0 stays -0.0); kinks follow PyTorch (see reference.h).
 *
 * Accuracy: besides the stable forms (sigmoid and log(1+e^z) without e^|z|, erfc
 * for gelu's negative tail, 1+tanh(u) = 2*sigmoid(2u), mish's tanh(softplus) as a
 * rational function of e^-|x|), an argument that is itself a rounded product
 * (beta*x, x/alpha, x/sqrt2, x^2, gelu_tanh's polynomial) is carried with its
 * rounding error (fma) wherever the function amplifies relative error by more
 * than a few (exp-like tails), and the error is added back to first order.
 * Near the zeros of the *_bwd functions (silu' at x = -1.278..., ...) the relative
 * error is bounded by the ulp of the terms that cancel, not of the result: silu'
 * (x < 0) is written so that only e^x's rounding cancels (1 + x is exact), and
 * celu'/selu' from the output add y + alpha exactly; tests/test_reference.py checks
 * the result against mpmath to 0.01 ULP of float64 (long double) or float32
 * (double) outside the windows of rk_ref_root, and to 0.01 eps/2 inside; and just above the underflow threshold
 * (results below ~2^-1010, or ~2^-16370 for long double), where an exp/erfc
 * intermediate is already subnormal and its absolute error is scaled up by the
 * remaining factors (up to a few hundred ulp there).
 */
#include "reference.h"

#include <math.h>
#include <string.h>

/* ---- constants: double (hi + lo where a product with them is error-corrected) ---- */

/* 1/sqrt(2) = 0.70710678118654752440084436210484903928 */
#define RKD_INV_SQRT2_HI        0x16A09E667F3BCDp-53
#define RKD_INV_SQRT2_LO        (-0x1BDD3413B26456p-107)
/* sqrt(2/pi) = 0.79788456080286535587989211986876373695 */
#define RKD_SQRT_2_OVER_PI_HI   0x19884533D43651p-53
#define RKD_SQRT_2_OVER_PI_LO   (-0x1CBC0D30EBFD15p-107)
/* gelu_tanh's c = 0.044715 (the decimal value) */
#define RKD_GT_C_HI             0x16E4E26D4801F7p-57
#define RKD_GT_C_LO             0x1441355475A31Ap-111
/* 1/sqrt(2*pi) = 0.39894228040143267793994605993438186848 */
#define RKD_INV_SQRT_2PI        0.39894228040143267793994605993438186848
/* 2/sqrt(pi) = 1.12837916709551257389615890312154517169 */
#define RKD_2_OVER_SQRTPI       1.12837916709551257389615890312154517169
/* |x| beyond which x*exp(-x^2/2)/sqrt(2pi) underflows to 0 (it does past 38.6) */
#define RKD_PHI_CUT             40.0

/* ---- constants: long double (the same values to 64 bits, hi + lo) ---- */

#define RKL_INV_SQRT2_HI        0xB504F333F9DE6484p-64L
#define RKL_INV_SQRT2_LO        0xB2FB1366EA957D3Ep-129L
#define RKL_SQRT_2_OVER_PI_HI   0xCC42299EA1B28468p-64L
#define RKL_SQRT_2_OVER_PI_LO   0xFCB3C500BAB8E2FFp-129L
#define RKL_GT_C_HI             0xB727136A400FBA88p-68L
#define RKL_GT_C_LO             0x9AAA3AD18D25EDD0p-134L
#define RKL_INV_SQRT_2PI        0.39894228040143267793994605993438186848L
#define RKL_2_OVER_SQRTPI       1.12837916709551257389615890312154517169L
/* past 151.3 x*exp(-x^2/2)/sqrt(2pi) underflows to 0 in long double */
#define RKL_PHI_CUT             160.0L

/* SELU: alpha, scale, and scale*alpha = 1.75809934084737685994021752081231934206
 * (the exact product of the two decimal constants, rounded once) */
#define RKL_SELU_ALPHA          1.6732632423543772848170429916717L
#define RKL_SELU_SCALE          1.0507009873554804934193349852946L
#define RKL_SELU_SCALE_ALPHA    1.75809934084737685994021752081231934206L
/* scale*alpha as a triple of doubles (mpmath): exact to ~2^-160 whatever long double
 * is (x87's 64-bit or a 113-bit quad), for y + scale*alpha where it cancels */
#define RKD_SELU_SA_HI          0x1.c212cc640f031p+0
#define RKD_SELU_SA_LO          0x1.05161b045a1fep-56
#define RKD_SELU_SA_LO2         (-0x1.86ea9161b1aeep-110)
#define RKD_SELU_SCALE          ((double)RKL_SELU_SCALE)
#define RKD_SELU_SCALE_ALPHA    ((double)RKL_SELU_SCALE_ALPHA)

/* ======================================================================== */
/* double                                                                   */
/* ======================================================================== */

/* sigmoid(x) = 1/(1+e^-x), never forming e^|x|: full relative accuracy, no overflow */
static double sigmoid_d(double x)
{
    if (x >= 0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

/* log(1+e^z), stable for all z (z > 0: z + log1p(e^-z)) */
static double log1pexp_d(double z)
{
    return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

/* a*b - p exactly, where p = a*b rounded (finite, no underflow) */
static double prod_err_d(double a, double b, double p)
{
    return fma(a, b, -p);
}

/* a+b - s exactly, where s = a+b rounded (Knuth's two-sum) */
static double sum_err_d(double a, double b, double s)
{
    double bb = s - a;
    return (a - (s - bb)) + (b - bb);
}

/* t = -x/sqrt(2) is carried as t + tl: erfc's relative condition number is ~2t^2
 * (~1400 in gelu's negative tail), so a rounded t alone would cost ~1e3 ulp.
 * Returns erfc(-x/sqrt2) = 2*Phi(x), x finite. */
static double erfc_neg_x_over_sqrt2_d(double x)
{
    double p = x * RKD_INV_SQRT2_HI;
    double t = -p;
    double tl = -(prod_err_d(x, RKD_INV_SQRT2_HI, p) + x * RKD_INV_SQRT2_LO);
    /* erfc(t + tl) = erfc(t) - tl * 2/sqrt(pi) * exp(-t^2) + O(tl^2) */
    return erfc(t) - tl * RKD_2_OVER_SQRTPI * exp(-t * t);
}

/* x * phi(x) = x * exp(-x^2/2)/sqrt(2*pi), with x^2 carried as h + hl
 * (exp's condition number is x^2/2, up to ~750 before underflow) */
static double x_phi_d(double x)
{
    if (fabs(x) > RKD_PHI_CUT) return 0.0;    /* underflows: avoids inf*0 from x*x */
    double h = x * x, hl = prod_err_d(x, x, h);
    double e = exp(-0.5 * h);
    return x * (e * (1.0 - 0.5 * hl) * RKD_INV_SQRT_2PI);
}

/* gelu_tanh's u = sqrt(2/pi)*(x + c*x^3), c = 0.044715, returned as u + *ul
 * (double-double; 1+tanh(u) = 2*sigmoid(2u) has condition number ~2|u|, up to
 * ~745 before underflow).  Needs |x| <= 1e10 (x^3 finite). */
static double gelu_tanh_u_d(double x, double *ul)
{
    double x2 = x * x, x2l = prod_err_d(x, x, x2);
    double x3 = x2 * x, x3l = prod_err_d(x2, x, x3) + x2l * x;
    double a = RKD_GT_C_HI * x3;
    double al = prod_err_d(RKD_GT_C_HI, x3, a) + RKD_GT_C_HI * x3l + RKD_GT_C_LO * x3;
    double s = x + a, sl = sum_err_d(x, a, s) + al;
    double u = RKD_SQRT_2_OVER_PI_HI * s;
    *ul = prod_err_d(RKD_SQRT_2_OVER_PI_HI, s, u) + RKD_SQRT_2_OVER_PI_HI * sl
          + RKD_SQRT_2_OVER_PI_LO * s;
    return u;
}

/* t = tanh(softplus(x)) = tanh(log1p(e^x)) and *omt = 1 - t, both without cancellation:
 * x > 0, w = e^-x:  t = (1+2w)/(1+2w+2w^2),   1-t = 2w^2/(1+2w+2w^2);
 * x <= 0, u = e^x:  t = u(u+2)/(u(u+2)+2),    1-t = 2/(u(u+2)+2).   x finite. */
static double mish_t_d(double x, double *omt)
{
    if (x > 0) {
        double w = exp(-x), d = 1.0 + 2.0 * w + 2.0 * w * w;
        *omt = 2.0 * w * w / d;
        return (1.0 + 2.0 * w) / d;
    }
    double u = exp(x), n = u * (u + 2.0);
    *omt = 2.0 / (n + 2.0);
    return n / (n + 2.0);
}

/* relu: x < 0 ? 0 : x */
double rk_ref_relu(double x, double g, double pa, double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x < 0 ? 0.0 : x;
}

/* relu_bwd: x > 0 ? g : 0 */
double rk_ref_relu_bwd(double x, double g, double pa, double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x > 0 ? g : 0.0;
}

/* relu6: x < 0 ? 0 : (x > 6 ? 6 : x) */
double rk_ref_relu6(double x, double g, double pa, double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x < 0 ? 0.0 : (x > 6 ? 6.0 : x);
}

/* relu6_bwd: 0 < x < 6 ? g : 0 */
double rk_ref_relu6_bwd(double x, double g, double pa, double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    return (x > 0 && x < 6) ? g : 0.0;
}

/* hardtanh(lo=pa, hi=pb): x < lo ? lo : (x > hi ? hi : x) */
double rk_ref_hardtanh(double x, double g, double lo, double hi)
{
    (void)g;
    if (isnan(x)) return x;
    return x < lo ? lo : (x > hi ? hi : x);
}

/* hardtanh_bwd(lo=pa, hi=pb): lo < x < hi ? g : 0 */
double rk_ref_hardtanh_bwd(double x, double g, double lo, double hi)
{
    if (isnan(x)) return x;
    return (x > lo && x < hi) ? g : 0.0;
}

/* threshold(th=pa, value=pb): x <= th ? value : x */
double rk_ref_threshold(double x, double g, double th, double value)
{
    (void)g;
    if (isnan(x)) return x;
    return x <= th ? value : x;
}

/* threshold_bwd(th=pa): x > th ? g : 0 */
double rk_ref_threshold_bwd(double x, double g, double th, double pb)
{
    (void)pb;
    if (isnan(x)) return x;
    return x > th ? g : 0.0;
}

/* leaky_relu(slope=pa): x < 0 ? x*slope : x   (slope 0 at -inf: the limit -0, not -inf*0) */
double rk_ref_leaky_relu(double x, double g, double slope, double pb)
{
    (void)g; (void)pb;
    if (isnan(x)) return x;
    if (x == -INFINITY && slope == 0) return -slope;
    return x < 0 ? x * slope : x;
}

/* leaky_relu_bwd(slope=pa): x > 0 ? g : g*slope */
double rk_ref_leaky_relu_bwd(double x, double g, double slope, double pb)
{
    (void)pb;
    if (isnan(x)) return x;
    return x > 0 ? g : g * slope;
}

/* hardsigmoid: x <= -3 ? 0 : (x >= 3 ? 1 : (x+3)/6) */
double rk_ref_hardsigmoid(double x, double g, double pa, double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x <= -3 ? 0.0 : (x >= 3 ? 1.0 : (x + 3) / 6);
}

/* hardsigmoid_bwd: -3 < x < 3 ? g/6 : 0 */
double rk_ref_hardsigmoid_bwd(double x, double g, double pa, double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    return (x > -3 && x < 3) ? g / 6 : 0.0;
}

/* hardswish: x <= -3 ? -0 : (x >= 3 ? x : x*(x+3)/6) */
double rk_ref_hardswish(double x, double g, double pa, double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x <= -3 ? -0.0 : (x >= 3 ? x : x * (x + 3) / 6);
}

/* hardswish_bwd: x <= -3 ? 0 : (x >= 3 ? g : g*(2x+3)/6) */
double rk_ref_hardswish_bwd(double x, double g, double pa, double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x <= -3 ? 0.0 : (x >= 3 ? g : g * ((2 * x + 3) / 6));
}

/* elu(alpha=pa): x > 0 ? x : alpha*expm1(x) */
double rk_ref_elu(double x, double g, double alpha, double pb)
{
    (void)g; (void)pb;
    if (isnan(x)) return x;
    return x > 0 ? x : alpha * expm1(x);
}

/* elu_bwd(alpha=pa): x > 0 ? g : g*alpha*exp(x) */
double rk_ref_elu_bwd(double x, double g, double alpha, double pb)
{
    (void)pb;
    if (isnan(x)) return x;
    return x > 0 ? g : g * (alpha * exp(x));
}

/* celu(alpha=pa): x > 0 ? x : alpha*expm1(x/alpha)   (expm1's condition is <= 1 here) */
double rk_ref_celu(double x, double g, double alpha, double pb)
{
    (void)g; (void)pb;
    if (isnan(x)) return x;
    return x > 0 ? x : alpha * expm1(x / alpha);
}

/* celu_bwd(alpha=pa): x > 0 ? g : g*exp(x/alpha)   (x/alpha carried as q + ql) */
double rk_ref_celu_bwd(double x, double g, double alpha, double pb)
{
    (void)pb;
    if (isnan(x)) return x;
    if (x > 0) return g;
    double q = x / alpha, e = exp(q);
    if (isfinite(q)) e += e * (fma(-q, alpha, x) / alpha);   /* ql = (x - q*alpha)/alpha */
    return g * e;
}

/* selu: scale*(x > 0 ? x : alpha*expm1(x)) */
double rk_ref_selu(double x, double g, double pa, double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x > 0 ? RKD_SELU_SCALE * x : RKD_SELU_SCALE_ALPHA * expm1(x);
}

/* selu_bwd: x > 0 ? g*scale : g*scale*alpha*exp(x) */
double rk_ref_selu_bwd(double x, double g, double pa, double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x > 0 ? g * RKD_SELU_SCALE : g * (RKD_SELU_SCALE_ALPHA * exp(x));
}

/* silu: x*sigmoid(x) */
double rk_ref_silu(double x, double g, double pa, double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x == -INFINITY) return -0.0;
    return x * sigmoid_d(x);
}

/* silu_bwd: g*s*(1 + x*(1-s)), s = sigmoid(x), 1-s = sigmoid(-x);  for x < 0 as
 * z (1 + x + z) / (1 + z)^2, z = e^x: 1 + x is exact, so near the zero (-1.278...)
 * only z's rounding is amplified by the cancellation, not that of x (1 - s) */
double rk_ref_silu_bwd(double x, double g, double pa, double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x == INFINITY) return g;
    if (x == -INFINITY) return g * 0.0;
    if (x < 0) {
        double z = exp(x), d = 1.0 + z;
        return g * (z * ((1.0 + x) + z) / (d * d));
    }
    double s = sigmoid_d(x), oms = sigmoid_d(-x);
    return g * (s * (1.0 + x * oms));
}

/* softplus(beta=pa, th=pb): x*beta > th ? x : log(1+e^(beta*x))/beta   (beta*x carried as z + zl) */
double rk_ref_softplus(double x, double g, double beta, double th)
{
    (void)g;
    if (isnan(x)) return x;
    if (x * beta > th) return x;
    double z = beta * x, r = log1pexp_d(z);
    if (isfinite(z)) r += prod_err_d(beta, x, z) * sigmoid_d(z);   /* + zl * d/dz */
    return r / beta;
}

/* softplus_bwd(beta=pa, th=pb): x*beta > th ? g : g*sigmoid(beta*x)   (beta*x as z + zl) */
double rk_ref_softplus_bwd(double x, double g, double beta, double th)
{
    if (isnan(x)) return x;
    if (x * beta > th) return g;
    double z = beta * x, s = sigmoid_d(z);
    if (isfinite(z)) s += prod_err_d(beta, x, z) * (s * sigmoid_d(-z));   /* + zl * d/dz */
    return g * s;
}

/* mish: x*tanh(softplus(x)) */
double rk_ref_mish(double x, double g, double pa, double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x == INFINITY) return x;
    if (x == -INFINITY) return -0.0;
    double omt, t = mish_t_d(x, &omt);
    return x * t;
}

/* mish_bwd: g*(t + x*s*(1-t^2)), t = tanh(softplus(x)), s = sigmoid(x), 1-t^2 = (1-t)(1+t) */
double rk_ref_mish_bwd(double x, double g, double pa, double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x == INFINITY) return g;
    if (x == -INFINITY) return g * 0.0;
    double omt, t = mish_t_d(x, &omt), s = sigmoid_d(x);
    double d = t + x * s * (omt * (1.0 + t));
    if (d == 0 && x < -1) d = -0.0;   /* underflowed: mish' < 0 there, keep its sign */
    return g * d;
}

/* gelu: 0.5*x*erfc(-x/sqrt(2)) */
double rk_ref_gelu(double x, double g, double pa, double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x == INFINITY) return x;
    if (x == -INFINITY) return -0.0;
    return 0.5 * x * erfc_neg_x_over_sqrt2_d(x);
}

/* gelu_bwd: g*(0.5*erfc(-x/sqrt2) + x*exp(-x^2/2)/sqrt(2*pi)) */
double rk_ref_gelu_bwd(double x, double g, double pa, double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x == INFINITY) return g;
    if (x == -INFINITY) return g * 0.0;
    double d = 0.5 * erfc_neg_x_over_sqrt2_d(x) + x_phi_d(x);
    if (d == 0 && x < -1) d = -0.0;   /* underflowed: gelu' < 0 there, keep its sign */
    return g * d;
}

/* gelu_tanh: 0.5*x*(1 + tanh(u)) = x*sigmoid(2u), u = sqrt(2/pi)*(x + 0.044715*x^3) */
double rk_ref_gelu_tanh(double x, double g, double pa, double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x > 1e10) return x;      /* sigmoid(2u) rounds to 1 (already for x > 10) */
    if (x < -1e10) return -0.0; /* sigmoid(2u) underflows to 0 (already for x < -60) */
    double ul, u = gelu_tanh_u_d(x, &ul);
    double s = sigmoid_d(2 * u), oms = sigmoid_d(-2 * u);
    s += 2 * ul * (s * oms);       /* sigmoid(2(u+ul)) to first order */
    return x * s;
}

/* gelu_tanh_bwd: g*(0.5*(1+t) + 0.5*x*(1-t^2)*k*(1 + 3c*x^2)), t = tanh(u);
 * with s = sigmoid(2u): 0.5*(1+t) = s, 0.5*(1-t^2) = 2*s*(1-s), 1-s = sigmoid(-2u) */
double rk_ref_gelu_tanh_bwd(double x, double g, double pa, double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x > 1e10) return g;
    if (x == -INFINITY) return g * 0.0;   /* the limit, +0 (as every op's at -inf) */
    if (x < -1e10) return g * -0.0;
    double ul, u = gelu_tanh_u_d(x, &ul);
    double s = sigmoid_d(2 * u), oms = sigmoid_d(-2 * u), d = 2 * ul * (s * oms);
    s += d;                        /* sigmoid(+-2(u+ul)) to first order */
    oms -= d;
    double dudx = RKD_SQRT_2_OVER_PI_HI * (1.0 + 3.0 * RKD_GT_C_HI * (x * x));
    double dd = s + 2.0 * x * (s * oms) * dudx;
    if (dd == 0 && x < -1) dd = -0.0;   /* underflowed: the derivative is < 0 there */
    return g * dd;
}

/* ======================================================================== */
/* long double                                                              */
/* ======================================================================== */

/* sigmoid(x) = 1/(1+e^-x), never forming e^|x|: full relative accuracy, no overflow */
static long double sigmoid_l(long double x)
{
    if (x >= 0) return 1.0L / (1.0L + expl(-x));
    long double e = expl(x);
    return e / (1.0L + e);
}

/* log(1+e^z), stable for all z (z > 0: z + log1p(e^-z)) */
static long double log1pexp_l(long double z)
{
    return z > 0 ? z + log1pl(expl(-z)) : log1pl(expl(z));
}

/* a*b - p exactly, where p = a*b rounded (finite, no underflow) */
static long double prod_err_l(long double a, long double b, long double p)
{
    return fmal(a, b, -p);
}

/* a+b - s exactly, where s = a+b rounded (Knuth's two-sum) */
static long double sum_err_l(long double a, long double b, long double s)
{
    long double bb = s - a;
    return (a - (s - bb)) + (b - bb);
}

/* t = -x/sqrt(2) is carried as t + tl: erfc's relative condition number is ~2t^2
 * (~23000 in gelu's negative tail), so a rounded t alone would cost ~1e4 ulp.
 * Returns erfc(-x/sqrt2) = 2*Phi(x), x finite. */
static long double erfc_neg_x_over_sqrt2_l(long double x)
{
    long double p = x * RKL_INV_SQRT2_HI;
    long double t = -p;
    long double tl = -(prod_err_l(x, RKL_INV_SQRT2_HI, p) + x * RKL_INV_SQRT2_LO);
    /* erfc(t + tl) = erfc(t) - tl * 2/sqrt(pi) * exp(-t^2) + O(tl^2) */
    return erfcl(t) - tl * RKL_2_OVER_SQRTPI * expl(-t * t);
}

/* x * phi(x) = x * exp(-x^2/2)/sqrt(2*pi), with x^2 carried as h + hl
 * (exp's condition number is x^2/2, up to ~11400 before underflow) */
static long double x_phi_l(long double x)
{
    if (fabsl(x) > RKL_PHI_CUT) return 0.0L;    /* underflows: avoids inf*0 from x*x */
    long double h = x * x, hl = prod_err_l(x, x, h);
    long double e = expl(-0.5L * h);
    return x * (e * (1.0L - 0.5L * hl) * RKL_INV_SQRT_2PI);
}

/* gelu_tanh's u = sqrt(2/pi)*(x + c*x^3), c = 0.044715, returned as u + *ul
 * (as a pair of long doubles; 1+tanh(u) = 2*sigmoid(2u) has condition number ~2|u|,
 * up to ~11400 before underflow).  Needs |x| <= 1e10 (x^3 finite). */
static long double gelu_tanh_u_l(long double x, long double *ul)
{
    long double x2 = x * x, x2l = prod_err_l(x, x, x2);
    long double x3 = x2 * x, x3l = prod_err_l(x2, x, x3) + x2l * x;
    long double a = RKL_GT_C_HI * x3;
    long double al = prod_err_l(RKL_GT_C_HI, x3, a) + RKL_GT_C_HI * x3l + RKL_GT_C_LO * x3;
    long double s = x + a, sl = sum_err_l(x, a, s) + al;
    long double u = RKL_SQRT_2_OVER_PI_HI * s;
    *ul = prod_err_l(RKL_SQRT_2_OVER_PI_HI, s, u) + RKL_SQRT_2_OVER_PI_HI * sl
          + RKL_SQRT_2_OVER_PI_LO * s;
    return u;
}

/* t = tanh(softplus(x)) = tanh(log1p(e^x)) and *omt = 1 - t, both without cancellation:
 * x > 0, w = e^-x:  t = (1+2w)/(1+2w+2w^2),   1-t = 2w^2/(1+2w+2w^2);
 * x <= 0, u = e^x:  t = u(u+2)/(u(u+2)+2),    1-t = 2/(u(u+2)+2).   x finite. */
static long double mish_t_l(long double x, long double *omt)
{
    if (x > 0) {
        long double w = expl(-x), d = 1.0L + 2.0L * w + 2.0L * w * w;
        *omt = 2.0L * w * w / d;
        return (1.0L + 2.0L * w) / d;
    }
    long double u = expl(x), n = u * (u + 2.0L);
    *omt = 2.0L / (n + 2.0L);
    return n / (n + 2.0L);
}

/* relu: x < 0 ? 0 : x */
long double rk_refl_relu(long double x, long double g, long double pa, long double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x < 0 ? 0.0L : x;
}

/* relu_bwd: x > 0 ? g : 0 */
long double rk_refl_relu_bwd(long double x, long double g, long double pa, long double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x > 0 ? g : 0.0L;
}

/* relu6: x < 0 ? 0 : (x > 6 ? 6 : x) */
long double rk_refl_relu6(long double x, long double g, long double pa, long double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x < 0 ? 0.0L : (x > 6 ? 6.0L : x);
}

/* relu6_bwd: 0 < x < 6 ? g : 0 */
long double rk_refl_relu6_bwd(long double x, long double g, long double pa, long double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    return (x > 0 && x < 6) ? g : 0.0L;
}

/* hardtanh(lo=pa, hi=pb): x < lo ? lo : (x > hi ? hi : x) */
long double rk_refl_hardtanh(long double x, long double g, long double lo, long double hi)
{
    (void)g;
    if (isnan(x)) return x;
    return x < lo ? lo : (x > hi ? hi : x);
}

/* hardtanh_bwd(lo=pa, hi=pb): lo < x < hi ? g : 0 */
long double rk_refl_hardtanh_bwd(long double x, long double g, long double lo, long double hi)
{
    if (isnan(x)) return x;
    return (x > lo && x < hi) ? g : 0.0L;
}

/* threshold(th=pa, value=pb): x <= th ? value : x */
long double rk_refl_threshold(long double x, long double g, long double th, long double value)
{
    (void)g;
    if (isnan(x)) return x;
    return x <= th ? value : x;
}

/* threshold_bwd(th=pa): x > th ? g : 0 */
long double rk_refl_threshold_bwd(long double x, long double g, long double th, long double pb)
{
    (void)pb;
    if (isnan(x)) return x;
    return x > th ? g : 0.0L;
}

/* leaky_relu(slope=pa): x < 0 ? x*slope : x   (slope 0 at -inf: the limit -0, not -inf*0) */
long double rk_refl_leaky_relu(long double x, long double g, long double slope, long double pb)
{
    (void)g; (void)pb;
    if (isnan(x)) return x;
    if (x == -INFINITY && slope == 0) return -slope;
    return x < 0 ? x * slope : x;
}

/* leaky_relu_bwd(slope=pa): x > 0 ? g : g*slope */
long double rk_refl_leaky_relu_bwd(long double x, long double g, long double slope, long double pb)
{
    (void)pb;
    if (isnan(x)) return x;
    return x > 0 ? g : g * slope;
}

/* hardsigmoid: x <= -3 ? 0 : (x >= 3 ? 1 : (x+3)/6) */
long double rk_refl_hardsigmoid(long double x, long double g, long double pa, long double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x <= -3 ? 0.0L : (x >= 3 ? 1.0L : (x + 3) / 6);
}

/* hardsigmoid_bwd: -3 < x < 3 ? g/6 : 0 */
long double rk_refl_hardsigmoid_bwd(long double x, long double g, long double pa, long double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    return (x > -3 && x < 3) ? g / 6 : 0.0L;
}

/* hardswish: x <= -3 ? -0 : (x >= 3 ? x : x*(x+3)/6) */
long double rk_refl_hardswish(long double x, long double g, long double pa, long double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x <= -3 ? -0.0L : (x >= 3 ? x : x * (x + 3) / 6);
}

/* hardswish_bwd: x <= -3 ? 0 : (x >= 3 ? g : g*(2x+3)/6) */
long double rk_refl_hardswish_bwd(long double x, long double g, long double pa, long double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x <= -3 ? 0.0L : (x >= 3 ? g : g * ((2 * x + 3) / 6));
}

/* elu(alpha=pa): x > 0 ? x : alpha*expm1(x) */
long double rk_refl_elu(long double x, long double g, long double alpha, long double pb)
{
    (void)g; (void)pb;
    if (isnan(x)) return x;
    return x > 0 ? x : alpha * expm1l(x);
}

/* elu_bwd(alpha=pa): x > 0 ? g : g*alpha*exp(x) */
long double rk_refl_elu_bwd(long double x, long double g, long double alpha, long double pb)
{
    (void)pb;
    if (isnan(x)) return x;
    return x > 0 ? g : g * (alpha * expl(x));
}

/* celu(alpha=pa): x > 0 ? x : alpha*expm1(x/alpha)   (expm1's condition is <= 1 here) */
long double rk_refl_celu(long double x, long double g, long double alpha, long double pb)
{
    (void)g; (void)pb;
    if (isnan(x)) return x;
    return x > 0 ? x : alpha * expm1l(x / alpha);
}

/* celu_bwd(alpha=pa): x > 0 ? g : g*exp(x/alpha)   (x/alpha carried as q + ql) */
long double rk_refl_celu_bwd(long double x, long double g, long double alpha, long double pb)
{
    (void)pb;
    if (isnan(x)) return x;
    if (x > 0) return g;
    long double q = x / alpha, e = expl(q);
    if (isfinite(q)) e += e * (fmal(-q, alpha, x) / alpha);   /* ql = (x - q*alpha)/alpha */
    return g * e;
}

/* selu: scale*(x > 0 ? x : alpha*expm1(x)) */
long double rk_refl_selu(long double x, long double g, long double pa, long double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x > 0 ? RKL_SELU_SCALE * x : RKL_SELU_SCALE_ALPHA * expm1l(x);
}

/* selu_bwd: x > 0 ? g*scale : g*scale*alpha*exp(x) */
long double rk_refl_selu_bwd(long double x, long double g, long double pa, long double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    return x > 0 ? g * RKL_SELU_SCALE : g * (RKL_SELU_SCALE_ALPHA * expl(x));
}

/* silu: x*sigmoid(x) */
long double rk_refl_silu(long double x, long double g, long double pa, long double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x == -INFINITY) return -0.0L;
    return x * sigmoid_l(x);
}

/* silu_bwd: g*s*(1 + x*(1-s)), s = sigmoid(x), 1-s = sigmoid(-x);  x < 0: as the
 * double version, z (1 + x + z) / (1 + z)^2 */
long double rk_refl_silu_bwd(long double x, long double g, long double pa, long double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x == INFINITY) return g;
    if (x == -INFINITY) return g * 0.0L;
    if (x < 0) {
        long double z = expl(x), d = 1.0L + z;
        return g * (z * ((1.0L + x) + z) / (d * d));
    }
    long double s = sigmoid_l(x), oms = sigmoid_l(-x);
    return g * (s * (1.0L + x * oms));
}

/* softplus(beta=pa, th=pb): x*beta > th ? x : log(1+e^(beta*x))/beta   (beta*x carried as z + zl) */
long double rk_refl_softplus(long double x, long double g, long double beta, long double th)
{
    (void)g;
    if (isnan(x)) return x;
    if (x * beta > th) return x;
    long double z = beta * x, r = log1pexp_l(z);
    if (isfinite(z)) r += prod_err_l(beta, x, z) * sigmoid_l(z);   /* + zl * d/dz */
    return r / beta;
}

/* softplus_bwd(beta=pa, th=pb): x*beta > th ? g : g*sigmoid(beta*x)   (beta*x as z + zl) */
long double rk_refl_softplus_bwd(long double x, long double g, long double beta, long double th)
{
    if (isnan(x)) return x;
    if (x * beta > th) return g;
    long double z = beta * x, s = sigmoid_l(z);
    if (isfinite(z)) s += prod_err_l(beta, x, z) * (s * sigmoid_l(-z));   /* + zl * d/dz */
    return g * s;
}

/* mish: x*tanh(softplus(x)) */
long double rk_refl_mish(long double x, long double g, long double pa, long double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x == INFINITY) return x;
    if (x == -INFINITY) return -0.0L;
    long double omt, t = mish_t_l(x, &omt);
    return x * t;
}

/* mish_bwd: g*(t + x*s*(1-t^2)), t = tanh(softplus(x)), s = sigmoid(x), 1-t^2 = (1-t)(1+t) */
long double rk_refl_mish_bwd(long double x, long double g, long double pa, long double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x == INFINITY) return g;
    if (x == -INFINITY) return g * 0.0L;
    long double omt, t = mish_t_l(x, &omt), s = sigmoid_l(x);
    long double d = t + x * s * (omt * (1.0L + t));
    if (d == 0 && x < -1) d = -0.0L;   /* underflowed: mish' < 0 there, keep its sign */
    return g * d;
}

/* gelu: 0.5*x*erfc(-x/sqrt(2)) */
long double rk_refl_gelu(long double x, long double g, long double pa, long double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x == INFINITY) return x;
    if (x == -INFINITY) return -0.0L;
    return 0.5L * x * erfc_neg_x_over_sqrt2_l(x);
}

/* gelu_bwd: g*(0.5*erfc(-x/sqrt2) + x*exp(-x^2/2)/sqrt(2*pi)) */
long double rk_refl_gelu_bwd(long double x, long double g, long double pa, long double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x == INFINITY) return g;
    if (x == -INFINITY) return g * 0.0L;
    long double d = 0.5L * erfc_neg_x_over_sqrt2_l(x) + x_phi_l(x);
    if (d == 0 && x < -1) d = -0.0L;   /* underflowed: gelu' < 0 there, keep its sign */
    return g * d;
}

/* gelu_tanh: 0.5*x*(1 + tanh(u)) = x*sigmoid(2u), u = sqrt(2/pi)*(x + 0.044715*x^3) */
long double rk_refl_gelu_tanh(long double x, long double g, long double pa, long double pb)
{
    (void)g; (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x > 1e10L) return x;      /* sigmoid(2u) rounds to 1 (already for x > 10) */
    if (x < -1e10L) return -0.0L; /* sigmoid(2u) underflows to 0 (already for x < -60) */
    long double ul, u = gelu_tanh_u_l(x, &ul);
    long double s = sigmoid_l(2 * u), oms = sigmoid_l(-2 * u);
    s += 2 * ul * (s * oms);       /* sigmoid(2(u+ul)) to first order */
    return x * s;
}

/* gelu_tanh_bwd: g*(0.5*(1+t) + 0.5*x*(1-t^2)*k*(1 + 3c*x^2)), t = tanh(u);
 * with s = sigmoid(2u): 0.5*(1+t) = s, 0.5*(1-t^2) = 2*s*(1-s), 1-s = sigmoid(-2u) */
long double rk_refl_gelu_tanh_bwd(long double x, long double g, long double pa, long double pb)
{
    (void)pa; (void)pb;
    if (isnan(x)) return x;
    if (x > 1e10L) return g;
    if (x == -INFINITY) return g * 0.0L;
    if (x < -1e10L) return g * -0.0L;
    long double ul, u = gelu_tanh_u_l(x, &ul);
    long double s = sigmoid_l(2 * u), oms = sigmoid_l(-2 * u), d = 2 * ul * (s * oms);
    s += d;                        /* sigmoid(+-2(u+ul)) to first order */
    oms -= d;
    long double dudx = RKL_SQRT_2_OVER_PI_HI * (1.0L + 3.0L * RKL_GT_C_HI * (x * x));
    long double dd = s + 2.0L * x * (s * oms) * dudx;
    if (dd == 0 && x < -1) dd = -0.0L;   /* underflowed: the derivative is < 0 there */
    return g * dd;
}

/* ======================================================================== */
/* table                                                                    */
/* ======================================================================== */

#define RK_REF_ENTRY(op) { #op, rk_ref_##op, rk_refl_##op, NULL, NULL }
#define RK_REF_ENTRY2(op) { #op, rk_ref_##op##_ga, rk_refl_##op##_ga, rk_ref_##op##_gb, rk_refl_##op##_gb }


/* ---- backward from the forward's output y (where that is exact) ---- */
/* elu_bwd_y(alpha): y > 0 ? g : g*(y + alpha) */
double rk_ref_elu_bwd_y(double y, double g, double a, double pb)
{ (void)pb; if (isnan(y)) return y; return y > 0 ? g : g * (y + a); }
long double rk_refl_elu_bwd_y(long double y, long double g, long double a, long double pb)
{ (void)pb; if (isnan(y)) return y; return y > 0 ? g : g * (y + a); }
/* celu_bwd_y(alpha): y > 0 ? g : g*(y/alpha + 1), as (y + alpha)/alpha: y + alpha is
 * exact where it cancels (y near -alpha, Sterbenz), y/alpha would be rounded first */
double rk_ref_celu_bwd_y(double y, double g, double a, double pb)
{ (void)pb; if (isnan(y)) return y; return y > 0 ? g : g * ((y + a) / a); }
long double rk_refl_celu_bwd_y(long double y, long double g, long double a, long double pb)
{ (void)pb; if (isnan(y)) return y; return y > 0 ? g : g * ((y + a) / a); }
/* selu_bwd_y: y > 0 ? g*scale : g*(y + scale*alpha) */
double rk_ref_selu_bwd_y(double y, double g, double pa, double pb)
{
    (void)pa; (void)pb;
    if (isnan(y)) return y;
    return (double)rk_refl_selu_bwd_y(y, g, 0, 0);
}
long double rk_refl_selu_bwd_y(long double y, long double g, long double pa, long double pb)
{
    (void)pa; (void)pb;
    if (isnan(y)) return y;
    /* y + scale*alpha with the constant as hi + lo + lo2: y + hi is exact where it cancels */
    return y > 0 ? g * RKL_SELU_SCALE
                 : g * (((y + (long double)RKD_SELU_SA_HI) + (long double)RKD_SELU_SA_LO)
                        + (long double)RKD_SELU_SA_LO2);
}
/* softplus_bwd_y(beta, th): y*beta > th ? g : g*(1 - exp(-beta*y)) */
double rk_ref_softplus_bwd_y(double y, double g, double b, double th)
{
    if (isnan(y)) return y;
    return (double)rk_refl_softplus_bwd_y(y, g, b, th);
}
long double rk_refl_softplus_bwd_y(long double y, long double g, long double b, long double th)
{
    if (isnan(y)) return y;
    if (y * b > th) return g;
    return g * -expm1l(-b * y);
}
/* hardsigmoid_bwd_y: 0 < y < 1 ? g/6 : 0 */
double rk_ref_hardsigmoid_bwd_y(double y, double g, double pa, double pb)
{ (void)pa; (void)pb; if (isnan(y)) return y; return (y > 0 && y < 1) ? g / 6 : 0.0; }
long double rk_refl_hardsigmoid_bwd_y(long double y, long double g, long double pa, long double pb)
{ (void)pa; (void)pb; if (isnan(y)) return y; return (y > 0 && y < 1) ? g / 6 : 0.0L; }


/* ---- the gated family: act(a) * b (glu: a * sigmoid(b)) and both gradients ----
 * Forward: f(b, a, ., .) (the loop's x slot holds b, its g slot a).
 * Backward: ga = f(a, g, b, .), gb = f2(a, g, b, .).  g*b is formed in the
 * reference's precision (exact for float32 operands in double) and passed to the
 * activation's derivative as its gradient, with the same convention for an
 * infinite g*b times a derivative too small to represent (refloops.c). */
/* act(a) (silu, gelu, gelu_tanh) has the sign of a and is nonzero for every finite
 * a != 0: times an infinite b it is an infinity even where act(a) underflows here */
#define RK_GATED_REF(T, SFX, op, ACT)                                                \
    T rk_##SFX##_##op(T b, T a, T pa, T pb)                                         \
    {                                                                                \
        (void)pa; (void)pb;                                                          \
        if (isinf(b) && isfinite(a) && a != 0) return b * copysign((T)1, a);        \
        return ACT(a, (T)0, (T)0, (T)0) * b;                                         \
    }
#define RK_GATED_REF_BWD(T, SFX, op, ACT, DACT)                                      \
    T rk_##SFX##_##op##_bwd_ga(T a, T g, T b, T pb)                                 \
    {                                                                                \
        (void)pb;                                                                    \
        T gb_ = g * b, y = DACT(a, gb_, (T)0, (T)0);                                 \
        if (isnan(y) && !isnan(a) && isinf(gb_)) {                                   \
            T d1 = DACT(a, (T)1, (T)0, (T)0);                                        \
            if (!isnan(d1)) y = gb_ * (d1 == 0 ? copysign((T)1, d1) : d1);           \
        }                                                                            \
        return y;                                                                    \
    }                                                                                \
    T rk_##SFX##_##op##_bwd_gb(T a, T g, T b, T pb)                                 \
    { (void)b; (void)pb; return rk_##SFX##_##op(g, a, 0, 0); }
RK_GATED_REF(double, ref, swiglu, rk_ref_silu)
RK_GATED_REF(long double, refl, swiglu, rk_refl_silu)
RK_GATED_REF_BWD(double, ref, swiglu, rk_ref_silu, rk_ref_silu_bwd)
RK_GATED_REF_BWD(long double, refl, swiglu, rk_refl_silu, rk_refl_silu_bwd)
RK_GATED_REF(double, ref, geglu, rk_ref_gelu)
RK_GATED_REF(long double, refl, geglu, rk_refl_gelu)
RK_GATED_REF_BWD(double, ref, geglu, rk_ref_gelu, rk_ref_gelu_bwd)
RK_GATED_REF_BWD(long double, refl, geglu, rk_refl_gelu, rk_refl_gelu_bwd)
RK_GATED_REF(double, ref, geglu_tanh, rk_ref_gelu_tanh)
RK_GATED_REF(long double, refl, geglu_tanh, rk_refl_gelu_tanh)
RK_GATED_REF_BWD(double, ref, geglu_tanh, rk_ref_gelu_tanh, rk_ref_gelu_tanh_bwd)
RK_GATED_REF_BWD(long double, refl, geglu_tanh, rk_refl_gelu_tanh, rk_refl_gelu_tanh_bwd)
double rk_ref_reglu(double b, double a, double pa, double pb)
{ (void)pa; (void)pb; return rk_ref_relu(a, 0, 0, 0) * b; }
long double rk_refl_reglu(long double b, long double a, long double pa, long double pb)
{ (void)pa; (void)pb; return rk_refl_relu(a, 0, 0, 0) * b; }
/* reglu': a > 0 ? g b : 0 (relu'(0) = 0; NaN a -> NaN), grad_b = g relu(a) */
double rk_ref_reglu_bwd_ga(double a, double g, double b, double pb)
{ (void)pb; if (isnan(a)) return a; return a > 0 ? g * b : 0.0; }
long double rk_refl_reglu_bwd_ga(long double a, long double g, long double b, long double pb)
{ (void)pb; if (isnan(a)) return a; return a > 0 ? g * b : 0.0L; }
double rk_ref_reglu_bwd_gb(double a, double g, double b, double pb)
{ (void)b; (void)pb; return g * rk_ref_relu(a, 0, 0, 0); }
long double rk_refl_reglu_bwd_gb(long double a, long double g, long double b, long double pb)
{ (void)b; (void)pb; return g * rk_refl_relu(a, 0, 0, 0); }
/* glu (torch's): a sigmoid(b);  ga = g sigmoid(b), gb = g a sigmoid(b) sigmoid(-b).
 * sigmoid(b) > 0 for b > -inf and sigmoid'(b) > 0 for finite b: an infinite factor
 * gives an infinity even where they underflow here */
#define RK_GLU_REF(T, SFX, SIG)                                                      \
    T rk_##SFX##_glu(T b, T a, T pa, T pb)                                          \
    {                                                                                \
        (void)pa; (void)pb;                                                          \
        if (isinf(a) && b > -INFINITY) return a;                                     \
        return a * SIG(b);                                                           \
    }                                                                                \
    T rk_##SFX##_glu_bwd_ga(T a, T g, T b, T pb)                                    \
    {                                                                                \
        (void)a; (void)pb;                                                           \
        if (isinf(g) && b > -INFINITY) return g;                                     \
        return g * SIG(b);                                                           \
    }                                                                                \
    T rk_##SFX##_glu_bwd_gb(T a, T g, T b, T pb)                                    \
    {                                                                                \
        (void)pb;                                                                    \
        if ((isinf(g) || isinf(a)) && isfinite(b)) return g * a;                     \
        return (g * a) * (SIG(b) * SIG(-b));                                         \
    }
RK_GLU_REF(double, ref, sigmoid_d)
RK_GLU_REF(long double, refl, sigmoid_l)

const rk_ref_entry rk_ref_table[] = {
    RK_REF_ENTRY(elu_bwd_y),     RK_REF_ENTRY(celu_bwd_y),
    RK_REF_ENTRY(selu_bwd_y),    RK_REF_ENTRY(softplus_bwd_y),
    RK_REF_ENTRY(hardsigmoid_bwd_y),
    RK_REF_ENTRY(relu),          RK_REF_ENTRY(relu_bwd),
    RK_REF_ENTRY(relu6),         RK_REF_ENTRY(relu6_bwd),
    RK_REF_ENTRY(hardtanh),      RK_REF_ENTRY(hardtanh_bwd),
    RK_REF_ENTRY(threshold),     RK_REF_ENTRY(threshold_bwd),
    RK_REF_ENTRY(leaky_relu),    RK_REF_ENTRY(leaky_relu_bwd),
    RK_REF_ENTRY(hardsigmoid),   RK_REF_ENTRY(hardsigmoid_bwd),
    RK_REF_ENTRY(hardswish),     RK_REF_ENTRY(hardswish_bwd),
    RK_REF_ENTRY(elu),           RK_REF_ENTRY(elu_bwd),
    RK_REF_ENTRY(celu),          RK_REF_ENTRY(celu_bwd),
    RK_REF_ENTRY(selu),          RK_REF_ENTRY(selu_bwd),
    RK_REF_ENTRY(silu),          RK_REF_ENTRY(silu_bwd),
    RK_REF_ENTRY(softplus),      RK_REF_ENTRY(softplus_bwd),
    RK_REF_ENTRY(mish),          RK_REF_ENTRY(mish_bwd),
    RK_REF_ENTRY(gelu),          RK_REF_ENTRY(gelu_bwd),
    RK_REF_ENTRY(gelu_tanh),     RK_REF_ENTRY(gelu_tanh_bwd),
    RK_REF_ENTRY(glu),           RK_REF_ENTRY2(glu_bwd),
    RK_REF_ENTRY(reglu),         RK_REF_ENTRY2(reglu_bwd),
    RK_REF_ENTRY(geglu),         RK_REF_ENTRY2(geglu_bwd),
    RK_REF_ENTRY(geglu_tanh),    RK_REF_ENTRY2(geglu_tanh_bwd),
    RK_REF_ENTRY(swiglu),        RK_REF_ENTRY2(swiglu_bwd),
    { NULL, NULL, NULL, NULL, NULL }
};

/* the zeros of the derivatives (mpmath.findroot at 60 digits, rounded to double)
 * and the half-widths of their windows: relukit/_reference.py, DERIVATIVE_ROOTS */
rk_ref_zero rk_ref_root(const char *row)
{
    static const struct { const char *row; rk_ref_zero z; } roots[] = {
        {"silu_bwd", {-1.2784645427610737951, 0x1p-5}},
        {"mish_bwd", {-1.1924312145154952121, 0.25}},
        {"gelu_bwd", {-0.75179152469356445746, 0.375}},
        {"gelu_tanh_bwd", {-0.75246142207101625849, 0x1p-4}},
        /* the gated backward's grad_a: g b act'(a), the activation's zero */
        {"swiglu_bwd", {-1.2784645427610737951, 0x1p-5}},
        {"geglu_bwd", {-0.75179152469356445746, 0.375}},
        {"geglu_tanh_bwd", {-0.75246142207101625849, 0x1p-4}},
    };
    for (size_t i = 0; row && i < sizeof roots / sizeof roots[0]; i++)
        if (strcmp(roots[i].row, row) == 0) return roots[i].z;
    return (rk_ref_zero){NAN, 0.0};
}

const rk_ref_entry *rk_ref_find(const char *name)
{
    if (name == NULL) return NULL;
    for (const rk_ref_entry *e = rk_ref_table; e->name != NULL; e++)
        if (strcmp(e->name, name) == 0) return e;
    return NULL;
}
