import Foundation
import Glibc

/// Why a Slurm test cluster could not be provided.
public struct SlurmClusterError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// A private single-node Slurm cluster (munged + slurmctld + slurmd) on loopback, so the Slurm
/// executor is tested against real `sbatch`/`squeue`/`scancel` instead of a mock.
///
/// All the work is done by `scripts/slurm-loopback.sh` (the one source of truth, also usable by
/// hand); this class only picks a directory, runs `start`/`stop` and stops the daemons at exit.
/// One cluster serves the whole test process: starting one costs ~3.5 s. The node has as many
/// CPUs as the machine and every job takes 1 CPU unless it asks for more, so jobs run in parallel.
/// Ended jobs stay visible to `squeue -t all` for 10 minutes (there is no accounting database).
///
/// Tests should skip when `SlurmCluster.unavailableReason` is non-nil (not root, or Slurm not
/// installed) and pass `environment` (merged into their own) to every Slurm command they run.
public final class SlurmCluster: @unchecked Sendable {
  /// Holds slurm.conf, the munge key and socket, state, logs and pid files; removed by `stop()`.
  public let directory: String
  /// What a client process needs on top of the inherited environment (`SLURM_CONF`), as printed
  /// by `slurm-loopback.sh env`. Jobs see it too, since `sbatch` exports the submitter's environment.
  public let environment: [String: String]
  /// Seconds `start` took (including a trivial job that had to complete).
  public let startSeconds: Double

  private let script: String
  private let lock = NSLock()
  private var stopped = false

  /// Nil when Slurm tests can run here; otherwise a one-line reason to skip them.
  public static var unavailableReason: String? {
    if getuid() != 0 {
      return "Slurm tests need root (the loopback cluster runs slurmctld/slurmd as SlurmUser=root)"
    }
    let missing = ["slurmctld", "slurmd", "munged", "sbatch"].filter { findExecutable($0) == nil }
    if !missing.isEmpty {
      return "Slurm is not installed (no \(missing.joined(separator: ", "))): "
        + "apt-get install slurmctld slurmd slurm-client munge"
    }
    if findScript() == nil {
      return "scripts/slurm-loopback.sh not found next to the Package.swift above \(#filePath)"
    }
    return nil
  }

  /// The process-wide cluster, started on first use. A failed start is remembered so that every
  /// later test fails at once with the same error instead of each paying the timeout again.
  public static func shared() throws -> SlurmCluster {
    try sharedInstance.get()
  }

  /// The current process environment with `environment` on top, for `Process.environment`.
  public func mergedEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    ProcessInfo.processInfo.environment.merging(environment) { $1 }.merging(extra) { $1 }
  }

  /// Cancels all jobs, stops the daemons (waiting until they are gone) and deletes `directory`.
  /// Later calls do nothing; `shared()` keeps returning this stopped cluster.
  public func stop() {
    lock.lock()
    defer { lock.unlock() }
    if stopped { return }
    stopped = true
    ExitCleanup.set("slurm", nil)
    stopAndRemove(script: script, directory: directory)
  }

  /// The last lines of the controller and node daemon logs, for error messages.
  public func logTail(lines: Int = 30) -> String {
    ["slurmctld", "slurmd"].map { name in
      let path = "\(directory)/log/\(name).log"
      return "--- \(path)\n" + tail(path, lines: lines)
    }.joined(separator: "\n")
  }

  private init(directory: String, environment: [String: String], startSeconds: Double, script: String) {
    self.directory = directory
    self.environment = environment
    self.startSeconds = startSeconds
    self.script = script
  }

  // MARK: - Starting

  fileprivate static func start() throws -> SlurmCluster {
    if let reason = unavailableReason { throw SlurmClusterError(reason) }
    guard let script = findScript() else { throw SlurmClusterError("scripts/slurm-loopback.sh not found") }
    removeLeftoversOfDeadRuns(script: script)
    let dir = NSTemporaryDirectory() + "\(dirPrefix)\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    // Registered before starting, so that daemons of a half-finished start are stopped at exit too.
    ExitCleanup.set("slurm") { stopAndRemove(script: script, directory: dir) }
    let began = Date()
    let status = runScript(script, "start", dir, stdout: "\(dir)/start.env", stderr: "\(dir)/start.log")
    let seconds = Date().timeIntervalSince(began)
    let log = tail("\(dir)/start.log", lines: 25)
    guard status == 0 else {
      ExitCleanup.set("slurm", nil)
      stopAndRemove(script: script, directory: dir)
      throw SlurmClusterError("slurm-loopback.sh start failed (status \(status)):\n\(log)")
    }
    var environment: [String: String] = [:]
    let printed = (try? String(contentsOfFile: "\(dir)/start.env", encoding: .utf8)) ?? ""
    for line in printed.split(separator: "\n") where line.hasPrefix("export ") {
      let assignment = line.dropFirst("export ".count)
      guard let eq = assignment.firstIndex(of: "=") else { continue }
      environment[String(assignment[..<eq])] = String(assignment[assignment.index(after: eq)...])
    }
    guard environment["SLURM_CONF"] != nil else {
      ExitCleanup.set("slurm", nil)
      stopAndRemove(script: script, directory: dir)
      throw SlurmClusterError("slurm-loopback.sh start printed no SLURM_CONF:\n\(printed)\n\(log)")
    }
    return SlurmCluster(directory: dir, environment: environment, startSeconds: seconds, script: script)
  }

  /// `scripts/slurm-loopback.sh` of the package this file belongs to: the first folder above
  /// this source file that holds Package.swift.
  private static func findScript() -> String? {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while dir.path != "/" && !dir.path.isEmpty {
      if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
        let script = dir.appendingPathComponent("scripts/slurm-loopback.sh").path
        return FileManager.default.fileExists(atPath: script) ? script : nil
      }
      dir = dir.deletingLastPathComponent()
    }
    return nil
  }

  private static func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    // Daemons live in sbin, which a non-login PATH may lack; the script adds these too.
    let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
    for dir in dirs where !dir.isEmpty {
      let candidate = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// A test process killed by a signal never runs its exit handler, which would leave the daemons
  /// running forever; the next run stops such orphans by their directory (the script kills them by
  /// their pid files).
  private static func removeLeftoversOfDeadRuns(script: String) {
    let tmp = NSTemporaryDirectory()
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: tmp) else { return }
    for name in names where name.hasPrefix(dirPrefix) {
      guard let owner = pid_t(name.dropFirst(dirPrefix.count).prefix { $0 != "-" }),
            owner != getpid(), !processIsRunning(owner) else { continue }
      stopAndRemove(script: script, directory: tmp + name)
    }
  }
}

// MARK: - Process-wide state

private let dirPrefix = "tessera-slurm-"
private let sharedInstance = OncePerProcess { try SlurmCluster.start() }

private func stopAndRemove(script: String, directory: String) {
  _ = runScript(script, "stop", directory, stdout: "/dev/null", stderr: "/dev/null")
  try? FileManager.default.removeItem(atPath: directory)
}

private func tail(_ path: String, lines: Int) -> String {
  guard let data = FileManager.default.contents(atPath: path) else { return "(no \(path))" }
  return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    .suffix(lines).joined(separator: "\n")
}

/// Runs `bash script args...` and waits for it, with stdin from /dev/null and stdout and stderr to
/// files; the script closes every other inherited descriptor before it starts a daemon.
/// posix_spawn + waitpid rather than Foundation's Process: the script leaves daemons behind, and
/// Process waits for EOF on a hidden descriptor that a daemon could inherit (hanging forever);
/// this also works inside the atexit handler.
/// Returns the exit status, or -1 when the script could not be run or was killed.
private func runScript(_ script: String, _ args: String..., stdout: String, stderr: String) -> Int32 {
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
  posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

  let argv: [UnsafeMutablePointer<CChar>?] = (["/bin/bash", script] + args).map { strdup($0) } + [nil]
  defer { argv.forEach { free($0) } }
  var pid: pid_t = 0
  let spawned = argv.withUnsafeBufferPointer { posix_spawn(&pid, "/bin/bash", &actions, nil, $0.baseAddress!, environ) }
  guard spawned == 0 else { return -1 }
  var status: Int32 = 0
  while waitpid(pid, &status, 0) < 0 {
    if errno != EINTR { return -1 }
  }
  // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
  return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
}
