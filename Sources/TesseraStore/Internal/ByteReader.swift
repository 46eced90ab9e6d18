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

  /// A UInt64 that must fit an Int (a count or a size): a damaged file says more, and is refused rather than trapping.
  mutating func int() throws -> Int {
    guard let value = Int(exactly: try u64()) else { throw StoreError(.corruptIndex, "index holds an impossible number") }
    return value
  }

  mutating func u64be() throws -> UInt64 {
    try check(8)
    defer { position += 8 }
    return UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self))
  }

  mutating func string() throws -> String {
    let (offset, n) = try stringRange()
    return String(decoding: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + n)]), as: UTF8.self)
  }

  mutating func optionalString() throws -> String? { try u8() == 1 ? try string() : nil }

  /// A length-prefixed string's (offset, length) in the buffer, without making a String.
  mutating func stringRange() throws -> (Int, Int) {
    let lo = Int(try u8()), hi = Int(try u8())
    let n = lo | hi << 8
    try check(n)
    defer { position += n }
    return (position, n)
  }

  mutating func skip(_ n: Int) throws {
    try check(n)
    position += n
  }
}
