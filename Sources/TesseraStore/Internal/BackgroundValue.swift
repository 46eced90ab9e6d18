import Foundation

/// A value computed on a thread of its own from the moment it is created, waited for by whoever needs it first
/// (and then kept). For slow set-up that a command may or may not need, started early so that it overlaps with
/// the command's own start.
final class BackgroundValue<T>: @unchecked Sendable {
  private let lock = NSLock()
  private var waitForResult: (() -> T)?
  private var result: T?

  init(_ work: @escaping @Sendable () -> T) { waitForResult = inBackground(work) }

  var value: T {
    lock.lock()
    defer { lock.unlock() }
    if let wait = waitForResult {
      result = wait()
      waitForResult = nil
    }
    return result!
  }

  deinit {
    _ = waitForResult?()  // joins the thread
  }
}
