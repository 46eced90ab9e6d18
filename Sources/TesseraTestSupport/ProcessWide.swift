import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A value made once per test process, on first use: the servers the tests share (SeaweedFS, a Slurm cluster).
/// A failed start is remembered, so every later caller fails at once with the same error instead of paying
/// the start-up timeout again.
final class OncePerProcess<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var result: Result<Value, any Error>?
  private let make: () throws -> Value

  init(_ make: @escaping () throws -> Value) { self.make = make }

  func get() throws -> Value {
    lock.lock()
    defer { lock.unlock() }
    if result == nil { result = Result { try make() } }
    return try result!.get()
  }
}

/// Clean-ups run when the test process exits normally (stop the daemons, remove their folders). `atexit`
/// takes a C function, which cannot capture, so one handler runs whatever is registered by name.
enum ExitCleanup {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var actions: [String: () -> Void] = [:]
  nonisolated(unsafe) private static var installed = false

  /// Sets (or with nil, removes) the clean-up called `name`.
  static func set(_ name: String, _ action: (() -> Void)?) {
    lock.lock()
    defer { lock.unlock() }
    actions[name] = action
    if !installed {
      installed = true
      atexit { ExitCleanup.runAll() }
    }
  }

  private static func runAll() {
    lock.lock()
    let pending = actions
    actions = [:]
    lock.unlock()
    for (_, action) in pending.sorted(by: { $0.key < $1.key }) { action() }
  }
}

/// False for a zombie too: a killed process stays one until reaped, which can take a while when the reaper is
/// a container's init.
func processIsRunning(_ pid: pid_t) -> Bool {
  guard let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat") else { return false }
  let text = String(decoding: stat, as: UTF8.self)
  guard let paren = text.lastIndex(of: ")") else { return false }
  return text[paren...].dropFirst(2).first != "Z"
}
