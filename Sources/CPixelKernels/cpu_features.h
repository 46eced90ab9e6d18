// Internal to CPixelKernels: which vector paths this CPU (and OS) can run, and the clone attribute for loops the
// compiler vectorises by itself.
#ifndef TESSERA_CPU_FEATURES_H
#define TESSERA_CPU_FEATURES_H

#if defined(__x86_64__)
#include <immintrin.h>
#define TESSERA_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TESSERA_CLONES
#endif

enum tessera_cpu_feature {
  tessera_cpu_avx2 = 1 << 0,
  tessera_cpu_avx512 = 1 << 1,       // F, BW, VL and DQ
  tessera_cpu_avx512_vbmi = 1 << 2,  // byte permutes
  tessera_cpu_avx512_vnni = 1 << 3,  // vpdpbusd
};

/// Whether the CPU has every feature in `features` (a mask of tessera_cpu_feature); checked once. Always 0 off
/// x86-64.
int tessera_cpu_has(int features);

#endif
