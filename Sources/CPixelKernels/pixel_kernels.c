// Hot pixel loops in C, so that each is compiled for AVX-512, AVX2 and baseline x86-64 and the CPU picks
// at load time (target_clones / cpu_supports): Swift code is compiled for baseline SSE2 only.
#include "CPixelKernels.h"
#include "cpu_features.h"

#include <string.h>

// Pillow computes blends as float32 multiply then add, never fused: contraction would change last bits.
#pragma clang fp contract(off)

static void lut_scalar(const uint8_t *s, uint8_t *d, size_t n, const uint8_t *t) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint8_t a = t[s[i]], b = t[s[i + 1]], c = t[s[i + 2]], e = t[s[i + 3]];
    d[i] = a; d[i + 1] = b; d[i + 2] = c; d[i + 3] = e;
  }
  for (; i < n; i++) d[i] = t[s[i]];
}

#if defined(__x86_64__)
// 64 lookups per step: two two-table byte permutes (the index's bit 6 picks the table of each pair) and a
// blend on bit 7.
__attribute__((target("avx512f,avx512bw,avx512vbmi")))
static void lut_vbmi(const uint8_t *s, uint8_t *d, size_t n, const uint8_t *t) {
  const __m512i t0 = _mm512_loadu_si512(t), t1 = _mm512_loadu_si512(t + 64);
  const __m512i t2 = _mm512_loadu_si512(t + 128), t3 = _mm512_loadu_si512(t + 192);
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    __m512i x = _mm512_loadu_si512(s + i);
    __m512i lo = _mm512_permutex2var_epi8(t0, x, t1), hi = _mm512_permutex2var_epi8(t2, x, t3);
    _mm512_storeu_si512(d + i, _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), lo, hi));
  }
  if (i < n) {
    __mmask64 k = (__mmask64)((1ULL << (n - i)) - 1);
    __m512i x = _mm512_maskz_loadu_epi8(k, s + i);
    __m512i lo = _mm512_permutex2var_epi8(t0, x, t1), hi = _mm512_permutex2var_epi8(t2, x, t3);
    _mm512_mask_storeu_epi8(d + i, k, _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), lo, hi));
  }
}
#endif

void tessera_lut_u8(const uint8_t *src, uint8_t *dst, size_t n, const uint8_t table[256]) {
#if defined(__x86_64__)
  if (tessera_cpu_has(tessera_cpu_avx512 | tessera_cpu_avx512_vbmi)) {
    lut_vbmi(src, dst, n, table);
    return;
  }
#endif
  lut_scalar(src, dst, n, table);
}

static inline uint32_t luma(uint32_t r, uint32_t g, uint32_t b) {
  return (r * 19595u + g * 38470u + b * 7471u + 0x8000u) >> 16;
}

// One body per kernel with the channel count as a parameter; always inlined into clones that pass a
// literal 3 or 4, so each clone sees a constant stride and vectorises.
__attribute__((always_inline)) static inline uint64_t luma_sum(const uint8_t *s, size_t pixels, size_t c) {
  uint64_t total = 0;
  // Blocks of 4096 pixels: the 32-bit partial sum cannot overflow (4096 × 255), and the loop vectorises.
  for (size_t start = 0; start < pixels; start += 4096) {
    size_t end = start + 4096 < pixels ? start + 4096 : pixels;
    uint32_t sum = 0;
    for (size_t p = start; p < end; p++) sum += luma(s[c * p], s[c * p + 1], s[c * p + 2]);
    total += sum;
  }
  return total;
}

TESSERA_CLONES static uint64_t luma_sum3(const uint8_t *s, size_t pixels) { return luma_sum(s, pixels, 3); }
TESSERA_CLONES static uint64_t luma_sum4(const uint8_t *s, size_t pixels) { return luma_sum(s, pixels, 4); }

uint64_t tessera_luma_sum(const uint8_t *src, size_t pixels, size_t channels) {
  return channels == 4 ? luma_sum4(src, pixels) : luma_sum3(src, pixels);
}

static inline uint8_t blend(uint32_t l, uint32_t v, float alpha) {
  float t = (float)(int32_t)l + alpha * (float)((int32_t)v - (int32_t)l);
  t = t < 0.0f ? 0.0f : (t > 255.0f ? 255.0f : t);
  return (uint8_t)(int32_t)t;
}

__attribute__((always_inline)) static inline void color(const uint8_t *restrict s, uint8_t *restrict d, size_t pixels,
                                                         size_t c, float alpha) {
  for (size_t p = 0; p < pixels; p++) {
    uint32_t r = s[c * p], g = s[c * p + 1], b = s[c * p + 2], l = luma(r, g, b);
    d[c * p] = blend(l, r, alpha);
    d[c * p + 1] = blend(l, g, alpha);
    d[c * p + 2] = blend(l, b, alpha);
    if (c == 4) d[c * p + 3] = s[c * p + 3];
  }
}

TESSERA_CLONES static void color3(const uint8_t *restrict s, uint8_t *restrict d, size_t n, float a) { color(s, d, n, 3, a); }
TESSERA_CLONES static void color4(const uint8_t *restrict s, uint8_t *restrict d, size_t n, float a) { color(s, d, n, 4, a); }

void tessera_color_blend(const uint8_t *src, uint8_t *dst, size_t pixels, size_t channels, float alpha) {
  if (channels == 4) color4(src, dst, pixels, alpha); else color3(src, dst, pixels, alpha);
}

TESSERA_CLONES
static void flip1(const uint8_t *restrict s, uint8_t *restrict d, size_t w) {
  for (size_t x = 0; x < w; x++) d[x] = s[w - 1 - x];
}

TESSERA_CLONES
static void flip3(const uint8_t *restrict s, uint8_t *restrict d, size_t w) {
  for (size_t x = 0; x < w; x++) {
    d[3 * x] = s[3 * (w - 1 - x)];
    d[3 * x + 1] = s[3 * (w - 1 - x) + 1];
    d[3 * x + 2] = s[3 * (w - 1 - x) + 2];
  }
}

TESSERA_CLONES
static void flip4(const uint8_t *restrict s, uint8_t *restrict d, size_t w) {
  const uint32_t *s4 = (const uint32_t *)s;
  uint32_t *d4 = (uint32_t *)d;
  for (size_t x = 0; x < w; x++) {
    uint32_t v;
    memcpy(&v, s4 + (w - 1 - x), 4);
    memcpy(d4 + x, &v, 4);
  }
}

void tessera_flip_rows(const uint8_t *src, uint8_t *dst, size_t width, size_t height, size_t channels) {
  size_t row = width * channels;
  for (size_t y = 0; y < height; y++) {
    const uint8_t *s = src + y * row;
    uint8_t *d = dst + y * row;
    if (channels == 1) flip1(s, d, width);
    else if (channels == 3) flip3(s, d, width);
    else flip4(s, d, width);
  }
}

TESSERA_CLONES
static void smooth_row(const uint8_t *restrict above, const uint8_t *restrict here, const uint8_t *restrict below,
                       uint8_t *restrict out, size_t lo, size_t hi, size_t c) {
  for (size_t i = lo; i < hi; i++) {
    uint32_t s = above[i - c] + above[i] + above[i + c] + here[i - c] + 5u * here[i] + here[i + c]
               + below[i - c] + below[i] + below[i + c];
    out[i] = (uint8_t)((2u * s + 13u) / 26u);
  }
}

TESSERA_CLONES
static void blend_row(const uint8_t *restrict degenerate, const uint8_t *restrict image, uint8_t *restrict out,
                      size_t n, float alpha) {
  for (size_t i = 0; i < n; i++) out[i] = blend(degenerate[i], image[i], alpha);
}

void tessera_sharpness(const uint8_t *src, uint8_t *dst, uint8_t *row, size_t width, size_t height, size_t channels,
                       float alpha) {
  size_t n = width * channels;
  memcpy(dst, src, n);
  memcpy(dst + (height - 1) * n, src + (height - 1) * n, n);
  for (size_t y = 1; y + 1 < height; y++) {
    const uint8_t *here = src + y * n;
    // The border pixels of the smoothed row are the input's, so blending leaves them unchanged.
    memcpy(row, here, channels);
    memcpy(row + (width - 1) * channels, here + (width - 1) * channels, channels);
    smooth_row(here - n, here, here + n, row, channels, (width - 1) * channels, channels);
    uint8_t *out = dst + y * n;
    blend_row(row, here, out, n, alpha);
    if (channels == 4) {
      for (size_t x = 0; x < width; x++) out[4 * x + 3] = here[4 * x + 3];
    }
  }
}

void tessera_blend(const uint8_t *degenerate, const uint8_t *image, uint8_t *dst, size_t n, float alpha) {
  blend_row(degenerate, image, dst, n, alpha);
}
