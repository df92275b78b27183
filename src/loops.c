/* loops.c: the ufunc inner loops over one kernel table.
 *
 * Routing (results never depend on the route):
 *   every operand contiguous      -> the kernel on the arrays themselves;
 *   otherwise                     -> strided operands are gathered into aligned
 *                                    blocks of RK_BLOCK elements, the same kernel
 *                                    runs on the block, the result is scattered.
 * Because the strided route runs the very same kernel, a strided, broadcast or
 * reversed view gets bit-identical results to a contiguous array.
 *
 * Every loop saves the floating-point exception flags on entry and restores them
 * on exit, so no op ever reports a floating-point warning (kernels are written
 * not to raise, and this makes it a property of the mechanism).
 */
#include <string.h>
#include "relukit.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
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

/* one array operand: args = (x, y) */
#define RK_DEFINE_LOOP1(tag, T)                                                      \
    static void loop1_##tag(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, \
                            void *data) {                                            \
        const rk_k1_##tag k = *(const rk_k1_##tag *)data;                            \
        const rk_params prm = {{0}, {0}};                                            \
        const size_t n = (size_t)dims[0];                                            \
        const ptrdiff_t sx = steps[0], sy = steps[1];                                \
        const int cx = sx == (ptrdiff_t)sizeof(T), cy = sy == (ptrdiff_t)sizeof(T);  \
        const rk_fpstate fp = rk_fp_save();                                          \
        if (cx && cy) {                                                              \
            k(n, (const T *)args[0], (T *)args[1], &prm);                            \
        } else {                                                                     \
            T bx[RK_BLOCK] RK_ALIGNED, by[RK_BLOCK] RK_ALIGNED;                      \
            for (size_t i = 0; i < n; i += RK_BLOCK) {                               \
                const size_t m = n - i < RK_BLOCK ? n - i : RK_BLOCK;                \
                const char *px = args[0] + (ptrdiff_t)i * sx;                        \
                char *py = args[1] + (ptrdiff_t)i * sy;                              \
                if (!cx) RK_GATHER(T, bx, px, sx, m);                                \
                k(m, cx ? (const T *)px : bx, cy ? (T *)py : by, &prm);              \
                if (!cy) RK_SCATTER(T, py, sy, by, m);                               \
            }                                                                        \
        }                                                                            \
        rk_fp_restore(fp);                                                           \
    }

/* two array operands: ufunc args = (g, x, y), kernel (x, g, y) */
#define RK_DEFINE_LOOP2(tag, T)                                                      \
    static void loop2_##tag(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, \
                            void *data) {                                            \
        const rk_k2_##tag k = *(const rk_k2_##tag *)data;                            \
        const rk_params prm = {{0}, {0}};                                            \
        const size_t n = (size_t)dims[0];                                            \
        const ptrdiff_t sg = steps[0], sx = steps[1], sy = steps[2];                 \
        const int cg = sg == (ptrdiff_t)sizeof(T), cx = sx == (ptrdiff_t)sizeof(T);  \
        const int cy = sy == (ptrdiff_t)sizeof(T);                                   \
        const rk_fpstate fp = rk_fp_save();                                          \
        if (cg && cx && cy) {                                                        \
            k(n, (const T *)args[1], (const T *)args[0], (T *)args[2], &prm);        \
        } else {                                                                     \
            T bg[RK_BLOCK] RK_ALIGNED, bx[RK_BLOCK] RK_ALIGNED, by[RK_BLOCK] RK_ALIGNED; \
            for (size_t i = 0; i < n; i += RK_BLOCK) {                               \
                const size_t m = n - i < RK_BLOCK ? n - i : RK_BLOCK;                \
                const char *pg = args[0] + (ptrdiff_t)i * sg;                        \
                const char *px = args[1] + (ptrdiff_t)i * sx;                        \
                char *py = args[2] + (ptrdiff_t)i * sy;                              \
                if (!cg) RK_GATHER(T, bg, pg, sg, m);                                \
                if (!cx) RK_GATHER(T, bx, px, sx, m);                                \
                k(m, cx ? (const T *)px : bx, cg ? (const T *)pg : bg,               \
                  cy ? (T *)py : by, &prm);                                          \
                if (!cy) RK_SCATTER(T, py, sy, by, m);                               \
            }                                                                        \
        }                                                                            \
        rk_fp_restore(fp);                                                           \
    }

#define RK_DEFINE_LOOPS(tag, T) RK_DEFINE_LOOP1(tag, T) RK_DEFINE_LOOP2(tag, T)
RK_FOREACH_FLOAT(RK_DEFINE_LOOPS)
RK_FOREACH_INT(RK_DEFINE_LOOP1)

#define RK_INFO_SET(op, tag, nin, name)                                              \
    info[op].loop[RK_##tag] = loop##nin##_##tag;                                     \
    info[op].data[RK_##tag] = (void *)&t->tag##_##name;
#define RK_INFO_INTS_0(op, nin, name)
#define RK_INFO_INTS_1(op, nin, name)                                                \
    RK_INFO_SET(op, i8, nin, name) RK_INFO_SET(op, u8, nin, name)                    \
    RK_INFO_SET(op, i16, nin, name) RK_INFO_SET(op, u16, nin, name)                  \
    RK_INFO_SET(op, i32, nin, name) RK_INFO_SET(op, u32, nin, name)                  \
    RK_INFO_SET(op, i64, nin, name) RK_INFO_SET(op, u64, nin, name)

void rk_fill_opinfo(const rk_table *t, rk_opinfo *info) {
    memset(info, 0, sizeof(rk_opinfo) * RK_NOPS);
#define RK_OP(name_, nin_, npar_, ints_)                                             \
    {                                                                                \
        _Static_assert(npar_ == 0, "parameter loops are not built yet");             \
        _Static_assert(ints_ == 0 || nin_ == 1, "integer loops need nin == 1");      \
        const int op = RK_OPID_##name_;                                              \
        info[op].name = #name_;                                                      \
        info[op].nin = nin_;                                                         \
        info[op].npar = npar_;                                                       \
        info[op].ints = ints_;                                                       \
        RK_INFO_SET(op, f16, nin_, name_)                                            \
        RK_INFO_SET(op, f32, nin_, name_)                                            \
        RK_INFO_SET(op, f64, nin_, name_)                                            \
        RK_INFO_INTS_##ints_(op, nin_, name_)                                        \
    }
#include "kernels.inc"
#undef RK_OP
}
