#ifndef TESSERA_PIXEL_KERNELS_H
#define TESSERA_PIXEL_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// dst[i] = table[src[i]] for n bytes (src and dst may be the same buffer). AVX-512 VBMI when the CPU has it.
void tessera_lut_u8(const uint8_t *src, uint8_t *dst, size_t n, const uint8_t table[256]);

/// Sum over pixels of Pillow's luma, (19595 R + 38470 G + 7471 B + 0x8000) >> 16; channels is 3 or 4.
uint64_t tessera_luma_sum(const uint8_t *src, size_t pixels, size_t channels);

/// ImageEnhance.Color: every colour sample blended with its pixel's luma in float32 as Pillow does,
/// trunc(clamp(l + alpha (v - l))); alpha (channel 4) copied. channels is 3 or 4.
void tessera_color_blend(const uint8_t *src, uint8_t *dst, size_t pixels, size_t channels, float alpha);

/// Mirrors each row of an interleaved image left to right. channels is 1, 3 or 4.
void tessera_flip_rows(const uint8_t *src, uint8_t *dst, size_t width, size_t height, size_t channels);

/// ImageEnhance.Sharpness for an image of at least 3×3: each interior sample blended (float32, as Pillow) with
/// its filter(SMOOTH) value, (2S + 13) / 26 with S the 3×3 sum weighted 1 and 5 in the centre; the one-pixel
/// border and the alpha channel (channels 4) copied. `row` is scratch space of width × channels bytes.
void tessera_sharpness(const uint8_t *src, uint8_t *dst, uint8_t *row, size_t width, size_t height, size_t channels,
                       float alpha);

/// Image.blend / ImageEnhance's blend of n samples: trunc(clamp(d + alpha (v - d))) in float32 as Pillow computes it
/// (no fused multiply-add), with d from `degenerate` and v from `image`.
void tessera_blend(const uint8_t *degenerate, const uint8_t *image, uint8_t *dst, size_t n, float alpha);

/// Pillow's AFFINE transform with the bilinear filter into an output of the input's size: each output centre
/// (x + 0.5, y + 0.5) maps to (a0 x + a1 y + a2, a3 x + a4 y + a5); points outside the input get `fill`
/// (channels bytes); others interpolate in double precision in Pillow's order and truncate. vector_level 0 runs
/// the scalar loop, 1 allows AVX2 (four pixels a step), 2 also AVX-512 (eight), where the CPU has them and channels
/// is 1, 3 or 4. Every path performs the same IEEE operations, so the bytes are the same.
void tessera_affine_bilinear(const uint8_t *src, uint8_t *dst, size_t width, size_t height, size_t channels,
                             const double coefficients[6], const uint8_t *fill, int vector_level);

/// One output row's in-image run of Pillow's fixed-point nearest affine transform: pixel k (k < count) copies the
/// source pixel at row (y + k·dy) >> 16, column (x + k·dx) >> 16, which the caller guarantees inside the image.
/// vector_level > 0 allows AVX-512 VBMI (sixteen pixels a step); the bytes are the same either way.
void tessera_affine_nearest_span(const uint8_t *src, size_t width, size_t height, size_t channels, uint8_t *dst,
                                 long x, long y, long dx, long dy, long count, int vector_level);


/// Image.resize((out_width, out_height), BILINEAR) for 8-bit samples (libImaging/Resample.c): the horizontal pass
/// over the rows the vertical pass reads, then the vertical pass, each clip8((2^21 + Σ k·in) >> 22) in int32.
/// vector_level 0 runs the scalar loops; otherwise AVX-512 (VBMI for the horizontal pass) where the CPU has it.
/// Integer sums are exact, so the bytes are the same either way. Coefficients are cached per thread. The caller
/// handles an unchanged size. Returns 0 (dst unwritten) only when memory runs out.
int tessera_resize_bilinear(const uint8_t *src, size_t width, size_t height, size_t channels, uint8_t *dst,
                            size_t out_width, size_t out_height, int vector_level);

#endif
