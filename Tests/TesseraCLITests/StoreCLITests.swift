import Foundation
import Testing
import TesseraTestSupport

/// End-to-end runs of the built `tessera` binary on small datasets.
@Suite struct StoreCLITests {
  func dataset(files: Int = 40) throws -> TemporaryDirectory {
    let dir = try TemporaryDirectory()
    for i in 0..<files {
      try dir.write(Array("sample \(i)".utf8), to: "\(i % 4 == 0 ? "test" : "train")/class\(i % 3)/\(i).txt")
    }
    return dir
  }

  func tessera(_ args: [String], _ dir: TemporaryDirectory, expect status: Int32 = 0) throws -> CommandResult {
    let r = try runTessera(args, in: dir.url)
    #expect(r.status == status, "tessera \(args.joined(separator: " ")): \(r.stderr)")
    return r
  }

  func json(_ r: CommandResult) throws -> Any { try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) }

  @Test func versioningWorkflow() throws {
    let dir = try dataset()
    defer { dir.remove() }
    _ = try tessera(["init"], dir)
    _ = try tessera(["add"], dir)
    _ = try tessera(["commit", "-m", "first version"], dir)
    _ = try tessera(["tag", "v1"], dir)
    let clean = try json(try tessera(["status", "--json"], dir)) as! [String: Any]
    #expect((clean["untracked"] as! [String]).isEmpty)

    try dir.write(Array("changed".utf8), to: "train/class1/1.txt")
    try FileManager.default.moveItem(atPath: dir.path + "/train/class2/2.txt", toPath: dir.path + "/train/class0/2.txt")
    let status = try json(try tessera(["status", "--json"], dir)) as! [String: Any]
    #expect((status["unstaged"] as! [String: Any])["modified"] as! [String] == ["train/class1/1.txt"])
    #expect(status["untracked"] as! [String] == ["train/class0/2.txt"])

    _ = try tessera(["add", "train"], dir)
    _ = try tessera(["commit", "-m", "second version"], dir)
    let diff = try json(try tessera(["diff", "v1", "HEAD", "--json"], dir)) as! [String: Any]
    #expect((diff["modified"] as! [[String: Any]]).map { $0["path"] as! String } == ["train/class1/1.txt"])
    #expect((diff["relabelled"] as! [[String: Any]]).map { $0["path"] as! String } == ["train/class0/2.txt"])

    let log = try json(try tessera(["log", "--json"], dir)) as! [[String: Any]]
    #expect(log.count == 2)
    #expect((log[0]["message"] as! String).hasPrefix("second version"))
    let show = try json(try tessera(["show", "v1", "--json"], dir)) as! [String: Any]
    #expect(show["files"] as! Int == 40)
    #expect((show["refs"] as! [String]).contains("refs/tags/v1"))

    _ = try tessera(["checkout", "v1"], dir)
    #expect(try String(contentsOfFile: dir.path + "/train/class1/1.txt", encoding: .utf8) == "sample 1")
    _ = try tessera(["checkout", "main"], dir)
    _ = try tessera(["branch", "exp"], dir)
    #expect(try tessera(["branch"], dir).stdout.contains("* main"))
    _ = try tessera(["verify"], dir)
    let gc = try json(try tessera(["gc", "--dry-run", "--json"], dir)) as! [String: Any]
    #expect(gc["unreachableObjects"] as! Int == 0)
  }

  @Test func badInputGetsOneLineErrorsAndNonZeroExit() throws {
    let dir = try dataset(files: 4)
    defer { dir.remove() }
    let outside = try tessera(["status"], dir, expect: 1)
    #expect(outside.stderr.contains("not a Tessera store"))
    _ = try tessera(["init"], dir)
    let again = try tessera(["init"], dir, expect: 1)
    #expect(again.stderr.contains("already"))
    let missing = try tessera(["add", "no-such-folder"], dir, expect: 1)
    #expect(missing.stderr.contains("no-such-folder"))
    #expect(missing.stderr.split(separator: "\n").count == 1)
    let badRev = try tessera(["checkout", "nope"], dir, expect: 1)
    #expect(badRev.stderr.contains("nope"))
    let empty = try tessera(["commit", "-m", " "], dir, expect: 1)
    #expect(empty.stderr.contains("message"))
  }

  /// git itself (installed by scripts/setup.sh) reads what Tessera wrote through libgit2: `git fsck --strict`
  /// and `git verify-pack` check every pack and index.
  @Test func gitReadsTheVersionsSensibly() throws {
    #expect(FileManager.default.isExecutableFile(atPath: "/usr/bin/git"), "git is installed by scripts/setup.sh")
    let dir = try dataset(files: 6)
    defer { dir.remove() }
    _ = try tessera(["init"], dir)
    _ = try tessera(["add"], dir)
    _ = try tessera(["commit", "-m", "readable"], dir)
    let r = try runShell("git --git-dir .tessera/git show --stat HEAD", in: dir.url)
    #expect(r.status == 0)
    #expect(r.stdout.contains("readable"))
    #expect(r.stdout.contains("train/class1/1.txt"))
    let blob = try runShell("git --git-dir .tessera/git show HEAD:train/class1/1.txt", in: dir.url)
    #expect(blob.stdout.hasPrefix("tessera-object 1\nsha256 "))
    #expect(blob.stdout.contains("label class1"))

    try dir.write(Array("changed".utf8), to: "train/class1/1.txt")
    _ = try tessera(["add"], dir)
    _ = try tessera(["commit", "-m", "second"], dir)
    let fsck = try runShell("git --git-dir .tessera/git fsck --strict --no-dangling", in: dir.url)
    #expect(fsck.status == 0, "\(fsck.stdout)\(fsck.stderr)")
    let packs = try runShell("for i in .tessera/git/objects/pack/*.idx; do git verify-pack \"$i\" || exit 1; done; ls .tessera/git/objects/pack/*.idx | wc -l", in: dir.url)
    #expect(packs.status == 0, "\(packs.stdout)\(packs.stderr)")
    #expect(packs.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
    let log = try runShell("git --git-dir .tessera/git log --format=%s", in: dir.url)
    #expect(log.stdout.hasPrefix("second\n"), "\(log.stdout)")
  }

  @Test func aFullDiskFailsCleanlyAndLosesNothing() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    for i in 0..<200 { try dir.write([UInt8](repeating: UInt8(i), count: 1024) + Array("\(i)".utf8), to: "train/a/\(i).bin") }
    _ = try tessera(["init"], dir)
    // A file-size limit makes the pack write fail the way a full disk does (EFBIG instead of ENOSPC).
    let bin = tesseraExecutableURL().path
    let r = try runShell("trap '' XFSZ; ulimit -f 64; exec '\(bin)' add", in: dir.url)
    #expect(r.status != 0)
    #expect(r.stderr.contains("File too large"))
    let status = try json(try tessera(["status", "--json"], dir)) as! [String: Any]
    #expect((status["untracked"] as! [String]).count == 200, "nothing was staged")
    _ = try tessera(["verify"], dir)
    _ = try tessera(["add"], dir)
    _ = try tessera(["commit", "-m", "after the disk had room"], dir)
    _ = try tessera(["verify"], dir)
  }
  /// `commit --all` stages new, modified and deleted files and commits them in one run, as `add` then `commit`
  /// would; with nothing changed it fails as commit does.
  @Test func commitAllStagesEveryChangeAndCommits() throws {
    let dir = try dataset()
    defer { dir.remove() }
    _ = try tessera(["init"], dir)
    _ = try tessera(["commit", "--all", "-m", "first"], dir)
    let first = try json(try tessera(["show", "HEAD", "--json"], dir)) as! [String: Any]
    #expect(first["files"] as! Int == 40)
    try dir.write(Array("changed".utf8), to: "train/class1/1.txt")
    try FileManager.default.removeItem(atPath: dir.path + "/train/class2/2.txt")
    try dir.write(Array("new".utf8), to: "test/class0/new.txt")
    let version = try json(try tessera(["commit", "-a", "-m", "second", "--json"], dir)) as! [String: Any]
    #expect((version["message"] as! String).contains("1 added, 1 removed, 1 modified"))
    let status = try json(try tessera(["status", "--json"], dir)) as! [String: Any]
    #expect((status["untracked"] as! [String]).isEmpty)
    #expect(((status["staged"] as! [String: Any])["modified"] as! [String]).isEmpty)
    let diff = try json(try tessera(["diff", "HEAD~1", "HEAD", "--json"], dir)) as! [String: Any]
    #expect((diff["added"] as! [[String: Any]]).map { $0["path"] as! String } == ["test/class0/new.txt"])
    #expect((diff["removed"] as! [[String: Any]]).map { $0["path"] as! String } == ["train/class2/2.txt"])
    #expect((diff["modified"] as! [[String: Any]]).map { $0["path"] as! String } == ["train/class1/1.txt"])
    let nothing = try tessera(["commit", "--all", "-m", "third"], dir, expect: 1)
    #expect(nothing.stderr.contains("nothing to commit"))
    let empty = try tessera(["commit", "--all", "-m", " "], dir, expect: 1)
    #expect(empty.stderr.contains("commit message is empty"))
    _ = try tessera(["verify"], dir)
  }

  /// The corrupt-index error names the command that rebuilds the index; that command must work, and leave HEAD
  /// on its branch.
  @Test func aCorruptIndexIsRebuiltByTheCommandItsErrorNames() throws {
    let dir = try dataset()
    defer { dir.remove() }
    _ = try tessera(["init"], dir)
    _ = try tessera(["commit", "--all", "-m", "first"], dir)
    try dir.write(Array("changed".utf8), to: "train/class1/1.txt")
    _ = try tessera(["commit", "--all", "-m", "second"], dir)  // a small change: written as index.changes
    #expect(FileManager.default.fileExists(atPath: dir.path + "/.tessera/index.changes"))
    for name in ["index.changes", "index"] {
      let file = dir.path + "/.tessera/" + name
      var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
      bytes[bytes.count / 2] ^= 0x01
      try Data(bytes).write(to: URL(fileURLWithPath: file))
      let broken = try tessera(["status"], dir, expect: 1)
      #expect(broken.stderr.contains(name + ":") && broken.stderr.contains("tessera checkout HEAD --force"), "\(name)")
      _ = try tessera(["checkout", "HEAD", "--force"], dir)
      let status = try json(try tessera(["status", "--json"], dir)) as! [String: Any]
      #expect(status["branch"] as? String == "main", "\(name): still on the branch")
      #expect((status["untracked"] as! [String]).isEmpty && ((status["unstaged"] as! [String: Any])["modified"] as! [String]).isEmpty)
    }
    _ = try tessera(["verify"], dir)
  }

  /// Each commit writes a pack of versions and each add a data pack; from 50 of either, commit advises gc (as git's
  /// auto-gc limit), and gc's merge silences it.
  @Test func commitAdvisesGcOnceFiftyPacksAccumulated() throws {
    let dir = try dataset()
    defer { dir.remove() }
    _ = try tessera(["init"], dir)
    for round in 0..<50 {
      try dir.write(Array("round \(round)".utf8), to: "train/class1/1.txt")
      let commit = try tessera(["commit", "--all", "-m", "round \(round)"], dir)
      #expect(commit.stderr.contains("hint: 50 pack(s) of versions") == (round == 49), "round \(round): \(commit.stderr)")
    }
    #expect(try tessera(["gc"], dir).stdout.contains("50 version pack(s) merged"))
    try dir.write(Array("after gc".utf8), to: "train/class1/1.txt")
    #expect(!(try tessera(["commit", "--all", "-m", "after gc"], dir).stderr.contains("hint")))
    _ = try tessera(["verify"], dir)
    #expect(try tessera(["log", "--json"], dir).stdout.components(separatedBy: "\"id\"").count - 1 == 51)
  }
}
