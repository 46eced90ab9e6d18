import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraStore

/// A store in a fresh temporary folder, with a small `split/class/file` dataset.
func makeDataset(_ dir: TemporaryDirectory, files: [String: String]) throws -> Store {
  for (path, content) in files { try dir.write(Array(content.utf8), to: path) }
  return try Store.initialize(at: dir.path)
}

/// Records every staged file's current stat as trusted, as the index does once files are older than the racy window.
func trustStatCache(_ store: Store, _ dir: TemporaryDirectory) throws {
  var index = try StagingIndex.load(store.indexPath)
  for path in index.paths {
    var st = stat()
    lstat(dir.path + "/" + path, &st)
    index[path]!.stat = FileScanner.fileStat(st)
  }
  try index.write(store.indexPath)
}

/// Commits `content` as `path` on a new branch `name`, which stays checked out; the new commit's id.
@discardableResult
func commitOnNewBranch(_ store: Store, _ dir: TemporaryDirectory, _ name: String, _ path: String, _ content: String) throws -> String {
  try store.createBranch(name)
  try store.checkout(name)
  try dir.write(Array(content.utf8), to: path)
  try store.add([])
  return try store.commit(message: "on the branch").id
}

let sampleFiles = [
  "train/cat/1.txt": "meow 1", "train/cat/2.txt": "meow 2", "train/dog/1.txt": "woof 1",
  "test/cat/1.txt": "meow 3", "test/dog/1.txt": "woof 1",  // same bytes as train/dog/1.txt
]

@Suite struct StoreTests {
  @Test func addCommitAndReadAVersionBack() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      let report = try store.add([])
      #expect(report.added == 5)
      #expect(report.newObjects == 4, "identical content is stored once")
      let version = try store.commit(message: "first")
      let entries = try store.entries(revision: "HEAD")
      #expect(entries.map(\.path) == sampleFiles.keys.sorted())
      let dog = try #require(entries.first { $0.path == "train/dog/1.txt" })
      #expect(dog.split == "train" && dog.label == "dog")
      #expect(dog.object == ObjectID.hashing(Array("woof 1".utf8)))
      #expect(try store.readObject(dog.object) == Array("woof 1".utf8))
      #expect(try store.resolve("main") == version.id)
    }
  }

  /// Reading files to hash them leaves their access times alone (O_NOATIME): on a relatime mount the first read
  /// of a file whose access time is older than its modification time writes its inode, which cost a fresh add of
  /// 70,000 files a fifth of its hashing time. A control file read the ordinary way shows the filesystem records
  /// access times at all; where it does not, there is nothing to tell apart.
  @Test func hashingFilesLeavesTheirAccessTimesAlone() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles.merging(["control.txt": "read the usual way"]) { a, _ in a })
      let old = timespec(tv_sec: 946_684_800, tv_nsec: 0)  // 2000-01-01, before any modification time here
      func age(_ path: String) {
        var times = [old, timespec(tv_sec: time(nil), tv_nsec: 0)]  // modified now, last read long ago
        #expect(utimensat(AT_FDCWD, dir.path + "/" + path, &times, 0) == 0)
      }
      func accessSeconds(_ path: String) -> Int {
        var st = stat()
        lstat(dir.path + "/" + path, &st)
        return st.st_atim.tv_sec
      }
      for path in sampleFiles.keys { age(path) }
      age("control.txt")
      _ = try readFile(dir.path + "/control.txt")
      guard accessSeconds("control.txt") != old.tv_sec else { return }  // a noatime mount: nothing to compare
      try store.add(Array(sampleFiles.keys))
      for path in sampleFiles.keys { #expect(accessSeconds(path) == old.tv_sec, "\(path): access time changed by add") }
      // A status that must hash reads them the same way: every recorded stat made untrusted, so it hashes all.
      var index = try StagingIndex.load(store.indexPath)
      for path in index.paths { index[path]!.stat = .untrusted }
      _ = try index.write(store.indexPath)
      try store.status()
      for path in sampleFiles.keys { #expect(accessSeconds(path) == old.tv_sec, "\(path): access time changed by status") }
    }
  }

  /// `status` with a monitor names the index by its summary, without reading the entries: the summary must name
  /// the same index a full load does, with the same base and touched paths, or say it cannot.
  @Test func indexSummaryAgreesWithAFullLoad() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      #expect(try StagingIndex.summary(store.indexPath) == nil, "no index yet")
      try store.add([])
      #expect(try StagingIndex.summary(store.indexPath) == nil, "a full write: base and touched need the entries")
      func agrees(_ when: String) throws {
        let summary = try #require(try StagingIndex.summary(store.indexPath), "\(when)")
        let index = try StagingIndex.load(store.indexPath)
        #expect(summary.checksum == index.checksum && summary.base == index.base && summary.touched == index.touched,
                "\(when)")
      }
      try store.commit(message: "first")
      try agrees("after commit")
      try dir.write(Array("meow changed".utf8), to: "train/cat/1.txt")
      try store.add([])
      #expect(fileExists(IndexChanges.path(forIndex: store.indexPath)))
      try agrees("after a small add")
      #expect(try StagingIndex.summary(store.indexPath)?.touched.contains("train/cat/1.txt") == true)
      try store.commit(message: "second")
      try agrees("after the next commit")
      #expect(try StagingIndex.summary(store.indexPath)?.base == (try store.resolve("HEAD")))
      // Past the changes file's limit after a commit: a full write, whose base and touched are in its entries.
      for i in 0..<(StagingIndex.changesLimit(entries: 0) + 1) {
        try dir.write(Array("new \(i)".utf8), to: "train/many/\(i).txt")
      }
      try store.add([])
      #expect(!fileExists(IndexChanges.path(forIndex: store.indexPath)))
      #expect(!fileExists(CommittedIndex.path(forIndex: store.indexPath)))
      #expect(try StagingIndex.summary(store.indexPath) == nil, "a full write after a commit")
      try store.commit(message: "third")
      try agrees("after committing the full write")
    }
  }

  @Test func unchangedFilesAreNotHashedAgain() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      // Age the stat cache's racy window, then add again: nothing is re-read.
      try trustStatCache(store, dir)
      let again = try store.add([])
      #expect(again.unchanged == 5 && again.hashedBytes == 0 && again.newObjects == 0)
      #expect(throws: StoreError.self) { try store.commit(message: "nothing") }
    }
  }

  /// A first add takes each file's stat from its open descriptor instead of the scan: the index must still hold
  /// the stat the file has (so the next add hashes nothing), and a hard link must still be noticed.
  @Test func aFirstAddRecordsTheStatOfEachFileItHashed() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      // Older than the racy window, so the first add trusts the stats it takes.
      for path in sampleFiles.keys {
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 5), timespec(tv_sec: 1_000_000_000, tv_nsec: 5)]
        #expect(utimensat(AT_FDCWD, dir.path + "/" + path, &times, 0) == 0)
      }
      try store.add([])
      let index = try StagingIndex.load(store.indexPath)
      for path in sampleFiles.keys {
        var st = stat()
        #expect(lstat(dir.path + "/" + path, &st) == 0)
        #expect(index[path]?.stat == FileScanner.fileStat(st), "\(path)")
      }
      let again = try store.add([])
      #expect(again.unchanged == 5 && again.hashedBytes == 0)

      #expect(link(dir.path + "/train/cat/1.txt", dir.path + "/linked.txt") == 0)
      let folder = open(dir.path, O_RDONLY | O_DIRECTORY)
      defer { close(folder) }
      let hashed = try Store.hashFile(ScannedFile(path: "linked.txt", stat: .untrusted),
                                      folder: folder, name: "linked.txt", objectRoot: dir.path + "/.tessera/objects")
      #expect(hashed.sharesInode && hashed.size == 6 && hashed.id == ObjectID.hashing(Array("meow 1".utf8)))
    }
  }

  @Test func statusReportsStagedUnstagedAndUntracked() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      try dir.write(Array("meow changed".utf8), to: "train/cat/1.txt")
      try FileManager.default.removeItem(atPath: dir.path + "/train/cat/2.txt")
      try dir.write(Array("new".utf8), to: "train/bird/1.txt")
      var s = try store.status()
      #expect(s.unstaged.modified == ["train/cat/1.txt"])
      #expect(s.unstaged.removed == ["train/cat/2.txt"])
      #expect(s.untracked == ["train/bird/1.txt"])
      #expect(s.staged.isEmpty)
      try store.add(["train"])
      s = try store.status()
      #expect(s.staged.added == ["train/bird/1.txt"])
      #expect(s.staged.modified == ["train/cat/1.txt"])
      #expect(s.staged.removed == ["train/cat/2.txt"])
      #expect(s.unstaged.isEmpty && s.untracked.isEmpty)
    }
  }

  @Test func diffFindsRelabelledFilesAndClassCounts() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      try store.createTag("v1")
      try FileManager.default.createDirectory(atPath: dir.path + "/train/dog2", withIntermediateDirectories: true)
      try FileManager.default.moveItem(atPath: dir.path + "/train/cat/2.txt", toPath: dir.path + "/train/dog/2.txt")
      try store.add([])
      try store.commit(message: "cat 2 is a dog")
      let d = try store.diff(from: .revision("v1"), to: .revision("HEAD"))
      #expect(d.relabelled.map(\.path) == ["train/dog/2.txt"])
      #expect(d.relabelled.first?.from == "train/cat/2.txt")
      #expect(d.relabelled.first?.oldLabel == "cat" && d.relabelled.first?.newLabel == "dog")
      #expect(d.added.isEmpty && d.removed.isEmpty && d.modified.isEmpty)
      let counts = Dictionary(uniqueKeysWithValues: d.classCounts.map { ("\($0.split)/\($0.label)", ($0.before, $0.after)) })
      #expect(counts["train/cat"]! == (2, 1))
      #expect(counts["train/dog"]! == (1, 2))
    }
  }

  @Test func labelsFileOverridesFolderLabels() throws {
    try withTemporaryDirectory { dir in
      var files = sampleFiles
      files["labels.csv"] = "path,label\ntrain/cat/1.txt,tiger\n"
      let store = try makeDataset(dir, files: files)
      try store.add([])
      try store.commit(message: "first")
      let entries = try store.entries(revision: "HEAD")
      #expect(entries.first { $0.path == "train/cat/1.txt" }?.label == "tiger")
      #expect(entries.first { $0.path == "train/cat/2.txt" }?.label == "cat")
      // Relabelling through the labels file alone is a change of the version.
      try dir.write(Array("path,label\ntrain/cat/1.txt,lion\n".utf8), to: "labels.csv")
      try store.add([])
      try store.commit(message: "lion")
      let d = try store.diff(from: .revision("HEAD~1"), to: .revision("HEAD"))
      #expect(d.relabelled.map(\.path) == ["train/cat/1.txt"])
    }
  }

  @Test func badLabelsFileNamesTheLine() throws {
    try withTemporaryDirectory { dir in
      var files = sampleFiles
      files["labels.csv"] = "path,label\njust-a-path\n"
      let store = try makeDataset(dir, files: files)
      let error = #expect(throws: StoreError.self) { try store.add([]) }
      #expect(error?.message.contains("labels.csv:2") == true)
    }
  }

  @Test func checkoutRestoresAVersionAndProtectsChangedFiles() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      try store.createTag("v1")
      try dir.write(Array("meow v2".utf8), to: "train/cat/1.txt")
      try dir.write(Array("new".utf8), to: "train/bird/1.txt")
      try store.add([])
      try store.commit(message: "second")

      try store.checkout("v1")
      #expect(try String(contentsOfFile: dir.path + "/train/cat/1.txt", encoding: .utf8) == "meow 1")
      #expect(!FileManager.default.fileExists(atPath: dir.path + "/train/bird/1.txt"))
      #expect(try store.status().isClean)

      // A local edit is never overwritten without force.
      try dir.write(Array("my edit".utf8), to: "train/cat/1.txt")
      #expect(throws: StoreError.self) { try store.checkout("main") }
      #expect(try String(contentsOfFile: dir.path + "/train/cat/1.txt", encoding: .utf8) == "my edit")
      try store.checkout("main", force: true)
      #expect(try String(contentsOfFile: dir.path + "/train/cat/1.txt", encoding: .utf8) == "meow v2")
      #expect(try store.currentBranch() == "main")

      // Paths only: HEAD stays, the file comes back.
      try FileManager.default.removeItem(atPath: dir.path + "/train/dog/1.txt")
      try store.checkout("v1", paths: ["train/dog"])
      #expect(try String(contentsOfFile: dir.path + "/train/dog/1.txt", encoding: .utf8) == "woof 1")
      #expect(try store.currentBranch() == "main")
    }
  }

  /// New files are written in place, so a killed checkout can leave a file cut short. Such a file (an
  /// untracked strict beginning of the target) is completed by the next checkout; any other untracked
  /// file in the way still stops it.
  @Test func checkoutCompletesAFileAKilledCheckoutCutShortButKeepsOtherUntrackedFiles() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      try store.createTag("v1")
      try dir.write(Array("a bird, sung at length".utf8), to: "train/bird/1.txt")
      try dir.write(Array("another bird".utf8), to: "train/bird/2.txt")
      try store.add([])
      try store.commit(message: "second")
      try store.checkout("v1")
      #expect(!FileManager.default.fileExists(atPath: dir.path + "/train/bird/1.txt"))

      try dir.write(Array("a bird, su".utf8), to: "train/bird/1.txt")   // cut short
      try store.checkout("main")
      #expect(try String(contentsOfFile: dir.path + "/train/bird/1.txt", encoding: .utf8) == "a bird, sung at length")
      #expect(try store.status().isClean)

      try store.checkout("v1")
      try dir.write(Array("another bird, but mine".utf8), to: "train/bird/2.txt")  // longer: not a beginning
      try dir.write(Array("a bird, su".utf8), to: "train/bird/1.txt")
      #expect(throws: StoreError.self) { try store.checkout("main") }
      #expect(try String(contentsOfFile: dir.path + "/train/bird/2.txt", encoding: .utf8) == "another bird, but mine")
    }
  }

  @Test func checkoutRefusesToWriteThroughASymlink() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      let outside = try TemporaryDirectory()
      defer { outside.remove() }
      try FileManager.default.removeItem(atPath: dir.path + "/train")
      try FileManager.default.createSymbolicLink(atPath: dir.path + "/train", withDestinationPath: outside.path)
      let error = #expect(throws: StoreError.self) { try store.checkout("HEAD", force: true) }
      #expect(error?.kind == .unsafePath)
      #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
    }
  }

  @Test(arguments: ["../escape.txt", "/etc/passwd", "a/../../b", ".tessera/config", "a//b", ""])
  func unsafePathsAreRefused(path: String) {
    #expect(throws: StoreError.self) { try Store.checkSafe(path) }
  }

  @Test func largeFilesAreLooseAndCanBeHardlinked() throws {
    try withTemporaryDirectory { dir in
      var big = [UInt8](repeating: 0, count: ObjectStore.looseThreshold + 123)
      for i in big.indices { big[i] = UInt8(truncatingIfNeeded: i &* 31) }
      try dir.write(big, to: "train/x/big.bin")
      let store = try Store.initialize(at: dir.path)
      try store.add([])
      try store.commit(message: "big")
      let id = ObjectID.hashing(big)
      #expect(store.objects.locateLoose(id) != nil)
      try FileManager.default.removeItem(atPath: dir.path + "/train/x/big.bin")
      let report = try store.checkout("HEAD", link: .hardlink, force: true)
      #expect(report.hardlinked == 1)
      #expect(try Array(Data(contentsOf: dir.url.appendingPathComponent("train/x/big.bin"))) == big)
      #expect(try store.verify().isClean)
    }
  }

  @Test func verifyFindsCorruptAndMissingObjects() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      #expect(try store.verify().isClean)
      let packDir = store.objects.packDirectory
      let pack = try #require(try FileManager.default.contentsOfDirectory(atPath: packDir).first { $0.hasSuffix(".tpk") })
      let path = packDir + "/" + pack
      chmod(path, 0o644)
      var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
      bytes[6] ^= 0xFF
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      let report = try store.verify()
      #expect(report.problems.contains { $0.contains("is corrupt") })

      try FileManager.default.removeItem(atPath: path)
      try FileManager.default.removeItem(atPath: packDir + "/" + pack.replacingOccurrences(of: ".tpk", with: ".tpi"))
      let missing = try Store.open(at: dir.path).verify()
      #expect(missing.problems.contains { $0.contains("is missing") })
    }
  }

  /// A pack index's checksum is checked before its offsets are trusted to read bytes, not when the store opens:
  /// a damaged index (an object's offset changed) leaves status working, and fails reads, gc and verify.
  @Test func aDamagedPackIndexFailsReadsAndVerifyButNotStatus() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      let packDir = store.objects.packDirectory
      let index = try #require(try FileManager.default.contentsOfDirectory(atPath: packDir).first { $0.hasSuffix(".tpi") })
      let path = packDir + "/" + index
      chmod(path, 0o644)
      var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
      bytes[PackIndex.headerSize + 32] ^= 0x01  // the first entry's offset
      try Data(bytes).write(to: URL(fileURLWithPath: path))

      let reopened = try Store.open(at: dir.path)
      #expect(try reopened.status().isClean)
      #expect(try reopened.log().count == 1)
      let first = try #require(try reopened.stagedFiles().first)
      #expect(reopened.objects.contains(first.object))
      #expect(throws: StoreError.self) { try reopened.readObject(first.object) }
      #expect(throws: StoreError.self) { try reopened.gc() }
      let report = try reopened.verify()
      #expect(report.problems.count == 1 && report.problems[0].contains("pack index checksum does not match"), "\(report.problems)")
    }
  }

  @Test func gcRemovesOnlyWhatNoRefReaches() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      try commitOnNewBranch(store, dir, "experiment", "train/cat/3.txt", "only on the branch")
      try store.checkout("main")
      let keep = try store.gc(dryRun: true)
      #expect(keep.unreachableObjects == 0)
      try store.deleteBranch("experiment")
      let dry = try store.gc(dryRun: true)
      #expect(dry.unreachableObjects == 1)
      #expect(store.objects.contains(ObjectID.hashing(Array("only on the branch".utf8))))
      let done = try store.gc()
      #expect(done.unreachableObjects == 1)
      let reopened = try Store.open(at: dir.path)
      #expect(!reopened.objects.contains(ObjectID.hashing(Array("only on the branch".utf8))))
      #expect(try reopened.verify().isClean)
      #expect(try reopened.entries(revision: "HEAD").count == 5)
    }
  }

  /// Plain git can tag a tree (`git tag snap HEAD^{tree}`): the pointers in it are reached by a ref all the same,
  /// so gc keeps their objects and verify checks them (both once followed commits only).
  @Test func gcKeepsAndVerifyChecksWhatATagOfATreeReaches() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      try commitOnNewBranch(store, dir, "experiment", "train/cat/3.txt", "only in the tagged tree")
      let tree = try store.withGit { repo in try repo.treeID(ofCommit: try #require(try repo.headCommit())) }
      try Data((tree.hex + "\n").utf8).write(to: URL(fileURLWithPath: store.gitDirectory + "/refs/tags/snapshot"))
      try store.checkout("main")
      try store.deleteBranch("experiment")
      let kept = ObjectID.hashing(Array("only in the tagged tree".utf8))
      #expect(try store.gc().unreachableObjects == 0)
      let reopened = try Store.open(at: dir.path)
      #expect(reopened.objects.contains(kept))
      #expect(try reopened.verify().isClean)
      // verify follows the tree: with the data gone, its pointer's missing object is a problem that names the ref.
      let packDir = reopened.objects.packDirectory
      for name in try FileManager.default.contentsOfDirectory(atPath: packDir) { try FileManager.default.removeItem(atPath: packDir + "/" + name) }
      let report = try Store.open(at: dir.path).verify()
      #expect(report.problems.contains { $0.contains("refs/tags/snapshot") && $0.contains("train/cat/3.txt") && $0.contains("missing") })
    }
  }

  /// "é" as one code point (NFC) and as "e" + U+0301 (NFD) are two files to the file system but one `String` key:
  /// `add` refuses the pair by name before staging anything (checkout crashed on such a version, a dictionary
  /// trapping on the "duplicate" key), and the by-path tables refuse it instead of trapping.
  @Test func namesInTwoUnicodeNormalizationsAreRefusedNotConflated() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      let nfc = "train/cat/caf\u{e9}.txt", nfd = "train/cat/cafe\u{301}.txt"
      #expect(nfc == nfd && !nfc.utf8.elementsEqual(nfd.utf8), "Swift's equality is what makes them one key")
      try dir.write(Array("composed".utf8), to: nfc)
      try dir.write(Array("decomposed".utf8), to: nfd)
      let refusal = #expect(throws: StoreError.self) { try store.add([]) }
      #expect(refusal?.kind == .badInput)
      #expect(refusal?.description.contains("caf\\u{e9}.txt") == true && refusal?.description.contains("cafe\\u{301}.txt") == true)
      #expect(try StagingIndex.load(store.indexPath).count == sampleFiles.count, "nothing staged")
      // Either one alone is fine.
      try FileManager.default.removeItem(atPath: dir.path + "/" + nfd)
      try store.add([])
      #expect(try StagingIndex.load(store.indexPath).count == sampleFiles.count + 1)
      let twins = [TrackedFile(path: nfc, object: ObjectID.hashing([1]), size: 1, image: nil, split: "train", label: "cat"),
                   TrackedFile(path: nfd, object: ObjectID.hashing([2]), size: 1, image: nil, split: "train", label: "cat")]
      #expect(throws: StoreError.self) { try Store.byPath(twins, where: "in version v9") }
    }
  }

  /// A ref naming an object the repository lacks reaches something unknown: gc refuses rather than guess, and
  /// verify names the ref and still checks every other version.
  @Test func aRefToAMissingObjectStopsGCAndIsReportedByVerify() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      try Data((String(repeating: "ab", count: 20) + "\n").utf8).write(to: URL(fileURLWithPath: store.gitDirectory + "/refs/tags/dangling"))
      let reopened = try Store.open(at: dir.path)
      let refusal = #expect(throws: StoreError.self) { try reopened.gc() }
      #expect(refusal?.description.contains("refs/tags/dangling") == true)
      let report = try reopened.verify()
      #expect(report.problems.count == 1)
      #expect(report.problems.first?.contains("refs/tags/dangling") == true)
      #expect(report.versionsChecked == 1 && report.pointersChecked == sampleFiles.count)
    }
  }

  /// A commit killed while writing its git pack leaves `tmp_tessera_*` files, and a killed gc half a pack; gc
  /// counts them on a dry run and removes them otherwise, and leaves git's own files alone.
  @Test func gcRemovesTheTemporaryGitPacksOfAKilledCommit() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      let packs = store.gitDirectory + "/objects/pack"
      let before = try FileManager.default.contentsOfDirectory(atPath: packs).sorted()
      for suffix in [".pack", ".idx"] {
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: packs + "/tmp_tessera_99_12345" + suffix))
      }
      // And halves of packs, which a killed gc leaves: a .pack without its .idx, an .idx without its .pack.
      let real = try #require(before.first { $0.hasSuffix(".pack") })
      try FileManager.default.copyItem(atPath: packs + "/" + real, toPath: packs + "/pack-" + String(repeating: "a", count: 40) + ".pack")
      try FileManager.default.copyItem(atPath: packs + "/" + real.dropLast(5) + ".idx",
                                       toPath: packs + "/pack-" + String(repeating: "b", count: 40) + ".idx")
      let dry = try store.gc(dryRun: true)
      #expect(dry.temporaryFilesRemoved == 4)
      #expect(FileManager.default.fileExists(atPath: packs + "/tmp_tessera_99_12345.pack"))
      let done = try store.gc()
      #expect(done.temporaryFilesRemoved == 4)
      #expect(try FileManager.default.contentsOfDirectory(atPath: packs).sorted() == before)
      #expect(try store.verify().isClean)
    }
  }

  @Test func gcKeepsStagedButUncommittedObjects() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      #expect(try store.gc().unreachableObjects == 0)
      try store.commit(message: "first")
      #expect(try store.verify().isClean)
    }
  }

  @Test func gcRewritesAPackThatHoldsReachableAndUnreachableObjects() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try dir.write(Array("staged then dropped".utf8), to: "train/cat/9.txt")
      try store.add([])  // one pack with every object, including the one about to be dropped
      try FileManager.default.removeItem(atPath: dir.path + "/train/cat/9.txt")
      try store.add([])
      try store.commit(message: "first")
      let report = try store.gc()
      #expect(report.unreachableObjects == 1 && report.packsRewritten == 1)
      let reopened = try Store.open(at: dir.path)
      #expect(!reopened.objects.contains(ObjectID.hashing(Array("staged then dropped".utf8))))
      #expect(try reopened.verify().isClean)
      for file in try reopened.entries(revision: "HEAD") {
        #expect(try reopened.readObject(file.object) == Array(sampleFiles[file.path]!.utf8))
      }
    }
  }

  /// Each add writes a data pack and each commit a git pack, and every lookup asks them in turn: gc merges the
  /// small data packs into one and the git packs into one, keeping every version, an annotated tag's own object,
  /// and nothing that no reference reaches.
  @Test func gcMergesThePacksThatEachAddAndCommitWrote() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      try store.createTag("annotated", message: "a tag object of its own")
      let lost = try commitOnNewBranch(store, dir, "experiment", "train/cat/3.txt", "only on the branch")
      try store.checkout("main")
      for round in 0..<3 {
        try dir.write(Array("round \(round)".utf8), to: "train/dog/\(round).txt")
        try store.add([])
        try store.commit(message: "round \(round)")
      }
      try store.deleteBranch("experiment")
      let gitPacks = store.gitDirectory + "/objects/pack"
      func listed(_ folder: String, _ suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(suffix) }
      }
      #expect(try listed(gitPacks, ".idx").count == 5)
      #expect(try listed(store.objects.packDirectory, ".tpi").count == 5)
      #expect(try FileManager.default.contentsOfDirectory(atPath: store.gitDirectory + "/objects").contains { $0.count == 2 },
              "the annotated tag is a loose object")
      let history = try store.log().map(\.id)

      let dry = try store.gc(dryRun: true)
      #expect(dry.versionPacksMerged == 5 && dry.smallPacksMerged == 5)
      #expect(try listed(gitPacks, ".idx").count == 5, "a dry run changes nothing")
      let done = try store.gc()
      #expect(done.versionPacksMerged == 5 && done.smallPacksMerged == 5 && done.unreachableObjects == 1)
      #expect(try listed(gitPacks, ".idx").count == 1 && listed(gitPacks, ".pack").count == 1)
      #expect(try listed(store.objects.packDirectory, ".tpi").count == 1)

      let reopened = try Store.open(at: dir.path)
      #expect(try reopened.verify().isClean)
      #expect(try reopened.log().map(\.id) == history)
      #expect(try reopened.entries(revision: "annotated").count == sampleFiles.count)
      #expect(try reopened.show("annotated").version.id == history.last)
      let loose = try FileManager.default.contentsOfDirectory(atPath: store.gitDirectory + "/objects").filter { $0.count == 2 }
      #expect(loose.isEmpty, "the tag object was loose and is now in the pack: \(loose)")
      #expect(throws: (any Error).self) { try reopened.resolve(lost) }  // the deleted branch's version is gone
      #expect(try reopened.gc().versionPacksMerged == 0, "one pack is left as it is")
    }
  }

  /// gc merges data packs geometrically: a pack at least twice all smaller ones together stays, so one small add
  /// after a big merged pack does not make gc rewrite the big one.
  @Test func gcChoosesDataPacksToMergeGeometrically() throws {
    func merged(_ sizes: [Int64]) -> [Int64] {
      let packs = sizes.enumerated().map { (name: "p\($0.offset)", bytes: $0.element) }
      let chosen = Store.packsToMerge(packs)
      return packs.filter { chosen.contains($0.name) }.map(\.bytes).sorted()
    }
    #expect(merged([36_000_000, 370_000]) == [])
    #expect(merged([36_000_000, 3_700_000, 370_000, 370_000]) == [370_000, 370_000])
    #expect(merged([24, 18, 7, 7, 7]) == [7, 7, 7, 18, 24])
    #expect(merged([100, 40, 10]) == [])
    #expect(merged([100, 40, 30]) == [30, 40, 100], "100 is not twice 70: all three")
    let big = Store.smallPackBytes
    #expect(merged([big, big + 1, 10, 10]) == [10, 10], "packs of 256 MiB and more are never merged")
    #expect(merged([]) == [] && merged([5]) == [])

    // Through gc: a big first add, then a small one, leaves both packs as they are.
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: ["train/a/big.bin": String(repeating: "x", count: 50_000)])
      try store.add([])
      try store.commit(message: "big")
      try dir.write(Array("tiny".utf8), to: "train/a/tiny.bin")
      try store.add([])
      try store.commit(message: "tiny")
      #expect(try store.gc().smallPacksMerged == 0)
      #expect(try FileManager.default.contentsOfDirectory(atPath: store.objects.packDirectory).filter { $0.hasSuffix(".tpi") }.count == 2)
    }
  }

  /// Plain git can point a ref at a tree (a fetch brings such a tag along); gc's merge of the git packs must keep
  /// it and not fail on it (a history walk refuses anything that is not a commit).
  @Test func gcMergesGitPacksBesideARefToATree() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      try dir.write(Array("second".utf8), to: "train/cat/2.txt")
      try store.add([])
      try store.commit(message: "second")
      func git(_ args: String) throws -> String {
        let r = try runShell("git --git-dir .tessera/git " + args, in: dir.url)
        #expect(r.status == 0, "git \(args): \(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
      }
      _ = try git("tag treetag 'HEAD^{tree}'")
      let tree = try git("rev-parse treetag")
      #expect(try store.gc().versionPacksMerged == 2)
      #expect(try git("cat-file -t " + tree) == "tree")
      #expect(try store.verify().isClean)
    }
  }

  /// A pack is named by its index, so rewriting a pack that holds only reachable objects can produce that very
  /// pack again; gc must then keep it (a review found gc deleting it: the only copy of committed objects).
  @Test func gcKeepsAMergedPackThatComesOutAsAnOldOne() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: ["train/cat/1.txt": "the one committed file"])
      try store.add([])
      try store.commit(message: "one object in one pack")
      try dir.write(Array("staged, then gone".utf8), to: "train/cat/2.txt")
      try store.add([])
      try FileManager.default.removeItem(atPath: dir.path + "/train/cat/2.txt")
      try store.add([])
      #expect(try store.gc().unreachableObjects == 1)
      let reopened = try Store.open(at: dir.path)
      #expect(try reopened.verify().isClean)
      #expect(try reopened.readObject(ObjectID.hashing(Array("the one committed file".utf8))) == Array("the one committed file".utf8))
    }
    // The everyday way there: work on a branch, drop it, gc; twice.
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      for round in 0..<2 {
        try commitOnNewBranch(store, dir, "try\(round)", "train/cat/9.txt", "branch work \(round)")
        try store.checkout("main")
        try store.deleteBranch("try\(round)")
        #expect(try store.gc().unreachableObjects == 1, "round \(round)")
        let reopened = try Store.open(at: dir.path)
        #expect(try reopened.verify().isClean, "round \(round)")
        for file in try reopened.entries(revision: "HEAD") {
          #expect(try reopened.readObject(file.object) == Array(sampleFiles[file.path]!.utf8))
        }
      }
    }
  }

  @Test func aFileThatVanishesBeforeItIsHashedStagesNothing() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      var scanner = FileScanner(root: dir.path)
      let files = try scanner.scan("")
      try FileManager.default.removeItem(atPath: dir.path + "/train/cat/2.txt")
      let error = #expect(throws: StoreError.self) { try store.hashInParallel(files) }
      #expect(error?.message.contains("train/cat/2.txt") == true)
      #expect(try store.stagedFiles().isEmpty)
    }
  }

  @Test func aLongLivedReaderSeesPacksWrittenLater() throws {
    try withTemporaryDirectory { dir in
      let writer = try makeDataset(dir, files: sampleFiles)
      let reader = try Store.open(at: dir.path)
      try writer.add([])
      try writer.commit(message: "first")
      let file = try #require(try reader.entries(revision: "HEAD").first)
      #expect(try reader.readObject(file.object) == Array(sampleFiles[file.path]!.utf8))
    }
  }

  @Test func oneWriterAtATime() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      let held = try store.lockForWriting()
      let error = #expect(throws: StoreError.self) { try store.add([]) }
      #expect(error?.kind == .locked)
      withExtendedLifetime(held) {}
    }
  }

  @Test func imageHeadersAreRecorded() throws {
    // A 3x2 RGB PNG header and a JPEG SOF0 for 5x4 grey.
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
      + [0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0]
    #expect(ImageInfo.sniff(png) == ImageInfo(format: "png", width: 3, height: 2, channels: 3))
    let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0, 4, 0, 5, 1, 1, 0x11, 0, 0, 0]
    #expect(ImageInfo.sniff(jpeg) == ImageInfo(format: "jpeg", width: 5, height: 4, channels: 1))
    #expect(ImageInfo.sniff(Array("hello".utf8)) == nil)
  }

  @Test func pointersRoundTripAndRejectTampering() throws {
    let file = TrackedFile(path: "train/a/1.png", object: ObjectID.hashing([1, 2, 3]), size: 3,
                           image: ImageInfo(format: "png", width: 28, height: 28, channels: 1), split: "train", label: "a")
    #expect(try Pointer.parse(Pointer.render(file), path: file.path) == file)
    var tampered = String(decoding: Pointer.render(file), as: UTF8.self)
    tampered = tampered.replacingOccurrences(of: "size 3", with: "size -3")
    #expect(throws: StoreError.self) { try Pointer.parse(Array(tampered.utf8), path: file.path) }
    #expect(throws: StoreError.self) { try Pointer.parse(Array("hello".utf8), path: file.path) }
  }
}

/// A commit on top of a synced index rebuilds only the folders that changed; the tree it writes must be
/// exactly the tree a full build of every staged file gives, through edits, new and emptied folders,
/// deletions and relabels.
@Suite struct IncrementalCommitTests {
  /// The changes file alone answers a commit only when it records every path staged since the base: after a large
  /// add (a full index write, the touched paths in it) and a small one (a changes file holding only the last
  /// change), commit must read the whole index, and the version must hold both adds.
  @Test func aCommitReadsTheWholeIndexWhenTheChangesFileHoldsOnlySomeStagedPaths() throws {
    try withTemporaryDirectory { dir in
      var files = [String: String]()
      for i in 0..<300 { files["train/a/\(i).txt"] = "file \(i)" }
      let store = try makeDataset(dir, files: files)
      try store.add([])
      try store.commit(message: "v1")
      for i in 0..<300 { try dir.write(Array("changed \(i)".utf8), to: "train/a/\(i).txt") }
      try store.add([])
      #expect(!fileExists(store.indexPath + ".changes"), "300 changes rewrite the whole index")
      try trustStatCache(store, dir)  // else the next add re-hashes the racily clean files and rewrites it again
      try dir.write(Array("new".utf8), to: "train/b/new.txt")
      try store.add([])
      #expect(fileExists(store.indexPath + ".changes"))
      #expect(try StagedChanges.loadFromChangesFile(forIndex: store.indexPath) == nil)
      let v2 = try store.commit(message: "v2")
      #expect(v2.message.contains("301 files") && v2.message.contains("1 added") && v2.message.contains("300 modified"),
              "\(v2.message)")
      let entries = try store.entries(revision: "HEAD")
      #expect(entries.count == 301)
      #expect(try store.status().isClean)
      #expect(try store.verify().problems.isEmpty)
    }
  }

  @Test func incrementalTreesEqualFullBuilds() throws {
    try withTemporaryDirectory { dir in
      var files = [String: String]()
      for c in 0..<4 { for i in 0..<6 { files["train/c\(c)/\(i).txt"] = "file \(c) \(i)" } }
      files["test/c0/0.txt"] = "test 0"
      files["top.txt"] = "top"
      let store = try makeDataset(dir, files: files)
      try store.add([])
      try store.commit(message: "v1")
      func expectFullBuildMatchesHEAD(_ round: String) throws {
        let index = try StagingIndex.load(store.indexPath)
        let head = try #require(try store.withGit { try store.repo.headCommit() })
        #expect(index.base == head.hex, "index synced after \(round)")
        let full = try store.withGit { try store.buildTree(index.files) }
        let committed = try store.withGit { try store.repo.treeID(ofCommit: head) }
        #expect(GitOID(full.oid) == committed, "tree after \(round)")
      }
      try expectFullBuildMatchesHEAD("the first commit")
      let rounds: [(String, () throws -> Void)] = [
        ("an edit", { try dir.write(Array("changed".utf8), to: "train/c1/3.txt") }),
        ("a new nested folder", { try dir.write(Array("deep".utf8), to: "train/c9/sub/a.txt") }),
        ("a deleted folder", { try FileManager.default.removeItem(atPath: dir.path + "/train/c2") }),
        ("a move (relabel)", {
          try FileManager.default.moveItem(atPath: dir.path + "/train/c0/1.txt", toPath: dir.path + "/train/c3/moved.txt")
        }),
        ("an emptied nested folder", { try FileManager.default.removeItem(atPath: dir.path + "/train/c9/sub") }),
        ("a deleted top-level file and a new one", {
          try FileManager.default.removeItem(atPath: dir.path + "/top.txt")
          try dir.write(Array("new".utf8), to: "zzz.txt")
        }),
        ("a file becomes a folder", {
          try FileManager.default.removeItem(atPath: dir.path + "/train/c1/3.txt")
          try dir.write(Array("inside".utf8), to: "train/c1/3.txt/inner.txt")
        }),
        ("a folder becomes a file", {
          try FileManager.default.removeItem(atPath: dir.path + "/train/c1/3.txt")
          try dir.write(Array("a file again".utf8), to: "train/c1/3.txt")
        }),
      ]
      var readFromChangesFile = 0
      for (name, change) in rounds {
        try change()
        try store.add([])
        // The counts the incremental build keeps as it goes equal a full comparison with the parent.
        let index = try StagingIndex.load(store.indexPath)
        let staged = try #require(index.stagedChanges(checksum: index.checksum))
        // What commit reads from the changes file alone, when it can, is what the whole index says.
        if let light = try StagedChanges.loadFromChangesFile(forIndex: store.indexPath) {
          #expect(light == staged, "changes file alone after \(name)")
          readFromChangesFile += 1
        }
        var trace = PerformanceTrace("test")
        let counted = try store.withGit {
          try store.buildTree(staged, onto: store.repo.treeID(ofCommit: #require(try store.repo.headCommit())), trace: &trace)
        }
        let expected = try store.withGit {
          try store.countChanges(store.buildTree(index.files), old: store.repo.treeID(ofCommit: #require(try store.repo.headCommit())))
        }
        let changes = try #require(counted.changes)
        #expect(changes.added == expected.added && changes.deleted == expected.deleted && changes.modified == expected.modified,
                "counts after \(name): \(changes) against \(expected)")
        try store.commit(message: name)
        try expectFullBuildMatchesHEAD(name)
      }
      #expect(readFromChangesFile == rounds.count)
      #expect(try store.status().isClean)
      let r = try store.verify()
      #expect(r.problems.isEmpty)
    }
  }
}
