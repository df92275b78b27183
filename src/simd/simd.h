/* simd.h: picks the wrapper header of the target this file is compiled for.
 *
 * Every wrapper header defines the same API (see baseline.h for the reference
 * list), on vectors of RK_VF_LANES floats (vf) and RK_VD_LANES doubles (vd),
 * their comparison masks (mf, md) and integer views (vi: int32 lanes of a vf,
 * vl: int64 lanes of a vd).  Rules every header keeps:
 *   - comparisons are quiet: no flag is raised for a quiet NaN operand;
 *   - *_tail(p, n) loads/stores only the first n < lanes elements (loaded
 *     lanes past n are 0), so the masked tail runs the same body as the loop;
 *   - vf_min/vf_max are the hardware's (unspecified for NaN): callers that
 *     care about NaN select explicitly.
 */
#ifndef RK_SIMD_H
#define RK_SIMD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "../relukit.h"

#if !defined(RK_TARGET)
#error "RK_TARGET must be defined (baseline, avx2 or avx512)"
#endif

#define RK_CAT_(a, b) a##__##b
#define RK_CAT(a, b) RK_CAT_(a, b)
/* RK_SYM(rk_f32_relu) -> rk_f32_relu__avx2 */
#define RK_SYM(name) RK_CAT(name, RK_TARGET)

#define RK_INLINE static inline __attribute__((always_inline))
/* a body's rare-lane path: out of line, so that the bulk path inlines into the
 * kernel's unrolled loop (an out-of-line body costs a call per vector, every live
 * vector register spilled around it and the constants reloaded inside) */
#define RK_COLD static __attribute__((noinline, cold))

#if defined(RK_FORCE_SCALAR)   /* the portable one-lane header, to test it on any CPU */
#include "scalar.h"
#elif defined(RK_BUILD_AVX512)
#include "avx512.h"
#elif defined(RK_BUILD_AVX2)
#include "avx2.h"
#elif defined(__aarch64__) && defined(__ARM_NEON)
#include "neon.h"
#elif defined(__SSE2__)
#include "baseline.h"
#else
#include "scalar.h"
#endif

#endif
