/* check_tables.c: every kernel of the dispatch table of every target this CPU
 * runs, called as the ufunc loops call it, under guard.
 *
 * Usage: check_tables [target ...]    (default: every target relukit knows)
 *
 * For each target that is compiled into this build and runnable on this CPU
 * (chosen at run time from the CPU's features, as the import does; any other
 * target is reported as skipped with the reason), for each row of kernels.inc,
 * each dtype of the row (f16, f32, f64, and the integer types of rows with
 * integer loops) and each kernel of the entry (scalar-parameter k, and the
 * array-parameter a of rows with parameters):
 *
 *   1. every length 0..9*lanes+3 (lanes: elements per vector of that target and
 *      dtype): two passes of the 4x-unrolled body, the one-vector loop, then every
 *      masked tail (2*64+16+3 for AVX-512 float32); and a few large ones (1031, 4099);
 *   2. every element misalignment against the target's vector width (the start
 *      of each operand at 0, 1, ..., lanes-1 elements past an aligned address;
 *      the operands shifted against each other too);
 *   3. out of place, in place on x (y == x), and for backward rows in place on
 *      the gradient (y == g), as `op(g, x, out=g)` makes the loop do;
 *   4. each operand (x, g, the parameter arrays, y) in a heap block of its own
 *      with guard bytes on both sides, filled with a canary pattern and checked
 *      after every call; under AddressSanitizer the guards are also poisoned, so
 *      a read or a write past either end of an operand fails at once (past the
 *      end from its first byte on; before the start from the 8-byte granule
 *      below it, ASan's resolution -- writes there are still caught by the
 *      canaries);
 *   5. inputs must come back unchanged; every result is compared with the scalar
 *      reference of reference.c (double; long double for float64 results of
 *      inexact ops and for integers) within the published bound: bit-exact
 *      for the exact ops and the integer loops, else 1 ULP (f16) / 2 (f32) /
 *      4 (f64), the per-op bounds of relukit/_reference.py; backward ops
 *      measure in units of max(ULP, eps |g| / 2) within the window around the
 *      zero of their derivative (reference.h), in ULP everywhere else.
 *
 * Exit status: 0 all passed, 1 a failure, 77 (meson's "skipped") when no
 * requested target could run here.  Built and registered by tests/c/meson.build
 * (meson option kernel_tests); tests/c/run_sanitizers.sh builds it with ASan+UBSan.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "relukit.h"
#include "reference.h"

#if defined(__SANITIZE_ADDRESS__)
#define RK_CHECK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RK_CHECK_ASAN 1
#endif
#endif
#ifdef RK_CHECK_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define GUARD 128                   /* guard bytes on each side of an operand */
#define MAX_REPORTS 25
static const size_t LARGE[] = {1031, 4099};

static long long failures;
static unsigned long long n_results, n_calls;

#define FAIL(...)                                                                      \
    do {                                                                               \
        if (failures++ < MAX_REPORTS) { printf("FAIL "); printf(__VA_ARGS__); printf("\n"); } \
    } while (0)

/* ------------------------------------------------------------ element types */
static const char *const DT_NAME[RK_NDTYPES] = {
#define DT_NAME_(tag, T) #tag,
    RK_FOREACH_FLOAT(DT_NAME_) RK_FOREACH_INT(DT_NAME_)
#undef DT_NAME_
};
static const size_t DT_SIZE[RK_NDTYPES] = {
#define DT_SIZE_(tag, T) sizeof(T),
    RK_FOREACH_FLOAT(DT_SIZE_) RK_FOREACH_INT(DT_SIZE_)
#undef DT_SIZE_
};
static int is_float(int dt) { return dt == RK_f16 || dt == RK_f32 || dt == RK_f64; }

/* IEEE binary16 bits <-> double (exact one way, round to nearest even the other) */
static double half_to_double(uint16_t h) {
    int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v;
    if (e == 0x1f) v = m ? NAN : INFINITY;
    else if (e == 0) v = ldexp((double)m, -24);
    else v = ldexp((double)(m | 0x400), e - 25);
    return (h & 0x8000) ? -v : v;
}
static uint16_t half_from_double(double d) {
    uint16_t sign = signbit(d) ? 0x8000 : 0;
    double a = fabs(d);
    if (isnan(d)) return sign | 0x7e00;
    if (a >= 65520.0) return sign | 0x7c00;   /* rounds to inf (65504 + half a step) */
    if (a < 0x1p-14) return sign | (uint16_t)nearbyint(a * 0x1p24);  /* subnormal; 1024 -> min normal */
    int ex;
    frexp(a, &ex);                   /* a = m 2^ex, m in [0.5, 1): exponent ex - 1 */
    int e = ex - 1;
    double q = nearbyint(ldexp(a, 10 - e));          /* 1024 .. 2048 */
    if (q == 2048) { q = 1024; e++; }
    if (e > 15) return sign | 0x7c00;
    return sign | (uint16_t)(((e + 15) << 10) | ((int)q - 1024));
}

static long double get(const void *p, int dt, size_t i) {
    switch (dt) {
#define GET_(tag, T) case RK_##tag: return (long double)((const T *)p)[i];
    case RK_f16: return half_to_double(((const uint16_t *)p)[i]);
    GET_(f32, float) GET_(f64, double) RK_FOREACH_INT(GET_)
#undef GET_
    }
    return NAN;
}
/* v rounded to dt (floats: to nearest even; integers: v must be representable) */
static void put(void *p, int dt, size_t i, long double v) {
    switch (dt) {
#define PUT_(tag, T) case RK_##tag: ((T *)p)[i] = (T)v; break;
    case RK_f16: ((uint16_t *)p)[i] = half_from_double((double)v); break;
    PUT_(f32, float) PUT_(f64, double) RK_FOREACH_INT(PUT_)
#undef PUT_
    }
}

/* ------------------------------------------------------------ random inputs */
static unsigned long long rng_state = 88172645463325252ULL;
static unsigned long long next_u64(void) { /* xorshift64 */
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17;
    return rng_state;
}
/* both signs, magnitudes 2^-20..2^20, and the special values */
static double rnd_float(void) {
    unsigned long long r = next_u64();
    switch (r % 48) {
    case 0: return 0.0; case 1: return -0.0; case 2: return INFINITY; case 3: return -INFINITY;
    case 4: return NAN; case 5: return 3.0; case 6: return -3.0; case 7: return 6.0;
    case 8: return 1e300; case 9: return -1e300; case 10: return 1e-300;
    default: break;
    }
    double m = (double)(r >> 11) / 9007199254740992.0;
    double e = ((double)((r >> 3) % 4000) / 100.0) - 20.0;
    return ((r >> 1) & 1 ? -1 : 1) * (1 + m) * exp2(e);
}
static void put_random(void *p, int dt, size_t i) {
    if (is_float(dt)) { put(p, dt, i, rnd_float()); return; }
    unsigned long long r = next_u64();           /* every bit pattern of the type */
    memcpy((char *)p + i * DT_SIZE[dt], &r, DT_SIZE[dt]);   /* little and big endian alike: any bits */
}

/* ------------------------------------------------------------ guarded operands */
typedef struct {
    unsigned char *block;   /* GUARD + off*es + n*es + GUARD bytes, 64-byte aligned */
    size_t head, bytes, size;
    void *data;
} operand;

static unsigned char canary(size_t j) { return (unsigned char)(0xa5u ^ (j * 0x3bu) ^ (j >> 8)); }

static void op_alloc(operand *o, size_t n, size_t off, size_t es) {
    o->head = GUARD + off * es;
    o->bytes = n * es;
    o->size = o->head + o->bytes + GUARD;
    void *p = NULL;
    if (posix_memalign(&p, 64, o->size) != 0) { perror("posix_memalign"); exit(2); }
    o->block = p;
    for (size_t j = 0; j < o->size; j++) o->block[j] = canary(j);
    o->data = o->block + o->head;
}
static void op_guard(operand *o) {   /* after the inputs are written */
    POISON(o->block, o->head);
    POISON(o->block + o->head + o->bytes, GUARD);
}
/* unpoisons, and counts the guard bytes that changed */
static size_t op_check_guards(operand *o) {
    UNPOISON(o->block, o->size);
    size_t bad = 0;
    for (size_t j = 0; j < o->head; j++) bad += o->block[j] != canary(j);
    for (size_t j = o->head + o->bytes; j < o->size; j++) bad += o->block[j] != canary(j);
    return bad;
}
static void op_free(operand *o) { UNPOISON(o->block, o->size); free(o->block); }

/* ------------------------------------------------------------ parameters and bounds */
/* Valid parameter pairs per op (forward name), in the order of the public API;
 * the array kernels get a different pair per element, the scalar kernels one per call.
 * softplus's beta is a power of two here: the kernels form beta*x in the dtype,
 * and for other betas the rounding of that product, amplified by e^(beta x),
 * alone exceeds the bound far out on the left tail (beta = 3: ~50 ULP in float32
 * at beta*x ~ -70), which the float32-rounded product cannot avoid. */
typedef struct { const char *op; int count; double p[4][2]; } param_set;
static const param_set PARAMS[] = {
    {"hardtanh", 4, {{-1, 1}, {-0.5, 1.5}, {0.25, 0.25}, {-3, -2}}},
    {"threshold", 4, {{0.25, -3}, {0, 0}, {-1, 2.5}, {6, 100}}},
    {"leaky_relu", 4, {{0.01, 0}, {0.2, 0}, {1.5, 0}, {-0.5, 0}}},
    {"elu", 3, {{1, 0}, {0.5, 0}, {1.75, 0}}},
    {"celu", 3, {{1, 0}, {0.5, 0}, {2, 0}}},
    {"softplus", 4, {{1, 20}, {0.5, 10}, {2, 5}, {4, 30}}},
    {NULL, 0, {{0, 0}}},
};

/* forward name of a row: relu_bwd -> relu, elu_bwd_y -> elu */
static void base_name(const char *row, char *out, size_t cap) {
    snprintf(out, cap, "%s", row);
    size_t L = strlen(out);
    if (L > 6 && !strcmp(out + L - 6, "_bwd_y")) out[L - 6] = 0;
    else if (L > 4 && !strcmp(out + L - 4, "_bwd")) out[L - 4] = 0;
}
static int is_bwd_y(const char *row) {
    size_t L = strlen(row);
    return L > 6 && !strcmp(row + L - 6, "_bwd_y");
}

static const param_set *params_of(const char *row) {
    char b[64];
    base_name(row, b, sizeof b);
    for (const param_set *s = PARAMS; s->op; s++)
        if (!strcmp(s->op, b)) return s;
    return NULL;
}

/* Published bound in ULP of the result (0: bit-exact), as relukit/_reference.py. */
static double bound_of(const char *row, int dt) {
    static const char *const exact[] = {"relu", "relu_bwd", "relu6", "relu6_bwd", "hardtanh",
                                        "hardtanh_bwd", "threshold", "threshold_bwd",
                                        "leaky_relu", "leaky_relu_bwd", NULL};
    if (!is_float(dt)) return 0;
    for (int i = 0; exact[i]; i++) if (!strcmp(exact[i], row)) return 0;
    const int k = dt == RK_f16 ? 0 : dt == RK_f32 ? 1 : 2;
    if (!strcmp(row, "hardsigmoid")) return 1;
    if (!strcmp(row, "hardsigmoid_bwd") || !strcmp(row, "hardsigmoid_bwd_y")) return k ? 0 : 1;
    if (!strcmp(row, "hardswish") || !strcmp(row, "hardswish_bwd")) return k ? 2 : 1;
    return k == 0 ? 1 : k == 1 ? 2 : 4;
}

/* precision (bits) and minimum normal exponent of a float dtype */
static void format_of(int dt, int *prec, int *emin, double *eps) {
    if (dt == RK_f16) { *prec = 11; *emin = -14; *eps = 0x1p-10; }
    else if (dt == RK_f32) { *prec = 24; *emin = -126; *eps = FLT_EPSILON; }
    else { *prec = 53; *emin = -1022; *eps = DBL_EPSILON; }
}
/* spacing of dt's numbers at |a| (a finite, already rounded to dt) */
static long double spacing(long double a, int dt) {
    int prec, emin, e;
    double eps;
    format_of(dt, &prec, &emin, &eps);
    a = fabsl(a);
    if (a == 0) return ldexpl(1.0L, emin - prec + 1);
    frexpl(a, &e);
    e -= 1;
    if (e < emin) e = emin;
    return ldexpl(1.0L, e - prec + 1);
}

/* ------------------------------------------------------------ kernels */
typedef void (*rk_fn)(void);
typedef struct {
    const char *row;
    int nin, npar, dt, arr;
    rk_fn fn;
} kernel;

#define MAX_KERNELS 512
static kernel kernels[MAX_KERNELS];
static int n_kernels;

static void add_kernel(const char *row, int nin, int npar, int dt, int arr, rk_fn fn) {
    if (n_kernels == MAX_KERNELS) { fprintf(stderr, "too many kernels\n"); exit(2); }
    kernels[n_kernels++] = (kernel){row, nin, npar, dt, arr, fn};
}

static void collect(const rk_table *t) {
    n_kernels = 0;
#define ADD_(tag, name, nin, npar)                                                   \
    add_kernel(#name, nin, npar, RK_##tag, 0, (rk_fn)t->tag##_##name.k);             \
    if (npar) add_kernel(#name, nin, npar, RK_##tag, 1, (rk_fn)t->tag##_##name.a);
#define INTS_0(name)
#define INTS_1(name)                                                                 \
    ADD_(i8, name, 1, 0) ADD_(u8, name, 1, 0) ADD_(i16, name, 1, 0) ADD_(u16, name, 1, 0) \
    ADD_(i32, name, 1, 0) ADD_(u32, name, 1, 0) ADD_(i64, name, 1, 0) ADD_(u64, name, 1, 0)
/* (the gated rows, src/gated.c: two operands (a, b) or three inputs and two
 * outputs; tests/c/check_kernels.c checks them) */
#define GATED_2(name) (!strcmp(#name, "glu") || !strcmp(#name, "reglu") || !strcmp(#name, "geglu") || \
                       !strcmp(#name, "geglu_tanh") || !strcmp(#name, "swiglu"))
#define RK_OP(name, nin, npar, ints, cost)                                                 \
    if (nin < 3 && !GATED_2(name)) {                                                 \
        ADD_(f16, name, nin, npar) ADD_(f32, name, nin, npar) ADD_(f64, name, nin, npar) \
        INTS_##ints(name)                                                            \
    }
#include "kernels.inc"
#undef RK_OP
#undef INTS_0
#undef INTS_1
#undef ADD_
}

/* one call through the kernel's own type */
static void call(const kernel *k, size_t n, const void *x, const void *g, void *y,
                 const void *pa, const void *pb, const rk_params *p) {
    switch (k->dt) {
#define CALL_(tag, T)                                                                \
    case RK_##tag:                                                                   \
        if (k->nin == 1 && !k->arr)                                                  \
            ((rk_k1_##tag)k->fn)(n, (const T *)x, (T *)y, p);                        \
        else if (k->nin == 1)                                                        \
            ((rk_a1_##tag)k->fn)(n, (const T *)x, (T *)y, (const T *)pa, (const T *)pb); \
        else if (!k->arr)                                                            \
            ((rk_k2_##tag)k->fn)(n, (const T *)x, (const T *)g, (T *)y, p);          \
        else                                                                         \
            ((rk_a2_##tag)k->fn)(n, (const T *)x, (const T *)g, (T *)y, (const T *)pa, (const T *)pb); \
        break;
    RK_FOREACH_FLOAT(CALL_) RK_FOREACH_INT(CALL_)
#undef CALL_
    }
}

/* ------------------------------------------------------------ one case */
enum { OUT_OF_PLACE, IN_PLACE_X, IN_PLACE_G, N_MODES };
static const char *const MODE_NAME[N_MODES] = {"out of place", "y == x", "y == g"};

typedef struct {
    const char *target;
    const rk_ref_entry *ref, *fwd;   /* the row's reference; a _bwd_y row's forward */
    const param_set *ps;
    double bound;
    rk_ref_zero root;                /* the zero of a backward row's derivative, or NaN */
} row_ctx;

/* error of got against want in ULP of dt (0 or 1 for exact comparisons) */
static long double error_of(const row_ctx *c, const kernel *k, const void *y, size_t i,
                            long double want, long double gv, long double xv) {
    const int dt = k->dt;
    if (!is_float(dt)) {     /* integers: bit-exact */
        unsigned char w[8];
        put(w, dt, 0, want);
        return memcmp(w, (const char *)y + i * DT_SIZE[dt], DT_SIZE[dt]) ? 1 : 0;
    }
    long double got = get(y, dt, i);
    if (isnan(want) || isnan(got)) return (isnan(want) && isnan(got)) ? 0 : INFINITY;
    unsigned char wb[8];
    put(wb, dt, 0, want);                    /* the reference rounded to dt */
    long double wr = get(wb, dt, 0);
    if (c->bound == 0)
        return memcmp(wb, (const char *)y + i * DT_SIZE[dt], DT_SIZE[dt]) ? 1 : 0;
    if (isinf(got) || isinf(wr)) return got == wr ? 0 : INFINITY;
    long double sp = spacing(wr, dt);
    if (k->nin == 2 && rk_ref_near_root(c->root, (double)xv)) {
        int prec, emin;
        double eps;
        format_of(dt, &prec, &emin, &eps);
        long double gu = (long double)eps * fabsl(gv) / 2;
        if (gu > sp) sp = gu;
    }
    return fabsl(got - want) / sp;
}

static void run_case(const row_ctx *c, const kernel *k, size_t n, size_t off, size_t lanes, int mode) {
    const int dt = k->dt;
    const size_t es = DT_SIZE[dt];
    /* every operand starts at its own misalignment: off, shifted per operand */
    operand ox, og, opa, opb, oy;
    op_alloc(&ox, n, off, es);
    op_alloc(&og, n, (off + 1) % lanes, es);
    op_alloc(&opa, n, (off + 2) % lanes, es);
    op_alloc(&opb, n, (off + 3) % lanes, es);
    op_alloc(&oy, n, (off + lanes / 2) % lanes, es);

    /* parameters: one pair for the scalar kernel, a pair per element for the array one */
    const int npar = k->npar, np = c->ps ? c->ps->count : 0;
    const int scalar_pick = (int)((n + off) % (np ? np : 1));
    rk_params p;
    memset(&p, 0, sizeof p);
    /* half the cases ask for streaming stores (used where y is vector-aligned):
     * the same bits are expected either way */
    p.stream = (int)((n / 2 + (size_t)off) & 1);
    if (npar) {   /* as loops.c: the parameter in the operand's dtype; pb = pa for one parameter */
        unsigned char pr[8];
        put(pr, dt, 0, c->ps->p[scalar_pick][0]);
        p.d[0] = (double)get(pr, dt, 0);
        put(pr, dt, 0, c->ps->p[scalar_pick][npar == 2 ? 1 : 0]);
        p.d[1] = (double)get(pr, dt, 0);
        p.f[0] = (float)p.d[0];
        p.f[1] = (float)p.d[1];
    }
    for (size_t i = 0; i < n; i++) {
        int pick = k->arr ? (int)((i * 5 + off) % np) : scalar_pick;
        if (npar) {
            put(opa.data, dt, i, c->ps->p[pick][0]);
            put(opb.data, dt, i, npar == 2 ? c->ps->p[pick][1] : c->ps->p[pick][0]);
        }
        put_random(ox.data, dt, i);
        if (k->nin == 2) put_random(og.data, dt, i);
        if (c->fwd) {   /* from-output rows take the forward's outputs */
            long double pa = npar ? get(opa.data, dt, i) : 0, pb = npar ? get(opb.data, dt, i) : 0;
            put(ox.data, dt, i, c->fwd->f((double)get(ox.data, dt, i), 0, (double)pa, (double)pb));
        }
    }
    /* the inputs as written, to compute the reference and to see them unchanged */
    unsigned char *xin = malloc(n * es + 1), *gin = malloc(n * es + 1);
    unsigned char *pain = malloc(n * es + 1), *pbin = malloc(n * es + 1);
    if (!xin || !gin || !pain || !pbin) { perror("malloc"); exit(2); }
    memcpy(xin, ox.data, n * es);
    memcpy(gin, og.data, n * es);
    memcpy(pain, opa.data, n * es);
    memcpy(pbin, opb.data, n * es);

    void *y = mode == IN_PLACE_X ? ox.data : mode == IN_PLACE_G ? og.data : oy.data;
    const void *pb = npar == 2 ? opb.data : opa.data;   /* one parameter: pb == pa, as loops.c */
    op_guard(&ox); op_guard(&og); op_guard(&opa); op_guard(&opb); op_guard(&oy);
    call(k, n, ox.data, og.data, y, opa.data, pb, &p);
    n_calls++;
    size_t bad_guards = op_check_guards(&ox) + op_check_guards(&og) + op_check_guards(&opa)
                      + op_check_guards(&opb) + op_check_guards(&oy);

    const char *what_fmt = "%s %s %s%s n=%zu off=%zu %s";
#define WHAT c->target, k->row, DT_NAME[dt], k->arr ? " (array params)" : "", n, off, MODE_NAME[mode]
    if (bad_guards) {
        char w[160];
        snprintf(w, sizeof w, what_fmt, WHAT);
        FAIL("%s: %zu guard bytes around the operands overwritten", w, bad_guards);
    }
    if ((mode != IN_PLACE_X && memcmp(xin, ox.data, n * es)) ||
        (k->nin == 2 && mode != IN_PLACE_G && memcmp(gin, og.data, n * es)) ||
        memcmp(pain, opa.data, n * es) || memcmp(pbin, opb.data, n * es)) {
        char w[160];
        snprintf(w, sizeof w, what_fmt, WHAT);
        FAIL("%s: an input operand was written to", w);
    }
    const int exact_ref = !is_float(dt) || (dt == RK_f64 && c->bound == 0);
    for (size_t i = 0; i < n; i++) {
        long double xv = get(xin, dt, i), gv = k->nin == 2 ? get(gin, dt, i) : 0;
        long double pa = npar ? get(pain, dt, i) : 0, pbv = npar ? get(pbin, dt, i) : 0;
        long double want;
        if (!is_float(dt) || (dt == RK_f64 && !exact_ref))
            want = c->ref->fl(xv, gv, pa, pbv);   /* long double: exact for every integer */
        else
            want = c->ref->f((double)xv, (double)gv, (double)pa, (double)pbv);
        if (k->nin == 2 && isnan(want) && !isnan(xv) && isinf(gv)) {
            /* relukit's convention (refloops.c): inf times a vanishing nonzero
             * derivative is an infinity of the product's sign */
            long double d1 = c->ref->fl(xv, 1.0L, pa, pbv);
            if (!isnan(d1)) want = gv * (d1 == 0 ? copysignl(1.0L, d1) : d1);
        }
        long double err = error_of(c, k, y, i, want, gv, xv);
        n_results++;
        if (err > c->bound) {
            char w[160];
            snprintf(w, sizeof w, what_fmt, WHAT);
            FAIL("%s: i=%zu x=%.17Lg g=%.17Lg params=(%.17Lg, %.17Lg) got=%.17Lg want=%.17Lg (%.3Lg ULP > %g)",
                 w, i, xv, gv, pa, pbv, get(y, dt, i), want, err, c->bound);
        }
    }
#undef WHAT
    free(xin); free(gin); free(pain); free(pbin);
    op_free(&ox); op_free(&og); op_free(&opa); op_free(&opb); op_free(&oy);
}

/* elements per vector of a target for a dtype (f16 is computed in f32 lanes) */
static size_t lanes_of(int target, int dt) {
    const size_t vbytes = target == RK_TARGET_AVX512 ? 64 : target == RK_TARGET_AVX2 ? 32 : 16;
    return vbytes / (dt == RK_f16 ? 4 : DT_SIZE[dt]);
}

/* ------------------------------------------------------------ one target */
static int check_target(int target) {
    const char *name = rk_target_name(target);
    if (!rk_target_compiled(target)) {
        printf("%s: skipped (not compiled into this build)\n", name);
        return 0;
    }
    if (!rk_target_supported(target)) {
        printf("%s: skipped (this CPU cannot run it; it has: %s)\n", name, rk_cpu_features());
        return 0;
    }
    const rk_table *t = rk_get_table(target);
    if (!t) { FAIL("%s: no kernel table", name); return 1; }
    collect(t);
    const long long failures_before = failures;
    const unsigned long long results_before = n_results, calls_before = n_calls;
    unsigned long long shapes = 0;   /* (kernel, length, misalignment) triples */
    int rows = 0;
    const char *last_row = "";
    for (int ki = 0; ki < n_kernels; ki++) {
        const kernel *k = &kernels[ki];
        if (strcmp(k->row, last_row)) { rows++; last_row = k->row; }
        if (!k->fn) { FAIL("%s %s %s: no kernel in the table", name, k->row, DT_NAME[k->dt]); continue; }
        row_ctx c;
        char b[64];
        base_name(k->row, b, sizeof b);
        c.target = name;
        c.ref = rk_ref_find(k->row);
        c.fwd = is_bwd_y(k->row) ? rk_ref_find(b) : NULL;
        c.ps = params_of(k->row);
        c.bound = bound_of(k->row, k->dt);
        c.root = rk_ref_root(k->row);
        if (!c.ref || (is_bwd_y(k->row) && !c.fwd) || (k->npar && !c.ps)) {
            FAIL("%s %s: no reference or no parameters for this row", name, k->row);
            continue;
        }
        const size_t lanes = lanes_of(target, k->dt), nsmall = 2 * 4 * lanes + lanes + 3;
        const size_t nlarge = sizeof LARGE / sizeof LARGE[0];
        for (size_t li = 0; li <= nsmall + nlarge; li++) {
            const size_t n = li <= nsmall ? li : LARGE[li - nsmall - 1];
            for (size_t off = 0; off < lanes; off++) {
                shapes++;
                for (int mode = 0; mode < N_MODES; mode++) {
                    if (mode == IN_PLACE_G && k->nin != 2) continue;
                    run_case(&c, k, n, off, lanes, mode);
                }
            }
        }
    }
    printf("%s: %d rows, %d kernels (row x dtype x scalar/array parameters), "
           "%llu (kernel, length, misalignment) cases, %llu calls, %llu results checked, %lld failures\n",
           name, rows, n_kernels, shapes, n_calls - calls_before, n_results - results_before,
           failures - failures_before);
    return 1;
}

int main(int argc, char **argv) {
    int ran = 0;
    if (argc < 2) {
        for (int t = 0; t < RK_NTARGETS; t++) ran += check_target(t);
    } else {
        for (int a = 1; a < argc; a++) {
            int t = 0;
            while (t < RK_NTARGETS && strcmp(rk_target_name(t), argv[a])) t++;
            if (t == RK_NTARGETS) {
                fprintf(stderr, "check_tables: unknown target %s\n", argv[a]);
                return 2;
            }
            ran += check_target(t);
        }
    }
#ifdef RK_CHECK_ASAN
    printf("(built with AddressSanitizer: guard bytes poisoned)\n");
#endif
    if (failures) {
        printf("%lld failures\n", failures);
        return 1;
    }
    return ran ? 0 : 77;
}
