import Foundation
import Testing
import TesseraImage
import TesseraStore
import TesseraTestSupport

/// `tessera search` and `tessera trials` end to end on the built binary, including a search
/// killed with SIGKILL and resumed.
@Suite(.serialized) struct SearchCLITests {
  /// A store of 8×8 grey PNGs in four classes (bars, diagonal, square on noise), tagged `v1`.
  func makeStore(trainPerClass: Int = 40, testPerClass: Int = 8) throws -> TemporaryDirectory {
    let dir = try TemporaryDirectory(prefix: "tessera-search-cli")
    var state: UInt64 = 0x1234_5678
    func next(_ bound: Int) -> Int {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Int((state >> 33) % UInt64(bound))
    }
    let classes = ["diagonal", "horizontal", "square", "vertical"]
    for (split, count) in [("train", trainPerClass), ("test", testPerClass)] {
      for (label, name) in classes.enumerated() {
        for i in 0..<count {
          var pixels = (0..<64).map { _ in UInt8(next(60)) }
          let p = 1 + next(6), q = next(6)
          for k in 0..<8 {
            switch label {
            case 0: pixels[k * 8 + (k + p) % 8] = 230
            case 1: pixels[p * 8 + k] = 230
            case 3: pixels[k * 8 + p] = 230
            default: if k < 4 { pixels[(q + k / 2) * 8 + p - 1 + k % 2] = 230 }
            }
          }
          try dir.write(try encodePNG(Image(width: 8, height: 8, channels: 1, pixels: pixels)),
                        to: "\(split)/\(name)/\(i).png")
        }
      }
    }
    let store = try Store.initialize(at: dir.path)
    try store.add([])
    _ = try store.commit(message: "fixture")
    try store.createTag("v1")
    return dir
  }

  func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

  @Test func searchWritesPolicyReportAndLedger() throws {
    let dir = try makeStore()
    defer { dir.remove() }
    let r = try runTessera(["search", "--rev", "v1", "--space", "randaugment", "--algo", "random", "--budget", "2trials",
                            "--epochs", "1", "--seeds", "2", "--batch-size", "32", "--pareto", "--out", "out"], in: dir.url)
    #expect(r.status == 0, "search: \(r.stderr)")
    for text in ["search ", "winner: ", "TrivialAugmentWide", "RandAugment(2, 9)", "AutoAugment CIFAR-10",
                 "no augmentation", "TrivialAugmentWide", "CPU-s", "W per busy core", "best-policy.json"] {
      #expect(r.stdout.contains(text), "stdout lacks '\(text)':\n\(r.stdout)")
    }
    for file in ["best-policy.json", "report.md", "report.json", "mval.png", "samples.png", "pareto.png"] {
      #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/\(file)").path), "\(file)")
    }
    let validate = try runTessera(["policy", "validate", "out/best-policy.json"], in: dir.url)
    #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")

    let ls = try runTessera(["trials", "ls", "--json"], in: dir.url)
    #expect(ls.status == 0, "\(ls.stderr)")
    let searches = try json(ls.stdout) as! [[String: Any]]
    #expect(searches.count == 1 && searches[0]["status"] as? String == "finished")
    let id = try #require(searches[0]["id"] as? String)
    let policy = try json(String(decoding: try Data(contentsOf: dir.url.appendingPathComponent("out/best-policy.json")), as: UTF8.self)) as! [String: Any]
    let provenance = try #require(policy["provenance"] as? [String: Any])
    #expect(provenance["searchId"] as? String == id && provenance["metric"] as? String == "accuracy")
    #expect((provenance["datasetVersion"] as? String)?.count == 40)

    let trials = try runTessera(["trials", "ls", id, "--json"], in: dir.url)
    let rows = try json(trials.stdout) as! [[String: Any]]
    #expect(rows.filter { $0["phase"] as? String == "search" }.count == 2)
    #expect(rows.filter { $0["phase"] as? String == "final" }.count == 10)
    for row in rows {
      for field in ["datasetVersion", "policy", "seed", "epochs", "trainImages", "metrics", "cpuSeconds", "score"] {
        #expect(row[field] != nil, "trial row lacks \(field)")
      }
    }
    let table = try runTessera(["trials", "ls", id], in: dir.url)
    #expect(table.status == 0 && table.stdout.contains("random-1"))
    let show = try runTessera(["trials", "show", id, "random-0"], in: dir.url)
    #expect(show.status == 0 && show.stdout.contains("CPU-s"), "\(show.stderr)")
    let showSearch = try runTessera(["trials", "show", id], in: dir.url)
    #expect(showSearch.stdout.contains("winner: "), "\(showSearch.stdout)")
  }

  @Test func badInputFailsWithOneLineNamingTheOption() throws {
    let dir = try makeStore(trainPerClass: 4, testPerClass: 2)
    defer { dir.remove() }
    let cases: [([String], String)] = [
      (["search", "--rev", "v1", "--space", "randaugment", "--algo", "random", "--budget", "soon"], "--budget"),
      (["search", "--space", "randaugment", "--algo", "random", "--budget", "1trials"], "--rev"),
      (["search", "--rev", "v1", "--space", "everything", "--algo", "random", "--budget", "1trials"], "space"),
      (["search", "--rev", "v1", "--space", "mix", "--algo", "random", "--budget", "1trials", "--metric", "speed"], "--metric"),
      (["search", "--rev", "nosuch", "--space", "mix", "--algo", "random", "--budget", "1trials"], "--rev"),
      (["search", "--resume", "deadbeef"], "deadbeef"),
    ]
    for (args, needle) in cases {
      let r = try runTessera(args, in: dir.url)
      #expect(r.status != 0, "\(args) succeeded")
      #expect(r.stderr.contains(needle), "\(args): \(r.stderr)")
    }
  }

  /// Start a search, SIGKILL it after some trials finished, resume it: finished trials keep their
  /// rows (same finish time and score: not redone) and the search ends with its report.
  @Test(.timeLimit(.minutes(5))) func killNineThenResumeRedoesNoFinishedTrial() throws {
    let dir = try makeStore()
    defer { dir.remove() }
    let process = try startTessera(["search", "--rev", "v1", "--space", "autoaugment", "--algo", "random",
                                    "--budget", "12trials", "--epochs", "2", "--seeds", "2", "--batch-size", "32",
                                    "--out", "out"], in: dir.url)
    var id: String?
    var finished: [[String: Any]] = []
    let deadline = Date().addingTimeInterval(120)
    while process.isRunning && Date() < deadline {
      usleep(150_000)
      guard let ls = try? runTessera(["trials", "ls", "--json"], in: dir.url), ls.status == 0,
            let searches = try? json(ls.stdout) as? [[String: Any]], let first = searches.first,
            let sid = first["id"] as? String else { continue }
      id = sid
      guard let t = try? runTessera(["trials", "ls", sid, "--json"], in: dir.url),
            let rows = try? json(t.stdout) as? [[String: Any]] else { continue }
      finished = rows.filter { $0["status"] as? String == "finished" }
      if finished.count >= 3 { break }
    }
    #expect(process.isRunning, "the search ended before it could be killed")
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    #expect(process.terminationReason == .uncaughtSignal)
    let searchId = try #require(id)
    // What the ledger holds right after the kill.
    let atKill = try json(try runTessera(["trials", "ls", searchId, "--json"], in: dir.url).stdout) as! [[String: Any]]
    let done = atKill.filter { $0["status"] as? String == "finished" }
    #expect(done.count >= 3 && done.count < 22)
    #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/report.json").path))

    let resumed = try runTessera(["search", "--resume", searchId, "--out", "out"], in: dir.url)
    #expect(resumed.status == 0, "resume: \(resumed.stderr)")
    #expect(resumed.stdout.contains("reused \(done.count) finished trials"), "\(resumed.stdout)")
    let after = try json(try runTessera(["trials", "ls", searchId, "--json"], in: dir.url).stdout) as! [[String: Any]]
    for row in done {
      let key = row["key"] as! String
      let same = after.first { $0["key"] as? String == key }
      #expect(same?["finishedAt"] as? String == row["finishedAt"] as? String, "\(key) was redone")
      #expect(same?["score"] as? Double == row["score"] as? Double)
    }
    #expect(after.filter { $0["phase"] as? String == "search" }.count == 12)
    #expect(after.filter { $0["phase"] as? String == "final" }.count == 10)
    #expect(after.allSatisfy { $0["status"] as? String == "finished" })
    #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/report.json").path))
    #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/best-policy.json").path))
  }
}
