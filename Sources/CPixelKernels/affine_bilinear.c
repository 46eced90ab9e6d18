// Pillow's bilinear affine transform (ImagingGenericTransform + affine_transform + bilinear_filter), in double
// precision with Pillow's operation order, so the bytes match Pillow's. The AVX2 and AVX-512 paths do four or eight
// output pixels per step with the same IEEE operations as the scalar path (no fused multiply-add), so every path
// gives identical bytes.
#include "CPixelKernels.h"
#include "cpu_features.h"

#include <string.h>

#pragma clang fp contract(off)

static inline long floor_to_long(double v) {
  long i = (long)v;
  return (double)i > v ? i - 1 : i;
}

static void affine_bilinear_scalar_rows(const uint8_t *src, uint8_t *dst, long w, long h, long c, const double *a,
                                        const uint8_t *fill, long x_from, long y) {
  const double wd = (double)w, hd = (double)h;
  const double yc = (double)y + 0.5;
  const double row_x = a[1] * yc, row_y = a[4] * yc;
  uint8_t *out = dst + (y * w + x_from) * c;
  for (long x = x_from; x < w; x++, out += c) {
    const double xc = (double)x + 0.5;
    double xin = a[0] * xc + row_x + a[2];
    double yin = a[3] * xc + row_y + a[5];
    if (!(xin >= 0 && xin < wd && yin >= 0 && yin < hd)) {
      memcpy(out, fill, (size_t)c);
      continue;
    }
    xin -= 0.5;
    yin -= 0.5;
    const long xi = floor_to_long(xin), yi = floor_to_long(yin);
    const double dx = xin - (double)xi, dy = yin - (double)yi;
    const long x0 = (xi < 0 ? 0 : xi) * c, x1 = (xi + 1 >= w ? w - 1 : xi + 1) * c;
    const uint8_t *r0 = src + (yi < 0 ? 0 : yi) * w * c;
    const uint8_t *r1 = src + (yi + 1 >= h ? h - 1 : yi + 1) * w * c;
    for (long k = 0; k < c; k++) {
      const double p00 = r0[x0 + k], p01 = r0[x1 + k], p10 = r1[x0 + k], p11 = r1[x1 + k];
      const double v1 = p00 + (p01 - p00) * dx;
      const double v2 = p10 + (p11 - p10) * dx;
      // On the last row Pillow reads one row only: here both rows are the same, so v2 == v1 and v == v1.
      out[k] = (uint8_t)(int)(v1 + (v2 - v1) * dy);
    }
  }
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) static inline __m256d lerp4(__m256d p, __m256d q, __m256d t) {
  return _mm256_add_pd(p, _mm256_mul_pd(_mm256_sub_pd(q, p), t));
}

// Samples of channel k of four gathered 4-byte words, as doubles.
__attribute__((target("avx2"))) static inline __m256d channel4(__m128i words, int k) {
  return _mm256_cvtepi32_pd(_mm_and_si128(_mm_srli_epi32(words, 8 * k), _mm_set1_epi32(0xFF)));
}

// The 4 bytes at src + offset for four offsets, by scalar loads (faster than vpgatherdd on the CPUs we measured).
// Offsets within 4 bytes of the end read from end - 4 and shift, so no read passes the buffer.
__attribute__((target("avx2"))) static inline __m128i gather_words(const uint8_t *src, __m128i offsets,
                                                                  __m128i last_word) {
  __m128i start = _mm_min_epi32(offsets, last_word);
  __m128i shift = _mm_slli_epi32(_mm_sub_epi32(offsets, start), 3);
  uint32_t w0, w1, w2, w3;
  memcpy(&w0, src + (uint32_t)_mm_extract_epi32(start, 0), 4);
  memcpy(&w1, src + (uint32_t)_mm_extract_epi32(start, 1), 4);
  memcpy(&w2, src + (uint32_t)_mm_extract_epi32(start, 2), 4);
  memcpy(&w3, src + (uint32_t)_mm_extract_epi32(start, 3), 4);
  return _mm_srlv_epi32(_mm_setr_epi32((int)w0, (int)w1, (int)w2, (int)w3), shift);
}

__attribute__((target("avx2"), always_inline)) static inline void
affine_bilinear_avx2_rows(const uint8_t *src, uint8_t *dst, long w, long h, long c, const double *a,
                          const uint8_t *fill, long y_from, long y_to) {
  const __m256d wd = _mm256_set1_pd((double)w), hd = _mm256_set1_pd((double)h), zero = _mm256_setzero_pd();
  const __m256d half = _mm256_set1_pd(0.5), a0 = _mm256_set1_pd(a[0]), a3 = _mm256_set1_pd(a[3]);
  const __m256d a2 = _mm256_set1_pd(a[2]), a5 = _mm256_set1_pd(a[5]);
  const __m128i one = _mm_set1_epi32(1), zero_i = _mm_setzero_si128();
  const __m128i w_last = _mm_set1_epi32((int)(w - 1)), h_last = _mm_set1_epi32((int)(h - 1));
  const __m128i stride = _mm_set1_epi32((int)(w * c)), cc = _mm_set1_epi32((int)c);
  const __m128i last_word = _mm_set1_epi32((int)(w * h * c - 4));
  uint32_t fill_word = 0;
  for (long k = 0; k < c; k++) fill_word |= (uint32_t)fill[k] << (8 * k);
  const __m128i fill4 = _mm_set1_epi32((int)fill_word);
  // Packs the low c bytes of each of the four words together (c = 1, 3 or 4).
  const __m128i pack = c == 1   ? _mm_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)
                       : c == 3 ? _mm_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1)
                                : _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (long y = y_from; y < y_to; y++) {
    const double ycd = (double)y + 0.5;
    const __m256d row_x = _mm256_set1_pd(a[1] * ycd), row_y = _mm256_set1_pd(a[4] * ycd);
    uint8_t *out = dst + y * w * c;
    long x = 0;
    for (; x + 4 <= w; x += 4, out += 4 * c) {
      const __m256d xc = _mm256_add_pd(_mm256_setr_pd((double)x, (double)(x + 1), (double)(x + 2), (double)(x + 3)),
                                       half);
      __m256d xin = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(a0, xc), row_x), a2);
      __m256d yin = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(a3, xc), row_y), a5);
      const __m256d inside = _mm256_and_pd(
          _mm256_and_pd(_mm256_cmp_pd(xin, zero, _CMP_GE_OQ), _mm256_cmp_pd(xin, wd, _CMP_LT_OQ)),
          _mm256_and_pd(_mm256_cmp_pd(yin, zero, _CMP_GE_OQ), _mm256_cmp_pd(yin, hd, _CMP_LT_OQ)));
      const int inside_bits = _mm256_movemask_pd(inside);
      if (inside_bits == 0) {
        __m128i packed = _mm_shuffle_epi8(fill4, pack);
        if (c == 4) _mm_storeu_si128((__m128i *)out, packed);
        else memcpy(out, &packed, (size_t)(4 * c));
        continue;
      }
      // Lanes outside the input sample the origin; their result is replaced by the fill below.
      xin = _mm256_and_pd(_mm256_sub_pd(xin, half), inside);
      yin = _mm256_and_pd(_mm256_sub_pd(yin, half), inside);
      const __m256d xf = _mm256_floor_pd(xin), yf = _mm256_floor_pd(yin);
      const __m256d dx = _mm256_sub_pd(xin, xf), dy = _mm256_sub_pd(yin, yf);
      const __m128i xi = _mm256_cvttpd_epi32(xf), yi = _mm256_cvttpd_epi32(yf);
      const __m128i x0 = _mm_mullo_epi32(_mm_max_epi32(xi, zero_i), cc);
      const __m128i x1 = _mm_mullo_epi32(_mm_min_epi32(_mm_add_epi32(xi, one), w_last), cc);
      const __m128i r0 = _mm_mullo_epi32(_mm_max_epi32(yi, zero_i), stride);
      const __m128i r1 = _mm_mullo_epi32(_mm_min_epi32(_mm_add_epi32(yi, one), h_last), stride);
      const __m128i g00 = gather_words(src, _mm_add_epi32(r0, x0), last_word);
      const __m128i g01 = gather_words(src, _mm_add_epi32(r0, x1), last_word);
      const __m128i g10 = gather_words(src, _mm_add_epi32(r1, x0), last_word);
      const __m128i g11 = gather_words(src, _mm_add_epi32(r1, x1), last_word);
      __m128i result = zero_i;
      for (int k = 0; k < c; k++) {
        const __m256d v1 = lerp4(channel4(g00, k), channel4(g01, k), dx);
        const __m256d v2 = lerp4(channel4(g10, k), channel4(g11, k), dx);
        const __m128i v = _mm256_cvttpd_epi32(lerp4(v1, v2, dy));
        result = _mm_or_si128(result, _mm_slli_epi32(v, 8 * k));
      }
      const __m128i lane_mask = _mm_cmpeq_epi32(_mm_and_si128(_mm_setr_epi32(1, 2, 4, 8),
                                                              _mm_set1_epi32(inside_bits)),
                                                _mm_setr_epi32(1, 2, 4, 8));
      result = _mm_blendv_epi8(fill4, result, lane_mask);
      const __m128i packed = _mm_shuffle_epi8(result, pack);
      if (c == 4) _mm_storeu_si128((__m128i *)out, packed);
      else memcpy(out, &packed, (size_t)(4 * c));
    }
    if (x < w) affine_bilinear_scalar_rows(src, dst, w, h, c, a, fill, x, y);
  }
}

// AVX-512: eight pixels per step, otherwise the AVX2 step's operations.
#define T512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))
T512 static inline __m512d lerp8(__m512d p, __m512d q, __m512d t) {
  return _mm512_add_pd(p, _mm512_mul_pd(_mm512_sub_pd(q, p), t));
}

T512 static inline __m512d channel8(__m256i words, int k) {
  return _mm512_cvtepi32_pd(_mm256_and_si256(_mm256_srli_epi32(words, 8 * k), _mm256_set1_epi32(0xFF)));
}

T512 static inline __m256i gather_words8(const uint8_t *src, __m256i offsets, __m256i last_word) {
  __m256i start = _mm256_min_epi32(offsets, last_word);
  __m256i shift = _mm256_slli_epi32(_mm256_sub_epi32(offsets, start), 3);
  return _mm256_srlv_epi32(_mm256_i32gather_epi32((const int *)src, start, 1), shift);
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"), always_inline)) static inline void
affine_bilinear_avx512_rows(const uint8_t *src, uint8_t *dst, long w, long h, long c, const double *a,
                            const uint8_t *fill) {
  const __m512d wd = _mm512_set1_pd((double)w), hd = _mm512_set1_pd((double)h), zero = _mm512_setzero_pd();
  const __m512d half = _mm512_set1_pd(0.5), a0 = _mm512_set1_pd(a[0]), a3 = _mm512_set1_pd(a[3]);
  const __m512d a2 = _mm512_set1_pd(a[2]), a5 = _mm512_set1_pd(a[5]);
  const __m512d lanes = _mm512_setr_pd(0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5);
  const __m256i one = _mm256_set1_epi32(1), zero_i = _mm256_setzero_si256();
  const __m256i w_last = _mm256_set1_epi32((int)(w - 1)), h_last = _mm256_set1_epi32((int)(h - 1));
  const __m256i stride = _mm256_set1_epi32((int)(w * c)), cc = _mm256_set1_epi32((int)c);
  const __m256i last_word = _mm256_set1_epi32((int)(w * h * c - 4));
  uint32_t fill_word = 0;
  for (long k = 0; k < c; k++) fill_word |= (uint32_t)fill[k] << (8 * k);
  const __m256i fill8 = _mm256_set1_epi32((int)fill_word);
  for (long y = 0; y < h; y++) {
    const double ycd = (double)y + 0.5;
    const __m512d row_x = _mm512_set1_pd(a[1] * ycd), row_y = _mm512_set1_pd(a[4] * ycd);
    uint8_t *out = dst + y * w * c;
    long x = 0;
    for (; x + 8 <= w; x += 8, out += 8 * c) {
      const __m512d xc = _mm512_add_pd(_mm512_set1_pd((double)x), lanes);
      __m512d xin = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(a0, xc), row_x), a2);
      __m512d yin = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(a3, xc), row_y), a5);
      const __mmask8 inside = _mm512_cmp_pd_mask(xin, zero, _CMP_GE_OQ) & _mm512_cmp_pd_mask(xin, wd, _CMP_LT_OQ) &
                              _mm512_cmp_pd_mask(yin, zero, _CMP_GE_OQ) & _mm512_cmp_pd_mask(yin, hd, _CMP_LT_OQ);
      __m256i result = fill8;
      if (inside) {
        xin = _mm512_maskz_sub_pd(inside, xin, half);
        yin = _mm512_maskz_sub_pd(inside, yin, half);
        const __m512d xf = _mm512_roundscale_pd(xin, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        const __m512d yf = _mm512_roundscale_pd(yin, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        const __m512d dx = _mm512_sub_pd(xin, xf), dy = _mm512_sub_pd(yin, yf);
        const __m256i xi = _mm512_cvttpd_epi32(xf), yi = _mm512_cvttpd_epi32(yf);
        const __m256i x0 = _mm256_mullo_epi32(_mm256_max_epi32(xi, zero_i), cc);
        const __m256i x1 = _mm256_mullo_epi32(_mm256_min_epi32(_mm256_add_epi32(xi, one), w_last), cc);
        const __m256i r0 = _mm256_mullo_epi32(_mm256_max_epi32(yi, zero_i), stride);
        const __m256i r1 = _mm256_mullo_epi32(_mm256_min_epi32(_mm256_add_epi32(yi, one), h_last), stride);
        const __m256i g00 = gather_words8(src, _mm256_add_epi32(r0, x0), last_word);
        const __m256i g01 = gather_words8(src, _mm256_add_epi32(r0, x1), last_word);
        const __m256i g10 = gather_words8(src, _mm256_add_epi32(r1, x0), last_word);
        const __m256i g11 = gather_words8(src, _mm256_add_epi32(r1, x1), last_word);
        __m256i sampled = zero_i;
        for (int k = 0; k < c; k++) {
          const __m512d v1 = lerp8(channel8(g00, k), channel8(g01, k), dx);
          const __m512d v2 = lerp8(channel8(g10, k), channel8(g11, k), dx);
          const __m256i v = _mm512_cvttpd_epi32(lerp8(v1, v2, dy));
          sampled = _mm256_or_si256(sampled, _mm256_slli_epi32(v, 8 * k));
        }
        result = _mm256_mask_blend_epi32(inside, fill8, sampled);
      }
      if (c == 4) {
        _mm256_storeu_si256((__m256i *)out, result);
      } else {
        // Keep the low c bytes of each word, then store each 128-bit half's 4c bytes.
        const __m256i pack = c == 1 ? _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                                       0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)
                                    : _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1,
                                                       0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
        const __m256i packed = _mm256_shuffle_epi8(result, pack);
        const __m128i low = _mm256_castsi256_si128(packed), high = _mm256_extracti128_si256(packed, 1);
        memcpy(out, &low, (size_t)(4 * c));
        memcpy(out + 4 * c, &high, (size_t)(4 * c));
      }
    }
    if (x < w) affine_bilinear_scalar_rows(src, dst, w, h, c, a, fill, x, y);
  }
}

T512 static void affine_bilinear_avx512_1(const uint8_t *s, uint8_t *d, long w, long h, const double *a,
                                           const uint8_t *f) {
  affine_bilinear_avx512_rows(s, d, w, h, 1, a, f);
}
T512 static void affine_bilinear_avx512_3(const uint8_t *s, uint8_t *d, long w, long h, const double *a,
                                           const uint8_t *f) {
  affine_bilinear_avx512_rows(s, d, w, h, 3, a, f);
}
T512 static void affine_bilinear_avx512_4(const uint8_t *s, uint8_t *d, long w, long h, const double *a,
                                           const uint8_t *f) {
  affine_bilinear_avx512_rows(s, d, w, h, 4, a, f);
}

__attribute__((target("avx2"))) static void affine_bilinear_avx2_1(const uint8_t *s, uint8_t *d, long w, long h,
                                                                    const double *a, const uint8_t *f) {
  affine_bilinear_avx2_rows(s, d, w, h, 1, a, f, 0, h);
}
__attribute__((target("avx2"))) static void affine_bilinear_avx2_3(const uint8_t *s, uint8_t *d, long w, long h,
                                                                    const double *a, const uint8_t *f) {
  affine_bilinear_avx2_rows(s, d, w, h, 3, a, f, 0, h);
}
__attribute__((target("avx2"))) static void affine_bilinear_avx2_4(const uint8_t *s, uint8_t *d, long w, long h,
                                                                    const double *a, const uint8_t *f) {
  affine_bilinear_avx2_rows(s, d, w, h, 4, a, f, 0, h);
}
#endif

void tessera_affine_bilinear(const uint8_t *src, uint8_t *dst, size_t width, size_t height, size_t channels,
                             const double coefficients[6], const uint8_t *fill, int vector_level) {
  const long w = (long)width, h = (long)height, c = (long)channels;
#if defined(__x86_64__)
  // The vector path needs 32-bit offsets and at least one 4-byte word of input.
  if (vector_level >= 2 && tessera_cpu_has(tessera_cpu_avx512) && w * h * c >= 4 && w * h * c < (1L << 31) &&
      (c == 1 || c == 3 || c == 4)) {
    if (c == 1) affine_bilinear_avx512_1(src, dst, w, h, coefficients, fill);
    else if (c == 3) affine_bilinear_avx512_3(src, dst, w, h, coefficients, fill);
    else affine_bilinear_avx512_4(src, dst, w, h, coefficients, fill);
    return;
  }
  if (vector_level >= 1 && tessera_cpu_has(tessera_cpu_avx2) && w * h * c >= 4 && w * h * c < (1L << 31) &&
      (c == 1 || c == 3 || c == 4)) {
    if (c == 1) affine_bilinear_avx2_1(src, dst, w, h, coefficients, fill);
    else if (c == 3) affine_bilinear_avx2_3(src, dst, w, h, coefficients, fill);
    else affine_bilinear_avx2_4(src, dst, w, h, coefficients, fill);
    return;
  }
#endif
  for (long y = 0; y < h; y++) affine_bilinear_scalar_rows(src, dst, w, h, c, coefficients, fill, 0, y);
}

// Nearest-neighbour copy along one output row of Pillow's affine_fixed: pixel k reads the source pixel at
// ((y + k·dy) >> 16, (x + k·dx) >> 16), all inside the image (the caller solved the row's span).
__attribute__((always_inline)) static inline void nearest_span_copy(const uint8_t *src, long w, long c, uint8_t *dst,
                                                                   long x, long y, long dx, long dy, long count) {
  for (long k = 0; k < count; k++, x += dx, y += dy, dst += c) {
    memcpy(dst, src + ((y >> 16) * w + (x >> 16)) * c, (size_t)c);
  }
}

// A constant channel count per call site, so each memcpy is a plain load and store.
static void nearest_span_scalar(const uint8_t *src, long w, long c, uint8_t *dst, long x, long y, long dx, long dy,
                                long count) {
  switch (c) {
  case 1: nearest_span_copy(src, w, 1, dst, x, y, dx, dy, count); break;
  case 3: nearest_span_copy(src, w, 3, dst, x, y, dx, dy, count); break;
  case 4: nearest_span_copy(src, w, 4, dst, x, y, dx, dy, count); break;
  default: nearest_span_copy(src, w, c, dst, x, y, dx, dy, count); break;
  }
}

#if defined(__x86_64__)
// Byte i of an output block of sixteen pixels is byte (i / c)·4 + i % c of the gathered words (c = 1, 3, 4).
static const uint8_t nearest_picks[3][64] = {
    {0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20, 21, 22, 24, 25, 26, 28, 29, 30, 32, 33, 34, 36, 37, 38, 40, 41, 42, 44, 45, 46, 48, 49, 50, 52, 53, 54, 56, 57, 58, 60, 61, 62, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63}};

// Sixteen pixels a step: 16.16 coordinates in int32 lanes, one gather of each pixel's 4 bytes, then a byte
// permute that keeps c bytes per pixel.
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi"))) static void
nearest_span_vbmi(const uint8_t *src, long w, long h, long c, uint8_t *dst, long x, long y, long dx, long dy,
                  long count) {
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i width = _mm512_set1_epi32((int)w), cc = _mm512_set1_epi32((int)c);
  const __m512i last_word = _mm512_set1_epi32((int)(w * h * c - 4));
  const __m512i picks = _mm512_loadu_si512(c == 1 ? nearest_picks[0] : c == 3 ? nearest_picks[1] : nearest_picks[2]);
  const __mmask64 store = c == 4 ? ~0ULL : (1ULL << (16 * c)) - 1;
  __m512i xs = _mm512_add_epi32(_mm512_set1_epi32((int)x), _mm512_mullo_epi32(lanes, _mm512_set1_epi32((int)dx)));
  __m512i ys = _mm512_add_epi32(_mm512_set1_epi32((int)y), _mm512_mullo_epi32(lanes, _mm512_set1_epi32((int)dy)));
  const __m512i step_x = _mm512_set1_epi32((int)(16 * dx)), step_y = _mm512_set1_epi32((int)(16 * dy));
  long k = 0;
  for (; k + 16 <= count; k += 16, dst += 16 * c) {
    const __m512i pixel = _mm512_add_epi32(_mm512_mullo_epi32(_mm512_srai_epi32(ys, 16), width),
                                           _mm512_srai_epi32(xs, 16));
    const __m512i offset = _mm512_mullo_epi32(pixel, cc);
    const __m512i start = _mm512_min_epi32(offset, last_word);
    const __m512i shift = _mm512_slli_epi32(_mm512_sub_epi32(offset, start), 3);
    const __m512i words = _mm512_srlv_epi32(_mm512_i32gather_epi32(start, (const int *)src, 1), shift);
    _mm512_mask_storeu_epi8(dst, store, _mm512_permutexvar_epi8(picks, words));
    xs = _mm512_add_epi32(xs, step_x);
    ys = _mm512_add_epi32(ys, step_y);
  }
  nearest_span_scalar(src, w, c, dst, x + k * dx, y + k * dy, dx, dy, count - k);
}
#endif

void tessera_affine_nearest_span(const uint8_t *src, size_t width, size_t height, size_t channels, uint8_t *dst,
                                 long x, long y, long dx, long dy, long count, int vector_level) {
  const long w = (long)width, h = (long)height, c = (long)channels;
#if defined(__x86_64__)
  const int vbmi = tessera_cpu_has(tessera_cpu_avx512 | tessera_cpu_avx512_vbmi);
  // int32 lanes: every coordinate below 2^31, which Pillow's fixed-point path (|coordinate| < 32768) ensures
  // for images below 32768 pixels a side.
  if (vector_level > 0 && vbmi && count >= 16 && w < 32768 && h < 32768 && w * h * c >= 4 &&
      w * h * c < (1L << 31) && (c == 1 || c == 3 || c == 4)) {
    nearest_span_vbmi(src, w, h, c, dst, x, y, dx, dy, count);
    return;
  }
#endif
  (void)h;
  nearest_span_scalar(src, w, c, dst, x, y, dx, dy, count);
}
