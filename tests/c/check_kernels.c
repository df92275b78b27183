/* check_kernels.c: every kernel of kernels.inc, for one target compiled into this
 * program, against the scalar references of reference.c (double), on every
 * length 0..2*64+16+3, every misalignment 0..3 elements, in place and out of place,
 * with canaries on both sides of the output.  Exact ops must match bit for bit
 * (against the double reference, exact for them);
 * others must be within 2 ULP (float32) / 4 ULP (float64) of the reference, for
 * backward ops max(N ULP, eps |g|) only near the zero of the derivative (reference.h).  Exit status: number of failures (capped).
 * Built per target: cc -DRK_TARGET=<t> -DRK_BUILD_<T> [flags] -Isrc check_kernels.c
 * src/<family>.c src/reference.c -lm  (the family files compiled for the same target). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "relukit.h"
#include "reference.h"

#define STR_(x) #x
#define STR(x) STR_(x)
/* every length up to two passes of the 4x-unrolled body of the widest target
 * (AVX-512, 16 float lanes), then the one-vector loop, then a masked tail */
#define MAXN (2 * 64 + 16 + 3)
#define PAD 16
#define CANARY_F 0x7fc0dead
#define CANARY_D 0x7ff8deadbeef0000ULL

static int failures;
static unsigned long long checked;

static int is_exact(const char *name) {
    static const char *exact[] = {"relu", "relu_bwd", "relu6", "relu6_bwd", "hardtanh", "hardtanh_bwd",
                                  "threshold", "threshold_bwd", "leaky_relu", "leaky_relu_bwd", NULL};
    for (int i = 0; exact[i]; i++) if (!strcmp(exact[i], name)) return 1;
    return 0;
}
/* the gated forward rows: two operands (x = b, g = a in the kernel's slots), no
 * gradient convention */
static int is_gated2(const char *name) {
    static const char *g2[] = {"glu", "reglu", "geglu", "geglu_tanh", "swiglu", NULL};
    for (int i = 0; g2[i]; i++) if (!strcmp(g2[i], name)) return 1;
    return 0;
}
static double bound_f(const char *name) { return is_exact(name) ? 0 : 2.0; }
static double bound_d(const char *name) { return is_exact(name) ? 0 : 4.0; }

static unsigned long long rng_state = 88172645463325252ULL;
static double rnd(void) { /* xorshift: values over many binades, both signs, specials */
    rng_state ^= rng_state << 13; rng_state ^= rng_state >> 7; rng_state ^= rng_state << 17;
    unsigned k = (unsigned)(rng_state % 64);
    if (k == 0) return 0.0; if (k == 1) return -0.0; if (k == 2) return INFINITY;
    if (k == 3) return -INFINITY; if (k == 4) return NAN; if (k == 5) return 3.0; if (k == 6) return -3.0;
    double m = (double)(rng_state >> 11) / 9007199254740992.0;
    double e = ((double)((rng_state >> 3) % 4000) / 100.0) - 20.0;   /* 2^-20 .. 2^20 */
    return ((rng_state >> 1) & 1 ? -1 : 1) * (1 + m) * exp2(e);
}

/* the error criterion of reference.h: for gradients the eps |g| / 2 floor only near
 * the zero of the derivative (near: rk_ref_near_root) */
static double ulp_err(double got, double want, int dbl, int near, double g) {
    if (isnan(want) || isnan(got)) return (isnan(want) && isnan(got)) ? 0 : INFINITY;
    double wr = dbl ? want : (double)(float)want;
    if (isinf(got) || isinf(wr)) return got == wr ? 0 : INFINITY;
    double a = fabs(wr), sp = dbl ? nextafter(a, INFINITY) - a : (double)nextafterf((float)a, INFINITY) - a;
    if (dbl && a == DBL_MAX) sp = a - nextafter(a, 0);
    if (!dbl && a == FLT_MAX) sp = a - (double)nextafterf(FLT_MAX, 0);
    if (near) { double gu = (dbl ? DBL_EPSILON : FLT_EPSILON) * fabs(g) / 2; if (gu > sp) sp = gu; }
    return fabs(got - want) / sp;
}

#define TCAT_(a, b) a##__##b
#define TCAT(a, b) TCAT_(a, b)
#define RK_SYMT(name) TCAT(name, RK_TARGET)

/* one (op, dtype) check; KERNEL(n, x, g, y) hides the arity */
#define CHECK_TYPE(T, DBL, name, nin, npar, CALL)                                        \
    do {                                                                                  \
        const rk_ref_entry *e = rk_ref_find(#name), *fwd = NULL;                          \
        const rk_ref_zero root = rk_ref_root(#name);                                           \
        {   /* a _bwd_y row: the forward it inverts */                                    \
            char fw[64];                                                                  \
            size_t L = strlen(#name);                                                     \
            if (L > 6 && !strcmp(#name + L - 6, "_bwd_y")) {                              \
                memcpy(fw, #name, L - 6); fw[L - 6] = 0;                                  \
                fwd = rk_ref_find(fw);                                                    \
            }                                                                             \
        }                                                                                 \
        T xs[MAXN + 2 * PAD], gs[MAXN + 2 * PAD], ys[MAXN + 2 * PAD], pa_[MAXN], pb_[MAXN]; \
        for (int n = 0; n <= MAXN; n++)                                                   \
            for (int off = 0; off < 4; off++)                                             \
                for (int inplace = 0; inplace < 2; inplace++) {                           \
                    T *x = xs + PAD + off, *g = gs + PAD + off, *y = inplace ? x : ys + PAD + off; \
                    T xin[MAXN];                                                          \
                    for (int i = 0; i < MAXN + 2 * PAD; i++) {                            \
                        if (DBL) { unsigned long long c = CANARY_D; memcpy(&ys[i], &c, sizeof(T)); } \
                        else { unsigned c = CANARY_F; memcpy(&ys[i], &c, sizeof(T)); }   \
                        xs[i] = ys[i];                                                    \
                    }                                                                     \
                    rk_params p;                                                          \
                    memset(&p, 0, sizeof p);                                              \
                    p.stream = n & 1;  /* streaming stores where y is aligned: same bits */ \
                    p.d[0] = npar ? 0.25 : 0; p.d[1] = npar > 1 ? 1.5 : 0;                \
                    if (!strcmp(#name, "softplus") || !strcmp(#name, "softplus_bwd") || !strcmp(#name, "softplus_bwd_y")) { p.d[0] = 1.0; p.d[1] = 20.0; } \
                    if (!strcmp(#name, "hardtanh") || !strcmp(#name, "hardtanh_bwd")) { p.d[0] = -0.5; p.d[1] = 1.5; } \
                    p.f[0] = (float)p.d[0]; p.f[1] = (float)p.d[1];                       \
                    for (int i = 0; i < n; i++) {                                         \
                        x[i] = (T)rnd(); g[i] = (T)rnd();                                 \
                        if (fwd) /* from-output rows take the forward's outputs */       \
                            x[i] = (T)fwd->f((double)x[i], 0, (double)(T)p.d[0], (double)(T)p.d[1]); \
                        xin[i] = x[i];                                                    \
                    }                                                                     \
                    for (int i = 0; i < n; i++) { pa_[i] = (T)p.d[0]; pb_[i] = (T)p.d[1]; } \
                    (void)pa_; (void)pb_;                                                 \
                    CALL;                                                                 \
                    for (int i = 0; i < n; i++) {                                         \
                        /* float64 results: the long double reference (double's own is    \
                         * not accurate enough near the subnormals) */                    \
                        double want = DBL ? (double)e->fl((long double)xin[i], (long double)g[i], \
                                                          (long double)(T)p.d[0], (long double)(T)p.d[1]) \
                                          : e->f((double)xin[i], (double)g[i], (double)(T)p.d[0], (double)(T)p.d[1]); \
                        if (nin == 2 && !is_gated2(#name) && isnan(want) && !isnan((double)xin[i]) && isinf((double)g[i])) { \
                            /* relukit's convention (refloops.c): inf * a vanishing nonzero \
                             * derivative is an infinity of the product's sign */         \
                            double d1 = (double)e->fl((long double)xin[i], 1.0L, (long double)(T)p.d[0], (long double)(T)p.d[1]); \
                            if (!isnan(d1)) want = (double)g[i] * (d1 == 0 ? copysign(1.0, d1) : d1); \
                        }                                                                 \
                        double err = ulp_err((double)y[i], want, DBL, nin == 2 && rk_ref_near_root(root, (double)xin[i]), (double)g[i]); \
                        double b = DBL ? bound_d(#name) : bound_f(#name);                 \
                        if (b == 0) {                                                     \
                            T wr = (T)want;                                               \
                            err = (memcmp(&wr, &y[i], sizeof(T)) == 0 || (isnan(wr) && isnan(y[i]))) ? 0 : 1; \
                        }                                                                 \
                        checked++;                                                        \
                        if (err > b && failures++ < 20)                                   \
                            printf("FAIL %s %s n=%d off=%d inplace=%d i=%d x=%.17g g=%.17g got=%.17g want=%.17g (%.3g ULP)\n", \
                                   #name, DBL ? "f64" : "f32", n, off, inplace, i, (double)xin[i], (double)g[i], \
                                   (double)y[i], want, err);                              \
                    }                                                                     \
                    /* canaries around the output untouched */                            \
                    T *base = inplace ? xs : ys;                                          \
                    for (int i = 0; i < PAD + off; i++)                                   \
                        if (DBL ? (*(unsigned long long *)&base[i] != CANARY_D) : (*(unsigned *)&base[i] != CANARY_F)) \
                            if (failures++ < 20) printf("FAIL %s canary before the output clobbered\n", #name); \
                    for (int i = PAD + off + n; i < MAXN + 2 * PAD; i++)                  \
                        if (DBL ? (*(unsigned long long *)&base[i] != CANARY_D) : (*(unsigned *)&base[i] != CANARY_F)) \
                            if (failures++ < 20) printf("FAIL %s canary after the output clobbered (n=%d)\n", #name, n); \
                }                                                                         \
    } while (0)

#define CALL1(tag, T, name) RK_SYMT(rk_##tag##_##name)((size_t)n, x, y, &p)
#define CALL2(tag, T, name) RK_SYMT(rk_##tag##_##name)((size_t)n, x, g, y, &p)

/* The gated backward (nin 3): (a, b, g) -> (ga, gb), against f and f2 of its
 * reference; out of place (canaries around both outputs) and in place (ga over a,
 * gb over b).  Operands from rnd() (|.| <= 2^20: g*b within range). */
#define CHECK_GATED3(T, DBL, tag, name)                                                   \
    do {                                                                                  \
        const rk_ref_entry *e = rk_ref_find(#name);                                       \
        const rk_ref_zero root = rk_ref_root(#name);                                      \
        T as[MAXN + 2 * PAD], bs[MAXN + 2 * PAD], gs[MAXN], o1[MAXN + 2 * PAD], o2[MAXN + 2 * PAD]; \
        T ain[MAXN], bin[MAXN];                                                           \
        rk_params p;                                                                      \
        memset(&p, 0, sizeof p);                                                          \
        for (int n = 0; n <= MAXN; n++)                                                   \
            for (int inplace = 0; inplace < 2; inplace++) {                               \
                for (int i = 0; i < MAXN + 2 * PAD; i++) {                                \
                    if (DBL) { unsigned long long c = CANARY_D; memcpy(&o1[i], &c, sizeof(T)); } \
                    else { unsigned c = CANARY_F; memcpy(&o1[i], &c, sizeof(T)); }       \
                    o2[i] = o1[i]; as[i] = o1[i]; bs[i] = o1[i];                          \
                }                                                                         \
                T *a = as + PAD, *b = bs + PAD;                                           \
                for (int i = 0; i < n; i++) {                                             \
                    ain[i] = a[i] = (T)rnd(); bin[i] = b[i] = (T)rnd(); gs[i] = (T)rnd(); \
                }                                                                         \
                T *ga = inplace ? a : o1 + PAD, *gb = inplace ? b : o2 + PAD;             \
                RK_SYMT(rk_##tag##_##name)((size_t)n, a, b, gs, ga, gb, &p);              \
                for (int i = 0; i < n; i++) {                                             \
                    for (int k = 0; k < 2; k++) {                                         \
                        rk_ref_fn f = k ? e->f2 : e->f;                                   \
                        rk_refl_fn fl = k ? e->fl2 : e->fl;                               \
                        /* (reglu: one product, exact in double; in long double it would \
                         * be rounded twice) */                                           \
                        double want = DBL && strcmp(#name, "reglu_bwd")                   \
                                          ? (double)fl((long double)ain[i], (long double)gs[i], (long double)bin[i], 0) \
                                          : f((double)ain[i], (double)gs[i], (double)bin[i], 0); \
                        double got = (double)(k ? gb[i] : ga[i]);                         \
                        double err = ulp_err(got, want, DBL, !k && rk_ref_near_root(root, (double)ain[i]), \
                                             (double)gs[i] * (double)bin[i]);             \
                        double bd = DBL ? 4.0 : 2.0;                                      \
                        if (!strcmp(#name, "reglu_bwd")) {                                \
                            T wr = (T)want, gt = k ? gb[i] : ga[i];                       \
                            err = (memcmp(&wr, &gt, sizeof(T)) == 0 || (isnan(wr) && isnan(gt))) ? 0 : 1; \
                            bd = 0;                                                       \
                        }                                                                 \
                        checked++;                                                        \
                        if (err > bd && failures++ < 20)                                  \
                            printf("FAIL %s %s output %d n=%d inplace=%d a=%.17g b=%.17g g=%.17g got=%.17g want=%.17g\n", \
                                   #name, DBL ? "f64" : "f32", k, n, inplace, (double)ain[i], (double)bin[i], \
                                   (double)gs[i], got, want);                             \
                    }                                                                     \
                }                                                                         \
                T *bases[4] = {as, bs, o1, o2};                                           \
                for (int q = inplace ? 0 : 2; q < (inplace ? 2 : 4); q++) {               \
                    for (int i = 0; i < PAD; i++)                                         \
                        if (DBL ? (*(unsigned long long *)&bases[q][i] != CANARY_D) : (*(unsigned *)&bases[q][i] != CANARY_F)) \
                            if (failures++ < 20) printf("FAIL %s canary before output %d\n", #name, q); \
                    for (int i = PAD + n; i < MAXN + 2 * PAD; i++)                        \
                        if (DBL ? (*(unsigned long long *)&bases[q][i] != CANARY_D) : (*(unsigned *)&bases[q][i] != CANARY_F)) \
                            if (failures++ < 20) printf("FAIL %s canary after output %d (n=%d)\n", #name, q, n); \
                }                                                                         \
            }                                                                             \
    } while (0)
#define CHECK_ROW_1(name, npar) CHECK_TYPE(float, 0, name, 1, npar, CALL1(f32, float, name)); \
    CHECK_TYPE(double, 1, name, 1, npar, CALL1(f64, double, name));
#define CHECK_ROW_2(name, npar) CHECK_TYPE(float, 0, name, 2, npar, CALL2(f32, float, name)); \
    CHECK_TYPE(double, 1, name, 2, npar, CALL2(f64, double, name));
#define CHECK_ROW_3(name, npar) CHECK_GATED3(float, 0, f32, name); CHECK_GATED3(double, 1, f64, name);

int main(void) {
#define RK_OP(name, nin, npar, ints, cost) CHECK_ROW_##nin(name, npar)
#include "kernels.inc"
#undef RK_OP
    printf("%s: %llu results checked, %d failures\n", STR(RK_TARGET), checked, failures);
    return failures > 100 ? 100 : failures;
}
