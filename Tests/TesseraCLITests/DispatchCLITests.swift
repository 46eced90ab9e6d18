import Foundation
import Testing
import TesseraTestSupport

/// Trials dispatched to workers: `tessera trial run`, several trials at once in their own processes, and
/// failed attempts retried then recorded.
@Suite(.serialized) struct DispatchCLITests {
  let fixture = SearchCLITests()

  func trials(_ dir: URL, _ id: String) throws -> [[String: Any]] {
    let r = try runTessera(["trials", "ls", id, "--json"], in: dir)
    return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
  }

  func searchID(_ stdout: String) -> String? {
    stdout.split(separator: "\n").first { $0.hasPrefix("search ") && $0.contains("started") }.map { String($0.split(separator: " ")[1]) }
  }

  func scores(_ rows: [[String: Any]]) -> [String: Double] {
    Dictionary(uniqueKeysWithValues: rows.compactMap { row in
      (row["key"] as? String).flatMap { k in (row["score"] as? Double).map { (k, $0) } }
    })
  }

  @Test func parallelWorkersRecordTheSameTrialsAsOneAtATime() throws {
    let dir = try fixture.makeStore(trainPerClass: 24, testPerClass: 4)
    defer { dir.remove() }
    let common = ["search", "--rev", "v1", "--space", "randaugment", "--algo", "random", "--budget", "4trials", "--epochs", "1",
                  "--batch-size", "32", "--threads", "1", "--skip-final"]
    let one = try runTessera(common + ["--out", "one"], in: dir.url)
    #expect(one.status == 0, "\(one.stderr)")
    let two = try runTessera(common + ["--max-parallel", "2", "--out", "two"], in: dir.url)
    #expect(two.status == 0, "\(two.stderr)")
    let a = try scores(trials(dir.url, try #require(searchID(one.stdout))))
    let bID = try #require(searchID(two.stdout))
    let b = try scores(trials(dir.url, bID))
    #expect(a.count == 4 && a == b)

    // Each worker ran `tessera trial run SPEC`; running a spec again gives the recorded score.
    let spec = dir.url.appendingPathComponent(".tessera/search/\(bID)/trials/random-2.a1.json")
    let again = try runTessera(["trial", "run", spec.path, "--result", "again.json"], in: dir.url)
    #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
    let result = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("again.json"))) as! [String: Any]
    #expect((result["outcome"] as? [String: Any])?["score"] as? Double == b["random-2"])
  }

  @Test func aFailedAttemptIsRetriedAndAHopelessTrialIsRecordedAsFailed() throws {
    let dir = try fixture.makeStore(trainPerClass: 24, testPerClass: 4)
    defer { dir.remove() }
    let common = ["search", "--rev", "v1", "--space", "randaugment", "--algo", "random", "--budget", "3trials", "--epochs", "1",
                  "--batch-size", "32", "--threads", "1", "--skip-final", "--max-parallel", "2"]
    let retried = try runTessera(common + ["--out", "a"], in: dir.url, environment: ["TESSERA_FAULT_KILL_TRIAL": "random-1"])
    #expect(retried.status == 0, "\(retried.stderr)")
    #expect(retried.stdout.contains("random-1 attempt 1 failed"))
    let rows = try trials(dir.url, try #require(searchID(retried.stdout)))
    let row = try #require(rows.first { $0["key"] as? String == "random-1" })
    #expect(row["status"] as? String == "finished" && row["attempts"] as? Int == 2)

    let hopeless = try runTessera(common + ["--max-attempts", "2", "--out", "b"], in: dir.url,
                                  environment: ["TESSERA_FAULT_KILL_TRIAL": "random-0:9"])
    #expect(hopeless.status == 0, "\(hopeless.stderr)")
    let rows2 = try trials(dir.url, try #require(searchID(hopeless.stdout)))
    let failed = try #require(rows2.first { $0["key"] as? String == "random-0" })
    #expect(failed["status"] as? String == "failed")
    #expect((failed["failure"] as? String)?.contains("2 attempt(s)") == true)
    #expect(rows2.filter { $0["status"] as? String == "finished" }.count >= 2)
  }

  @Test func ashaAndPopulationSearchRunWithSeveralWorkers() throws {
    let dir = try fixture.makeStore(trainPerClass: 24, testPerClass: 4)
    defer { dir.remove() }
    let common = ["search", "--rev", "v1", "--space", "randaugment", "--batch-size", "32", "--threads", "1", "--skip-final",
                  "--max-parallel", "2"]
    let asha = try runTessera(common + ["--algo", "asha", "--budget", "6trials", "--epochs", "2", "--out", "a"], in: dir.url)
    #expect(asha.status == 0, "\(asha.stderr)")
    let ashaRows = try trials(dir.url, try #require(searchID(asha.stdout)))
    #expect(ashaRows.count == 6 && ashaRows.contains { ($0["rung"] as? Int ?? 0) > 0 })
    let pbt = try runTessera(common + ["--algo", "pbt", "--budget", "100trials", "--epochs", "2", "--population", "4", "--out", "p"],
                             in: dir.url)
    #expect(pbt.status == 0, "\(pbt.stderr)")
    let pbtRows = try trials(dir.url, try #require(searchID(pbt.stdout)))
    #expect(pbtRows.count == 8 && pbtRows.allSatisfy { $0["status"] as? String == "finished" })
    #expect(pbtRows.filter { $0["rung"] as? Int == 1 }.allSatisfy { $0["parentKey"] != nil })
  }

  @Test func workersCanReadTheVersionThroughARemote() throws {
    let dir = try fixture.makeStore(trainPerClass: 24, testPerClass: 4)
    defer { dir.remove() }
    let common = ["search", "--rev", "v1", "--space", "randaugment", "--algo", "random", "--budget", "3trials", "--epochs", "1",
                  "--batch-size", "32", "--threads", "1", "--skip-final", "--max-parallel", "2"]
    let remote = dir.url.appendingPathComponent("nas").path
    #expect(try runTessera(["remote", "add", "nas", remote], in: dir.url).status == 0)
    let unpushed = try runTessera(common + ["--data-remote", "nas"], in: dir.url)
    #expect(unpushed.status != 0 && unpushed.stderr.contains("push it first"))
    #expect(try runTessera(["push", "nas", "--all"], in: dir.url).status == 0)

    let viaRemote = try runTessera(common + ["--data-remote", "nas", "--node-cache", "node-cache", "--out", "r"], in: dir.url)
    #expect(viaRemote.status == 0, "\(viaRemote.stderr)")
    let direct = try runTessera(common + ["--out", "d"], in: dir.url)
    #expect(direct.status == 0, "\(direct.stderr)")
    let a = try scores(trials(dir.url, try #require(searchID(viaRemote.stdout))))
    let b = try scores(trials(dir.url, try #require(searchID(direct.stdout))))
    #expect(a.count == 3 && a == b)
    // The workers' own copy: one store under the cache, holding the version's objects.
    let caches = try FileManager.default.contentsOfDirectory(atPath: dir.url.appendingPathComponent("node-cache").path)
    let store = try #require(caches.first { !$0.hasSuffix(".lock") })
    let verify = try runTessera(["verify"], in: dir.url.appendingPathComponent("node-cache/\(store)"))
    #expect(verify.status == 0 && verify.stdout.contains("ok"), "\(verify.stdout)")
  }
}
