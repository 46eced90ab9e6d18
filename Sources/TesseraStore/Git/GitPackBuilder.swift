import CGit2
import CZlib
import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// Builds one git pack of new objects in memory (no deltas: pointers and trees are tiny) and writes it with its
/// version-2 index straight into `objects/pack`. A commit of 70,000 files thus costs one pack file, not 70,000
/// loose objects, no delta search (which made libgit2's own packbuilder the slowest step of a commit), and no
/// indexer pass: libgit2's indexer inflated and re-hashed (SHA-1DC) every object this builder had just made,
/// a quarter of a fresh commit.
struct GitPackBuilder {
  /// The entries after the pack's header, in order, as pieces written one after another: runs of small entries
  /// appended in place, and prepared entries (`Entry`, a commit's large trees) kept in their own storage rather
  /// than copied into one body, which cost a commit a copy, and a page fault per 4 KB, of megabytes of trees.
  private var pieces: [[UInt8]] = []
  /// Small entries appended since the last prepared entry (the next piece).
  private var tail: [UInt8] = []
  /// Bytes in `pieces` and `tail`.
  private var length = 0
  private var entries: [(oid: git_oid, offset: Int, crc: UInt32)] = []
  private var seen: Set<GitOID> = []
  private let deflater = Deflater()

  var count: Int { entries.count }

  /// The git object id of `data` as an object of `type`, without storing it. Plain SHA-1 (SHA-NI through
  /// swift-crypto), not libgit2's collision-detecting SHA-1DC: these are objects Tessera itself makes.
  static func hash(_ type: git_object_t, _ data: [UInt8]) -> git_oid {
    data.withUnsafeBytes { hash(type, $0) }
  }

  static func hash(_ type: git_object_t, _ data: UnsafeRawBufferPointer) -> git_oid {
    var hasher = Insecure.SHA1()
    let name: StaticString
    switch type {
    case GIT_OBJECT_BLOB: name = "blob "
    case GIT_OBJECT_TREE: name = "tree "
    case GIT_OBJECT_COMMIT: name = "commit "
    default: name = "tag "
    }
    hasher.update(bufferPointer: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    var header: [UInt8] = []
    header.reserveCapacity(24)
    appendDecimal(&header, data.count)
    header.append(0)
    header.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    hasher.update(bufferPointer: data)
    var oid = git_oid()
    withUnsafeMutableBytes(of: &oid.id) { out in
      for (i, b) in hasher.finalize().enumerated() where i < out.count { out[i] = b }
    }
    return oid
  }

  static func appendDecimal(_ out: inout [UInt8], _ value: Int) {
    if value < 0 {
      out.append(UInt8(ascii: "-"))
      appendDecimal(&out, -value)
      return
    }
    if value >= 10 { appendDecimal(&out, value / 10) }
    out.append(UInt8(ascii: "0") + UInt8(value % 10))
  }

  /// Adds an object (once: a second object with the same id is skipped); `oid` is its id if already known.
  mutating func append(_ type: git_object_t, _ data: [UInt8], oid known: git_oid? = nil) throws {
    let oid = known ?? Self.hash(type, data)
    guard seen.insert(GitOID(oid)).inserted else { return }
    let start = tail.count
    try Self.appendEntry(type, data, to: &tail, deflater: deflater)
    let crc = tail.withUnsafeBytes { raw in
      UInt32(crc32_z(0, raw.baseAddress!.advanced(by: start).assumingMemoryBound(to: Bytef.self), raw.count - start))
    }
    // Offsets count from the pack's start, after its 12-byte header.
    entries.append((oid, 12 + length, crc))
    length += tail.count - start
  }

  /// Adds an object whose entry was made beforehand (on another thread: see `Entry`).
  mutating func append(_ entry: Entry) {
    guard seen.insert(GitOID(entry.oid)).inserted else { return }
    entries.append((entry.oid, 12 + length, entry.crc))
    if !tail.isEmpty {
      pieces.append(tail)
      tail = []
    }
    pieces.append(entry.bytes)
    length += entry.bytes.count
  }

  /// One object's pack entry, made where the object is (a large tree, on the core that built it) and added later.
  struct Entry: Sendable {
    var oid: git_oid
    var bytes: [UInt8] = []
    var crc: UInt32 = 0

    init(_ type: git_object_t, _ data: [UInt8], oid: git_oid) throws {
      self.oid = oid
      // Compressed straight into the entry's storage (a tree is 100 KB or more: no scratch buffer and copy).
      let header = GitPackBuilder.entryHeader(type, data.count), deflater = Deflater()
      let capacity = header.count + deflater.bound(data.count)
      var failure: (any Error)?
      bytes = [UInt8](unsafeUninitializedCapacity: capacity) { out, initialized in
        let raw = UnsafeMutableRawBufferPointer(out)
        header.withUnsafeBytes { raw.copyMemory(from: $0) }
        do {
          initialized = header.count + (try data.withUnsafeBytes {
            try deflater.compress($0, into: UnsafeMutableRawBufferPointer(rebasing: raw[header.count...]))
          })
        } catch {
          failure = error
          initialized = 0
        }
      }
      if let failure { throw failure }
      crc = bytes.withUnsafeBytes { UInt32(crc32_z(0, $0.baseAddress!.assumingMemoryBound(to: Bytef.self), $0.count)) }
    }
  }

  /// Entry header — type and size as a little-endian base-128 varint, 4 size bits in the first byte — then the
  /// data as a zlib stream.
  private static func appendEntry(_ type: git_object_t, _ data: [UInt8], to out: inout [UInt8], deflater: Deflater) throws {
    out += entryHeader(type, data.count)
    try deflater.compress(data, appendingTo: &out)
  }

  private static func entryHeader(_ type: git_object_t, _ count: Int) -> [UInt8] {
    var header: [UInt8] = []
    var size = count
    var byte = UInt8(truncatingIfNeeded: (Int(type.rawValue) << 4) | (size & 0x0F))
    size >>= 4
    while size > 0 {
      header.append(byte | 0x80)
      byte = UInt8(truncatingIfNeeded: size & 0x7F)
      size >>= 7
    }
    header.append(byte)
    return header
  }

  /// Makes room for `count` more bytes of small entries, so that adding 70,000 pointer blobs does not regrow (and
  /// copy, and fault in again) the piece they go into.
  mutating func reserve(_ count: Int) {
    tail.reserveCapacity(tail.count + count)
  }

  /// The pack's 12-byte header: "PACK", version 2, the number of objects.
  private var packHeader: [UInt8] {
    var header = Array("PACK".utf8) + [0, 0, 0, 2]
    for shift in [24, 16, 8, 0] { header.append(UInt8(truncatingIfNeeded: entries.count >> shift)) }
    return header
  }

  /// git's pack index, version 2: fan-out table, sorted ids, CRC-32s, offsets, then the pack's and its own SHA-1.
  static func indexBytes(_ entries: [(oid: git_oid, offset: Int, crc: UInt32)], packChecksum: ArraySlice<UInt8>) -> [UInt8] {
    // Sorted by the ids' first eight bytes as one number (ties, practically never, by the whole id).
    let keyed = entries.indices.map { i in (withUnsafeBytes(of: entries[i].oid.id) { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) }, i) }
    let order = keyed.sorted { a, b in
      if a.0 != b.0 { return a.0 < b.0 }
      return withUnsafePointer(to: entries[a.1].oid) { x in withUnsafePointer(to: entries[b.1].oid) { git_oid_cmp(x, $0) < 0 } }
    }
    let sorted = order.map { entries[$0.1] }
    var out: [UInt8] = [0xFF, 0x74, 0x4F, 0x63, 0, 0, 0, 2]
    out.reserveCapacity(8 + 1024 + sorted.count * 28 + 40)
    func be32(_ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) } }
    var fanout = [UInt32](repeating: 0, count: 256)
    for e in sorted { fanout[Int(e.oid.id.0)] += 1 }
    var running: UInt32 = 0
    for i in 0..<256 {
      running += fanout[i]
      be32(running)
    }
    for e in sorted { withUnsafeBytes(of: e.oid.id) { out.append(contentsOf: $0) } }
    for e in sorted { be32(e.crc) }
    var large: [UInt64] = []
    for e in sorted {
      if e.offset < 0x8000_0000 { be32(UInt32(e.offset)) } else {
        be32(0x8000_0000 | UInt32(large.count))
        large.append(UInt64(e.offset))
      }
    }
    for v in large { withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) } }
    out.append(contentsOf: packChecksum)
    out.append(contentsOf: Insecure.SHA1.hash(data: out))
    return out
  }

  /// Writes the pack and its index into `objects/pack` of the repository at `gitDirectory`: both synced under
  /// temporary names, the pack renamed into place before its index (git reads a pack only through its index),
  /// the folder synced, then the object database refreshed.
  func write(gitDirectory: String, odb: OpaquePointer?) throws {
    guard count > 0 else { return }
    // The pack's SHA-1 (its trailer and its name) is computed on the other core while the pack is written.
    let header = packHeader, pieces = tail.isEmpty ? pieces : pieces + [tail]
    let hashing = inBackground {
      var hasher = Insecure.SHA1()
      hasher.update(data: header)
      for piece in pieces { hasher.update(data: piece) }
      return Array(hasher.finalize())
    }
    let folder = gitDirectory + "/objects/pack"
    try makeDirectories(folder)
    let tmp = folder + "/tmp_tessera_\(getpid())_\(UInt64.random(in: 0...UInt64.max))"
    var made: [String] = []
    defer { for path in made { unlink(path) } }
    let packFD = try syscall("open", tmp + ".pack") { open(tmp + ".pack", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444) }
    made.append(tmp + ".pack")
    defer { close(packFD) }
    try header.withUnsafeBytes { try writeAll(fd: packFD, path: tmp + ".pack", $0) }
    for piece in pieces { try piece.withUnsafeBytes { try writeAll(fd: packFD, path: tmp + ".pack", $0) } }
    let checksum = hashing()[...]
    try checksum.withUnsafeBytes { try writeAll(fd: packFD, path: tmp + ".pack", $0) }
    var checksumID = git_oid()
    withUnsafeMutableBytes(of: &checksumID.id) { $0.copyBytes(from: checksum) }
    let name = folder + "/pack-" + GitOID(checksumID).hex
    if fileExists(name + ".idx") { return }  // the same objects are already there (the temporary file goes)
    try syscall("fsync", tmp + ".pack") { fsync(packFD) }
    let index = Self.indexBytes(entries, packChecksum: checksum)
    let indexFD = try syscall("open", tmp + ".idx") { open(tmp + ".idx", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444) }
    made.append(tmp + ".idx")
    defer { close(indexFD) }
    try writeAll(fd: indexFD, path: tmp + ".idx", index)
    try syscall("fsync", tmp + ".idx") { fsync(indexFD) }
    try syscall("rename", name + ".pack") { rename(tmp + ".pack", name + ".pack") }
    made.removeFirst()
    try syscall("rename", name + ".idx") { rename(tmp + ".idx", name + ".idx") }
    made.removeAll()
    try syncPath(folder)
    try git("git_odb_refresh") { git_odb_refresh(odb) }
  }
}

/// One zlib stream reused for every object: `compress2` would allocate and clear a fresh 256 KB state per call.
final class Deflater {
  private var stream = z_stream()

  init() {
    // Level 0 (stored blocks) and memLevel 1: pointers and trees are small and compress poorly, while
    // deflateReset clears the match hash table every time — 64 KiB at the default memLevel, 70,000 times
    // per commit — and level 1 with a small table spends its time building Huffman trees for tiny blocks.
    // Either way compression was half of a commit; stored, the git folder of Fashion-MNIST grows from
    // 13 to 15 MB.
    _ = deflateInit2_(&stream, 0, Z_DEFLATED, 15, 1, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
  }

  deinit { deflateEnd(&stream) }

  /// Reused output buffer: growing the pack by `bound` zeros went element by element, and a fresh array per
  /// object is one allocation per pointer blob (70,000 in a first commit).
  private var scratch: [UInt8] = []

  func compress(_ data: [UInt8], appendingTo out: inout [UInt8]) throws {
    let bound = bound(data.count)
    if scratch.count < bound { scratch = [UInt8](repeating: 0, count: max(bound, 2 * scratch.count)) }
    let written = try scratch.withUnsafeMutableBytes { o in try data.withUnsafeBytes { try compress($0, into: o) } }
    scratch.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<written])) }
  }

  /// The most bytes `compress` can write for `count` bytes of data.
  func bound(_ count: Int) -> Int { Int(deflateBound(&stream, uLong(count))) }

  /// Compresses `data` into `out`, which holds at least `bound(data.count)` bytes; returns how many it wrote.
  func compress(_ data: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) throws -> Int {
    guard deflateReset(&stream) == Z_OK else { throw StoreError(.io, "deflateReset failed while packing git objects") }
    stream.next_in = UnsafeMutablePointer(mutating: data.baseAddress?.assumingMemoryBound(to: Bytef.self))
    stream.avail_in = uInt(data.count)
    stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
    stream.avail_out = uInt(out.count)
    let status = deflate(&stream, Z_FINISH)
    guard status == Z_STREAM_END else { throw StoreError(.io, "deflate failed (\(status)) while packing git objects") }
    return Int(stream.total_out)
  }
}
