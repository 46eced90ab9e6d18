import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// How many entries each folder held when it was last listed, with the folder's stat at that moment (git's
/// untracked cache). Adding, removing or renaming an entry sets a folder's mtime and ctime, so while its stat is
/// the one recorded its count is too, and a no-op `status` need not list 70,000 names again to learn that
/// nothing untracked appeared. Only stats clearly older than the listing are recorded: a change in the same
/// timestamp tick could leave the stat as it was. A cache: a missing or damaged file costs listings, never a
/// wrong answer.
struct FolderListings: Equatable {
  struct Listing: Equatable {
    var stat: FileStat
    /// Every entry but `.` and `..` (and, in the root, `.tessera` and `.git`): see ``countsAsEntry(_:inRoot:)``.
    var entries: Int
  }

  var byFolder: [String: Listing] = [:]

  private static let magic = Array("TFL1".utf8)

  /// Whether a listing taken at `listedAtNs` (wall clock, before the folder was stat'ed) of a folder with `stat`
  /// may be recorded: its times must be older than any later change could be stamped. Coarse file systems (whole
  /// seconds, as ext3 or FAT) need whole seconds of margin.
  static func trusted(_ stat: FileStat, listedAtNs: Int64) -> Bool {
    let coarse = stat.mtimeNs % 1_000_000_000 == 0 && stat.ctimeNs % 1_000_000_000 == 0
    let margin: Int64 = coarse ? 2_000_000_000 : 100_000_000
    return max(stat.mtimeNs, stat.ctimeNs) < listedAtNs - margin
  }

  /// Whether a folder entry is counted: not `.` or `..`, and in the root not the store's own folders.
  static func countsAsEntry(_ name: UnsafeRawBufferPointer, inRoot: Bool) -> Bool {
    let dot = UInt8(ascii: ".")
    if name.count == 1 && name[0] == dot || name.count == 2 && name[0] == dot && name[1] == dot { return false }
    guard inRoot, name.first == dot else { return true }
    return !name.elementsEqual(".tessera".utf8) && !name.elementsEqual(".git".utf8)
  }

  /// The listings in `path`; none when it is missing, damaged, or of another version.
  static func load(_ path: String) -> FolderListings {
    guard let bytes = try? readFile(path), bytes.count >= 4 + 8 + 32, Array(bytes[0..<4]) == magic,
          FileBytes(bytes).endsWithItsSHA256 else { return FolderListings() }
    return bytes.withUnsafeBytes { raw in
      var reader = ByteReader(raw: raw, position: 4, end: raw.count - 32)
      var result = FolderListings()
      do {
        for _ in 0..<(try reader.int()) {
          let folder = try reader.string()
          result.byFolder[folder] = Listing(stat: try FileStat(reading: &reader), entries: try reader.int())
        }
      } catch {
        return FolderListings()
      }
      return reader.position == reader.end ? result : FolderListings()
    }
  }

  /// Writes the listings to `path` (a temporary file renamed into place; not synced, as the index is not).
  func write(_ path: String) throws {
    var out = Self.magic
    // A name too long for its 16-bit length cannot be a path (PATH_MAX is 4,096); it is simply not cached.
    let kept = byFolder.filter { $0.key.utf8.count <= Int(UInt16.max) }.sorted { $0.key < $1.key }
    PackIndex.appendUInt64(&out, UInt64(kept.count))
    for (folder, listing) in kept {
      StagingIndex.appendString(&out, folder)
      listing.stat.append(to: &out)
      PackIndex.appendUInt64(&out, UInt64(listing.entries))
    }
    out += Array(SHA256.hash(data: out))
    try writeFileAtomically(path, out, sync: false)
  }
}
