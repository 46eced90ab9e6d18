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

  /// Waits until the folders' own stats are older than the racy window, then lets the shortcut list and record
  /// them: from then on it counts their entries from the record while their stats match.
  func recordListings(_ store: Store) throws {
    usleep(150_000)
    #expect(store.cleanStatus()?.0 != nil)
    let folders = try #require(try IndexStats.load(store.indexPath)).folders
    #expect(Set(FolderListings.load(store.folderListingsPath).byFolder.keys) == Set(folders.keys))
  }

  /// Every change, with folder listings recorded before it (so the shortcut counts entries from the record while a
  /// folder's stat matches it) and without.
  @Test(arguments: ["modified", "touched", "untracked", "untracked folder", "deleted", "file became folder",
                    "symlink", "leftover temporary", "staged", "sparse", "deleted folder"], [false, true])
  func declinesAnythingButClean(_ change: String, listed: Bool) throws {
    try withTemporaryDirectory { dir in
      let store = try committedStore(dir)
      if listed { try recordListings(store) }
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
      #expect(store.cleanStatus()?.0 == nil, "\(change), listed: \(listed)")
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

  /// The record is what the shortcut counts by: a record whose stat matches but whose count is wrong makes it
  /// decline (the full scan then answers), and a damaged listings file is ignored and rewritten.
  @Test func aMatchingFolderListingIsCountedFromTheRecord() throws {
    try withTemporaryDirectory { dir in
      let store = try committedStore(dir)
      try recordListings(store)
      var listings = FolderListings.load(store.folderListingsPath)
      listings.byFolder["train/dog"]!.entries += 1
      try listings.write(store.folderListingsPath)
      #expect(store.cleanStatus()?.0 == nil)
      #expect(try store.status().isClean)
      #expect(FolderListings.load(store.folderListingsPath).byFolder["train/dog"]?.entries == 1, "the full scan records it again")
      #expect(store.cleanStatus()?.0 != nil)

      var bytes = try readFile(store.folderListingsPath)
      bytes[10] ^= 0x40
      try Data(bytes).write(to: URL(fileURLWithPath: store.folderListingsPath))
      #expect(FolderListings.load(store.folderListingsPath).byFolder.isEmpty)
      #expect(store.cleanStatus()?.0 != nil)
      #expect(FolderListings.load(store.folderListingsPath).byFolder.count == listings.byFolder.count)
    }
  }

  /// `add` records the folders it lists once they are older than the racy window; a folder changed just before is
  /// left for `status` to list.
  @Test func addRecordsTheFoldersItLists() throws {
    try withTemporaryDirectory { dir in
      for (path, content) in Self.files { try dir.write(Array(content.utf8), to: path) }
      usleep(150_000)
      try dir.write(Array("just now".utf8), to: "test/dog/2.txt")
      let store = try Store.initialize(at: dir.path)  // makes .tessera: the root changes too
      try store.add([])
      let recorded = FolderListings.load(store.folderListingsPath).byFolder
      #expect(Set(recorded.keys) == ["train", "test", "train/cat", "train/cat/deep", "train/dog", "test/cat"])
      #expect(recorded["train/cat"]?.entries == 3 && recorded["test"]?.entries == 2)
      #expect(FolderListings.trusted(FileStat(size: 0, mtimeNs: 5_000_000_000, ctimeNs: 5_000_000_000, inode: 1), listedAtNs: 6_500_000_000) == false,
              "whole-second times need two seconds")
      #expect(FolderListings.trusted(FileStat(size: 0, mtimeNs: 5_000_000_001, ctimeNs: 5_000_000_001, inode: 1), listedAtNs: 5_200_000_000))
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
