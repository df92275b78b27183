/* scalar.h: portable fallback for CPUs without a wrapper (one lane).  Same API
 * as baseline.h; comparisons use the quiet isless/islessequal built-ins. */
#include <math.h>

#define RK_ISA "scalar"
#define RK_VF_LANES 1
#define RK_HAVE_FMA 0   /* vf_fma is a multiply and an add: two roundings */
#define RK_VD_LANES 1
typedef float vf;  typedef int mf; typedef int32_t vi;
typedef double vd; typedef int md; typedef int64_t vl;

RK_INLINE uint32_t rk_f2u(float a) { uint32_t u; memcpy(&u, &a, 4); return u; }
RK_INLINE float rk_u2f(uint32_t u) { float a; memcpy(&a, &u, 4); return a; }
RK_INLINE uint64_t rk_d2u(double a) { uint64_t u; memcpy(&u, &a, 8); return u; }
RK_INLINE double rk_u2d(uint64_t u) { double a; memcpy(&a, &u, 8); return a; }

RK_INLINE vf vf_load(const float *p) { return *p; }
RK_INLINE void vf_store(float *p, vf v) { *p = v; }
#define vf_stream vf_store
RK_INLINE vf vf_load_tail(const float *p, size_t n) { (void)n; (void)p; return 0.0f; } /* never used: n < 1 lanes */
RK_INLINE void vf_store_tail(float *p, vf v, size_t n) { (void)p; (void)v; (void)n; }
RK_INLINE vf vf_set1(float a) { return a; }
RK_INLINE vf vf_zero(void) { return 0.0f; }
RK_INLINE vf vf_add(vf a, vf b) { return a + b; }
RK_INLINE vf vf_sub(vf a, vf b) { return a - b; }
RK_INLINE vf vf_mul(vf a, vf b) { return a * b; }
RK_INLINE vf vf_div(vf a, vf b) { return a / b; }
RK_INLINE vf vf_fma(vf a, vf b, vf c) { return a * b + c; }
RK_INLINE vf vf_fnma(vf a, vf b, vf c) { return c - a * b; }
RK_INLINE vf vf_fms(vf a, vf b, vf c) { return a * b - c; }
RK_INLINE vf vf_fnms(vf a, vf b, vf c) { return -(a * b) - c; }
RK_INLINE vf vf_min(vf a, vf b) { return __builtin_isless(a, b) ? a : b; }
RK_INLINE vf vf_max(vf a, vf b) { return __builtin_isgreater(a, b) ? a : b; }
RK_INLINE vf vf_and(vf a, vf b) { return rk_u2f(rk_f2u(a) & rk_f2u(b)); }
RK_INLINE vf vf_or(vf a, vf b) { return rk_u2f(rk_f2u(a) | rk_f2u(b)); }
RK_INLINE vf vf_xor(vf a, vf b) { return rk_u2f(rk_f2u(a) ^ rk_f2u(b)); }
RK_INLINE vf vf_andnot(vf a, vf b) { return rk_u2f(~rk_f2u(a) & rk_f2u(b)); }
RK_INLINE vf vf_abs(vf a) { return rk_u2f(rk_f2u(a) & 0x7fffffffu); }
RK_INLINE vf vf_neg(vf a) { return rk_u2f(rk_f2u(a) ^ 0x80000000u); }
RK_INLINE vf vf_copysign(vf m, vf s) { return rk_u2f((rk_f2u(m) & 0x7fffffffu) | (rk_f2u(s) & 0x80000000u)); }
RK_INLINE mf vf_isnan(vf a) { return __builtin_isunordered(a, a); }
RK_INLINE mf vf_eq(vf a, vf b) { return a == b; }
RK_INLINE mf vf_lt(vf a, vf b) { return __builtin_isless(a, b); }
RK_INLINE mf vf_le(vf a, vf b) { return __builtin_islessequal(a, b); }
RK_INLINE mf vf_gt(vf a, vf b) { return __builtin_isgreater(a, b); }
RK_INLINE mf vf_ge(vf a, vf b) { return __builtin_isgreaterequal(a, b); }
RK_INLINE mf mf_and(mf a, mf b) { return a & b; }
RK_INLINE mf mf_or(mf a, mf b) { return a | b; }
RK_INLINE mf mf_andnot(mf a, mf b) { return (!a) & b; }
RK_INLINE int mf_any(mf m) { return m != 0; }
RK_INLINE int mf_all(mf m) { return m != 0; }
RK_INLINE vf vf_select(mf m, vf a, vf b) { return m ? a : b; }
RK_INLINE vf vf_rint(vf a) {
    vf ax = vf_abs(a);
    return __builtin_isless(ax, 8388608.0f) ? vf_copysign((ax + 8388608.0f) - 8388608.0f, a) : a;
}
RK_INLINE vi vf_as_vi(vf a) { return (vi)rk_f2u(a); }
RK_INLINE vf vi_as_vf(vi a) { return rk_u2f((uint32_t)a); }
RK_INLINE vi vf_cvt_vi(vf a) { return (vi)vf_rint(a); }
RK_INLINE vf vi_cvt_vf(vi a) { return (vf)a; }
RK_INLINE vi vi_set1(int32_t a) { return a; }
RK_INLINE vi vi_add(vi a, vi b) { return (vi)((uint32_t)a + (uint32_t)b); }
RK_INLINE vi vi_sub(vi a, vi b) { return (vi)((uint32_t)a - (uint32_t)b); }
RK_INLINE vi vi_and(vi a, vi b) { return a & b; }
RK_INLINE vi vi_or(vi a, vi b) { return a | b; }
RK_INLINE mf vi_gt(vi a, vi b) { return a > b; }
RK_INLINE mf vi_eq(vi a, vi b) { return a == b; }
#define vi_slli(a, k) ((vi)((uint32_t)(a) << (k)))
#define vi_srli(a, k) ((vi)((uint32_t)(a) >> (k)))
#define vi_srai(a, k) ((vi)((a) >> (k)))
/* per-lane lookup in an 8-float table: t[i], i in [0, 7] */
RK_INLINE vf vf_lut8(const float *t, vi i) { return t[i]; }
/* an index for vf_lut8 from any int32: its low 3 bits */
RK_INLINE vi vi_lut8_index(vi i) { return i & 7; }
/* a where x's sign bit is set, else b */
RK_INLINE vf vf_select_neg(vf x, vf a, vf b) { return (rk_f2u(x) >> 31) ? a : b; }

RK_INLINE vf vf_load_f16(const rk_half *p) {
    uint32_t h = *p, sign = (h & 0x8000u) << 16, o = (h & 0x7fffu) << 13, e = o & (0x7c00u << 13);
    o += (127 - 15) << 23;
    if (e == (0x7c00u << 13)) o += (128 - 16) << 23;
    else if (e == 0) o = rk_f2u(rk_u2f(o + (1u << 23)) - rk_u2f(113u << 23));
    return rk_u2f(o | sign);
}
RK_INLINE void vf_store_f16(rk_half *p, vf v) {
    uint32_t u = rk_f2u(v), sign = u & 0x80000000u, r;
    u ^= sign;
    if (u >= 0x47800000u) r = u > 0x7f800000u ? 0x7e00u : 0x7c00u;
    else if (u < (113u << 23)) r = rk_f2u(rk_u2f(u) + rk_u2f(126u << 23)) - (126u << 23);
    else r = (u + ((uint32_t)(15 - 127) << 23) + 0xfffu + ((u >> 13) & 1u)) >> 13;
    *p = (rk_half)(r | (sign >> 16));
}
#define vf_stream_f16 vf_store_f16
RK_INLINE vf vf_load_f16_tail(const rk_half *p, size_t n) { (void)n; (void)p; return 0.0f; }
RK_INLINE void vf_store_f16_tail(rk_half *p, vf v, size_t n) { (void)p; (void)v; (void)n; }

RK_INLINE vd vd_load(const double *p) { return *p; }
RK_INLINE void vd_store(double *p, vd v) { *p = v; }
#define vd_stream vd_store
RK_INLINE vd vd_load_tail(const double *p, size_t n) { (void)n; (void)p; return 0.0; }
RK_INLINE void vd_store_tail(double *p, vd v, size_t n) { (void)p; (void)v; (void)n; }
RK_INLINE vd vd_set1(double a) { return a; }
RK_INLINE vd vd_zero(void) { return 0.0; }
RK_INLINE vd vd_add(vd a, vd b) { return a + b; }
RK_INLINE vd vd_sub(vd a, vd b) { return a - b; }
RK_INLINE vd vd_mul(vd a, vd b) { return a * b; }
RK_INLINE vd vd_div(vd a, vd b) { return a / b; }
RK_INLINE vd vd_fma(vd a, vd b, vd c) { return a * b + c; }
RK_INLINE vd vd_fnma(vd a, vd b, vd c) { return c - a * b; }
RK_INLINE vd vd_fms(vd a, vd b, vd c) { return a * b - c; }
RK_INLINE vd vd_fnms(vd a, vd b, vd c) { return -(a * b) - c; }
RK_INLINE vd vd_min(vd a, vd b) { return __builtin_isless(a, b) ? a : b; }
RK_INLINE vd vd_max(vd a, vd b) { return __builtin_isgreater(a, b) ? a : b; }
RK_INLINE vd vd_and(vd a, vd b) { return rk_u2d(rk_d2u(a) & rk_d2u(b)); }
RK_INLINE vd vd_or(vd a, vd b) { return rk_u2d(rk_d2u(a) | rk_d2u(b)); }
RK_INLINE vd vd_xor(vd a, vd b) { return rk_u2d(rk_d2u(a) ^ rk_d2u(b)); }
RK_INLINE vd vd_andnot(vd a, vd b) { return rk_u2d(~rk_d2u(a) & rk_d2u(b)); }
RK_INLINE vd vd_abs(vd a) { return rk_u2d(rk_d2u(a) & 0x7fffffffffffffffull); }
RK_INLINE vd vd_neg(vd a) { return rk_u2d(rk_d2u(a) ^ 0x8000000000000000ull); }
RK_INLINE vd vd_copysign(vd m, vd s) {
    return rk_u2d((rk_d2u(m) & 0x7fffffffffffffffull) | (rk_d2u(s) & 0x8000000000000000ull));
}
RK_INLINE md vd_isnan(vd a) { return __builtin_isunordered(a, a); }
RK_INLINE md vd_eq(vd a, vd b) { return a == b; }
RK_INLINE md vd_lt(vd a, vd b) { return __builtin_isless(a, b); }
RK_INLINE md vd_le(vd a, vd b) { return __builtin_islessequal(a, b); }
RK_INLINE md vd_gt(vd a, vd b) { return __builtin_isgreater(a, b); }
RK_INLINE md vd_ge(vd a, vd b) { return __builtin_isgreaterequal(a, b); }
RK_INLINE md md_and(md a, md b) { return a & b; }
RK_INLINE md md_or(md a, md b) { return a | b; }
RK_INLINE md md_andnot(md a, md b) { return (!a) & b; }
RK_INLINE int md_any(md m) { return m != 0; }
RK_INLINE int md_all(md m) { return m != 0; }
RK_INLINE vd vd_select(md m, vd a, vd b) { return m ? a : b; }
RK_INLINE vd vd_rint(vd a) {
    vd ax = vd_abs(a);
    return __builtin_isless(ax, 4503599627370496.0) ? vd_copysign((ax + 4503599627370496.0) - 4503599627370496.0, a) : a;
}
RK_INLINE vl vd_as_vl(vd a) { return (vl)rk_d2u(a); }
RK_INLINE vd vl_as_vd(vl a) { return rk_u2d((uint64_t)a); }
RK_INLINE vl vl_set1(int64_t a) { return a; }
RK_INLINE vl vl_add(vl a, vl b) { return (vl)((uint64_t)a + (uint64_t)b); }
RK_INLINE vl vl_sub(vl a, vl b) { return (vl)((uint64_t)a - (uint64_t)b); }
RK_INLINE vl vl_and(vl a, vl b) { return a & b; }
RK_INLINE vl vl_or(vl a, vl b) { return a | b; }
#define vl_slli(a, k) ((vl)((uint64_t)(a) << (k)))
#define vl_srli(a, k) ((vl)((uint64_t)(a) >> (k)))

/* ---------------- float32 <-> float64 (one lane each: the hi half is empty) ---------------- */
#define RK_VF_VD_SAME_LANES 1
RK_INLINE vd vf_lo_vd(vf a) { return (double)a; }
RK_INLINE vd vf_hi_vd(vf a) { (void)a; return 0.0; }
RK_INLINE vf vd2_vf(vd lo, vd hi) { (void)hi; return (float)lo; }
