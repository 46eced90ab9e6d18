import Foundation

/// The batches of one epoch, delivered in order while loader threads build the next few.
///
/// Threads take batch numbers in turn and file finished batches by number; `next()` waits for
/// the one it needs, so delivery order never depends on which thread was faster. Loader
/// threads run at a lower priority than training threads: they fill the gaps the trainer
/// leaves instead of competing with it for cores (see docs/TRAINING.md).
public final class BatchStream: @unchecked Sendable {
  private let loader: DataLoader
  private let epoch: Int
  private let order: [Int]
  private let condition = NSCondition()
  private var nextToBuild: Int
  private var nextToDeliver: Int
  private var ready: [Int: Result<Batch, any Error>] = [:]
  private var cancelled = false
  private var running = 0

  init(loader: DataLoader, epoch: Int, start: Int) {
    self.loader = loader
    self.epoch = epoch
    order = loader.order(epoch: epoch)
    nextToBuild = start
    nextToDeliver = start
    for _ in 0..<loader.threads {
      running += 1
      let thread = Thread { [self] in work() }
      thread.name = "tessera-loader"
      thread.start()
    }
  }

  deinit {
    // Threads hold `self` strongly until they exit, so deinit runs only after they have.
  }

  public var batchCount: Int { loader.batchCount }

  /// The next batch, or nil after the last. Rethrows a failure from building it.
  public func next() throws -> Batch? {
    if loader.threads == 0 {
      guard nextToDeliver < loader.batchCount else { return nil }
      defer { nextToDeliver += 1 }
      return try loader.makeBatch(nextToDeliver, epoch: epoch, order: order)
    }
    condition.lock()
    defer { condition.unlock() }
    guard nextToDeliver < loader.batchCount else { return nil }
    while ready[nextToDeliver] == nil { condition.wait() }
    let result = ready.removeValue(forKey: nextToDeliver)!
    nextToDeliver += 1
    condition.broadcast()
    return try result.get()
  }

  /// Stops the loader threads after the batches they are building.
  public func cancel() {
    condition.lock()
    cancelled = true
    condition.broadcast()
    while running > 0 { condition.wait() }
    condition.unlock()
  }

  private func work() {
    lowerThreadPriority()
    while true {
      condition.lock()
      while !cancelled && nextToBuild < loader.batchCount && nextToBuild >= nextToDeliver + loader.prefetch {
        condition.wait()
      }
      if cancelled || nextToBuild >= loader.batchCount {
        running -= 1
        condition.broadcast()
        condition.unlock()
        return
      }
      let index = nextToBuild
      nextToBuild += 1
      condition.unlock()
      let result = Result { try loader.makeBatch(index, epoch: epoch, order: order) }
      condition.lock()
      ready[index] = result
      condition.broadcast()
      condition.unlock()
    }
  }
}

/// Raises this thread's nice value by 5 (Linux schedules threads individually), so loader work
/// yields to the training threads. Never lowers it, even when run as root.
func lowerThreadPriority() {
  #if os(Linux)
  // The thread id, from the /proc/thread-self link ("<pid>/task/<tid>"): gettid() needs
  // _GNU_SOURCE, which Swift's Glibc import does not define.
  var buffer = [CChar](repeating: 0, count: 64)
  let length = readlink("/proc/thread-self", &buffer, buffer.count - 1)
  guard length > 0 else { return }
  let link = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  guard let tidText = link.split(separator: "/").last, let tid = id_t(tidText) else { return }
  errno = 0
  let which = __priority_which_t(PRIO_PROCESS.rawValue)
  let current = getpriority(which, tid)
  if errno == 0 { _ = setpriority(which, tid, min(19, current + 5)) }
  #endif
}
