/* kdef.h: turns per-op vector bodies into the kernels of the contract.
 *
 * A family file defines, for each row of kernels.inc it implements,
 *   nin == 1:  static inline vf NAME_f(vf x, vf pa, vf pb);   vd NAME_d(vd x, vd pa, vd pb);
 *   nin == 2:  static inline vf NAME_f(vf x, vf g, vf pa, vf pb); and NAME_d likewise,
 * where pa, pb are the op's parameters broadcast to a vector (0 when unused), and
 * then writes RK_KERNELS_1(NAME) or RK_KERNELS_2(NAME) (ops without parameters), or
 * RK_KERNELS_1P(NAME) / RK_KERNELS_2P(NAME) (ops with parameters: also emits the
 * array-parameter kernels NAME_arr, which load pa, pb per element).  That gives
 * the f16, f32 and f64 kernels for the current target: a main loop unrolled 4x,
 * a one-vector loop, and a masked tail that runs the same body (so every element
 * of a call, wherever it falls, gets the same bits).  f16 is widened to f32,
 * computed by NAME_f and rounded once.  Bodies must compute from pa, pb as given
 * (no precomputed reciprocals), so both parameter routes give identical bits.
 */
#ifndef RK_KDEF_H
#define RK_KDEF_H
#include "simd/simd.h"

#define RK_MAIN_1(V, L, LOAD, STORE, F)                                             \
    for (; i + 4 * (L) <= n; i += 4 * (L)) {                                        \
        V a0 = LOAD(x + i), a1 = LOAD(x + i + (L));                                 \
        V a2 = LOAD(x + i + 2 * (L)), a3 = LOAD(x + i + 3 * (L));                   \
        STORE(y + i, F(a0, pa, pb));                                                \
        STORE(y + i + (L), F(a1, pa, pb));                                          \
        STORE(y + i + 2 * (L), F(a2, pa, pb));                                      \
        STORE(y + i + 3 * (L), F(a3, pa, pb));                                      \
    }

/* stream: the caller asks for non-temporal stores (p->stream); they are used
 * only where y is aligned to the vector's width, and store the same bits */
#define RK_LOOP_1(V, L, LOAD, STORE, LOADT, STORET, F, STREAM)                      \
    size_t i = 0;                                                                   \
    if (p->stream && (uintptr_t)y % ((L) * sizeof *y) == 0) {                       \
        RK_MAIN_1(V, L, LOAD, STREAM, F)                                            \
    }                                                                               \
    RK_MAIN_1(V, L, LOAD, STORE, F)                                                 \
    for (; i + (L) <= n; i += (L)) STORE(y + i, F(LOAD(x + i), pa, pb));            \
    if (i < n) STORET(y + i, F(LOADT(x + i, n - i), pa, pb), n - i);

#define RK_MAIN_2(V, L, LOAD, STORE, F)                                             \
    for (; i + 4 * (L) <= n; i += 4 * (L)) {                                        \
        V a0 = LOAD(x + i), a1 = LOAD(x + i + (L));                                 \
        V a2 = LOAD(x + i + 2 * (L)), a3 = LOAD(x + i + 3 * (L));                   \
        V g0 = LOAD(g + i), g1 = LOAD(g + i + (L));                                 \
        V g2 = LOAD(g + i + 2 * (L)), g3 = LOAD(g + i + 3 * (L));                   \
        STORE(y + i, F(a0, g0, pa, pb));                                            \
        STORE(y + i + (L), F(a1, g1, pa, pb));                                      \
        STORE(y + i + 2 * (L), F(a2, g2, pa, pb));                                  \
        STORE(y + i + 3 * (L), F(a3, g3, pa, pb));                                  \
    }

#define RK_LOOP_2(V, L, LOAD, STORE, LOADT, STORET, F, STREAM)                      \
    size_t i = 0;                                                                   \
    if (p->stream && (uintptr_t)y % ((L) * sizeof *y) == 0) {                       \
        RK_MAIN_2(V, L, LOAD, STREAM, F)                                            \
    }                                                                               \
    RK_MAIN_2(V, L, LOAD, STORE, F)                                                 \
    for (; i + (L) <= n; i += (L)) STORE(y + i, F(LOAD(x + i), LOAD(g + i), pa, pb)); \
    if (i < n) STORET(y + i, F(LOADT(x + i, n - i), LOADT(g + i, n - i), pa, pb), n - i);

#define RK_KERNELS_1(name)                                                          \
    void RK_SYM(rk_f32_##name)(size_t n, const float *x, float *y, const rk_params *p) { \
        const vf pa = vf_set1(p->f[0]), pb = vf_set1(p->f[1]);                      \
        RK_LOOP_1(vf, RK_VF_LANES, vf_load, vf_store, vf_load_tail, vf_store_tail, name##_f, vf_stream) \
    }                                                                               \
    void RK_SYM(rk_f64_##name)(size_t n, const double *x, double *y, const rk_params *p) { \
        const vd pa = vd_set1(p->d[0]), pb = vd_set1(p->d[1]);                      \
        RK_LOOP_1(vd, RK_VD_LANES, vd_load, vd_store, vd_load_tail, vd_store_tail, name##_d, vd_stream) \
    }                                                                               \
    void RK_SYM(rk_f16_##name)(size_t n, const rk_half *x, rk_half *y, const rk_params *p) { \
        const vf pa = vf_set1(p->f[0]), pb = vf_set1(p->f[1]);                      \
        RK_LOOP_1(vf, RK_VF_LANES, vf_load_f16, vf_store_f16, vf_load_f16_tail,     \
                  vf_store_f16_tail, name##_f, vf_stream_f16)                                      \
    }

#define RK_KERNELS_2(name)                                                          \
    void RK_SYM(rk_f32_##name)(size_t n, const float *x, const float *g, float *y,  \
                               const rk_params *p) {                                \
        const vf pa = vf_set1(p->f[0]), pb = vf_set1(p->f[1]);                      \
        RK_LOOP_2(vf, RK_VF_LANES, vf_load, vf_store, vf_load_tail, vf_store_tail, name##_f, vf_stream) \
    }                                                                               \
    void RK_SYM(rk_f64_##name)(size_t n, const double *x, const double *g, double *y, \
                               const rk_params *p) {                                \
        const vd pa = vd_set1(p->d[0]), pb = vd_set1(p->d[1]);                      \
        RK_LOOP_2(vd, RK_VD_LANES, vd_load, vd_store, vd_load_tail, vd_store_tail, name##_d, vd_stream) \
    }                                                                               \
    void RK_SYM(rk_f16_##name)(size_t n, const rk_half *x, const rk_half *g, rk_half *y, \
                               const rk_params *p) {                                \
        const vf pa = vf_set1(p->f[0]), pb = vf_set1(p->f[1]);                      \
        RK_LOOP_2(vf, RK_VF_LANES, vf_load_f16, vf_store_f16, vf_load_f16_tail,     \
                  vf_store_f16_tail, name##_f, vf_stream_f16)                                      \
    }

/* array-parameter loops: pa[i], pb[i] per element */
#define RK_ALOOP_1(V, L, LOAD, STORE, LOADT, STORET, F)                             \
    size_t i = 0;                                                                   \
    for (; i + 2 * (L) <= n; i += 2 * (L)) {                                        \
        V a0 = LOAD(x + i), a1 = LOAD(x + i + (L));                                 \
        V p0 = LOAD(pa + i), p1 = LOAD(pa + i + (L));                               \
        V q0 = LOAD(pb + i), q1 = LOAD(pb + i + (L));                               \
        STORE(y + i, F(a0, p0, q0));                                                \
        STORE(y + i + (L), F(a1, p1, q1));                                          \
    }                                                                               \
    for (; i + (L) <= n; i += (L)) STORE(y + i, F(LOAD(x + i), LOAD(pa + i), LOAD(pb + i))); \
    if (i < n) STORET(y + i, F(LOADT(x + i, n - i), LOADT(pa + i, n - i), LOADT(pb + i, n - i)), n - i);

#define RK_ALOOP_2(V, L, LOAD, STORE, LOADT, STORET, F)                             \
    size_t i = 0;                                                                   \
    for (; i + (L) <= n; i += (L))                                                  \
        STORE(y + i, F(LOAD(x + i), LOAD(g + i), LOAD(pa + i), LOAD(pb + i)));      \
    if (i < n) STORET(y + i, F(LOADT(x + i, n - i), LOADT(g + i, n - i),            \
                               LOADT(pa + i, n - i), LOADT(pb + i, n - i)), n - i);

#define RK_KERNELS_1P(name)                                                         \
    RK_KERNELS_1(name)                                                              \
    void RK_SYM(rk_f32_##name##_arr)(size_t n, const float *x, float *y,            \
                                     const float *pa, const float *pb) {            \
        RK_ALOOP_1(vf, RK_VF_LANES, vf_load, vf_store, vf_load_tail, vf_store_tail, name##_f) \
    }                                                                               \
    void RK_SYM(rk_f64_##name##_arr)(size_t n, const double *x, double *y,          \
                                     const double *pa, const double *pb) {          \
        RK_ALOOP_1(vd, RK_VD_LANES, vd_load, vd_store, vd_load_tail, vd_store_tail, name##_d) \
    }                                                                               \
    void RK_SYM(rk_f16_##name##_arr)(size_t n, const rk_half *x, rk_half *y,        \
                                     const rk_half *pa, const rk_half *pb) {        \
        RK_ALOOP_1(vf, RK_VF_LANES, vf_load_f16, vf_store_f16, vf_load_f16_tail,    \
                   vf_store_f16_tail, name##_f)                                     \
    }

#define RK_KERNELS_2P(name)                                                         \
    RK_KERNELS_2(name)                                                              \
    void RK_SYM(rk_f32_##name##_arr)(size_t n, const float *x, const float *g, float *y, \
                                     const float *pa, const float *pb) {            \
        RK_ALOOP_2(vf, RK_VF_LANES, vf_load, vf_store, vf_load_tail, vf_store_tail, name##_f) \
    }                                                                               \
    void RK_SYM(rk_f64_##name##_arr)(size_t n, const double *x, const double *g,    \
                                     double *y, const double *pa, const double *pb) { \
        RK_ALOOP_2(vd, RK_VD_LANES, vd_load, vd_store, vd_load_tail, vd_store_tail, name##_d) \
    }                                                                               \
    void RK_SYM(rk_f16_##name##_arr)(size_t n, const rk_half *x, const rk_half *g,  \
                                     rk_half *y, const rk_half *pa, const rk_half *pb) { \
        RK_ALOOP_2(vf, RK_VF_LANES, vf_load_f16, vf_store_f16, vf_load_f16_tail,    \
                   vf_store_f16_tail, name##_f)                                     \
    }

/* The gated backward (nin == 3): NAME_f(vf a, vf b, vf g, vf *gb) returns ga and
 * stores gb (NAME_d likewise); both outputs from one pass over a, b, g.  Same
 * loop structure: 2x-unrolled main loop, one-vector loop, masked tail. */
#define RK_LOOP_3(V, L, LOAD, STORE, LOADT, STORET, F)                              \
    size_t i = 0;                                                                   \
    for (; i + 2 * (L) <= n; i += 2 * (L)) {                                        \
        V gb0, gb1;                                                                 \
        V ga0 = F(LOAD(a + i), LOAD(b + i), LOAD(g + i), &gb0);                     \
        V ga1 = F(LOAD(a + i + (L)), LOAD(b + i + (L)), LOAD(g + i + (L)), &gb1);   \
        STORE(ga + i, ga0); STORE(gb + i, gb0);                                     \
        STORE(ga + i + (L), ga1); STORE(gb + i + (L), gb1);                         \
    }                                                                               \
    for (; i + (L) <= n; i += (L)) {                                                \
        V gb0, ga0 = F(LOAD(a + i), LOAD(b + i), LOAD(g + i), &gb0);                \
        STORE(ga + i, ga0); STORE(gb + i, gb0);                                     \
    }                                                                               \
    if (i < n) {                                                                    \
        V gb0, ga0 = F(LOADT(a + i, n - i), LOADT(b + i, n - i), LOADT(g + i, n - i), &gb0); \
        STORET(ga + i, ga0, n - i); STORET(gb + i, gb0, n - i);                     \
    }

#define RK_KERNELS_3(name)                                                          \
    void RK_SYM(rk_f32_##name)(size_t n, const float *a, const float *b, const float *g, \
                               float *ga, float *gb, const rk_params *p) {          \
        (void)p;                                                                    \
        RK_LOOP_3(vf, RK_VF_LANES, vf_load, vf_store, vf_load_tail, vf_store_tail, name##_f) \
    }                                                                               \
    void RK_SYM(rk_f64_##name)(size_t n, const double *a, const double *b, const double *g, \
                               double *ga, double *gb, const rk_params *p) {        \
        (void)p;                                                                    \
        RK_LOOP_3(vd, RK_VD_LANES, vd_load, vd_store, vd_load_tail, vd_store_tail, name##_d) \
    }                                                                               \
    void RK_SYM(rk_f16_##name)(size_t n, const rk_half *a, const rk_half *b,        \
                               const rk_half *g, rk_half *ga, rk_half *gb,          \
                               const rk_params *p) {                                \
        (void)p;                                                                    \
        RK_LOOP_3(vf, RK_VF_LANES, vf_load_f16, vf_store_f16, vf_load_f16_tail,     \
                  vf_store_f16_tail, name##_f)                                      \
    }

#endif
