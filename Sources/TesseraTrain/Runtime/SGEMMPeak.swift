import Foundation

/// The sgemm throughput OpenBLAS reaches on this machine: the yardstick for the trainer's
/// convolution layers.
public struct SGEMMPeak: Sendable, Codable, Equatable {
  /// Square matrix size.
  public var size: Int
  /// Threads running single-threaded sgemm at the same time (as training shards do).
  public var threads: Int
  /// Per thread, by its CPU time: what one core sustains while its neighbours work too.
  public var gflopsPerCore: Double
  /// All threads together, by wall time.
  public var gflopsTotal: Double
  /// OpenBLAS's kernel family.
  public var core: String

  /// Runs `size³` sgemm on `threads` threads at once (each single-threaded, as in training) for
  /// about `seconds`, after one warm-up call. Throws when OpenBLAS cannot be loaded.
  public static func measure(size: Int = 1024, threads: Int = 1, seconds: Double = 1) throws -> SGEMMPeak {
    try BLAS.useCallerThreadOnly()
    let perThread = TaskSlots<(flops: Double, cpu: Double, wall: Double)>(repeating: (0, 0, 0), count: threads)
    parallelFor(threads, threads: threads) { t in
      let a = SharedFloats(count: size * size), b = SharedFloats(count: size * size), c = SharedFloats(count: size * size)
      for i in 0..<(size * size) {
        a.pointer[i] = Float((i * 7 + t) % 13) / 13
        b.pointer[i] = Float((i * 5 + 3) % 11) / 11
      }
      func run() {
        BLAS.gemm(transA: false, transB: false, m: size, n: size, k: size, a: a.pointer, lda: size,
                  b: b.pointer, ldb: size, beta: 0, c: c.pointer, ldc: size)
      }
      run()
      let t0 = LayerProfiler.threadCPUTime(), w0 = Date()
      var calls = 0
      repeat {
        run()
        calls += 1
      } while Date().timeIntervalSince(w0) < seconds
      perThread[t] = (2 * Double(size) * Double(size) * Double(size) * Double(calls), LayerProfiler.threadCPUTime() - t0,
                      Date().timeIntervalSince(w0))
    }
    let results = perThread.all
    let flops = results.reduce(0) { $0 + $1.flops }
    let cpu = results.reduce(0) { $0 + $1.cpu }
    let rate = results.reduce(0) { $0 + ($1.wall > 0 ? $1.flops / $1.wall : 0) }
    return SGEMMPeak(size: size, threads: threads, gflopsPerCore: cpu > 0 ? flops / cpu / 1e9 : 0,
                     gflopsTotal: rate / 1e9, core: BLAS.coreName)
  }
}
