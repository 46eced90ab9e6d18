import Crypto
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What `stat` said about a file when it was last hashed; equal stats mean the file need not be read again.
struct FileStat: Sendable, Hashable {
  var size: Int64
  var mtimeNs: Int64
  var ctimeNs: Int64
  var inode: UInt64

  /// A stat that never matches: the file is re-hashed next time.
  static let untrusted = FileStat(size: -1, mtimeNs: -1, ctimeNs: -1, inode: 0)

  /// As the index and the folder listings store it: size, mtime and ctime (ns), inode; UInt64 little-endian each.
  func append(to out: inout [UInt8]) {
    PackIndex.appendUInt64(&out, UInt64(bitPattern: size))
    PackIndex.appendUInt64(&out, UInt64(bitPattern: mtimeNs))
    PackIndex.appendUInt64(&out, UInt64(bitPattern: ctimeNs))
    PackIndex.appendUInt64(&out, inode)
  }

}

extension FileStat {
  /// Reads what `append(to:)` wrote.
  init(reading reader: inout ByteReader) throws {
    self.init(size: Int64(bitPattern: try reader.u64()), mtimeNs: Int64(bitPattern: try reader.u64()),
              ctimeNs: Int64(bitPattern: try reader.u64()), inode: try reader.u64())
  }
}

/// The files staged for the next version, each with the stat it had when hashed (git's index, in miniature).
///
/// On disk (`.tessera/index`): "TIX2", UInt64 count, then per entry, sorted by the path's bytes: path, object id,
/// size, stat, image info, split, label; then the base commit, the touched paths, the totals (`VersionTotals`),
/// and a SHA-256 of everything before it ("TIX1", from before the totals, is still read). Written atomically; a torn or tampered file is rejected. A small change is written instead as
/// `.tessera/index.changes` beside it (`IndexChanges`), which loading merges in.
///
/// Loading does not decode the entries: they stay bytes in the file's buffer, found by binary search, and are
/// copied through unchanged when the index is written again. Changes made since loading live in `overlay`, so
/// the cost of `add` and `commit` after a small change follows the change, not the 70,000 entries.
struct StagingIndex: Sendable {
  struct Entry: Sendable, Hashable {
    var file: TrackedFile
    var stat: FileStat
  }

  /// The loaded file's bytes and where each entry starts, in path-byte order.
  private(set) var stored = FileBytes([])
  private var starts: [Int] = []
  /// The end of the bytes that hold entries: the last stored entry's, or the merged changes file's.
  private(set) var entriesEnd = 0
  /// Where entries stop lying back to back: each (position, end) says the entry at `position` ends at `end` and the
  /// next one starts elsewhere. Empty for a file read as it is; a changes file merged by reference (`merge`) leaves
  /// its entries after the full file's and the replaced ones in place, and a break around each.
  private var breaks: [(position: Int, end: Int)] = []
  /// Entries set (or removed, as nil) since loading; they win over `stored`.
  private var overlay: [String: Entry?] = [:]
  private(set) var count = 0
  /// The totals of the entries in `stored` (the overlay not counted), as the file recorded them so that a commit
  /// need not read 70,000 entries to write "70000 files" in its message; nil for a file from before they were kept.
  private var storedTotals: VersionTotals? = VersionTotals()

  /// The commit the index last matched exactly (after commit or checkout), and the paths staged since then;
  /// together they let `status` compare against HEAD without reading every pointer of the version.
  var base: String?
  var touched: Set<String> = []

  static let magic: [UInt8] = Array("TIX2".utf8)
  /// An index written before the totals were kept: read, never written.
  static let legacyMagic: [UInt8] = Array("TIX1".utf8)

  /// The SHA-256 that ends the file this index was loaded from (the changes file when there is one; empty when
  /// there was none): names this exact index, for caches kept beside it (the monitor's snapshot).
  private(set) var checksum: [UInt8] = []

  /// The checksum of the full index file whose entries `stored` holds (with its changes file merged in), and that
  /// changes file: a small change is written as a changes file against that full file, its records carried over.
  private var fileChecksum: [UInt8]? = nil
  /// The check of the loaded file's checksum, still running or not yet looked at (`load(_:checkingLater:)`).
  private var unconfirmed: (check: BackgroundValue<Bool>, path: String)?
  private var pending = IndexChanges()

  init() {}

  // MARK: Reading and changing entries

  subscript(path: String) -> Entry? {
    get {
      if let changed = overlay[path] { return changed }
      return storedPosition(of: path).map(storedEntry)
    }
    set {
      count += (newValue != nil ? 1 : 0) - (contains(path) ? 1 : 0)
      overlay[path] = .some(newValue)
    }
  }

  /// Whether `path` is staged, without decoding its entry.
  func contains(_ path: String) -> Bool {
    if let changed = overlay[path] { return changed != nil }
    return storedPosition(of: path) != nil
  }

  /// Whether any entry was set or removed since loading.
  var hasChangedEntries: Bool { !overlay.isEmpty }

  /// Replaces every entry with `entries`, encoded straight into the stored form: a first `add` stages tens of
  /// thousands of files at once, and a dictionary of them only to sort it again would cost more than the rest.
  mutating func replaceAll(with entries: [Entry]) {
    (stored, starts, entriesEnd, breaks, overlay, count, storedTotals) = (FileBytes([]), [], 0, [], [:], 0, VersionTotals())
    (fileChecksum, pending) = (nil, IndexChanges())  // these entries are no longer the file's
    guard !zip(entries, entries.dropFirst()).contains(where: { !Self.pathLess($0.file.path, $1.file.path) }) else {
      // Not in the index's order (or a path twice, the last one winning): set one by one.
      for e in entries { self[e.file.path] = e }
      return
    }
    var bytes = Self.magic
    bytes.reserveCapacity(12 + entries.count * 140)
    PackIndex.appendUInt64(&bytes, UInt64(entries.count))
    starts.reserveCapacity(entries.count)
    var totals = VersionTotals.Counter()
    for e in entries {
      starts.append(bytes.count)
      Self.encodeEntry(e, into: &bytes)
      totals.add(size: e.file.size, split: e.file.split)
    }
    storedTotals = totals.finished
    entriesEnd = bytes.count
    stored = FileBytes(bytes)
    count = entries.count
  }

  /// Every entry, sorted by path bytes (decodes each one: for commands that need them all).
  func allEntries() -> [Entry] {
    var out: [Entry] = []
    out.reserveCapacity(count)
    walk(stored: { out.append(storedEntry($0)) }, changed: { out.append($0) })
    return out
  }

  var files: [TrackedFile] { allEntries().map(\.file) }
  var paths: [String] { allEntries().map(\.file.path) }

  /// The number, total size and per-split counts of the staged files: the file's totals corrected by what changed
  /// since it was read (each change looked up once), or, for a file from before totals were kept or after most
  /// entries changed, counted from every entry.
  func totals() -> VersionTotals {
    // Past the changes file's limit a count of every entry costs less than a search per change.
    guard var totals = storedTotals, overlay.count <= Self.changesLimit(entries: starts.count) else { return countedTotals() }
    stored.withUnsafeBytes { raw in
      for (path, entry) in overlay {
        if let i = storedPosition(of: path) {
          var reader = ByteReader(raw: raw, position: starts[i], end: entriesEnd)
          let layout = try! Self.readLayout(&reader)  // bounds were checked when the file was loaded
          totals.remove(size: Self.size(raw, fields: layout.fields), split: layout.split.map {
            String(decoding: UnsafeRawBufferPointer(rebasing: raw[$0.offset..<($0.offset + $0.length)]), as: UTF8.self)
          })
        }
        if let entry { totals.add(size: entry.file.size, split: entry.file.split) }
      }
    }
    return totals
  }

  /// The totals counted from every entry, read in place.
  func countedTotals() -> VersionTotals {
    var totals = VersionTotals.Counter()
    // Files sorted by path come in long runs of one split: only a new run costs a String.
    var lastSplit: (offset: Int, length: Int)? = nil
    var lastName: String? = nil
    stored.withUnsafeBytes { raw in
      walk(stored: { i in
        var reader = ByteReader(raw: raw, position: starts[i], end: entriesEnd)
        let layout = try! Self.readLayout(&reader)  // bounds were checked when the file was loaded
        var name: String? = nil
        if let split = layout.split {
          if let last = lastSplit, last.length == split.length,
             memcmp(raw.baseAddress! + last.offset, raw.baseAddress! + split.offset, split.length) == 0 {
            name = lastName
          } else {
            name = String(decoding: UnsafeRawBufferPointer(rebasing: raw[split.offset..<(split.offset + split.length)]), as: UTF8.self)
            (lastSplit, lastName) = (split, name)
          }
        }
        totals.add(size: Self.size(raw, fields: layout.fields), split: name)
      }, changed: { totals.add(size: $0.file.size, split: $0.file.split) })
    }
    return totals.finished
  }

  // MARK: In-place access for add's comparison (valid before anything is changed)

  var storedCount: Int { starts.count }

  /// The stored entry at `path`; `hint` is the previous answer plus one, which is where files listed in path
  /// order are found without a search.
  func storedPosition(of path: String, hint: Int = -1) -> Int? {
    var path = path
    return path.withUTF8 { key in
      stored.withUnsafeBytes { raw in
        if hint >= 0 && hint < starts.count && Self.compare(raw, starts[hint], key) == 0 { return hint }
        var lo = 0, hi = starts.count
        while lo < hi {
          let mid = (lo + hi) / 2
          let c = Self.compare(raw, starts[mid], key)
          if c == 0 { return mid }
          if c < 0 { lo = mid + 1 } else { hi = mid }
        }
        return nil
      }
    }
  }

  /// The stored position of each path, for paths listed in nearly the index's order (a folder scan): the
  /// previous match's successor is tried before a search.
  func storedPositions(of paths: some Sequence<String>) -> [Int?] {
    var previous = -1
    return paths.map { path in
      let i = storedPosition(of: path, hint: previous + 1)
      if let i { previous = i }
      return i
    }
  }

  /// The stored positions of `path` itself and of every path below it (`path/...`), in order. In byte order the
  /// two need not be adjacent ("a.png" sorts between "a" and "a/b"), so this is one lookup and one range.
  func storedPositions(atOrUnder path: String) -> [Int] {
    if path.isEmpty { return Array(starts.indices) }
    var exact = storedPosition(of: path).map { [$0] } ?? []
    var key = path + "/"
    let below = key.withUTF8 { key in
      stored.withUnsafeBytes { raw -> Range<Int> in
        // Lower bound of "path/", then forward while the prefix matches.
        var lo = 0, hi = starts.count
        while lo < hi {
          let mid = (lo + hi) / 2
          if Self.compare(raw, starts[mid], key) < 0 { lo = mid + 1 } else { hi = mid }
        }
        var end = lo
        while end < starts.count {
          let n = Self.pathLength(raw, starts[end])
          guard n > key.count, memcmp(raw.baseAddress! + starts[end] + 2, key.baseAddress!, key.count) == 0 else { break }
          end += 1
        }
        return lo..<end
      }
    }
    exact += below
    return exact
  }

  /// The stored entry's recorded stat and object, without decoding its strings.
  func storedStatAndObject(_ i: Int) -> (stat: FileStat, object: ObjectID) {
    stored.withUnsafeBytes { raw in
      let fields = starts[i] + 2 + Self.pathLength(raw, starts[i])
      return (Self.stat(raw, fields: fields), Self.object(raw, fields: fields))
    }
  }

  /// Whether the stored entry's path is `prefix` or lies below it ("" holds everything).
  func storedPath(_ i: Int, isUnder prefix: String) -> Bool {
    if prefix.isEmpty { return true }
    var prefix = prefix
    return prefix.withUTF8 { key in
      stored.withUnsafeBytes { raw in
        let n = Self.pathLength(raw, starts[i]), p = starts[i] + 2
        guard n >= key.count, memcmp(raw.baseAddress! + p, key.baseAddress!, key.count) == 0 else { return false }
        return n == key.count || raw[p + key.count] == UInt8(ascii: "/")
      }
    }
  }

  func storedEntry(_ i: Int) -> Entry {
    stored.withUnsafeBytes { raw in
      var reader = ByteReader(raw: raw, position: starts[i], end: entriesEnd)
      // Bounds were checked when the file was loaded.
      return try! Self.decodeEntry(&reader)
    }
  }

  // MARK: Loading and writing

  /// The index at `path`, its checksum checked. With `checkingLater`, the check goes on running on another core
  /// after the index is returned, and `confirmChecksum` (which `write` calls first) waits for it: `add` and
  /// `commit --all` compare the folder meanwhile, instead of waiting for the SHA-256 of 10 MB, and call it
  /// before they write or report anything.
  static func load(_ path: String, checkingLater: Bool = false) throws -> StagingIndex {
    guard fileExists(path) else { return StagingIndex() }
    // Room for a changes file, which holds at most an eighth of the entries (and their paths twice): address
    // space only, until one is merged.
    let bytes = try FileBytes.contents(of: path, spare: { $0 / 2 + (1 << 20) })
    guard bytes.count >= 44, bytes[0..<4] == magic || bytes[0..<4] == legacyMagic else {
      throw corruptIndex(path, "not a Tessera index")
    }
    // The checksum runs on another core while the entries are laid out and the changes merged in; no error of
    // the parse is reported before the checksum is known to match (a damaged file is named as damaged).
    let check = BackgroundValue(startingNow: true) { bytes.endsWithItsSHA256 }
    let parsed = Result { try parse(bytes, path: path) }
    guard checkingLater, case .success(var index) = parsed else {
      guard check.value else { throw corruptIndex(path, "index checksum does not match") }
      return try parsed.get()
    }
    index.unconfirmed = (check, path)
    return index
  }

  /// Waits for the checksum check that `load(_:checkingLater:)` left running; throws if it did not match.
  func confirmChecksum() throws {
    guard let (check, path) = unconfirmed else { return }
    guard check.value else { throw Self.corruptIndex(path, "index checksum does not match") }
  }

  private static func parse(_ bytes: FileBytes, path: String) throws -> StagingIndex {
    func corrupt(_ why: String) -> StoreError { corruptIndex(path, why) }
    var index = StagingIndex()
    var oldOrder: [Entry]?
    let legacy = bytes[0..<4] == legacyMagic
    try bytes.withUnsafeBytes { raw in
      var reader = ByteReader(raw: raw, position: 4, end: raw.count - 32)
      let count = try reader.u64()
      guard count <= UInt64(raw.count / 77) else { throw corrupt("entry count \(count) does not fit the file") }
      index.starts.reserveCapacity(Int(count))
      var sorted = true
      for _ in 0..<count {
        let start = reader.position
        _ = try readLayout(&reader)
        if let previous = index.starts.last, compareStored(raw, previous, start) >= 0 { sorted = false }
        index.starts.append(start)
      }
      index.entriesEnd = reader.position
      if !sorted {
        // Written by an older Tessera, which sorted by String order: refuse duplicates, and take the entries in
        // the new order (a rewrite copies each stored entry up to the next one's start).
        index.starts.sort { compareStored(raw, $0, $1) < 0 }
        for (a, b) in zip(index.starts, index.starts.dropFirst()) where compareStored(raw, a, b) == 0 {
          throw corrupt("a path is listed twice")
        }
        oldOrder = try index.starts.map { start in
          var entry = ByteReader(raw: raw, position: start, end: index.entriesEnd)
          return try decodeEntry(&entry)
        }
      }
      index.base = try reader.optionalString()
      let touchedCount = try reader.u64()
      for _ in 0..<touchedCount { index.touched.insert(try reader.string()) }
      index.storedTotals = legacy ? nil : try VersionTotals.read(&reader)
      guard reader.position == reader.end else { throw corrupt("trailing bytes") }
      index.count = Int(count)
    }
    index.stored = bytes
    index.checksum = Array(bytes.suffix(32))
    if let oldOrder {
      index.replaceAll(with: oldOrder)
    } else {
      index.fileChecksum = index.checksum
      if let changes = try IndexChanges.load(forIndex: path, fileChecksum: index.checksum) {
        index.merge(changes)
        index.storedTotals = changes.totals
        index.base = changes.base
        index.touched = changes.touched
        index.checksum = changes.checksum
      }
    }
    if let committed = CommittedIndex.base(forIndex: path, checksum: index.checksum) {
      index.base = committed
      index.touched = []
    }
    return index
  }

  /// What names the index and what it was last synced to, read without the 10 MB of entries: the full index's
  /// checksum from its last 32 bytes, then its changes file and `index.committed`. Nil when the base and touched
  /// paths need the full file (just after a full rewrite), or when there is no index. Not a check of the entries:
  /// only for a `status` whose monitor vouches that nothing changed since this exact index was compared, and
  /// whose snapshot names this very file (`file`: see `MonitorSnapshot.indexFile`), so an index changed in place
  /// since it was last read in full is read in full again. (A torn index needs a power cut, which also ends the
  /// monitor and with it every token it gave.)
  static func summary(_ path: String) throws -> (checksum: [UInt8], base: String, touched: Set<String>, file: String)? {
    guard let (tail, st) = trailingChecksum(path) else { return nil }
    var checksum = tail, base: String?, touched: Set<String> = []
    if let changes = try IndexChanges.load(forIndex: path, fileChecksum: tail) {
      (checksum, base, touched) = (changes.checksum, changes.base, changes.touched)
    }
    if let committed = CommittedIndex.base(forIndex: path, checksum: checksum) { (base, touched) = (committed, []) }
    guard let base else { return nil }
    return (checksum, base, touched, MonitorSnapshot.identity(st))
  }

  /// The SHA-256 that ends the index file at `path` (not checked against its bytes), and the file's stat.
  static func trailingChecksum(_ path: String) -> (checksum: [UInt8], stat: Glibc.stat)? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = Glibc.stat()
    guard fstat(fd, &st) == 0, st.st_size >= 44 else { return nil }
    var tail = [UInt8](repeating: 0, count: 32)
    guard tail.withUnsafeMutableBytes({ pread(fd, $0.baseAddress!, 32, off_t(st.st_size) - 32) }) == 32 else { return nil }
    return (tail, st)
  }

  /// Folds a changes file into `stored`, so that the in-place accessors (which read `stored` only) see it, without
  /// copying the full index: the changes file's bytes are placed after it (in the room reserved after a mapped
  /// index, `FileBytes.appending`), and only the entries' starts are rebuilt, a changed entry's pointing into them,
  /// with a break wherever entries stop lying back to back. Each change costs one search.
  private mutating func merge(_ changes: IndexChanges) {
    pending = changes
    guard !changes.records.isEmpty else { return }
    // Once, on the index as parsed: runs of the full file's entries are read as lying back to back.
    assert(breaks.isEmpty, "a changes file is merged into a freshly parsed index only")
    let (joined, tail) = stored.appending(changes.bytes)
    var newStarts: [Int] = [], newBreaks: [(position: Int, end: Int)] = []
    newStarts.reserveCapacity(starts.count + changes.records.count)
    newBreaks.reserveCapacity(2 * changes.records.count + 1)
    stored.withUnsafeBytes { raw in
      changes.bytes.withUnsafeBytes { file in
        // A run of the full file's entries ends where the entry after it starts (or where the entries end).
        func copy(_ r: Range<Int>) {
          newStarts.append(contentsOf: starts[r])
          newBreaks.append((newStarts.count - 1, r.upperBound < starts.count ? starts[r.upperBound] : entriesEnd))
        }
        var next = 0
        for record in changes.records {
          let key = UnsafeBufferPointer(rebasing: file.assumingMemoryBound(to: UInt8.self)[record.path])
          var lo = next, hi = starts.count
          while lo < hi {
            let mid = (lo + hi) / 2
            if Self.compare(raw, starts[mid], key) < 0 { lo = mid + 1 } else { hi = mid }
          }
          if lo > next { copy(next..<lo) }
          next = lo < starts.count && Self.compare(raw, starts[lo], key) == 0 ? lo + 1 : lo
          if let entry = record.entry {
            newStarts.append(tail + entry.lowerBound)
            newBreaks.append((newStarts.count - 1, tail + entry.upperBound))
          }
        }
        if next < starts.count { copy(next..<starts.count) }
      }
    }
    (stored, starts, breaks, entriesEnd, count) = (joined, newStarts, newBreaks, joined.count, newStarts.count)
  }

  /// The stored entries at positions `r` as the fewest pieces of bytes: (positions, their bytes), each piece's
  /// entries back to back.
  private func forEachPiece(of r: Range<Int>, _ body: (Range<Int>, Range<Int>) -> Void) {
    guard !r.isEmpty else { return }
    var b = 0, hi = breaks.count  // the first break at or after r's start
    while b < hi {
      let mid = (b + hi) / 2
      if breaks[mid].position < r.lowerBound { b = mid + 1 } else { hi = mid }
    }
    var low = r.lowerBound
    while low < r.upperBound {
      if b < breaks.count && breaks[b].position < r.upperBound {
        body(low..<(breaks[b].position + 1), starts[low]..<breaks[b].end)
        low = breaks[b].position + 1
        b += 1
      } else {
        body(low..<r.upperBound, starts[low]..<(r.upperBound < starts.count ? starts[r.upperBound] : entriesEnd))
        low = r.upperBound
      }
    }
  }

  /// Whether a changes file was merged without copying the full index (for tests).
  var mergedByReference: Bool { !breaks.isEmpty && stored.isMapped }

  /// The stored bytes and where each stored entry starts, in path order (for readers of every entry in place).
  func withStoredEntries<R>(_ body: (UnsafeRawBufferPointer, [Int]) throws -> R) rethrows -> R {
    try stored.withUnsafeBytes { try body($0, starts) }
  }

  /// The changes file for this index against the full one whose checksum is `fileChecksum`: the records loaded
  /// (copied as bytes) and the overlay, merged in path order, the overlay winning.
  private func serializeChanges(against fileChecksum: [UInt8]) -> [UInt8] {
    let keys = overlay.keys.map { (Array($0.utf8), $0) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }
    var out = IndexChanges.magic + fileChecksum
    out.reserveCapacity(64 + pending.bytes.count + overlay.count * 140 + touched.count * 40)
    PackIndex.appendUInt64(&out, 0)  // the count, known at the end
    var n = 0
    func emit(_ path: String) {
      if case let entry?? = overlay[path] {
        out.append(1)
        Self.encodeEntry(entry, into: &out)
      } else {
        out.append(0)
        Self.appendString(&out, path)
      }
      n += 1
    }
    pending.bytes.withUnsafeBytes { file in
      var k = 0
      for record in pending.records {
        var replaced = false
        while k < keys.count {
          let c = keys[k].0.withUnsafeBytes { IndexChanges.compare($0, 0..<$0.count, file, record.path) }
          if c > 0 { break }
          emit(keys[k].1)
          k += 1
          if c == 0 {
            replaced = true
            break
          }
        }
        if replaced { continue }
        if let entry = record.entry {
          out.append(1)
          out.append(contentsOf: UnsafeBufferPointer(rebasing: file.assumingMemoryBound(to: UInt8.self)[entry]))
        } else {
          out.append(0)
          out.append(contentsOf: UnsafeBufferPointer(rebasing: file.assumingMemoryBound(to: UInt8.self)[(record.path.lowerBound - 2)..<record.path.upperBound]))
        }
        n += 1
      }
      while k < keys.count {
        emit(keys[k].1)
        k += 1
      }
    }
    out.withUnsafeMutableBytes {
      $0.storeBytes(of: UInt64(n).littleEndian, toByteOffset: IndexChanges.countOffset, as: UInt64.self)
    }
    Self.appendOptional(&out, base)
    PackIndex.appendUInt64(&out, UInt64(touched.count))
    for path in touched { Self.appendString(&out, path) }
    totals().append(to: &out)
    out.append(contentsOf: SHA256.hash(data: out))
    return out
  }

  static func corruptIndex(_ path: String, _ why: String) -> StoreError {
    StoreError(.corruptIndex, "\(path): \(why); run 'tessera checkout HEAD --force' to rebuild it")
  }

  func serialize() -> [UInt8] {
    var out = LargeBuffer.empty(capacity: 64 + entriesEnd + overlay.count * 140 + touched.count * 40)
    out += Self.magic
    PackIndex.appendUInt64(&out, UInt64(count))
    var noStarts: [Int]? = nil
    appendEntries(to: &out, starts: &noStarts)
    Self.appendOptional(&out, base)
    PackIndex.appendUInt64(&out, UInt64(touched.count))
    for path in touched { Self.appendString(&out, path) }  // a set: any order reads back the same
    totals().append(to: &out)
    out.append(contentsOf: SHA256.hash(data: out))
    return out
  }

  /// Every live entry's bytes, in path order; `starts` (when given) receives where each one begins in `out`.
  private func appendEntries(to out: inout [UInt8], starts newStarts: inout [Int]?) {
    // Unchanged entries lie back to back in `stored` (but around a changes file merged by reference): each run
    // between changes is copied in as few pieces as that allows.
    walkRuns(stored: { r in
      forEachPiece(of: r) { positions, bytes in
        let offset = out.count - bytes.lowerBound
        stored.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[bytes])) }
        newStarts?.append(contentsOf: starts[positions].lazy.map { $0 + offset })
      }
    }, changed: { entry in
      newStarts?.append(out.count)
      Self.encodeEntry(entry, into: &out)
    })
  }

  /// The most changed paths a changes file holds before a write replaces the full index instead: loading
  /// applies each one, so past an eighth of the entries the full rewrite pays for itself.
  static func changesLimit(entries: Int) -> Int { max(256, entries / 8) }

  /// Writes the index: after a small change only a changes file beside the full one (git's split index), so the
  /// cost follows the change rather than the 10 MB of 70,000 entries; otherwise the full file.
  ///
  /// `sync: false` for a rewrite that only refreshes what the index caches: a power cut then leaves the previous
  /// index, which costs the next command time, or a torn one, which is refused with the command that rebuilds it;
  /// never a wrong version (git does not fsync its index either).
  /// Returns the checksum of what it wrote (the new index's name for caches).
  @discardableResult
  func write(_ path: String, sync: Bool = true) throws -> [UInt8] {
    try confirmChecksum()  // nothing derived from a damaged index is written
    let bytes: [UInt8]
    let changesPath = IndexChanges.path(forIndex: path), committedPath = CommittedIndex.path(forIndex: path)
    // A companion file is about the index it names by checksum and is removed after that index is replaced. One
    // left by a crash before its removal is ignored beside any other index, but not beside these very bytes
    // written again (an index changed and changed back): it would be applied to them. So it goes first.
    func dropCompanions(naming checksum: [UInt8], changes: Bool) {
      if changes, IndexChanges.fullIndexChecksum(atPath: changesPath) == checksum { unlink(changesPath) }
      if CommittedIndex.base(forIndex: path, checksum: checksum) != nil { unlink(committedPath) }
    }
    if let fileChecksum, pending.records.count + overlay.count <= Self.changesLimit(entries: count) {
      bytes = serializeChanges(against: fileChecksum)
      dropCompanions(naming: Array(bytes.suffix(32)), changes: false)
      try writeFileAtomically(changesPath, bytes, sync: sync)
    } else {
      bytes = serialize()
      dropCompanions(naming: Array(bytes.suffix(32)), changes: true)
      try writeFileAtomically(path, bytes, sync: sync)
      try Self.afterFullRename.withLock { try $0?(path) }
      // Names the file just replaced (a crash before this unlink leaves it naming nothing, so it is ignored).
      unlink(changesPath)
    }
    unlink(committedPath)  // about the index just replaced; this one holds its own base
    return Array(bytes.suffix(32))
  }

  /// For tests: runs between a full write's rename and its removal of the changes file, the instant at which a
  /// crash leaves both (a hook that throws stands for the crash).
  static let afterFullRename = Mutex<(@Sendable (String) throws -> Void)?>(nil)

  /// Visits the live entries in path-byte order: stored ones by position (unless changed), changed ones decoded.
  private func walk(stored visitStored: (Int) -> Void, changed visitChanged: (Entry) -> Void) {
    walkRuns(stored: { for i in $0 { visitStored(i) } }, changed: visitChanged)
  }

  /// As `walk`, with the stored entries between changes given as runs of positions: each changed path is found by
  /// a binary search, so a few changes among 70,000 entries cost a few searches, not 70,000 comparisons.
  private func walkRuns(stored visitRun: (Range<Int>) -> Void, changed visitChanged: (Entry) -> Void) {
    if overlay.isEmpty {
      if !starts.isEmpty { visitRun(starts.indices) }
      return
    }
    // Sorted as bytes: one UTF-8 copy per path beats bridging each comparison.
    let changed = overlay.keys.map { (Array($0.utf8), $0) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }
    var next = 0
    stored.withUnsafeBytes { raw in
      for (bytes, path) in changed {
        let (position, found) = bytes.withUnsafeBufferPointer { k -> (Int, Bool) in
          var lo = next, hi = starts.count
          while lo < hi {
            let mid = (lo + hi) / 2
            if Self.compare(raw, starts[mid], k) < 0 { lo = mid + 1 } else { hi = mid }
          }
          return (lo, lo < starts.count && Self.compare(raw, starts[lo], k) == 0)
        }
        if position > next { visitRun(next..<position) }
        next = found ? position + 1 : position
        if case let e?? = overlay[path] { visitChanged(e) }
      }
      if next < starts.count { visitRun(next..<starts.count) }
    }
  }

  // MARK: Entry bytes

  static func encodeEntry(_ e: Entry, into out: inout [UInt8]) {
    appendString(&out, e.file.path)
    PackIndex.appendUInt64BE(&out, e.file.object.w0)
    PackIndex.appendUInt64BE(&out, e.file.object.w1)
    PackIndex.appendUInt64BE(&out, e.file.object.w2)
    PackIndex.appendUInt64BE(&out, e.file.object.w3)
    PackIndex.appendUInt64(&out, UInt64(bitPattern: e.file.size))
    e.stat.append(to: &out)
    if let image = e.file.image {
      out.append(1)
      appendString(&out, image.format)
      PackIndex.appendUInt64(&out, UInt64(image.width))
      PackIndex.appendUInt64(&out, UInt64(image.height))
      out.append(UInt8(clamping: image.channels))
    } else {
      out.append(0)
    }
    appendOptional(&out, e.file.split)
    appendOptional(&out, e.file.label)
  }

  static func decodeEntry(_ reader: inout ByteReader) throws -> Entry {
    let path = try reader.string()
    let id = ObjectID(w0: try reader.u64be(), w1: try reader.u64be(), w2: try reader.u64be(), w3: try reader.u64be())
    let size = Int64(bitPattern: try reader.u64())
    let stat = try FileStat(reading: &reader)
    var image: ImageInfo?
    if try reader.u8() == 1 {
      image = ImageInfo(format: try reader.string(), width: try reader.int(), height: try reader.int(),
                        channels: Int(try reader.u8()))
    }
    let split = try reader.optionalString()
    let label = try reader.optionalString()
    return Entry(file: TrackedFile(path: path, object: id, size: size, image: image, split: split, label: label), stat: stat)
  }

  /// Where one entry's parts lie in the buffer: its path, its fixed-size fields (object id, size, stat), its split.
  struct EntryLayout {
    var path: (offset: Int, length: Int)
    var fields: Int
    var split: (offset: Int, length: Int)?
  }

  /// Checks one entry's bounds, moves past it, and says where its parts lie.
  static func readLayout(_ reader: inout ByteReader) throws -> EntryLayout {
    let path = try reader.stringRange()
    let fields = reader.position
    try reader.skip(32 + 8 + 32)
    if try reader.u8() == 1 {
      _ = try reader.stringRange()
      try reader.skip(8 + 8 + 1)
    }
    let split = try reader.u8() == 1 ? try reader.stringRange() : nil
    if try reader.u8() == 1 { _ = try reader.stringRange() }
    return EntryLayout(path: path, fields: fields, split: split)
  }

  static func object(_ raw: UnsafeRawBufferPointer, fields p: Int) -> ObjectID {
    func be(_ o: Int) -> UInt64 { UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: p + o, as: UInt64.self)) }
    return ObjectID(w0: be(0), w1: be(8), w2: be(16), w3: be(24))
  }

  static func size(_ raw: UnsafeRawBufferPointer, fields p: Int) -> Int64 {
    Int64(littleEndian: raw.loadUnaligned(fromByteOffset: p + 32, as: Int64.self))
  }

  static func stat(_ raw: UnsafeRawBufferPointer, fields p: Int) -> FileStat {
    func le(_ o: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: p + o, as: UInt64.self)) }
    return FileStat(size: Int64(bitPattern: le(40)), mtimeNs: Int64(bitPattern: le(48)), ctimeNs: Int64(bitPattern: le(56)),
                    inode: le(64))
  }

  private static func pathLength(_ raw: UnsafeRawBufferPointer, _ start: Int) -> Int {
    Int(raw[start]) | Int(raw[start + 1]) << 8
  }

  /// The stored path at `start` against `key`, byte by byte (negative: the stored path sorts first).
  private static func compare(_ raw: UnsafeRawBufferPointer, _ start: Int, _ key: UnsafeBufferPointer<UInt8>) -> Int {
    compareBytes(raw.baseAddress! + start + 2, pathLength(raw, start), key.baseAddress, key.count)
  }

  private static func compareStored(_ raw: UnsafeRawBufferPointer, _ a: Int, _ b: Int) -> Int {
    compareBytes(raw.baseAddress! + a + 2, pathLength(raw, a), raw.baseAddress! + b + 2, pathLength(raw, b))
  }

  /// Path order of the index: by UTF-8 bytes (git's order; Swift's `<` on String compares Unicode scalars).
  static func pathLess(_ a: String, _ b: String) -> Bool {
    var a = a, b = b
    return a.withUTF8 { x in b.withUTF8 { y in compareBytes(x.baseAddress, x.count, y.baseAddress, y.count) < 0 } }
  }

  static func appendString(_ out: inout [UInt8], _ s: String) {
    let count = s.utf8.count
    out.append(UInt8(truncatingIfNeeded: count))
    out.append(UInt8(truncatingIfNeeded: count >> 8))
    out.append(contentsOf: s.utf8)
  }

  static func appendOptional(_ out: inout [UInt8], _ s: String?) {
    if let s {
      out.append(1)
      appendString(&out, s)
    } else {
      out.append(0)
    }
  }
}

/// How many files a version holds, their total size, and how many fall in each split (for the commit message).
///
/// In the index files: UInt64 count, Int64 bytes, UInt64 number of splits, then per split in name order its name
/// (a string, "(none)" for files without one) and UInt64 count.
struct VersionTotals: Sendable, Hashable {
  var count = 0
  var bytes: Int64 = 0
  var splits: [String: Int] = [:]

  init() {}

  init(_ files: [TrackedFile]) {
    var counter = Counter()
    for f in files { counter.add(size: f.size, split: f.split) }
    self = counter.finished
  }

  mutating func add(size: Int64, split: String?) {
    count += 1
    bytes += size
    splits[split ?? "(none)", default: 0] += 1
  }

  mutating func remove(size: Int64, split: String?) {
    count -= 1
    bytes -= size
    let key = split ?? "(none)"
    if let n = splits[key] { splits[key] = n > 1 ? n - 1 : nil }
  }

  /// Totals of files listed in path order, where one split runs for thousands of files: a run costs one
  /// dictionary update, not one per file.
  struct Counter {
    private var counted = VersionTotals()
    private var run: (split: String?, files: Int) = (nil, 0)

    mutating func add(size: Int64, split: String?) {
      if split != run.split { flush() }
      run.split = split
      run.files += 1
      counted.count += 1
      counted.bytes += size
    }

    private mutating func flush() {
      if run.files > 0 { counted.splits[run.split ?? "(none)", default: 0] += run.files }
      run.files = 0
    }

    var finished: VersionTotals {
      var copy = self
      copy.flush()
      return copy.counted
    }
  }

  func append(to out: inout [UInt8]) {
    PackIndex.appendUInt64(&out, UInt64(count))
    PackIndex.appendUInt64(&out, UInt64(bitPattern: bytes))
    PackIndex.appendUInt64(&out, UInt64(splits.count))
    for name in splits.keys.sorted() {
      StagingIndex.appendString(&out, name)
      PackIndex.appendUInt64(&out, UInt64(splits[name]!))
    }
  }

  static func read(_ reader: inout ByteReader) throws -> VersionTotals {
    var totals = VersionTotals()
    totals.count = try reader.int()
    totals.bytes = Int64(bitPattern: try reader.u64())
    let splitCount = try reader.int()
    for _ in 0..<splitCount {
      let name = try reader.string()
      totals.splits[name] = try reader.int()
    }
    return totals
  }
}
