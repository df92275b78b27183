/* gated.c: the gated activations, forward and fused backward.
 *
 *   glu(a, b)    = a * sigmoid(b)                  (torch's F.glu: a the first half)
 *   reglu(a, b)  = relu(a) * b
 *   geglu(a, b)  = gelu(a) * b    (geglu_tanh: gelu with approximate='tanh')
 *   swiglu(a, b) = silu(a) * b
 * Backward, both gradients in one pass over (g, a, b):
 *   glu     ga = g s,             gb = g a s (1 - s),   s = sigmoid(b)
 *   reglu   ga = a > 0 ? g b : 0, gb = g relu(a)       (relu'(0) = 0, torch's)
 *   geglu   ga = g b gelu'(a),    gb = g gelu(a)
 *   swiglu  ga = g b silu'(a),    gb = g silu(a)
 *
 * The activation cores are the float64 bodies of exponential.c (silu, silu') and
 * gelu.c (gelu, gelu', gelu_tanh, gelu_tanh'), included here with their kernel
 * emitters switched off, so that one algorithm serves the activation and its
 * gated form (a change there is a change here).
 *
 * Algorithm:
 *   float32 (and float16, bfloat16 through it): every op and gradient has a bulk in
 *     float32 arithmetic (below: glu_bulk_f, swiglu_bulk_f, geglu_bulk_f,
 *     geglu_tanh_bulk_f and the *_bwd_bulk_f): the activation's float32 core
 *     (silu's exp and denominator, gelu's T = Phi(-|a|) and gelu'(-|a|), sigmoid.h's
 *     gradient core), the partner product (a b, g b, g a) carried exactly as a
 *     two-product, and one rounding, so that the error is the core's relative error
 *     plus one rounding whatever the partner is.  A lane outside its op's bulk
 *     (tails, NaN, infinities, zeros, huge or tiny products) takes the float64
 *     route, in the same vector:
 *     1. a, b, g widened to float64 (exact);
 *     2. the activation (or its derivative with g*b, exact in float64, as the
 *        gradient) by the float64 core; glu: s = 1/(1 + e^-b) or e^b/(1 + e^b)
 *        from the float64 exp of silu (w = e^-|b| = 2^m (1 + p));
 *     3. the product in float64, rounded once to float32.  The float64 result is
 *        within a few float64 ULP of the exact product (2^-50 relative), so the
 *        float32 result is within 0.5 + 2^-26 ULP of it, subnormals included.
 *     float16 rounds the float32 result once more (<= 0.5 + 2^-12 ULP of float16).
 *   reglu is exact in every dtype: a > 0 ? a * b : 0 * b, one rounding of an
 *     exact product (float16: a product of two float16 values is exact in float32).
 *   float64: the float64 core, then the product rounded (one more rounding):
 *     swiglu/geglu: act(a) * b;  ga = act'(a) with g*b as the gradient;  glu:
 *     a * s with s = 1/(1 + w) (w = e^-b) or w'/(1 + w') (w' = e^b), ga = g s,
 *     gb = (g a) w / (1 + w)^2.  glu and swiglu take x e^x-like deep tails
 *     (b, a < -700, where e^b is below the normal range) through an exact scaling
 *     of the product by 2^m in three steps (tail_scale_d), so a huge partner
 *     operand still gets a full-precision result.
 * Special values: NaN in any operand gives NaN.  Infinities follow the product:
 *   act(+-inf) is the activation's limit, and inf * 0 is NaN as in IEEE 754 and
 *   as PyTorch's composite gives (swiglu(-inf, inf), reglu(-1, inf), glu(inf, -inf)).
 * Accuracy: the README's table (`python -m relukit verify`).  Valid input range:
 *   every value.
 */
#include <math.h>
#include "kdef.h"

/* the activation bodies, without their kernels */
#pragma push_macro("RK_KERNELS_1")
#pragma push_macro("RK_KERNELS_2")
#pragma push_macro("RK_KERNELS_1P")
#pragma push_macro("RK_KERNELS_2P")
#undef RK_KERNELS_1
#undef RK_KERNELS_2
#undef RK_KERNELS_1P
#undef RK_KERNELS_2P
#define RK_KERNELS_1(name)
#define RK_KERNELS_2(name)
#define RK_KERNELS_1P(name)
#define RK_KERNELS_2P(name)
#include "exponential.c"
#include "gelu.c"
#pragma pop_macro("RK_KERNELS_1")
#pragma pop_macro("RK_KERNELS_2")
#pragma pop_macro("RK_KERNELS_1P")
#pragma pop_macro("RK_KERNELS_2P")

/* ---- float64 cores ---- */

/* x * c * 2^m for a deep tail: t encodes m in [-2200, -1000] as silu_exp_d's t
 * does, c = the bounded factor (|c| <= 2^12), x any.  2^m is applied as
 * 2^(m + 1400) (normal) and 2^-700 twice, ordered by |x| so that no step before
 * the last leaves the normal range: |x| >= 1 is scaled down first.  Roundings:
 * x*c (or its scaled form) once, and the final step once. */
#define tail_scale_d(x, c, t) tail_scale_k_d(x, c, t, 0)
/* the same for x 2^-k: returns x c 2^(m + k) (k in [0, 600]) */
static inline vd tail_scale_k_d(vd x, vd c, vd t, int k) {
    vd P = rk_vd_pow2(t, 1400 + k), s = vd_set1(0x1p-700);
    md big = vd_ge(vd_abs(x), vd_set1(1.0));
    vd y = vd_mul(vd_mul(vd_mul(vd_select(big, vd_mul(x, s), x), c), P), s);
    return vd_select(big, y, vd_mul(y, s));
}

/* e^v = 2^m (1 + p) for v in [-708, 708] (silu's float64 reduction): t and 1 + p */
static inline vd gexp_d(vd v, vd *onep) {
    vd p, t = silu_exp_d(v, &p);
    *onep = vd_add(vd_set1(1.0), p);
    return t;
}

/* sigmoid(b) and its complement 1 - sigmoid(b) from w = e^-|b|:
 * s = 1/(1 + w) (b >= 0) or w/(1 + w) (b < 0), c likewise swapped.  Returns s;
 * *w_out = w, *d_out = 1 + w.  For b < -708 the caller takes the tail. */
static inline vd sig_d(vd b, vd *c_out, vd *w_out, vd *wl_out, vd *d_out, vd *dl_out) {
    vd v = vd_max(vd_neg(vd_abs(b)), vd_set1(-708.0));
    vd p, t = silu_exp_d(v, &p);
    vd P = rk_vd_pow2(t, 0);
    /* w = P (1 + p) as wh + wl (1 + p an exact two-sum, P a power of 2) */
    vd el, eh = twosum_d(vd_set1(1.0), p, &el);
    vd w = vd_mul(P, eh), wl = vd_mul(P, el);
    vd dl, d = twosum_d(vd_set1(1.0), w, &dl);
    dl = vd_add(dl, wl);
    vd r = divc_d(vd_set1(1.0), vd_zero(), d, dl), q = divc_d(w, wl, d, dl);
    md neg = vd_lt(b, vd_zero());
    *c_out = vd_select(neg, r, q);
    *w_out = w;
    *wl_out = wl;
    *d_out = d;
    *dl_out = dl;
    return vd_select(neg, q, r);
}

/* (nh + nl) / (dh + dl), d in [1, 2]: divc_d, whose correction stops past 2^900,
 * with a numerator past 2^800 scaled by 2^-200 first (exact) and back after */
static inline vd divc_big_d(vd nh, vd nl, vd dh, vd dl) {
    md big = vd_gt(vd_abs(nh), vd_set1(0x1p800));
    vd sc = vd_select(big, vd_set1(0x1p-200), vd_set1(1.0));
    vd q = divc_d(vd_mul(nh, sc), vd_mul(nl, sc), dh, dl);
    return vd_mul(q, vd_select(big, vd_set1(0x1p200), vd_set1(1.0)));
}

/* 2^-200 for |x| > 2^900 (else 1): keeps Dekker's split (no FMA) from overflowing */
static inline vd big_scale_d(vd x) {
    return vd_select(vd_gt(vd_abs(x), vd_set1(0x1p900)), vd_set1(0x1p-200), vd_set1(1.0));
}

/* glu: a sigmoid(b) */
static inline vd glu_core_d(vd a, vd b) {
    vd c, w, wl, d, dl, s = sig_d(b, &c, &w, &wl, &d, &dl);
    /* a w / (1 + w) (b < 0) or a / (1 + w): numerator and denominator in
     * double-word, one corrected division */
    vd sa = big_scale_d(a);
    vd nl, nh = dwmul_d(vd_mul(a, sa), vd_zero(), vd_select(vd_lt(b, vd_zero()), w, vd_set1(1.0)),
                        vd_select(vd_lt(b, vd_zero()), wl, vd_zero()), &nl);
    vd y = vd_div(divc_big_d(nh, nl, d, dl), sa);
    y = vd_select(vd_eq(vd_abs(nh), vd_set1(INFINITY)), vd_mul(a, s), y);
    y = vd_select(vd_eq(b, vd_set1(INFINITY)), a, y);
    md deep = vd_lt(b, vd_set1(-700.0));
    if (md_any(deep)) {
        /* a e^b, 1 + e^b = 1: e^b = 2^m (1 + p) with m >= -2200 (below: a signed 0) */
        vd onep, t = gexp_d(vd_max(b, vd_set1(-1500.0)), &onep);
        vd yt = tail_scale_d(a, onep, t);
        yt = vd_select(vd_lt(b, vd_set1(-1500.0)), vd_mul(a, vd_zero()), yt);
        y = vd_select(deep, yt, y);
    }
    /* an infinite a times sigmoid(b) > 0 (b > -inf) is a, however small sigmoid(b) */
    y = vd_select(md_and(vd_eq(vd_abs(a), vd_set1(INFINITY)), vd_gt(b, vd_set1(-INFINITY))), a, y);
    /* a zero result has a's sign (sigmoid(b) > 0): the corrected division's zero is +0 */
    y = vd_select(vd_eq(y, vd_zero()), vd_mul(a, vd_zero()), y);
    return vd_select(vd_isnan(b), b, y);
}
/* glu backward: ga = g s, gb = (g a) w / (1 + w)^2 */
static inline vd glu_bwd_core_d(vd a, vd b, vd g, vd *gb) {
    vd c, w, wl, d, dl, s = sig_d(b, &c, &w, &wl, &d, &dl);
    md bneg = vd_lt(b, vd_zero());
    vd sg = big_scale_d(g), sa = big_scale_d(a);
    vd gnl, gnh = dwmul_d(vd_mul(g, sg), vd_zero(), vd_select(bneg, w, vd_set1(1.0)),
                          vd_select(bneg, wl, vd_zero()), &gnl);
    vd ga = vd_div(divc_big_d(gnh, gnl, d, dl), sg);
    ga = vd_select(vd_eq(vd_abs(gnh), vd_set1(INFINITY)), vd_mul(g, s), ga);
    ga = vd_select(vd_eq(b, vd_set1(INFINITY)), g, ga);
    /* g a sigmoid'(b) = (g a w) / (1 + w)^2: numerator and denominator in
     * double-word (1 + w an exact two-sum), one corrected division */
    vd Dl, Dh = dwmul_d(d, dl, d, dl, &Dl);
    vd pl, ph = twoprod_d(vd_mul(g, sg), vd_mul(a, sa), &pl);
    vd Nl, Nh = dwmul_d(ph, pl, w, wl, &Nl);
    vd y = vd_div(vd_div(divc_big_d(Nh, Nl, Dh, Dl), sg), sa);
    ph = vd_mul(g, a);
    /* g a past the range (then sigmoid' is small): (g sigmoid'(b)) a */
    vd ds = vd_div(w, vd_mul(d, d));
    y = vd_select(vd_eq(vd_abs(ph), vd_set1(INFINITY)), vd_mul(vd_mul(g, ds), a), y);
    y = vd_select(vd_isnan(y), vd_mul(ph, ds), y);   /* inf / inf of an infinite g or a */
    md deep = vd_gt(vd_abs(b), vd_set1(700.0));    /* sigmoid'(b) ~ e^-|b| */
    if (md_any(deep)) {
        vd nb = vd_neg(vd_abs(b));
        vd onep, t = gexp_d(vd_max(nb, vd_set1(-1500.0)), &onep);
        vd ya = tail_scale_d(g, onep, t);                     /* g e^b (b < -700) */
        vd gxa = vd_mul(g, a);
        vd yb = vd_select(vd_eq(vd_abs(gxa), vd_set1(INFINITY)),  /* g a e^-|b| */
                          vd_mul(tail_scale_k_d(vd_mul(vd_mul(g, vd_set1(0x1p-600)),
                                                        vd_mul(a, vd_set1(0x1p-600))), onep, t, 600),
                                 vd_set1(0x1p600)),
                          tail_scale_d(gxa, onep, t));
        md gone = vd_lt(nb, vd_set1(-1500.0));
        ya = vd_select(gone, vd_mul(g, vd_zero()), ya);
        yb = vd_select(gone, vd_mul(vd_mul(g, vd_zero()), a), yb);
        ga = vd_select(vd_lt(b, vd_set1(-700.0)), ya, ga);
        y = vd_select(deep, yb, y);
    }
    /* b = +-inf: sigmoid' = 0 exactly (0 * g a, NaN for an infinite g a) */
    y = vd_select(vd_eq(vd_abs(b), vd_set1(INFINITY)), vd_mul(vd_mul(g, vd_zero()), a), y);
    /* infinite factors times sigmoid(b), sigmoid'(b) > 0 (finite b): infinities */
    md bfin = vd_lt(vd_abs(b), vd_set1(INFINITY));
    ga = vd_select(md_and(vd_eq(vd_abs(g), vd_set1(INFINITY)), vd_gt(b, vd_set1(-INFINITY))), g, ga);
    md ginf = md_or(vd_eq(vd_abs(g), vd_set1(INFINITY)), vd_eq(vd_abs(a), vd_set1(INFINITY)));
    y = vd_select(md_and(bfin, ginf), vd_mul(g, a), y);
    /* zero results with the signs of g (sigmoid(b) > 0) and of g a (sigmoid'(b) > 0):
     * the corrected divisions' zeros are +0 */
    ga = vd_select(vd_eq(ga, vd_zero()), vd_mul(g, vd_zero()), ga);
    y = vd_select(vd_eq(y, vd_zero()), vd_mul(vd_mul(g, vd_zero()), a), y);
    *gb = vd_select(vd_isnan(b), b, y);
    return vd_select(vd_isnan(b), b, ga);
}

/* g act'(a) b.  The gradient passed to act' is g b where that product is in the
 * normal range; where it is subnormal (not 0), (g 2^600) b, and the result scaled
 * back by 2^-600 (one rounding into the subnormals); where finite g and b overflow
 * (both then have |.| >= 1), (g 2^-512) (b 2^-512) and the result scaled by 2^1024
 * in two exact steps (exact while it is normal: act'(a) >= 2^-1000, i.e. a above
 * act's deep tail; below, a float64 result of a g b past the float64 range is not
 * held to the bound).  At a = -inf act' is 0: 0 for every finite g, b. */
/* g b scaled into range (scales undone by s1 s2 after the derivative), and with lo
 * (not NULL) the product's exact rounding error: g b = (hi + lo) / (s1 s2) */
static inline vd gated_grad_pre_dw_d(vd b, vd g, vd *s1, vd *s2, md *fin, vd *lo) {
    vd m = vd_abs(vd_mul(g, b));
    *fin = md_and(vd_lt(vd_abs(g), vd_set1(INFINITY)), vd_lt(vd_abs(b), vd_set1(INFINITY)));
    md up = md_and(vd_lt(m, vd_set1(0x1p-1022)), vd_gt(m, vd_zero()));   /* subnormal */
    md down = md_and(*fin, vd_eq(m, vd_set1(INFINITY)));
    vd one = vd_set1(1.0);
    vd sg = vd_select(up, vd_set1(0x1p600), vd_select(down, vd_set1(0x1p-512), one));
    vd sb = vd_select(down, vd_set1(0x1p-512), one);
    *s1 = vd_select(up, vd_set1(0x1p-600), vd_select(down, vd_set1(0x1p512), one));
    *s2 = vd_select(down, vd_set1(0x1p512), one);
    if (!lo) return vd_mul(vd_mul(g, sg), vd_mul(b, sb));
    vd gs = vd_mul(g, sg), bs = vd_mul(b, sb);
    vd e, hi = twoprod_d(gs, bs, &e);
    /* the error term where it is exact on every target (without an FMA, Dekker's
     * product needs factors below 2^900) and the product finite; else 0, the
     * product's rounding kept as before */
    md ok = md_and(md_and(vd_lt(vd_abs(gs), vd_set1(0x1p900)), vd_lt(vd_abs(bs), vd_set1(0x1p900))),
                   vd_lt(vd_abs(hi), vd_set1(INFINITY)));
    *lo = vd_select(ok, e, vd_zero());
    return hi;
}
static inline vd gated_grad_pre_d(vd b, vd g, vd *s1, vd *s2, md *fin) {
    return gated_grad_pre_dw_d(b, g, s1, s2, fin, NULL);
}
static inline vd gated_grad_post_d(vd y, vd a, vd b, vd g, vd s1, vd s2, md fin) {
    y = vd_mul(vd_mul(y, s1), s2);
    return vd_select(md_and(fin, vd_eq(a, vd_set1(-INFINITY))), vd_mul(vd_mul(g, vd_zero()), b), y);
}
/* g b dact(a) with g b scaled into range around the derivative (a macro, not a
 * function pointer: the derivative bodies are always inlined) */
#define RK_GATED_GRAD(DACT, a, b, g) ({                                              \
        vd s1_, s2_;                                                                 \
        md fin_;                                                                     \
        vd gb_ = gated_grad_pre_d(b, g, &s1_, &s2_, &fin_);                          \
        gated_grad_post_d(DACT(a, gb_, vd_zero(), vd_zero()), a, b, g, s1_, s2_, fin_); })
/* act(a) b for |a| < 2^-900 (silu, gelu, gelu_tanh: act(a) = a/2 (1 + O(a))): (a b)/2,
 * not act(a) rounded into the subnormals first and multiplied up by b */
#define RK_TINY_A(y, a, b)                                                           \
    y = vd_select(vd_lt(vd_abs(a), vd_set1(0x1p-900)), vd_mul(vd_mul(a, b), vd_set1(0.5)), y)

/* swiglu: silu(a) b; below a = -700 (silu(a) near the subnormals) as
 * (a (1 + p)) b 2^m, exactly scaled, so a huge b keeps a full-precision result */
static inline vd swiglu_core_d(vd a, vd b);
static inline vd swiglu_core0_d(vd a, vd b) {
    vd y = vd_mul(silu_d(a, vd_zero(), vd_zero()), b);
    RK_TINY_A(y, a, b);
    md deep = vd_lt(a, vd_set1(-700.0));
    if (md_any(deep)) {
        vd ac = vd_max(a, vd_set1(-1500.0));
        vd onep, t = gexp_d(ac, &onep);
        vd yt = tail_scale_d(b, vd_mul(ac, onep), t);
        yt = vd_select(vd_lt(a, vd_set1(-1500.0)), vd_mul(vd_set1(-0.0), b), yt);
        y = vd_select(deep, yt, y);
        y = vd_select(vd_isnan(a), a, y);
    }
    return y;
}
static inline vd inf_factor_d(vd y, vd a, vd b);
static inline vd swiglu_core_d(vd a, vd b) { return inf_factor_d(swiglu_core0_d(a, b), a, b); }
static inline vd swiglu_bwd_core_d(vd a, vd b, vd g, vd *gb) {
    *gb = swiglu_core_d(a, g);   /* g silu(a): the forward with g for b */
    return RK_GATED_GRAD(silu_bwd_d, a, b, g);
}
/* geglu: gelu(a) b; below a = -37 (gelu(a) near the subnormals) from the asymptotic
 * series gelu(a) = -c0 e^(-a^2/2) S(1/a^2), S(u) = sum (-1)^k (2k-1)!! u^k (9 terms:
 * the next is below 2^-68 there), e^(-a^2/2) of a^2 = h + l exact, scaled by 2^m
 * exactly with b (tail_scale_d); past -55, -0 b */
static inline vd geglu_core0_d(vd a, vd b) {
    vd y = vd_mul(gelu_d(a, vd_zero(), vd_zero()), b);
    RK_TINY_A(y, a, b);
    md deep = vd_lt(a, vd_set1(-37.0));
    if (md_any(deep)) {
        vd ac = vd_max(a, vd_set1(-55.0)), l, h = twoprod_d(ac, ac, &l);
        vd onep, t = gexp_d(vd_mul(h, vd_set1(-0.5)), &onep);
        onep = vd_fma(onep, vd_mul(l, vd_set1(-0.5)), onep);          /* e^(-l/2) */
        vd u = vd_div(vd_set1(1.0), h);
        vd S = vd_set1(2027025.0);
        S = vd_fma(S, u, vd_set1(-135135.0));
        S = vd_fma(S, u, vd_set1(10395.0));
        S = vd_fma(S, u, vd_set1(-945.0));
        S = vd_fma(S, u, vd_set1(105.0));
        S = vd_fma(S, u, vd_set1(-15.0));
        S = vd_fma(S, u, vd_set1(3.0));
        S = vd_fma(S, u, vd_set1(-1.0));
        S = vd_fma(S, u, vd_set1(1.0));
        vd c = vd_mul(vd_mul(vd_set1(-C0), S), onep);
        vd yt = tail_scale_d(b, c, t);
        yt = vd_select(vd_lt(a, vd_set1(-55.0)), vd_mul(vd_set1(-0.0), b), yt);
        y = vd_select(deep, yt, y);
    }
    return y;
}
static inline vd geglu_core_d(vd a, vd b) { return inf_factor_d(geglu_core0_d(a, b), a, b); }
static inline vd geglu_bwd_core_d(vd a, vd b, vd g, vd *gb) {
    *gb = geglu_core_d(a, g);
    return RK_GATED_GRAD(gelu_bwd_d, a, b, g);
}
/* float64 results: g b gelu'(a) with g b as an exact double-word, whose rounding
 * would add up to an ULP to gelu''s own (float64 gelu' is within about 3 ULP: with
 * it, geglu' exceeded 4 on the baseline target); the float32 rare lanes keep
 * geglu_bwd_core_d (a float64 result rounded to float32 needs no more) */
static inline vd geglu_bwd_core64_d(vd a, vd b, vd g, vd *gb) {
    *gb = geglu_core_d(a, g);
    vd s1, s2, gbl;
    md fin;
    vd gbh = gated_grad_pre_dw_d(b, g, &s1, &s2, &fin, &gbl);
    return gated_grad_post_d(gelu_bwd_dw_d(a, gbh, gbl), a, b, g, s1, s2, fin);
}
#define glu_bwd_core64_d glu_bwd_core_d
#define swiglu_bwd_core64_d swiglu_bwd_core_d
#define geglu_tanh_bwd_core64_d geglu_tanh_bwd_core_d
/* geglu_tanh: gelu_tanh(a) b = a sigmoid(v) b; where v < -700 (a < -21.5, the
 * result near the subnormals) a e^v b with v = 2 sqrt(2/pi) a (1 + c a^2) in
 * double-word (as gelu.c) and 2^m applied exactly with b; v < -1500: -0 b */
static inline vd geglu_tanh_core0_d(vd a, vd b) {
    vd y = vd_mul(gelu_tanh_d(a, vd_zero(), vd_zero()), b);
    RK_TINY_A(y, a, b);
    md deep = vd_lt(a, vd_set1(-21.0));
    if (md_any(deep)) {
        vd ac = vd_max(a, vd_set1(-30.0));
        vd l, chl, ml, kxl, vlo;
        vd h = twoprod_d(ac, ac, &l);
        vd ch = twoprod_d(vd_set1(GT_C), h, &chl);
        chl = vd_fma(vd_set1(GT_C), l, vd_fma(vd_set1(GT_C_LO), h, chl));
        vd mh = twosum_d(vd_set1(1.0), ch, &ml);
        ml = vd_add(ml, chl);
        vd kxh = twoprod_d(vd_set1(K2_HI), ac, &kxl);
        kxl = vd_fma(vd_set1(K2_LO), ac, kxl);
        vd vh = twoprod_d(kxh, mh, &vlo);
        vlo = vd_fma(kxh, ml, vd_fma(kxl, mh, vlo));
        md gone = vd_lt(vh, vd_set1(-1500.0));
        vd onep, t = gexp_d(vd_max(vh, vd_set1(-1500.0)), &onep);
        onep = vd_fma(onep, vlo, onep);                                   /* e^vlo */
        md tail = vd_lt(vh, vd_set1(-700.0));
        vd yt = tail_scale_d(b, vd_mul(ac, onep), t);
        yt = vd_select(md_or(gone, vd_lt(a, vd_set1(-30.0))), vd_mul(vd_set1(-0.0), b), yt);
        y = vd_select(md_and(deep, tail), yt, y);
    }
    return y;
}
static inline vd geglu_tanh_core_d(vd a, vd b) {
    return inf_factor_d(geglu_tanh_core0_d(a, b), a, b);
}
static inline vd geglu_tanh_bwd_core_d(vd a, vd b, vd g, vd *gb) {
    *gb = geglu_tanh_core_d(a, g);
    return RK_GATED_GRAD(gelu_tanh_bwd_d, a, b, g);
}

/* The exact product with an infinite factor: act(a) (silu, gelu, gelu_tanh) has the
 * sign of a and is nonzero for finite nonzero a, however far it underflows, so
 * act(a) * (+-inf) is an infinity (not -0 * inf = NaN); the same for g act(a). */
static inline vd inf_factor_d(vd y, vd a, vd b) {
    md fix = md_and(vd_eq(vd_abs(b), vd_set1(INFINITY)),
                    md_and(vd_lt(vd_abs(a), vd_set1(INFINITY)), md_andnot(vd_eq(a, vd_zero()),
                           vd_eq(a, a))));
    return vd_select(fix, vd_mul(b, vd_copysign(vd_set1(1.0), a)), y);
}

/* ---- the row bodies (kdef.h): forward F(x = b, g = a), backward F(a, b, g, &gb) ---- */

/* ---- float32 results: a fast float64 path for the bulk ----
 * Where every lane of a vector is in the bulk (the activated operand within
 * [-LIM, LIM], the other operands finite: their float64 products are exact and
 * far from over- and underflow), the plain formulas in float64 are within about
 * 2^-45 relative of the exact result (cancellation near a derivative's zero stays
 * inside the window of the error criterion), so the one rounding to float32 gives
 * <= 0.5 + 2^-20 ULP.  Any other vector runs the float64 cores above (their
 * limits, tails and special values), lane for lane the same function. */

/* e = e^-|x| (|x| <= 80), r = 1/(1 + e): sigmoid(x) = x >= 0 ? r : e r, and
 * sigmoid(-x) the other one */
static inline vd fsig_d(vd x, vd *sneg) {
    vd p, t = silu_exp_d(vd_neg(vd_abs(x)), &p);
    vd P = rk_vd_pow2(t, 0);
    vd e = vd_fma(P, p, P);
    vd r = vd_div(vd_set1(1.0), vd_add(vd_set1(1.0), e)), er = vd_mul(e, r);
    md neg = vd_lt(x, vd_zero());
    *sneg = vd_select(neg, r, er);
    return vd_select(neg, er, r);
}
static inline vd glu_fast_d(vd a, vd b) { vd c, s = fsig_d(b, &c); return vd_mul(a, s); }
static inline vd glu_bwd_fast_d(vd a, vd b, vd g, vd *gb) {
    vd c, s = fsig_d(b, &c);
    *gb = vd_mul(vd_mul(g, a), vd_mul(s, c));
    return vd_mul(g, s);
}
static inline vd swiglu_fast_d(vd a, vd b) { vd c, s = fsig_d(a, &c); return vd_mul(vd_mul(a, b), s); }
static inline vd swiglu_bwd_fast_d(vd a, vd b, vd g, vd *gb) {
    vd c, s = fsig_d(a, &c);
    *gb = vd_mul(vd_mul(g, a), s);
    return vd_mul(vd_mul(g, b), vd_mul(s, vd_fma(a, c, vd_set1(1.0))));
}
/* gelu_tanh(a) = a sigmoid(v), v = 2 sqrt(2/pi) (a + c a^3);
 * gelu_tanh'(a) = s + a s (1 - s) v', v' = 2 sqrt(2/pi) (1 + 3 c a^2) */
static inline vd geglu_tanh_fast_d(vd a, vd b) {
    vd a2 = vd_mul(a, a), c;
    vd v = vd_mul(vd_mul(vd_set1(K2_HI), a), vd_fma(vd_set1(GT_C), a2, vd_set1(1.0)));
    return vd_mul(vd_mul(a, b), fsig_d(v, &c));
}
static inline vd geglu_tanh_bwd_fast_d(vd a, vd b, vd g, vd *gb) {
    vd a2 = vd_mul(a, a), c;
    vd v = vd_mul(vd_mul(vd_set1(K2_HI), a), vd_fma(vd_set1(GT_C), a2, vd_set1(1.0)));
    vd s = fsig_d(v, &c);
    vd vp = vd_mul(vd_set1(K2_HI), vd_fma(vd_set1(3.0 * GT_C), a2, vd_set1(1.0)));
    *gb = vd_mul(vd_mul(g, a), s);
    return vd_mul(vd_mul(g, b), vd_fma(vd_mul(vd_mul(a, s), c), vp, s));
}
/* gelu(a) = a Phi(a), Phi(a) = erfc(-a/sqrt2)/2;  gelu'(a) = Phi(a) + a phi(a) */
static inline vd fphi_d(vd a) {
    return vd_mul(vd_set1(0.5), vd_erfc(vd_mul(a, vd_set1(-RSQRT2_HI))));
}
static inline vd geglu_fast_d(vd a, vd b) { return vd_mul(vd_mul(a, b), fphi_d(a)); }
static inline vd geglu_bwd_fast_d(vd a, vd b, vd g, vd *gb) {
    vd P = fphi_d(a);
    vd ph = vd_mul(vd_set1(C0), vd_exp(vd_mul(vd_mul(a, a), vd_set1(-0.5))));
    *gb = vd_mul(vd_mul(g, a), P);
    return vd_mul(vd_mul(g, b), vd_fma(a, ph, P));
}
/* the bulk of each op: |activated operand| <= LIM (silu, glu: 80; gelu: 8; gelu_tanh: 10) */
#define RK_LIM_glu 80.0f
#define RK_LIM_swiglu 80.0f
#define RK_LIM_geglu 8.0f
#define RK_LIM_geglu_tanh 10.0f

RK_INLINE mf finite_f(vf x) { return vf_lt(vf_abs(x), vf_set1(INFINITY)); }

/* The bulk in float32 arithmetic (silu's algorithm, exponential.c).  D = 1 + e^-x
 * = 1 + w, w = 2^m (1 + p), rounded once: for x in [-16, 16], where 2^m + 1 is exact
 * (|m| <= 23), as fma(2^m, p, 2^m + 1); above 16, where that would round twice (up to
 * 1.4 ULP of D's 2^-24, which an ULP of the product can then count nearly twice), as
 * fma(2^m, 1 + p, 1) (w < 2^-23: 1 + p rounded moves D by 2^-47).  So D's error is
 * one rounding (2^-24 relative) plus the exponential's, everywhere.
 *   glu(a, b) = a / D(b): one division;
 *   swiglu(a, b) = (a b) / D(a): a b = h + l exactly and one corrected division
 *   (divc1_f), so the product adds no rounding to silu's: the error is D's (<= 2^-24
 *   relative plus the exp polynomial's) plus one rounding.
 * *ok marks the lanes in that bulk (x >= -16, not NaN; for the products |a b| in
 * [2^-90, 2^100]); the others go through float64 (a lane's path depends on its own
 * operands only: the same bits on every route). */
RK_INLINE vf gated_den_f(vf x) {
    vf xc = vf_min(vf_max(x, vf_set1(-16.0f)), vf_set1(87.0f));     /* v = -xc */
    vf p, t = silu_expn_f(xc, &p);
    vf P = rk_vf_pow2(t, 0);
    mf big = vf_gt(xc, vf_set1(16.0f));
    return vf_fma(P, vf_select(big, vf_add(p, vf_set1(1.0f)), p),
                  vf_select(big, vf_set1(1.0f), vf_add(P, vf_set1(1.0f))));
}
RK_INLINE vf glu_bulk_f(vf b, vf a, mf *ok) {
    *ok = vf_ge(b, vf_set1(-16.0f));
    return vf_div(a, gated_den_f(b));
}
/* lo <= |x| <= hi for ax = |x| (0 < lo <= hi finite; NaN false): one integer add and
 * one compare of the bits, the unsigned range test as a signed one */
RK_INLINE mf abs_in_f(vf ax, float lo, float hi) {
    uint32_t l, h;
    memcpy(&l, &lo, 4);
    memcpy(&h, &hi, 4);
    vi s = vi_add(vf_as_vi(ax), vi_set1((int32_t)(0x80000000u - l)));
    return vi_gt(vi_set1((int32_t)(h - l + 1u - 0x80000000u)), s);
}
/* (h + l) / (D + Dl) rounded once up to a tiny fraction of an ULP, for h/D normal,
 * |h| <= 2^100, 1 <= D < 2^33 and Dl tiny: R = 1/D rounded and q = h R, within two
 * ULPs of h/D; the remainder h - q D in one FMA (exact, or rounded at 2^-24 of
 * itself; Dekker's product without FMA), and q + (res + l - q Dl) R rounded once:
 * the correction is a few ULPs of q, so R's rounding and the remainder's cost it
 * 2^-22 of an ULP.  One division, as sigmoid.h's quotients (a division h/D and an
 * approximate 1/D for the correction took two more operations per vector) */
RK_INLINE vf divc0_f(vf h, vf l, vf D, vf Dl) {
    vf R = vf_div(vf_set1(1.0f), D);
    vf q = vf_mul(h, R);
    vf res = vf_fnma(q, Dl, vf_add(resid_f(h, q, D), l));
    return vf_fma(res, R, q);
}
/* the same for Dl = 0 */
RK_INLINE vf divc1_f(vf h, vf l, vf D) {
    vf R = vf_div(vf_set1(1.0f), D);
    vf q = vf_mul(h, R);
    return vf_fma(vf_add(resid_f(h, q, D), l), R, q);
}
/* the bulk lanes of an exact product h + l = a b: |h| in [2^-90, 2^100] (l exact,
 * the remainders representable), and without FMA |a|, |b| <= 2^100 (Dekker's split) */
RK_INLINE mf prod_ok_f(vf a, vf b, vf h) {
    mf m = abs_in_f(vf_abs(h), 0x1p-90f, 0x1p100f);
#if !RK_HAVE_FMA
    m = mf_and(m, vf_le(vf_max(vf_abs(a), vf_abs(b)), vf_set1(0x1p100f)));
#else
    (void)a; (void)b;
#endif
    return m;
}
RK_INLINE vf swiglu_bulk_f(vf b, vf a, mf *ok) {
    vf l, h = twoprod_f(a, b, &l);
    *ok = mf_and(vf_ge(a, vf_set1(-16.0f)), prod_ok_f(a, b, h));
    return divc1_f(h, l, gated_den_f(a));
}
/* geglu_tanh: gelu_tanh's float32 w = e^-v (gelu.c), D = 1 + w (rounded once where
 * 2^m + 1 is exact, carried as 1 + w above), the exact product divided by it with one
 * corrected rounding; bulk: a in [-9.5, 1e4], the product's, and the quotient in
 * [2^-100, 2^100] */
RK_INLINE vf geglu_tanh_bulk_f(vf b, vf a, mf *ok) {
    vf l, h = twoprod_f(a, b, &l);
    vf P, p, uh = gelu_tanh_w_f(vf_min(vf_max(a, vf_set1(-9.5f)), vf_set1(1e4f)), &P, &p);
    vf Pinv = vi_as_vf(vi_sub(vi_set1(254 << 23), vf_as_vi(P)));     /* 2^-m */
    mf small = vf_lt(uh, vf_set1(-16.0f));
    vf D = vf_select(vf_le(uh, vf_set1(16.0f)), vf_fma(P, p, vf_add(P, vf_set1(1.0f))),
                     vf_fma(P, vf_add(p, Pinv), P));
    vf y = divc0_f(h, l, vf_select(small, vf_set1(1.0f), D),
                   vf_select(small, vf_fma(P, p, P), vf_zero()));
    *ok = mf_and(mf_and(vf_ge(a, vf_set1(-9.5f)), vf_le(a, vf_set1(1e4f))),
                 mf_and(prod_ok_f(a, b, h), abs_in_f(vf_abs(y), 0x1p-100f, 0x1p100f)));
    return y;
}
/* geglu: gelu's float32 core (gelu.c) T = Phi(-|a|) = 2^n (K + inner), K + inner
 * within 1.15 x 2^-24 of T before any rounding (measured over every float32 |a| in
 * (0, 14.5)), a b = h + l exactly, and (h + l) T carried in double-word:
 *   H = h 2^n, H K and H inner exact products (ph + pl, ch + cl), their sum fast-two-
 *   summed (|inner| < K) into sh + sl with the small terms pl + cl + l T;
 *   a < 0: y = sh + sl, rounded once;  a > 0: y = (h + l)(1 - T) = dh + (dl + l - sl)
 *   with dh + dl = h - sh exactly (|sh| <= |h|/2).
 * So the error is T's (<= 1.15 x 2^-24 relative; for a > 0 scaled by T/(1 - T) <= 1)
 * plus one rounding, whatever b is.  Bulk: a >= -13 (2^n normal; above 13 the core
 * takes 13, where T < 2^-122 no longer shows in h - h T), the product's and the
 * result in [2^-100, 2^100]. */
/* (h + l) F for F = 2^n (K + rest) (a < 0) or 1 - 2^n (K + rest) (a > 0): the core's
 * terms K and |rest| < |K|, P = 2^n, |F| <= 1/2 where a > 0; double-word, one rounding */
RK_INLINE vf gated_mul_core_f(vf a, vf h, vf l, vf P, vf K, vf rest) {
    vf H = vf_mul(h, P);
    vf pl, ph = twoprod_f(H, K, &pl);
    vf cl, ch = twoprod_f(H, rest, &cl);
    vf sh = vf_add(ph, ch);
    vf sl = vf_add(vf_sub(ph, sh), ch);
    sl = vf_add(sl, vf_fma(vf_mul(l, P), vf_add(K, rest), vf_add(pl, cl)));
    vf dh = vf_sub(h, sh);
    vf dl = vf_sub(vf_sub(h, dh), sh);
    return vf_select_neg(a, vf_add(sh, sl), vf_add(dh, vf_add(vf_sub(dl, sl), l)));
}
RK_INLINE vf geglu_bulk_f(vf b, vf a, mf *ok) {
    vf l, h = twoprod_f(a, b, &l);
    vf ac = vf_min(vf_abs(a), vf_set1(13.0f));
    vf inner, t, K = gelu_T_f(ac, &inner, &t);
    vf y = gated_mul_core_f(a, h, l, rk_vf_pow2(t, 0), K, inner);
    *ok = mf_and(mf_and(vf_ge(a, vf_set1(-13.0f)), prod_ok_f(a, b, h)),
                 abs_in_f(vf_abs(y), 0x1p-100f, 0x1p100f));
    return y;
}

/* The float32 backward in float32 arithmetic (geglu): gb = g gelu(a) as geglu's
 * forward with g for b, ga = (g b) gelu'(a) the same way with gelu'(-|a|) =
 * 2^n (Kh + rest) (gelu.c's gelu_dk_f, within 0.96 x 2^-24 of it before rounding,
 * measured over every float32 |a| in (0, 13]; the zero of gelu' at -0.7518 is
 * factored out there, so the relative error holds next to it); gelu'(a) = 1 -
 * gelu'(-a) for a > 0 (|gelu'(-a)| <= 1/2).  Bulk: as geglu's forward, for both
 * products and both results. */
RK_INLINE vf geglu_bwd_bulk_f(vf a, vf b, vf g, vf *gb, mf *ok) {
    vf ac = vf_min(vf_abs(a), vf_set1(13.0f));
    vf inner, t, K = gelu_T_f(ac, &inner, &t);
    vf rest, t2, Kh = gelu_dk_f(ac, &rest, &t2);
    vf P = rk_vf_pow2(t, 0);
    vf l1, h1 = twoprod_f(a, g, &l1);
    *gb = gated_mul_core_f(a, h1, l1, P, K, inner);
    vf l2, h2 = twoprod_f(g, b, &l2);
    vf ga = gated_mul_core_f(a, h2, l2, P, Kh, rest);
    mf m = mf_and(mf_and(vf_ge(a, vf_set1(-13.0f)), prod_ok_f(a, g, h1)), prod_ok_f(g, b, h2));
    *ok = mf_and(m, mf_and(abs_in_f(vf_abs(*gb), 0x1p-100f, 0x1p100f),
                           abs_in_f(vf_abs(ga), 0x1p-100f, 0x1p100f)));
    return ga;
}
/* glu's backward in float32 arithmetic: W = e^-b = P (1 + p) (silu's exp), D = 1 + W
 * = Dh + Dl exactly up to W's error (b in [-16, 16]: Dh = fma(P, p, P + 1), 1 + P
 * exact and the remainder a float; b > 16: Dh = 1, Dl = W);
 *   ga = g s = g / D with one corrected division (glu's forward with g for a);
 *   gb = g a s (1 - s) = (g a) W / D^2: g a = h + l and (h + l) P (1 + p) = Nh + Nl
 *   exactly up to p's error, D^2 = Qh + Ql, one corrected division.  W's error counts
 *   once in ga and W/D - 2W/D (at most once) in gb, plus one rounding each.
 * Bulk: b in [-16, 80], |g a| in [2^-90, 2^76] or 0 (g or a zero: a zero of the
 * product's sign), both results in [2^-100, 2^100] (ga: or g = 0). */
RK_INLINE vf glu_bwd_bulk_f(vf a, vf b, vf g, vf *gb, mf *ok) {
    vf bc = vf_min(vf_max(b, vf_set1(-16.0f)), vf_set1(80.0f));      /* v = -bc */
    vf p, t = silu_expn_f(bc, &p);
    vf P = rk_vf_pow2(t, 0);
    mf small = vf_gt(bc, vf_set1(16.0f));
    vf P1 = vf_add(P, vf_set1(1.0f));
    vf Dh = vf_select(small, vf_set1(1.0f), vf_fma(P, p, P1));
    vf Dl = vf_fma(P, p, vf_select(small, P, vf_sub(P1, Dh)));
    vf ga = divc0_f(g, vf_zero(), Dh, Dl);
    vf l, h = twoprod_f(g, a, &l);
    vf H = vf_mul(h, P);
    vf ql, qh = twoprod_f(H, p, &ql);
    vf Nh = vf_add(H, qh);
    vf Nl = vf_add(vf_add(vf_sub(H, Nh), qh), vf_fma(vf_mul(l, P), vf_add(p, vf_set1(1.0f)), ql));
    vf Qe, Qh = twoprod_f(Dh, Dh, &Qe);
    vf Ql = vf_fma(Dl, vf_fma(vf_set1(2.0f), Dh, Dl), Qe);
    vf y = divc0_f(Nh, Nl, Qh, Ql);
    /* a zero g or a (finite operands): the zero of their product's sign */
    mf hz = vf_eq(h, vf_zero()), gz = vf_eq(g, vf_zero());
    *gb = vf_select(hz, h, y);
    mf okb = mf_or(hz, mf_and(mf_and(abs_in_f(vf_abs(h), 0x1p-90f, 0x1p76f), prod_ok_f(g, a, h)),
                              abs_in_f(vf_abs(y), 0x1p-100f, 0x1p100f)));
    mf oka = mf_or(gz, abs_in_f(vf_abs(ga), 0x1p-100f, 0x1p100f));
    *ok = mf_and(mf_and(vf_ge(b, vf_set1(-16.0f)), vf_le(b, vf_set1(80.0f))), mf_and(oka, okb));
    return vf_select(gz, g, ga);
}
/* swiglu's backward in float32 arithmetic, with w = e^-a and 1 + w = Eh + El exactly
 * up to e^r's 2^-28 (sigmoid.h's sig_den):
 *   gb = g silu(a) = (g a) / (Eh + El): g a = h + l exactly, one corrected division;
 *   ga = (g b) silu'(a), silu'(a) = (1 + w (1 + a)) / (1 + w)^2 = q0 + corr by
 *   sigmoid.h's core as silu_backward's (its zero at a = -1.278 cancelled exactly),
 *   g b = h + l exactly, folded into one rounding: fmac(h, q0, h corr + l q0).
 * Bulk: a in [-16, 87] (no clamp of e^-a), |g b| in [2^-60, 2^100] (products normal
 * without FMA too), |g a| in [2^-90, 2^100] and gb in [2^-100, 2^100]. */
/* the two gradients from sigmoid.h's core for w = e^(u + ul) and A + Al (a the
 * activated operand): gb = (g a) / (Eh + El), ga = (g b)(q0 + corr), each rounded
 * once; *ok: the products' and gb's bulk (the caller adds a's range) */
RK_INLINE vf sig_gated_bwd_f(vf u, vf ul, vf A, vf Al, vf a, vf b, vf g, vf *gb, mf *ok) {
    vf pw, eh, el, El, Eh = sig_den_f(u, ul, &pw, &eh, &el, &El);
    vf l1, h1 = twoprod_f(g, a, &l1);
    *gb = divc0_f(h1, l1, Eh, El);
    vf corr, q0 = dsig_q_f(u, ul, A, Al, &corr);
    vf l, h = twoprod_f(g, b, &l);
    vf ga = fmac_f(h, q0, vf_fma(l, q0, vf_mul(h, corr)));
    mf m = mf_and(abs_in_f(vf_abs(h), 0x1p-60f, 0x1p100f), prod_ok_f(g, b, h));
    *ok = mf_and(m, mf_and(prod_ok_f(g, a, h1), abs_in_f(vf_abs(*gb), 0x1p-100f, 0x1p100f)));
    return ga;
}
RK_INLINE vf swiglu_bwd_bulk_f(vf a, vf b, vf g, vf *gb, mf *ok) {
    vf A = vf_add(vf_set1(1.0f), a);                     /* 1 + a = A + Al exactly */
    vf Al = vf_add(vf_sub(vf_set1(1.0f), A), a);
    vf ga = sig_gated_bwd_f(vf_neg(a), vf_zero(), A, Al, a, b, g, gb, ok);
    *ok = mf_and(*ok, mf_and(vf_ge(a, vf_set1(-16.0f)), vf_le(a, vf_set1(87.0f))));
    return ga;
}
/* geglu_tanh's backward in float32 arithmetic, swiglu's with v for a: w = e^-v, v =
 * 2 sqrt(2/pi) (a + 0.044715 a^3) in double-word, A = 1 + a v' (gelu.c's
 * gelu_tanh_dargs_f, as gelu_tanh_backward's bulk), 1 + w = Eh + El:
 *   gb = (g a) / (Eh + El), one corrected division;
 *   ga = (g b) (1 + w A) / (1 + w)^2 = (h + l)(q0 + corr), one rounding.
 * Bulk: a in [-4.85, 1e4] (-v <= 16), the products and gb as swiglu's. */
RK_INLINE vf geglu_tanh_bwd_bulk_f(vf a, vf b, vf g, vf *gb, mf *ok) {
    vf vh, vlo, ul, A, Al, u = gelu_tanh_dargs_f(a, &vh, &vlo, &ul, &A, &Al);
    vf ga = sig_gated_bwd_f(u, ul, A, Al, a, b, g, gb, ok);
    *ok = mf_and(*ok, mf_and(vf_ge(a, vf_set1(-4.85f)), vf_le(a, vf_set1(1e4f))));
    return ga;
}
/* per lane: the float32 bulk, else the fast float64 path (two halves of the vector,
 * one rounding), else the careful float64 core (the whole-vector tests only skip
 * work no lane needs) */
#define RK_GATED_FWD(op)                                                             \
    static inline vd op##_d(vd b, vd a, vd pa, vd pb) {                              \
        (void)pa; (void)pb;                                                          \
        return op##_core_d(a, b);                                                    \
    }                                                                                \
    RK_COLD vf op##_rare_f(vf b, vf a, vf y, mf ok1) {                               \
        vf act = RK_GLU_IS_##op ? b : a, oth = RK_GLU_IS_##op ? a : b;               \
        mf ok2 = mf_and(vf_le(vf_abs(act), vf_set1(RK_LIM_##op)), finite_f(oth));    \
        vf yf = vd2_vf(op##_fast_d(vf_lo_vd(a), vf_lo_vd(b)),                        \
                       op##_fast_d(vf_hi_vd(a), vf_hi_vd(b)));                       \
        if (!mf_all(mf_or(ok1, ok2))) {                                              \
            vf yc = vd2_vf(op##_core_d(vf_lo_vd(a), vf_lo_vd(b)),                    \
                           op##_core_d(vf_hi_vd(a), vf_hi_vd(b)));                   \
            yf = vf_select(ok2, yf, yc);                                             \
        }                                                                            \
        return vf_select(ok1, y, yf);                                                \
    }                                                                                \
    RK_INLINE vf op##_f(vf b, vf a, vf pa, vf pb) {                                  \
        (void)pa; (void)pb;                                                          \
        mf ok1;                                                                      \
        vf y = op##_bulk_f(b, a, &ok1);                                              \
        if (__builtin_expect(mf_all(ok1), 1)) return y;                              \
        return op##_rare_f(b, a, y, ok1);                                            \
    }
#define RK_GATED_BWD(op)                                                             \
    static inline vd op##_bwd_d(vd a, vd b, vd g, vd *gb) {                          \
        return op##_bwd_core64_d(a, b, g, gb);                                       \
    }                                                                                \
    RK_COLD vf op##_bwd_rare_f(vf a, vf b, vf g, vf ga0, vf *gb, mf ok0) {           \
        vd gbl, gbh, gal, gah;                                                       \
        vf act = RK_GLU_IS_##op ? b : a, oth = RK_GLU_IS_##op ? a : b;               \
        mf ok = mf_and(vf_le(vf_abs(act), vf_set1(RK_LIM_##op)),                     \
                       mf_and(finite_f(oth), finite_f(g)));                          \
        gal = op##_bwd_fast_d(vf_lo_vd(a), vf_lo_vd(b), vf_lo_vd(g), &gbl);          \
        gah = op##_bwd_fast_d(vf_hi_vd(a), vf_hi_vd(b), vf_hi_vd(g), &gbh);          \
        vf ga = vd2_vf(gal, gah);                                                    \
        vf gb1 = vd2_vf(gbl, gbh);                                                   \
        if (!mf_all(ok)) {                                                           \
            gal = op##_bwd_core_d(vf_lo_vd(a), vf_lo_vd(b), vf_lo_vd(g), &gbl);      \
            gah = op##_bwd_core_d(vf_hi_vd(a), vf_hi_vd(b), vf_hi_vd(g), &gbh);      \
            ga = vf_select(ok, ga, vd2_vf(gal, gah));                                \
            gb1 = vf_select(ok, gb1, vd2_vf(gbl, gbh));                              \
        }                                                                            \
        *gb = vf_select(ok0, *gb, gb1);                                              \
        return vf_select(ok0, ga0, ga);                                              \
    }                                                                                \
    RK_INLINE vf op##_bwd_f(vf a, vf b, vf g, vf *gb) {                              \
        mf ok0;                                                                      \
        vf ga0 = op##_bwd_bulk_f(a, b, g, gb, &ok0);                                 \
        if (__builtin_expect(mf_all(ok0), 1)) return ga0;                            \
        return op##_bwd_rare_f(a, b, g, ga0, gb, ok0);                               \
    }
#define RK_GLU_IS_glu 1
#define RK_GLU_IS_swiglu 0
#define RK_GLU_IS_geglu 0
#define RK_GLU_IS_geglu_tanh 0

RK_GATED_FWD(glu)
RK_GATED_BWD(glu)
RK_GATED_FWD(geglu)
RK_GATED_BWD(geglu)
RK_GATED_FWD(geglu_tanh)
RK_GATED_BWD(geglu_tanh)
RK_GATED_FWD(swiglu)
RK_GATED_BWD(swiglu)

/* reglu: exact products, in the vector's own precision */
#define RK_REGLU_BODIES(V, P, S)                                                     \
    static inline V reglu_##S(V b, V a, V pa, V pb) {                                \
        (void)pa; (void)pb;                                                          \
        V r = P##_select(P##_lt(a, P##_zero()), P##_zero(), a); /* relu; NaN stays */ \
        return P##_mul(r, b);                                                        \
    }                                                                                \
    static inline V reglu_bwd_##S(V a, V b, V g, V *gb) {                            \
        V r = P##_select(P##_lt(a, P##_zero()), P##_zero(), a);                      \
        *gb = P##_mul(g, r);                                                         \
        return P##_select(P##_gt(a, P##_zero()), P##_mul(g, b),                      \
                          P##_select(P##_isnan(a), a, P##_zero()));                  \
    }
RK_REGLU_BODIES(vf, vf, f)
RK_REGLU_BODIES(vd, vd, d)

RK_KERNELS_2(glu)
RK_KERNELS_3(glu_bwd)
RK_KERNELS_2(reglu)
RK_KERNELS_3(reglu_bwd)
RK_KERNELS_2(geglu)
RK_KERNELS_3(geglu_bwd)
RK_KERNELS_2(geglu_tanh)
RK_KERNELS_3(geglu_tanh_bwd)
RK_KERNELS_2(swiglu)
RK_KERNELS_3(swiglu_bwd)
