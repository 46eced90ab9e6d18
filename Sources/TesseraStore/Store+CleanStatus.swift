#if canImport(Glibc)
import Glibc
#endif

/// The shortcut of `status` for its most common answer, "nothing changed": git's way. Every staged file is
/// `stat`ed by name inside its folder's descriptor and compared with the stat recorded when it was hashed, and
/// every folder's entries are counted: when a folder holds exactly as many entries as it has staged files and
/// staged sub-folders, and all of those exist, there is nothing untracked in it (names are unique). The count comes
/// from the folder's last listing while its stat is the one recorded then (`FolderListings`), else from readdir.
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
    guard let clean = (try? unchangedStatus(base: base)) ?? nil else { return nil }
    trace.mark("read HEAD")
    // Largest first, so that both cores finish together (a big folder taken last would leave one core idle).
    let folders = index.folders.values.sorted { $0.names.count > $1.names.count }
    let rootPath = root
    let listings = FolderListings.load(folderListingsPath)
    let results = (try? index.bytes.withUnsafeBytes { raw -> [FolderCheck] in
      nonisolated(unsafe) let bytes = raw
      return try parallelMap(folders.count) { i in
        Self.folderUnchanged(folders[i], root: rootPath, bytes: bytes, listed: listings.byFolder[folders[i].path])
      }
    }) ?? [FolderCheck(unchanged: false)]
    trace.mark("stat files")
    var listed: [String: FolderListings.Listing] = [:]
    for (folder, result) in zip(folders, results) { if let listing = result.newListing { listed[folder.path] = listing } }
    if !listed.isEmpty { rememberListings(listed, wholeRoot: false) }
    guard !results.contains(where: { !$0.unchanged }) else { return nil }
    return (clean, index.checksum, results.contains(where: \.linked))
  }

  private struct FolderCheck: Sendable {
    var unchanged: Bool
    var linked = false
    /// The folder's count and stat when it was listed (not when its stat matched a recorded listing).
    var newListing: FolderListings.Listing?
  }

  /// Whether every staged file of `folder` has its recorded stat and the folder holds nothing else. The folder is
  /// listed to count its entries unless its stat is that of `listed`, its last listing.
  private static func folderUnchanged(_ folder: IndexStats.Folder, root: String, bytes: UnsafeRawBufferPointer,
                                      listed: FolderListings.Listing?) -> FolderCheck {
    var linked = false
    let full = folder.path.isEmpty ? root : root + "/" + folder.path
    let folderFD = Glibc.open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
    guard folderFD >= 0 else { return FolderCheck(unchanged: false) }
    // Taken before anything is compared: a change after it changes the folder's stat.
    let listedAt = Store.nowNs()
    var folderStat = stat()
    guard fstat(folderFD, &folderStat) == 0 else {
      close(folderFD)
      return FolderCheck(unchanged: false)
    }
    let currentStat = FileScanner.fileStat(folderStat)
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
        return FolderCheck(unchanged: false, linked: linked)
      }
      if st.st_nlink > 1 { linked = true }
    }
    // fdopendir owns the descriptor from here on.
    guard let dir = fdopendir(folderFD) else {
      close(folderFD)
      return FolderCheck(unchanged: false, linked: linked)
    }
    defer { closedir(dir) }
    var entries = 0
    var newListing: FolderListings.Listing?
    if let listed, listed.stat == currentStat {
      entries = listed.entries
    } else {
      while let entry = readdir(dir) {
        if FolderListings.countsAsEntry(directoryEntryNameBytes(entry), inRoot: folder.path.isEmpty) { entries += 1 }
      }
      if FolderListings.trusted(currentStat, listedAtNs: listedAt) {
        newListing = FolderListings.Listing(stat: currentStat, entries: entries)
      }
    }
    guard entries == folder.names.count + folder.children.count else {
      return FolderCheck(unchanged: false, linked: linked, newListing: newListing)
    }
    // Every staged sub-folder must be a folder (not a file or link of that name); its own check lists it.
    for child in folder.children {
      var st = stat()
      guard fstatat(dirfd(dir), child, &st, AT_SYMLINK_NOFOLLOW) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
        return FolderCheck(unchanged: false, linked: linked, newListing: newListing)
      }
    }
    return FolderCheck(unchanged: true, linked: linked, newListing: newListing)
  }
}
