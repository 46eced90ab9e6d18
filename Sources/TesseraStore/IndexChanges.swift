import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// `.tessera/index.changes`: the entries that differ from the full index `.tessera/index`, which it names by
/// checksum (git's split index). Writing a small change costs the change, not a 10 MB rewrite; loading applies it
/// to exactly that full index and ignores it beside any other (a full write replaces the index, then removes it).
///
/// "TXC2", the full index's SHA-256 (32 bytes), UInt64 count, then per changed path, in path-byte order, a flag
/// byte: 1 and the entry as the full index encodes it, or 0 and the path (no longer staged); then the base commit,
/// the touched paths and the totals as in the full index (they replace its own: the totals are of the whole index
/// with these changes), and a SHA-256 of everything before it. "TIXC", from before the totals, is still read.
/// Records stay bytes: loading copies them into the merged entries and the next write copies them again.
struct IndexChanges {
  /// Where one record's path and (unless it removes the path) its encoded entry lie in `bytes`.
  struct Record {
    var path: Range<Int>
    var entry: Range<Int>?
  }

  var bytes = FileBytes([])
  var records: [Record] = []
  var base: String?
  var touched: Set<String> = []
  /// The totals of the full index with these changes; nil in a file from before they were kept.
  var totals: VersionTotals?
  /// This file's own SHA-256: with it, the index's name for caches.
  var checksum: [UInt8] = []

  static let magic: [UInt8] = Array("TXC2".utf8)
  static let legacyMagic: [UInt8] = Array("TIXC".utf8)
  static let countOffset = 4 + 32

  static func path(forIndex indexPath: String) -> String { indexPath + ".changes" }

  /// The full index the changes file at `path` names, read from its first bytes; nil when there is none.
  static func fullIndexChecksum(atPath path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var head = [UInt8](repeating: 0, count: countOffset)
    guard head.withUnsafeMutableBytes({ pread(fd, $0.baseAddress!, countOffset, 0) }) == countOffset,
          Array(head[0..<4]) == magic || Array(head[0..<4]) == legacyMagic else { return nil }
    return Array(head[4...])
  }

  /// The changes for the full index whose checksum is `fileChecksum`; nil when there are none for it.
  /// A torn or tampered changes file is refused, as a torn index is.
  static func load(forIndex indexPath: String, fileChecksum: [UInt8]) throws -> IndexChanges? {
    let path = path(forIndex: indexPath)
    guard fileExists(path) else { return nil }
    let bytes = try FileBytes.contents(of: path)
    func corrupt(_ why: String) -> StoreError { StagingIndex.corruptIndex(path, why) }
    let legacy = Array(bytes[0..<min(4, bytes.count)]) == legacyMagic
    guard bytes.count >= countOffset + 8 + 1 + 8 + 32, Array(bytes[0..<4]) == magic || legacy else {
      throw corrupt("not a Tessera index changes file")
    }
    guard bytes.endsWithItsSHA256 else { throw corrupt("index checksum does not match") }
    // Left behind by a crash after the full index was replaced: it speaks of that older index.
    guard Array(bytes[4..<countOffset]) == fileChecksum else { return nil }
    var changes = IndexChanges()
    changes.checksum = Array(bytes.suffix(32))
    try bytes.withUnsafeBytes { raw in
      var reader = ByteReader(raw: raw, position: countOffset, end: raw.count - 32)
      let count = try reader.u64()
      guard count <= UInt64(raw.count / 3) else { throw corrupt("entry count \(count) does not fit the file") }
      changes.records.reserveCapacity(Int(count))
      for _ in 0..<count {
        let record: Record
        if try reader.u8() == 1 {
          let start = reader.position
          let layout = try StagingIndex.readLayout(&reader)
          record = Record(path: layout.path.offset..<(layout.path.offset + layout.path.length), entry: start..<reader.position)
        } else {
          let (offset, length) = try reader.stringRange()
          record = Record(path: offset..<(offset + length), entry: nil)
        }
        if let previous = changes.records.last, compare(raw, previous.path, raw, record.path) >= 0 {
          throw corrupt("paths are not in order")
        }
        changes.records.append(record)
      }
      changes.base = try reader.optionalString()
      let touchedCount = try reader.u64()
      for _ in 0..<touchedCount { changes.touched.insert(try reader.string()) }
      changes.totals = legacy ? nil : try VersionTotals.read(&reader)
      guard reader.position == reader.end else { throw corrupt("trailing bytes") }
    }
    changes.bytes = bytes
    return changes
  }

  static func compare(_ a: UnsafeRawBufferPointer, _ ra: Range<Int>, _ b: UnsafeRawBufferPointer, _ rb: Range<Int>) -> Int {
    compareBytes(a.baseAddress! + ra.lowerBound, ra.count, b.baseAddress! + rb.lowerBound, rb.count)
  }
}
