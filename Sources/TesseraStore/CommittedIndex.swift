/// `.tessera/index.committed`: "the index whose checksum is C has since been committed as commit B". Commit
/// records this instead of rewriting the whole index (10 MB for 70,000 files) only to change its base: loading an
/// index with checksum C then reads its base as B and its touched paths as none, exactly what the rewrite held.
/// Any other index (the next `add` writes one) ignores it. Not fsynced: lost, the index keeps its older base, which
/// costs the next commit a full tree build and status a full comparison with HEAD, never a wrong answer.
struct CommittedIndex: Equatable {
  /// The index's checksum, in hex.
  var index: String
  var commit: String

  static let magic = "tessera-index-committed 1"

  static func path(forIndex indexPath: String) -> String { indexPath + ".committed" }

  static func load(forIndex indexPath: String) -> CommittedIndex? {
    guard let bytes = try? readFile(path(forIndex: indexPath)) else { return nil }
    let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    guard lines.count == 3, lines[0] == magic, lines[1].utf8.count == 64, lines[2].utf8.count == 40 else { return nil }
    return CommittedIndex(index: lines[1], commit: lines[2])
  }

  /// The committed base for an index with `checksum`, if this file speaks of that index.
  static func base(forIndex indexPath: String, checksum: [UInt8]) -> String? {
    guard let committed = load(forIndex: indexPath), committed.index == MonitorSnapshot.hex(checksum) else { return nil }
    return committed.commit
  }

  func write(forIndex indexPath: String) throws {
    try writeFileAtomically(Self.path(forIndex: indexPath), Array("\(Self.magic)\n\(index)\n\(commit)\n".utf8), sync: false)
  }
}
