// PNG through libpng's full (non-simplified) API.
//
// Why not the simplified png_image_* API: it colour-manages. It treats 16-bit samples as linear light and
// gamma-encodes them to sRGB when reducing to 8 bits, and it applies gAMA chunks to 8-bit data, so its
// pixels differ from what Pillow, torchvision and OpenCV return for the same file (and from what a
// model was trained on). The full API returns raw samples; its longjmp-based errors stay inside the
// functions below, which keep every allocation in a caller-owned state so nothing leaks on a jump.
#include "shim_result.h"
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct png_shim {
  CCodecShims_result *result;
  /// The libpng call in progress, named in error messages.
  const char *stage;
  // Reading: the input and how far libpng has consumed it.
  const uint8_t *data;
  size_t size;
  size_t offset;
  // The caller's output buffer; row pointers are allocated after setjmp and freed by the caller of the
  // setjmp function, never on the jump path.
  uint8_t *pixels;
  size_t capacity;
  png_bytep *rows;
  // Writing: a growing output buffer.
  uint8_t *out;
  size_t out_count;
  size_t out_capacity;
} png_shim;

static void png_shim_error(png_structp png, png_const_charp message) {
  png_shim *shim = png_get_error_ptr(png);
  shim_fail(shim->result, CCodecShims_library_error, shim->stage, "%s", message);
  png_longjmp(png, 1);
}

static void png_shim_warning(png_structp png, png_const_charp message) {
  png_shim *shim = png_get_error_ptr(png);
  shim_warn(shim->result, message);
}

static void png_shim_read(png_structp png, png_bytep out, size_t length) {
  png_shim *shim = png_get_io_ptr(png);
  if (length > shim->size - shim->offset) png_error(png, "unexpected end of data (file truncated)");
  memcpy(out, shim->data + shim->offset, length);
  shim->offset += length;
}

static void png_shim_write(png_structp png, png_bytep bytes, size_t length) {
  png_shim *shim = png_get_io_ptr(png);
  if (length > shim->out_capacity - shim->out_count) {
    size_t capacity = shim->out_capacity ? shim->out_capacity : 4096;
    while (length > capacity - shim->out_count) {
      if (capacity > SIZE_MAX / 2) png_error(png, "encoded PNG too large");
      capacity *= 2;
    }
    uint8_t *grown = realloc(shim->out, capacity);
    if (grown == NULL) png_error(png, "out of memory growing the output buffer");
    shim->out = grown;
    shim->out_capacity = capacity;
  }
  memcpy(shim->out + shim->out_count, bytes, length);
  shim->out_count += length;
}

static void png_shim_flush(png_structp png) { (void)png; }

// Chunks that cannot change the samples Tessera returns. Skipping them saves work and means hostile
// text or ICC payloads are never inflated.
static const png_byte ignored_chunks[] =
    "bKGD\0cHRM\0eXIf\0gAMA\0hIST\0iCCP\0iTXt\0oFFs\0pCAL\0pHYs\0sBIT\0sCAL\0sPLT\0sRGB\0tEXt\0tIME\0zTXt";
enum { ignored_chunk_count = 17 };

/// Everything between setjmp and the last libpng call. Returns a CCodecShims_status.
static int png_decode_body(png_shim *shim, png_structp png, png_infop info, uint64_t max_pixels) {
  if (setjmp(png_jmpbuf(png))) return shim->result->status ? shim->result->status : CCodecShims_library_error;

  png_set_read_fn(png, shim, png_shim_read);
  png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, ignored_chunks, ignored_chunk_count);
  png_set_chunk_malloc_max(png, 8u << 20);

  shim->stage = "png_read_info";
  png_read_info(png, info);
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0, interlace = 0;
  png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
  uint64_t pixel_count = (uint64_t)width * height;
  if (pixel_count > max_pixels) {
    return shim_fail(shim->result, CCodecShims_pixel_limit_exceeded, "CCodecShims_decode_png",
                     "%u x %u = %llu pixels exceeds the limit of %llu", (unsigned)width, (unsigned)height,
                     (unsigned long long)pixel_count, (unsigned long long)max_pixels);
  }

  // Palette -> RGB, grey below 8 bits -> 8 bits (scaled to 0...255), tRNS -> alpha channel.
  png_set_expand(png);
  // 16 -> 8 bits keeps the high byte, as Pillow's RGB;16B unpackers do (rounding would differ by <= 1).
  if (bit_depth == 16) png_set_strip_16(png);
  // Image has no 2-channel layout, so grey+alpha (including grey + tRNS) becomes RGBA.
  int has_alpha = (color_type & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS);
  if (!(color_type & PNG_COLOR_MASK_COLOR) && has_alpha) png_set_gray_to_rgb(png);
  int passes = png_set_interlace_handling(png);
  (void)passes;

  shim->stage = "png_read_update_info";
  png_read_update_info(png, info);
  int channels = png_get_channels(png, info);
  size_t row_bytes = png_get_rowbytes(png, info);
  if ((channels != 1 && channels != 3 && channels != 4) || row_bytes != (size_t)width * (size_t)channels) {
    return shim_fail(shim->result, CCodecShims_unsupported, "png_read_update_info",
                     "unexpected layout after expansion: %d channels, %zu bytes per row", channels, row_bytes);
  }

  shim->result->width = width;
  shim->result->height = height;
  shim->result->channels = channels;
  if (shim->pixels == NULL || shim->capacity < row_bytes * height) {
    return shim_fail(shim->result, CCodecShims_buffer_too_small, "CCodecShims_decode_png",
                     "needs a buffer of %zu bytes, %zu given", row_bytes * height, shim->capacity);
  }
  shim->rows = malloc(sizeof(png_bytep) * height);
  if (shim->rows == NULL) {
    return shim_fail(shim->result, CCodecShims_out_of_memory, "malloc", "cannot allocate %u row pointers",
                     (unsigned)height);
  }
  for (png_uint_32 y = 0; y < height; y++) shim->rows[y] = shim->pixels + (size_t)y * row_bytes;

  shim->stage = "png_read_image";
  png_read_image(png, shim->rows);
  // Reading to IEND verifies the last CRCs and catches a file cut after its image data.
  shim->stage = "png_read_end";
  png_read_end(png, NULL);
  return CCodecShims_ok;
}

int CCodecShims_decode_png(const uint8_t *data, size_t size, uint64_t max_pixels, uint8_t *pixels, size_t capacity,
                           CCodecShims_result *result) {
  shim_reset(result);
  // An empty file is bad data (truncated to nothing), not a caller error.
  if (size == 0) return shim_fail(result, CCodecShims_library_error, "CCodecShims_decode_png", "no data (0 bytes)");
  if (data == NULL) return shim_fail(result, CCodecShims_invalid_argument, "CCodecShims_decode_png", "data is NULL");
  png_shim shim = {.result = result, .stage = "png_create_read_struct", .data = data, .size = size,
                   .pixels = pixels, .capacity = capacity};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &shim, png_shim_error, png_shim_warning);
  if (png == NULL) return shim_fail(result, CCodecShims_out_of_memory, "png_create_read_struct", "cannot allocate");
  png_infop info = png_create_info_struct(png);
  if (info == NULL) {
    png_destroy_read_struct(&png, NULL, NULL);
    return shim_fail(result, CCodecShims_out_of_memory, "png_create_info_struct", "cannot allocate");
  }
  int status = png_decode_body(&shim, png, info, max_pixels);
  png_destroy_read_struct(&png, &info, NULL);
  free(shim.rows);
  result->status = status;
  if (status != CCodecShims_ok && status != CCodecShims_buffer_too_small) {
    result->width = result->height = 0;
    result->channels = 0;
  }
  return status;
}

static int png_encode_body(png_shim *shim, png_structp png, png_infop info, const uint8_t *pixels, uint32_t width,
                           uint32_t height, int channels, int level, int filter) {
  if (setjmp(png_jmpbuf(png))) return shim->result->status ? shim->result->status : CCodecShims_library_error;
  png_set_write_fn(png, shim, png_shim_write, png_shim_flush);
  int color_type = channels == 1 ? PNG_COLOR_TYPE_GRAY : channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA;
  shim->stage = "png_set_IHDR";
  png_set_IHDR(png, info, width, height, 8, color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, level);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, filter ? PNG_ALL_FILTERS : PNG_FILTER_NONE);
  shim->stage = "png_write_info";
  png_write_info(png, info);
  shim->stage = "png_write_row";
  size_t row_bytes = (size_t)width * (size_t)channels;
  for (uint32_t y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(pixels + (size_t)y * row_bytes));
  shim->stage = "png_write_end";
  png_write_end(png, NULL);
  return CCodecShims_ok;
}

int CCodecShims_encode_png(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int level,
                           int filter, CCodecShims_result *result) {
  shim_reset(result);
  if (pixels == NULL || width == 0 || height == 0)
    return shim_fail(result, CCodecShims_invalid_argument, "CCodecShims_encode_png", "PNG needs at least one pixel");
  if (channels != 1 && channels != 3 && channels != 4)
    return shim_fail(result, CCodecShims_invalid_argument, "CCodecShims_encode_png", "channels must be 1, 3 or 4, not %d", channels);
  if (level < 0 || level > 9)
    return shim_fail(result, CCodecShims_invalid_argument, "CCodecShims_encode_png", "zlib level must be 0...9, not %d", level);
  png_shim shim = {.result = result, .stage = "png_create_write_struct"};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &shim, png_shim_error, png_shim_warning);
  if (png == NULL) return shim_fail(result, CCodecShims_out_of_memory, "png_create_write_struct", "cannot allocate");
  png_infop info = png_create_info_struct(png);
  if (info == NULL) {
    png_destroy_write_struct(&png, NULL);
    return shim_fail(result, CCodecShims_out_of_memory, "png_create_info_struct", "cannot allocate");
  }
  int status = png_encode_body(&shim, png, info, pixels, width, height, channels, level, filter);
  png_destroy_write_struct(&png, &info);
  if (status != CCodecShims_ok) {
    free(shim.out);
    result->status = status;
    return status;
  }
  result->bytes = shim.out;
  result->byte_count = shim.out_count;
  return CCodecShims_ok;
}
