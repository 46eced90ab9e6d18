import Foundation

/// Runs each trial as a Slurm job (`sbatch`; several submitted together become one job array) that executes
/// `tessera trial run SPEC --result RESULT` on a node. The controller learns that a trial ended from its result
/// file, or from `squeue` when the job ended without one (FAILED, TIMEOUT, CANCELLED, NODE_FAIL, ...).
final class SlurmExecutor: TrialExecutor, @unchecked Sendable {
  let maxParallel: Int
  let files: TrialFiles
  let partition: String?
  let extraArguments: [String]
  let jobName: String
  let pollInterval: Double

  private struct Job {
    var key: String
    var attempt: Int
    var jobID: String
    var submitted: Date
  }
  private var jobs: [String: Job] = [:]  // key → job in flight
  /// Ctrl-C cancels from another thread.
  private let lock = NSLock()
  /// Since when a job has been seen ended without its result (a shared filesystem may show it late).
  private var endedWithoutResult: [String: Date] = [:]

  init(maxParallel: Int, files: TrialFiles, partition: String?, extraArguments: [String], jobName: String,
       pollInterval: Double = 1) {
    self.maxParallel = max(1, maxParallel)
    self.files = files
    self.partition = partition
    self.extraArguments = extraArguments
    self.jobName = jobName
    self.pollInterval = pollInterval
  }

  func worker(of key: String) -> String? {
    lock.lock()
    defer { lock.unlock() }
    return jobs[key].map { "slurm:\($0.jobID)" }
  }

  func submit(_ specs: [(spec: TrialSpec, attempt: Int)]) throws {
    guard !specs.isEmpty else { return }
    for (spec, attempt) in specs {
      try files.write(spec, attempt: attempt)
      // A result left by an earlier controller's job for this attempt must not pass for the new job's.
      try? FileManager.default.removeItem(at: files.result(spec.key, attempt: attempt))
    }
    let tessera = TrialFiles.executable
    var script = "#!/bin/sh\n"
    let listName = "batch-\(UUID().uuidString.prefix(8)).list"
    let list = files.directory.appendingPathComponent(listName)
    if specs.count == 1 {
      let (spec, attempt) = specs[0]
      script += "exec \(quote(tessera)) trial run \(quote(files.spec(spec.key, attempt: attempt).path)) --result \(quote(files.result(spec.key, attempt: attempt).path))\n"
    } else {
      // One array job: task i runs line i+1 of the list (spec path, result path).
      let lines = specs.map { "\(files.spec($0.spec.key, attempt: $0.attempt).path)\t\(files.result($0.spec.key, attempt: $0.attempt).path)" }
      try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: list, options: .atomic)
      script += """
        line=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" \(quote(list.path)))
        spec=$(printf '%s' "$line" | cut -f1)
        result=$(printf '%s' "$line" | cut -f2)
        exec \(quote(tessera)) trial run "$spec" --result "$result"

        """
    }
    var arguments = ["--parsable", "--job-name", jobName, "--chdir", files.directory.path]
    if let partition { arguments += ["--partition", partition] }
    if specs.count > 1 {
      arguments += ["--array", "0-\(specs.count - 1)", "--output", files.directory.appendingPathComponent("\(listName)-%a.log").path]
    } else {
      arguments += ["--output", files.log(specs[0].spec.key, attempt: specs[0].attempt).path]
    }
    arguments += extraArguments
    let out = try Self.slurm("sbatch", arguments, input: script)
    guard let id = out.split(separator: ";").first.map({ String($0).trimmingCharacters(in: .whitespacesAndNewlines) }), !id.isEmpty else {
      throw SearchError.badInput("sbatch printed no job id: \(out)")
    }
    lock.lock()
    for (i, (spec, attempt)) in specs.enumerated() {
      jobs[spec.key] = Job(key: spec.key, attempt: attempt, jobID: specs.count > 1 ? "\(id)_\(i)" : id, submitted: Date())
    }
    lock.unlock()
  }

  func adopt(_ spec: TrialSpec, attempt: Int, worker: String) throws -> Bool {
    guard worker.hasPrefix("slurm:") else { return false }
    let id = String(worker.dropFirst(6))
    if files.readResult(spec.key, attempt: attempt) == nil {
      guard let known = try states([id]), let state = known[id], !Self.endStates.contains(state) else { return false }
    }
    lock.lock()
    jobs[spec.key] = Job(key: spec.key, attempt: attempt, jobID: id, submitted: Date())
    lock.unlock()
    return true
  }

  /// States in which a job has ended; anything else (PENDING, RUNNING, COMPLETING, SUSPENDED, REQUEUE_HOLD, ...)
  /// may still produce a result.
  static let endStates: Set<String> = ["COMPLETED", "FAILED", "TIMEOUT", "CANCELLED", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL",
                                       "DEADLINE", "PREEMPTED", "SPECIAL_EXIT", "REVOKED"]

  func waitForEnded(until deadline: Date?) throws -> [EndedTrial] {
    while true {
      lock.lock()
      let current = Array(jobs.values)
      lock.unlock()
      if current.isEmpty { return [] }
      if let deadline, Date() >= deadline { return [] }
      var ended: [EndedTrial] = []
      for job in current {
        if let result = files.readResult(job.key, attempt: job.attempt) {
          ended.append(EndedTrial(key: job.key, attempt: job.attempt, result: result, reason: nil))
        }
      }
      let pending = current.filter { job in !ended.contains { $0.key == job.key } }
      // A failed squeue (a busy controller) tells nothing: wait and ask again, never count jobs as ended.
      if !pending.isEmpty, let known = try states(pending.map(\.jobID)) {
        for job in pending {
          let state = known[job.jobID]
          let gone = state == nil && Date().timeIntervalSince(job.submitted) > 10
          guard gone || state.map(Self.endStates.contains) == true else { continue }
          // Ended without a result: allow a shared filesystem half a minute to show a result a node wrote.
          let since = endedWithoutResult[job.jobID] ?? Date()
          endedWithoutResult[job.jobID] = since
          if state == "COMPLETED" && Date().timeIntervalSince(since) < 30 { continue }
          ended.append(EndedTrial(key: job.key, attempt: job.attempt, result: nil,
                                  reason: "Slurm job \(job.jobID) ended \(state ?? "(gone from squeue)") without a result"))
        }
      }
      if !ended.isEmpty {
        lock.lock()
        for e in ended { jobs[e.key] = nil }
        lock.unlock()
        return ended
      }
      Thread.sleep(forTimeInterval: pollInterval)
    }
  }

  func cancelAll() {
    lock.lock()
    let ids = jobs.values.map(\.jobID)
    jobs = [:]
    lock.unlock()
    guard !ids.isEmpty else { return }
    _ = try? Self.slurm("scancel", ids)
  }

  /// Job states by id (`1234` or `1234_5`), from `squeue -t all`; ids squeue no longer knows are absent.
  /// Nil when squeue itself failed.
  private func states(_ ids: [String]) throws -> [String: String]? {
    let out: String
    do {
      out = try Self.slurm("squeue", ["-h", "-r", "-t", "all", "-o", "%i %T", "-j",
                                      Set(ids.map { String($0.split(separator: "_")[0]) }).sorted().joined(separator: ",")])
    } catch let error as SearchError {
      // squeue refuses ids it has forgotten (ended longer ago than MinJobAge): those are simply absent.
      return "\(error)".contains("Invalid job id") ? [:] : nil
    }
    var map: [String: String] = [:]
    for line in out.split(separator: "\n") {
      let parts = line.split(separator: " ")
      if parts.count >= 2 { map[String(parts[0])] = String(parts[1]) }
    }
    return map
  }

  private func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

  /// Runs a Slurm command and returns its output; a failure is one line naming the command and its message.
  static func slurm(_ command: String, _ arguments: [String], input: String? = nil, allowFailure: Bool = false) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [command] + arguments
    let out = Pipe(), err = Pipe(), inPipe = Pipe()
    process.standardOutput = out
    process.standardError = err
    if input != nil { process.standardInput = inPipe }
    do { try process.run() } catch {
      throw SearchError.badInput("\(command): cannot run (\(error)); is Slurm installed (slurm-client)?")
    }
    if let input {
      inPipe.fileHandleForWriting.write(Data(input.utf8))
      try? inPipe.fileHandleForWriting.close()
    }
    let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    if process.terminationStatus != 0 && !allowFailure {
      let message = errors.split(separator: "\n").first.map(String.init) ?? "exit \(process.terminationStatus)"
      throw SearchError.badInput("\(command) failed: \(message)")
    }
    return output
  }
}
