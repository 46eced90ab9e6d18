import CGit2
import CZlib
import Crypto

/// Builds one git pack of new objects in memory (no deltas: pointers and trees are tiny) and hands it to
/// libgit2's indexer in a single write. A commit of 70,000 files thus costs one pack file, not 70,000 loose
/// objects, and no delta search (which made libgit2's own packbuilder the slowest step of a commit).
struct GitPackBuilder {
  private var body: [UInt8] = []
  private(set) var count = 0
  private let deflater = Deflater()

  /// The git object id of `data` as an object of `type` (without storing it).
  static func hash(_ type: git_object_t, _ data: [UInt8]) throws -> git_oid {
    var oid = git_oid()
    try git("git_odb_hash") { data.withUnsafeBytes { git_odb_hash(&oid, $0.baseAddress, $0.count, type) } }
    return oid
  }

  mutating func append(_ type: git_object_t, _ data: [UInt8]) throws {
    // Entry header: type and size as a little-endian base-128 varint, 4 size bits in the first byte.
    var size = data.count
    var byte = UInt8(truncatingIfNeeded: (Int(type.rawValue) << 4) | (size & 0x0F))
    size >>= 4
    while size > 0 {
      body.append(byte | 0x80)
      byte = UInt8(truncatingIfNeeded: size & 0x7F)
      size >>= 7
    }
    body.append(byte)
    try deflater.compress(data, appendingTo: &body)
    count += 1
  }

  /// The complete pack: header, entries, SHA-1 trailer.
  func packBytes() -> [UInt8] {
    var pack = Array("PACK".utf8) + [0, 0, 0, 2]
    for shift in [24, 16, 8, 0] { pack.append(UInt8(truncatingIfNeeded: count >> shift)) }
    pack.append(contentsOf: body)
    pack.append(contentsOf: Insecure.SHA1.hash(data: pack))
    return pack
  }

  /// Writes the pack into the repository's object database through libgit2's indexer (which builds the .idx).
  func write(to odb: OpaquePointer?) throws {
    guard count > 0 else { return }
    let pack = packBytes()
    var writepack: UnsafeMutablePointer<git_odb_writepack>?
    try git("git_odb_write_pack") { git_odb_write_pack(&writepack, odb, nil, nil) }
    defer { writepack!.pointee.free(writepack) }
    var stats = git_indexer_progress()
    try git("git_odb_writepack.append") {
      pack.withUnsafeBytes { writepack!.pointee.append(writepack, $0.baseAddress, $0.count, &stats) }
    }
    try git("git_odb_writepack.commit") { writepack!.pointee.commit(writepack, &stats) }
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

  func compress(_ data: [UInt8], appendingTo out: inout [UInt8]) throws {
    guard deflateReset(&stream) == Z_OK else { throw StoreError(.io, "deflateReset failed while packing git objects") }
    let bound = Int(deflateBound(&stream, uLong(data.count)))
    let start = out.count
    out.append(contentsOf: repeatElement(0, count: bound))
    let status: Int32 = out.withUnsafeMutableBytes { o in
      data.withUnsafeBytes { i in
        stream.next_in = UnsafeMutablePointer(mutating: i.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(i.count)
        stream.next_out = o.baseAddress!.advanced(by: start).assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(bound)
        return deflate(&stream, Z_FINISH)
      }
    }
    guard status == Z_STREAM_END else { throw StoreError(.io, "deflate failed (\(status)) while packing git objects") }
    out.removeSubrange((start + Int(stream.total_out))...)
  }
}
