#include "CCodecShims.h"
#include <stdio.h>
#include <jpeglib.h>
#include <png.h>

int CCodecShims_jpeg_lib_version(void) { return JPEG_LIB_VERSION; }
const char *CCodecShims_png_lib_version(void) { return png_get_libpng_ver(NULL); }
