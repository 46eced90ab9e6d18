import Foundation

/// Runs each trial as a `tessera trial run` process on this machine, `maxParallel` at a time: the local
/// executor when more than one trial should run at once (each process trains with its own threads).
final class ProcessExecutor: TrialExecutor, @unchecked Sendable {
  let maxParallel: Int
  let files: TrialFiles
  private let lock = NSCondition()
  private var ended: [EndedTrial] = []
  private var running: [String: Process] = [:]

  init(maxParallel: Int, files: TrialFiles) {
    self.maxParallel = max(1, maxParallel)
    self.files = files
  }

  func worker(of key: String) -> String? {
    lock.lock()
    defer { lock.unlock() }
    return running[key].map { "local:\($0.processIdentifier)" }
  }

  func submit(_ specs: [(spec: TrialSpec, attempt: Int)]) throws {
    for (spec, attempt) in specs {
      try files.write(spec, attempt: attempt)
      try? FileManager.default.removeItem(at: files.result(spec.key, attempt: attempt))
      let process = Process()
      process.executableURL = URL(fileURLWithPath: TrialFiles.executable)
      process.arguments = ["trial", "run", files.spec(spec.key, attempt: attempt).path,
                           "--result", files.result(spec.key, attempt: attempt).path]
      _ = FileManager.default.createFile(atPath: files.log(spec.key, attempt: attempt).path, contents: nil)
      let log = try FileHandle(forWritingTo: files.log(spec.key, attempt: attempt))
      process.standardOutput = log
      process.standardError = log
      process.terminationHandler = { [weak self] p in
        try? log.close()
        guard let self else { return }
        let result = self.files.readResult(spec.key, attempt: attempt)
        self.lock.lock()
        self.running[spec.key] = nil
        self.ended.append(EndedTrial(key: spec.key, attempt: attempt, result: result,
                                     reason: result == nil ? "process ended with status \(p.terminationStatus) without a result" : nil))
        self.lock.broadcast()
        self.lock.unlock()
      }
      lock.lock()
      running[spec.key] = process
      lock.unlock()
      try process.run()
    }
  }

  /// A worker process of a controller that died cannot be waited for: stop it, so the trial runs again alone.
  func adopt(_ spec: TrialSpec, attempt: Int, worker: String) throws -> Bool {
    guard worker.hasPrefix("local:"), let pid = Int32(worker.dropFirst(6)),
          let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
          String(decoding: cmdline, as: UTF8.self).contains(files.spec(spec.key, attempt: attempt).path) else { return false }
    kill(pid, SIGKILL)
    return false
  }

  func waitForEnded(until deadline: Date?) throws -> [EndedTrial] {
    lock.lock()
    defer { lock.unlock() }
    while ended.isEmpty && !running.isEmpty {
      if let deadline {
        if !lock.wait(until: deadline) { break }
      } else {
        lock.wait()
      }
    }
    let out = ended
    ended = []
    return out
  }

  func cancelAll() {
    lock.lock()
    let processes = Array(running.values)
    lock.unlock()
    for p in processes { p.terminate() }
  }
}
