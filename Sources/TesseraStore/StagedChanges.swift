/// What a commit onto the index's base reads of the index: the paths staged since the base, their entries, the
/// totals, and the index's checksum. Every other entry equals the base version's, whose tree the commit reuses.
struct StagedChanges: Equatable {
  /// The commit the index equalled before the touched paths were staged.
  var base: String
  var touched: Set<String>
  /// The entry of each touched path that is still staged (a touched path missing here was removed).
  var entries: [String: StagingIndex.Entry]
  var totals: VersionTotals
  /// The checksum that names this index (`StagingIndex.checksum`).
  var checksum: [UInt8]

  /// Read from the changes file alone, without the full index (10 MB for 70,000 files) beside it, of which only the
  /// last 32 bytes are read: the checksum the changes file must name. Nil when the changes file cannot answer
  /// alone — there is none, or it is from before totals were kept, or a touched path was staged before the full
  /// index was last written (its entry is in that file), or the index was committed since — and the caller reads
  /// the whole index instead. A torn or tampered changes file is refused, as `StagingIndex.load` refuses it.
  static func loadFromChangesFile(forIndex indexPath: String) throws -> StagedChanges? {
    guard let fullChecksum = StagingIndex.trailingChecksum(indexPath)?.checksum,
          let changes = try IndexChanges.load(forIndex: indexPath, fileChecksum: fullChecksum),
          let base = changes.base, let totals = changes.totals,
          CommittedIndex.base(forIndex: indexPath, checksum: changes.checksum) == nil else { return nil }
    var entries: [String: StagingIndex.Entry] = [:]
    var recorded = 0
    try changes.bytes.withUnsafeBytes { raw in
      for record in changes.records {
        let path = String(decoding: UnsafeRawBufferPointer(rebasing: raw[record.path]), as: UTF8.self)
        guard changes.touched.contains(path) else { continue }
        recorded += 1
        guard let range = record.entry else { continue }
        var reader = ByteReader(raw: raw, position: range.lowerBound, end: range.upperBound)
        entries[path] = try StagingIndex.decodeEntry(&reader)
      }
    }
    guard recorded == changes.touched.count else { return nil }
    return StagedChanges(base: base, touched: changes.touched, entries: entries, totals: totals, checksum: changes.checksum)
  }
}

extension StagingIndex {
  /// This index's changes since its base, for a commit onto that base; `checksum` names the index as written.
  func stagedChanges(checksum: [UInt8]) -> StagedChanges? {
    guard let base else { return nil }
    var entries: [String: Entry] = [:]
    for path in touched { if let entry = self[path] { entries[path] = entry } }
    return StagedChanges(base: base, touched: touched, entries: entries, totals: totals(), checksum: checksum)
  }
}
