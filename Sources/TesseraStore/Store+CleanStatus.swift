#if canImport(Glibc)
import Glibc
#endif

/// The shortcut of `status` for its most common answer, "nothing changed": git's way. Every staged file is
/// `stat`ed by name inside its folder's descriptor and compared with the stat recorded when it was hashed, and
/// every folder is listed only to count its entries: when a folder holds exactly as many entries as it has staged
/// files and staged sub-folders, and all of those exist, there is nothing untracked in it (names are unique).
/// Any difference, or anything unusual (a partial checkout, a racily-clean entry whose stat is untrusted, staged
/// changes, a symbolic link, a leftover temporary file, an unreadable folder), returns nil and `status` takes
/// its full path, which hashes what it must.
extension Store {
  /// The report, the checksum of the index it found the folder matching, and whether a file had hard links.
  func cleanStatus() -> (StatusReport, checksum: [UInt8], sharedInodes: Bool)? {
    var trace = PerformanceTrace("status")
    guard !fileExists(sparsePath), let index = try? IndexStats.load(indexPath), index.touchedCount == 0,
          let base = index.base else { return nil }
    trace.mark("load index")
    let headInfo: (head: GitOID?, branch: String?)? = try? withGit { repo in (try repo.headCommit(), try repo.currentBranch()) }
    guard let headInfo, let head = headInfo.head, head.hex == base else { return nil }
    trace.mark("read HEAD")
    // Largest first, so that both cores finish together (a big folder taken last would leave one core idle).
    let folders = index.folders.values.sorted { $0.names.count > $1.names.count }
    let rootPath = root
    let results = (try? index.bytes.withUnsafeBytes { raw -> [(unchanged: Bool, linked: Bool)] in
      nonisolated(unsafe) let bytes = raw
      return try parallelMap(folders.count) { i in Self.folderUnchanged(folders[i], root: rootPath, bytes: bytes) }
    }) ?? [(false, false)]
    trace.mark("stat files")
    guard !results.contains(where: { !$0.unchanged }) else { return nil }
    var report = StatusReport()
    report.branch = headInfo.branch
    report.head = head.hex
    return (report, index.checksum, results.contains(where: \.linked))
  }

  /// Whether every staged file of `folder` has its recorded stat and the folder holds nothing else.
  private static func folderUnchanged(_ folder: IndexStats.Folder, root: String, bytes: UnsafeRawBufferPointer)
    -> (unchanged: Bool, linked: Bool) {
    var linked = false
    let full = folder.path.isEmpty ? root : root + "/" + folder.path
    let folderFD = Glibc.open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
    guard folderFD >= 0 else { return (false, linked) }
    var name = [CChar](repeating: 0, count: 256)
    for (k, range) in folder.names.enumerated() {
      if range.length + 1 > name.count { name = [CChar](repeating: 0, count: range.length + 1) }
      name.withUnsafeMutableBytes { out in
        out.baseAddress!.copyMemory(from: bytes.baseAddress! + range.offset, byteCount: range.length)
        out[range.length] = 0
      }
      var st = stat()
      guard fstatat(folderFD, name, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFREG,
            FileScanner.fileStat(st) == folder.stats[k] else {
        close(folderFD)
        return (false, linked)
      }
      if st.st_nlink > 1 { linked = true }
    }
    // fdopendir owns the descriptor from here on.
    guard let dir = fdopendir(folderFD) else {
      close(folderFD)
      return (false, linked)
    }
    defer { closedir(dir) }
    var entries = 0
    while let entry = readdir(dir) {
      let raw = directoryEntryNameBytes(entry)
      let skipped: Bool
      if raw.count == 1 && raw[0] == UInt8(ascii: ".") || raw.count == 2 && raw[0] == UInt8(ascii: ".") && raw[1] == UInt8(ascii: ".") {
        skipped = true
      } else if folder.path.isEmpty {
        let name = String(decoding: raw, as: UTF8.self)
        skipped = name == ".tessera" || name == ".git"
      } else {
        skipped = false
      }
      if !skipped { entries += 1 }
    }
    guard entries == folder.names.count + folder.children.count else { return (false, linked) }
    // Every staged sub-folder must be a folder (not a file or link of that name); its own check lists it.
    for child in folder.children {
      var st = stat()
      guard fstatat(dirfd(dir), child, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
        return (false, linked)
      }
    }
    return (true, linked)
  }
}
