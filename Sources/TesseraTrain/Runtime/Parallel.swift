import Dispatch
import Foundation

/// Runs `body(task)` for `task` in `0..<tasks` on up to `threads` threads and returns when all
/// are done. Task `t` runs on worker `t % threads`; with one thread, in order on the caller.
///
/// One call per training step is the only synchronisation between shards: a coarse grain that
/// keeps running when another process takes a core for a while, where per-GEMM threading stalls.
func parallelFor(_ tasks: Int, threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
  let workers = min(max(threads, 1), tasks)
  if workers <= 1 {
    for t in 0..<tasks { body(t) }
    return
  }
  DispatchQueue.concurrentPerform(iterations: workers) { worker in
    for t in stride(from: worker, to: tasks, by: workers) { body(t) }
  }
}

/// Per-task results written by parallel workers, each task to its own slot.
final class TaskSlots<Value>: @unchecked Sendable {
  private var values: [Value]
  init(repeating value: Value, count: Int) { values = [Value](repeating: value, count: count) }
  subscript(index: Int) -> Value {
    get { values.withUnsafeBufferPointer { $0[index] } }
    set { values.withUnsafeMutableBufferPointer { $0[index] = newValue } }
  }
  var all: [Value] { values }
}

/// Cores this process may use. Foundation's count honours the affinity mask and cgroup CPU
/// quota on Linux, so `taskset` and container limits narrow it.
public func availableCores() -> Int {
  max(1, ProcessInfo.processInfo.activeProcessorCount)
}
