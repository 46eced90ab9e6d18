import Foundation
import Testing
import TesseraTestSupport

/// `kill -9` of the real binary at many instants of add, commit, checkout and gc must leave the previous or the
/// next version intact and `tessera verify` clean.
@Suite(.serialized) struct CrashTests {
  func headInfo(_ dir: TemporaryDirectory) throws -> (id: String, parents: [String]) {
    let r = try runTessera(["log", "-n", "1", "--json"], in: dir.url)
    #expect(r.status == 0, "log: \(r.stderr)")
    let list = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
    return (list[0]["id"] as! String, list[0]["parents"] as! [String])
  }

  func expectVerifyClean(_ dir: TemporaryDirectory, after what: String) throws {
    let v = try runTessera(["verify"], in: dir.url)
    #expect(v.status == 0, "verify after killing \(what): \(v.stdout)\(v.stderr)")
  }

  func killAfter(_ args: [String], _ dir: TemporaryDirectory, microseconds: UInt32) throws {
    let p = try startTessera(args, in: dir.url)
    usleep(microseconds)
    if p.isRunning { kill(p.processIdentifier, SIGKILL) }
    p.waitUntilExit()
  }

  func mutate(_ dir: TemporaryDirectory, round: Int) throws {
    for i in stride(from: round % 7, to: 1200, by: 7) {
      try dir.write(Array("round \(round) file \(i)".utf8) + [UInt8](repeating: UInt8(round), count: 512), to: "train/c\(i % 10)/\(i).bin")
    }
    for i in 0..<60 { try dir.write(Array("new \(round)-\(i)".utf8), to: "train/new\(round)/\(i).bin") }
  }

  @Test(.timeLimit(.minutes(10))) func killNineAtManyInstants() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    for i in 0..<1200 { try dir.write(Array("file \(i)".utf8) + [UInt8](repeating: 7, count: 512), to: "train/c\(i % 10)/\(i).bin") }
    #expect(try runTessera(["init"], in: dir.url).status == 0)
    #expect(try runTessera(["add"], in: dir.url).status == 0)
    #expect(try runTessera(["commit", "-m", "v0"], in: dir.url).status == 0)
    #expect(try runTessera(["tag", "v0"], in: dir.url).status == 0)

    let delays: [UInt32] = [0, 2_000, 5_000, 10_000, 20_000, 35_000, 50_000, 80_000, 120_000, 200_000]
    for (round, delay) in delays.enumerated() {
      try mutate(dir, round: round)
      let before = try headInfo(dir)
      try killAfter(["add"], dir, microseconds: delay)
      try expectVerifyClean(dir, after: "add at \(delay)µs")
      #expect(try headInfo(dir).id == before.id, "add never moves HEAD")
      #expect(try runTessera(["add"], in: dir.url).status == 0)

      try killAfter(["commit", "-m", "round \(round)"], dir, microseconds: delay)
      try expectVerifyClean(dir, after: "commit at \(delay)µs")
      let after = try headInfo(dir)
      #expect(after.id == before.id || after.parents == [before.id], "HEAD is the previous or the next version")
      if after.id == before.id {
        let r = try runTessera(["commit", "-m", "round \(round) again"], in: dir.url)
        #expect(r.status == 0, "commit after a killed commit: \(r.stderr)")
      }

      try killAfter(["checkout", "v0"], dir, microseconds: delay)
      try expectVerifyClean(dir, after: "checkout at \(delay)µs")
      let back = try runTessera(["checkout", "main", "--force"], in: dir.url)
      #expect(back.status == 0, "checkout after a killed checkout: \(back.stderr)")

      if round % 3 == 2 {
        #expect(try runTessera(["branch", "tmp\(round)", "v0"], in: dir.url).status == 0)
        #expect(try runTessera(["branch", "-d", "tmp\(round)"], in: dir.url).status == 0)
        try killAfter(["gc"], dir, microseconds: delay)
        try expectVerifyClean(dir, after: "gc at \(delay)µs")
        // The next gc removes what the killed one left half-done: no pack without its index or the reverse.
        #expect(try runTessera(["gc"], in: dir.url).status == 0)
        let packs = Set(try FileManager.default.contentsOfDirectory(atPath: dir.url.path + "/.tessera/git/objects/pack"))
        for name in packs where name.hasPrefix("pack-") {
          let base = name.hasSuffix(".pack") ? String(name.dropLast(5)) : String(name.dropLast(4))
          #expect(packs.contains(base + ".pack") && packs.contains(base + ".idx"), "\(name) left half after gc at \(delay)µs")
        }
      }
    }
    let status = try runTessera(["status", "--json"], in: dir.url)
    let s = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
    #expect((s["untracked"] as! [String]).isEmpty)
    #expect(((s["unstaged"] as! [String: Any])["modified"] as! [String]).isEmpty)
  }

  /// What a writer killed inside libgit2's reference update leaves: `<ref>.lock` files beside the references. The
  /// next writer must take them as abandoned (CI once saw every commit after a killed one fail to lock
  /// `refs/heads/main.lock`), and a fetch, which writes references too, must not run beside a writer.
  @Test func lockFilesLeftByAKilledWriterDoNotBlockTheNextOne() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    for i in 0..<20 { try dir.write(Array("file \(i)".utf8), to: "train/\(i).bin") }
    #expect(try runTessera(["init"], in: dir.url).status == 0)
    #expect(try runTessera(["commit", "--all", "-m", "v0"], in: dir.url).status == 0)
    #expect(try runTessera(["branch", "old", "main"], in: dir.url).status == 0)
    let git = ".tessera/git/"
    for stale in ["refs/heads/main.lock", "refs/heads/old.lock", "refs/tags/v1.lock", "HEAD.lock", "packed-refs.lock",
                  "logs/refs/heads/main.lock"] {
      try dir.write(Array("0123456789abcdef0123456789abcdef01234567\n".utf8), to: git + stale)
    }
    try dir.write(Array("changed".utf8), to: "train/0.bin")
    let commit = try runTessera(["commit", "--all", "-m", "v1"], in: dir.url)
    #expect(commit.status == 0, "commit beside stale locks: \(commit.stderr)")
    #expect(try runTessera(["tag", "v1"], in: dir.url).status == 0)
    let delete = try runTessera(["branch", "-d", "old"], in: dir.url)
    #expect(delete.status == 0, "branch -d beside stale locks: \(delete.stderr)")
    #expect(try headInfo(dir).parents.count == 1)
    try expectVerifyClean(dir, after: "nothing")
    for stale in ["refs/heads/main.lock", "refs/heads/old.lock", "refs/tags/v1.lock", "HEAD.lock", "packed-refs.lock",
                  "logs/refs/heads/main.lock"] {
      #expect(!FileManager.default.fileExists(atPath: dir.url.path + "/" + git + stale), "\(stale) was removed")
    }
  }
}
