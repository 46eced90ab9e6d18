// Private helpers shared by the codec shims (not part of the public header).
#pragma once
#include "CCodecShims.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static inline void shim_copy(char *destination, size_t capacity, const char *text) {
  if (capacity == 0) return;
  snprintf(destination, capacity, "%s", text ? text : "");
}

/// Records a failure in `result` and returns its status, so call sites read `return shim_fail(...)`.
static inline int shim_fail(CCodecShims_result *result, int status, const char *function, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static inline int shim_fail(CCodecShims_result *result, int status, const char *function, const char *format, ...) {
  result->status = status;
  shim_copy(result->function, sizeof result->function, function);
  va_list args;
  va_start(args, format);
  vsnprintf(result->message, sizeof result->message, format, args);
  va_end(args);
  return status;
}

static inline void shim_reset(CCodecShims_result *result) { memset(result, 0, sizeof *result); }

/// Records the first warning only: later ones are usually consequences of the first.
static inline void shim_warn(CCodecShims_result *result, const char *message) {
  if (result->warning[0] == 0) shim_copy(result->warning, sizeof result->warning, message);
}
