import Foundation

/// `body(0..<count)` on every core, results in index order. The first error thrown (by index) is rethrown
/// after all work has finished. Workers take `chunk` consecutive indices at a time: with paths sorted,
/// that keeps each core in its own folder (file creation takes a per-folder lock) and the counter cold.
func parallelMap<T>(_ count: Int, chunk: Int = 1, _ body: @Sendable (Int) throws -> T) throws -> [T] {
  let results = UnsafeMutableBufferPointer<Result<T, any Error>?>.allocate(capacity: count)
  results.initialize(repeating: nil)
  defer {
    results.deinitialize()
    results.deallocate()
  }
  nonisolated(unsafe) let slots = results
  let next = Counter()
  DispatchQueue.concurrentPerform(iterations: max(1, min(ProcessInfo.processInfo.activeProcessorCount, count))) { _ in
    while true {
      let start = next.increment() * chunk
      if start >= count { return }
      for i in start..<min(count, start + chunk) { slots[i] = Result { try body(i) } }
    }
  }
  return try results.map { try $0!.get() }
}

/// A shared work counter for `concurrentPerform` workers.
final class Counter: @unchecked Sendable {
  private var value = 0
  private let lock = NSLock()

  func increment() -> Int {
    lock.lock()
    defer { lock.unlock() }
    value += 1
    return value - 1
  }
}
