import CGit2
import Foundation

/// Paths that differ between two states of the dataset.
public struct PathChanges: Sendable, Codable, Equatable {
  public var added: [String] = []
  public var removed: [String] = []
  public var modified: [String] = []
  public var relabelled: [String] = []
  public var isEmpty: Bool { added.isEmpty && removed.isEmpty && modified.isEmpty && relabelled.isEmpty }
  public var count: Int { added.count + removed.count + modified.count + relabelled.count }
}

/// `tessera status`: staged changes (index against HEAD) and changes in the folder not yet staged.
public struct StatusReport: Sendable, Codable {
  public var branch: String?
  public var head: String?
  public var staged = PathChanges()
  /// Tracked files changed or deleted in the folder since they were staged (`modified`, `removed`).
  public var unstaged = PathChanges()
  public var untracked: [String] = []
  /// Tracked files a partial checkout left out of the folder (on purpose; not deletions).
  public var notCheckedOut = 0
  public var isClean: Bool { staged.isEmpty && unstaged.isEmpty && untracked.isEmpty }
}

/// A file in the folder whose content differs from the staged one (or is untracked), hashed but not stored.
struct WorktreeState {
  var index: StagingIndex
  var changed: [String: TrackedFile] = [:]  // path → file as it is now (modified or untracked)
  var deleted: [String] = []
  var notCheckedOut = 0
  var untracked: Set<String> = []
  var refreshed: [String: FileStat] = [:]   // stat-only changes: content equal to the staged object
}

extension Store {
  public func status() throws -> StatusReport {
    if let clean = cleanStatus() { return clean }
    let state = try scanWorktree()
    var report = StatusReport()
    try withGit {
      report.branch = try repo.currentBranch()
      let head = try repo.headCommit()
      report.head = head?.hex
      report.staged = try stagedChanges(index: state.index, head: head)
    }
    for (path, _) in state.changed where !state.untracked.contains(path) { report.unstaged.modified.append(path) }
    report.unstaged.modified.sort()
    report.unstaged.removed = state.deleted.sorted()
    report.notCheckedOut = state.notCheckedOut
    report.untracked = state.untracked.sorted()
    refreshStatCache(state)
    return report
  }

  /// Compares the folder with the index: stat first, hashing only files whose stat changed.
  func scanWorktree(progress: ProgressHandler? = nil) throws -> WorktreeState {
    // The index loads on another core while this one lists folders (the scan's single-threaded part).
    nonisolated(unsafe) var loaded: Result<StagingIndex, any Error>?
    let path = indexPath
    let loading = DispatchGroup()
    DispatchQueue.global().async(group: loading) { loaded = Result { try StagingIndex.load(path) } }
    var scanner = FileScanner(root: root)
    let scanned = Result { try scanner.scan("") }
    loading.wait()
    var state = WorktreeState(index: try loaded!.get())
    let files = try scanned.get()
    var suspects: [ScannedFile] = []
    var tracked = 0
    for (f, position) in zip(files, state.index.storedPositions(of: files.lazy.map(\.path))) {
      if let i = position {
        tracked += 1
        if state.index.storedStatAndObject(i).stat != f.stat { suspects.append(f) }
      } else {
        suspects.append(f)
      }
    }
    let labels = try loadLabelsFile()
    for h in try hashContents(suspects) {
      var (split, label) = TrackedFile.layoutLabels(for: h.path)
      if let l = labels[h.path] { label = l }
      let now = TrackedFile(path: h.path, object: h.id, size: h.size, image: h.image, split: split, label: label)
      if let e = state.index[h.path] {
        if e.file.object == h.id { state.refreshed[h.path] = h.stat } else { state.changed[h.path] = now }
      } else {
        state.changed[h.path] = now
        state.untracked.insert(h.path)
      }
    }
    // Every staged path was found (the common case) unless fewer were: only then build the set.
    if tracked < state.index.count {
      let seen = Set(files.lazy.map(\.path))
      let sparse = try sparseFilter()
      for entry in state.index.allEntries() where !seen.contains(entry.file.path) {
        let path = entry.file.path
        if Self.isNotCheckedOut(entry.file, sparse: sparse) { state.notCheckedOut += 1 } else { state.deleted.append(path) }
      }
    }
    return state
  }

  /// Hashes files without storing them (for status and diff against the folder).
  func hashContents(_ files: [ScannedFile]) throws -> [HashedFile] {
    let rootPath = root
    return try parallelMap(files.count) { i in
      let bytes = try readFile(rootPath + "/" + files[i].path)
      return HashedFile(path: files[i].path, stat: files[i].stat, id: ObjectID.hashing(bytes), size: Int64(bytes.count),
                        image: ImageInfo.sniff(bytes), bytes: nil)
    }
  }

  /// Records new stats for files that were only touched, so the next status does not hash them again.
  /// Best effort: skipped when a writer holds the lock.
  func refreshStatCache(_ state: WorktreeState) {
    guard !state.refreshed.isEmpty, let lock = try? lockForWriting() else { return }
    defer { withExtendedLifetime(lock) {} }
    guard var index = try? StagingIndex.load(indexPath) else { return }
    let recent = Self.nowNs() - 100_000_000
    for (path, stat) in state.refreshed where stat.mtimeNs < recent {
      index[path]?.stat = stat
    }
    try? index.write(indexPath)
  }

  func stagedChanges(index: StagingIndex, head: GitOID?) throws -> PathChanges {
    var changes = PathChanges()
    guard let head else {
      changes.added = index.paths
      return changes
    }
    if index.base == head.hex {
      // Only paths staged since the index matched HEAD can differ.
      let treeID = try repo.treeID(ofCommit: head)
      try repo.withTree(treeID) { tree in
        for path in index.touched.sorted() {
          var entry: OpaquePointer?
          let old: TrackedFile?
          if git_tree_entry_bypath(&entry, tree, path) == 0 {
            defer { git_tree_entry_free(entry) }
            old = try Pointer.parse(repo.blobBytes(GitOID(git_tree_entry_id(entry).pointee)), path: path)
          } else {
            old = nil
          }
          Self.classify(path, old: old, new: index[path]?.file, into: &changes)
        }
      }
    } else {
      let old = Dictionary(uniqueKeysWithValues: try files(ofCommit: head).map { ($0.path, $0) })
      for path in Set(old.keys).union(index.paths).sorted() {
        Self.classify(path, old: old[path], new: index[path]?.file, into: &changes)
      }
    }
    return changes
  }

  static func classify(_ path: String, old: TrackedFile?, new: TrackedFile?, into changes: inout PathChanges) {
    switch (old, new) {
    case (nil, _?): changes.added.append(path)
    case (_?, nil): changes.removed.append(path)
    case let (o?, n?) where o.object != n.object: changes.modified.append(path)
    case let (o?, n?) where o != n: changes.relabelled.append(path)
    default: break
    }
  }
}
