/* neon.h: aarch64 baseline, Advanced SIMD (4 floats / 2 doubles per vector).
 * AArch64's FCMGT/FCMGE signal on quiet NaNs, so ordered comparisons run on
 * NaN-free copies, as in baseline.h.  API: see baseline.h. */
#include <arm_neon.h>

#define RK_ISA "neon"
#define RK_VF_LANES 4
#define RK_HAVE_FMA 1   /* vf_fma is fused: one rounding */
#define RK_VD_LANES 2
typedef float32x4_t vf; typedef uint32x4_t mf; typedef int32x4_t vi;
typedef float64x2_t vd; typedef uint64x2_t md; typedef int64x2_t vl;

/* ---------------- float32 ---------------- */
RK_INLINE vf vf_load(const float *p) { return vld1q_f32(p); }
RK_INLINE void vf_store(float *p, vf v) { vst1q_f32(p, v); }
#define vf_stream vf_store   /* no cache-bypassing store wrapper here */
RK_INLINE vf vf_load_tail(const float *p, size_t n) {
    float b[4] = {0, 0, 0, 0};
    memcpy(b, p, n * sizeof(float));
    return vld1q_f32(b);
}
RK_INLINE void vf_store_tail(float *p, vf v, size_t n) {
    float b[4];
    vst1q_f32(b, v);
    memcpy(p, b, n * sizeof(float));
}
RK_INLINE vf vf_set1(float a) { return vdupq_n_f32(a); }
RK_INLINE vf vf_zero(void) { return vdupq_n_f32(0.0f); }
RK_INLINE vf vf_add(vf a, vf b) { return vaddq_f32(a, b); }
RK_INLINE vf vf_sub(vf a, vf b) { return vsubq_f32(a, b); }
RK_INLINE vf vf_mul(vf a, vf b) { return vmulq_f32(a, b); }
RK_INLINE vf vf_div(vf a, vf b) { return vdivq_f32(a, b); }
RK_INLINE vf vf_fma(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); }
RK_INLINE vf vf_fnma(vf a, vf b, vf c) { return vfmsq_f32(c, a, b); }
RK_INLINE vf vf_fms(vf a, vf b, vf c) { return vnegq_f32(vfmsq_f32(c, a, b)); }
RK_INLINE vf vf_fnms(vf a, vf b, vf c) { return vnegq_f32(vfmaq_f32(c, a, b)); }
RK_INLINE vf vf_min(vf a, vf b) { return vminq_f32(a, b); }
RK_INLINE vf vf_max(vf a, vf b) { return vmaxq_f32(a, b); }
#define RK_NF_BIN(name, op) \
    RK_INLINE vf vf_##name(vf a, vf b) { \
        return vreinterpretq_f32_u32(op(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b))); }
RK_NF_BIN(and, vandq_u32)
RK_NF_BIN(or, vorrq_u32)
RK_NF_BIN(xor, veorq_u32)
RK_INLINE vf vf_andnot(vf a, vf b) {
    return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(b), vreinterpretq_u32_f32(a)));
}
RK_INLINE vf vf_abs(vf a) { return vabsq_f32(a); }
RK_INLINE vf vf_neg(vf a) { return vnegq_f32(a); }
RK_INLINE vf vf_copysign(vf mag, vf sgn) {
    return vbslq_f32(vdupq_n_u32(0x80000000u), sgn, mag);
}
RK_INLINE mf vf_isnan(vf a) { return vmvnq_u32(vceqq_f32(a, a)); }
RK_INLINE mf vf_eq(vf a, vf b) { return vceqq_f32(a, b); }
RK_INLINE mf rk_neon_ordf(vf a, vf b) { return vandq_u32(vceqq_f32(a, a), vceqq_f32(b, b)); }
RK_INLINE vf rk_neon_clnf(mf o, vf a) { return vreinterpretq_f32_u32(vandq_u32(o, vreinterpretq_u32_f32(a))); }
RK_INLINE mf vf_lt(vf a, vf b) { mf o = rk_neon_ordf(a, b); return vandq_u32(o, vcltq_f32(rk_neon_clnf(o, a), rk_neon_clnf(o, b))); }
RK_INLINE mf vf_le(vf a, vf b) { mf o = rk_neon_ordf(a, b); return vandq_u32(o, vcleq_f32(rk_neon_clnf(o, a), rk_neon_clnf(o, b))); }
RK_INLINE mf vf_gt(vf a, vf b) { return vf_lt(b, a); }
RK_INLINE mf vf_ge(vf a, vf b) { return vf_le(b, a); }
RK_INLINE mf mf_and(mf a, mf b) { return vandq_u32(a, b); }
RK_INLINE mf mf_or(mf a, mf b) { return vorrq_u32(a, b); }
RK_INLINE mf mf_andnot(mf a, mf b) { return vbicq_u32(b, a); }
RK_INLINE int mf_any(mf m) { return vmaxvq_u32(m) != 0; }
RK_INLINE int mf_all(mf m) { return vminvq_u32(m) != 0; }
RK_INLINE vf vf_select(mf m, vf a, vf b) { return vbslq_f32(m, a, b); }
RK_INLINE vf vf_rint(vf a) { return vrndnq_f32(a); }
RK_INLINE vi vf_as_vi(vf a) { return vreinterpretq_s32_f32(a); }
RK_INLINE vf vi_as_vf(vi a) { return vreinterpretq_f32_s32(a); }
RK_INLINE vi vf_cvt_vi(vf a) { return vcvtnq_s32_f32(a); }
RK_INLINE vf vi_cvt_vf(vi a) { return vcvtq_f32_s32(a); }
RK_INLINE vi vi_set1(int32_t a) { return vdupq_n_s32(a); }
RK_INLINE vi vi_add(vi a, vi b) { return vaddq_s32(a, b); }
RK_INLINE vi vi_sub(vi a, vi b) { return vsubq_s32(a, b); }
RK_INLINE vi vi_and(vi a, vi b) { return vandq_s32(a, b); }
RK_INLINE vi vi_or(vi a, vi b) { return vorrq_s32(a, b); }
RK_INLINE mf vi_gt(vi a, vi b) { return vcgtq_s32(a, b); }
RK_INLINE mf vi_eq(vi a, vi b) { return vceqq_s32(a, b); }
#define vi_slli(a, k) vshlq_n_s32((a), (k))
#define vi_srli(a, k) vreinterpretq_s32_u32(vshrq_n_u32(vreinterpretq_u32_s32(a), (k)))
#define vi_srai(a, k) vshrq_n_s32((a), (k))
/* per-lane lookup in an 8-float table: t[i] for each lane's i in [0, 7] */
RK_INLINE vf vf_lut8(const float *t, vi i) {
    float32x4_t r = vdupq_n_f32(t[vgetq_lane_s32(i, 0)]);
    r = vsetq_lane_f32(t[vgetq_lane_s32(i, 1)], r, 1);
    r = vsetq_lane_f32(t[vgetq_lane_s32(i, 2)], r, 2);
    return vsetq_lane_f32(t[vgetq_lane_s32(i, 3)], r, 3);
}
/* an index for vf_lut8 from any int32: its low 3 bits */
RK_INLINE vi vi_lut8_index(vi i) { return vandq_s32(i, vdupq_n_s32(7)); }
/* a where x's sign bit is set, else b */
RK_INLINE vf vf_select_neg(vf x, vf a, vf b) {
    return vbslq_f32(vreinterpretq_u32_s32(vshrq_n_s32(vreinterpretq_s32_f32(x), 31)), a, b);
}

RK_INLINE vf vf_load_f16(const rk_half *p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }
RK_INLINE void vf_store_f16(rk_half *p, vf v) { vst1_u16(p, vreinterpret_u16_f16(vcvt_f16_f32(v))); }
#define vf_stream_f16 vf_store_f16
RK_INLINE vf vf_load_f16_tail(const rk_half *p, size_t n) {
    rk_half b[4] = {0, 0, 0, 0};
    memcpy(b, p, n * sizeof(rk_half));
    return vf_load_f16(b);
}
RK_INLINE void vf_store_f16_tail(rk_half *p, vf v, size_t n) {
    rk_half b[4];
    vf_store_f16(b, v);
    memcpy(p, b, n * sizeof(rk_half));
}

/* ---------------- float64 ---------------- */
RK_INLINE vd vd_load(const double *p) { return vld1q_f64(p); }
RK_INLINE void vd_store(double *p, vd v) { vst1q_f64(p, v); }
#define vd_stream vd_store
RK_INLINE vd vd_load_tail(const double *p, size_t n) { (void)n; return vsetq_lane_f64(p[0], vdupq_n_f64(0.0), 0); }
RK_INLINE void vd_store_tail(double *p, vd v, size_t n) { (void)n; p[0] = vgetq_lane_f64(v, 0); }
RK_INLINE vd vd_set1(double a) { return vdupq_n_f64(a); }
RK_INLINE vd vd_zero(void) { return vdupq_n_f64(0.0); }
RK_INLINE vd vd_add(vd a, vd b) { return vaddq_f64(a, b); }
RK_INLINE vd vd_sub(vd a, vd b) { return vsubq_f64(a, b); }
RK_INLINE vd vd_mul(vd a, vd b) { return vmulq_f64(a, b); }
RK_INLINE vd vd_div(vd a, vd b) { return vdivq_f64(a, b); }
RK_INLINE vd vd_fma(vd a, vd b, vd c) { return vfmaq_f64(c, a, b); }
RK_INLINE vd vd_fnma(vd a, vd b, vd c) { return vfmsq_f64(c, a, b); }
RK_INLINE vd vd_fms(vd a, vd b, vd c) { return vnegq_f64(vfmsq_f64(c, a, b)); }
RK_INLINE vd vd_fnms(vd a, vd b, vd c) { return vnegq_f64(vfmaq_f64(c, a, b)); }
RK_INLINE vd vd_min(vd a, vd b) { return vminq_f64(a, b); }
RK_INLINE vd vd_max(vd a, vd b) { return vmaxq_f64(a, b); }
#define RK_ND_BIN(name, op) \
    RK_INLINE vd vd_##name(vd a, vd b) { \
        return vreinterpretq_f64_u64(op(vreinterpretq_u64_f64(a), vreinterpretq_u64_f64(b))); }
RK_ND_BIN(and, vandq_u64)
RK_ND_BIN(or, vorrq_u64)
RK_ND_BIN(xor, veorq_u64)
RK_INLINE vd vd_andnot(vd a, vd b) {
    return vreinterpretq_f64_u64(vbicq_u64(vreinterpretq_u64_f64(b), vreinterpretq_u64_f64(a)));
}
RK_INLINE vd vd_abs(vd a) { return vabsq_f64(a); }
RK_INLINE vd vd_neg(vd a) { return vnegq_f64(a); }
RK_INLINE vd vd_copysign(vd mag, vd sgn) { return vbslq_f64(vdupq_n_u64(0x8000000000000000ull), sgn, mag); }
RK_INLINE md vd_isnan(vd a) { return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(vceqq_f64(a, a)))); }
RK_INLINE md vd_eq(vd a, vd b) { return vceqq_f64(a, b); }
RK_INLINE md rk_neon_ordd(vd a, vd b) { return vandq_u64(vceqq_f64(a, a), vceqq_f64(b, b)); }
RK_INLINE vd rk_neon_clnd(md o, vd a) { return vreinterpretq_f64_u64(vandq_u64(o, vreinterpretq_u64_f64(a))); }
RK_INLINE md vd_lt(vd a, vd b) { md o = rk_neon_ordd(a, b); return vandq_u64(o, vcltq_f64(rk_neon_clnd(o, a), rk_neon_clnd(o, b))); }
RK_INLINE md vd_le(vd a, vd b) { md o = rk_neon_ordd(a, b); return vandq_u64(o, vcleq_f64(rk_neon_clnd(o, a), rk_neon_clnd(o, b))); }
RK_INLINE md vd_gt(vd a, vd b) { return vd_lt(b, a); }
RK_INLINE md vd_ge(vd a, vd b) { return vd_le(b, a); }
RK_INLINE md md_and(md a, md b) { return vandq_u64(a, b); }
RK_INLINE md md_or(md a, md b) { return vorrq_u64(a, b); }
RK_INLINE md md_andnot(md a, md b) { return vbicq_u64(b, a); }
RK_INLINE int md_any(md m) { return (vgetq_lane_u64(m, 0) | vgetq_lane_u64(m, 1)) != 0; }
RK_INLINE int md_all(md m) { return vminvq_u32(vreinterpretq_u32_u64(m)) != 0; }
RK_INLINE vd vd_select(md m, vd a, vd b) { return vbslq_f64(m, a, b); }
RK_INLINE vd vd_rint(vd a) { return vrndnq_f64(a); }
RK_INLINE vl vd_as_vl(vd a) { return vreinterpretq_s64_f64(a); }
RK_INLINE vd vl_as_vd(vl a) { return vreinterpretq_f64_s64(a); }
RK_INLINE vl vl_set1(int64_t a) { return vdupq_n_s64(a); }
RK_INLINE vl vl_add(vl a, vl b) { return vaddq_s64(a, b); }
RK_INLINE vl vl_sub(vl a, vl b) { return vsubq_s64(a, b); }
RK_INLINE vl vl_and(vl a, vl b) { return vandq_s64(a, b); }
RK_INLINE vl vl_or(vl a, vl b) { return vorrq_s64(a, b); }
#define vl_slli(a, k) vshlq_n_s64((a), (k))
#define vl_srli(a, k) vreinterpretq_s64_u64(vshrq_n_u64(vreinterpretq_u64_s64(a), (k)))

/* ---------------- float32 <-> float64 (RK_VF_LANES == 2 * RK_VD_LANES) ---------------- */
RK_INLINE vd vf_lo_vd(vf a) { return vcvt_f64_f32(vget_low_f32(a)); }
RK_INLINE vd vf_hi_vd(vf a) { return vcvt_high_f64_f32(a); }
RK_INLINE vf vd2_vf(vd lo, vd hi) { return vcvt_high_f32_f64(vcvt_f32_f64(lo), hi); }
