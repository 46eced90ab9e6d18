import CStoreShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How `status`, `add` and `commit` use the file-system monitor (``FileMonitor``) when one runs for the store.
///
/// A snapshot (`.tessera/monitor/snapshot`) records, for one exact index, a monitor token and the paths that
/// differed from that index when the token was issued. The monitor's answer for the token lists what changed
/// since; those paths and the snapshot's are the only ones compared. The token is always taken before the
/// comparison it vouches for, so a change made during a command shows up in the next answer.
extension Store {
  var monitorDirectory: String { meta + "/monitor" }
  var monitorSnapshotPath: String { monitorDirectory + "/snapshot" }

  /// What the monitor says about the folder against `index`: the token to record after comparing, and the paths
  /// that may differ (nil: compare everything). Nil when no monitor answers.
  struct MonitorView {
    var token: String
    var candidates: [String]?
  }

  func consultMonitor(_ index: StagingIndex) -> MonitorView? { consultMonitor(indexChecksum: index.checksum) }

  /// What the monitor reports since the snapshot of this index. With `indexFile` (the index was not read in full,
  /// only named by its summary), the snapshot must also have been taken of that very file.
  func consultMonitor(indexChecksum: [UInt8], indexFile: String? = nil) -> MonitorView? {
    guard !indexChecksum.isEmpty, !fileExists(sparsePath) else { return nil }
    let snapshot = MonitorSnapshot.load(monitorSnapshotPath).flatMap {
      $0.index == MonitorSnapshot.hex(indexChecksum) && (indexFile == nil || $0.indexFile == indexFile) ? $0 : nil
    }
    guard let answer = MonitorClient.query(root: root, since: snapshot?.token) else { return nil }
    switch answer {
    case let .full(token): return MonitorView(token: token, candidates: nil)
    case let .changes(paths, token):
      guard let snapshot else { return MonitorView(token: token, candidates: nil) }
      return MonitorView(token: token, candidates: snapshot.dirty + paths)
    }
  }

  /// Records that at `token` the folder matched the index with checksum `index`, except `dirty`. Too many
  /// differences, or a failure, leave no snapshot: the next command compares everything.
  func recordMonitorSnapshot(token: String, index: [UInt8], dirty: [String]) {
    guard dirty.count <= MonitorSnapshot.dirtyLimit, !index.isEmpty else {
      unlink(monitorSnapshotPath)
      return
    }
    do {
      try makeDirectories(monitorDirectory)
      // Read after the comparison: should another writer have replaced the index since, this names its file,
      // whose checksum then differs from `index` (or equals it, with the same entries), so nothing is vouched
      // for that was not compared.
      let file = MonitorSnapshot.identity(ofFile: indexPath)
      try MonitorSnapshot(token: token, index: MonitorSnapshot.hex(index), indexFile: file, dirty: dirty)
        .write(monitorSnapshotPath)
    } catch {
      unlink(monitorSnapshotPath)
    }
  }

  /// Whether a monitor serves this store.
  public var monitorInfo: MonitorInfo? { MonitorClient.info(root: root) }

  /// Asks the store's monitor to stop; false when none was running.
  @discardableResult
  public func stopMonitor() -> Bool { MonitorClient.stop(root: root) }

  /// Whether commands should start the monitor when it is not running (`tessera monitor start` turns this on,
  /// `tessera monitor stop` off).
  public var monitorEnabled: Bool {
    get { fileExists(monitorDirectory + "/enabled") }
    set {
      if newValue {
        try? makeDirectories(monitorDirectory)
        try? writeFileAtomically(monitorDirectory + "/enabled", [], sync: false)
      } else {
        unlink(monitorDirectory + "/enabled")
      }
    }
  }
}

extension Store {
  /// Starts `executable arguments...` (a program that runs ``FileMonitor/run()`` for this store, such as
  /// `tessera monitor run`) in its own session, its messages appended to `.tessera/monitor/log`. With `wait`,
  /// returns once the monitor answers, or throws with the last line it logged if it exits first.
  public func launchMonitor(executable: String, arguments: [String], wait: Bool = true, timeoutSeconds: Double = 30) throws {
    try makeDirectories(monitorDirectory)
    let logPath = monitorDirectory + "/log"
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    CStoreShims_spawn_close_from(&actions, 3)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // Its own session: a terminal's Ctrl-C or hang-up for the command that started it does not stop it.
    // Signals as a fresh process has them: the caller's runtime may block some, which the monitor would inherit
    // (and then ignore SIGTERM).
    var none = sigset_t(), all = sigset_t()
    sigemptyset(&none)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, CStoreShims_spawn_setsid_flag() | Int16(POSIX_SPAWN_SETSIGMASK) | Int16(POSIX_SPAWN_SETSIGDEF))
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid: pid_t = 0
    let logStart = (try? readFile(logPath).count) ?? 0
    let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
    guard spawned == 0 else { throw StoreError.fromErrno(spawned, "posix_spawn", executable) }
    guard wait else { return Self.reapWhenItExits(pid) }
    let deadline = Self.nowNs() + Int64(timeoutSeconds * 1e9)
    while Self.nowNs() < deadline {
      if monitorInfo != nil { return Self.reapWhenItExits(pid) }
      var status: Int32 = 0
      if waitpid(pid, &status, WNOHANG) == pid {
        let log = (try? readFile(logPath)) ?? []
        let lines = String(decoding: log.dropFirst(logStart), as: UTF8.self).split(separator: "\n")
        throw StoreError(.io, "the monitor did not start: \(lines.last.map(String.init) ?? "it exited with status \(status)")")
      }
      usleep(20_000)
    }
    throw StoreError(.io, "the monitor did not answer within \(Int(timeoutSeconds)) s; see \(logPath)")
  }

  /// A monitor outlives a command, but not always a long-running library user (a search controller): without
  /// a wait its exit would leave a zombie there until that process ends.
  private static func reapWhenItExits(_ pid: pid_t) {
    Thread.detachNewThread {
      var status: Int32 = 0
      while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }
  }

  /// How long commands wait before starting the monitor again after they last started it.
  public static let monitorRestartInterval: Double = 60

  /// For status, add and commit: when the monitor is enabled and not answering, starts it in the background (this
  /// command compares everything, as it would without it). Returns whether it started one. It does not when a
  /// command started one less than ``monitorRestartInterval`` ago: a monitor that cannot start (too few inotify
  /// watches) would otherwise be started, and fail, by every command. Nor when this user does not own the store:
  /// a `sudo tessera status` would leave a root-owned monitor that the owner's commands never trust.
  @discardableResult
  public func restartMonitorIfEnabled(executable: String, arguments: [String]) -> Bool {
    // A connection is enough to know it runs: asking for its `info` (JSON) cost every command 2-3 ms.
    guard monitorEnabled, !MonitorClient.isRunning(root: root) else { return false }
    var owner = stat()
    guard stat(meta, &owner) == 0, owner.st_uid == geteuid() else { return false }
    let marker = monitorDirectory + "/restarted"
    var last = stat()
    if stat(marker, &last) == 0, (0..<Self.monitorRestartInterval).contains(Self.secondsSinceModified(last)) { return false }
    guard (try? writeFileAtomically(marker, [], sync: false)) != nil else { return false }
    return (try? launchMonitor(executable: executable, arguments: arguments, wait: false)) != nil
  }

  /// The last line the monitor logged (why it stopped or could not start), if any.
  public var monitorLastLogLine: String? {
    guard let log = try? readFile(monitorDirectory + "/log") else { return nil }
    return String(decoding: log, as: UTF8.self).split(separator: "\n").last.map(String.init)
  }
}
