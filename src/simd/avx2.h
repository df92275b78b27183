/* avx2.h: AVX2 + FMA + F16C (8 floats / 4 doubles per vector). API: see baseline.h. */
#include <immintrin.h>

#define RK_ISA "avx2+fma+f16c"
#define RK_VF_LANES 8
#define RK_HAVE_FMA 1   /* vf_fma is fused: one rounding */
#define RK_VD_LANES 4
typedef __m256 vf;  typedef __m256 mf;  typedef __m256i vi;
typedef __m256d vd; typedef __m256d md; typedef __m256i vl;

RK_INLINE __m256i rk_avx2_tailmask32(size_t n) { /* first n of 8 int32 lanes set */
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
RK_INLINE __m256i rk_avx2_tailmask64(size_t n) { /* first n of 4 int64 lanes set */
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)n), _mm256_setr_epi64x(0, 1, 2, 3));
}

/* ---------------- float32 ---------------- */
RK_INLINE vf vf_load(const float *p) { return _mm256_loadu_ps(p); }
RK_INLINE void vf_store(float *p, vf v) { _mm256_storeu_ps(p, v); }
RK_INLINE void vf_stream(float *p, vf v) { _mm256_stream_ps(p, v); }   /* p 32-byte aligned */
RK_INLINE vf vf_load_tail(const float *p, size_t n) { return _mm256_maskload_ps(p, rk_avx2_tailmask32(n)); }
RK_INLINE void vf_store_tail(float *p, vf v, size_t n) { _mm256_maskstore_ps(p, rk_avx2_tailmask32(n), v); }
RK_INLINE vf vf_set1(float a) { return _mm256_set1_ps(a); }
RK_INLINE vf vf_zero(void) { return _mm256_setzero_ps(); }
RK_INLINE vf vf_add(vf a, vf b) { return _mm256_add_ps(a, b); }
RK_INLINE vf vf_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
RK_INLINE vf vf_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
RK_INLINE vf vf_div(vf a, vf b) { return _mm256_div_ps(a, b); }
RK_INLINE vf vf_fma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
RK_INLINE vf vf_fnma(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); }
RK_INLINE vf vf_fms(vf a, vf b, vf c) { return _mm256_fmsub_ps(a, b, c); }
RK_INLINE vf vf_fnms(vf a, vf b, vf c) { return _mm256_fnmsub_ps(a, b, c); }
RK_INLINE vf vf_min(vf a, vf b) { return _mm256_min_ps(a, b); }
RK_INLINE vf vf_max(vf a, vf b) { return _mm256_max_ps(a, b); }
RK_INLINE vf vf_and(vf a, vf b) { return _mm256_and_ps(a, b); }
RK_INLINE vf vf_or(vf a, vf b) { return _mm256_or_ps(a, b); }
RK_INLINE vf vf_xor(vf a, vf b) { return _mm256_xor_ps(a, b); }
RK_INLINE vf vf_andnot(vf a, vf b) { return _mm256_andnot_ps(a, b); }
RK_INLINE vf vf_abs(vf a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
RK_INLINE vf vf_neg(vf a) { return _mm256_xor_ps(_mm256_set1_ps(-0.0f), a); }
RK_INLINE vf vf_copysign(vf mag, vf sgn) {
    vf s = _mm256_set1_ps(-0.0f);
    return _mm256_or_ps(_mm256_andnot_ps(s, mag), _mm256_and_ps(s, sgn));
}
RK_INLINE mf vf_isnan(vf a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
RK_INLINE mf vf_eq(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
RK_INLINE mf vf_lt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
RK_INLINE mf vf_le(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
RK_INLINE mf vf_gt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
RK_INLINE mf vf_ge(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
RK_INLINE mf mf_and(mf a, mf b) { return _mm256_and_ps(a, b); }
RK_INLINE mf mf_or(mf a, mf b) { return _mm256_or_ps(a, b); }
RK_INLINE mf mf_andnot(mf a, mf b) { return _mm256_andnot_ps(a, b); }
RK_INLINE int mf_any(mf m) { return _mm256_movemask_ps(m) != 0; }
RK_INLINE int mf_all(mf m) { return _mm256_movemask_ps(m) == 0xff; }
RK_INLINE vf vf_select(mf m, vf a, vf b) { return _mm256_blendv_ps(b, a, m); }
RK_INLINE vf vf_rint(vf a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
RK_INLINE vi vf_as_vi(vf a) { return _mm256_castps_si256(a); }
RK_INLINE vf vi_as_vf(vi a) { return _mm256_castsi256_ps(a); }
RK_INLINE vi vf_cvt_vi(vf a) { return _mm256_cvtps_epi32(a); }
RK_INLINE vf vi_cvt_vf(vi a) { return _mm256_cvtepi32_ps(a); }
RK_INLINE vi vi_set1(int32_t a) { return _mm256_set1_epi32(a); }
RK_INLINE vi vi_add(vi a, vi b) { return _mm256_add_epi32(a, b); }
RK_INLINE vi vi_sub(vi a, vi b) { return _mm256_sub_epi32(a, b); }
RK_INLINE vi vi_and(vi a, vi b) { return _mm256_and_si256(a, b); }
RK_INLINE vi vi_or(vi a, vi b) { return _mm256_or_si256(a, b); }
RK_INLINE mf vi_gt(vi a, vi b) { return _mm256_castsi256_ps(_mm256_cmpgt_epi32(a, b)); }
RK_INLINE mf vi_eq(vi a, vi b) { return _mm256_castsi256_ps(_mm256_cmpeq_epi32(a, b)); }
#define vi_slli(a, k) _mm256_slli_epi32((a), (k))
#define vi_srli(a, k) _mm256_srli_epi32((a), (k))
#define vi_srai(a, k) _mm256_srai_epi32((a), (k))
/* per-lane lookup in an 8-float table: t[i] for each lane's i in [0, 7] (vpermps,
 * the table a memory operand) */
RK_INLINE vf vf_lut8(const float *t, vi i) { return _mm256_permutevar8x32_ps(_mm256_loadu_ps(t), i); }
/* an index for vf_lut8 from any int32 (vpermps reads its low 3 bits only) */
RK_INLINE vi vi_lut8_index(vi i) { return i; }
/* a where x's sign bit is set, else b (vblendvps reads the sign bits of x) */
RK_INLINE vf vf_select_neg(vf x, vf a, vf b) { return _mm256_blendv_ps(b, a, x); }

RK_INLINE vf vf_load_f16(const rk_half *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }
RK_INLINE void vf_store_f16(rk_half *p, vf v) {
    _mm_storeu_si128((__m128i *)p, _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
}
RK_INLINE void vf_stream_f16(rk_half *p, vf v) {   /* p 16-byte aligned */
    _mm_stream_si128((__m128i *)p, _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
}
RK_INLINE vf vf_load_f16_tail(const rk_half *p, size_t n) {
    rk_half b[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(b, p, n * sizeof(rk_half));
    return vf_load_f16(b);
}
RK_INLINE void vf_store_f16_tail(rk_half *p, vf v, size_t n) {
    rk_half b[8];
    vf_store_f16(b, v);
    memcpy(p, b, n * sizeof(rk_half));
}

/* ---------------- float64 ---------------- */
RK_INLINE vd vd_load(const double *p) { return _mm256_loadu_pd(p); }
RK_INLINE void vd_store(double *p, vd v) { _mm256_storeu_pd(p, v); }
RK_INLINE void vd_stream(double *p, vd v) { _mm256_stream_pd(p, v); }
RK_INLINE vd vd_load_tail(const double *p, size_t n) { return _mm256_maskload_pd(p, rk_avx2_tailmask64(n)); }
RK_INLINE void vd_store_tail(double *p, vd v, size_t n) { _mm256_maskstore_pd(p, rk_avx2_tailmask64(n), v); }
RK_INLINE vd vd_set1(double a) { return _mm256_set1_pd(a); }
RK_INLINE vd vd_zero(void) { return _mm256_setzero_pd(); }
RK_INLINE vd vd_add(vd a, vd b) { return _mm256_add_pd(a, b); }
RK_INLINE vd vd_sub(vd a, vd b) { return _mm256_sub_pd(a, b); }
RK_INLINE vd vd_mul(vd a, vd b) { return _mm256_mul_pd(a, b); }
RK_INLINE vd vd_div(vd a, vd b) { return _mm256_div_pd(a, b); }
RK_INLINE vd vd_fma(vd a, vd b, vd c) { return _mm256_fmadd_pd(a, b, c); }
RK_INLINE vd vd_fnma(vd a, vd b, vd c) { return _mm256_fnmadd_pd(a, b, c); }
RK_INLINE vd vd_fms(vd a, vd b, vd c) { return _mm256_fmsub_pd(a, b, c); }
RK_INLINE vd vd_fnms(vd a, vd b, vd c) { return _mm256_fnmsub_pd(a, b, c); }
RK_INLINE vd vd_min(vd a, vd b) { return _mm256_min_pd(a, b); }
RK_INLINE vd vd_max(vd a, vd b) { return _mm256_max_pd(a, b); }
RK_INLINE vd vd_and(vd a, vd b) { return _mm256_and_pd(a, b); }
RK_INLINE vd vd_or(vd a, vd b) { return _mm256_or_pd(a, b); }
RK_INLINE vd vd_xor(vd a, vd b) { return _mm256_xor_pd(a, b); }
RK_INLINE vd vd_andnot(vd a, vd b) { return _mm256_andnot_pd(a, b); }
RK_INLINE vd vd_abs(vd a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
RK_INLINE vd vd_neg(vd a) { return _mm256_xor_pd(_mm256_set1_pd(-0.0), a); }
RK_INLINE vd vd_copysign(vd mag, vd sgn) {
    vd s = _mm256_set1_pd(-0.0);
    return _mm256_or_pd(_mm256_andnot_pd(s, mag), _mm256_and_pd(s, sgn));
}
RK_INLINE md vd_isnan(vd a) { return _mm256_cmp_pd(a, a, _CMP_UNORD_Q); }
RK_INLINE md vd_eq(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_EQ_OQ); }
RK_INLINE md vd_lt(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
RK_INLINE md vd_le(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
RK_INLINE md vd_gt(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_GT_OQ); }
RK_INLINE md vd_ge(vd a, vd b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
RK_INLINE md md_and(md a, md b) { return _mm256_and_pd(a, b); }
RK_INLINE md md_or(md a, md b) { return _mm256_or_pd(a, b); }
RK_INLINE md md_andnot(md a, md b) { return _mm256_andnot_pd(a, b); }
RK_INLINE int md_any(md m) { return _mm256_movemask_pd(m) != 0; }
RK_INLINE int md_all(md m) { return _mm256_movemask_pd(m) == 0xf; }
RK_INLINE vd vd_select(md m, vd a, vd b) { return _mm256_blendv_pd(b, a, m); }
RK_INLINE vd vd_rint(vd a) { return _mm256_round_pd(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
RK_INLINE vl vd_as_vl(vd a) { return _mm256_castpd_si256(a); }
RK_INLINE vd vl_as_vd(vl a) { return _mm256_castsi256_pd(a); }
RK_INLINE vl vl_set1(int64_t a) { return _mm256_set1_epi64x(a); }
RK_INLINE vl vl_add(vl a, vl b) { return _mm256_add_epi64(a, b); }
RK_INLINE vl vl_sub(vl a, vl b) { return _mm256_sub_epi64(a, b); }
RK_INLINE vl vl_and(vl a, vl b) { return _mm256_and_si256(a, b); }
RK_INLINE vl vl_or(vl a, vl b) { return _mm256_or_si256(a, b); }
#define vl_slli(a, k) _mm256_slli_epi64((a), (k))
#define vl_srli(a, k) _mm256_srli_epi64((a), (k))

/* ---------------- float32 <-> float64 (RK_VF_LANES == 2 * RK_VD_LANES) ---------------- */
RK_INLINE vd vf_lo_vd(vf a) { return _mm256_cvtps_pd(_mm256_castps256_ps128(a)); }
RK_INLINE vd vf_hi_vd(vf a) { return _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)); }
RK_INLINE vf vd2_vf(vd lo, vd hi) {
    return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo)), _mm256_cvtpd_ps(hi), 1);
}
