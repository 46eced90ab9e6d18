/// HEAD read straight from the repository's files, so that a no-op `status` needs no libgit2 at all: libgit2's
/// set-up parses the system's TLS certificates, ~8 ms of CPU, more than the rest of such a status but its `stat`
/// calls. Only the plain layout libgit2 writes is read: HEAD naming a branch whose loose ref file holds a commit
/// id, or HEAD holding an id (detached). Anything else (a packed or symbolic branch ref, an unborn branch, another
/// ref storage) is nil, and the caller asks libgit2.
struct GitHead: Equatable {
  /// The commit id, 40 lowercase hex digits.
  var commit: String
  /// The branch (`main`), or nil when HEAD is detached.
  var branch: String?

  static func read(gitDirectory: String) -> GitHead? {
    guard let head = try? readFile(gitDirectory + "/HEAD") else { return nil }
    let refPrefix = Array("ref: refs/heads/".utf8)
    if let id = objectID(head) { return GitHead(commit: id, branch: nil) }
    guard head.starts(with: refPrefix), head.last == UInt8(ascii: "\n") else { return nil }
    let name = String(decoding: head[refPrefix.count..<(head.count - 1)], as: UTF8.self)
    guard !name.isEmpty, !name.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0.hasPrefix(".") }),
          let ref = try? readFile(gitDirectory + "/refs/heads/" + name), let id = objectID(ref) else { return nil }
    return GitHead(commit: id, branch: name)
  }

  /// The id a ref file holds: 40 lowercase hex digits and a newline, as git and libgit2 write them.
  private static func objectID(_ bytes: [UInt8]) -> String? {
    guard bytes.count == 41, bytes[40] == UInt8(ascii: "\n"),
          bytes[..<40].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
    else { return nil }
    return String(decoding: bytes[..<40], as: UTF8.self)
  }
}
