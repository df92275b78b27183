/* piecewise.c: ops whose pieces are x, a constant, or x times a parameter.
 *
 * Algorithm (per element, in the vector body):
 *   relu      1. m = x < 0 (quiet compare: false for NaN and for -0.0)
 *             2. y = m ? 0 : x          -> NaN and -0.0 pass through unchanged
 *   relu_bwd  1. y = x > 0 ? g : 0
 *             2. where x is NaN, y = x  (NaN in gives NaN out)
 *   relu on integers: y = x < 0 ? 0 : x, in the input's integer type.
 * Accuracy: exact (0 ULP) in every dtype: results are inputs or constants.
 * Valid input range: every value, NaN and +-inf included; no flag is raised
 * for quiet NaNs.
 */
#include "kdef.h"

static inline vf relu_f(vf x, vf pa, vf pb) {
    (void)pa; (void)pb;
    return vf_select(vf_lt(x, vf_zero()), vf_zero(), x);
}
static inline vd relu_d(vd x, vd pa, vd pb) {
    (void)pa; (void)pb;
    return vd_select(vd_lt(x, vd_zero()), vd_zero(), x);
}
RK_KERNELS_1(relu)

static inline vf relu_bwd_f(vf x, vf g, vf pa, vf pb) {
    (void)pa; (void)pb;
    return vf_select(vf_gt(x, vf_zero()), g, vf_select(vf_isnan(x), x, vf_zero()));
}
static inline vd relu_bwd_d(vd x, vd g, vd pa, vd pb) {
    (void)pa; (void)pb;
    return vd_select(vd_gt(x, vd_zero()), g, vd_select(vd_isnan(x), x, vd_zero()));
}
RK_KERNELS_2(relu_bwd)

/* Integer relu: plain loops the compiler vectorizes for this target's flags. */
#define RK_INT_RELU_SIGNED(tag, T)                                                  \
    void RK_SYM(rk_##tag##_relu)(size_t n, const T *x, T *y, const rk_params *p) {  \
        (void)p;                                                                    \
        for (size_t i = 0; i < n; i++) y[i] = x[i] < 0 ? (T)0 : x[i];               \
    }
#define RK_INT_RELU_UNSIGNED(tag, T)                                                \
    void RK_SYM(rk_##tag##_relu)(size_t n, const T *x, T *y, const rk_params *p) {  \
        (void)p;                                                                    \
        if (x != y) memmove(y, x, n * sizeof(T));                                   \
    }
RK_INT_RELU_SIGNED(i8, int8_t)
RK_INT_RELU_SIGNED(i16, int16_t)
RK_INT_RELU_SIGNED(i32, int32_t)
RK_INT_RELU_SIGNED(i64, int64_t)
RK_INT_RELU_UNSIGNED(u8, uint8_t)
RK_INT_RELU_UNSIGNED(u16, uint16_t)
RK_INT_RELU_UNSIGNED(u32, uint32_t)
RK_INT_RELU_UNSIGNED(u64, uint64_t)
