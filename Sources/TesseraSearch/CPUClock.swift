import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// CPU and wall clocks for the compute bill.
public enum CPUClock {
  /// User + system CPU-seconds of this process, all threads (`getrusage(RUSAGE_SELF)`).
  public static func processSeconds() -> Double {
    var usage = rusage()
    #if os(Linux)
    let status = getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    let status = getrusage(RUSAGE_SELF, &usage)
    #endif
    guard status == 0 else { return 0 }
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
  }

  /// CPU-seconds of the calling thread (`CLOCK_THREAD_CPUTIME_ID`): for costs measured on one thread
  /// while others may be busy.
  public static func threadSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }

  /// Seconds since an arbitrary fixed point (monotonic).
  public static func wallSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }
}
