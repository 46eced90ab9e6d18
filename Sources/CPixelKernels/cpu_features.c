#include "cpu_features.h"

static int detect(void) {
  int found = 0;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) found |= tessera_cpu_avx2;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq")) {
    found |= tessera_cpu_avx512;
    if (__builtin_cpu_supports("avx512vbmi")) found |= tessera_cpu_avx512_vbmi;
    if (__builtin_cpu_supports("avx512vnni")) found |= tessera_cpu_avx512_vnni;
  }
#endif
  return found;
}

int tessera_cpu_has(int features) {
  // A benign race: every thread computes the same value.
  static int known = -1;
  if (known < 0) known = detect();
  return (known & features) == features;
}
