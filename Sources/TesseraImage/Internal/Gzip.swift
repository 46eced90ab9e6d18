import CZlib

/// gzip (RFC 1952) through zlib. Every zlib call's status goes through `check`, which names the
/// function and carries zlib's message.
package enum Gzip {
  /// Inflates every member of a gzip file. `limit` bounds the output (a gzip bomb is a few KB that
  /// inflate to gigabytes).
  static func decompress(_ input: [UInt8], path: String, limit: Int = 1 << 32) throws(DatasetImportError) -> [UInt8] {
    guard input.count >= 18, input[0] == 0x1F, input[1] == 0x8B else {
      throw DatasetImportError(.corruptInput, path: path, "not a gzip file (no 1F 8B signature)")
    }
    guard input.count < Int(UInt32.max) else {
      throw DatasetImportError(.corruptInput, path: path, "gzip file larger than 4 GiB")
    }
    // The trailer's ISIZE is the last member's size mod 2^32: a good first guess, never trusted.
    let isize = input[(input.count - 4)...].reversed().reduce(0) { $0 << 8 | Int($1) }
    var output: [UInt8] = []
    output.reserveCapacity(min(isize, limit))
    var stream = z_stream()
    try check(inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)), "inflateInit2", &stream, path)
    defer { inflateEnd(&stream) }

    var chunk = [UInt8](repeating: 0, count: 1 << 18)
    try input.withUnsafeBufferPointer { source throws(DatasetImportError) in
      stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
      stream.avail_in = uInt(source.count)
      while true {
        let status = chunk.withUnsafeMutableBufferPointer { buffer in
          stream.next_out = buffer.baseAddress
          stream.avail_out = uInt(buffer.count)
          return inflate(&stream, Z_NO_FLUSH)
        }
        let produced = chunk.count - Int(stream.avail_out)
        if output.count + produced > limit {
          throw DatasetImportError(.corruptInput, path: path, "inflates to more than \(limit) bytes")
        }
        output.append(contentsOf: chunk[0..<produced])
        if status == Z_STREAM_END {
          // Concatenated members are valid gzip; anything else after the end is not.
          guard stream.avail_in > 0 else { return }
          let next = source.count - Int(stream.avail_in)
          guard source[next] == 0x1F else {
            throw DatasetImportError(.corruptInput, path: path, "\(stream.avail_in) bytes of garbage after the gzip data")
          }
          try check(inflateReset(&stream), "inflateReset", &stream, path)
          continue
        }
        if status == Z_BUF_ERROR && stream.avail_in == 0 {
          throw DatasetImportError(.corruptInput, path: path, "gzip data ends early (file truncated)")
        }
        try check(status, "inflate", &stream, path)
      }
    }
    return output
  }

  /// Compresses `input` as one gzip member (for tests and tools that write IDX files).
  package static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
    var stream = z_stream()
    guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                        Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return [] }
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
    let written = input.withUnsafeBufferPointer { source in
      output.withUnsafeMutableBufferPointer { target -> Int in
        stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
        stream.avail_in = uInt(source.count)
        stream.next_out = target.baseAddress
        stream.avail_out = uInt(target.count)
        return deflate(&stream, Z_FINISH) == Z_STREAM_END ? target.count - Int(stream.avail_out) : 0
      }
    }
    return Array(output[0..<written])
  }

  private static func check(_ status: Int32, _ function: String, _ stream: inout z_stream, _ path: String) throws(DatasetImportError) {
    guard status != Z_OK else { return }
    let detail = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
    throw DatasetImportError(.corruptInput, path: path, "\(function): \(detail)")
  }
}
