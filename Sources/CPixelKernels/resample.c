// Pillow's separable resampling passes (libImaging/Resample.c, 8 bits per channel): each output sample is
// clip8((2^21 + Σ k_t · in_t) >> 22) with Pillow's 22-bit integer coefficients, summed in int32. Integer sums
// are exact, so any order or vector width gives Pillow's bytes.
#include "CPixelKernels.h"
#include "cpu_features.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// Coefficients are computed in double exactly as Pillow does; contraction into FMA would change last bits.
#pragma clang fp contract(off)

enum { precision_bits = 22 };

// Taps per output sample of the bilinear (triangle) filter resampling in_size samples to out_size.
static size_t resample_taps(size_t in_size, size_t out_size) {
  const double scale = (double)in_size / (double)out_size;
  const double support = scale > 1.0 ? scale : 1.0;
  return (size_t)ceil(support) * 2 + 1;
}

// precompute_coeffs + normalize_coeffs_8bpc for the bilinear filter: bounds gets (first input, count) per output
// sample, weights the 22-bit fixed-point weights (taps per output sample). `scratch` holds taps doubles.
static void resample_coefficients(size_t in_size, size_t out_size, ptrdiff_t *bounds, int32_t *weights,
                                  double *scratch) {
  const double scale = (double)in_size / (double)out_size;
  const double filter_scale = scale > 1.0 ? scale : 1.0;
  const double support = 1.0 * filter_scale, ss = 1.0 / filter_scale;
  const size_t taps = resample_taps(in_size, out_size);
  double *k = scratch;
  for (size_t xx = 0; xx < out_size; xx++) {
    const double center = 0.0 + ((double)xx + 0.5) * scale;
    double ww = 0.0;
    ptrdiff_t xmin = (ptrdiff_t)(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    ptrdiff_t xmax = (ptrdiff_t)(center + support + 0.5);
    if (xmax > (ptrdiff_t)in_size) xmax = (ptrdiff_t)in_size;
    xmax -= xmin;
    if (xmax < 0) xmax = 0;
    for (size_t x = 0; x < taps; x++) k[x] = 0.0;
    for (ptrdiff_t x = 0; x < xmax; x++) {
      double t = ((double)(x + xmin) - center + 0.5) * ss;
      if (t < 0) t = -t;
      const double w = t < 1.0 ? 1.0 - t : 0.0;  // the bilinear (triangle) filter
      k[x] = w;
      ww += w;
    }
    if (ww != 0.0) {
      for (ptrdiff_t x = 0; x < xmax; x++) k[x] /= ww;
    }
    for (size_t x = 0; x < taps; x++) {
      const double v = k[x] * (double)(1 << precision_bits);
      weights[xx * taps + x] = k[x] < 0 ? (int32_t)(-0.5 + v) : (int32_t)(0.5 + v);
    }
    bounds[2 * xx] = xmin;
    bounds[2 * xx + 1] = xmax;
  }
}

static inline uint8_t clip8(int32_t v) {
  v >>= precision_bits;
  return v < 0 ? 0 : (v > 255 ? 255 : (uint8_t)v);
}

// The vertical pass: a row of sums at a time, so the inner loop runs along the row and vectorises. Output row yy
// reads input rows bounds[2yy] - row_shift onwards.
TESSERA_CLONES
static void vertical_rows(const uint8_t *src, size_t row_length, uint8_t *dst, size_t out_height,
                          const ptrdiff_t *bounds, ptrdiff_t row_shift, const int32_t *weights, size_t taps,
                          int32_t *sums) {
  for (size_t yy = 0; yy < out_height; yy++) {
    const ptrdiff_t first = bounds[2 * yy] - row_shift, count = bounds[2 * yy + 1];
    const int32_t *k = weights + yy * taps;
    for (size_t i = 0; i < row_length; i++) sums[i] = 1 << (precision_bits - 1);
    for (ptrdiff_t t = 0; t < count; t++) {
      const uint8_t *line = src + (size_t)(first + t) * row_length;
      const int32_t kt = k[t];
      for (size_t i = 0; i < row_length; i++) sums[i] += (int32_t)line[i] * kt;
    }
    uint8_t *out = dst + yy * row_length;
    for (size_t i = 0; i < row_length; i++) out[i] = clip8(sums[i]);
  }
}

#if defined(__x86_64__)
// AVX-512: sixteen samples of a row at a time with every tap summed in registers.
__attribute__((target("avx512f,avx512bw,avx512vl")))
static void vertical_rows_avx512(const uint8_t *src, size_t row_length, uint8_t *dst, size_t out_height,
                                 const ptrdiff_t *bounds, ptrdiff_t row_shift, const int32_t *weights, size_t taps) {
  const __m512i half = _mm512_set1_epi32(1 << (precision_bits - 1)), zero = _mm512_setzero_si512();
  for (size_t yy = 0; yy < out_height; yy++) {
    const uint8_t *rows = src + (size_t)(bounds[2 * yy] - row_shift) * row_length;
    const ptrdiff_t count = bounds[2 * yy + 1];
    const int32_t *k = weights + yy * taps;
    uint8_t *out = dst + yy * row_length;
    for (size_t i = 0; i < row_length; i += 16) {
      const size_t left = row_length - i;
      const __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
      __m512i sum = half;
      for (ptrdiff_t t = 0; t < count; t++) {
        const __m128i bytes = _mm_maskz_loadu_epi8(mask, rows + (size_t)t * row_length + i);
        sum = _mm512_add_epi32(sum, _mm512_mullo_epi32(_mm512_cvtepu8_epi32(bytes), _mm512_set1_epi32(k[t])));
      }
      const __m128i packed = _mm512_cvtusepi32_epi8(_mm512_max_epi32(_mm512_srai_epi32(sum, precision_bits), zero));
      _mm_mask_storeu_epi8(out + i, mask, packed);
    }
  }
}
#endif

// One axis's coefficients and, for a horizontal pass on `channels`-channel rows, its vector tables. Built once
// per (in_size, out_size, channels) and thread, and reused: computing them costs as much as a small resize.
typedef struct {
  size_t in_size, out_size, channels;  // channels 0: a vertical axis
  size_t taps;
  ptrdiff_t *bounds;
  int32_t *weights;
  // The horizontal pass with AVX-512 VBMI and VNNI runs sixteen output samples per step. For each block of
  // sixteen samples of a row, every tap's input byte lies in one 128-byte window of the row, so one two-table byte
  // permute (vpermi2b) gathers four taps of each sample side by side, and vpdpbusd multiplies and sums them per
  // sample. It multiplies by signed bytes, so each 22-bit weight is split into three balanced base-256 digits,
  // k = d0 + 256 d1 + 65536 d2, and the three digit sums are shifted and added: an exact integer identity, so the
  // result is Pillow's. Windows, byte indices and digits are the same for every row.
  int vector_ok;
  size_t blocks, groups;  // groups of four taps
  ptrdiff_t *windows;
  uint8_t *indices;  // per block and group: 64 byte indices, four per sample
  int8_t *digits;    // per block and group: three digit vectors of 64 bytes
} axis_plan;

static void axis_plan_free(axis_plan *plan) {
  free(plan->bounds);
  free(plan->weights);
  free(plan->windows);
  free(plan->indices);
  free(plan->digits);
  memset(plan, 0, sizeof *plan);
}

static void build_vector_tables(axis_plan *plan) {
  const size_t c = plan->channels, out_row = plan->out_size * c;
  const ptrdiff_t *bounds = plan->bounds;
  size_t max_count = 0;
  for (size_t xx = 0; xx < plan->out_size; xx++) {
    if ((size_t)bounds[2 * xx + 1] > max_count) max_count = (size_t)bounds[2 * xx + 1];
  }
  const size_t blocks = (out_row + 15) / 16, groups = (max_count + 3) / 4;
  if (groups == 0 || blocks == 0) return;
  plan->blocks = blocks;
  plan->groups = groups;
  plan->windows = malloc(blocks * sizeof(ptrdiff_t));
  plan->indices = aligned_alloc(64, blocks * groups * 64);
  plan->digits = aligned_alloc(64, blocks * groups * 3 * 64);
  if (!plan->windows || !plan->indices || !plan->digits) return;
  memset(plan->indices, 0, blocks * groups * 64);
  memset(plan->digits, 0, blocks * groups * 3 * 64);
  int ok = 1;
  for (size_t b = 0; b < blocks; b++) {
    const size_t j0 = 16 * b, j1 = j0 + 16 < out_row ? j0 + 16 : out_row;
    // Samples j0 ..< j1 are channels of output pixels j0 / c onwards, whose first inputs never decrease.
    const ptrdiff_t window = bounds[2 * (j0 / c)] * (ptrdiff_t)c;
    plan->windows[b] = window;
    size_t xx = j0 / c, channel = j0 % c;
    for (size_t lane = 0; lane < j1 - j0; lane++) {
      const ptrdiff_t base = bounds[2 * xx] * (ptrdiff_t)c + (ptrdiff_t)channel - window;
      const size_t count = (size_t)bounds[2 * xx + 1];
      for (size_t t = 0; t < count; t++) {
        const ptrdiff_t at = base + (ptrdiff_t)(t * c);
        if (at < 0 || at >= 128) ok = 0;
        const size_t group = t / 4, byte = 4 * lane + t % 4;
        plan->indices[(b * groups + group) * 64 + byte] = (uint8_t)at;
        int32_t k = plan->weights[xx * plan->taps + t];
        int8_t *digits = plan->digits + (b * groups + group) * 3 * 64 + byte;
        for (int m = 0; m < 3; m++) {
          const int32_t d = m < 2 ? (int32_t)(int8_t)(uint8_t)(k & 0xFF) : k;
          if (d < -128 || d > 127) ok = 0;
          digits[64 * m] = (int8_t)d;
          k = (k - d) / 256;
        }
      }
      if (++channel == c) { channel = 0; xx++; }
    }
  }
  plan->vector_ok = ok;
}

static int axis_plan_build(axis_plan *plan, size_t in_size, size_t out_size, size_t channels) {
  plan->in_size = in_size;
  plan->out_size = out_size;
  plan->channels = channels;
  plan->taps = resample_taps(in_size, out_size);
  plan->bounds = malloc(2 * out_size * sizeof(ptrdiff_t));
  plan->weights = malloc(out_size * plan->taps * sizeof(int32_t));
  double *scratch = malloc(plan->taps * sizeof(double));
  if (!plan->bounds || !plan->weights || !scratch) {
    free(scratch);
    return 0;
  }
  resample_coefficients(in_size, out_size, plan->bounds, plan->weights, scratch);
  free(scratch);
  if (channels > 0) build_vector_tables(plan);
  return 1;
}

enum { cached_plans = 4 };

typedef struct {
  axis_plan plans[cached_plans];
  unsigned next;  // the entry to replace next
  uint8_t *temporary;
  size_t temporary_size;
  int32_t *sums;
  size_t sums_size;
} thread_cache;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void thread_cache_free(void *value) {
  thread_cache *cache = value;
  for (int i = 0; i < cached_plans; i++) axis_plan_free(&cache->plans[i]);
  free(cache->temporary);
  free(cache->sums);
  free(cache);
}

static void make_cache_key(void) { pthread_key_create(&cache_key, thread_cache_free); }

static thread_cache *this_thread_cache(void) {
  pthread_once(&cache_once, make_cache_key);
  thread_cache *cache = pthread_getspecific(cache_key);
  if (!cache) {
    cache = calloc(1, sizeof *cache);
    if (cache && pthread_setspecific(cache_key, cache) != 0) {
      free(cache);
      cache = NULL;
    }
  }
  return cache;
}

// The cached plan for an axis; `keep` is a plan the caller still holds, never replaced here.
static const axis_plan *plan_for(thread_cache *cache, size_t in_size, size_t out_size, size_t channels,
                                 const axis_plan *keep) {
  for (int i = 0; i < cached_plans; i++) {
    const axis_plan *p = &cache->plans[i];
    if (p->bounds && p->in_size == in_size && p->out_size == out_size && p->channels == channels) return p;
  }
  axis_plan *slot = &cache->plans[cache->next % cached_plans];
  if (slot == keep) slot = &cache->plans[++cache->next % cached_plans];
  cache->next++;
  axis_plan_free(slot);
  if (!axis_plan_build(slot, in_size, out_size, channels)) {
    axis_plan_free(slot);
    return NULL;
  }
  return slot;
}

static void horizontal_scalar(const uint8_t *src, size_t in_width, size_t rows, size_t c, uint8_t *dst,
                              const axis_plan *plan) {
  const size_t out_width = plan->out_size;
  for (size_t y = 0; y < rows; y++) {
    const uint8_t *line = src + y * in_width * c;
    uint8_t *out = dst + y * out_width * c;
    for (size_t xx = 0; xx < out_width; xx++) {
      const ptrdiff_t first = plan->bounds[2 * xx], count = plan->bounds[2 * xx + 1];
      const int32_t *k = plan->weights + xx * plan->taps;
      for (size_t b = 0; b < c; b++) {
        int32_t s = 1 << (precision_bits - 1);
        for (ptrdiff_t t = 0; t < count; t++) s += (int32_t)line[(size_t)(first + t) * c + b] * k[t];
        out[xx * c + b] = clip8(s);
      }
    }
  }
}

#if defined(__x86_64__)
#define T_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,avx512vnni")))

// half + s0 + 256 s1 + 65536 s2, shifted and clipped to bytes. Wrapping int32 arithmetic: the true sum fits, so
// the modular one equals it.
T_VNNI static inline __m128i combine_digit_sums(__m512i s0, __m512i s1, __m512i s2) {
  const __m512i half = _mm512_set1_epi32(1 << (precision_bits - 1));
  const __m512i sum = _mm512_add_epi32(_mm512_add_epi32(half, s0),
                                       _mm512_add_epi32(_mm512_slli_epi32(s1, 8), _mm512_slli_epi32(s2, 16)));
  return _mm512_cvtusepi32_epi8(_mm512_max_epi32(_mm512_srai_epi32(sum, precision_bits), _mm512_setzero_si512()));
}

// Blocks from `from` to the end of one row, with masked loads where the window passes the row's end (they never
// touch bytes past it, so the last row reads nothing past the image) and a masked store for a short last block.
T_VNNI static void horizontal_vbmi_tail(const uint8_t *line, size_t in_row, uint8_t *out, size_t out_row,
                                        const axis_plan *plan, size_t from) {
  const size_t groups = plan->groups;
  for (size_t b = from; b < plan->blocks; b++) {
    const ptrdiff_t window = plan->windows[b];
    const ptrdiff_t left = (ptrdiff_t)in_row - window;
    const __mmask64 m0 = left >= 64 ? ~0ULL : (1ULL << left) - 1;
    const __mmask64 m1 = left >= 128 ? ~0ULL : (left <= 64 ? 0 : (1ULL << (left - 64)) - 1);
    const __m512i w0 = _mm512_maskz_loadu_epi8(m0, line + window);
    const __m512i w1 = _mm512_maskz_loadu_epi8(m1, line + window + 64);
    __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0;
    for (size_t g = 0; g < groups; g++) {
      const size_t at = b * groups + g;
      const __m512i taps = _mm512_permutex2var_epi8(w0, _mm512_load_si512(plan->indices + 64 * at), w1);
      const int8_t *d = plan->digits + 3 * 64 * at;
      s0 = _mm512_dpbusd_epi32(s0, taps, _mm512_load_si512(d));
      s1 = _mm512_dpbusd_epi32(s1, taps, _mm512_load_si512(d + 64));
      s2 = _mm512_dpbusd_epi32(s2, taps, _mm512_load_si512(d + 128));
    }
    const __m128i bytes = combine_digit_sums(s0, s1, s2);
    const size_t valid = out_row - 16 * b;
    if (valid >= 16) _mm_storeu_si128((__m128i *)(out + 16 * b), bytes);
    else _mm_mask_storeu_epi8(out + 16 * b, (__mmask16)((1u << valid) - 1), bytes);
  }
}

T_VNNI
static void horizontal_vbmi(const uint8_t *src, size_t in_width, size_t rows, size_t c, uint8_t *restrict dst,
                            const axis_plan *plan) {
  // Locals, so the stores to dst cannot make the compiler reload the plan.
  const size_t out_row = plan->out_size * c, in_row = in_width * c, groups = plan->groups, blocks = plan->blocks;
  const ptrdiff_t *restrict windows = plan->windows;
  const uint8_t *restrict indices = plan->indices;
  const int8_t *restrict digits = plan->digits;
  // Leading blocks of sixteen samples whose 128-byte window lies inside the row (windows never move left); the
  // rest go through the masked tail.
  size_t whole = 0;
  while (whole < blocks && windows[whole] + 128 <= (ptrdiff_t)in_row && 16 * (whole + 1) <= out_row) whole++;
  const __m512i zero = _mm512_setzero_si512();
  size_t y = 0;
  // Two rows at a time through the whole windows: the tables are loaded once for both, and the two rows' sums
  // are independent chains.
  for (; y + 2 <= rows; y += 2) {
    const uint8_t *line = src + y * in_row, *next = line + in_row;
    uint8_t *out = dst + y * out_row, *out_next = out + out_row;
    for (size_t b = 0; b < whole; b++) {
      const ptrdiff_t window = windows[b];
      const __m512i a0 = _mm512_loadu_si512(line + window), a1 = _mm512_loadu_si512(line + window + 64);
      const __m512i b0 = _mm512_loadu_si512(next + window), b1 = _mm512_loadu_si512(next + window + 64);
      __m512i s0 = zero, s1 = zero, s2 = zero, t0 = zero, t1 = zero, t2 = zero;
      for (size_t g = 0; g < groups; g++) {
        const size_t at = b * groups + g;
        const __m512i index = _mm512_load_si512(indices + 64 * at);
        const __m512i taps_a = _mm512_permutex2var_epi8(a0, index, a1);
        const __m512i taps_b = _mm512_permutex2var_epi8(b0, index, b1);
        const int8_t *d = digits + 3 * 64 * at;
        const __m512i d0 = _mm512_load_si512(d), d1 = _mm512_load_si512(d + 64), d2 = _mm512_load_si512(d + 128);
        s0 = _mm512_dpbusd_epi32(s0, taps_a, d0);
        s1 = _mm512_dpbusd_epi32(s1, taps_a, d1);
        s2 = _mm512_dpbusd_epi32(s2, taps_a, d2);
        t0 = _mm512_dpbusd_epi32(t0, taps_b, d0);
        t1 = _mm512_dpbusd_epi32(t1, taps_b, d1);
        t2 = _mm512_dpbusd_epi32(t2, taps_b, d2);
      }
      _mm_storeu_si128((__m128i *)(out + 16 * b), combine_digit_sums(s0, s1, s2));
      _mm_storeu_si128((__m128i *)(out_next + 16 * b), combine_digit_sums(t0, t1, t2));
    }
    horizontal_vbmi_tail(line, in_row, out, out_row, plan, whole);
    horizontal_vbmi_tail(next, in_row, out_next, out_row, plan, whole);
  }
  for (; y < rows; y++) {
    const uint8_t *line = src + y * in_row;
    horizontal_vbmi_tail(line, in_row, dst + y * out_row, out_row, plan, 0);
  }
}

#endif

int tessera_resize_bilinear(const uint8_t *src, size_t width, size_t height, size_t channels, uint8_t *dst,
                            size_t out_width, size_t out_height, int vector_level) {
  thread_cache *cache = this_thread_cache();
  if (!cache) return 0;
  const axis_plan *vertical = plan_for(cache, height, out_height, 0, NULL);
  if (!vertical) return 0;
  const axis_plan *horizontal = NULL;
  if (out_width != width) {
    horizontal = plan_for(cache, width, out_width, channels, vertical);
    if (!horizontal) return 0;
  }
  // Pillow first restricts the horizontal pass to the rows the vertical pass will read.
  const ptrdiff_t first_row = vertical->bounds[0];
  const ptrdiff_t last_row = vertical->bounds[2 * (out_height - 1)] + vertical->bounds[2 * (out_height - 1) + 1];
  const uint8_t *rows = src;
  ptrdiff_t row_shift = 0;
  const size_t row_length = out_width * channels;
  if (horizontal) {
    const size_t pass_rows = (size_t)(last_row - first_row);
    // Without a vertical pass the horizontal one writes the output (and then covers every row).
    uint8_t *target = dst;
    if (out_height != height) {
      const size_t need = pass_rows * row_length;
      if (need > cache->temporary_size) {
        free(cache->temporary);
        cache->temporary = malloc(need);
        cache->temporary_size = cache->temporary ? need : 0;
        if (!cache->temporary) return 0;
      }
      target = cache->temporary;
    }
    const uint8_t *first = src + (size_t)first_row * width * channels;
#if defined(__x86_64__)
    if (vector_level > 0 && horizontal->vector_ok && tessera_cpu_has(tessera_cpu_avx512 | tessera_cpu_avx512_vbmi | tessera_cpu_avx512_vnni)) {
      horizontal_vbmi(first, width, pass_rows, channels, target, horizontal);
    } else
#endif
      horizontal_scalar(first, width, pass_rows, channels, target, horizontal);
    if (out_height == height) return 1;
    rows = target;
    row_shift = first_row;
  }
#if defined(__x86_64__)
  if (vector_level > 0 && tessera_cpu_has(tessera_cpu_avx512)) {
    vertical_rows_avx512(rows, row_length, dst, out_height, vertical->bounds, row_shift, vertical->weights,
                         vertical->taps);
    return 1;
  }
#endif
  if (row_length > cache->sums_size) {
    free(cache->sums);
    cache->sums = malloc(row_length * sizeof(int32_t));
    cache->sums_size = cache->sums ? row_length : 0;
    if (!cache->sums) return 0;
  }
  vertical_rows(rows, row_length, dst, out_height, vertical->bounds, row_shift, vertical->weights, vertical->taps,
                cache->sums);
  return 1;
}
