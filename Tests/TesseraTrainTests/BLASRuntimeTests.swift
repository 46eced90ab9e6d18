import Testing
@testable import TesseraTrain

struct BLASRuntimeTests {
  let avx512: Set<String> = ["sse2", "avx2", "avx512f", "avx512bw", "avx512dq", "avx512vl"]

  @Test func asksForAVX512KernelsOnAnAVX512CPU() {
    #expect(BLASRuntime.coreTypeToRequest(environment: [:], cpuFlags: avx512) == "SkylakeX")
    // An inherited setting of older kernels is overridden: the fast path is the default.
    #expect(BLASRuntime.coreTypeToRequest(environment: ["OPENBLAS_CORETYPE": "Haswell"], cpuFlags: avx512) == "SkylakeX")
    #expect(BLASRuntime.coreTypeToRequest(environment: ["OPENBLAS_CORETYPE": "zen"], cpuFlags: avx512) == "SkylakeX")
    #expect(BLASRuntime.coreTypeToRequest(environment: ["TESSERA_BLAS_FAST_KERNELS": "1"], cpuFlags: avx512) == "SkylakeX")
    // The opt-out keeps any setting.
    #expect(BLASRuntime.coreTypeToRequest(environment: ["TESSERA_BLAS_FAST_KERNELS": "0"], cpuFlags: avx512) == nil)
    #expect(BLASRuntime.coreTypeToRequest(environment: ["TESSERA_BLAS_FAST_KERNELS": "0", "OPENBLAS_CORETYPE": "Haswell"],
                                          cpuFlags: avx512) == nil)
    // A setting naming AVX-512 kernels is kept as it is.
    #expect(BLASRuntime.coreTypeToRequest(environment: ["OPENBLAS_CORETYPE": "SkylakeX"], cpuFlags: avx512) == nil)
    #expect(BLASRuntime.coreTypeToRequest(environment: ["OPENBLAS_CORETYPE": "Cooperlake"], cpuFlags: avx512) == nil)
    // The CPU lacks them.
    #expect(BLASRuntime.coreTypeToRequest(environment: [:], cpuFlags: ["avx2", "avx512f"]) == nil)
    #expect(BLASRuntime.coreTypeToRequest(environment: ["OPENBLAS_CORETYPE": "Haswell"], cpuFlags: ["avx2"]) == nil)
  }

  @Test func readsTheFlagsOfThisMachine() {
    // Every x86-64 Linux machine lists sse2; elsewhere the set is empty, never garbage.
    let flags = BLASRuntime.cpuinfoFlags()
    #if arch(x86_64) && os(Linux)
    #expect(flags.contains("sse2"))
    #endif
    #expect(!flags.contains(""))
  }

  @Test func sgemmPeakIsMeasured() throws {
    let peak = try SGEMMPeak.measure(size: 128, threads: 1, seconds: 0.05)
    #expect(peak.gflopsPerCore > 0.1)
    #expect(!peak.core.isEmpty)
  }
}
