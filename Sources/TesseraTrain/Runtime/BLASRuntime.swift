import Foundation

/// Loading OpenBLAS and choosing its kernels for this process.
///
/// OpenBLAS 0.3.21 does not recognise recent AVX-512 CPUs (AMD Zen 4/5) and falls back to its
/// AVX2 "Haswell" kernels, at half the sgemm speed of its "SkylakeX" kernels on the same
/// machine, with identical results. It reads `OPENBLAS_CORETYPE` once, as the library is loaded;
/// Tessera loads it on first use (`dlopen`), so it sets the variable just before.
public enum BLASRuntime {
  /// Kernels OpenBLAS chooses on CPUs it does not know; an inherited setting naming one of these is replaced.
  static let fallbackCores: Set<String> = ["haswell", "zen", "sandybridge", "prescott", "core2", "nehalem"]
  /// What SkylakeX kernels need.
  static let requiredFlags = ["avx512f", "avx512bw", "avx512dq", "avx512vl"]
  /// Set to `0` to leave the choice of kernels to OpenBLAS and `OPENBLAS_CORETYPE` as inherited (e.g. to
  /// measure the AVX2 kernels on purpose).
  public static let optOutVariable = "TESSERA_BLAS_FAST_KERNELS"

  /// Loads OpenBLAS now, if it is not loaded yet; throws when it cannot be (the message names the file and
  /// why). Commands that train call this first thing, before any thread starts: loading may set
  /// `OPENBLAS_CORETYPE`, and the environment is not safe to change while other threads read it.
  public static func load() throws { _ = try BLAS.library() }

  /// The kernel family OpenBLAS runs with, e.g. "Haswell" or "SkylakeX" (loading it if need be).
  public static var coreName: String { BLAS.coreName }
  /// OpenBLAS's build description (version, threading).
  public static var configuration: String { BLAS.configuration }

  /// The `OPENBLAS_CORETYPE` to load OpenBLAS with, or nil to leave it as it is: "SkylakeX" where the CPU
  /// has AVX-512 (F, BW, DQ, VL), unless the opt-out variable is `0` or the environment already names kernels
  /// other than the fallbacks. (On the CPUs OpenBLAS does recognise as AVX-512 ones — SkylakeX, Cooperlake,
  /// SapphireRapids — its sgemm is these same SkylakeX kernels.)
  ///
  /// An inherited `OPENBLAS_CORETYPE` naming an older kernel (`Haswell` is common in shared
  /// environments and CI images, set once for machines without AVX-512) is overridden: it
  /// halves training speed with identical results, and the user never asked for it in Tessera.
  public static func coreTypeToRequest(environment: [String: String] = ProcessInfo.processInfo.environment,
                                       cpuFlags: Set<String>? = nil) -> String? {
    guard environment[optOutVariable] != "0" else { return nil }
    if let inherited = environment["OPENBLAS_CORETYPE"], !inherited.isEmpty,
       !fallbackCores.contains(inherited.lowercased()) { return nil }
    let flags = cpuFlags ?? cpuinfoFlags()
    return requiredFlags.allSatisfy(flags.contains) ? "SkylakeX" : nil
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
