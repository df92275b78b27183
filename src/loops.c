/* loops.c: the ufunc inner loops over one kernel table.
 *
 * Routing (results never depend on the route):
 *   parameters all of stride 0    -> the scalar-parameter kernel (rk_params);
 *   parameters vary               -> the array-parameter kernel (_arr);
 *   every operand contiguous      -> that kernel on the arrays themselves;
 *   otherwise                     -> strided operands are gathered into aligned
 *                                    blocks of RK_BLOCK elements, the same kernel
 *                                    runs on the block, the result is scattered.
 * Kernel bodies compute from the raw parameter values in both kernels, so the
 * two parameter routes give the same bits too.
 * A float16 loop whose data has f32par set reads its scalar parameters as float32
 * operands (the wrappers' route: float16 computes in float32, parameters included);
 * it is only ever given stride-0 parameters.
 * Because the strided route runs the very same kernel, a strided, broadcast or
 * reversed view gets bit-identical results to a contiguous array.
 *
 * Every loop saves the floating-point exception flags on entry and restores them
 * on exit, so no op ever reports a floating-point warning (kernels are written
 * not to raise, and this makes it a property of the mechanism).
 */
#include <stdint.h>
#include <string.h>
#include "relukit.h"

#if defined(__x86_64__) || defined(__i386__)
#include <emmintrin.h>
typedef unsigned rk_fpstate;
static inline rk_fpstate rk_fp_save(void) { return _mm_getcsr(); }
static inline void rk_fp_restore(rk_fpstate s) {
    unsigned c = _mm_getcsr();
    if ((c ^ s) & 0x3fu) _mm_setcsr((c & ~0x3fu) | (s & 0x3fu)); /* the six flag bits */
}
#else
#include <fenv.h>
typedef fexcept_t rk_fpstate;
static inline rk_fpstate rk_fp_save(void) {
    fexcept_t f;
    fegetexceptflag(&f, FE_ALL_EXCEPT);
    return f;
}
static inline void rk_fp_restore(rk_fpstate s) { fesetexceptflag(&s, FE_ALL_EXCEPT); }
#endif

#define RK_BLOCK 256
#define RK_ALIGNED __attribute__((aligned(64)))

/* gather m elements of size sizeof(T) from a strided pointer into buf */
#define RK_GATHER(T, buf, src, stride, m)                                            \
    do {                                                                             \
        const char *s_ = (src);                                                      \
        for (size_t j_ = 0; j_ < (m); j_++, s_ += (stride)) memcpy(&(buf)[j_], s_, sizeof(T)); \
    } while (0)
#define RK_SCATTER(T, dst, stride, buf, m)                                           \
    do {                                                                             \
        char *d_ = (dst);                                                            \
        for (size_t j_ = 0; j_ < (m); j_++, d_ += (stride)) memcpy(d_, &(buf)[j_], sizeof(T)); \
    } while (0)

/* float16 bits -> float (exact; for scalar parameters only) */
static float rk_half_to_float(rk_half h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, em = h & 0x7fffu, u;
    if (em >= 0x7c00u) u = 0x7f800000u | ((em & 0x3ffu) << 13);          /* inf, NaN */
    else if (em >= 0x0400u) u = (em << 13) + ((uint32_t)(127 - 15) << 23);  /* normal */
    else {                                                                  /* subnormal, 0 */
        float f = (float)em * 5.9604644775390625e-08f;                      /* em * 2^-24 */
        memcpy(&u, &f, 4);
    }
    u |= sign;
    float f;
    memcpy(&f, &u, 4);
    return f;
}
#define RK_TOF_f16(v) rk_half_to_float(v)
#define RK_TOF_f32(v) (v)
#define RK_TOF_f64(v) (v)

/* ---- tuning: threads and streaming stores ----
 * Elements per thread below which a thread does not pay for its wake-up, per
 * cost class (kernels.inc's last column), from 1- against 2-thread crossovers
 * measured here: relu gains from ~64 Ki elements, elu from ~8 Ki, mish and silu
 * from ~4 Ki (the piecewise ops run near memory speed, the others are 5-20x
 * costlier per element). */
#define RK_GRAIN_CHEAP ((size_t)1 << 15)
#define RK_GRAIN_EXP ((size_t)1 << 12)
#define RK_GRAIN_HEAVY ((size_t)1 << 11)
/* Contiguous out-of-place outputs from this size on are written with
 * non-temporal stores: past the last-level cache a normal store first reads the
 * line it overwrites (read for ownership), a third more memory traffic. */
#define RK_STREAM_BYTES_DEFAULT ((size_t)16 << 20)

static size_t rk_grain_override = 0;
static size_t rk_stream_bytes = RK_STREAM_BYTES_DEFAULT;

void rk_set_tuning(size_t grain, size_t stream_bytes) {
    rk_grain_override = grain;
    rk_stream_bytes = stream_bytes ? stream_bytes : RK_STREAM_BYTES_DEFAULT;
}
void rk_get_tuning(size_t *grain, size_t *stream_bytes) {
    *grain = rk_grain_override;
    *stream_bytes = rk_stream_bytes;
}

/* non-temporal stores are weakly ordered: fence them before anyone reads y */
static inline void rk_stream_fence(void) {
#if defined(__SSE2__)
    _mm_sfence();
#endif
}

/* What a worker needs to run a piece of a loop call. */
typedef struct rk_task {
    char **args;
    const ptrdiff_t *steps;
    void *data;
    int nargs, stream;
    rk_fpstate fp;        /* the caller's floating-point control (rounding, FTZ) */
} rk_task;

#if defined(__x86_64__) || defined(__i386__)
/* run with the caller's control bits and clean flags; give back our own after */
#define RK_TASK_FP_ENTER(t) const unsigned own_ = _mm_getcsr(); _mm_setcsr((t)->fp & ~0x3fu)
#define RK_TASK_FP_LEAVE() _mm_setcsr(own_)
#else
#define RK_TASK_FP_ENTER(t) (void)(t)
#define RK_TASK_FP_LEAVE() ((void)0)
#endif

#define RK_MAXARGS 5

/* One kernel call over m elements: the scalar- or array-parameter kernel. */
#define RK_KCALL(m_, x_, g_, y_, a_, b_)                                             \
    do {                                                                             \
        if (scal) {                                                                  \
            if (nin == 1) e1->k((m_), (x_), (y_), &prm);                             \
            else e2->k((m_), (x_), (g_), (y_), &prm);                                \
        } else {                                                                     \
            if (nin == 1) e1->a((m_), (x_), (y_), (a_), (b_));                       \
            else e2->a((m_), (x_), (g_), (y_), (a_), (b_));                          \
        }                                                                            \
    } while (0)

/* The loop of one float dtype, for every row shape (nin 1|2, npar 0..2).
 * ufunc operand order: [g,] x, [p0, [p1,]] y; kernels take (x, [g,] y, ...).
 * run_<tag> does the work for n elements; stream: write y with non-temporal
 * stores (decided once per call, from the whole call's size). */
#define RK_DEFINE_FLOAT_LOOP(tag, T)                                                 \
    static void run_##tag(char **args, size_t n, const ptrdiff_t *steps, void *data, \
                          int stream) {                                              \
        const rk_loopdata *ld = (const rk_loopdata *)data;                           \
        const int nin = ld->nin, npar = ld->npar;                                    \
        const rk_e1_##tag *e1 = (const rk_e1_##tag *)ld->entry;                      \
        const rk_e2_##tag *e2 = (const rk_e2_##tag *)ld->entry;                      \
        const ptrdiff_t es = (ptrdiff_t)sizeof(T);                                   \
        char *pg = nin == 2 ? args[0] : NULL, *px = args[nin - 1];                   \
        char *pp0 = npar ? args[nin] : NULL, *pp1 = npar == 2 ? args[nin + 1] : pp0; \
        char *py = args[nin + npar];                                                 \
        const ptrdiff_t sg = nin == 2 ? steps[0] : es, sx = steps[nin - 1];          \
        const ptrdiff_t sp0 = npar ? steps[nin] : 0, sp1 = npar == 2 ? steps[nin + 1] : sp0; \
        const ptrdiff_t sy = steps[nin + npar];                                      \
        const int cx = sx == es, cg = sg == es, cy = sy == es;                       \
        const int scal = sp0 == 0 && sp1 == 0, cp0 = sp0 == es, cp1 = sp1 == es;    \
        rk_params prm = {{0}, {0}, 0};                                                  \
        if (npar && scal && n) {                                                     \
            prm.d[0] = ld->f32par ? (double)*(const float *)pp0                       \
                                  : (double)RK_TOF_##tag(*(const T *)pp0);            \
            prm.d[1] = ld->f32par ? (double)*(const float *)pp1                       \
                                  : (double)RK_TOF_##tag(*(const T *)pp1);            \
            prm.f[0] = (float)prm.d[0];                                              \
            prm.f[1] = (float)prm.d[1];                                              \
        }                                                                            \
        if (cx && cg && cy && (scal || (cp0 && cp1))) {                              \
            const T *x = (const T *)px, *g = (const T *)pg;                          \
            const T *a = (const T *)pp0, *b = (const T *)pp1;                        \
            T *y = (T *)py;                                                          \
            const size_t head = ((64 - ((uintptr_t)y & 63)) & 63) / sizeof(T);      \
            if (!stream || !scal || ((uintptr_t)y % sizeof(T)) || head >= n) {      \
                RK_KCALL(n, x, g, y, a, b);                                          \
                return;                                                              \
            }                                                                        \
            /* the unaligned head with ordinary stores, the rest streamed (the     \
             * kernel is elementwise: every element gets the same bits) */         \
            RK_KCALL(head, x, g, y, a, b);                                           \
            prm.stream = 1;                                                          \
            RK_KCALL(n - head, x + head, nin == 2 ? g + head : g, y + head, a, b);  \
            rk_stream_fence();                                                       \
            return;                                                                  \
        }                                                                            \
        T bx[RK_BLOCK] RK_ALIGNED, bg[RK_BLOCK] RK_ALIGNED, by[RK_BLOCK] RK_ALIGNED; \
        T ba[RK_BLOCK] RK_ALIGNED, bb[RK_BLOCK] RK_ALIGNED;                          \
        for (size_t i = 0; i < n; i += RK_BLOCK) {                                   \
            const size_t m = n - i < RK_BLOCK ? n - i : RK_BLOCK;                    \
            const ptrdiff_t o = (ptrdiff_t)i;                                        \
            const T *x = bx, *g = bg, *a = ba, *b = bb;                              \
            T *y = cy ? (T *)(py + o * sy) : by;                                     \
            if (cx) x = (const T *)(px + o * sx); else RK_GATHER(T, bx, px + o * sx, sx, m); \
            if (nin == 2) {                                                          \
                if (cg) g = (const T *)(pg + o * sg); else RK_GATHER(T, bg, pg + o * sg, sg, m); \
            }                                                                        \
            if (!scal) {                                                             \
                if (cp0) a = (const T *)(pp0 + o * sp0); else RK_GATHER(T, ba, pp0 + o * sp0, sp0, m); \
                if (cp1) b = (const T *)(pp1 + o * sp1); else RK_GATHER(T, bb, pp1 + o * sp1, sp1, m); \
            }                                                                        \
            RK_KCALL(m, x, g, y, a, b);                                              \
            if (!cy) RK_SCATTER(T, py + o * sy, sy, by, m);                          \
        }                                                                            \
    }                                                                                \
    static void task_##tag(void *ctx, size_t b, size_t e) {                          \
        const rk_task *t = (const rk_task *)ctx;                                     \
        char *a[RK_MAXARGS];                                                         \
        for (int k = 0; k < t->nargs; k++) a[k] = t->args[k] + (ptrdiff_t)b * t->steps[k]; \
        RK_TASK_FP_ENTER(t);                                                         \
        run_##tag(a, e - b, t->steps, t->data, t->stream);                           \
        RK_TASK_FP_LEAVE();                                                          \
    }                                                                                \
    static void loop_##tag(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, \
                           void *data) {                                             \
        const rk_loopdata *ld = (const rk_loopdata *)data;                           \
        const size_t n = (size_t)dims[0];                                            \
        const int nargs = ld->nin + ld->npar + 1;                                    \
        const ptrdiff_t es = (ptrdiff_t)sizeof(T);                                   \
        int stream = 0;                                                              \
        if (n * sizeof(T) >= rk_stream_bytes && steps[nargs - 1] == es) {            \
            /* out of place: y is none of the inputs (NumPy never passes a partial  \
             * overlap to a loop) */                                                 \
            stream = 1;                                                              \
            for (int k = 0; k < nargs - 1; k++) stream &= args[k] != args[nargs - 1]; \
        }                                                                            \
        const rk_fpstate fp = rk_fp_save();                                          \
        const size_t grain = rk_grain_override ? rk_grain_override : ld->grain;      \
        if (n >= 2 * grain) {                                                        \
            rk_task t = {args, steps, data, nargs, stream, fp};                      \
            rk_parallel_for(n, grain, task_##tag, &t);                               \
        } else {                                                                     \
            run_##tag(args, n, steps, data, stream);                                 \
        }                                                                            \
        rk_fp_restore(fp);                                                           \
    }

/* integer loops: one array operand, no parameters (relu) */
#define RK_DEFINE_INT_LOOP(tag, T)                                                   \
    static void run_##tag(char **args, size_t n, const ptrdiff_t *steps, void *data) { \
        const rk_e1_##tag *e = (const rk_e1_##tag *)((const rk_loopdata *)data)->entry; \
        const rk_params prm = {{0}, {0}, 0};                                            \
        const ptrdiff_t sx = steps[0], sy = steps[1], es = (ptrdiff_t)sizeof(T);     \
        if (sx == es && sy == es) {                                                  \
            e->k(n, (const T *)args[0], (T *)args[1], &prm);                         \
            return;                                                                  \
        }                                                                            \
        T bx[RK_BLOCK] RK_ALIGNED, by[RK_BLOCK] RK_ALIGNED;                          \
        for (size_t i = 0; i < n; i += RK_BLOCK) {                                   \
            const size_t m = n - i < RK_BLOCK ? n - i : RK_BLOCK;                    \
            RK_GATHER(T, bx, args[0] + (ptrdiff_t)i * sx, sx, m);                    \
            e->k(m, bx, by, &prm);                                                   \
            RK_SCATTER(T, args[1] + (ptrdiff_t)i * sy, sy, by, m);                   \
        }                                                                            \
    }                                                                                \
    static void task_##tag(void *ctx, size_t b, size_t e) {                          \
        const rk_task *t = (const rk_task *)ctx;                                     \
        char *a[2] = {t->args[0] + (ptrdiff_t)b * t->steps[0],                       \
                      t->args[1] + (ptrdiff_t)b * t->steps[1]};                      \
        run_##tag(a, e - b, t->steps, t->data);                                      \
    }                                                                                \
    static void loop_##tag(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, \
                           void *data) {                                             \
        const rk_loopdata *ld = (const rk_loopdata *)data;                           \
        const size_t n = (size_t)dims[0];                                            \
        const size_t grain = rk_grain_override ? rk_grain_override : ld->grain;      \
        if (n >= 2 * grain) {                                                        \
            rk_task t = {args, steps, data, 2, 0, 0};                                \
            rk_parallel_for(n, grain, task_##tag, &t);                               \
        } else {                                                                     \
            run_##tag(args, n, steps, data);                                         \
        }                                                                            \
    }

RK_FOREACH_FLOAT(RK_DEFINE_FLOAT_LOOP)
RK_FOREACH_INT(RK_DEFINE_INT_LOOP)

/* The gated backward's loop (nin == 3): ufunc operands (g, a, b, ga, gb); kernel
 * (a, b, g, ga, gb).  Contiguous operands go to the kernel; otherwise blocks are
 * gathered and scattered as above, so every route gives the same bits. */
#define RK_DEFINE_GATED_LOOP(tag, T)                                                 \
    static void run3_##tag(char **args, size_t n, const ptrdiff_t *steps, void *data) { \
        const rk_loopdata *ld = (const rk_loopdata *)data;                           \
        const rk_e3_##tag *e = (const rk_e3_##tag *)ld->entry;                       \
        const rk_params prm = {{0}, {0}, 0};                                         \
        const ptrdiff_t es = (ptrdiff_t)sizeof(T);                                   \
        int contig = 1;                                                              \
        for (int k = 0; k < 5; k++) contig &= steps[k] == es;                        \
        if (contig) {                                                                \
            e->k(n, (const T *)args[1], (const T *)args[2], (const T *)args[0],     \
                 (T *)args[3], (T *)args[4], &prm);                                  \
            return;                                                                  \
        }                                                                            \
        T bg[RK_BLOCK] RK_ALIGNED, ba[RK_BLOCK] RK_ALIGNED, bb[RK_BLOCK] RK_ALIGNED; \
        T bga[RK_BLOCK] RK_ALIGNED, bgb[RK_BLOCK] RK_ALIGNED;                        \
        for (size_t i = 0; i < n; i += RK_BLOCK) {                                   \
            const size_t m = n - i < RK_BLOCK ? n - i : RK_BLOCK;                    \
            const ptrdiff_t o = (ptrdiff_t)i;                                        \
            const T *g = bg, *a = ba, *b = bb;                                       \
            T *ga = steps[3] == es ? (T *)(args[3] + o * es) : bga;                  \
            T *gb = steps[4] == es ? (T *)(args[4] + o * es) : bgb;                  \
            if (steps[0] == es) g = (const T *)(args[0] + o * es);                   \
            else RK_GATHER(T, bg, args[0] + o * steps[0], steps[0], m);              \
            if (steps[1] == es) a = (const T *)(args[1] + o * es);                   \
            else RK_GATHER(T, ba, args[1] + o * steps[1], steps[1], m);              \
            if (steps[2] == es) b = (const T *)(args[2] + o * es);                   \
            else RK_GATHER(T, bb, args[2] + o * steps[2], steps[2], m);              \
            e->k(m, a, b, g, ga, gb, &prm);                                          \
            if (steps[3] != es) RK_SCATTER(T, args[3] + o * steps[3], steps[3], bga, m); \
            if (steps[4] != es) RK_SCATTER(T, args[4] + o * steps[4], steps[4], bgb, m); \
        }                                                                            \
    }                                                                                \
    static void task3_##tag(void *ctx, size_t b, size_t e) {                         \
        const rk_task *t = (const rk_task *)ctx;                                     \
        char *a[RK_MAXARGS];                                                         \
        for (int k = 0; k < 5; k++) a[k] = t->args[k] + (ptrdiff_t)b * t->steps[k]; \
        RK_TASK_FP_ENTER(t);                                                         \
        run3_##tag(a, e - b, t->steps, t->data);                                     \
        RK_TASK_FP_LEAVE();                                                          \
    }                                                                                \
    static void loop3_##tag(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, \
                            void *data) {                                            \
        const rk_loopdata *ld = (const rk_loopdata *)data;                           \
        const size_t n = (size_t)dims[0];                                            \
        const rk_fpstate fp = rk_fp_save();                                          \
        const size_t grain = rk_grain_override ? rk_grain_override : ld->grain;      \
        if (n >= 2 * grain) {                                                        \
            rk_task t = {args, steps, data, 5, 0, fp};                               \
            rk_parallel_for(n, grain, task3_##tag, &t);                              \
        } else {                                                                     \
            run3_##tag(args, n, steps, data);                                        \
        }                                                                            \
        rk_fp_restore(fp);                                                           \
    }

RK_FOREACH_FLOAT(RK_DEFINE_GATED_LOOP)

#define RK_INFO_SET(op, tag, name)                                                   \
    info[op].loop[RK_##tag] = info[op].nin == 3 ? loop3_##tag : loop_##tag;         \
    info[op].ld[RK_##tag].entry = &t->tag##_##name;                                  \
    info[op].ld[RK_##tag].nin = info[op].nin;                                        \
    info[op].ld[RK_##tag].npar = info[op].npar;                                      \
    info[op].ld[RK_##tag].grain = grain_;                                            \
    info[op].data[RK_##tag] = &info[op].ld[RK_##tag];
#define RK_INFO_SETI(op, tag, name)                                                  \
    info[op].loop[RK_##tag] = loop_##tag;                                            \
    info[op].ld[RK_##tag].entry = &t->tag##_##name;                                  \
    info[op].ld[RK_##tag].nin = info[op].nin;                                        \
    info[op].ld[RK_##tag].npar = info[op].npar;                                      \
    info[op].ld[RK_##tag].grain = grain_;                                            \
    info[op].data[RK_##tag] = &info[op].ld[RK_##tag];
#define RK_INFO_INTS_0(op, name)
#define RK_INFO_INTS_1(op, name)                                                     \
    RK_INFO_SETI(op, i8, name) RK_INFO_SETI(op, u8, name)                              \
    RK_INFO_SETI(op, i16, name) RK_INFO_SETI(op, u16, name)                            \
    RK_INFO_SETI(op, i32, name) RK_INFO_SETI(op, u32, name)                            \
    RK_INFO_SETI(op, i64, name) RK_INFO_SETI(op, u64, name)

void rk_fill_opinfo(const rk_table *t, rk_opinfo *info) {
    memset(info, 0, sizeof(rk_opinfo) * RK_NOPS);
#define RK_OP(name_, nin_, npar_, ints_, cost_)                                             \
    {                                                                                \
        _Static_assert(nin_ >= 1 && nin_ <= 3, "nin is 1, 2 or 3 (gated backward)"); \
        _Static_assert(nin_ != 3 || npar_ == 0, "gated backward rows take no parameters"); \
        _Static_assert(npar_ >= 0 && npar_ <= 2, "at most two parameters");         \
        _Static_assert(ints_ == 0 || (nin_ == 1 && npar_ == 0),                      \
                       "integer loops need nin == 1 and no parameters");             \
        const int op = RK_OPID_##name_;                                              \
        info[op].name = #name_;                                                      \
        info[op].nin = nin_;                                                         \
        info[op].npar = npar_;                                                       \
        info[op].ints = ints_;                                                       \
        const size_t grain_ = RK_GRAIN_##cost_;   /* the row's cost class */         \
        RK_INFO_SET(op, f16, name_)                                                  \
        info[op].ld_f16p32 = info[op].ld[RK_f16];                                    \
        info[op].ld_f16p32.f32par = 1;                                               \
        info[op].data_f16p32 = &info[op].ld_f16p32;                                  \
        RK_INFO_SET(op, f32, name_)                                                  \
        RK_INFO_SET(op, f64, name_)                                                  \
        RK_INFO_INTS_##ints_(op, name_)                                              \
    }
#include "kernels.inc"
#undef RK_OP
}
