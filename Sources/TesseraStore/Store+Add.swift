import CStoreShims
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What `add` did.
public struct AddReport: Sendable, Codable {
  public var added = 0
  public var modified = 0
  public var removed = 0
  public var unchanged = 0
  public var hashedBytes: Int64 = 0
  public var newObjects = 0
  public var skippedLinks: [String] = []
}

/// Progress of a long operation: (done, total).
public typealias ProgressHandler = @Sendable (Int, Int) -> Void

struct HashedFile: Sendable {
  var path: String
  var stat: FileStat
  var id: ObjectID
  var size: Int64
  var image: ImageInfo?
  /// The bytes of a small file, for the pack; large files are already stored loose by the worker.
  var bytes: [UInt8]?
  /// Whether hashing stored the object for the first time (into the pack it was given).
  var storedNew = false
  /// More than one name for its inode, when the scan did not stat the file (`ScannedFile.sharesInode`).
  var sharesInode = false
}

extension Store {
  static let labelsFileName = "labels.csv"

  /// Stages files: hashes what changed (on every core), stores each distinct content once, and records
  /// deletions of files that were tracked below `paths`. `paths` are relative to the root; empty means everything.
  @discardableResult
  public func add(_ paths: [String], progress: ProgressHandler? = nil) throws -> AddReport {
    let lock = try lockForWriting()
    defer { withExtendedLifetime(lock) {} }
    var trace = PerformanceTrace("add")
    var index = try StagingIndex.load(indexPath, checkingLater: true)
    trace.mark("load index")
    return try stage(paths, in: &index, trace: &trace, progress: progress).report
  }

  /// `add`'s work on an index already loaded under the writer lock (which the caller holds): `commit --all` stages
  /// and commits in one go, without loading the index twice. Writes the index; returns its new checksum. An index
  /// loaded with its checksum still being checked (`StagingIndex.load(_:checkingLater:)`) is confirmed before
  /// anything is written or reported; should staging fail, a damaged index is the error reported.
  func stage(_ paths: [String], in index: inout StagingIndex, trace: inout PerformanceTrace,
             progress: ProgressHandler?) throws -> (report: AddReport, checksum: [UInt8]) {
    do {
      return try stageChanges(paths, in: &index, trace: &trace, progress: progress)
    } catch {
      try index.confirmChecksum()
      throw error
    }
  }

  private func stageChanges(_ paths: [String], in index: inout StagingIndex, trace: inout PerformanceTrace,
                            progress: ProgressHandler?) throws -> (report: AddReport, checksum: [UInt8]) {
    // With a monitor, only the paths it reports changed (and those that differed last time) are compared.
    let monitor = consultMonitor(index)
    trace.mark("ask monitor")
    var scanner = FileScanner(root: root)
    // Nothing staged to compare with: every file is hashed, and its open descriptor's fstat replaces the stat.
    scanner.statsRegularFiles = index.count > 0 || monitor?.candidates != nil
    let roots = paths.isEmpty ? [""] : paths
    for r in roots {
      let full = r.isEmpty ? root : root + "/" + r
      if !fileExists(full) {
        // A path that is gone is fine if it was tracked: its files are being deleted.
        if !index.storedPositions(atOrUnder: r).isEmpty { continue }
        throw StoreError(.badInput, "\(r): no such file or folder")
      }
    }
    var scanned: [ScannedFile] = []
    // What to compare: each root whole, or the monitor's paths within the roots (a reported folder holding a
    // root means that root, whole). Reported paths outside the roots stay to be compared next time.
    var scope: [String]? = nil
    var notInScope: [String] = []
    if let candidates = monitor?.candidates {
      var inScope: [String] = []
      for c in candidates {
        if roots.contains(where: { Self.isUnder(c, $0) }) {
          inScope.append(c)
        } else {
          inScope += roots.filter { Self.isUnder($0, c) }
          notInScope.append(c)
        }
      }
      scope = inScope
      scanned = try scanner.scan(candidates: inScope)
    } else {
      for r in roots where fileExists(r.isEmpty ? root : root + "/" + r) { scanned += try scanner.scan(r) }
    }
    try Self.refuseNormalizationTwins(scanned.lazy.map(\.path), where: "in the folder")
    if roots.count > 1 || scope != nil {
      // Overlapping paths (`add train train/Shirt`) list a file twice.
      var seen = Set<String>()
      scanned = scanned.filter { seen.insert($0.path).inserted }
    }
    var report = AddReport()
    report.skippedLinks = scanner.skippedLinks
    // Files the monitor vouches for were not compared one by one; they count as unchanged all the same.
    let stagedInRoots = scope == nil ? 0 : roots == [""] ? index.storedCount : Set(roots.flatMap { index.storedPositions(atOrUnder: $0) }).count
    // We hold the writer lock, so these belong to a checkout that died: remove them.
    for leftover in scanner.leftoverTemporaries { unlink(root + "/" + leftover) }
    rememberListings(scanner.listings, wholeRoot: scope == nil && roots == [""])

    trace.mark("scan")
    let scanStart = Self.nowNs()
    var toHash: [ScannedFile] = []
    // The index is still as loaded, so its entries are read in place.
    var tracked = 0
    for (f, position) in zip(scanned, index.storedPositions(of: scanned.lazy.map(\.path))) {
      guard let i = position else {
        toHash.append(f)
        continue
      }
      tracked += 1
      let (stat, object) = index.storedStatAndObject(i)
      if stat == f.stat && objects.contains(object) { report.unchanged += 1 } else { toHash.append(f) }
    }
    // Tracked files below the given paths that the scan did not find are deleted; when every one was found
    // (the common case) there is nothing to look for.
    var vanished: [StagingIndex.Entry] = []
    let below = Set((scope ?? roots).flatMap { index.storedPositions(atOrUnder: $0) }).sorted()
    if below.count > tracked {
      let seen = Set(scanned.lazy.map(\.path))
      for i in below {
        let entry = index.storedEntry(i)
        if !seen.contains(entry.file.path) { vanished.append(entry) }
      }
    }
    toHash.sort { StagingIndex.pathLess($0.path, $1.path) }  // the index's order
    trace.mark("compare")

    let writer = try PackWriter(directory: objects.packDirectory)
    var hashed: [HashedFile] = []
    hashed.reserveCapacity(toHash.count)
    // Batches of up to 256 MB or 65,536 files: progress is reported after each, and a pack grown past its size
    // rolls over between them (the hashing threads write it while a batch runs). Files the scan did not stat
    // count at the mean size of those hashed so far, 128 KiB before the first (2,048 files: work for every core).
    var start = 0
    var meanSize: Int64 = 128 << 10
    while start < toHash.count {
      var end = start, bytes: Int64 = 0
      while end < toHash.count && (end == start || bytes < 256 << 20) && end - start < 65536 {
        bytes += toHash[end].statKnown ? toHash[end].stat.size : meanSize
        end += 1
      }
      let batch = try hashInParallel(Array(toHash[start..<end]), into: writer)
      for h in batch {
        report.hashedBytes += h.size
        if h.storedNew { report.newObjects += 1 }
        hashed.append(h)
      }
      try writer.sealIfFull()
      start = end
      meanSize = max(1, report.hashedBytes / Int64(start))
      progress?(start, toHash.count)
    }
    try writer.finish()
    trace.mark("hash and pack")

    let labels = try loadLabelsFile()
    // Paths staged since the index matched a commit; with no such commit (a first add) nothing reads them.
    let tracksTouched = index.base != nil
    let entriesBefore = index.count, touchedBefore = index.touched.count
    var fresh: [StagingIndex.Entry] = []
    for h in hashed {
      let old = entriesBefore > 0 ? index[h.path] : nil
      var (split, label) = TrackedFile.layoutLabels(for: h.path)
      if let l = labels[h.path] { label = l }
      if h.path == Self.labelsFileName { (split, label) = (nil, nil) }
      let file = TrackedFile(path: h.path, object: h.id, size: h.size, image: h.image, split: split, label: label)
      if old?.file == file { report.unchanged += 1 } else if old != nil { report.modified += 1 } else {
        report.added += 1
      }
      // A file changed in the last moments may change again within the same timestamp tick: hash it next time.
      let stat = h.stat.mtimeNs >= scanStart - 100_000_000 ? FileStat.untrusted : h.stat
      if entriesBefore == 0 {
        fresh.append(.init(file: file, stat: stat))
      } else {
        index[h.path] = .init(file: file, stat: stat)
      }
      if tracksTouched { index.touched.insert(h.path) }
    }
    let replacedAll = entriesBefore == 0 && !fresh.isEmpty
    if replacedAll { index.replaceAll(with: fresh) }
    // A changed labels file relabels files that did not change themselves.
    if !labels.isEmpty || scanned.contains(where: { $0.path == Self.labelsFileName }) {
      for entry in index.allEntries() where entry.file.path != Self.labelsFileName {
        let path = entry.file.path
        var file = entry.file
        file.label = labels[path] ?? TrackedFile.layoutLabels(for: path).label
        if file != entry.file {
          index[path]!.file = file
          if tracksTouched { index.touched.insert(path) }
        }
      }
    }
    let sparse = try sparseFilter()
    for entry in vanished where !Self.isNotCheckedOut(entry.file, sparse: sparse) {
      index[entry.file.path] = nil
      if tracksTouched { index.touched.insert(entry.file.path) }
      report.removed += 1
    }
    if scope != nil { report.unchanged = max(0, stagedInRoots - report.modified - report.removed) }
    trace.mark("stage")
    if report.newObjects > 0 { try objects.reloadPacks() }
    trace.mark("reload packs")
    try index.confirmChecksum()
    // Nothing staged and no stat refreshed: the index on disk is already right.
    var checksum = index.checksum
    if index.hasChangedEntries || index.touched.count != touchedBefore || replacedAll {
      // Not fsynced, as git does not sync its index: a power cut may cost the staging since the last sync (the
      // files are still there to add again), never a version, whose objects are synced before its ref moves.
      checksum = try index.write(indexPath, sync: false)
    }
    trace.mark("write index")
    // The folder now matches the index except for what was left outside the roots (and links, never staged).
    // A scan of only some roots says nothing about the rest, so it records nothing.
    if monitor != nil && (scanned.contains(where: \.sharesInode) || hashed.contains(where: \.sharesInode)) {
      unlink(monitorSnapshotPath)  // hard links: the monitor cannot vouch for the folder (ScannedFile.sharesInode)
    } else if let monitor, monitor.candidates != nil || roots == [""] {
      recordMonitorSnapshot(token: monitor.token, index: checksum, dirty: notInScope + report.skippedLinks)
    }
    return (report, checksum)
  }

  static func isUnder(_ path: String, _ root: String) -> Bool {
    root.isEmpty || path == root || path.hasPrefix(root + "/")
  }

  static func nowNs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
  }

  /// How long ago a file was last modified (negative when its time is in the future).
  static func secondsSinceModified(_ st: stat) -> Double { Double(nowNs() - FileScanner.fileStat(st).mtimeNs) / 1e9 }

  /// `labels.csv` at the root: `path,label` lines (a `path,label` header is allowed). Its labels win over folders.
  func loadLabelsFile() throws -> [String: String] {
    let path = root + "/" + Self.labelsFileName
    guard fileExists(path) else { return [:] }
    var labels: [String: String] = [:]
    let text = String(decoding: try readFile(path), as: UTF8.self)
    for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || (n == 0 && trimmed == "path,label") { continue }
      let fields = trimmed.split(separator: ",", maxSplits: 1)
      guard fields.count == 2, !fields[0].isEmpty, !fields[1].isEmpty else {
        throw StoreError(.badInput, "\(Self.labelsFileName):\(n + 1): expected 'path,label', got '\(trimmed)'")
      }
      labels[String(fields[0])] = String(fields[1])
    }
    return labels
  }

  /// Hashes files on every core. Large files are copied (or reflinked) into loose objects as they are hashed.
  /// Work goes out in runs of up to 256 files of one folder: a run opens its folder once and each file relative
  /// to it, which saves the kernel a walk from the root for every file.
  ///
  /// Given a pack, each thread also stores the small files it hashed that the store lacks, and returns them
  /// without their bytes.
  func hashInParallel(_ files: [ScannedFile], into pack: PackWriter? = nil) throws -> [HashedFile] {
    let objectRoot = objects.root, rootPath = root, objects = objects
    try pack?.prepareForBatches()
    let nameStarts = files.map { Self.nameStart($0.path) }
    var runs: [Range<Int>] = []
    var start = 0
    while start < files.count {
      var end = start + 1
      while end < files.count && end - start < 256 && nameStarts[end] == nameStarts[start]
              && files[end].path.utf8.prefix(nameStarts[end]).elementsEqual(files[start].path.utf8.prefix(nameStarts[start])) {
        end += 1
      }
      runs.append(start..<end)
      start = end
    }
    let work = runs
    let hashed = try parallelMap(work.count) { r -> [HashedFile] in
      let run = work[r]
      let first = files[run.lowerBound].path
      let folder = nameStarts[run.lowerBound] == 0 ? "" : String(first.utf8.prefix(nameStarts[run.lowerBound] - 1))!
      let full = folder.isEmpty ? rootPath : rootPath + "/" + folder
      let folderFD = try syscall("open", folder.isEmpty ? "." : folder) {
        Glibc.open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
      }
      defer { close(folderFD) }
      var batch = PackBatch()
      let out = try run.map { i in
        let name = String(files[i].path.utf8.dropFirst(nameStarts[i]))!
        var h = try Self.hashFile(files[i], folder: folderFD, name: name, objectRoot: objectRoot)
        if let pack, let data = h.bytes {
          if !objects.containsPacked(h.id) && pack.claim(h.id) {
            batch.add(h.id, data)
            h.storedNew = true
          }
          h.bytes = nil
        }
        return h
      }
      try pack?.append(batch: &batch)
      return out
    }
    return hashed.flatMap { $0 }
  }

  /// Where a path's last component starts (0 for a file at the root).
  static func nameStart(_ path: String) -> Int {
    guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return 0 }
    return path.utf8.distance(from: path.utf8.startIndex, to: slash) + 1
  }

  static func hashFile(_ file: ScannedFile, folder: Int32, name: String, objectRoot: String) throws -> HashedFile {
    // Not stat'ed by the scan, it may have become a FIFO since readdir: opened without blocking, refused below.
    let fd = try openForReading(name, in: folder, path: file.path, flags: O_NOFOLLOW | (file.statKnown ? 0 : O_NONBLOCK))
    defer { close(fd) }
    // The scan's stat is the "before": a file replaced, grown or rewritten since then shows in the stat taken
    // after reading (inode, size, mtime), so one fstat and the read that finds EOF are saved per file.
    var beforeStat = file.stat, sharesInode = false
    if !file.statKnown {
      var st = stat()
      try syscall("fstat", file.path) { fstat(fd, &st) }
      guard (st.st_mode & S_IFMT) == S_IFREG else {
        throw StoreError(.changedDuringAdd, "\(file.path): file changed while it was being added (no longer a regular file); nothing was staged, run add again")
      }
      (beforeStat, sharesInode) = (FileScanner.fileStat(st), st.st_nlink > 1)
    }
    var result: HashedFile
    if beforeStat.size < Int64(ObjectStore.looseThreshold) {
      let bytes = try readExactly(fd: fd, path: file.path, count: Int(beforeStat.size))
      result = HashedFile(path: file.path, stat: beforeStat, id: ObjectID.hashing(bytes), size: Int64(bytes.count),
                          image: ImageInfo.sniff(bytes), bytes: bytes)
    } else {
      result = try storeLarge(fd: fd, path: file.path, stat: beforeStat, objectRoot: objectRoot)
    }
    result.sharesInode = sharesInode
    var after = stat()
    try syscall("fstat", file.path) { fstat(fd, &after) }
    let afterStat = FileScanner.fileStat(after)
    if afterStat.size != beforeStat.size || afterStat.mtimeNs != beforeStat.mtimeNs || afterStat.inode != beforeStat.inode
      || result.size != beforeStat.size {
      throw StoreError(.changedDuringAdd, "\(file.path): file changed while it was being added; nothing was staged, run add again")
    }
    return result
  }

  /// Streams a large file into a temporary loose object while hashing exactly the bytes written, then renames it.
  static func storeLarge(fd: Int32, path: String, stat st: FileStat, objectRoot: String) throws -> HashedFile {
    try makeDirectories(objectRoot)
    let tmp = objectRoot + "/tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    let out = try syscall("open", tmp) { Glibc.open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o444) }
    var keep = false
    defer {
      close(out)
      if !keep { unlink(tmp) }
    }
    var hasher = SHA256()
    var header: [UInt8] = []
    var total: Int64 = 0
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    let cloned = CStoreShims_reflink(out, fd) == 0
    let source = cloned ? out : fd
    if cloned { lseek(out, 0, SEEK_SET) }
    while true {
      let n = try chunk.withUnsafeMutableBytes { raw in try syscall("read", path) { read(source, raw.baseAddress!, raw.count) } }
      if n == 0 { break }
      chunk.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
      if header.count < 65536 { header.append(contentsOf: chunk[0..<min(n, 65536)]) }
      if !cloned { try chunk.withUnsafeBytes { try writeAll(fd: out, path: tmp, UnsafeRawBufferPointer(rebasing: $0[0..<n])) } }
      total += Int64(n)
    }
    let id = ObjectID(digest: hasher.finalize())
    let hex = id.hex
    let dir = objectRoot + "/" + hex.prefix(2)
    try makeDirectories(dir)
    let final = dir + "/" + hex.dropFirst(2)
    if !fileExists(final) {
      try syscall("fsync", tmp) { fsync(out) }
      try syscall("rename", final) { rename(tmp, final) }
      try syncPath(dir)
      keep = true
    }
    return HashedFile(path: path, stat: st, id: id, size: total, image: ImageInfo.sniff(header), bytes: nil)
  }
}
