#if canImport(Glibc)
import Glibc
#endif

/// Phase timings on standard error when `TESSERA_TRACE_PERFORMANCE=1` (git's `GIT_TRACE_PERFORMANCE`):
/// where a slow command spends its time, without a profiler.
public struct PerformanceTrace {
  static let enabled: Bool = getenv("TESSERA_TRACE_PERFORMANCE").map { String(cString: $0) != "0" } ?? false
  private let name: String
  private var last: Int64

  init(_ name: String) {
    self.name = name
    last = Self.enabled ? Self.monotonicNs() : 0
    // The clock itself (CLOCK_MONOTONIC), so a harness that noted the time it started the process sees how long
    // the process took to get here.
    if Self.enabled { Self.point("\(name) begins") }
  }

  /// Prints the clock itself under `label`: a moment in a command's start, before its phases.
  public static func point(_ label: String) {
    guard enabled else { return }
    let line = "tracepoint \(label): \(monotonicNs())\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
  }

  /// Prints the time since the previous mark (or the start) under `phase`.
  mutating func mark(_ phase: String) {
    guard Self.enabled else { return }
    let now = Self.monotonicNs()
    let line = "trace: \(name) \(phase): \(Double(now - last) / 1e6) ms\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    last = now
  }

  static func monotonicNs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
  }
}
