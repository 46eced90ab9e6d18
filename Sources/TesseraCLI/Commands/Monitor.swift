import ArgumentParser
import Foundation
import TesseraStore

struct MonitorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "monitor",
    abstract: "Watch the dataset folder so status and add compare only what changed (git's fsmonitor).",
    discussion: """
      A background process per store watches every folder with inotify. status and add then stat only the files \
      it saw change instead of every file; whenever it cannot be sure (it was restarted, the kernel dropped \
      events, a folder cannot be watched) they compare everything, as without it. Once started, status, add and \
      commit start it again when it is not running (after a reboot), at most once a minute and only for the \
      store's owner, until 'tessera monitor stop'.

      What inotify cannot see, the monitor cannot either (inotify(7)): writes through a shared memory mapping \
      (mmap) of a dataset file, and changes made by another machine; network and FUSE filesystems are refused \
      for that reason. After writing files in such a way, 'tessera monitor stop' then 'tessera monitor start' \
      makes the next command compare everything.

      Examples:
        tessera monitor start
        tessera monitor status --json
        tessera monitor stop
      """,
    subcommands: [Start.self, Stop.self, Status.self, Run.self])

  struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", 
      abstract: "Start the monitor in the background, and keep it started.",
      discussion: "Example:\n  tessera monitor start")

    func run() throws {
      let store = try Store.open()
      store.monitorEnabled = true
      if let info = store.monitorInfo { return print("The monitor is already running (pid \(info.pid)).") }
      try store.launchMonitor(executable: selfExecutable(), arguments: ["monitor", "run"])
      let info = store.monitorInfo
      print("The monitor is running (pid \(info.map { String($0.pid) } ?? "?"), \(info?.watchedFolders ?? 0) folders watched).")
    }
  }

  struct Stop: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", 
      abstract: "Stop the monitor, and stop commands from starting it.",
      discussion: "Example:\n  tessera monitor stop")

    func run() throws {
      let store = try Store.open()
      store.monitorEnabled = false
      print(store.stopMonitor() ? "The monitor stopped." : "The monitor was not running.")
    }
  }

  struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", 
      abstract: "Show whether the monitor runs, and what it watches.",
      discussion: "Exits 0 when it runs and 1 when it does not.\nExample:\n  tessera monitor status --json")

    @Flag(help: "Print the state as JSON.") var json = false

    struct Report: Encodable {
      var running: Bool
      var enabled: Bool
      var monitor: MonitorInfo?
      /// When enabled but not running: the monitor's last logged line (why it stopped or could not start).
      var lastMessage: String?
    }

    func run() throws {
      let store = try Store.open()
      let info = store.monitorInfo
      if json {
        try printJSON(Report(running: info != nil, enabled: store.monitorEnabled, monitor: info,
                             lastMessage: info == nil && store.monitorEnabled ? store.monitorLastLogLine : nil))
      } else if let info {
        print("Running: pid \(info.pid), \(info.watchedFolders) folders watched, \(info.journalled) changes journalled")
        if let degraded = info.degraded { print("Degraded (commands compare everything): \(degraded)") }
      } else {
        print("Not running\(store.monitorEnabled ? " (enabled: status, add and commit start it, at most once a minute)" : "").")
        if store.monitorEnabled, let last = store.monitorLastLogLine { print("Its last message: \(last)") }
      }
      if info == nil { throw ExitCode(1) }
    }
  }

  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", 
      abstract: "Run the monitor in the foreground (what 'monitor start' runs in the background).",
      discussion: "Example:\n  tessera monitor run")

    func run() throws {
      // Only the root: an open store holds files inside the folder, which would hide its removal from inotify.
      let monitor = try FileMonitor(root: try Store.open().root)
      try monitor.run()
    }
  }
}

/// The running tessera binary, to start the monitor with.
func selfExecutable() -> String {
  (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

/// For status, add and commit: starts the monitor in the background when it is enabled and not running, so the
/// next command finds it (this one compares everything, as it would without it).
func restartMonitorIfEnabled(_ store: Store) {
  store.restartMonitorIfEnabled(executable: selfExecutable(), arguments: ["monitor", "run"])
}
