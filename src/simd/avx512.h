/* avx512.h: AVX-512 F/BW/DQ/VL, 512-bit vectors (16 floats / 8 doubles).
 * Masks are k-registers; the tail uses masked loads and stores.  API: see baseline.h. */
#include <immintrin.h>

#define RK_ISA "avx512f+bw+dq+vl"
#define RK_VF_LANES 16
#define RK_HAVE_FMA 1   /* vf_fma is fused: one rounding */
#define RK_VD_LANES 8
typedef __m512 vf;  typedef __mmask16 mf; typedef __m512i vi;
typedef __m512d vd; typedef __mmask8 md;  typedef __m512i vl;

#define RK_Q (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)

/* ---------------- float32 ---------------- */
RK_INLINE vf vf_load(const float *p) { return _mm512_loadu_ps(p); }
RK_INLINE void vf_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
RK_INLINE void vf_stream(float *p, vf v) { _mm512_stream_ps(p, v); }   /* p 64-byte aligned */
RK_INLINE vf vf_load_tail(const float *p, size_t n) { return _mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1), p); }
RK_INLINE void vf_store_tail(float *p, vf v, size_t n) { _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1), v); }
RK_INLINE vf vf_set1(float a) { return _mm512_set1_ps(a); }
RK_INLINE vf vf_zero(void) { return _mm512_setzero_ps(); }
RK_INLINE vf vf_add(vf a, vf b) { return _mm512_add_ps(a, b); }
RK_INLINE vf vf_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
RK_INLINE vf vf_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
RK_INLINE vf vf_div(vf a, vf b) { return _mm512_div_ps(a, b); }
RK_INLINE vf vf_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
RK_INLINE vf vf_fnma(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); }
RK_INLINE vf vf_fms(vf a, vf b, vf c) { return _mm512_fmsub_ps(a, b, c); }
RK_INLINE vf vf_fnms(vf a, vf b, vf c) { return _mm512_fnmsub_ps(a, b, c); }
RK_INLINE vf vf_min(vf a, vf b) { return _mm512_min_ps(a, b); }
RK_INLINE vf vf_max(vf a, vf b) { return _mm512_max_ps(a, b); }
RK_INLINE vf vf_and(vf a, vf b) { return _mm512_and_ps(a, b); }
RK_INLINE vf vf_or(vf a, vf b) { return _mm512_or_ps(a, b); }
RK_INLINE vf vf_xor(vf a, vf b) { return _mm512_xor_ps(a, b); }
RK_INLINE vf vf_andnot(vf a, vf b) { return _mm512_andnot_ps(a, b); }
RK_INLINE vf vf_abs(vf a) { return _mm512_andnot_ps(_mm512_set1_ps(-0.0f), a); }
RK_INLINE vf vf_neg(vf a) { return _mm512_xor_ps(_mm512_set1_ps(-0.0f), a); }
RK_INLINE vf vf_copysign(vf mag, vf sgn) {
    vf s = _mm512_set1_ps(-0.0f);
    return _mm512_or_ps(_mm512_andnot_ps(s, mag), _mm512_and_ps(s, sgn));
}
RK_INLINE mf vf_isnan(vf a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
RK_INLINE mf vf_eq(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
RK_INLINE mf vf_lt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
RK_INLINE mf vf_le(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
RK_INLINE mf vf_gt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
RK_INLINE mf vf_ge(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
RK_INLINE mf mf_and(mf a, mf b) { return (mf)(a & b); }
RK_INLINE mf mf_or(mf a, mf b) { return (mf)(a | b); }
RK_INLINE mf mf_andnot(mf a, mf b) { return (mf)(~a & b); }
RK_INLINE int mf_any(mf m) { return m != 0; }
RK_INLINE int mf_all(mf m) { return m == (mf)0xffff; }
RK_INLINE vf vf_select(mf m, vf a, vf b) { return _mm512_mask_blend_ps(m, b, a); }
RK_INLINE vf vf_rint(vf a) { return _mm512_roundscale_ps(a, RK_Q); }
RK_INLINE vi vf_as_vi(vf a) { return _mm512_castps_si512(a); }
RK_INLINE vf vi_as_vf(vi a) { return _mm512_castsi512_ps(a); }
RK_INLINE vi vf_cvt_vi(vf a) { return _mm512_cvtps_epi32(a); }
RK_INLINE vf vi_cvt_vf(vi a) { return _mm512_cvtepi32_ps(a); }
RK_INLINE vi vi_set1(int32_t a) { return _mm512_set1_epi32(a); }
RK_INLINE vi vi_add(vi a, vi b) { return _mm512_add_epi32(a, b); }
RK_INLINE vi vi_sub(vi a, vi b) { return _mm512_sub_epi32(a, b); }
RK_INLINE vi vi_and(vi a, vi b) { return _mm512_and_si512(a, b); }
RK_INLINE vi vi_or(vi a, vi b) { return _mm512_or_si512(a, b); }
RK_INLINE mf vi_gt(vi a, vi b) { return _mm512_cmpgt_epi32_mask(a, b); }
RK_INLINE mf vi_eq(vi a, vi b) { return _mm512_cmpeq_epi32_mask(a, b); }
#define vi_slli(a, k) _mm512_slli_epi32((a), (k))
#define vi_srli(a, k) _mm512_srli_epi32((a), (k))
#define vi_srai(a, k) _mm512_srai_epi32((a), (k))
/* per-lane lookup in an 8-float table: t[i] for each lane's i in [0, 7] (vpermps on
 * the table in the low half of a zmm: indices < 8 never read the upper half) */
RK_INLINE vf vf_lut8(const float *t, vi i) {
    return _mm512_permutexvar_ps(i, _mm512_castps256_ps512(_mm256_loadu_ps(t)));
}
/* an index for vf_lut8 from any int32: its low 3 bits */
RK_INLINE vi vi_lut8_index(vi i) { return _mm512_and_si512(i, _mm512_set1_epi32(7)); }
/* a where x's sign bit is set, else b */
RK_INLINE vf vf_select_neg(vf x, vf a, vf b) {
    return _mm512_mask_blend_ps(_mm512_movepi32_mask(_mm512_castps_si512(x)), b, a);
}

RK_INLINE vf vf_load_f16(const rk_half *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }
RK_INLINE void vf_store_f16(rk_half *p, vf v) {
    _mm256_storeu_si256((__m256i *)p, _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
}
RK_INLINE void vf_stream_f16(rk_half *p, vf v) {   /* p 32-byte aligned */
    _mm256_stream_si256((__m256i *)p, _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
}
RK_INLINE vf vf_load_f16_tail(const rk_half *p, size_t n) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16((__mmask16)((1u << n) - 1), p));
}
RK_INLINE void vf_store_f16_tail(rk_half *p, vf v, size_t n) {
    _mm256_mask_storeu_epi16(p, (__mmask16)((1u << n) - 1), _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
}

/* ---------------- float64 ---------------- */
RK_INLINE vd vd_load(const double *p) { return _mm512_loadu_pd(p); }
RK_INLINE void vd_store(double *p, vd v) { _mm512_storeu_pd(p, v); }
RK_INLINE void vd_stream(double *p, vd v) { _mm512_stream_pd(p, v); }
RK_INLINE vd vd_load_tail(const double *p, size_t n) { return _mm512_maskz_loadu_pd((__mmask8)((1u << n) - 1), p); }
RK_INLINE void vd_store_tail(double *p, vd v, size_t n) { _mm512_mask_storeu_pd(p, (__mmask8)((1u << n) - 1), v); }
RK_INLINE vd vd_set1(double a) { return _mm512_set1_pd(a); }
RK_INLINE vd vd_zero(void) { return _mm512_setzero_pd(); }
RK_INLINE vd vd_add(vd a, vd b) { return _mm512_add_pd(a, b); }
RK_INLINE vd vd_sub(vd a, vd b) { return _mm512_sub_pd(a, b); }
RK_INLINE vd vd_mul(vd a, vd b) { return _mm512_mul_pd(a, b); }
RK_INLINE vd vd_div(vd a, vd b) { return _mm512_div_pd(a, b); }
RK_INLINE vd vd_fma(vd a, vd b, vd c) { return _mm512_fmadd_pd(a, b, c); }
RK_INLINE vd vd_fnma(vd a, vd b, vd c) { return _mm512_fnmadd_pd(a, b, c); }
RK_INLINE vd vd_fms(vd a, vd b, vd c) { return _mm512_fmsub_pd(a, b, c); }
RK_INLINE vd vd_fnms(vd a, vd b, vd c) { return _mm512_fnmsub_pd(a, b, c); }
RK_INLINE vd vd_min(vd a, vd b) { return _mm512_min_pd(a, b); }
RK_INLINE vd vd_max(vd a, vd b) { return _mm512_max_pd(a, b); }
RK_INLINE vd vd_and(vd a, vd b) { return _mm512_and_pd(a, b); }
RK_INLINE vd vd_or(vd a, vd b) { return _mm512_or_pd(a, b); }
RK_INLINE vd vd_xor(vd a, vd b) { return _mm512_xor_pd(a, b); }
RK_INLINE vd vd_andnot(vd a, vd b) { return _mm512_andnot_pd(a, b); }
RK_INLINE vd vd_abs(vd a) { return _mm512_andnot_pd(_mm512_set1_pd(-0.0), a); }
RK_INLINE vd vd_neg(vd a) { return _mm512_xor_pd(_mm512_set1_pd(-0.0), a); }
RK_INLINE vd vd_copysign(vd mag, vd sgn) {
    vd s = _mm512_set1_pd(-0.0);
    return _mm512_or_pd(_mm512_andnot_pd(s, mag), _mm512_and_pd(s, sgn));
}
RK_INLINE md vd_isnan(vd a) { return _mm512_cmp_pd_mask(a, a, _CMP_UNORD_Q); }
RK_INLINE md vd_eq(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ); }
RK_INLINE md vd_lt(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
RK_INLINE md vd_le(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ); }
RK_INLINE md vd_gt(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
RK_INLINE md vd_ge(vd a, vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_GE_OQ); }
RK_INLINE md md_and(md a, md b) { return (md)(a & b); }
RK_INLINE md md_or(md a, md b) { return (md)(a | b); }
RK_INLINE md md_andnot(md a, md b) { return (md)(~a & b); }
RK_INLINE int md_any(md m) { return m != 0; }
RK_INLINE int md_all(md m) { return m == (md)0xff; }
RK_INLINE vd vd_select(md m, vd a, vd b) { return _mm512_mask_blend_pd(m, b, a); }
RK_INLINE vd vd_rint(vd a) { return _mm512_roundscale_pd(a, RK_Q); }
RK_INLINE vl vd_as_vl(vd a) { return _mm512_castpd_si512(a); }
RK_INLINE vd vl_as_vd(vl a) { return _mm512_castsi512_pd(a); }
RK_INLINE vl vl_set1(int64_t a) { return _mm512_set1_epi64(a); }
RK_INLINE vl vl_add(vl a, vl b) { return _mm512_add_epi64(a, b); }
RK_INLINE vl vl_sub(vl a, vl b) { return _mm512_sub_epi64(a, b); }
RK_INLINE vl vl_and(vl a, vl b) { return _mm512_and_si512(a, b); }
RK_INLINE vl vl_or(vl a, vl b) { return _mm512_or_si512(a, b); }
#define vl_slli(a, k) _mm512_slli_epi64((a), (k))
#define vl_srli(a, k) _mm512_srli_epi64((a), (k))

/* ---------------- float32 <-> float64 (RK_VF_LANES == 2 * RK_VD_LANES) ---------------- */
RK_INLINE vd vf_lo_vd(vf a) { return _mm512_cvtps_pd(_mm512_castps512_ps256(a)); }
RK_INLINE vd vf_hi_vd(vf a) { return _mm512_cvtps_pd(_mm512_extractf32x8_ps(a, 1)); }
RK_INLINE vf vd2_vf(vd lo, vd hi) {
    return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)), _mm512_cvtpd_ps(hi), 1);
}
