#include <immintrin.h>
/* silu_floor.c: the least work a float32 silu kernel can do with AVX2 and FMA, as a
 * yardstick for benchmarks/silu_floor.py (not part of relukit): e = exp(-|x|) by a
 * degree-5 polynomial after the usual 2^n reduction, then x / (1 + e) or
 * x e / (1 + e) with one division.  No special values, no subnormal care, no
 * compensation: its error reaches about 5 ULP, over relukit's 2 ULP bound. */
#include <stddef.h>
static inline __m256 exp_neg(__m256 x) {   /* x <= 0 */
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.f));
    __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504f), _mm256_set1_ps(12582912.f));
    __m256 n = _mm256_sub_ps(t, _mm256_set1_ps(12582912.f));
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145752f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.42860677e-6f), r);
    __m256 p = _mm256_fmadd_ps(_mm256_set1_ps(1.3981999507e-3f), r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(_mm256_mul_ps(r, r), p, _mm256_add_ps(r, _mm256_set1_ps(1.f)));
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_castps_si256(t), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}
void silu_floor(size_t n, const float *x, float *y) {
    const __m256 sign = _mm256_set1_ps(-0.f);
    for (size_t i = 0; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256 e = exp_neg(_mm256_or_ps(v, sign));
        __m256 num = _mm256_blendv_ps(v, _mm256_mul_ps(v, e), v);
        _mm256_storeu_ps(y + i, _mm256_div_ps(num, _mm256_add_ps(_mm256_set1_ps(1.f), e)));
    }
}
