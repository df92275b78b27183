/* baseline.h: x86-64 baseline, SSE2 only (4 floats / 2 doubles per vector).
 * This file is also the reference list of the wrapper API. */
#include <emmintrin.h>

#define RK_ISA "sse2"
#define RK_VF_LANES 4
#define RK_HAVE_FMA 0   /* vf_fma is a multiply and an add: two roundings */
#define RK_VD_LANES 2
typedef __m128 vf;  typedef __m128 mf;  typedef __m128i vi;
typedef __m128d vd; typedef __m128d md; typedef __m128i vl;

/* ---------------- float32 ---------------- */
RK_INLINE vf vf_load(const float *p) { return _mm_loadu_ps(p); }
RK_INLINE void vf_store(float *p, vf v) { _mm_storeu_ps(p, v); }
RK_INLINE void vf_stream(float *p, vf v) { _mm_stream_ps(p, v); }   /* p 16-byte aligned */
RK_INLINE vf vf_load_tail(const float *p, size_t n) {
    float b[4] = {0, 0, 0, 0};
    memcpy(b, p, n * sizeof(float));
    return _mm_loadu_ps(b);
}
RK_INLINE void vf_store_tail(float *p, vf v, size_t n) {
    float b[4];
    _mm_storeu_ps(b, v);
    memcpy(p, b, n * sizeof(float));
}
RK_INLINE vf vf_set1(float a) { return _mm_set1_ps(a); }
RK_INLINE vf vf_zero(void) { return _mm_setzero_ps(); }
RK_INLINE vf vf_add(vf a, vf b) { return _mm_add_ps(a, b); }
RK_INLINE vf vf_sub(vf a, vf b) { return _mm_sub_ps(a, b); }
RK_INLINE vf vf_mul(vf a, vf b) { return _mm_mul_ps(a, b); }
RK_INLINE vf vf_div(vf a, vf b) { return _mm_div_ps(a, b); }
/* a*b + c; fused where the ISA has FMA, two roundings here */
RK_INLINE vf vf_fma(vf a, vf b, vf c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }
/* c - a*b */
RK_INLINE vf vf_fnma(vf a, vf b, vf c) { return _mm_sub_ps(c, _mm_mul_ps(a, b)); }
RK_INLINE vf vf_fms(vf a, vf b, vf c) { return _mm_sub_ps(_mm_mul_ps(a, b), c); }
RK_INLINE vf vf_fnms(vf a, vf b, vf c) { return _mm_sub_ps(_mm_xor_ps(_mm_set1_ps(-0.0f), _mm_mul_ps(a, b)), c); }
RK_INLINE vf vf_min(vf a, vf b) { return _mm_min_ps(a, b); }
RK_INLINE vf vf_max(vf a, vf b) { return _mm_max_ps(a, b); }
RK_INLINE vf vf_and(vf a, vf b) { return _mm_and_ps(a, b); }
RK_INLINE vf vf_or(vf a, vf b) { return _mm_or_ps(a, b); }
RK_INLINE vf vf_xor(vf a, vf b) { return _mm_xor_ps(a, b); }
RK_INLINE vf vf_andnot(vf a, vf b) { return _mm_andnot_ps(a, b); } /* ~a & b */
RK_INLINE vf vf_abs(vf a) { return _mm_andnot_ps(_mm_set1_ps(-0.0f), a); }
RK_INLINE vf vf_neg(vf a) { return _mm_xor_ps(_mm_set1_ps(-0.0f), a); }
RK_INLINE vf vf_copysign(vf mag, vf sgn) {
    vf s = _mm_set1_ps(-0.0f);
    return _mm_or_ps(_mm_andnot_ps(s, mag), _mm_and_ps(s, sgn));
}
/* quiet comparisons: SSE2's ordered < and <= signal on QNaN, so compare
 * NaN-free copies and mask with the (quiet) ordered test */
RK_INLINE mf vf_isnan(vf a) { return _mm_cmpunord_ps(a, a); }
RK_INLINE mf vf_eq(vf a, vf b) { return _mm_cmpeq_ps(a, b); }
RK_INLINE mf vf_lt(vf a, vf b) {
    mf o = _mm_cmpord_ps(a, b);
    return _mm_and_ps(o, _mm_cmplt_ps(_mm_and_ps(o, a), _mm_and_ps(o, b)));
}
RK_INLINE mf vf_le(vf a, vf b) {
    mf o = _mm_cmpord_ps(a, b);
    return _mm_and_ps(o, _mm_cmple_ps(_mm_and_ps(o, a), _mm_and_ps(o, b)));
}
RK_INLINE mf vf_gt(vf a, vf b) { return vf_lt(b, a); }
RK_INLINE mf vf_ge(vf a, vf b) { return vf_le(b, a); }
RK_INLINE mf mf_and(mf a, mf b) { return _mm_and_ps(a, b); }
RK_INLINE mf mf_or(mf a, mf b) { return _mm_or_ps(a, b); }
RK_INLINE mf mf_andnot(mf a, mf b) { return _mm_andnot_ps(a, b); } /* ~a & b */
RK_INLINE int mf_any(mf m) { return _mm_movemask_ps(m) != 0; }
RK_INLINE int mf_all(mf m) { return _mm_movemask_ps(m) == 0xf; }
/* m ? a : b */
RK_INLINE vf vf_select(mf m, vf a, vf b) {
    return _mm_or_ps(_mm_and_ps(m, a), _mm_andnot_ps(m, b));
}
/* round to nearest even, exact for every float (NaN stays NaN) */
RK_INLINE vf vf_rint(vf a) {
    const vf big = _mm_set1_ps(8388608.0f); /* 2^23: at and above, floats are integers */
    vf ax = vf_abs(a);
    vi small = _mm_cmplt_epi32(_mm_castps_si128(ax), _mm_castps_si128(big));
    vf r = vf_copysign(_mm_sub_ps(_mm_add_ps(ax, big), big), a);
    return vf_select(_mm_castsi128_ps(small), r, a);
}
/* int32 views and conversions; vf_cvt_vi rounds to nearest and needs |a| < 2^31 */
RK_INLINE vi vf_as_vi(vf a) { return _mm_castps_si128(a); }
RK_INLINE vf vi_as_vf(vi a) { return _mm_castsi128_ps(a); }
RK_INLINE vi vf_cvt_vi(vf a) { return _mm_cvtps_epi32(a); }
RK_INLINE vf vi_cvt_vf(vi a) { return _mm_cvtepi32_ps(a); }
RK_INLINE vi vi_set1(int32_t a) { return _mm_set1_epi32(a); }
RK_INLINE vi vi_add(vi a, vi b) { return _mm_add_epi32(a, b); }
RK_INLINE vi vi_sub(vi a, vi b) { return _mm_sub_epi32(a, b); }
RK_INLINE vi vi_and(vi a, vi b) { return _mm_and_si128(a, b); }
RK_INLINE vi vi_or(vi a, vi b) { return _mm_or_si128(a, b); }
RK_INLINE mf vi_gt(vi a, vi b) { return _mm_castsi128_ps(_mm_cmpgt_epi32(a, b)); }
RK_INLINE mf vi_eq(vi a, vi b) { return _mm_castsi128_ps(_mm_cmpeq_epi32(a, b)); }
#define vi_slli(a, k) _mm_slli_epi32((a), (k))
#define vi_srli(a, k) _mm_srli_epi32((a), (k))
#define vi_srai(a, k) _mm_srai_epi32((a), (k))
/* per-lane lookup in an 8-float table: t[i] for each lane's i in [0, 7] (SSE2 has no
 * variable permute: the indices go through memory) */
RK_INLINE vf vf_lut8(const float *t, vi i) {
    int32_t k[4];
    _mm_storeu_si128((__m128i *)k, i);
    return _mm_setr_ps(t[k[0]], t[k[1]], t[k[2]], t[k[3]]);
}
/* an index for vf_lut8 from any int32: its low 3 bits */
RK_INLINE vi vi_lut8_index(vi i) { return _mm_and_si128(i, _mm_set1_epi32(7)); }
/* a where x's sign bit is set, else b */
RK_INLINE vf vf_select_neg(vf x, vf a, vf b) {
    return vf_select(_mm_castsi128_ps(_mm_srai_epi32(_mm_castps_si128(x), 31)), a, b);
}

/* float16 <-> float32, RK_VF_LANES halves at a time; software, round to nearest even */
RK_INLINE vf rk_sse2_h2f(__m128i h) { /* h: 4 x u32 lanes, half bits in the low 16 */
    const __m128i expmask = _mm_set1_epi32(0x7c00 << 13);
    __m128i sign = _mm_slli_epi32(_mm_and_si128(h, _mm_set1_epi32(0x8000)), 16);
    __m128i o = _mm_slli_epi32(_mm_and_si128(h, _mm_set1_epi32(0x7fff)), 13);
    __m128i e = _mm_and_si128(o, expmask);
    o = _mm_add_epi32(o, _mm_set1_epi32((127 - 15) << 23));       /* rebias exponent */
    __m128i infnan = _mm_cmpeq_epi32(e, expmask);
    o = _mm_add_epi32(o, _mm_and_si128(infnan, _mm_set1_epi32((128 - 16) << 23)));
    /* zero and subnormal halves: exponent field 0 -> renormalize exactly in float */
    __m128i sub = _mm_cmpeq_epi32(e, _mm_setzero_si128());
    __m128 r = _mm_sub_ps(_mm_castsi128_ps(_mm_add_epi32(o, _mm_set1_epi32(1 << 23))),
                          _mm_castsi128_ps(_mm_set1_epi32(113 << 23)));   /* 2^-14 */
    __m128i res = _mm_or_si128(_mm_and_si128(sub, _mm_castps_si128(r)),
                               _mm_andnot_si128(sub, o));
    return _mm_castsi128_ps(_mm_or_si128(res, sign));
}
RK_INLINE __m128i rk_sse2_f2h(vf v) { /* -> 4 x u32 lanes holding half bits */
    __m128i u = _mm_castps_si128(v);
    __m128i sign = _mm_and_si128(u, _mm_set1_epi32((int32_t)0x80000000u));
    u = _mm_xor_si128(u, sign);
    /* >= 2^16 (after rounding every such value is inf) or inf/NaN */
    __m128i big = _mm_cmpgt_epi32(u, _mm_set1_epi32(0x477fffff));
    __m128i nan = _mm_cmpgt_epi32(u, _mm_set1_epi32(0x7f800000));
    __m128i rbig = _mm_or_si128(_mm_set1_epi32(0x7c00), _mm_and_si128(nan, _mm_set1_epi32(0x0200)));
    /* below 2^-14: half subnormal or zero; adding 0.5 rounds the bits into place */
    __m128i tiny = _mm_cmpgt_epi32(_mm_set1_epi32(113 << 23), u);
    __m128 t = _mm_add_ps(_mm_castsi128_ps(u), _mm_castsi128_ps(_mm_set1_epi32(126 << 23)));
    __m128i rtiny = _mm_sub_epi32(_mm_castps_si128(t), _mm_set1_epi32(126 << 23));
    /* normal: rebias, add the round-to-nearest-even bias, shift */
    __m128i odd = _mm_and_si128(_mm_srli_epi32(u, 13), _mm_set1_epi32(1));
    __m128i rn = _mm_add_epi32(u, _mm_set1_epi32((int32_t)(0u - ((127u - 15u) << 23)) + 0xfff));
    rn = _mm_srli_epi32(_mm_add_epi32(rn, odd), 13);
    __m128i r = _mm_or_si128(_mm_and_si128(tiny, rtiny), _mm_andnot_si128(tiny, rn));
    r = _mm_or_si128(_mm_and_si128(big, rbig), _mm_andnot_si128(big, r));
    return _mm_or_si128(r, _mm_srli_epi32(sign, 16));
}
RK_INLINE __m128i rk_sse2_pack_u16(__m128i r) { /* 4 x u32 (< 2^16) -> 4 x u16 in the low half */
    r = _mm_srai_epi32(_mm_slli_epi32(r, 16), 16);
    return _mm_packs_epi32(r, r);
}
RK_INLINE vf vf_load_f16(const rk_half *p) {
    return rk_sse2_h2f(_mm_unpacklo_epi16(_mm_loadl_epi64((const __m128i *)p), _mm_setzero_si128()));
}
RK_INLINE void vf_store_f16(rk_half *p, vf v) {
    _mm_storel_epi64((__m128i *)p, rk_sse2_pack_u16(rk_sse2_f2h(v)));
}
#define vf_stream_f16 vf_store_f16   /* 8 bytes: no SSE2 streaming store of that width */
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
RK_INLINE vd vd_load(const double *p) { return _mm_loadu_pd(p); }
RK_INLINE void vd_store(double *p, vd v) { _mm_storeu_pd(p, v); }
RK_INLINE void vd_stream(double *p, vd v) { _mm_stream_pd(p, v); }
RK_INLINE vd vd_load_tail(const double *p, size_t n) {
    (void)n; /* n == 1 */
    return _mm_load_sd(p);
}
RK_INLINE void vd_store_tail(double *p, vd v, size_t n) {
    (void)n;
    _mm_store_sd(p, v);
}
RK_INLINE vd vd_set1(double a) { return _mm_set1_pd(a); }
RK_INLINE vd vd_zero(void) { return _mm_setzero_pd(); }
RK_INLINE vd vd_add(vd a, vd b) { return _mm_add_pd(a, b); }
RK_INLINE vd vd_sub(vd a, vd b) { return _mm_sub_pd(a, b); }
RK_INLINE vd vd_mul(vd a, vd b) { return _mm_mul_pd(a, b); }
RK_INLINE vd vd_div(vd a, vd b) { return _mm_div_pd(a, b); }
RK_INLINE vd vd_fma(vd a, vd b, vd c) { return _mm_add_pd(_mm_mul_pd(a, b), c); }
RK_INLINE vd vd_fnma(vd a, vd b, vd c) { return _mm_sub_pd(c, _mm_mul_pd(a, b)); }
RK_INLINE vd vd_fms(vd a, vd b, vd c) { return _mm_sub_pd(_mm_mul_pd(a, b), c); }
RK_INLINE vd vd_fnms(vd a, vd b, vd c) { return _mm_sub_pd(_mm_xor_pd(_mm_set1_pd(-0.0), _mm_mul_pd(a, b)), c); }
RK_INLINE vd vd_min(vd a, vd b) { return _mm_min_pd(a, b); }
RK_INLINE vd vd_max(vd a, vd b) { return _mm_max_pd(a, b); }
RK_INLINE vd vd_and(vd a, vd b) { return _mm_and_pd(a, b); }
RK_INLINE vd vd_or(vd a, vd b) { return _mm_or_pd(a, b); }
RK_INLINE vd vd_xor(vd a, vd b) { return _mm_xor_pd(a, b); }
RK_INLINE vd vd_andnot(vd a, vd b) { return _mm_andnot_pd(a, b); }
RK_INLINE vd vd_abs(vd a) { return _mm_andnot_pd(_mm_set1_pd(-0.0), a); }
RK_INLINE vd vd_neg(vd a) { return _mm_xor_pd(_mm_set1_pd(-0.0), a); }
RK_INLINE vd vd_copysign(vd mag, vd sgn) {
    vd s = _mm_set1_pd(-0.0);
    return _mm_or_pd(_mm_andnot_pd(s, mag), _mm_and_pd(s, sgn));
}
RK_INLINE md vd_isnan(vd a) { return _mm_cmpunord_pd(a, a); }
RK_INLINE md vd_eq(vd a, vd b) { return _mm_cmpeq_pd(a, b); }
RK_INLINE md vd_lt(vd a, vd b) {
    md o = _mm_cmpord_pd(a, b);
    return _mm_and_pd(o, _mm_cmplt_pd(_mm_and_pd(o, a), _mm_and_pd(o, b)));
}
RK_INLINE md vd_le(vd a, vd b) {
    md o = _mm_cmpord_pd(a, b);
    return _mm_and_pd(o, _mm_cmple_pd(_mm_and_pd(o, a), _mm_and_pd(o, b)));
}
RK_INLINE md vd_gt(vd a, vd b) { return vd_lt(b, a); }
RK_INLINE md vd_ge(vd a, vd b) { return vd_le(b, a); }
RK_INLINE md md_and(md a, md b) { return _mm_and_pd(a, b); }
RK_INLINE md md_or(md a, md b) { return _mm_or_pd(a, b); }
RK_INLINE md md_andnot(md a, md b) { return _mm_andnot_pd(a, b); }
RK_INLINE int md_any(md m) { return _mm_movemask_pd(m) != 0; }
RK_INLINE int md_all(md m) { return _mm_movemask_pd(m) == 0x3; }
RK_INLINE vd vd_select(md m, vd a, vd b) {
    return _mm_or_pd(_mm_and_pd(m, a), _mm_andnot_pd(m, b));
}
RK_INLINE vd vd_rint(vd a) {
    const vd big = _mm_set1_pd(4503599627370496.0); /* 2^52 */
    vd ax = vd_abs(a);
    vd r = vd_copysign(_mm_sub_pd(_mm_add_pd(ax, big), big), a);
    return vd_select(vd_lt(ax, big), r, a);
}
RK_INLINE vl vd_as_vl(vd a) { return _mm_castpd_si128(a); }
RK_INLINE vd vl_as_vd(vl a) { return _mm_castsi128_pd(a); }
RK_INLINE vl vl_set1(int64_t a) { return _mm_set1_epi64x(a); }
RK_INLINE vl vl_add(vl a, vl b) { return _mm_add_epi64(a, b); }
RK_INLINE vl vl_sub(vl a, vl b) { return _mm_sub_epi64(a, b); }
RK_INLINE vl vl_and(vl a, vl b) { return _mm_and_si128(a, b); }
RK_INLINE vl vl_or(vl a, vl b) { return _mm_or_si128(a, b); }
#define vl_slli(a, k) _mm_slli_epi64((a), (k))
#define vl_srli(a, k) _mm_srli_epi64((a), (k))

/* ---------------- float32 <-> float64 (RK_VF_LANES == 2 * RK_VD_LANES) ---------------- */
RK_INLINE vd vf_lo_vd(vf a) { return _mm_cvtps_pd(a); }
RK_INLINE vd vf_hi_vd(vf a) { return _mm_cvtps_pd(_mm_movehl_ps(a, a)); }
RK_INLINE vf vd2_vf(vd lo, vd hi) { return _mm_movelh_ps(_mm_cvtpd_ps(lo), _mm_cvtpd_ps(hi)); }
