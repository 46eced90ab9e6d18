import Foundation
import Testing
import TesseraTestSupport

let slurmExpected = ProcessInfo.processInfo.environment["CI"] != nil || SlurmCluster.unavailableReason == nil

/// Searches dispatched to a real single-node Slurm cluster on loopback (started by the test, torn down at exit).
/// CI installs Slurm and runs as root; elsewhere these run only where Slurm is installed and we are root.
@Suite(.serialized, .enabled(if: slurmExpected, "Slurm not available: \(SlurmCluster.unavailableReason ?? "")"))
struct SlurmDispatchTests {
  let fixture = DispatchCLITests()

  func environment(_ extra: [String: String] = [:]) throws -> [String: String] {
    try SlurmCluster.shared().environment.merging(extra) { $1 }
  }

  func squeueState(_ job: String) throws -> String {
    let cluster = try SlurmCluster.shared()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["squeue", "-h", "-r", "-t", "all", "-o", "%i %T", "-j", String(job.split(separator: "_")[0])]
    process.environment = cluster.mergedEnvironment()
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return text.split(separator: "\n").first { $0.hasPrefix(job + " ") }.map { String($0.split(separator: " ")[1]) } ?? ""
  }

  /// A random search of 4 trials on Slurm, two at a time, run in the background with one slow trial; its
  /// output goes to the returned log.
  func startController(in dir: URL, slowTrial: String) throws -> (Process, URL) {
    let process = Process()
    process.executableURL = tesseraExecutableURL()
    process.arguments = ["search", "--rev", "v1", "--space", "randaugment", "--algo", "random", "--budget", "4trials", "--epochs", "1",
                         "--batch-size", "32", "--threads", "1", "--skip-final", "--max-parallel", "2", "--executor", "slurm", "--out", "o"]
    process.currentDirectoryURL = dir
    process.environment = ProcessInfo.processInfo.environment.merging(try environment(["TESSERA_FAULT_SLOW_TRIAL": slowTrial])) { $1 }
    let log = dir.appendingPathComponent("controller.log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: log)
    process.standardError = FileHandle.nullDevice
    try process.run()
    return (process, log)
  }

  @Test func ashaOnSlurmRetriesAFailedTrialAndRecordsWhatLocalWorkersRecord() throws {
    let dir = try fixture.fixture.makeStore(trainPerClass: 24, testPerClass: 4)
    defer { dir.remove() }
    let common = ["search", "--rev", "v1", "--space", "randaugment", "--algo", "asha", "--budget", "6trials", "--epochs", "2",
                  "--batch-size", "32", "--threads", "1", "--skip-final", "--max-parallel", "2"]
    // The first attempt of one trial dies as on a failed node; Slurm records the job FAILED and it runs again.
    let slurm = try runTessera(common + ["--executor", "slurm", "--out", "s"], in: dir.url,
                               environment: try environment(["TESSERA_FAULT_KILL_TRIAL": "asha-c1-r0"]))
    let clusterLog = (try? SlurmCluster.shared().logTail()) ?? ""
    #expect(slurm.status == 0, "\(slurm.stdout)\(slurm.stderr)\n\(clusterLog)")
    #expect(slurm.stdout.contains("asha-c1-r0 attempt 1 failed") && slurm.stdout.contains("FAILED"))
    let slurmRows = try fixture.trials(dir.url, try #require(fixture.searchID(slurm.stdout)))
    #expect(slurmRows.allSatisfy { ($0["worker"] as? String)?.hasPrefix("slurm:") == true })
    #expect(slurmRows.first { $0["key"] as? String == "asha-c1-r0" }?["attempts"] as? Int == 2)

    let local = try runTessera(common + ["--out", "l"], in: dir.url)
    #expect(local.status == 0, "\(local.stderr)")
    let localRows = try fixture.trials(dir.url, try #require(fixture.searchID(local.stdout)))
    // The same trials with the same scores, in the same order; only timings and workers differ.
    #expect(localRows.map { $0["key"] as! String } == slurmRows.map { $0["key"] as! String })
    #expect(fixture.scores(localRows) == fixture.scores(slurmRows))
  }

  @Test func theBudgetsEndCancelsAStragglerWithScancel() throws {
    let dir = try fixture.fixture.makeStore(trainPerClass: 24, testPerClass: 4)
    defer { dir.remove() }
    let started = Date()
    // A 20-second budget of real time; one trial would take five minutes.
    let r = try runTessera(["search", "--rev", "v1", "--space", "randaugment", "--algo", "random", "--budget", "20s", "--epochs", "1",
                            "--batch-size", "32", "--threads", "1", "--skip-final", "--max-parallel", "2", "--result-order", "finish",
                            "--executor", "slurm", "--out", "o"], in: dir.url,
                           environment: try environment(["TESSERA_FAULT_SLOW_TRIAL": "random-1:300"]))
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(Date().timeIntervalSince(started) < 60)
    #expect(r.stdout.contains("budget spent: cancelled"))
    let rows = try fixture.trials(dir.url, try #require(fixture.searchID(r.stdout)))
    let straggler = try #require(rows.first { $0["key"] as? String == "random-1" })
    #expect(straggler["status"] as? String == "failed")
    #expect((straggler["failure"] as? String)?.contains("budget") == true)
    let job = try #require((straggler["worker"] as? String)?.dropFirst("slurm:".count))
    var state = ""
    for _ in 0..<40 {
      state = try squeueState(String(job))
      if state == "CANCELLED" { break }
      Thread.sleep(forTimeInterval: 0.25)
    }
    #expect(state == "CANCELLED")
  }

  @Test func aControllerKilledWithSigkillResumesAndAdoptsTheJobsThatKeptRunning() throws {
    let dir = try fixture.fixture.makeStore(trainPerClass: 24, testPerClass: 4)
    defer { dir.remove() }
    let (process, log) = try startController(in: dir.url, slowTrial: "random-1:12")
    // Wait until the straggler runs as a Slurm job and an earlier trial finished, then kill the controller.
    var id: String?
    let deadline = Date().addingTimeInterval(90)
    while Date() < deadline {
      Thread.sleep(forTimeInterval: 0.5)
      let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
      id = id ?? fixture.searchID(text)
      guard let id else { continue }
      let rows = (try? fixture.trials(dir.url, id)) ?? []
      if rows.contains(where: { $0["key"] as? String == "random-1" && ($0["worker"] as? String)?.hasPrefix("slurm:") == true })
        && rows.contains(where: { $0["status"] as? String == "finished" }) { break }
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    let searchID = try #require(id)
    let before = try fixture.trials(dir.url, searchID)
    let finishedBefore = before.filter { $0["status"] as? String == "finished" }.map { $0["key"] as! String }
    #expect(before.first { $0["key"] as? String == "random-1" }?["status"] as? String == "running")

    let resumed = try runTessera(["search", "--resume", searchID], in: dir.url, environment: try environment())
    #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
    #expect(resumed.stdout.contains("adopted random-1"))
    let after = try fixture.trials(dir.url, searchID)
    #expect(after.count == 4 && after.allSatisfy { $0["status"] as? String == "finished" })
    // The straggler was not submitted again, and nothing finished ran twice.
    #expect(after.first { $0["key"] as? String == "random-1" }?["attempts"] as? Int == 1)
    for key in finishedBefore {
      #expect(after.first { $0["key"] as? String == key }?["finishedAt"] as? String
              == before.first { $0["key"] as? String == key }?["finishedAt"] as? String)
    }
  }

  @Test func ctrlCCancelsTheRunningJobs() throws {
    let dir = try fixture.fixture.makeStore(trainPerClass: 24, testPerClass: 4)
    defer { dir.remove() }
    let (process, log) = try startController(in: dir.url, slowTrial: "random-0:300")
    var job: String?
    let deadline = Date().addingTimeInterval(60)
    while job == nil && Date() < deadline {
      Thread.sleep(forTimeInterval: 0.5)
      let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
      guard let id = fixture.searchID(text) else { continue }
      job = ((try? fixture.trials(dir.url, id)) ?? []).first { $0["key"] as? String == "random-0" }
        .flatMap { ($0["worker"] as? String).map { String($0.dropFirst("slurm:".count)) } }
    }
    let running = try #require(job)
    // Wait until it really runs (a cancelled pending array task vanishes from squeue instead of showing CANCELLED).
    for _ in 0..<40 where try squeueState(running) != "RUNNING" { Thread.sleep(forTimeInterval: 0.25) }
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    #expect(process.terminationStatus == 130)
    var state = ""
    for _ in 0..<20 {
      state = try squeueState(running)
      if state == "CANCELLED" { break }
      Thread.sleep(forTimeInterval: 0.5)
    }
    #expect(state == "CANCELLED")
  }
}
