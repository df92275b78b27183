/* piecewise.c: ops made of pieces that are x, a constant, x times a parameter,
 * or (hardsigmoid, hardswish) a short rational expression.
 *
 * Algorithm (per element, in the vector body; every compare is quiet and false
 * for NaN, so NaN falls through to the identity or to an explicit NaN select):
 *   relu           1. y = x < 0 ? 0 : x            (-0.0, NaN, +inf pass through)
 *   relu_bwd       1. y = x > 0 ? g : 0   2. y = x where x is NaN
 *   relu6          1. y = x < 0 ? 0 : (x > 6 ? 6 : x)
 *   relu6_bwd      1. y = 0 < x < 6 ? g : 0   2. NaN x -> x       (kinks 0, 6: 0)
 *   hardtanh       1. y = x < lo ? lo : (x > hi ? hi : x)
 *   hardtanh_bwd   1. y = lo < x < hi ? g : 0   2. NaN x -> x
 *   threshold      1. y = x <= th ? value : x
 *   threshold_bwd  1. y = x > th ? g : 0   2. NaN x -> x
 *   leaky_relu     1. y = x < 0 ? x * slope : x   (slope 0: -0.0, also at -inf)
 *   leaky_relu_bwd 1. y = x > 0 ? g : g * slope   2. NaN x -> x    (kink 0: slope)
 *   hardsigmoid    1. y = x <= -3 ? 0 : (x >= 3 ? 1 : (x + 3) / 6)
 *   hardsigmoid_bwd 1. y = -3 < x < 3 ? g / 6 : 0   2. NaN x -> x
 *   hardsigmoid_bwd_y  the same from the output y: 0 < y < 1 ? g / 6 : 0
 *   hardswish      1. y = x <= -3 ? -0.0 : (x >= 3 ? x : x * (x + 3) / 6)
 *   hardswish_bwd  1. y = x <= -3 ? 0 : (x >= 3 ? g : g * ((2x + 3) / 6))  (PyTorch's kinks)
 *   relu on integers: y = x < 0 ? 0 : x, in the input's integer type.
 * Accuracy: relu, relu6, hardtanh, threshold, leaky_relu (+ backward) are exact
 * (0 ULP: results are inputs, parameters, or one product rounded once);
 * hardsigmoid <= 1 ULP (two roundings), hardswish <= 2 ULP (three roundings),
 * their backward <= 2 ULP; f16 results are computed in f32 and rounded once.
 * Valid input range: every value, NaN and +-inf included (hardswish(-inf) = -0.0,
 * not NaN).
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


/* Typed helpers written once per vector type: V is vf or vd, P its prefix. */
#define RK_PIECEWISE_BODIES(V, P, S)                                                \
    static inline V relu6_##S(V x, V pa, V pb) {                                    \
        (void)pa; (void)pb;                                                         \
        const V six = P##_set1(6);                                                  \
        return P##_select(P##_lt(x, P##_zero()), P##_zero(),                        \
                          P##_select(P##_gt(x, six), six, x));                      \
    }                                                                               \
    static inline V relu6_bwd_##S(V x, V g, V pa, V pb) {                           \
        (void)pa; (void)pb;                                                         \
        const V six = P##_set1(6);                                                  \
        return P##_select(m##S##_and(P##_gt(x, P##_zero()), P##_lt(x, six)), g,     \
                          P##_select(P##_isnan(x), x, P##_zero()));                 \
    }                                                                               \
    static inline V hardtanh_##S(V x, V lo, V hi) {                                 \
        return P##_select(P##_lt(x, lo), lo, P##_select(P##_gt(x, hi), hi, x));    \
    }                                                                               \
    static inline V hardtanh_bwd_##S(V x, V g, V lo, V hi) {                        \
        return P##_select(m##S##_and(P##_gt(x, lo), P##_lt(x, hi)), g,              \
                          P##_select(P##_isnan(x), x, P##_zero()));                 \
    }                                                                               \
    static inline V threshold_##S(V x, V th, V value) {                             \
        return P##_select(P##_le(x, th), value, x);                                 \
    }                                                                               \
    static inline V threshold_bwd_##S(V x, V g, V th, V pb) {                       \
        (void)pb;                                                                   \
        return P##_select(P##_gt(x, th), g, P##_select(P##_isnan(x), x, P##_zero())); \
    }                                                                               \
    static inline V leaky_relu_##S(V x, V slope, V pb) {                            \
        (void)pb;                                                                   \
        /* slope 0: x * 0 = -0.0 for every x < 0, -inf included (not NaN) */       \
        V p = P##_select(P##_eq(slope, P##_zero()), P##_set1(-0.0), P##_mul(x, slope)); \
        return P##_select(P##_lt(x, P##_zero()), p, x);                             \
    }                                                                               \
    static inline V leaky_relu_bwd_##S(V x, V g, V slope, V pb) {                   \
        (void)pb;                                                                   \
        return P##_select(P##_gt(x, P##_zero()), g,                                 \
                          P##_select(P##_isnan(x), x, P##_mul(g, slope)));          \
    }                                                                               \
    static inline V hardsigmoid_##S(V x, V pa, V pb) {                              \
        (void)pa; (void)pb;                                                         \
        const V three = P##_set1(3), six = P##_set1(6);                             \
        V mid = P##_div(P##_add(x, three), six);                                    \
        return P##_select(P##_le(x, P##_neg(three)), P##_zero(),                    \
                          P##_select(P##_ge(x, three), P##_set1(1), mid));          \
    }                                                                               \
    static inline V hardsigmoid_bwd_##S(V x, V g, V pa, V pb) {                     \
        (void)pa; (void)pb;                                                         \
        const V three = P##_set1(3);                                                \
        return P##_select(m##S##_and(P##_gt(x, P##_neg(three)), P##_lt(x, three)),  \
                          P##_div(g, P##_set1(6)),                                  \
                          P##_select(P##_isnan(x), x, P##_zero()));                 \
    }                                                                               \
    static inline V hardsigmoid_bwd_y_##S(V y, V g, V pa, V pb) {                   \
        (void)pa; (void)pb;                                                         \
        return P##_select(m##S##_and(P##_gt(y, P##_zero()), P##_lt(y, P##_set1(1))), \
                          P##_div(g, P##_set1(6)),                                  \
                          P##_select(P##_isnan(y), y, P##_zero()));                 \
    }                                                                               \
    static inline V hardswish_##S(V x, V pa, V pb) {                                \
        (void)pa; (void)pb;                                                         \
        const V three = P##_set1(3), six = P##_set1(6);                             \
        V mid = P##_div(P##_mul(x, P##_add(x, three)), six);                        \
        /* x <= -3: x * 0, i.e. -0.0 (as PyTorch; and -inf gives -0.0, not NaN) */ \
        return P##_select(P##_le(x, P##_neg(three)), P##_set1(-0.0),                \
                          P##_select(P##_ge(x, three), x, mid));                    \
    }                                                                               \
    static inline V hardswish_bwd_##S(V x, V g, V pa, V pb) {                       \
        (void)pa; (void)pb;                                                         \
        const V three = P##_set1(3);                                                \
        /* g * (2x + 3) / 6 on [-3, 3] (PyTorch: g * (x / 3 + 1/2), same value) */ \
        V mid = P##_mul(g, P##_div(P##_add(P##_add(x, x), three), P##_set1(6)));    \
        return P##_select(P##_le(x, P##_neg(three)), P##_zero(),                    \
                          P##_select(P##_ge(x, three), g, mid));                    \
    }

RK_PIECEWISE_BODIES(vf, vf, f)
RK_PIECEWISE_BODIES(vd, vd, d)
RK_KERNELS_1(relu6)
RK_KERNELS_2(relu6_bwd)
RK_KERNELS_1P(hardtanh)
RK_KERNELS_2P(hardtanh_bwd)
RK_KERNELS_1P(threshold)
RK_KERNELS_2P(threshold_bwd)
RK_KERNELS_1P(leaky_relu)
RK_KERNELS_2P(leaky_relu_bwd)
RK_KERNELS_1(hardsigmoid)
RK_KERNELS_2(hardsigmoid_bwd)
RK_KERNELS_2(hardsigmoid_bwd_y)
RK_KERNELS_1(hardswish)
RK_KERNELS_2(hardswish_bwd)

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
