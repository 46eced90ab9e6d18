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

#endif
