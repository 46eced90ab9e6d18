import Testing
@testable import TesseraTrain

struct BLASRuntimeTests {
  let avx512: Set<String> = ["sse2", "avx2", "avx512f", "avx512bw", "avx512dq", "avx512vl"]

  @Test func restartsWhenOpenBLASRunsOlderKernelsOnAnAVX512CPU() {
    #expect(BLASRuntime.wouldBenefitFromRestart(environment: [:], cpuFlags: avx512, core: "Haswell"))
    // An inherited setting of older kernels is overridden: the fast path is the default.
    #expect(BLASRuntime.wouldBenefitFromRestart(environment: ["OPENBLAS_CORETYPE": "Haswell"], cpuFlags: avx512,
                                                core: "Haswell"))
    #expect(BLASRuntime.wouldBenefitFromRestart(environment: ["TESSERA_BLAS_REEXEC": "1"], cpuFlags: avx512,
                                                core: "Haswell"))
    // The opt-out keeps any setting, and a restarted process never restarts again.
    #expect(!BLASRuntime.wouldBenefitFromRestart(environment: ["TESSERA_BLAS_REEXEC": "0"], cpuFlags: avx512,
                                                 core: "Haswell"))
    #expect(!BLASRuntime.wouldBenefitFromRestart(
      environment: ["TESSERA_BLAS_REEXEC": "done", "OPENBLAS_CORETYPE": "SkylakeX"], cpuFlags: avx512, core: "Haswell"))
    // A setting naming AVX-512 kernels is kept as it is.
    #expect(!BLASRuntime.wouldBenefitFromRestart(environment: ["OPENBLAS_CORETYPE": "SkylakeX"], cpuFlags: avx512,
                                                 core: "SkylakeX"))
    // OpenBLAS already runs AVX-512 kernels, or the CPU lacks them.
    #expect(!BLASRuntime.wouldBenefitFromRestart(environment: [:], cpuFlags: avx512, core: "SkylakeX"))
    #expect(!BLASRuntime.wouldBenefitFromRestart(environment: [:], cpuFlags: avx512, core: "Cooperlake"))
    #expect(!BLASRuntime.wouldBenefitFromRestart(environment: [:], cpuFlags: ["avx2", "avx512f"], core: "Haswell"))
  }

  @Test func readsTheFlagsOfThisMachine() {
    // Every x86-64 Linux machine lists sse2; elsewhere the set is empty, never garbage.
    let flags = BLASRuntime.cpuinfoFlags()
    #if arch(x86_64) && os(Linux)
    #expect(flags.contains("sse2"))
    #endif
    #expect(!flags.contains(""))
  }

  @Test func sgemmPeakIsMeasured() {
    let peak = SGEMMPeak.measure(size: 128, threads: 1, seconds: 0.05)
    #expect(peak.gflopsPerCore > 0.1)
    #expect(!peak.core.isEmpty)
  }
}
