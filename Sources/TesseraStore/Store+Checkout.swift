import CGit2
import CStoreShims
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How checkout materialises files.
public enum LinkMode: String, Sendable, CaseIterable, Codable {
  /// Reflink where the object is a loose file and the filesystem can; copy otherwise.
  case auto
  /// Share extents with the object (loose objects on btrfs, XFS, ...); copy where impossible.
  case reflink
  /// Hard-link read-only files to loose objects (packed objects are unpacked first). Saves space; edit by copying.
  case hardlink
  /// Always write a private copy.
  case copy
}

public struct CheckoutReport: Sendable, Codable {
  public var revision: String
  public var commit: String
  public var written = 0
  public var removed = 0
  public var unchanged = 0
  public var reflinked = 0
  public var hardlinked = 0
  public var copied = 0
  /// Files of the version a partial checkout left absent.
  public var skipped = 0
}

extension Store {
  /// Makes the folder match a version (all of it, or only `paths`). Never overwrites or deletes a file that
  /// differs from what is staged unless `force`; refuses unsafe paths even in a tampered version.
  /// A full checkout moves HEAD (onto the branch when `revision` names one); a checkout of paths does not.
  ///
  /// With `only`, a full checkout still moves HEAD but writes just the files the filter selects (a partial
  /// checkout, as after a partial fetch); the others are recorded as staged but left absent, so `status`
  /// shows them as deleted and nothing else on disk is touched for them.
  @discardableResult
  public func checkout(_ revision: String, paths: [String] = [], only: VersionFilter? = nil, link: LinkMode = .auto,
                       force: Bool = false, progress: ProgressHandler? = nil) throws -> CheckoutReport {
    try checkout(revision, paths: paths, only: only, link: link, force: force, fastForward: nil, progress: progress)
  }

  /// Moves `branch` (which HEAD must be on) to `revision` and makes the folder match it: a pull's last step.
  /// The files change first; the branch moves only once they match.
  @discardableResult
  package func fastForward(branch: String, to revision: String, only: VersionFilter? = nil, link: LinkMode = .auto,
                           force: Bool = false, progress: ProgressHandler? = nil) throws -> CheckoutReport {
    try checkout(revision, paths: [], only: only, link: link, force: force, fastForward: branch, progress: progress)
  }

  private func checkout(_ revision: String, paths: [String], only: VersionFilter?, link: LinkMode, force: Bool,
                        fastForward: String?, progress: ProgressHandler?) throws -> CheckoutReport {
    let lock = try lockForWriting()
    defer { withExtendedLifetime(lock) {} }
    let commit = try withGit { repo in try repo.resolveCommit(revision) }
    var target = try withGit { try files(ofCommit: commit) }
    var leftAbsent: [TrackedFile] = []
    if let only, paths.isEmpty {
      leftAbsent = target.filter { !only.matches($0) }
      target = target.filter { only.matches($0) }
    } else if let only {
      target = target.filter { only.matches($0) }
    }
    if !paths.isEmpty {
      target = target.filter { f in paths.contains { Self.isUnder(f.path, $0) } }
      for p in paths where !target.contains(where: { Self.isUnder($0.path, p) }) {
        if p.isEmpty { throw StoreError(.badInput, "no file of version \(revision) matches the selection") }
        throw StoreError(.badInput, "\(p): not in version \(revision)")
      }
    }
    for f in target { try Self.checkSafe(f.path) }
    var index: StagingIndex
    do {
      index = try StagingIndex.load(indexPath)
    } catch let error as StoreError where error.kind == .corruptIndex && force && paths.isEmpty {
      // What the corrupt-index error tells the user to run: every file is then compared with the version itself.
      index = StagingIndex()
    }
    let targetByPath = try Self.byPath(target, where: "in version \(revision)")
    let toDelete = paths.isEmpty ? index.paths.filter { targetByPath[$0] == nil }.sorted() : []

    // Decide, before touching anything, what each path needs; collect what would be lost.
    var conflicts: [String] = []
    var writes: [CheckoutWrite] = []
    var report = CheckoutReport(revision: revision, commit: commit.hex)
    var safeFolders = Set<String>()
    for f in target {
      try checkParents(f.path, known: &safeFolders)
      switch try onDisk(f.path, staged: index[f.path], target: f.object) {
      case .missing: writes.append(CheckoutWrite(file: f, replaces: false))
      case .matchesTarget(let stat):
        report.unchanged += 1
        index[f.path] = .init(file: f, stat: stat)
      case .clean: writes.append(CheckoutWrite(file: f, replaces: true))
      case .dirty:
        if force { writes.append(CheckoutWrite(file: f, replaces: true)) } else { conflicts.append(f.path) }
      }
    }
    // Files the filter leaves out: one already right stays; an older copy on disk is brought up to date when
    // its object is here, else removed (it would pass for the new version's file); a changed one is a conflict.
    var leftOut: [TrackedFile] = []
    for f in leftAbsent {
      try checkParents(f.path, known: &safeFolders)
      switch try onDisk(f.path, staged: index[f.path], target: f.object) {
      case .matchesTarget(let stat):
        report.unchanged += 1
        index[f.path] = .init(file: f, stat: stat)
      case .missing:
        index[f.path] = .init(file: f, stat: .untrusted)
        report.skipped += 1
      case .clean where objects.contains(f.object):
        writes.append(CheckoutWrite(file: f, replaces: true))
      case .clean:
        leftOut.append(f)
      case .dirty:
        if !force { conflicts.append(f.path) } else if objects.contains(f.object) {
          writes.append(CheckoutWrite(file: f, replaces: true))
        } else {
          leftOut.append(f)
        }
      }
    }
    var deletes: [String] = []
    for path in toDelete {
      try checkParents(path, known: &safeFolders)
      switch try onDisk(path, staged: index[path], target: nil) {
      case .missing: index[path] = nil
      case .clean, .matchesTarget: deletes.append(path)
      case .dirty: if force { deletes.append(path) } else { conflicts.append(path) }
      }
    }
    if !conflicts.isEmpty {
      let shown = conflicts.prefix(5).joined(separator: ", ")
      throw StoreError(.wouldOverwrite, "checkout would overwrite or delete \(conflicts.count) changed or untracked file(s) (\(shown)\(conflicts.count > 5 ? ", ..." : "")); commit or move them, or pass --force")
    }

    let results = try materialise(writes, link: link, progress: progress)
    let recent = Self.nowNs() - 100_000_000
    for (file, stat, how) in results {
      index[file.path] = .init(file: file, stat: stat.mtimeNs >= recent ? .untrusted : stat)
      switch how {
      case .reflink: report.reflinked += 1
      case .hardlink: report.hardlinked += 1
      default: report.copied += 1
      }
    }
    report.written = results.count
    for path in deletes {
      if unlink(root + "/" + path) != 0 && errno != ENOENT { throw StoreError.fromErrno(errno, "unlink", path) }
      index[path] = nil
      report.removed += 1
      removeEmptyParents(path)
    }
    for f in leftOut {
      if unlink(root + "/" + f.path) != 0 && errno != ENOENT { throw StoreError.fromErrno(errno, "unlink", f.path) }
      index[f.path] = .init(file: f, stat: .untrusted)
      report.skipped += 1
      removeEmptyParents(f.path)
    }
    if paths.isEmpty {
      index.base = commit.hex
      index.touched = []
      try index.write(indexPath)
      try setSparseFilter(only)
      try withGit { repo in
        var oid = commit.raw
        var ref: OpaquePointer?
        if let branch = fastForward {
          try git("git_reference_create") {
            git_reference_create(&ref, repo.handle, "refs/heads/\(branch)", &oid, 1, "tessera pull: fast-forward")
          }
          git_reference_free(ref)
          try git("git_repository_set_head") { git_repository_set_head(repo.handle, "refs/heads/\(branch)") }
        } else if revision == "HEAD", try repo.currentBranch() != nil {
          // As git: checking out HEAD (the corrupt-index recovery) stays on the branch.
        } else if git_reference_lookup(&ref, repo.handle, "refs/heads/\(revision)") == 0 {
          git_reference_free(ref)
          try git("git_repository_set_head") { git_repository_set_head(repo.handle, "refs/heads/\(revision)") }
        } else {
          try git("git_repository_set_head_detached") { git_repository_set_head_detached(repo.handle, &oid) }
        }
      }
    } else {
      for f in target { index.touched.insert(f.path) }
      try index.write(indexPath)
    }
    return report
  }

  enum DiskState { case missing, matchesTarget(FileStat), clean, dirty }

  /// Whether the file at `path` may be replaced: absent, already the target, equal to the staged file, or changed.
  func onDisk(_ path: String, staged: StagingIndex.Entry?, target: ObjectID?) throws -> DiskState {
    var st = stat()
    guard lstat(root + "/" + path, &st) == 0 else {
      if errno == ENOENT { return .missing }
      throw StoreError.fromErrno(errno, "lstat", path)
    }
    guard (st.st_mode & S_IFMT) == S_IFREG else { return .dirty }
    let now = FileScanner.fileStat(st)
    if let staged, staged.stat == now {
      return staged.file.object == target ? .matchesTarget(now) : .clean
    }
    let bytes = try readFile(root + "/" + path, leavingAccessTime: true)
    let id = ObjectID.hashing(bytes)
    if id == target { return .matchesTarget(now) }
    if let staged, staged.file.object == id { return .clean }
    // An untracked file that is a strict beginning of the target: what a killed checkout leaves behind
    // (new files are written in place). Writing the whole target over it loses nothing.
    if staged == nil, let target, bytes.count < objects.size(of: target) ?? 0,
       try objects.read(target).starts(with: bytes) {
      return .clean
    }
    return .dirty
  }

  /// Refuses paths that could escape the folder: absolute, `..`, empty parts, or the store's own folder.
  static func checkSafe(_ path: String) throws {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    let bad = path.hasPrefix("/") || path.isEmpty || path.contains("\0") || parts.contains { $0.isEmpty || $0 == "." || $0 == ".." }
      || parts.first == ".tessera" || parts.first == ".git"
    if bad { throw StoreError(.unsafePath, "refusing unsafe path in version: '\(path)'") }
  }

  /// Refuses to write through a symbolic link anywhere above `path`. Folders already checked go into `known`,
  /// so 70,000 files in 20 folders cost 20 checks, not 140,000.
  func checkParents(_ path: String, known: inout Set<String>) throws {
    let folder = parentDirectory(path)
    if folder.isEmpty || known.contains(folder) { return }
    if try checkParents(path) { known.insert(folder) }  // only folders that exist and passed
  }

  /// Refuses to write through a symbolic link anywhere above `path`; returns whether every folder above it exists.
  func checkParents(_ path: String) throws -> Bool {
    var prefix = root
    for part in path.split(separator: "/").dropLast() {
      prefix += "/" + part
      var st = stat()
      if lstat(prefix, &st) != 0 { return false }  // does not exist yet: nothing below it can
      if (st.st_mode & S_IFMT) == S_IFLNK {
        throw StoreError(.unsafePath, "refusing to write '\(path)' through the symbolic link '\(prefix.dropFirst(root.count + 1))'")
      }
      if (st.st_mode & S_IFMT) != S_IFDIR {
        throw StoreError(.wouldOverwrite, "cannot write '\(path)': '\(prefix.dropFirst(root.count + 1))' is a file")
      }
    }
    return true
  }

  func removeEmptyParents(_ path: String) {
    var dir = parentDirectory(path)
    while !dir.isEmpty && rmdir(root + "/" + dir) == 0 { dir = parentDirectory(dir) }
  }

  enum Materialised: Sendable { case reflink, hardlink, copy }

  /// A file to write, and whether a file already sits at its path (then it is replaced by rename).
  struct CheckoutWrite: Sendable {
    var file: TrackedFile
    var replaces: Bool
  }

  /// Writes files on every core. New files are created in place with O_EXCL (one folder operation, like git);
  /// files that replace an existing one go to a temporary name beside it and are renamed over it, so the old
  /// content stays whole until the new one is.
  func materialise(_ writes: [CheckoutWrite], link: LinkMode, progress: ProgressHandler?) throws -> [(TrackedFile, FileStat, Materialised)] {
    // Folders first, once each, on one thread.
    var made = Set<String>()
    for w in writes {
      let dir = parentDirectory(w.file.path)
      if !dir.isEmpty && made.insert(dir).inserted { try makeDirectories(root + "/" + dir) }
    }
    if link == .hardlink {
      for id in Set(writes.map(\.file.object)) where objects.locateLoose(id) == nil { try objects.unpack(id) }
    }
    let rootPath = root
    let objectStore = objects
    let done = Counter()
    // Large contiguous chunks: sorted paths keep each core in its own folder most of the time.
    let chunk = max(64, writes.count / (availableCores * 8))
    return try parallelMap(writes.count, chunk: chunk) { i in
      defer {
        let n = done.increment() + 1
        if n % 1000 == 0 || n == writes.count { progress?(n, writes.count) }
      }
      return try Self.writeOne(writes[i], root: rootPath, objects: objectStore, link: link)
    }
  }

  static func writeOne(_ write: CheckoutWrite, root: String, objects: ObjectStore, link: LinkMode) throws -> (TrackedFile, FileStat, Materialised) {
    let file = write.file
    let final = root + "/" + file.path
    let destination = write.replaces
      ? parentDirectory(final) + "/" + FileScanner.temporaryPrefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
      : final
    var how = Materialised.copy
    var st = stat()
    if link == .hardlink, let loose = objects.locateLoose(file.object) {
      try syscall("link", file.path) { Glibc.link(loose, destination) }
      how = .hardlink
    } else {
      let fd = try syscall("open", file.path) { Glibc.open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
      do {
        defer { close(fd) }
        // One lookup: packed objects (the common case) never probe the loose folder.
        let location = objects.locate(file.object)
        if link != .copy, case .loose(let loose)? = location {
          let src = try syscall("open", loose) { Glibc.open(loose, O_RDONLY | O_CLOEXEC) }
          defer { close(src) }
          if CStoreShims_reflink(fd, src) == 0 { how = .reflink }
        }
        if how == .copy { try writeAll(fd: fd, path: file.path, try objects.read(file.object)) }
        // The written file's stat, without a second path lookup (rename below changes only the folder).
        try syscall("fstat", file.path) { fstat(fd, &st) }
      } catch {
        unlink(destination)
        throw error
      }
    }
    if write.replaces {
      do {
        try syscall("rename", file.path) { rename(destination, final) }
      } catch {
        unlink(destination)
        throw error
      }
    }
    if how == .hardlink || write.replaces {
      // rename changes the inode's ctime on some filesystems; read the stat the stat cache will compare with.
      try syscall("lstat", file.path) { lstat(final, &st) }
    }
    return (file, FileScanner.fileStat(st), how)
  }
}

extension ObjectStore {
  func locateLoose(_ id: ObjectID) -> String? {
    let path = loosePath(id)
    return fileExists(path) ? path : nil
  }

  /// Writes a packed object out as a read-only loose file (for hard links).
  func unpack(_ id: ObjectID) throws {
    let bytes = try read(id)
    let path = loosePath(id)
    try makeDirectories(parentDirectory(path))
    let tmp = path + ".tmp-\(getpid())"
    let fd = try syscall("open", tmp) { Glibc.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o444) }
    defer { close(fd) }
    try writeAll(fd: fd, path: tmp, bytes)
    try syscall("fsync", tmp) { fsync(fd) }
    try syscall("rename", path) { rename(tmp, path) }
  }
}
