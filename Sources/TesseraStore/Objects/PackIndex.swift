import Crypto
import Foundation

/// The sorted table of one data pack: for each object, its id, offset and size in the pack file.
///
/// On disk (`pack-<name>.tpi`): "TPI1", a little-endian UInt64 count, `count` entries of
/// 32-byte SHA-256 id + UInt64 offset + UInt64 size, sorted by id, then a SHA-256 of everything before it.
package struct PackIndex: Sendable {
  static let magic: [UInt8] = Array("TPI1".utf8)
  static let entrySize = 48
  static let headerSize = 12

  package struct Entry: Sendable {
    package var id: ObjectID
    package var offset: UInt64
    package var size: UInt64
  }

  /// The raw file, kept as is: binary search reads it in place, so a million objects cost 48 MB, not a dictionary.
  let bytes: FileBytes
  package let count: Int

  /// A pack index held in memory (a remote's, downloaded), its layout and checksum checked.
  package init(bytes: [UInt8], path: String) throws {
    try self.init(bytes: FileBytes(bytes), path: path)
    try checkChecksum(path: path)
  }

  /// Checks the layout only: the checksum is the caller's to check (`checkChecksum`) before it trusts the offsets.
  init(bytes: FileBytes, path: String) throws {
    guard bytes.count >= Self.headerSize + 32, bytes[0..<4] == Self.magic else {
      throw StoreError(.corruptObject, "\(path): not a Tessera pack index")
    }
    let stored = bytes.withUnsafeBytes { Self.readUInt64($0, 4) }
    guard let count = Int(exactly: stored), count <= bytes.count / Self.entrySize,
          bytes.count == Self.headerSize + count * Self.entrySize + 32 else {
      throw StoreError(.corruptObject, "\(path): pack index is truncated")
    }
    self.bytes = bytes
    self.count = count
  }

  /// The pack index file at `path`, mapped; its layout checked, not its checksum (see `ObjectStore.Pack`).
  init(contentsOf path: String) throws {
    try self.init(bytes: FileBytes.contents(of: path), path: path)
  }

  /// Throws unless the file ends with the SHA-256 of the rest: before its offsets and sizes are trusted to read
  /// an object's bytes.
  func checkChecksum(path: String) throws {
    guard bytes.endsWithItsSHA256 else {
      throw StoreError(.corruptObject, "\(path): pack index checksum does not match")
    }
  }

  static func serialize(_ entries: [Entry]) -> [UInt8] {
    let sorted = entries.sorted { $0.id < $1.id }
    var out = magic
    out.reserveCapacity(headerSize + sorted.count * entrySize + 32)
    appendUInt64(&out, UInt64(sorted.count))
    for e in sorted {
      appendUInt64BE(&out, e.id.w0)
      appendUInt64BE(&out, e.id.w1)
      appendUInt64BE(&out, e.id.w2)
      appendUInt64BE(&out, e.id.w3)
      appendUInt64(&out, e.offset)
      appendUInt64(&out, e.size)
    }
    out.append(contentsOf: SHA256.hash(data: out))
    return out
  }

  func entry(at i: Int) -> Entry {
    precondition(i >= 0 && i < count)
    let base = Self.headerSize + i * Self.entrySize
    return bytes.withUnsafeBytes { b in
      let id = ObjectID(w0: Self.readUInt64BE(b, base), w1: Self.readUInt64BE(b, base + 8),
                        w2: Self.readUInt64BE(b, base + 16), w3: Self.readUInt64BE(b, base + 24))
      return Entry(id: id, offset: Self.readUInt64(b, base + 32), size: Self.readUInt64(b, base + 40))
    }
  }

  package func find(_ id: ObjectID) -> Entry? {
    var lo = 0, hi = count
    // SHA-256 ids are uniform, so an id's value says about where it sits: a window of 512 entries around that
    // place holds it unless the ids are unlucky, and searching there touches a few cache lines, not 17 far apart.
    if count > 1024 {
      let guess = Int(id.w0.multipliedFullWidth(by: UInt64(count)).high)
      let a = max(0, guess - 256), b = min(count, guess + 256)
      if (a == 0 || leadingWord(a) < id.w0) && (b == count || leadingWord(b - 1) > id.w0) { (lo, hi) = (a, b) }
    }
    // The first id at or after `id` by its leading word alone (one load a step), then the run sharing that word.
    while lo < hi {
      let mid = (lo + hi) / 2
      if leadingWord(mid) < id.w0 { lo = mid + 1 } else { hi = mid }
    }
    while lo < count && leadingWord(lo) == id.w0 {
      let e = entry(at: lo)
      if e.id == id { return e }
      lo += 1
    }
    return nil
  }

  private func leadingWord(_ i: Int) -> UInt64 {
    precondition(i >= 0 && i < count)
    return bytes.withUnsafeBytes { Self.readUInt64BE($0, Self.headerSize + i * Self.entrySize) }
  }

  package var entries: [Entry] { (0..<count).map(entry(at:)) }

  // One unaligned load, not eight bounds-checked byte reads: binary search over a pack index is on the path of
  // every "is this object stored?" question, 70,000 of them in a fresh commit.
  // Callers check `at` against `count`, which the initialiser checked against the file's size.
  @inline(__always) static func readUInt64(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
    UInt64(littleEndian: b.loadUnaligned(fromByteOffset: at, as: UInt64.self))
  }

  @inline(__always) static func readUInt64BE(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
    UInt64(bigEndian: b.loadUnaligned(fromByteOffset: at, as: UInt64.self))
  }

  // Eight bytes in one append: byte-by-byte appends dominated writing a 70,000-entry index.
  @inline(__always) static func appendUInt64(_ out: inout [UInt8], _ v: UInt64) {
    withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
  }

  @inline(__always) static func appendUInt64BE(_ out: inout [UInt8], _ v: UInt64) {
    withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) }
  }
}

extension ObjectID {
  init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
    self.w0 = w0
    self.w1 = w1
    self.w2 = w2
    self.w3 = w3
  }
}
