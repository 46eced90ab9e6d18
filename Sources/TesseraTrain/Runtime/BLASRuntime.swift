import Foundation

/// Choosing OpenBLAS's kernels and threads for this process.
///
/// OpenBLAS 0.3.21 does not recognise recent AVX-512 CPUs (AMD Zen 4/5) and falls back to its
/// AVX2 "Haswell" kernels, at half the sgemm speed of its "SkylakeX" kernels on the same
/// machine, with identical results. It reads `OPENBLAS_CORETYPE` once, while the library is
/// loaded — before any Swift code runs — so the only way to switch from inside is to restart
/// the process with the variable set.
public enum BLASRuntime {
  /// Kernels OpenBLAS chooses on CPUs it does not know; only these are replaced.
  static let fallbackCores: Set<String> = ["haswell", "zen", "sandybridge", "prescott", "core2", "nehalem"]
  /// What SkylakeX kernels need.
  static let requiredFlags = ["avx512f", "avx512bw", "avx512dq", "avx512vl"]
  /// Set to `0` to keep the kernels OpenBLAS loaded (e.g. to measure the AVX2 kernels on purpose).
  /// The restart itself sets it to `done`, so a restarted process never restarts again.
  public static let optOutVariable = "TESSERA_BLAS_REEXEC"
  static let restartedMarker = "done"

  /// Stops OpenBLAS's thread pool, which it starts when the library loads: its idle threads spin in
  /// `sched_yield` for about 2^28 cycles (~0.1 s) before they sleep, taking a core from a short command that
  /// does no BLAS work (a no-op `status` spent a third of its CPU time there). The pool starts again on the
  /// first threaded BLAS call. A no-op where OpenBLAS lacks the function (a serial build).
  public static func stopIdleThreads() {
    guard let symbol = dlsym(nil, "blas_thread_shutdown_") else { return }
    _ = unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)()
  }

  /// The kernel family OpenBLAS runs with, e.g. "Haswell" or "SkylakeX".
  public static var coreName: String { BLAS.coreName }
  /// OpenBLAS's build description (version, threading).
  public static var configuration: String { BLAS.configuration }

  /// Whether a restart with `OPENBLAS_CORETYPE=SkylakeX` would give faster kernels: the CPU has
  /// AVX-512 (F, BW, DQ, VL), OpenBLAS runs an older kernel, and the opt-out variable is not set.
  ///
  /// An inherited `OPENBLAS_CORETYPE` naming an older kernel (`Haswell` is common in shared
  /// environments and CI images, set once for machines without AVX-512) is overridden too: it
  /// halves training speed with identical results, and the user never asked for it in Tessera.
  /// A setting that names AVX-512 kernels is kept as it is, and `TESSERA_BLAS_REEXEC=0` keeps
  /// any setting.
  public static func wouldBenefitFromRestart(environment: [String: String] = ProcessInfo.processInfo.environment,
                                             cpuFlags: Set<String>? = nil, core: String? = nil) -> Bool {
    guard environment[optOutVariable] == nil || environment[optOutVariable] == "1" else { return false }
    guard fallbackCores.contains((core ?? BLAS.coreName).lowercased()) else { return false }
    let flags = cpuFlags ?? cpuinfoFlags()
    return requiredFlags.allSatisfy(flags.contains)
  }

  /// Restarts this process (same executable, arguments and pid) with `OPENBLAS_CORETYPE=SkylakeX`
  /// when `wouldBenefitFromRestart()`; otherwise, or if the restart fails, returns and the
  /// process carries on with the kernels it has. Call it first thing in `main`, before any
  /// output or threads.
  public static func restartWithFastKernelsIfBeneficial() {
    guard wouldBenefitFromRestart() else { return }
    let inheritedCoreType = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
    setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
    setenv(optOutVariable, restartedMarker, 1)
    let arguments = CommandLine.arguments
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
    argv.append(nil)
    execv("/proc/self/exe", &argv)
    // Only reached when exec failed (no /proc): carry on with the kernels already loaded; the
    // marker stays, so a child process does not try again. Children inherit the variable
    // either way, so they would load the kernels this process has.
    if let inherited = inheritedCoreType { setenv("OPENBLAS_CORETYPE", inherited, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
    for p in argv { free(p) }
  }

  /// The `flags` of the first processor in /proc/cpuinfo (empty where there is none).
  static func cpuinfoFlags() -> Set<String> {
    // Read with read(2) until EOF: /proc files report size 0, which size-first readers take literally.
    let fd = open("/proc/cpuinfo", O_RDONLY)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n <= 0 { break }
      bytes += chunk[0..<n]
      // The first processor's block is enough.
      if bytes.count > 1 << 16 { break }
    }
    let text = String(decoding: bytes, as: UTF8.self)
    for line in text.split(separator: "\n") where line.hasPrefix("flags") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
    return []
  }
}
