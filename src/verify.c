/* verify.c: exhaustive float32 verification in C (called by `python -m relukit
 * verify --exhaustive`): for a range of float32 bit patterns, run the op's ufunc
 * loop (kernel of the chosen target) and its double reference (reference.c),
 * and measure the error in ULP of float32.
 *
 * Error of one element (the published criterion):
 *   want = reference in double; wr = want rounded to float32
 *   NaN: both NaN -> 0, one NaN -> +inf;  an infinite got or wr: equal -> 0, else +inf
 *   else |got - want| / unit, unit = spacing of float32 at |wr| (the subnormal
 *   spacing for subnormals), and for backward ops within the window around the
 *   zero of the derivative (reference.h, rk_ref_root) max(unit, 2^-23 |g| / 2).
 *   exact ops: got must equal wr bit for bit (-0.0 != +0.0), else the error is
 *   reported as max(err, 0.5) so it fails a bound of 0.
 * The gated rows (src/gated.c) sweep their activated operand (a; glu: the gate b)
 * with the other operand and the gradient equal to g; the backward's error is the
 * larger of its two outputs' (grad_a's window: the activation's zero, unit
 * max(ULP, eps |g b| / 2)).
 */
#include <math.h>
#include <string.h>
#include <float.h>
#include "relukit.h"
#include "reference.h"

#define RK_VBLOCK 4096

static double spacing_f32(float w) {
    float a = fabsf(w);
    if (a >= FLT_MAX) return (double)FLT_MAX - (double)nextafterf(FLT_MAX, 0.0f);
    return (double)nextafterf(a, INFINITY) - (double)a;
}

/* error of one float32 result against its double reference (see above) */
static double err_f32(float got, double want, int exact, int in_window, double gmag) {
    float wr = (float)want;
    double err;
    if (isnan(want) || isnan(got)) return (isnan(want) && isnan(got)) ? 0.0 : INFINITY;
    if (isinf(got) || isinf(wr)) return got == wr ? 0.0 : INFINITY;
    double unit = spacing_f32(wr);
    if (in_window) {
        double gu = (double)FLT_EPSILON * gmag / 2;
        if (gu > unit) unit = gu;
    }
    err = fabs((double)got - want) / unit;
    if (exact) {
        uint32_t bg, bw;
        memcpy(&bg, &got, 4);
        memcpy(&bw, &wr, 4);
        err = bg == bw ? 0.0 : (err > 0.5 ? err : 0.5);
    }
    return err;
}

static int is_gated_forward(const char *row) {
    static const char *const rows[] = {"glu", "reglu", "geglu", "geglu_tanh", "swiglu", NULL};
    for (const char *const *r = rows; *r; r++)
        if (!strcmp(row, *r)) return 1;
    return 0;
}

/* the gated rows: forward (a, b) -> y, backward (g, a, b) -> (ga, gb) */
static void verify_gated(const rk_opinfo *const *ops, int nops, const rk_refinfo *ref,
                         uint64_t lo, uint64_t hi, float g, int exact, double bound,
                         double *maxerr, uint32_t *worst, uint64_t *nbad) {
    static const int NB = RK_VBLOCK;
    float x[RK_VBLOCK], c[RK_VBLOCK], y[RK_VBLOCK], y2[RK_VBLOCK];
    double xd[RK_VBLOCK], cd[RK_VBLOCK], yd[RK_VBLOCK], yd2[RK_VBLOCK];
    const char *name = ((const rk_ref_entry *)ref->entry)->name;
    const int bwd = ops[0]->nin == 3, glu = !strncmp(name, "glu", 3);
    const rk_ref_zero root = rk_ref_root(name);
    for (int t = 0; t < nops; t++) { maxerr[t] = 0; worst[t] = 0; nbad[t] = 0; }
    for (int i = 0; i < NB; i++) { c[i] = g; cd[i] = g; }
    for (uint64_t base = lo; base < hi; base += RK_VBLOCK) {
        ptrdiff_t n = (ptrdiff_t)((hi - base) < RK_VBLOCK ? (hi - base) : RK_VBLOCK);
        for (ptrdiff_t i = 0; i < n; i++) {
            uint32_t bits = (uint32_t)(base + (uint64_t)i);
            memcpy(&x[i], &bits, 4);
            xd[i] = (double)x[i];
        }
        /* operands: forward (a, b, y); backward (g, a, b, ga, gb); x is the
         * activated operand (glu: b), c every other one */
        char *args[5], *rargs[5];
        ptrdiff_t steps[5] = {4, 4, 4, 4, 4}, rsteps[5] = {8, 8, 8, 8, 8};
        if (!bwd) {
            args[0] = (char *)(glu ? c : x); args[1] = (char *)(glu ? x : c);
            args[2] = (char *)y;
            rargs[0] = (char *)(glu ? cd : xd); rargs[1] = (char *)(glu ? xd : cd);
            rargs[2] = (char *)yd;
        } else {
            args[0] = (char *)c; args[1] = (char *)(glu ? c : x); args[2] = (char *)(glu ? x : c);
            args[3] = (char *)y; args[4] = (char *)y2;
            rargs[0] = (char *)cd; rargs[1] = (char *)(glu ? cd : xd);
            rargs[2] = (char *)(glu ? xd : cd); rargs[3] = (char *)yd; rargs[4] = (char *)yd2;
        }
        ref->loop_d(rargs, &n, rsteps, (void *)ref);
        for (int t = 0; t < nops; t++) {   /* every target against the one reference */
            ops[t]->loop[RK_f32](args, &n, steps, ops[t]->data[RK_f32]);
            for (ptrdiff_t i = 0; i < n; i++) {
                double err = err_f32(y[i], yd[i], exact,
                                     bwd && !glu && rk_ref_near_root(root, xd[i]),
                                     fabs((double)g * (double)g));
                if (bwd) {
                    double e2 = err_f32(y2[i], yd2[i], exact, 0, 0.0);
                    if (e2 > err || isnan(e2)) err = e2;
                }
                if (err > bound) nbad[t]++;
                if (err > maxerr[t]) {
                    maxerr[t] = err;
                    memcpy(&worst[t], &x[i], 4);
                }
            }
        }
    }
}

int rk_verify_f32(const rk_opinfo *const *ops, int nops, const rk_refinfo *ref,
                  uint64_t lo, uint64_t hi, float pa, float pb, float g, int exact, double bound,
                  double *maxerr, uint32_t *worst, uint64_t *nbad) {
    if (nops < 1) return -1;
    if (ops[0]->nin == 3 || is_gated_forward(((const rk_ref_entry *)ref->entry)->name)) {
        verify_gated(ops, nops, ref, lo, hi, g, exact, bound, maxerr, worst, nbad);
        return 0;
    }
    float x[RK_VBLOCK], y[RK_VBLOCK], gf[RK_VBLOCK], paf = pa, pbf = pb;
    double xd[RK_VBLOCK], gd[RK_VBLOCK], yd[RK_VBLOCK], pad = pa, pbd = pb;
    const int nin = ops[0]->nin, npar = ops[0]->npar, bwd = nin == 2;
    const rk_ref_zero root = rk_ref_root(((const rk_ref_entry *)ref->entry)->name);
    for (int t = 0; t < nops; t++) { maxerr[t] = 0; worst[t] = 0; nbad[t] = 0; }
    for (int i = 0; i < RK_VBLOCK; i++) { gf[i] = g; gd[i] = g; }
    for (uint64_t base = lo; base < hi; base += RK_VBLOCK) {
        ptrdiff_t n = (ptrdiff_t)((hi - base) < RK_VBLOCK ? (hi - base) : RK_VBLOCK);
        for (ptrdiff_t i = 0; i < n; i++) {
            uint32_t b = (uint32_t)(base + (uint64_t)i);
            memcpy(&x[i], &b, 4);
            xd[i] = (double)x[i];
        }
        /* the reference once: operands [g,] x, params..., y; parameters with stride 0 */
        char *args[5];
        ptrdiff_t steps[5];
        int k = 0;
        if (bwd) { args[k] = (char *)gd; steps[k++] = 8; }
        args[k] = (char *)xd; steps[k++] = 8;
        if (npar >= 1) { args[k] = (char *)&pad; steps[k++] = 0; }
        if (npar >= 2) { args[k] = (char *)&pbd; steps[k++] = 0; }
        args[k] = (char *)yd; steps[k++] = 8;
        ref->loop_d(args, &n, steps, (void *)ref);
        /* then every target's float32 loop against it */
        k = 0;
        if (bwd) { args[k] = (char *)gf; steps[k++] = 4; }
        args[k] = (char *)x; steps[k++] = 4;
        if (npar >= 1) { args[k] = (char *)&paf; steps[k++] = 0; }
        if (npar >= 2) { args[k] = (char *)&pbf; steps[k++] = 0; }
        args[k] = (char *)y; steps[k++] = 4;
        for (int t = 0; t < nops; t++) {
            ops[t]->loop[RK_f32](args, &n, steps, ops[t]->data[RK_f32]);
            for (ptrdiff_t i = 0; i < n; i++) {
                double err = err_f32(y[i], yd[i], exact, bwd && rk_ref_near_root(root, xd[i]),
                                     fabs((double)g));
                if (err > bound) nbad[t]++;
                if (err > maxerr[t]) {
                    maxerr[t] = err;
                    memcpy(&worst[t], &x[i], 4);
                }
            }
        }
    }
    return 0;
}
