#if canImport(Glibc)
import Glibc
#endif

/// A regular file found under the dataset root.
struct ScannedFile: Sendable {
  var path: String  // relative, `/`-separated
  /// `FileStat.untrusted` when the scan did not stat the file (`FileScanner.statsRegularFiles`).
  var stat: FileStat
  /// More than one name for its inode (a hard link): writing through another name changes it without an event
  /// for this one, so a file-system monitor cannot vouch for the folder.
  var sharesInode = false
  /// Whether `stat` and `sharesInode` come from a stat; if not, whoever opens the file takes them with `fstat`.
  var statKnown: Bool { stat != .untrusted }
}

/// Walks folders with readdir + lstat (FileManager's enumerator is several times slower on large trees).
/// Skips the store's own folder, `.git`, and symbolic links, which it reports instead of following.
struct FileScanner {
  let root: String
  var skippedLinks: [String] = []
  /// Temporary files of a checkout that was killed before renaming them into place.
  var leftoverTemporaries: [String] = []
  static let temporaryPrefix = ".tessera-tmp-"
  /// Whether the walk stats the entries readdir calls regular files. A first `add` opens every file to hash it
  /// anyway, and `fstat` on the open descriptor gives the same answer without a second path lookup per file.
  var statsRegularFiles = true
  /// Each folder listed, with its stat and entry count, for `status` to skip listing it again (``FolderListings``).
  var listings: [String: FolderListings.Listing] = [:]

  init(root: String) { self.root = root }

  static func fileStat(_ st: stat) -> FileStat {
    FileStat(size: Int64(st.st_size),
             mtimeNs: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
             ctimeNs: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec),
             inode: UInt64(st.st_ino))
  }

  /// Every regular file at or below `relative` ("" for the whole root).
  mutating func scan(_ relative: String) throws -> [ScannedFile] {
    var out: [ScannedFile] = []
    let full = relative.isEmpty ? root : root + "/" + relative
    var st = stat()
    guard lstat(full, &st) == 0 else { throw StoreError.fromErrno(errno, "lstat", relative.isEmpty ? "." : relative) }
    if (st.st_mode & S_IFMT) == S_IFREG {
      out.append(ScannedFile(path: relative, stat: Self.fileStat(st), sharesInode: st.st_nlink > 1))
    } else if (st.st_mode & S_IFMT) == S_IFDIR {
      try walk(relative, into: &out)
    } else if (st.st_mode & S_IFMT) == S_IFLNK {
      skippedLinks.append(relative)
    }
    return out
  }

  /// The regular files at or below each of `paths` (what a monitor reported changed), each found once. A path
  /// that is gone yields nothing; the store's own folders and a checkout's temporary files are skipped.
  mutating func scan(candidates paths: [String]) throws -> [ScannedFile] {
    var kept = Set<String>()
    var out: [ScannedFile] = []
    for path in Set(paths).sorted(by: { $0.utf8.count < $1.utf8.count }) {  // a folder before what lies below it
      let parts = path.split(separator: "/", omittingEmptySubsequences: false)
      if path.isEmpty || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) || parts[0] == ".tessera" || parts[0] == ".git"
        || parts.last!.hasPrefix(Self.temporaryPrefix) { continue }
      var ancestor = ""
      var covered = false
      for part in parts.dropLast() {
        ancestor = ancestor.isEmpty ? String(part) : ancestor + "/" + part
        if kept.contains(ancestor) { covered = true; break }
      }
      if covered { continue }
      kept.insert(path)
      var st = stat()
      guard lstat(root + "/" + path, &st) == 0 else {
        if errno == ENOENT || errno == ENOTDIR { continue }  // gone: the caller finds its staged files missing
        throw StoreError.fromErrno(errno, "lstat", path)
      }
      switch st.st_mode & S_IFMT {
      case S_IFREG: out.append(ScannedFile(path: path, stat: Self.fileStat(st), sharesInode: st.st_nlink > 1))
      case S_IFDIR: try walk(path, into: &out)
      case S_IFLNK: skippedLinks.append(path)
      default: break
      }
    }
    return out
  }

  /// One folder's entries that are not known to be folders, to be stat'ed (a slice of a big folder), and
  /// whether readdir called each one a regular file.
  private struct StatJob: Sendable {
    var folder: String
    var names: ArraySlice<(name: String, regular: Bool)>
  }

  private struct StatResult: Sendable {
    var files: [ScannedFile] = []
    var folders: [String] = []
    var links: [String] = []
  }

  /// Lists folders depth first with readdir alone (d_type tells folders apart without a stat), then stats
  /// every other entry on all cores, a folder (or 4,096 names of one) at a time, relative to an open
  /// folder descriptor. Output order is the same depth-first, name-sorted order as a sequential walk.
  private mutating func walk(_ relative: String, into out: inout [ScannedFile]) throws {
    var jobs: [StatJob] = []
    var childFolders: [String: [String]] = [:]
    try list(relative, jobs: &jobs, childFolders: &childFolders)
    let rootPath = root, statsRegular = statsRegularFiles
    let work = jobs
    let results = try parallelMap(work.count) { j in try Self.statNames(work[j], root: rootPath, statsRegular: statsRegular) }
    // Entries whose d_type was unknown and turned out to be folders are walked the same way.
    var filesByFolder: [String: [ScannedFile]] = [:]
    for (job, result) in zip(jobs, results) {
      filesByFolder[job.folder, default: []] += result.files
      skippedLinks += result.links
      for folder in result.folders {
        var more: [ScannedFile] = []
        try walk(folder, into: &more)
        filesByFolder[folder, default: []] += more
        childFolders[job.folder, default: []].append(folder)
      }
    }
    func emit(_ folder: String) {
      out += filesByFolder[folder] ?? []
      // Sorted again: children found late (unknown d_type) were appended after the others.
      for child in (childFolders[folder] ?? []).sorted() { emit(child) }
    }
    emit(relative)
  }

  /// readdir only: records the folders below `relative` and the names to stat.
  private mutating func list(_ relative: String, jobs: inout [StatJob], childFolders: inout [String: [String]]) throws {
    let full = relative.isEmpty ? root : root + "/" + relative
    let dirfd = Glibc.open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
    guard dirfd >= 0 else { throw StoreError.fromErrno(errno, "open", relative.isEmpty ? "." : relative) }
    // The folder's stat before its listing: a change during the listing changes the stat, so the count recorded
    // with it is never one the folder no longer has.
    let listedAt = Store.nowNs()
    var folderStat = stat()
    let statted = fstat(dirfd, &folderStat) == 0
    guard let dir = fdopendir(dirfd) else {
      close(dirfd)
      throw StoreError.fromErrno(errno, "fdopendir", relative)
    }
    var names: [(name: String, regular: Bool)] = []
    var subfolders: [String] = []
    var entries = 0
    while let entry = readdir(dir) {
      if FolderListings.countsAsEntry(directoryEntryNameBytes(entry), inRoot: relative.isEmpty) { entries += 1 }
      let name = directoryEntryName(entry)
      if name == "." || name == ".." { continue }
      if relative.isEmpty && (name == ".tessera" || name == ".git") { continue }
      let child = relative.isEmpty ? name : relative + "/" + name
      if name.hasPrefix(Self.temporaryPrefix) {
        leftoverTemporaries.append(child)
        continue
      }
      let type = entry.pointee.d_type
      if type == UInt8(DT_DIR) { subfolders.append(child) } else { names.append((name, type == UInt8(DT_REG))) }
    }
    closedir(dir)
    if statted, case let stat = Self.fileStat(folderStat), FolderListings.trusted(stat, listedAtNs: listedAt) {
      listings[relative] = FolderListings.Listing(stat: stat, entries: entries)
    }
    names.sort { $0.name < $1.name }
    subfolders.sort()
    childFolders[relative] = subfolders
    var start = 0
    repeat {
      let end = min(names.count, start + 4096)
      jobs.append(StatJob(folder: relative, names: names[start..<end]))
      start = end
    } while start < names.count
    for folder in subfolders { try list(folder, jobs: &jobs, childFolders: &childFolders) }
  }

  private static func statNames(_ job: StatJob, root: String, statsRegular: Bool) throws -> StatResult {
    var result = StatResult()
    if job.names.isEmpty { return result }
    let prefix = job.folder.isEmpty ? "" : job.folder + "/"
    let full = job.folder.isEmpty ? root : root + "/" + job.folder
    let dirfd = Glibc.open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
    guard dirfd >= 0 else { throw StoreError.fromErrno(errno, "open", job.folder.isEmpty ? "." : job.folder) }
    defer { close(dirfd) }
    result.files.reserveCapacity(job.names.count)
    for (name, regular) in job.names {
      if regular && !statsRegular {
        result.files.append(ScannedFile(path: prefix + name, stat: .untrusted))
        continue
      }
      // stat relative to the open folder: no path lookup from the root for each of 70,000 files.
      var st = stat()
      guard fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
        if errno == ENOENT { continue }  // vanished between readdir and stat: simply not there
        throw StoreError.fromErrno(errno, "lstat", prefix + name)
      }
      switch st.st_mode & S_IFMT {
      case S_IFREG: result.files.append(ScannedFile(path: prefix + name, stat: fileStat(st), sharesInode: st.st_nlink > 1))
      case S_IFDIR: result.folders.append(prefix + name)
      case S_IFLNK: result.links.append(prefix + name)
      default: break
      }
    }
    return result
  }
}
