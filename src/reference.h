/* reference.h: relukit's scalar reference of every activation op (verification only).
 *
 * For each op:
 *   double      rk_ref_<op>(double x, double g, double pa, double pb);
 *   long double rk_refl_<op>(long double x, long double g, long double pa, long double pb);
 * g is the incoming gradient (used by *_bwd ops, ignored by forward ops); pa, pb are
 * the op's parameters (ignored when absent).  *_bwd is the gradient w.r.t. x.
 * NaN x gives NaN (x itself); +-inf gives the mathematical limit; kinks follow PyTorch:
 * relu'(0) = 0, relu6'(0) = relu6'(6) = 0, hardtanh' = 0 at both bounds, leaky'(0) = slope,
 * elu'/celu'/selu'(0) use the negative branch, hardsigmoid'(+-3) = 0, hardswish'(-3) = 0,
 * hardswish'(3) = 1, threshold'(th) = 0, softplus is linear when x*beta > threshold.
 */
#ifndef RK_REFERENCE_H
#define RK_REFERENCE_H

#include <stddef.h>

typedef double (*rk_ref_fn)(double, double, double, double);
typedef long double (*rk_refl_fn)(long double, long double, long double, long double);
/* f, fl: the op (the gated backward: grad_a); f2, fl2: the gated backward's grad_b
 * (NULL for the other rows).  Gated rows (src/gated.c): the forward is called as
 * f(b, a, 0, 0) (the loop's (x, g) slots), the backward as f(a, g, b, 0). */
typedef struct { const char *name; rk_ref_fn f; rk_refl_fn fl; rk_ref_fn f2; rk_refl_fn fl2; } rk_ref_entry;

/* all ops by name ("relu", "elu_bwd", ...), terminated by {NULL, NULL, NULL} */
extern const rk_ref_entry rk_ref_table[];
/* the entry named name, or NULL if unknown */
const rk_ref_entry *rk_ref_find(const char *name);

/* The error criterion of a gradient (the checks and `verify`; relukit/_reference.py
 * states the same rule): the error of a backward row's result is measured in ULP of
 * the result itself, into the subnormals, except within a window around the zero of
 * the derivative the row computes (rk_ref_root), where terms of size ~|g| cancel and
 * the unit is max(ULP, eps |g| / 2).  rk_ref_root gives that zero and the window's
 * half-width, or {NaN, 0} for a row whose derivative has none where it cancels
 * (relukit/_reference.py's DERIVATIVE_ROOTS says why these, and how wide). */
typedef struct { double root, window; } rk_ref_zero;
rk_ref_zero rk_ref_root(const char *row);
/* x within the window around the zero (never for a NaN root or x) */
static inline int rk_ref_near_root(rk_ref_zero z, double x) {
    return x - z.root <= z.window && z.root - x <= z.window;
}

/* relu */
double      rk_ref_relu(double x, double g, double pa, double pb);
long double rk_refl_relu(long double x, long double g, long double pa, long double pb);

/* relu_bwd */
double      rk_ref_relu_bwd(double x, double g, double pa, double pb);
long double rk_refl_relu_bwd(long double x, long double g, long double pa, long double pb);

/* relu6 */
double      rk_ref_relu6(double x, double g, double pa, double pb);
long double rk_refl_relu6(long double x, long double g, long double pa, long double pb);

/* relu6_bwd */
double      rk_ref_relu6_bwd(double x, double g, double pa, double pb);
long double rk_refl_relu6_bwd(long double x, long double g, long double pa, long double pb);

/* hardtanh (pa = min_val, pb = max_val) */
double      rk_ref_hardtanh(double x, double g, double pa, double pb);
long double rk_refl_hardtanh(long double x, long double g, long double pa, long double pb);

/* hardtanh_bwd (pa = min_val, pb = max_val) */
double      rk_ref_hardtanh_bwd(double x, double g, double pa, double pb);
long double rk_refl_hardtanh_bwd(long double x, long double g, long double pa, long double pb);

/* threshold (pa = threshold, pb = value) */
double      rk_ref_threshold(double x, double g, double pa, double pb);
long double rk_refl_threshold(long double x, long double g, long double pa, long double pb);

/* threshold_bwd (pa = threshold) */
double      rk_ref_threshold_bwd(double x, double g, double pa, double pb);
long double rk_refl_threshold_bwd(long double x, long double g, long double pa, long double pb);

/* leaky_relu (pa = negative_slope) */
double      rk_ref_leaky_relu(double x, double g, double pa, double pb);
long double rk_refl_leaky_relu(long double x, long double g, long double pa, long double pb);

/* leaky_relu_bwd (pa = negative_slope) */
double      rk_ref_leaky_relu_bwd(double x, double g, double pa, double pb);
long double rk_refl_leaky_relu_bwd(long double x, long double g, long double pa, long double pb);

/* hardsigmoid */
double      rk_ref_hardsigmoid(double x, double g, double pa, double pb);
long double rk_refl_hardsigmoid(long double x, long double g, long double pa, long double pb);

/* hardsigmoid_bwd */
double      rk_ref_hardsigmoid_bwd(double x, double g, double pa, double pb);
long double rk_refl_hardsigmoid_bwd(long double x, long double g, long double pa, long double pb);

/* hardswish */
double      rk_ref_hardswish(double x, double g, double pa, double pb);
long double rk_refl_hardswish(long double x, long double g, long double pa, long double pb);

/* hardswish_bwd */
double      rk_ref_hardswish_bwd(double x, double g, double pa, double pb);
long double rk_refl_hardswish_bwd(long double x, long double g, long double pa, long double pb);

/* elu (pa = alpha) */
double      rk_ref_elu(double x, double g, double pa, double pb);
long double rk_refl_elu(long double x, long double g, long double pa, long double pb);

/* elu_bwd (pa = alpha) */
double      rk_ref_elu_bwd(double x, double g, double pa, double pb);
long double rk_refl_elu_bwd(long double x, long double g, long double pa, long double pb);

/* celu (pa = alpha) */
double      rk_ref_celu(double x, double g, double pa, double pb);
long double rk_refl_celu(long double x, long double g, long double pa, long double pb);

/* celu_bwd (pa = alpha) */
double      rk_ref_celu_bwd(double x, double g, double pa, double pb);
long double rk_refl_celu_bwd(long double x, long double g, long double pa, long double pb);

/* selu */
double      rk_ref_selu(double x, double g, double pa, double pb);
long double rk_refl_selu(long double x, long double g, long double pa, long double pb);

/* selu_bwd */
double      rk_ref_selu_bwd(double x, double g, double pa, double pb);
long double rk_refl_selu_bwd(long double x, long double g, long double pa, long double pb);

/* silu */
double      rk_ref_silu(double x, double g, double pa, double pb);
long double rk_refl_silu(long double x, long double g, long double pa, long double pb);

/* silu_bwd */
double      rk_ref_silu_bwd(double x, double g, double pa, double pb);
long double rk_refl_silu_bwd(long double x, long double g, long double pa, long double pb);

/* softplus (pa = beta, pb = threshold) */
double      rk_ref_softplus(double x, double g, double pa, double pb);
long double rk_refl_softplus(long double x, long double g, long double pa, long double pb);

/* softplus_bwd (pa = beta, pb = threshold) */
double      rk_ref_softplus_bwd(double x, double g, double pa, double pb);
long double rk_refl_softplus_bwd(long double x, long double g, long double pa, long double pb);

/* mish */
double      rk_ref_mish(double x, double g, double pa, double pb);
long double rk_refl_mish(long double x, long double g, long double pa, long double pb);

/* mish_bwd */
double      rk_ref_mish_bwd(double x, double g, double pa, double pb);
long double rk_refl_mish_bwd(long double x, long double g, long double pa, long double pb);

/* gelu */
double      rk_ref_gelu(double x, double g, double pa, double pb);
long double rk_refl_gelu(long double x, long double g, long double pa, long double pb);

/* gelu_bwd */
double      rk_ref_gelu_bwd(double x, double g, double pa, double pb);
long double rk_refl_gelu_bwd(long double x, long double g, long double pa, long double pb);

/* gelu_tanh */
double      rk_ref_gelu_tanh(double x, double g, double pa, double pb);
long double rk_refl_gelu_tanh(long double x, long double g, long double pa, long double pb);

/* gelu_tanh_bwd */
double      rk_ref_gelu_tanh_bwd(double x, double g, double pa, double pb);
long double rk_refl_gelu_tanh_bwd(long double x, long double g, long double pa, long double pb);

/* backward from the forward's output: elu_bwd_y, celu_bwd_y, selu_bwd_y,
 * softplus_bwd_y, hardsigmoid_bwd_y (argument x is the output y) */
double      rk_ref_elu_bwd_y(double x, double g, double pa, double pb);
long double rk_refl_elu_bwd_y(long double x, long double g, long double pa, long double pb);
double      rk_ref_celu_bwd_y(double x, double g, double pa, double pb);
long double rk_refl_celu_bwd_y(long double x, long double g, long double pa, long double pb);
double      rk_ref_selu_bwd_y(double x, double g, double pa, double pb);
long double rk_refl_selu_bwd_y(long double x, long double g, long double pa, long double pb);
double      rk_ref_softplus_bwd_y(double x, double g, double pa, double pb);
long double rk_refl_softplus_bwd_y(long double x, long double g, long double pa, long double pb);
double      rk_ref_hardsigmoid_bwd_y(double x, double g, double pa, double pb);
long double rk_refl_hardsigmoid_bwd_y(long double x, long double g, long double pa, long double pb);

#endif /* RK_REFERENCE_H */
