/* dispatch.c: CPU feature detection and the per-target kernel tables.
 *
 * Each compiled target has one static rk_table, filled once (pthread_once) the
 * first time it is asked for and never written again.  The Python layer asks
 * for the target it should use (the best one, or RELUKIT_TARGET) at import.
 */
#include <pthread.h>
#include <string.h>
#include "relukit.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define RK_X86 1
#endif

/* ---- CPU features ---- */
static int cpu_avx2, cpu_avx512;
static char cpu_features[256];
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

static void add_feature(const char *name) {
    if (cpu_features[0]) strncat(cpu_features, " ", sizeof(cpu_features) - strlen(cpu_features) - 1);
    strncat(cpu_features, name, sizeof(cpu_features) - strlen(cpu_features) - 1);
}

static void detect_cpu(void) {
#ifdef RK_X86
    unsigned a = 0, b = 0, c = 0, d = 0;
    unsigned long long xcr0 = 0;
    int fma, f16c, avx, osxsave, avx2 = 0, f = 0, dq = 0, bw = 0, vl = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    add_feature("sse2");
    fma = (c >> 12) & 1; osxsave = (c >> 27) & 1; avx = (c >> 28) & 1; f16c = (c >> 29) & 1;
    if (osxsave) {
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        xcr0 = ((unsigned long long)hi << 32) | lo;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        avx2 = (b >> 5) & 1; f = (b >> 16) & 1; dq = (b >> 17) & 1;
        bw = (b >> 30) & 1; vl = (b >> 31) & 1;
    }
    int ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xe6) == 0xe6;
    if (avx && ymm) add_feature("avx");
    if (avx2 && ymm) add_feature("avx2");
    if (fma && ymm) add_feature("fma");
    if (f16c && ymm) add_feature("f16c");
    if (f && zmm) add_feature("avx512f");
    if (bw && zmm) add_feature("avx512bw");
    if (dq && zmm) add_feature("avx512dq");
    if (vl && zmm) add_feature("avx512vl");
    if (!ymm && avx) add_feature("(OS does not enable AVX state)");
    cpu_avx2 = avx && avx2 && fma && f16c && ymm;
    cpu_avx512 = cpu_avx2 && f && bw && dq && vl && zmm;
#elif defined(__aarch64__)
    add_feature("neon");
#else
    add_feature("none");
#endif
}

const char *rk_cpu_features(void) {
    pthread_once(&cpu_once, detect_cpu);
    return cpu_features;
}

/* ---- targets ---- */
static const char *const target_names[RK_NTARGETS] = {"baseline", "avx2", "avx512"};

const char *rk_target_name(int t) {
    return (t >= 0 && t < RK_NTARGETS) ? target_names[t] : "?";
}

int rk_target_compiled(int t) {
    switch (t) {
    case RK_TARGET_BASELINE: return 1;
#ifdef RK_HAVE_AVX2
    case RK_TARGET_AVX2: return 1;
#endif
#ifdef RK_HAVE_AVX512
    case RK_TARGET_AVX512: return 1;
#endif
    default: return 0;
    }
}

int rk_target_supported(int t) {
    pthread_once(&cpu_once, detect_cpu);
    if (!rk_target_compiled(t)) return 0;
    switch (t) {
    case RK_TARGET_BASELINE: return 1;
    case RK_TARGET_AVX2: return cpu_avx2;
    case RK_TARGET_AVX512: return cpu_avx512;
    default: return 0;
    }
}

int rk_best_target(void) {
    for (int t = RK_NTARGETS - 1; t > 0; t--)
        if (rk_target_supported(t)) return t;
    return RK_TARGET_BASELINE;
}

/* ---- tables ---- */
static rk_table tables[RK_NTARGETS];

#define RK_SET_INTS_0(name, tgt)
#define RK_SET_INTS_1(name, tgt)                                                    \
    t->i8_##name.k = rk_i8_##name##__##tgt;   t->u8_##name.k = rk_u8_##name##__##tgt;   \
    t->i16_##name.k = rk_i16_##name##__##tgt; t->u16_##name.k = rk_u16_##name##__##tgt; \
    t->i32_##name.k = rk_i32_##name##__##tgt; t->u32_##name.k = rk_u32_##name##__##tgt; \
    t->i64_##name.k = rk_i64_##name##__##tgt; t->u64_##name.k = rk_u64_##name##__##tgt;
#define RK_SET_ARR_0(name, tgt)
#define RK_SET_ARR_1(name, tgt)                                                     \
    t->f16_##name.a = rk_f16_##name##_arr__##tgt;                                   \
    t->f32_##name.a = rk_f32_##name##_arr__##tgt;                                   \
    t->f64_##name.a = rk_f64_##name##_arr__##tgt;
#define RK_SET_ARR_2 RK_SET_ARR_1
#define RK_FILL_ONE(name, npar, ints, tgt)                                          \
    t->f16_##name.k = rk_f16_##name##__##tgt;                                       \
    t->f32_##name.k = rk_f32_##name##__##tgt;                                       \
    t->f64_##name.k = rk_f64_##name##__##tgt;                                       \
    RK_SET_ARR_##npar(name, tgt)                                                    \
    RK_SET_INTS_##ints(name, tgt)

#define RK_OP(name, nin, npar, ints, cost) RK_FILL_ONE(name, npar, ints, baseline)
static void fill_baseline(void) {
    rk_table *t = &tables[RK_TARGET_BASELINE];
#include "kernels.inc"
    t->filled = 1;
}
#undef RK_OP

#ifdef RK_HAVE_AVX2
#define RK_OP(name, nin, npar, ints, cost) RK_FILL_ONE(name, npar, ints, avx2)
static void fill_avx2(void) {
    rk_table *t = &tables[RK_TARGET_AVX2];
#include "kernels.inc"
    t->filled = 1;
}
#undef RK_OP
#endif

#ifdef RK_HAVE_AVX512
#define RK_OP(name, nin, npar, ints, cost) RK_FILL_ONE(name, npar, ints, avx512)
static void fill_avx512(void) {
    rk_table *t = &tables[RK_TARGET_AVX512];
#include "kernels.inc"
    t->filled = 1;
}
#undef RK_OP
#endif

static pthread_once_t table_once[RK_NTARGETS] = {PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT,
                                                 PTHREAD_ONCE_INIT};

const rk_table *rk_get_table(int target) {
    if (!rk_target_supported(target)) return NULL;
    switch (target) {
    case RK_TARGET_BASELINE: pthread_once(&table_once[0], fill_baseline); break;
#ifdef RK_HAVE_AVX2
    case RK_TARGET_AVX2: pthread_once(&table_once[1], fill_avx2); break;
#endif
#ifdef RK_HAVE_AVX512
    case RK_TARGET_AVX512: pthread_once(&table_once[2], fill_avx512); break;
#endif
    default: return NULL;
    }
    return &tables[target];
}
