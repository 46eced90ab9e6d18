#if canImport(Glibc)
import Glibc
#endif

/// The index read for one question only: does every staged file still have its recorded stat? Paths stay bytes
/// in the file's buffer (no `String` or dictionary per entry), grouped by folder; this is what lets a no-op
/// `status` cost little more than the `stat` calls themselves, as git's index does.
struct IndexStats {
  /// A folder holding staged files (or folders that do), `""` for the root.
  struct Folder {
    var path: String
    /// (offset, length) of each staged file's name (after the last `/`) in `bytes`, and its recorded stat.
    var names: [(offset: Int, length: Int)] = []
    var stats: [FileStat] = []
    /// Names of staged sub-folders.
    var children: Set<String> = []
  }

  let bytes: FileBytes
  var folders: [String: Folder] = [:]
  var base: String?
  var touchedCount = 0
  var entryCount = 0
  /// The index's name for caches (`StagingIndex.checksum`).
  var checksum: [UInt8] = []

  /// Reads `.tessera/index` (with its changes file); nil when it is missing. Throws on a corrupt file, as
  /// `StagingIndex.load` does, which reads it: its entries stay bytes, which this groups without decoding.
  static func load(_ path: String) throws -> IndexStats? {
    guard fileExists(path) else { return nil }
    let index = try StagingIndex.load(path)
    var result = IndexStats(bytes: index.stored)
    result.base = index.base
    result.touchedCount = index.touched.count
    result.checksum = index.checksum
    result.entryCount = index.count
    result.register("")  // the root is always listed: a file there is untracked unless staged
    try index.withStoredEntries { raw, starts in
      // Entries are sorted by path, so a folder's files come in runs; only a new run costs a String and a
      // dictionary lookup (one per entry was half the time of this loop).
      var runFolder = "", runStart = -1, runLength = -1
      var names: [(offset: Int, length: Int)] = [], stats: [FileStat] = []
      func endRun() {
        guard runStart >= 0 else { return }
        result.folders[runFolder]!.names += names
        result.folders[runFolder]!.stats += stats
        names.removeAll(keepingCapacity: true)
        stats.removeAll(keepingCapacity: true)
      }
      for start in starts {
        var reader = ByteReader(raw: raw, position: start, end: index.entriesEnd)
        let layout = try StagingIndex.readLayout(&reader)
        let (pathOffset, pathLength) = layout.path
        let slash = Self.lastSlash(raw, pathOffset, pathLength)
        let folderLength = slash < 0 ? 0 : slash - pathOffset
        if runStart < 0 || folderLength != runLength ||
            !Self.equalBytes(raw, runStart, pathOffset, folderLength) {
          endRun()
          runFolder = folderLength == 0 ? "" : String(decoding: UnsafeRawBufferPointer(
            rebasing: raw[pathOffset..<(pathOffset + folderLength)]), as: UTF8.self)
          runStart = pathOffset
          runLength = folderLength
          result.register(runFolder)
        }
        let nameOffset = slash < 0 ? pathOffset : slash + 1
        names.append((nameOffset, pathOffset + pathLength - nameOffset))
        stats.append(StagingIndex.stat(raw, fields: layout.fields))
      }
      endRun()
    }
    return result
  }

  /// Adds `folder` and its ancestors, each listed as a child of its parent.
  mutating func register(_ folder: String) {
    guard folders[folder] == nil else { return }
    folders[folder] = Folder(path: folder)
    guard !folder.isEmpty else { return }
    let parent: String, name: String
    if let slash = folder.lastIndex(of: "/") {
      parent = String(folder[..<slash])
      name = String(folder[folder.index(after: slash)...])
    } else {
      parent = ""
      name = folder
    }
    register(parent)
    folders[parent]!.children.insert(name)
  }

  private static func lastSlash(_ raw: UnsafeRawBufferPointer, _ offset: Int, _ length: Int) -> Int {
    var i = offset + length - 1
    while i >= offset {
      if raw[i] == UInt8(ascii: "/") { return i }
      i -= 1
    }
    return -1
  }

  private static func equalBytes(_ raw: UnsafeRawBufferPointer, _ a: Int, _ b: Int, _ n: Int) -> Bool {
    n == 0 || memcmp(raw.baseAddress! + a, raw.baseAddress! + b, n) == 0
  }
}
