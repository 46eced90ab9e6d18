import Foundation
import Testing
import TesseraAugment
import TesseraTestSupport

/// The file-system monitor end to end: whatever happens to the folder, `status` and `add` with the monitor must
/// give exactly the answers they give without it. The reference is the same command in a copy of the folder
/// (another root, so no monitor serves it), which compares every file.
@Suite(.serialized) struct MonitorCLITests {
  func tessera(_ args: [String], _ dir: TemporaryDirectory, expect status: Int32 = 0) throws -> CommandResult {
    let r = try runTessera(args, in: dir.url)
    #expect(r.status == status, "tessera \(args.joined(separator: " ")): \(r.stderr)")
    return r
  }

  func json(_ text: String) throws -> NSDictionary {
    try JSONSerialization.jsonObject(with: Data(text.utf8)) as! NSDictionary
  }

  /// `status --json` without a monitor: in a fresh copy of the folder and its store.
  func referenceStatus(_ dir: TemporaryDirectory) throws -> NSDictionary {
    let copy = try TemporaryDirectory()
    defer { copy.remove() }
    let r = try runShell("cp -a '\(dir.path)/.' '\(copy.path)/' && rm -rf '\(copy.path)/.tessera/monitor'", in: copy.url)
    #expect(r.status == 0, "\(r.stderr)")
    return try json(try tessera(["status", "--json"], copy).stdout)
  }

  func monitorPID(_ dir: TemporaryDirectory) throws -> Int32? {
    let r = try runTessera(["monitor", "status", "--json"], in: dir.url)
    let state = try json(r.stdout)
    return ((state["monitor"] as? NSDictionary)?["pid"] as? Int).map(Int32.init)
  }

  /// The pid of the monitor once one answers, asking for up to 5 s (one started in the background); nil if none does.
  func waitForMonitor(_ dir: TemporaryDirectory) throws -> Int32? {
    for _ in 0..<100 {
      if let pid = try monitorPID(dir) { return pid }
      usleep(50_000)
    }
    return nil
  }

  /// How many events the kernel queues for one inotify instance before it drops them.
  func inotifyQueueLimit() -> Int {
    Int((try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))?
      .trimmingCharacters(in: .whitespacesAndNewlines) ?? "16384") ?? 16384
  }

  func dataset() throws -> TemporaryDirectory {
    let dir = try TemporaryDirectory()
    for c in 0..<3 { for i in 0..<8 { try dir.write(Array("file \(c) \(i)".utf8), to: "train/c\(c)/\(i).txt") } }
    try dir.write(Array("test".utf8), to: "test/c0/0.txt")
    _ = try tessera(["init"], dir)
    _ = try tessera(["add"], dir)
    _ = try tessera(["commit", "-m", "v1"], dir)
    return dir
  }

  /// `dataset()`, removed afterwards with its monitor stopped.
  func withMonitoredDataset(_ body: (TemporaryDirectory) throws -> Void) throws {
    let dir = try dataset()
    defer {
      _ = try? runTessera(["monitor", "stop"], in: dir.url)
      dir.remove()
    }
    try body(dir)
  }

  @Test func statusAndAddWithTheMonitorMatchAFullComparisonThroughRandomChanges() throws {
    try withMonitoredDataset { dir in
      #expect(try tessera(["monitor", "status"], dir, expect: 1).stdout.contains("Not running"))
      #expect(try tessera(["monitor", "start"], dir).stdout.contains("running"))
      #expect(try monitorPID(dir) != nil)
      var random = SplitMix64(seed: 20261203)
      func pick(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
      func files() throws -> [String] {
        let listing = try runShell("find . -path ./.tessera -prune -o -type f -print | sed 's|^./||' | sort", in: dir.url)
        return listing.stdout.split(separator: "\n").map(String.init)
      }
      let changes: [(String, (String) throws -> String)] = [
        ("rewrite", { f in "printf 'other %d' $RANDOM > '\(f)'" }),
        ("same size, same second", { f in "t=$(stat -c %y '\(f)'); printf 'X' | dd of='\(f)' bs=1 seek=0 conv=notrunc status=none; touch -d \"$t\" '\(f)'" }),
        ("touch", { f in "touch '\(f)'" }),
        ("delete", { f in "rm '\(f)'" }),
        ("new file", { f in "echo new > '\(f).new'" }),
        ("new nested folder", { _ in "d=train/n$RANDOM; mkdir -p $d/deep && echo a > $d/deep/a.txt && echo b > $d/b.txt" }),
        ("delete a folder", { f in "rm -rf \"$(dirname '\(f)')\"" }),
        ("rename a folder", { f in "mv \"$(dirname '\(f)')\" \"$(dirname '\(f)')-moved\"" }),
        ("file becomes folder", { f in "rm '\(f)' && mkdir '\(f)' && echo inner > '\(f)/inner.txt'" }),
        ("move a file", { f in "mv '\(f)' test/" }),
        ("chmod", { f in "chmod 600 '\(f)'" }),
        ("symlink", { f in "ln -s \"$(basename '\(f)')\" '\(f).link'" }),
      ]
      _ = try tessera(["status"], dir)  // the first status with the monitor compares everything and records the snapshot
      for round in 0..<14 {
        var applied: [String] = []
        for _ in 0..<(1 + pick(3)) {
          let all = try files()
          guard !all.isEmpty else { break }
          let (name, script) = changes[pick(changes.count)]
          let r = try runShell(try script(all[pick(all.count)]), in: dir.url)
          #expect(r.status == 0, "\(name): \(r.stderr)")
          applied.append(name)
        }
        let monitored = try json(try tessera(["status", "--json"], dir).stdout)
        let reference = try referenceStatus(dir)
        #expect(monitored == reference, "round \(round) (\(applied)): with the monitor \(monitored), without \(reference)")
        if round % 3 == 2 {
          _ = try tessera(["add"], dir)
          #expect(try json(try tessera(["status", "--json"], dir).stdout) == (try referenceStatus(dir)), "round \(round) after add")
          _ = try tessera(["commit", "-m", "round \(round)"], dir)
          let clean = try json(try tessera(["status", "--json"], dir).stdout)
          #expect((clean["untracked"] as! [String]).isEmpty && ((clean["unstaged"] as! NSDictionary)["modified"] as! [String]).isEmpty)
          _ = try tessera(["verify"], dir)
        }
      }
      // The monitor was consulted (not merely running): its snapshot names the current index.
      #expect(FileManager.default.fileExists(atPath: dir.path + "/.tessera/monitor/snapshot"))
    }
  }

  /// A monitor that dies again right after a command started it (one that cannot start, say, for want of inotify
  /// watches) is started again at most once a minute, not by every command.
  @Test func commandsRestartAFailingMonitorAtMostOnceAMinute() throws {
    try withMonitoredDataset { dir in
      _ = try tessera(["monitor", "start"], dir)
      kill(try #require(try monitorPID(dir)), SIGKILL)
      _ = try tessera(["status"], dir)  // starts it again
      let restarted = try waitForMonitor(dir)
      kill(try #require(restarted), SIGKILL)
      usleep(100_000)
      _ = try tessera(["status"], dir)
      usleep(500_000)
      #expect(try monitorPID(dir) == nil, "started less than a minute ago: not started again")
      let report = try json(try tessera(["monitor", "status", "--json"], dir, expect: 1).stdout)
      #expect(report["running"] as? Bool == false && report["enabled"] as? Bool == true)

      // A minute later it is.
      let marker = dir.path + "/.tessera/monitor/restarted"
      try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-120)], ofItemAtPath: marker)
      _ = try tessera(["status"], dir)
      let again = try waitForMonitor(dir)
      #expect(again != nil)
      _ = try tessera(["monitor", "stop"], dir)
    }
  }

  /// A command run by another user than the store's owner (`sudo tessera status`) never starts the monitor: it
  /// would run as that user, and the owner's commands would never trust it. Changing a folder's owner takes root.
  @Test(.enabled(if: geteuid() == 0)) func aCommandByAnotherUserThanTheOwnerNeverStartsTheMonitor() throws {
    try withMonitoredDataset { dir in
      _ = try tessera(["monitor", "start"], dir)
      kill(try #require(try monitorPID(dir)), SIGKILL)
      usleep(100_000)
      #expect(chown(dir.path + "/.tessera", 4242, 4242) == 0)
      _ = try tessera(["status"], dir)
      usleep(500_000)
      #expect(try monitorPID(dir) == nil, "not the owner: never started")
      #expect(chown(dir.path + "/.tessera", geteuid(), getegid()) == 0)
      _ = try tessera(["status"], dir)
      let started = try waitForMonitor(dir)
      #expect(started != nil, "the owner's command starts it")
    }
  }

  @Test func aMonitorThatDiedOrRestartedIsNeverTrusted() throws {
    try withMonitoredDataset { dir in
      _ = try tessera(["monitor", "start"], dir)
      _ = try tessera(["status"], dir)
      let pid = try #require(try monitorPID(dir))
      kill(pid, SIGKILL)
      // Changed while no monitor runs: the next status must compare everything and see it.
      try dir.write(Array("changed while unwatched".utf8), to: "train/c1/3.txt")
      let status = try json(try tessera(["status", "--json"], dir).stdout)
      #expect((status["unstaged"] as! NSDictionary)["modified"] as! [String] == ["train/c1/3.txt"])
      // Enabled, so that status started it again; a new monitor's tokens are not the old one's.
      let restarted = try waitForMonitor(dir)
      #expect(restarted != nil && restarted != pid)
      try dir.write(Array("changed again".utf8), to: "train/c2/4.txt")
      let again = try json(try tessera(["status", "--json"], dir).stdout)
      #expect((again["unstaged"] as! NSDictionary)["modified"] as! [String] == ["train/c1/3.txt", "train/c2/4.txt"])
      #expect(try tessera(["monitor", "stop"], dir).stdout.contains("stopped"))
      _ = try tessera(["status"], dir)
      #expect(try monitorPID(dir) == nil, "a stopped monitor is not started again")
    }
  }

  @Test func anOverflowedEventQueueMakesTheNextAnswerAFullComparison() throws {
    try withMonitoredDataset { dir in
      _ = try tessera(["monitor", "start"], dir)
      _ = try tessera(["status"], dir)
      let pid = try #require(try monitorPID(dir))
      // Stopped, the monitor reads no events: more than the kernel queues (fs.inotify.max_queued_events) are lost.
      kill(pid, SIGSTOP)
      let limit = inotifyQueueLimit()
      // In a watched folder (a new folder's files predate its watch, so they would make no events).
      let r = try runShell("for i in $(seq 1 \(limit + 100)); do : > train/c0/burst-$i; done", in: dir.url)
      #expect(r.status == 0)
      kill(pid, SIGCONT)
      let status = try json(try tessera(["status", "--json"], dir).stdout)
      #expect((status["untracked"] as! [String]).count == limit + 100)
      let log = try String(contentsOfFile: dir.path + "/.tessera/monitor/log", encoding: .utf8)
      #expect(log.contains("overflowed"))
    }
  }

  @Test func eventsLostToAnOverflowThatJournalNothingStillForceAFullComparison() throws {
    try withMonitoredDataset { dir in
      _ = try tessera(["monitor", "start"], dir)
      _ = try tessera(["status"], dir)
      let pid = try #require(try monitorPID(dir))
      kill(pid, SIGSTOP)
      // Touching a folder journals nothing; enough of it overflows the queue, and the edit after it is lost.
      let limit = inotifyQueueLimit()
      let r = try runShell("for i in $(seq 1 \(limit + 100)); do touch train/c0; done; echo edited >> train/c2/5.txt", in: dir.url)
      #expect(r.status == 0)
      kill(pid, SIGCONT)
      let status = try json(try tessera(["status", "--json"], dir).stdout)
      #expect((status["unstaged"] as! NSDictionary)["modified"] as! [String] == ["train/c2/5.txt"])
    }
  }

  @Test func hardLinkedFilesAreAlwaysComparedInFull() throws {
    try withMonitoredDataset { dir in
      // Two names for one inode: a write through one gives no event for the other.
      _ = try runShell("ln train/c0/1.txt train/c1/twin.txt", in: dir.url)
      _ = try tessera(["add"], dir)
      _ = try tessera(["commit", "-m", "twins"], dir)
      _ = try tessera(["monitor", "start"], dir)
      _ = try tessera(["status"], dir)
      _ = try tessera(["status"], dir)
      _ = try runShell("printf 'other bytes' > train/c0/1.txt", in: dir.url)
      let status = try json(try tessera(["status", "--json"], dir).stdout)
      #expect((status["unstaged"] as! NSDictionary)["modified"] as! [String] == ["train/c0/1.txt", "train/c1/twin.txt"])
    }
  }

  /// With the monitor, a no-op `status` names the index by its last 32 bytes without reading its entries. An
  /// index damaged in place since (same file, same checksum bytes) must still be read in full and refused.
  @Test func anIndexChangedInPlaceIsReadInFullDespiteTheMonitor() throws {
    try withMonitoredDataset { dir in
      _ = try tessera(["monitor", "start"], dir)
      _ = try tessera(["status"], dir)  // compares everything and records the snapshot
      #expect(try tessera(["status"], dir).stdout.contains("Nothing to commit"))
      // One bit of one entry flipped in place: the same file, its last 32 bytes untouched.
      let index = try FileHandle(forUpdating: URL(fileURLWithPath: dir.path + "/.tessera/index"))
      let middle = try index.seekToEnd() / 2
      try index.seek(toOffset: middle)
      let byte = try #require(try index.read(upToCount: 1)).first!
      try index.seek(toOffset: middle)
      try index.write(contentsOf: [byte ^ 0x01])
      try index.close()
      let broken = try tessera(["status"], dir, expect: 1)
      #expect(broken.stderr.contains("index:") && broken.stderr.contains("tessera checkout HEAD --force"), "\(broken.stderr)")
      _ = try tessera(["checkout", "HEAD", "--force"], dir)
      #expect(try tessera(["status"], dir).stdout.contains("Nothing to commit"))
    }
  }

  @Test func theMonitorStopsWhenItsFolderIsRemoved() throws {
    let dir = try dataset()
    _ = try tessera(["monitor", "start"], dir)
    let pid = try #require(try monitorPID(dir))
    dir.remove()
    // Gone, or a zombie nobody reaped (its parent, `monitor start`, exited long ago).
    func running() -> Bool {
      guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
      return !stat.contains(") Z ")
    }
    var alive = true
    for _ in 0..<100 where alive {
      alive = running()
      if alive { usleep(50_000) }
    }
    #expect(!alive)
  }
}
