/* bf16loops.c: the bfloat16 ufunc loops (see bf16loops.h).
 *
 * Algorithm, per block of at most RK_BF16_BLOCK elements:
 *   1. every input operand is widened to float32 into an aligned stack buffer
 *      (exact: the bfloat16 bits are the upper half of the float32 ones); an
 *      operand of stride 0 (a scalar parameter, a broadcast value) is widened
 *      once and keeps stride 0, so the float32 loop takes its scalar route;
 *      float32 operands (the wrappers' scalar parameters, nfloat of them) are
 *      copied as they are;
 *   2. the op's float32 ufunc loop runs on the buffers (contiguous), exactly as
 *      for a float32 call: same kernels, same parameter routes, same bits;
 *   3. the float32 results are rounded to bfloat16, to nearest even, and stored
 *      at the output's stride.
 * Accuracy: a float32 result within 2 ULP of float32 (2^-22 relative) rounded
 * once to bfloat16 is within 0.5 + 2^-15 ULP of bfloat16, so <= 1 ULP; exact
 * float32 ops stay exact.  Valid input range: every bfloat16 bit pattern.
 * No floating-point flag is raised by the conversions (integer arithmetic);
 * the float32 loop restores the flags it may touch.
 */
#include <string.h>
#include "bf16loops.h"

#define RK_BF16_BLOCK 1024

float rk_bf16_to_f32(rk_bf16 h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

rk_bf16 rk_f32_to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u)           /* NaN: keep sign and high payload, */
        return (rk_bf16)((u >> 16) | 0x0040u);     /* set the quiet bit (never an inf) */
    u += 0x7fffu + ((u >> 16) & 1u);               /* round to nearest, ties to even; */
    return (rk_bf16)(u >> 16);                     /* a carry into the exponent is right */
}

void rk_bf16_loop(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, void *data) {
    const rk_bf16_loopdata *d = (const rk_bf16_loopdata *)data;
    const int nargs = d->nargs, nin = nargs - d->nout;
    const size_t n = (size_t)dims[0];
    float buf[RK_BF16_MAXARGS][RK_BF16_BLOCK] __attribute__((aligned(64)));
    char *fargs[RK_BF16_MAXARGS];
    ptrdiff_t fsteps[RK_BF16_MAXARGS];
    for (int k = 0; k < nargs; k++) {
        fargs[k] = (char *)buf[k];
        fsteps[k] = (k < nin && steps[k] == 0) ? 0 : (ptrdiff_t)sizeof(float);
    }
    for (size_t i = 0; i < n; i += RK_BF16_BLOCK) {
        const size_t m = n - i < RK_BF16_BLOCK ? n - i : RK_BF16_BLOCK;
        for (int k = 0; k < nin; k++) {
            const ptrdiff_t s = steps[k];
            const char *src = args[k] + (ptrdiff_t)i * s;
            rk_bf16 h;
            if (k >= nin - d->nfloat) {   /* a float32 operand: copied as it is */
                if (s == 0) memcpy(&buf[k][0], src, sizeof(float));
                else for (size_t j = 0; j < m; j++) memcpy(&buf[k][j], src + (ptrdiff_t)j * s, sizeof(float));
            } else if (s == 0) {
                memcpy(&h, src, sizeof h);
                buf[k][0] = rk_bf16_to_f32(h);
            } else if (s == (ptrdiff_t)sizeof(rk_bf16)) {
                const rk_bf16 *p = (const rk_bf16 *)(const void *)src;
                for (size_t j = 0; j < m; j++) buf[k][j] = rk_bf16_to_f32(p[j]);
            } else {
                for (size_t j = 0; j < m; j++) {
                    memcpy(&h, src + (ptrdiff_t)j * s, sizeof h);
                    buf[k][j] = rk_bf16_to_f32(h);
                }
            }
        }
        const ptrdiff_t fm = (ptrdiff_t)m;
        d->f32_loop(fargs, &fm, fsteps, d->f32_data);
        for (int k = nin; k < nargs; k++) {
            const ptrdiff_t s = steps[k];
            char *dst = args[k] + (ptrdiff_t)i * s;
            if (s == (ptrdiff_t)sizeof(rk_bf16)) {
                rk_bf16 *p = (rk_bf16 *)(void *)dst;
                for (size_t j = 0; j < m; j++) p[j] = rk_f32_to_bf16(buf[k][j]);
            } else {
                for (size_t j = 0; j < m; j++) {
                    const rk_bf16 h = rk_f32_to_bf16(buf[k][j]);
                    memcpy(dst + (ptrdiff_t)j * s, &h, sizeof h);
                }
            }
        }
    }
}
