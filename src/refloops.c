/* refloops.c: ufunc loops over the scalar references of reference.c (double and
 * long double), one per kernels.inc row, for verification only.  Operand order as
 * the op's ufunc: [g,] x, [p0, [p1,]] y. */
#include <math.h>
#include <string.h>
#include "relukit.h"
#include "reference.h"

/* An infinite gradient times a nonzero derivative too small to represent is an
 * infinity (of the product's sign), not inf * 0 = NaN: the kernels keep that
 * convention, and so does the reference here (the sign comes from the
 * underflowed derivative's signed zero).  The piecewise rows' derivatives never
 * underflow: where they are 0 they are exactly 0 (a zero slope, hardswish'(-1.5)),
 * and an infinite gradient times an exact 0 is NaN, as IEEE 754 (and PyTorch). */
static int rk_ref_derivative_exact(const char *row) {
    /* (and the gated forward rows, nin 2 without a gradient: their own convention) */
    static const char *const rows[] = {"leaky_relu_bwd", "hardswish_bwd", "glu", "reglu",
                                       "geglu", "geglu_tanh", "swiglu", NULL};
    for (const char *const *r = rows; *r; r++)
        if (!strcmp(row, *r)) return 1;
    return 0;
}

#define RK_FIX_INF_G(T, FIELD, y, x, g, pa, pb)                                      \
    if (nin == 2 && !exact_ && isnan(y) && !isnan(x) && isinf(g)) {                  \
        T d1_ = e->FIELD(x, (T)1, pa, pb);                                           \
        if (!isnan(d1_)) y = g * (d1_ == 0 ? copysign((T)1, d1_) : d1_);             \
    }

#define RK_DEFINE_REF_LOOP(suffix, T, FIELD)                                         \
    static void ref_loop_##suffix(char **args, const ptrdiff_t *dims,                \
                                  const ptrdiff_t *steps, void *data) {              \
        const rk_refinfo *ri = (const rk_refinfo *)data;                             \
        const int nin = ri->nin, npar = ri->npar;                                    \
        const rk_ref_entry *e = (const rk_ref_entry *)ri->entry;                     \
        const int exact_ = rk_ref_derivative_exact(e->name);                         \
        if (nin == 3) {   /* the gated backward: (g, a, b) -> (ga, gb) */            \
            for (ptrdiff_t i = 0; i < dims[0]; i++) {                                \
                T g = *(const T *)(args[0] + i * steps[0]);                          \
                T a = *(const T *)(args[1] + i * steps[1]);                          \
                T b = *(const T *)(args[2] + i * steps[2]);                          \
                *(T *)(args[3] + i * steps[3]) = e->FIELD(a, g, b, (T)0);            \
                *(T *)(args[4] + i * steps[4]) = e->FIELD##2(a, g, b, (T)0);         \
            }                                                                        \
            return;                                                                  \
        }                                                                            \
        for (ptrdiff_t i = 0; i < dims[0]; i++) {                                    \
            T x = *(const T *)(args[nin - 1] + i * steps[nin - 1]);                  \
            T g = nin == 2 ? *(const T *)(args[0] + i * steps[0]) : (T)0;            \
            T pa = npar ? *(const T *)(args[nin] + i * steps[nin]) : (T)0;           \
            T pb = npar == 2 ? *(const T *)(args[nin + 1] + i * steps[nin + 1]) : (T)0; \
            T y_ = e->FIELD(x, g, pa, pb);                                           \
            RK_FIX_INF_G(T, FIELD, y_, x, g, pa, pb)                                 \
            *(T *)(args[nin + npar] + i * steps[nin + npar]) = y_;                   \
        }                                                                            \
    }
RK_DEFINE_REF_LOOP(d, double, f)
RK_DEFINE_REF_LOOP(g, long double, fl)

int rk_fill_refinfo(rk_refinfo *info) {
    int k = 0;
    memset(info, 0, sizeof(rk_refinfo) * RK_NOPS);
#define RK_OP(name_, nin_, npar_, ints_, cost_)                                             \
    info[k].entry = rk_ref_find(#name_);                                             \
    if (!info[k].entry) return -1;                                                   \
    if ((nin_ == 3) != (((const rk_ref_entry *)info[k].entry)->f2 != NULL)) return -1; \
    info[k].nin = nin_;                                                              \
    info[k].npar = npar_;                                                            \
    info[k].loop_d = ref_loop_d;                                                     \
    info[k].loop_g = ref_loop_g;                                                     \
    k++;
#include "kernels.inc"
#undef RK_OP
    return 0;
}
