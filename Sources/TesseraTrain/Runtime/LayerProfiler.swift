import Foundation

/// Accumulates time and GEMM work per layer for one thread.
///
/// Time is the thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), not wall time: on a machine shared
/// with other work, wall time measures the neighbours; CPU time measures the code.
public final class LayerProfiler {
  public struct Entry: Sendable, Codable, Equatable {
    public var layer: String
    public var forwardSeconds: Double = 0
    public var backwardSeconds: Double = 0
    public var forwardFLOPs: Double = 0
    public var backwardFLOPs: Double = 0
    public var calls = 0

    public var seconds: Double { forwardSeconds + backwardSeconds }
    public var flops: Double { forwardFLOPs + backwardFLOPs }
    /// GEMM work per CPU-second spent in the whole layer (im2col and bookkeeping included).
    public var gflopsPerCoreSecond: Double { seconds > 0 ? flops / seconds / 1e9 : 0 }
  }

  public private(set) var entries: [String: Entry] = [:]
  public private(set) var order: [String] = []

  public init() {}

  @inline(__always) public static func threadCPUTime() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }

  func record(_ layer: String, backward: Bool, seconds: Double, flops: Double) {
    if entries[layer] == nil {
      entries[layer] = Entry(layer: layer)
      order.append(layer)
    }
    if backward {
      entries[layer]!.backwardSeconds += seconds
      entries[layer]!.backwardFLOPs += flops
    } else {
      entries[layer]!.forwardSeconds += seconds
      entries[layer]!.forwardFLOPs += flops
      entries[layer]!.calls += 1
    }
  }

  /// Adds another thread's numbers into this one.
  public func merge(_ other: LayerProfiler) {
    for key in other.order {
      guard let e = other.entries[key] else { continue }
      if entries[key] == nil {
        entries[key] = Entry(layer: key)
        order.append(key)
      }
      entries[key]!.forwardSeconds += e.forwardSeconds
      entries[key]!.backwardSeconds += e.backwardSeconds
      entries[key]!.forwardFLOPs += e.forwardFLOPs
      entries[key]!.backwardFLOPs += e.backwardFLOPs
      entries[key]!.calls += e.calls
    }
  }

  public var report: [Entry] { order.compactMap { entries[$0] } }
}

/// CPU time of the whole process, all threads (`CLOCK_PROCESS_CPUTIME_ID`).
public func processCPUTime() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
