import Foundation

/// `body(0..<count)` on every core, results in index order. The first error thrown (by index) is rethrown
/// after all work has finished. Workers take `chunk` consecutive indices at a time: with paths sorted,
/// that keeps each core in its own folder (file creation takes a per-folder lock) and the counter cold.
///
/// The workers are plain threads joined at the end, not `concurrentPerform`: on Linux, libdispatch's idle
/// workers spun in `sched_yield` for a third of the CPU time of a short job such as a no-op `status`.
func parallelMap<T>(_ count: Int, chunk: Int = 1, _ body: @Sendable (Int) throws -> T) throws -> [T] {
  let results = UnsafeMutableBufferPointer<Result<T, any Error>?>.allocate(capacity: count)
  results.initialize(repeating: nil)
  defer {
    results.deinitialize()
    results.deallocate()
  }
  nonisolated(unsafe) let slots = results
  let next = Counter()
  let workers = max(1, min(availableCores, count))
  withoutActuallyEscaping(body) { body in
    // Safe to let `body` escape into the threads: every thread is joined before this closure returns.
    runOnThreads(workers) {
      while true {
        let start = next.increment() * chunk
        if start >= count { return }
        for i in start..<min(count, start + chunk) { slots[i] = Result { try body(i) } }
      }
    }
  }
  return try results.map { try $0!.get() }
}

/// The cores this process may use, read once: Foundation reads the cgroup's CPU quota and cpuset files each time
/// it is asked, and a commit asks once for each of its parallel steps.
let availableCores = ProcessInfo.processInfo.activeProcessorCount

/// Runs `work` on `threads` threads (this one and threads - 1 new ones) and returns when all have finished.
func runOnThreads(_ threads: Int, _ work: @escaping @Sendable () -> Void) {
  var started: [pthread_t] = []
  for _ in 1..<max(1, threads) {
    if let thread = startThread(work) { started.append(thread) }  // no thread: this one does the share
  }
  work()
  for thread in started { pthread_join(thread, nil) }
}

/// Starts `work` on a new thread, to be joined by the caller; nil when no thread could be made.
private func startThread(_ work: @escaping @Sendable () -> Void) -> pthread_t? {
  var thread = pthread_t()
  let job = Unmanaged.passRetained(ThreadJob(work)).toOpaque()
  let made = pthread_create(&thread, nil, { context in
    Unmanaged<ThreadJob>.fromOpaque(context!).takeRetainedValue().work()
    return nil
  }, job)
  guard made == 0 else {
    Unmanaged<ThreadJob>.fromOpaque(job).release()
    return nil
  }
  return thread
}

/// A thread's work, boxed for pthread_create (a C entry point cannot capture, nor name a generic type).
private final class ThreadJob: @unchecked Sendable {
  let work: @Sendable () -> Void
  init(_ work: @escaping @Sendable () -> Void) { self.work = work }
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

/// Starts `work` on a thread of its own and returns the function that waits for its result. Call that function
/// exactly once: it joins the thread.
func inBackground<T>(_ work: @escaping @Sendable () -> T) -> () -> T {
  let result = ResultSlot<T>()
  let job: @Sendable () -> Void = { result.value = work() }
  guard let thread = startThread(job) else {
    job()  // no thread to be had: do the work here, now
    return { result.value! }
  }
  return {
    pthread_join(thread, nil)
    return result.value!
  }
}

/// Where `inBackground`'s thread leaves its result; read only after the thread is joined.
private final class ResultSlot<T>: @unchecked Sendable {
  var value: T?
}
