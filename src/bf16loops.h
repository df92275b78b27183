/* bf16loops.h: bfloat16 ufunc loops, computed by the float32 loops (bf16loops.c).
 *
 * bfloat16 is the upper half of an IEEE binary32: 1 sign, 8 exponent and 7
 * fraction bits, the dtype of the ml_dtypes package.  A bfloat16 loop widens
 * each operand block to float32 (exact), runs the op's own float32 ufunc loop
 * on it (so routing, parameters and results are those of float32), and rounds
 * the result once to bfloat16, to nearest even; a NaN stays a NaN, made quiet.
 */
#ifndef RK_BF16LOOPS_H
#define RK_BF16LOOPS_H

#include <stddef.h>
#include <stdint.h>
#include "relukit.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint16_t rk_bf16;   /* bfloat16 bits, as stored by ml_dtypes.bfloat16 */

#define RK_BF16_MAXARGS 5   /* operands of one ufunc: [g,] x, up to two parameters, y;
                               or the gated backward's g, a, b, ga, gb */

/* What a bfloat16 loop runs: the float32 loop of the same ufunc and its data,
 * and the ufunc's operand count (nin + nout). */
typedef struct rk_bf16_loopdata {
    rk_loop f32_loop;
    void *f32_data;
    int nargs;
    int nfloat;   /* the last nfloat inputs (scalar parameters) are float32 already */
    int nout;     /* outputs: 1, or 2 (the gated backward) */
} rk_bf16_loopdata;

/* The bfloat16 inner loop of every op (data: an rk_bf16_loopdata). */
void rk_bf16_loop(char **args, const ptrdiff_t *dims, const ptrdiff_t *steps, void *data);

/* Conversions, exposed for tests: widening is exact; narrowing rounds to
 * nearest even, overflows to infinity, and keeps a NaN (quiet) with its sign. */
float rk_bf16_to_f32(rk_bf16 h);
rk_bf16 rk_f32_to_bf16(float f);

#ifdef __cplusplus
}
#endif
#endif
