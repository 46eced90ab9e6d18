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
  var links: [String] = []
  /// A hard-linked file was seen: the monitor cannot vouch for the folder (see `ScannedFile.sharesInode`).
  var sharedInodes = false

  /// Paths whose folder state differs from the index (a monitor's snapshot must keep comparing them), apart
  /// from `refreshed`, which the caller may have written to the index.
  var differingPaths: [String] { Array(changed.keys) + deleted + links }
}

extension Store {
  public func status() throws -> StatusReport {
    // With a monitor, only what it reports (and what differed last time) is compared.
    var monitor: (view: MonitorView, index: StagingIndex)?
    // The common answer first: the monitor saw nothing change since this exact index was compared with the
    // folder, and the index matches HEAD; then its 10 MB of entries need not even be read.
    var asked: (checksum: [UInt8], view: MonitorView)?
    let summary = try? StagingIndex.summary(indexPath)
    if let summary, let view = consultMonitor(indexChecksum: summary.checksum, indexFile: summary.file) {
      if view.candidates?.isEmpty == true, summary.touched.isEmpty, let clean = try unchangedStatus(base: summary.base) {
        return clean
      }
      asked = (summary.checksum, view)
    }
    // The monitor's answer holds for the index it was asked about; another writer may have replaced it since.
    // No answer about a summarised index means no monitor: the comparison below reads the index its own way.
    if summary == nil || asked != nil, let index = try? StagingIndex.load(indexPath),
       let view = (asked?.checksum == index.checksum ? asked?.view : nil) ?? consultMonitor(index) {
      monitor = (view, index)
      if let candidates = view.candidates {
        if candidates.isEmpty, index.touched.isEmpty, let base = index.base, let clean = try unchangedStatus(base: base) {
          return clean
        }
        openVersionsInBackground()
        return try statusReport(scanWorktree(only: candidates, index: index), monitorToken: view.token)
      }
    }
    if let (clean, checksum, sharedInodes) = cleanStatus() {
      if let monitor, monitor.index.checksum == checksum, !sharedInodes {
        recordMonitorSnapshot(token: monitor.view.token, index: checksum, dirty: [])
      }
      return clean
    }
    openVersionsInBackground()  // the comparison below ends with staged changes against HEAD's version
    return try statusReport(scanWorktree(index: monitor?.index), monitorToken: monitor?.view.token)
  }

  /// Status when nothing in the folder changed since the index was last compared with it: only staged changes
  /// can remain, and with an index that matches HEAD there are none. Nil when that takes a comparison.
  func unchangedStatus(base: String) throws -> StatusReport? {
    guard let head = try headAndBranch(), base == head.commit else { return nil }
    var report = StatusReport()
    report.branch = head.branch
    report.head = head.commit
    return report
  }

  /// HEAD's commit and branch (nil before the first commit): read from the repository's files when they are
  /// plain, so that a no-op status never sets up libgit2 (``GitHead``), else from libgit2.
  func headAndBranch() throws -> GitHead? {
    if let head = GitHead.read(gitDirectory: gitDirectory) { return head }
    return try withGit { repo in try repo.headCommit().map { GitHead(commit: $0.hex, branch: try repo.currentBranch()) } }
  }

  private func statusReport(_ state: WorktreeState, monitorToken: String?) throws -> StatusReport {
    var report = StatusReport()
    try withGit { repo in
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
    let refreshed = refreshStatCache(state)
    if monitorToken != nil && state.sharedInodes {
      unlink(monitorSnapshotPath)  // every status compares everything while hard links are in the folder
    } else if let monitorToken {
      // The index the comparison was made against, or the one whose stats were just refreshed from it.
      let checksum = refreshed?.checksum ?? state.index.checksum
      let stillDirty = state.refreshed.keys.filter { !(refreshed?.paths.contains($0) ?? false) }
      recordMonitorSnapshot(token: monitorToken, index: checksum, dirty: state.differingPaths + stillDirty)
    }
    return report
  }

  /// Compares the folder with the index: stat first, hashing only files whose stat changed. `candidates` (from a
  /// monitor) limits the comparison to those paths and what lies below them; nil compares everything.
  func scanWorktree(progress: ProgressHandler? = nil, only candidates: [String]? = nil, index loadedIndex: StagingIndex? = nil)
    throws -> WorktreeState {
    // The index loads on another core while this one lists folders (the scan's single-threaded part).
    nonisolated(unsafe) var loaded: Result<StagingIndex, any Error>? = loadedIndex.map { .success($0) }
    let path = indexPath
    let loading = DispatchGroup()
    if loaded == nil { DispatchQueue.global().async(group: loading) { loaded = Result { try StagingIndex.load(path) } } }
    var scanner = FileScanner(root: root)
    let scanned = Result { try candidates.map { try scanner.scan(candidates: $0) } ?? scanner.scan("") }
    loading.wait()
    var state = WorktreeState(index: try loaded!.get())
    let files = try scanned.get()
    rememberListings(scanner.listings, wholeRoot: candidates == nil)
    state.links = scanner.skippedLinks
    state.sharedInodes = files.contains(where: \.sharesInode)
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
    let sparse = try sparseFilter()
    func missing(_ entry: StagingIndex.Entry) {
      if Self.isNotCheckedOut(entry.file, sparse: sparse) { state.notCheckedOut += 1 } else { state.deleted.append(entry.file.path) }
    }
    if let candidates {
      // Staged files at or below a reported path that the scan did not find are gone.
      let seen = Set(files.lazy.map(\.path))
      var positions = Set<Int>()
      for candidate in candidates { positions.formUnion(state.index.storedPositions(atOrUnder: candidate)) }
      for i in positions.sorted() {
        let entry = state.index.storedEntry(i)
        if !seen.contains(entry.file.path) { missing(entry) }
      }
    } else if tracked < state.index.count {
      // Every staged path was found (the common case) unless fewer were: only then build the set.
      let seen = Set(files.lazy.map(\.path))
      for entry in state.index.allEntries() where !seen.contains(entry.file.path) { missing(entry) }
    }
    return state
  }

  /// Hashes files without storing them (for status and diff against the folder).
  func hashContents(_ files: [ScannedFile]) throws -> [HashedFile] {
    let rootPath = root
    return try parallelMap(files.count) { i in
      let bytes = try readFile(rootPath + "/" + files[i].path, leavingAccessTime: true)
      return HashedFile(path: files[i].path, stat: files[i].stat, id: ObjectID.hashing(bytes), size: Int64(bytes.count),
                        image: ImageInfo.sniff(bytes), bytes: nil)
    }
  }

  /// Records new stats for files that were only touched, so the next status does not hash them again.
  /// Best effort: skipped when a writer holds the lock, or the index changed since `state` was compared with it.
  /// Returns the new index's checksum and the paths refreshed, when it wrote one.
  func refreshStatCache(_ state: WorktreeState) -> (checksum: [UInt8], paths: Set<String>)? {
    guard !state.refreshed.isEmpty, let lock = try? lockForWriting() else { return nil }
    defer { withExtendedLifetime(lock) {} }
    guard var index = try? StagingIndex.load(indexPath), index.checksum == state.index.checksum else { return nil }
    let recent = Self.nowNs() - 100_000_000
    var paths = Set<String>()
    for (path, stat) in state.refreshed where stat.mtimeNs < recent && index[path] != nil {
      index[path]!.stat = stat
      paths.insert(path)
    }
    guard !paths.isEmpty, let checksum = try? index.write(indexPath) else { return nil }
    return (checksum, paths)
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
      let old = try Self.byPath(try files(ofCommit: head), where: "in version \(head.hex.prefix(12))")
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
