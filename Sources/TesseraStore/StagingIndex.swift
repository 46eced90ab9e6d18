import Crypto

/// What `stat` said about a file when it was last hashed; equal stats mean the file need not be read again.
struct FileStat: Sendable, Hashable {
  var size: Int64
  var mtimeNs: Int64
  var ctimeNs: Int64
  var inode: UInt64

  /// A stat that never matches: the file is re-hashed next time.
  static let untrusted = FileStat(size: -1, mtimeNs: -1, ctimeNs: -1, inode: 0)
}

/// The files staged for the next version, each with the stat it had when hashed (git's index, in miniature).
///
/// On disk (`.tessera/index`): "TIX1", UInt64 count, then per entry: path, object id, size, stat, image info,
/// split, label; then a SHA-256 of everything before it. Written atomically; a torn or tampered file is rejected.
struct StagingIndex: Sendable {
  struct Entry: Sendable, Hashable {
    var file: TrackedFile
    var stat: FileStat
  }

  var entries: [String: Entry] = [:]
  /// The commit the index last matched exactly (after commit or checkout), and the paths staged since then;
  /// together they let `status` compare against HEAD without reading every pointer of the version.
  var base: String?
  var touched: Set<String> = []

  static let magic: [UInt8] = Array("TIX1".utf8)

  var files: [TrackedFile] { entries.values.map(\.file).sorted { $0.path < $1.path } }

  static func load(_ path: String) throws -> StagingIndex {
    guard let bytes = try readVerified(path) else { return StagingIndex() }
    func corrupt(_ why: String) -> StoreError { corruptIndex(path, why) }
    return try bytes.withUnsafeBytes { raw in
      var reader = ByteReader(raw: raw, position: 4, end: raw.count - 32)
      let count = try reader.u64()
      var index = StagingIndex()
      index.entries.reserveCapacity(Int(count))
      for _ in 0..<count {
        let path = try reader.string()
        let id = ObjectID(w0: try reader.u64be(), w1: try reader.u64be(), w2: try reader.u64be(), w3: try reader.u64be())
        let size = Int64(bitPattern: try reader.u64())
        let stat = FileStat(size: Int64(bitPattern: try reader.u64()), mtimeNs: Int64(bitPattern: try reader.u64()),
                            ctimeNs: Int64(bitPattern: try reader.u64()), inode: try reader.u64())
        var image: ImageInfo?
        if try reader.u8() == 1 {
          image = ImageInfo(format: try reader.string(), width: Int(try reader.u64()), height: Int(try reader.u64()),
                            channels: Int(try reader.u8()))
        }
        let split = try reader.optionalString()
        let label = try reader.optionalString()
        index.entries[path] = Entry(file: TrackedFile(path: path, object: id, size: size, image: image, split: split, label: label),
                                    stat: stat)
      }
      index.base = try reader.optionalString()
      let touchedCount = try reader.u64()
      for _ in 0..<touchedCount { index.touched.insert(try reader.string()) }
      guard reader.position == reader.end else { throw corrupt("trailing bytes") }
      return index
    }
  }


  static func corruptIndex(_ path: String, _ why: String) -> StoreError {
    StoreError(.corruptIndex, "\(path): \(why); run 'tessera checkout HEAD --force' to rebuild it")
  }

  /// The index file's bytes after checking its magic and checksum; nil when there is no index.
  static func readVerified(_ path: String) throws -> [UInt8]? {
    guard fileExists(path) else { return nil }
    let bytes = try readFile(path)
    func corrupt(_ why: String) -> StoreError { corruptIndex(path, why) }
    guard bytes.count >= 44, Array(bytes[0..<4]) == magic else { throw corrupt("not a Tessera index") }
    guard Array(SHA256.hash(data: bytes[0..<(bytes.count - 32)])) == Array(bytes[(bytes.count - 32)...]) else {
      throw corrupt("index checksum does not match")
    }
    return bytes
  }

  func serialize() -> [UInt8] {
    var out = Self.magic
    out.reserveCapacity(64 + entries.count * 140)
    PackIndex.appendUInt64(&out, UInt64(entries.count))
    // Sorted by path: IndexStats reads a folder's files as runs.
    for path in entries.keys.sorted() {
      let e = entries[path]!
      appendString(&out, path)
      PackIndex.appendUInt64BE(&out, e.file.object.w0)
      PackIndex.appendUInt64BE(&out, e.file.object.w1)
      PackIndex.appendUInt64BE(&out, e.file.object.w2)
      PackIndex.appendUInt64BE(&out, e.file.object.w3)
      PackIndex.appendUInt64(&out, UInt64(bitPattern: e.file.size))
      PackIndex.appendUInt64(&out, UInt64(bitPattern: e.stat.size))
      PackIndex.appendUInt64(&out, UInt64(bitPattern: e.stat.mtimeNs))
      PackIndex.appendUInt64(&out, UInt64(bitPattern: e.stat.ctimeNs))
      PackIndex.appendUInt64(&out, e.stat.inode)
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
    appendOptional(&out, base)
    PackIndex.appendUInt64(&out, UInt64(touched.count))
    for path in touched { appendString(&out, path) }  // a set: any order reads back the same
    out.append(contentsOf: SHA256.hash(data: out))
    return out
  }

  func write(_ path: String) throws { try writeFileAtomically(path, serialize()) }


  private func appendString(_ out: inout [UInt8], _ s: String) {
    let count = s.utf8.count
    out.append(UInt8(truncatingIfNeeded: count))
    out.append(UInt8(truncatingIfNeeded: count >> 8))
    out.append(contentsOf: s.utf8)
  }

  private func appendOptional(_ out: inout [UInt8], _ s: String?) {
    if let s {
      out.append(1)
      appendString(&out, s)
    } else {
      out.append(0)
    }
  }
}

/// Reads the index's little-endian fields in place, without copying.
struct ByteReader {
  let raw: UnsafeRawBufferPointer
  var position: Int
  let end: Int

  mutating func check(_ n: Int) throws {
    guard position + n <= end else { throw StoreError(.corruptIndex, "index is truncated") }
  }

  mutating func u8() throws -> UInt8 {
    try check(1)
    defer { position += 1 }
    return raw[position]
  }

  mutating func u64() throws -> UInt64 {
    try check(8)
    defer { position += 8 }
    return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self))
  }

  mutating func u64be() throws -> UInt64 {
    try check(8)
    defer { position += 8 }
    return UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self))
  }

  mutating func string() throws -> String {
    let lo = Int(try u8()), hi = Int(try u8())
    let n = lo | hi << 8
    try check(n)
    defer { position += n }
    return String(decoding: UnsafeRawBufferPointer(rebasing: raw[position..<(position + n)]), as: UTF8.self)
  }

  mutating func optionalString() throws -> String? { try u8() == 1 ? try string() : nil }
}
