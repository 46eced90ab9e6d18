import Foundation

/// Runs `body(0..<count)` on `width` threads that block on I/O (unlike `concurrentPerform`, which assumes CPU
/// work and stops at the core count). The first error stops new work and is rethrown once all threads are done.
func runConcurrently(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
  guard count > 0 else { return }
  final class State: @unchecked Sendable {
    let lock = NSLock()
    var next = 0
    var error: Error?
    func take() -> Int? {
      lock.lock()
      defer { lock.unlock() }
      guard error == nil, next < total else { return nil }
      next += 1
      return next - 1
    }
    func fail(_ e: Error) {
      lock.lock()
      if error == nil { error = e }
      lock.unlock()
    }
    let total: Int
    init(total: Int) { self.total = total }
  }
  let state = State(total: count)
  let group = DispatchGroup()
  for _ in 0..<min(width, count) {
    group.enter()
    Thread.detachNewThread {
      defer { group.leave() }
      while let i = state.take() {
        do { try body(i) } catch { state.fail(error) }
      }
    }
  }
  group.wait()
  if let error = state.error { throw error }
}

/// A value shared between worker threads, changed only under its lock.
final class Locked<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value
  init(_ value: Value) { self.value = value }

  @discardableResult
  func with<R>(_ body: (inout Value) -> R) -> R {
    lock.lock()
    defer { lock.unlock() }
    return body(&value)
  }

  var current: Value { with { $0 } }
}

/// A counter shared between worker threads.
final class SharedCount: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Int64 = 0
  @discardableResult
  func add(_ n: Int64) -> Int64 {
    lock.lock()
    defer { lock.unlock() }
    value += n
    return value
  }
  var current: Int64 { add(0) }
}

/// Fault injection for the crash tests: `TESSERA_FAULT_EXIT_AFTER=N` makes the process die, as `kill -9`
/// would (no clean-up, no flush), right after its N-th completed transfer request.
enum FaultInjection {
  static let limit: Int64? = ProcessInfo.processInfo.environment["TESSERA_FAULT_EXIT_AFTER"].flatMap { Int64($0) }
  static let done = SharedCount()

  static func transferCompleted() {
    guard let limit else { return }
    if done.add(1) >= limit { _exit(137) }
  }
}

/// `TESSERA_TRACE=1` prints how long each phase of a transfer took, on stderr (like `GIT_TRACE`).
final class PhaseTrace: @unchecked Sendable {
  private static let enabled = ProcessInfo.processInfo.environment["TESSERA_TRACE"] == "1"
  private var last = Date()

  func mark(_ phase: String) {
    guard Self.enabled else { return }
    let now = Date()
    FileHandle.standardError.write(Data(String(format: "trace: %@ %.3f s\n", phase, now.timeIntervalSince(last)).utf8))
    last = now
  }
}
