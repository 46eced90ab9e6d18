#pragma once
#include <stddef.h>
#include <stdint.h>

/// Versions of the codec libraries linked into this process, for `tessera --version`.
int CCodecShims_jpeg_lib_version(void);
const char *CCodecShims_png_lib_version(void);

// Every libpng / libjpeg call that can fail runs inside one of the functions below. They install the
// library's setjmp/longjmp error handling themselves, so no Swift frame is ever jumped over, and they
// report failure as a status plus the failing library function and the library's own message.

/// What a codec call ended with.
typedef enum CCodecShims_status {
  CCodecShims_ok = 0,
  /// The library rejected the data (corrupt, truncated, unsupported feature); see `message`.
  CCodecShims_library_error = 1,
  /// width * height exceeds the caller's pixel limit; checked before any pixel memory is allocated.
  CCodecShims_pixel_limit_exceeded = 2,
  /// Valid data in a layout Tessera does not decode (e.g. a JPEG colour space other than grey, YCbCr, RGB, CMYK).
  CCodecShims_unsupported = 3,
  CCodecShims_out_of_memory = 4,
  /// Bad arguments from the caller (no data, channels not 1/3/4, quality out of range).
  CCodecShims_invalid_argument = 5,
  /// Decoding: the caller's pixel buffer is NULL or smaller than width * height * channels. Those three
  /// fields are set (the header was read and passed the pixel limit); call again with a large enough buffer.
  CCodecShims_buffer_too_small = 6,
} CCodecShims_status;

/// Filled in by every codec call. `bytes` (encoders) is malloc'd and owned by the caller (free with
/// `CCodecShims_free`) when status is ok, and NULL otherwise. Decoders write into the caller's buffer.
typedef struct CCodecShims_result {
  int status;
  /// The library function that failed ("png_read_image", "jpeg_read_header", ...), or "" on success.
  char function[48];
  /// The library's message (or the shim's, for limits and arguments), NUL-terminated.
  char message[240];
  /// The first warning the library emitted, kept so it never reaches stderr; "" if none.
  char warning[240];
  /// The decoded image's shape (also set with CCodecShims_buffer_too_small).
  uint32_t width;
  uint32_t height;
  int channels;
  /// Encoded file bytes.
  uint8_t *bytes;
  size_t byte_count;
} CCodecShims_result;

/// Decodes a PNG of any colour type, bit depth and interlace into 8-bit grey (1), RGB (3) or RGBA (4):
/// palettes expand, tRNS becomes an alpha channel, grey+alpha becomes RGBA, 16-bit samples keep their
/// high byte, gamma and colour chunks are ignored (raw samples). Fails when width * height > max_pixels.
/// Writes height * width * channels bytes (rows top to bottom, channels interleaved) into `pixels`, or
/// returns CCodecShims_buffer_too_small with the shape set when `capacity` is short.
int CCodecShims_decode_png(const uint8_t *data, size_t size, uint64_t max_pixels, uint8_t *pixels, size_t capacity,
                           CCodecShims_result *result);

/// Decodes a baseline or progressive 8-bit JPEG into grey (1 channel) or RGB (3); Adobe CMYK and YCCK are
/// converted to RGB. A premature end of data is an error, not a grey-filled image; other warnings are
/// kept in `warning`. `max_scans` bounds progressive scans (a known CPU-exhaustion shape); 0 = no bound.
/// Output and CCodecShims_buffer_too_small as for CCodecShims_decode_png; all libjpeg work for one
/// image, from jpeg_create_decompress to jpeg_destroy_decompress, happens inside this one call.
int CCodecShims_decode_jpeg(const uint8_t *data, size_t size, uint64_t max_pixels, int max_scans, uint8_t *pixels,
                            size_t capacity, CCodecShims_result *result);

/// Encodes 8-bit grey / RGB / RGBA pixels as a non-interlaced PNG. level: zlib level 0...9;
/// filter: 0 = none on every row (fastest), 1 = libpng's adaptive choice over all five filters.
int CCodecShims_encode_png(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int level,
                           int filter, CCodecShims_result *result);

/// Encodes 8-bit grey or RGB pixels as a baseline JPEG of the given quality (1...100), 4:2:0 for RGB.
int CCodecShims_encode_jpeg(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int quality,
                            CCodecShims_result *result);

/// Frees `bytes` of a result.
void CCodecShims_free(void *pointer);
