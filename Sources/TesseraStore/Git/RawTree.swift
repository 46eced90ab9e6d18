import CGit2
#if canImport(Glibc)
import Glibc
#endif

/// A git tree object as its bytes ("MODE NAME\0" and a 20-byte id per entry, in git's order), with where each
/// entry starts: an incremental commit edits a folder's tree by copying runs of unchanged entries and finds the
/// few changed names by binary search, without decoding the thousands of others.
struct RawTree: Sendable {
  private let object: GitObjectBytes
  var bytes: UnsafeRawBufferPointer { object.bytes }
  /// Start of each entry, plus the end of the last.
  private var starts: [Int] = []
  /// Where each entry's name starts and whether it is a folder.
  private var nameStarts: [Int] = []
  private var isTree: [Bool] = []

  init(_ object: GitObjectBytes) throws {
    self.object = object
    var p = 0
    // About 35 bytes an entry, 70,000 entries in a commit's touched folders: the separators are found with memchr
    // rather than a byte-by-byte loop.
    let raw = object.bytes
    if let base = raw.baseAddress {
      let expected = raw.count / 32
      starts.reserveCapacity(expected + 1)
      nameStarts.reserveCapacity(expected)
      isTree.reserveCapacity(expected)
      while p < raw.count {
        starts.append(p)
        guard let spaceAt = memchr(base + p, Int32(UInt8(ascii: " ")), raw.count - p) else { throw Self.malformed(p) }
        let space = base.distance(to: UnsafeRawPointer(spaceAt))
        guard space + 1 < raw.count, let nulAt = memchr(base + space + 1, 0, raw.count - space - 1) else { throw Self.malformed(p) }
        let nul = base.distance(to: UnsafeRawPointer(nulAt))
        guard nul + 21 <= raw.count else { throw Self.malformed(p) }
        // Folders are mode 40000; every other mode (files, links) is not.
        isTree.append(space - p == 5 && raw[p] == UInt8(ascii: "4"))
        nameStarts.append(space + 1)
        p = nul + 21
      }
    }
    starts.append(p)
  }

  private static func malformed(_ offset: Int) -> StoreError {
    StoreError(.git, "a tree object of the version is malformed at byte \(offset)")
  }

  var count: Int { isTree.count }

  func oid(_ i: Int) -> git_oid {
    var oid = git_oid()
    let at = starts[i + 1] - 20
    withUnsafeMutableBytes(of: &oid.id) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + 20)])) }
    return oid
  }

  /// The byte range of entries `range`.
  func entryRange(_ range: Range<Int>) -> Range<Int> { starts[range.lowerBound]..<starts[range.upperBound] }

  /// git's order of entry `i` against (name, isTree): negative when the entry sorts first.
  private func compare(_ i: Int, _ name: UnsafeBufferPointer<UInt8>, _ nameIsTree: Bool) -> Int {
    let raw = bytes, s = nameStarts[i], n = starts[i + 1] - 21 - s
    return compareBytes(raw.baseAddress! + s, n, name.baseAddress, name.count) { common in
      (n > common ? Int(raw[s + common]) : (isTree[i] ? 0x2F : -1))
        - (name.count > common ? Int(name[common]) : (nameIsTree ? 0x2F : -1))
    }
  }

  /// The first entry that does not sort before (name, isTree).
  func insertionPoint(_ name: String, isTree: Bool) -> Int {
    var name = name
    return name.withUTF8 { key in
      var lo = 0, hi = count
      while lo < hi {
        let mid = (lo + hi) / 2
        if compare(mid, key, isTree) < 0 { lo = mid + 1 } else { hi = mid }
      }
      return lo
    }
  }

  /// The entry named `name` of that kind, if the tree has one.
  func find(_ name: String, isTree: Bool) -> Int? {
    let i = insertionPoint(name, isTree: isTree)
    guard i < count, self.isTree[i] == isTree else { return nil }
    var name = name
    return name.withUTF8 { compare(i, $0, isTree) == 0 } ? i : nil
  }
}

extension GitRepository {
  /// The repository's object database; the caller frees it with `git_odb_free`.
  func objectDatabase() throws -> OpaquePointer? {
    var odb: OpaquePointer?
    try git("git_repository_odb") { git_repository_odb(&odb, handle) }
    return odb
  }

}

/// An object's content (without its header) read from git's object database, kept in libgit2's buffer rather than
/// copied out: a commit reads megabytes of trees, and a copy into fresh memory costs a page fault per 4 KB.
final class GitObjectBytes: @unchecked Sendable {  // the buffer is never written, and freed once, in deinit
  private let object: OpaquePointer?
  let bytes: UnsafeRawBufferPointer

  /// Reads `id`. Safe on several threads at once: libgit2 locks its odb's caches.
  init(_ id: GitOID, odb: OpaquePointer?) throws {
    var oid = id.raw
    var object: OpaquePointer?
    try git("git_odb_read") { git_odb_read(&object, odb, &oid) }
    self.object = object
    bytes = UnsafeRawBufferPointer(start: git_odb_object_data(object), count: git_odb_object_size(object))
  }

  deinit { git_odb_object_free(object) }
}
