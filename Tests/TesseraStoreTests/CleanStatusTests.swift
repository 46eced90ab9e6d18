import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraStore

/// `status`'s shortcut for a folder that matches the last commit: it may answer only "clean", and must leave every
/// other case to the full scan, which then reports what changed.
@Suite struct CleanStatusTests {
  static let files = sampleFiles.merging(["README.txt": "top-level file", "train/cat/deep/3.txt": "meow 4"]) { a, _ in a }

  /// A committed store whose index trusts every stat (as it does once files are older than the racy window).
  func committedStore(_ dir: TemporaryDirectory) throws -> Store {
    let store = try makeDataset(dir, files: Self.files)
    try store.add([])
    try store.commit(message: "first")
    try trustStatCache(store, dir)
    return store
  }

  @Test func answersForAnUnchangedFolderWithTheFullScansReport() throws {
    try withTemporaryDirectory { dir in
      let store = try committedStore(dir)
      let fast = try #require(store.cleanStatus()?.0)
      let head = try store.resolve("HEAD")
      #expect(fast.isClean && fast.branch == "main" && fast.head == head)
      let stats = try #require(try IndexStats.load(store.indexPath))
      #expect(stats.entryCount == Self.files.count)
      #expect(stats.folders[""]?.children == ["train", "test"] && stats.folders[""]?.names.count == 1)
      #expect(stats.folders["train/cat"]?.children == ["deep"] && stats.folders["train/cat"]?.names.count == 2)
      // A store without a sub-folder entry for a staged folder's ancestors would not list the root's folders.
      let full = try store.status()
      #expect(full.isClean && full.branch == fast.branch && full.head == fast.head)
    }
  }

  @Test(arguments: ["modified", "touched", "untracked", "untracked folder", "deleted", "file became folder",
                    "symlink", "leftover temporary", "staged", "sparse", "deleted folder"])
  func declinesAnythingButClean(_ change: String) throws {
    try withTemporaryDirectory { dir in
      let store = try committedStore(dir)
      let fm = FileManager.default
      switch change {
      case "modified": try dir.write(Array("meow X".utf8), to: "train/cat/1.txt")  // same size
      case "touched":
        var times = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, dir.path + "/train/dog/1.txt", &times, 0) == 0)
      case "untracked": try dir.write(Array("new".utf8), to: "test/dog/2.txt")
      case "untracked folder": try fm.createDirectory(atPath: dir.path + "/test/bird", withIntermediateDirectories: false)
      case "deleted": try fm.removeItem(atPath: dir.path + "/README.txt")
      case "file became folder":
        try fm.removeItem(atPath: dir.path + "/train/dog/1.txt")
        try fm.createDirectory(atPath: dir.path + "/train/dog/1.txt", withIntermediateDirectories: false)
      case "symlink": try fm.createSymbolicLink(atPath: dir.path + "/link", withDestinationPath: "README.txt")
      case "leftover temporary": try dir.write([1], to: "train/cat/.tessera-tmp-1.txt")
      case "staged":
        try dir.write(Array("woof staged".utf8), to: "train/dog/1.txt")
        try store.add([])
      case "sparse": try store.setSparseFilter(VersionFilter(splits: ["train"]))
      case "deleted folder": try fm.removeItem(atPath: dir.path + "/train/cat/deep")
      default: Issue.record("unknown case \(change)")
      }
      #expect(store.cleanStatus()?.0 == nil, "\(change)")
      let full = try store.status()
      switch change {
      case "modified": #expect(full.unstaged.modified == ["train/cat/1.txt"])
      case "touched", "untracked folder", "symlink", "leftover temporary", "sparse": #expect(full.isClean, "\(change)")
      case "untracked": #expect(full.untracked == ["test/dog/2.txt"])
      case "deleted": #expect(full.unstaged.removed == ["README.txt"])
      case "file became folder", "deleted folder": #expect(!full.unstaged.removed.isEmpty)
      case "staged": #expect(full.staged.modified == ["train/dog/1.txt"])
      default: break
      }
    }
  }

  @Test func aTouchedFileIsHashedOnceThenTheShortcutAnswersAgain() throws {
    try withTemporaryDirectory { dir in
      let store = try committedStore(dir)
      var times = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
      #expect(utimensat(AT_FDCWD, dir.path + "/train/dog/1.txt", &times, 0) == 0)
      #expect(store.cleanStatus()?.0 == nil)
      #expect(try store.status().isClean)  // hashes the file, finds the same content, records the new stat
      #expect(store.cleanStatus()?.0 != nil)
    }
  }
}
