import Foundation

/// A value computed once, by whoever needs it first — or, started early, on a thread of its own from the moment it
/// is created, so that slow set-up a command may need overlaps with the command's own start.
final class BackgroundValue<T>: @unchecked Sendable {
  private let lock = NSLock()
  private var work: (@Sendable () -> T)?
  private var waitForResult: (() -> T)?
  private var result: T?

  init(startingNow: Bool, _ work: @escaping @Sendable () -> T) {
    if startingNow { waitForResult = inBackground(work) } else { self.work = work }
  }

  /// Starts the work on a thread of its own now, unless it has already started.
  func start() {
    lock.lock()
    defer { lock.unlock() }
    if let work {
      waitForResult = inBackground(work)
      self.work = nil
    }
  }

  var value: T {
    lock.lock()
    defer { lock.unlock() }
    if let wait = waitForResult {
      result = wait()
      waitForResult = nil
    } else if let work {
      result = work()
      self.work = nil
    }
    return result!
  }

  deinit {
    _ = waitForResult?()  // joins the thread
  }
}
