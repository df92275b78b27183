/* relukit.h: the kernel contract.
 *
 * A kernel computes one op in one direction over n contiguous elements:
 *
 *   void rk_<dtype>_<op>[_bwd]__<target>(size_t n, const T *x, [const T *g,] T *y,
 *                                         const rk_params *p);
 *
 * The gated family (gated.c) has two more shapes: the forward act(a) * b is a
 * nin == 2 row whose kernel gets x = b, g = a (the ufunc's operands (a, b) in the
 * order of a backward row's (g, x)); the backward is a nin == 3 row,
 *   void rk_<dtype>_<op>_bwd__<target>(size_t n, const T *a, const T *b, const T *g,
 *                                      T *ga, T *gb, const rk_params *p);
 * (ufunc operands (g, a, b) -> (ga, gb)), both gradients in one pass.
 *
 * dtype is f16 (IEEE binary16 bits, computed in float32 and rounded once), f32, f64,
 * or for ops whose row in kernels.inc says so, i8..i64 / u8..u64.  x and y may be
 * the same pointer (in place); any other overlap is not allowed.  Kernels never
 * raise a floating-point exception flag for any input.
 *
 * Each family file is compiled once per target with -DRK_TARGET=<target>; RK_SYM()
 * appends the target to every exported symbol.  dispatch.c fills one rk_table per
 * target from the compiled ones.  No Python headers here or anywhere in src/.
 */
#ifndef RELUKIT_H
#define RELUKIT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint16_t rk_half;   /* IEEE 754 binary16, as stored by numpy.float16 */

/* Scalar parameters of a call, in both precisions (the loop fills both). */
typedef struct rk_params {
    double d[4];
    float f[4];
    /* nonzero: the 4x-unrolled main loop writes y with non-temporal stores
     * where y is aligned to the vector width (same bits, no read for ownership) */
    int stream;
} rk_params;

/* Kernel types by number of array operands and dtype.
 *   rk_k3_T  the gated backward (nin == 3): (a, b, g) -> (ga, gb) in one pass
 *   rk_kN_T  scalar-parameter kernel: parameters in *p (the same for all n elements)
 *   rk_aN_T  array-parameter kernel: parameter k of element i is pk[i] (pb == pa
 *            when the op has one parameter)
 * and the table entry of one (op, dtype): both kernels (a is NULL for npar == 0). */
#define RK_KTYPES(tag, T)                                                          \
    typedef void (*rk_k1_##tag)(size_t n, const T *x, T *y, const rk_params *p);   \
    typedef void (*rk_k2_##tag)(size_t n, const T *x, const T *g, T *y,            \
                                const rk_params *p);                               \
    typedef void (*rk_a1_##tag)(size_t n, const T *x, T *y, const T *pa, const T *pb); \
    typedef void (*rk_a2_##tag)(size_t n, const T *x, const T *g, T *y,            \
                                const T *pa, const T *pb);                         \
    typedef void (*rk_k3_##tag)(size_t n, const T *a, const T *b, const T *g,      \
                                T *ga, T *gb, const rk_params *p);                 \
    typedef void (*rk_a3_##tag)(void);   /* (no array-parameter gated kernels) */  \
    typedef struct { rk_k1_##tag k; rk_a1_##tag a; } rk_e1_##tag;                  \
    typedef struct { rk_k2_##tag k; rk_a2_##tag a; } rk_e2_##tag;                  \
    typedef struct { rk_k3_##tag k; rk_a3_##tag a; } rk_e3_##tag;
RK_KTYPES(f16, rk_half)
RK_KTYPES(f32, float)
RK_KTYPES(f64, double)
RK_KTYPES(i8, int8_t)
RK_KTYPES(i16, int16_t)
RK_KTYPES(i32, int32_t)
RK_KTYPES(i64, int64_t)
RK_KTYPES(u8, uint8_t)
RK_KTYPES(u16, uint16_t)
RK_KTYPES(u32, uint32_t)
RK_KTYPES(u64, uint64_t)
#undef RK_KTYPES

/* The element types a kernel can have, in ufunc loop order after the floats. */
#define RK_FOREACH_FLOAT(X) X(f16, rk_half) X(f32, float) X(f64, double)
#define RK_FOREACH_INT(X)                                                          \
    X(i8, int8_t) X(u8, uint8_t) X(i16, int16_t) X(u16, uint16_t)                  \
    X(i32, int32_t) X(u32, uint32_t) X(i64, int64_t) X(u64, uint64_t)

typedef enum rk_dtype {
#define RK_DT_ENUM(tag, T) RK_##tag,
    RK_FOREACH_FLOAT(RK_DT_ENUM) RK_FOREACH_INT(RK_DT_ENUM)
#undef RK_DT_ENUM
    RK_NDTYPES
} rk_dtype;

/* Integer kernels exist only for rows with ints == 1 (and nin == 1, npar == 0). */
#define RK_INT_FIELDS_0(name, nin)
#define RK_INT_FIELDS_1(name, nin)                                                 \
    rk_e##nin##_i8 i8_##name; rk_e##nin##_u8 u8_##name;                            \
    rk_e##nin##_i16 i16_##name; rk_e##nin##_u16 u16_##name;                        \
    rk_e##nin##_i32 i32_##name; rk_e##nin##_u32 u32_##name;                        \
    rk_e##nin##_i64 i64_##name; rk_e##nin##_u64 u64_##name;

/* The dispatch table: one entry per (op, dtype) for one target. */
typedef struct rk_table {
#define RK_OP(name, nin, npar, ints, cost)                                               \
    rk_e##nin##_f16 f16_##name; rk_e##nin##_f32 f32_##name; rk_e##nin##_f64 f64_##name; \
    RK_INT_FIELDS_##ints(name, nin)
#include "kernels.inc"
#undef RK_OP
    int filled;
} rk_table;

/* Declarations of every kernel of every target (only compiled ones are referenced). */
#define RK_DECL_1(tag, T, name, tgt)                                               \
    void rk_##tag##_##name##__##tgt(size_t n, const T *x, T *y, const rk_params *p);
#define RK_DECL_2(tag, T, name, tgt)                                               \
    void rk_##tag##_##name##__##tgt(size_t n, const T *x, const T *g, T *y,        \
                                    const rk_params *p);
#define RK_DECL_3(tag, T, name, tgt)                                               \
    void rk_##tag##_##name##__##tgt(size_t n, const T *a, const T *b, const T *g,  \
                                    T *ga, T *gb, const rk_params *p);
#define RK_DECLA_1(tag, T, name, tgt)                                              \
    void rk_##tag##_##name##_arr__##tgt(size_t n, const T *x, T *y, const T *pa, const T *pb);
#define RK_DECLA_2(tag, T, name, tgt)                                              \
    void rk_##tag##_##name##_arr__##tgt(size_t n, const T *x, const T *g, T *y,    \
                                        const T *pa, const T *pb);
#define RK_DECL_ARR_0(tag, T, name, tgt, nin)
#define RK_DECL_ARR_1(tag, T, name, tgt, nin) RK_DECLA_##nin(tag, T, name, tgt)
#define RK_DECL_ARR_2(tag, T, name, tgt, nin) RK_DECLA_##nin(tag, T, name, tgt)
#define RK_DECL_INTS_0(name, nin, tgt)
#define RK_DECL_INTS_1(name, nin, tgt)                                             \
    RK_DECL_##nin(i8, int8_t, name, tgt) RK_DECL_##nin(u8, uint8_t, name, tgt)     \
    RK_DECL_##nin(i16, int16_t, name, tgt) RK_DECL_##nin(u16, uint16_t, name, tgt) \
    RK_DECL_##nin(i32, int32_t, name, tgt) RK_DECL_##nin(u32, uint32_t, name, tgt) \
    RK_DECL_##nin(i64, int64_t, name, tgt) RK_DECL_##nin(u64, uint64_t, name, tgt)
#define RK_DECL_FLOAT(tag, T, name, tgt, nin, npar)                                \
    RK_DECL_##nin(tag, T, name, tgt) RK_DECL_ARR_##npar(tag, T, name, tgt, nin)
#define RK_DECL_TARGET(name, nin, npar, ints, tgt)                                 \
    RK_DECL_FLOAT(f16, rk_half, name, tgt, nin, npar)                              \
    RK_DECL_FLOAT(f32, float, name, tgt, nin, npar)                                \
    RK_DECL_FLOAT(f64, double, name, tgt, nin, npar)                               \
    RK_DECL_INTS_##ints(name, nin, tgt)

#define RK_OP(name, nin, npar, ints, cost)                                               \
    RK_DECL_TARGET(name, nin, npar, ints, baseline)                                \
    RK_DECL_TARGET(name, nin, npar, ints, avx2)                                    \
    RK_DECL_TARGET(name, nin, npar, ints, avx512)
#include "kernels.inc"
#undef RK_OP

/* ---- targets and dispatch (dispatch.c) ---- */
typedef enum rk_target { RK_TARGET_BASELINE = 0, RK_TARGET_AVX2 = 1, RK_TARGET_AVX512 = 2,
                         RK_NTARGETS } rk_target;

const char *rk_target_name(int target);
int rk_target_compiled(int target);   /* built into this binary */
int rk_target_supported(int target);  /* compiled and runnable on this CPU */
int rk_best_target(void);
/* Fills (once, thread-safely) and returns the table of a compiled, supported
 * target, or NULL. */
const rk_table *rk_get_table(int target);
/* Comma-separated CPU features relukit looked at, for show_config. */
const char *rk_cpu_features(void);

/* ---- ufunc inner loops (loops.c) ---- */
/* Same ABI as NumPy's PyUFuncGenericFunction (npy_intp is ptrdiff_t-sized). */
typedef void (*rk_loop)(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps,
                        void *data);

/* What a loop needs to know: the table entry (an rk_eN_<dtype>) and the shape. */
typedef struct rk_loopdata {
    const void *entry;
    int nin, npar;
    size_t grain;       /* fewest elements per thread worth a thread (loops.c) */
    /* nonzero (float16 loops only): the scalar parameters are float32 operands, so a
     * float16 op computes with its float32 parameter value, not one rounded to 16 bits
     * (torch's opmath rule); such a loop must get stride-0 (scalar) parameters */
    int f32par;
} rk_loopdata;

typedef struct rk_opinfo {
    const char *name;   /* row name, e.g. "relu_bwd" */
    int nin;            /* array operands (ufunc inputs = nin + npar); 3: the gated
                           backward, (g, a, b) -> (ga, gb), the only 2-output shape */
    int npar;
    int ints;
    /* per dtype: the loop and its data (NULL loop: no such dtype) */
    rk_loop loop[RK_NDTYPES];
    void *data[RK_NDTYPES];
    rk_loopdata ld[RK_NDTYPES];   /* what data[] points to */
    /* the float16 loop's data with float32 scalar parameters (loop[RK_f16] runs it) */
    rk_loopdata ld_f16p32;
    void *data_f16p32;
} rk_opinfo;

enum {
#define RK_OP(name, nin, npar, ints, cost) RK_OPID_##name,
#include "kernels.inc"
#undef RK_OP
    RK_NOPS
};

/* Fills info[0..RK_NOPS) with loops bound to table t (info must outlive the ufuncs). */
void rk_fill_opinfo(const rk_table *t, rk_opinfo *info);

/* Tuning, for tests and measurements: grain != 0 replaces every op's
 * elements-per-thread threshold; stream_bytes is the smallest contiguous
 * out-of-place output written with non-temporal stores (0: default). */
void rk_set_tuning(size_t grain, size_t stream_bytes);
void rk_get_tuning(size_t *grain, size_t *stream_bytes);

/* ---- the thread pool (threads.c) ---- */
typedef void (*rk_task_fn)(void *ctx, size_t begin, size_t end);
/* Runs fn over [0, n) in chunks of at least grain elements on up to
 * rk_get_num_threads() threads (the caller included); serially when n is small
 * or the pool is busy with another caller. */
void rk_parallel_for(size_t n, size_t grain, rk_task_fn fn, void *ctx);
int rk_get_num_threads(void);
void rk_set_num_threads(int n);
int rk_available_cpus(void);
int rk_env_num_threads(void);

/* ---- reference loops (refloops.c, over reference.c) ---- */
typedef struct rk_refinfo {
    const void *entry;     /* the row's rk_ref_entry (reference.h) */
    int nin, npar;
    rk_loop loop_d, loop_g;   /* double and long double loops; data = this struct */
} rk_refinfo;
/* Fills info[0..RK_NOPS) in kernels.inc order; -1 if a row has no reference. */
int rk_fill_refinfo(rk_refinfo *info);

/* ---- exhaustive float32 verification (verify.c) ---- */
/* Float32 bit patterns [lo, hi) through the float32 loops of ops[0..nops) (one
 * op's row in several targets' tables) and its double reference, computed once
 * for all of them; parameters pa, pb; gradient g for backward ops; exact: compare
 * bits.  Outputs, per op: the max error in ULP, the bits of the worst input, and
 * the number of inputs whose error exceeds bound. */
int rk_verify_f32(const rk_opinfo *const *ops, int nops, const rk_refinfo *ref,
                  uint64_t lo, uint64_t hi, float pa, float pb, float g, int exact,
                  double bound, double *maxerr, uint32_t *worst, uint64_t *nbad);

#ifdef __cplusplus
}
#endif
#endif
