import Foundation

/// An IDX file (the MNIST family's format): a magic number `00 00 <type> <rank>`, `rank` big-endian
/// UInt32 dimensions, then the elements row-major. Only unsigned-byte elements (type 0x08) are read,
/// which is what MNIST and Fashion-MNIST use.
public struct IDXFile: Sendable, Hashable {
  public var dimensions: [Int]
  /// The elements, row-major: `dimensions.reduce(1, *)` bytes.
  public var data: [UInt8]

  public init(dimensions: [Int], data: [UInt8]) {
    precondition(!dimensions.isEmpty && dimensions.count <= 255, "an IDX file has 1...255 dimensions")
    precondition(dimensions.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) }, "dimensions must fit UInt32")
    precondition(dimensions.reduce(1, *) == data.count, "data does not match the dimensions")
    self.dimensions = dimensions
    self.data = data
  }

  /// Parses IDX bytes; `path` names the file in errors.
  public init(parsing bytes: [UInt8], path: String) throws(DatasetImportError) {
    guard bytes.count >= 4 else {
      throw DatasetImportError(.corruptInput, path: path, "\(bytes.count) bytes is too short for an IDX header")
    }
    let magic = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    guard bytes[0] == 0, bytes[1] == 0 else {
      throw DatasetImportError(.corruptInput, path: path, "magic number \(hex(magic)) is not an IDX file's (00 00 type rank)")
    }
    guard bytes[2] == 0x08 else {
      throw DatasetImportError(.corruptInput, path: path,
        "magic number \(hex(magic)): element type 0x\(String(bytes[2], radix: 16)) is not 0x08 (unsigned byte)")
    }
    let rank = Int(bytes[3])
    let headerSize = 4 + 4 * rank
    guard rank > 0, bytes.count >= headerSize else {
      throw DatasetImportError(.corruptInput, path: path, "IDX header with \(rank) dimensions is cut short")
    }
    var dimensions: [Int] = []
    var total = 1
    var overflow = false
    for axis in 0..<rank {
      let at = 4 + 4 * axis
      let size = Int(bytes[at..<(at + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
      dimensions.append(size)
      (total, overflow) = total.multipliedReportingOverflow(by: size)
      if overflow { break }
    }
    let shape = dimensions.map(String.init).joined(separator: " x ")
    guard !overflow, bytes.count - headerSize == total else {
      throw DatasetImportError(.corruptInput, path: path,
        "holds \(bytes.count - headerSize) bytes of data but its header promises \(overflow ? "more than Int.max" : String(total)) (\(shape))")
    }
    self.dimensions = dimensions
    self.data = Array(bytes[headerSize...])
  }

  /// Reads an IDX file, gunzipping it first when it starts with the gzip signature.
  public static func read(at url: URL) throws(DatasetImportError) -> IDXFile {
    let bytes: [UInt8]
    do {
      bytes = [UInt8](try Data(contentsOf: url))
    } catch {
      throw DatasetImportError(.missingInput, path: url.path, "cannot read: \(describe(error))")
    }
    if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B {
      return try IDXFile(parsing: Gzip.decompress(bytes, path: url.path), path: url.path)
    }
    return try IDXFile(parsing: bytes, path: url.path)
  }

  /// The file's bytes (uncompressed).
  public func encoded() -> [UInt8] {
    var out: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
    for size in dimensions { out += withUnsafeBytes(of: UInt32(size).bigEndian, Array.init) }
    return out + data
  }

  /// The file's bytes, gzip-compressed (as MNIST-family datasets are distributed).
  public func gzipped(level: Int = 6) -> [UInt8] {
    Gzip.compress(encoded(), level: Int32(clamping: level))
  }
}

private func hex(_ magic: UInt32) -> String {
  let digits = String(magic, radix: 16, uppercase: true)
  return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

/// Foundation errors describe themselves verbosely on Linux; the underlying POSIX text is what helps.
func describe(_ error: any Error) -> String {
  if let cocoa = error as? CocoaError, let underlying = cocoa.underlying as? POSIXError {
    return String(cString: strerror(underlying.code.rawValue))
  }
  if let cocoa = error as? CocoaError, cocoa.code == .fileReadNoSuchFile { return "no such file" }
  return error.localizedDescription
}
