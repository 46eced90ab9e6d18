// JPEG through libjpeg(-turbo). libjpeg reports fatal errors by calling error_exit, which must not
// return; here it copies the message and longjmps back into the one function that called setjmp, so
// the jump never crosses a Swift frame. emit_message and output_message are replaced too: warnings are
// recorded in the result instead of printed to stderr, and nothing ever calls exit().
#include "shim_result.h"
#include <jpeglib.h>
#include <jerror.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct jpeg_shim {
  struct jpeg_error_mgr error; // first member: libjpeg hands back &error as cinfo->err
  jmp_buf jump;
  CCodecShims_result *result;
  const char *stage;
  struct jpeg_progress_mgr progress;
  int max_scans;
  // The caller's output buffer, and a CMYK row buffer allocated after setjmp (freed by the caller of
  // the setjmp function).
  uint8_t *pixels;
  size_t capacity;
  uint8_t *scratch;
  // Encoding: destination manager writing into a growing malloc'd buffer.
  struct jpeg_destination_mgr destination;
  uint8_t *out;
  size_t out_capacity;
} jpeg_shim;

static void jpeg_shim_fail(j_common_ptr cinfo) {
  jpeg_shim *shim = (jpeg_shim *)cinfo->err;
  char message[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, message);
  shim_fail(shim->result, CCodecShims_library_error, shim->stage, "%s", message);
  longjmp(shim->jump, 1);
}

static void jpeg_shim_emit_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return; // trace messages
  // libjpeg pads a truncated file with a fake EOI and goes on, producing grey rows; a truncated file is
  // an error here, as it is in Pillow.
  if (cinfo->err->msg_code == JWRN_JPEG_EOF) jpeg_shim_fail(cinfo);
  jpeg_shim *shim = (jpeg_shim *)cinfo->err;
  char message[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, message);
  shim_warn(shim->result, message);
  cinfo->err->num_warnings++;
}

static void jpeg_shim_output_message(j_common_ptr cinfo) { (void)cinfo; }

// A progressive file can hold thousands of tiny scans, each making the decoder pass over the whole
// coefficient buffer: a small file that burns minutes of CPU. libjpeg-turbo's own tools bound it the same way.
static void jpeg_shim_progress(j_common_ptr cinfo) {
  jpeg_shim *shim = (jpeg_shim *)cinfo->err;
  if (!cinfo->is_decompressor || shim->max_scans <= 0) return;
  j_decompress_ptr d = (j_decompress_ptr)cinfo;
  if (d->input_scan_number > shim->max_scans) {
    shim_fail(shim->result, CCodecShims_library_error, shim->stage, "progressive JPEG has more than %d scans",
              shim->max_scans);
    longjmp(shim->jump, 1);
  }
}

static void jpeg_shim_init_errors(jpeg_shim *shim) {
  jpeg_std_error(&shim->error);
  shim->error.error_exit = jpeg_shim_fail;
  shim->error.emit_message = jpeg_shim_emit_message;
  shim->error.output_message = jpeg_shim_output_message;
}

/// Adobe CMYK (stored inverted) or plain CMYK to RGB with Pillow's formula, so results match
/// `Image.convert("RGB")`: r = (255 - k) - (c * (255 - k)) / 255, rounded as Pillow's MULDIV255.
static void cmyk_row_to_rgb(const uint8_t *in, uint8_t *out, uint32_t width, int inverted) {
  for (uint32_t x = 0; x < width; x++) {
    int c = in[0], m = in[1], y = in[2], k = in[3];
    if (inverted) {
      c = 255 - c;
      m = 255 - m;
      y = 255 - y;
      k = 255 - k;
    }
    int nk = 255 - k, t;
    t = c * nk + 128;
    out[0] = (uint8_t)(nk - (((t >> 8) + t) >> 8));
    t = m * nk + 128;
    out[1] = (uint8_t)(nk - (((t >> 8) + t) >> 8));
    t = y * nk + 128;
    out[2] = (uint8_t)(nk - (((t >> 8) + t) >> 8));
    in += 4;
    out += 3;
  }
}

static int jpeg_decode_body(jpeg_shim *shim, struct jpeg_decompress_struct *cinfo, const uint8_t *data, size_t size,
                            uint64_t max_pixels) {
  if (setjmp(shim->jump)) return shim->result->status ? shim->result->status : CCodecShims_library_error;
  jpeg_create_decompress(cinfo);
  shim->progress.progress_monitor = jpeg_shim_progress;
  cinfo->progress = &shim->progress;

  shim->stage = "jpeg_mem_src";
  jpeg_mem_src(cinfo, data, (unsigned long)size);
  shim->stage = "jpeg_read_header";
  jpeg_read_header(cinfo, TRUE);

  uint64_t pixel_count = (uint64_t)cinfo->image_width * cinfo->image_height;
  if (pixel_count > max_pixels) {
    return shim_fail(shim->result, CCodecShims_pixel_limit_exceeded, "CCodecShims_decode_jpeg",
                     "%u x %u = %llu pixels exceeds the limit of %llu", (unsigned)cinfo->image_width,
                     (unsigned)cinfo->image_height, (unsigned long long)pixel_count, (unsigned long long)max_pixels);
  }
  int cmyk = 0, channels = 0;
  switch (cinfo->jpeg_color_space) {
  case JCS_GRAYSCALE:
    cinfo->out_color_space = JCS_GRAYSCALE;
    channels = 1;
    break;
  case JCS_YCbCr:
  case JCS_RGB:
    cinfo->out_color_space = JCS_RGB;
    channels = 3;
    break;
  case JCS_CMYK:
  case JCS_YCCK:
    cinfo->out_color_space = JCS_CMYK;
    channels = 3;
    cmyk = 1;
    break;
  default:
    return shim_fail(shim->result, CCodecShims_unsupported, "jpeg_read_header",
                     "unsupported JPEG colour space %d with %d components", (int)cinfo->jpeg_color_space,
                     cinfo->num_components);
  }

  // The output size is known from the header (no scaling): check the buffer before the expensive start,
  // which for progressive files decodes every scan.
  uint32_t width = cinfo->image_width, height = cinfo->image_height;
  size_t row_bytes = (size_t)width * (size_t)channels;
  shim->result->width = width;
  shim->result->height = height;
  shim->result->channels = channels;
  if (shim->pixels == NULL || shim->capacity < row_bytes * height) {
    return shim_fail(shim->result, CCodecShims_buffer_too_small, "CCodecShims_decode_jpeg",
                     "needs a buffer of %zu bytes, %zu given", row_bytes * height, shim->capacity);
  }

  shim->stage = "jpeg_start_decompress";
  jpeg_start_decompress(cinfo);
  int components = cinfo->output_components;
  if (components != (cmyk ? 4 : channels) || cinfo->output_width != width || cinfo->output_height != height) {
    return shim_fail(shim->result, CCodecShims_unsupported, "jpeg_start_decompress",
                     "decoder produced %u x %u x %d, expected %u x %u x %d", (unsigned)cinfo->output_width,
                     (unsigned)cinfo->output_height, components, (unsigned)width, (unsigned)height, cmyk ? 4 : channels);
  }
  if (cmyk) {
    shim->scratch = malloc((size_t)width * 4 * 4);
    if (shim->scratch == NULL) {
      return shim_fail(shim->result, CCodecShims_out_of_memory, "malloc", "cannot allocate a CMYK row buffer");
    }
  }

  shim->stage = "jpeg_read_scanlines";
  while (cinfo->output_scanline < height) {
    // Up to four rows per call: fewer calls, and the upsampler can hand over rows it already has.
    JSAMPROW rows[4];
    uint32_t first = cinfo->output_scanline, count = height - first < 4 ? height - first : 4;
    for (uint32_t i = 0; i < count; i++) {
      rows[i] = cmyk ? shim->scratch + (size_t)i * width * 4 : shim->pixels + (size_t)(first + i) * row_bytes;
    }
    JDIMENSION got = jpeg_read_scanlines(cinfo, rows, count);
    if (got == 0) {
      return shim_fail(shim->result, CCodecShims_library_error, "jpeg_read_scanlines", "decoder returned no rows");
    }
    if (cmyk) {
      for (uint32_t i = 0; i < got; i++) {
        cmyk_row_to_rgb(rows[i], shim->pixels + (size_t)(first + i) * row_bytes, width, cinfo->saw_Adobe_marker);
      }
    }
  }
  // Reading to EOI catches a file cut after its last scanline.
  shim->stage = "jpeg_finish_decompress";
  jpeg_finish_decompress(cinfo);
  return CCodecShims_ok;
}

int CCodecShims_decode_jpeg(const uint8_t *data, size_t size, uint64_t max_pixels, int max_scans, uint8_t *pixels,
                            size_t capacity, CCodecShims_result *result) {
  shim_reset(result);
  // An empty file is bad data (truncated to nothing), not a caller error.
  if (size == 0) return shim_fail(result, CCodecShims_library_error, "CCodecShims_decode_jpeg", "no data (0 bytes)");
  if (data == NULL) return shim_fail(result, CCodecShims_invalid_argument, "CCodecShims_decode_jpeg", "data is NULL");
  jpeg_shim shim;
  memset(&shim, 0, sizeof shim);
  shim.result = result;
  shim.stage = "jpeg_create_decompress";
  shim.max_scans = max_scans;
  shim.pixels = pixels;
  shim.capacity = capacity;
  jpeg_shim_init_errors(&shim);
  struct jpeg_decompress_struct cinfo;
  memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = &shim.error;
  // The setjmp lives in the body function, so these locals are never "changed between setjmp and longjmp"
  // in the function that called setjmp (which would make their values indeterminate after the jump).
  int status = jpeg_decode_body(&shim, &cinfo, data, size, max_pixels);
  jpeg_destroy_decompress(&cinfo);
  free(shim.scratch);
  result->status = status;
  if (status != CCodecShims_ok && status != CCodecShims_buffer_too_small) {
    result->width = result->height = 0;
    result->channels = 0;
  }
  return status;
}

// Destination manager: one malloc'd buffer that doubles when full. (jpeg_mem_dest would do, but after it
// grows its buffer the caller's pointer is stale until term_destination runs, so an error mid-way leaves
// no safe way to free it.)
static void jpeg_shim_init_destination(j_compress_ptr cinfo) {
  jpeg_shim *shim = (jpeg_shim *)cinfo->err;
  shim->out_capacity = 16384;
  shim->out = malloc(shim->out_capacity);
  if (shim->out == NULL) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 1);
  shim->destination.next_output_byte = shim->out;
  shim->destination.free_in_buffer = shim->out_capacity;
}

static boolean jpeg_shim_empty_output_buffer(j_compress_ptr cinfo) {
  jpeg_shim *shim = (jpeg_shim *)cinfo->err;
  // libjpeg calls this only when the buffer is full, so all of it is in use.
  size_t used = shim->out_capacity;
  if (used > SIZE_MAX / 2) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 2);
  uint8_t *grown = realloc(shim->out, used * 2);
  if (grown == NULL) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 2);
  shim->out = grown;
  shim->out_capacity = used * 2;
  shim->destination.next_output_byte = grown + used;
  shim->destination.free_in_buffer = shim->out_capacity - used;
  return TRUE;
}

static void jpeg_shim_term_destination(j_compress_ptr cinfo) { (void)cinfo; }

static int jpeg_encode_body(jpeg_shim *shim, struct jpeg_compress_struct *cinfo, const uint8_t *pixels, uint32_t width,
                            uint32_t height, int channels, int quality) {
  if (setjmp(shim->jump)) return shim->result->status ? shim->result->status : CCodecShims_library_error;
  jpeg_create_compress(cinfo);
  shim->destination.init_destination = jpeg_shim_init_destination;
  shim->destination.empty_output_buffer = jpeg_shim_empty_output_buffer;
  shim->destination.term_destination = jpeg_shim_term_destination;
  cinfo->dest = &shim->destination;
  cinfo->image_width = width;
  cinfo->image_height = height;
  cinfo->input_components = channels;
  cinfo->in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  shim->stage = "jpeg_set_defaults";
  jpeg_set_defaults(cinfo);
  jpeg_set_quality(cinfo, quality, TRUE);
  shim->stage = "jpeg_start_compress";
  jpeg_start_compress(cinfo, TRUE);
  shim->stage = "jpeg_write_scanlines";
  size_t row_bytes = (size_t)width * (size_t)channels;
  while (cinfo->next_scanline < height) {
    JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo->next_scanline * row_bytes);
    jpeg_write_scanlines(cinfo, &row, 1);
  }
  shim->stage = "jpeg_finish_compress";
  jpeg_finish_compress(cinfo);
  return CCodecShims_ok;
}

int CCodecShims_encode_jpeg(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int quality,
                            CCodecShims_result *result) {
  shim_reset(result);
  if (pixels == NULL || width == 0 || height == 0)
    return shim_fail(result, CCodecShims_invalid_argument, "CCodecShims_encode_jpeg", "JPEG needs at least one pixel");
  if (width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION)
    return shim_fail(result, CCodecShims_invalid_argument, "CCodecShims_encode_jpeg",
                     "%u x %u is larger than JPEG's %ld x %ld", width, height, (long)JPEG_MAX_DIMENSION, (long)JPEG_MAX_DIMENSION);
  if (channels != 1 && channels != 3)
    return shim_fail(result, CCodecShims_invalid_argument, "CCodecShims_encode_jpeg",
                     "JPEG stores grey or RGB; %d channels given (drop alpha first)", channels);
  if (quality < 1 || quality > 100)
    return shim_fail(result, CCodecShims_invalid_argument, "CCodecShims_encode_jpeg", "quality must be 1...100, not %d", quality);
  jpeg_shim shim;
  memset(&shim, 0, sizeof shim);
  shim.result = result;
  shim.stage = "jpeg_create_compress";
  jpeg_shim_init_errors(&shim);
  struct jpeg_compress_struct cinfo;
  memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = &shim.error;
  int status = jpeg_encode_body(&shim, &cinfo, pixels, width, height, channels, quality);
  jpeg_destroy_compress(&cinfo);
  if (status != CCodecShims_ok) {
    free(shim.out);
    result->status = status;
    return status;
  }
  result->bytes = shim.out;
  result->byte_count = shim.out_capacity - shim.destination.free_in_buffer;
  return CCodecShims_ok;
}
