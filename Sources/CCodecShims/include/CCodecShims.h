#pragma once
#include <stddef.h>
#include <stdint.h>

/// Versions of the codec libraries linked into this process, for `tessera --version`.
int CCodecShims_jpeg_lib_version(void);
const char *CCodecShims_png_lib_version(void);
