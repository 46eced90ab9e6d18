/// An encoded image format Tessera reads and writes, recognised by its leading magic bytes
/// (never by file extension, which datasets get wrong often enough).
public enum ImageFormat: String, Sendable, Hashable, CaseIterable, Codable {
  case png
  case jpeg

  /// The format whose signature starts `bytes`, or nil: PNG's 8-byte signature
  /// (`89 50 4E 47 0D 0A 1A 0A`) or JPEG's SOI marker followed by another marker (`FF D8 FF`).
  public init?(sniffing bytes: some Collection<UInt8>) {
    var iterator = bytes.makeIterator()
    var head: [UInt8] = []
    head.reserveCapacity(8)
    while head.count < 8, let byte = iterator.next() { head.append(byte) }
    if head == ImageFormat.pngSignature {
      self = .png
    } else if head.count >= 3, head[0] == 0xFF, head[1] == 0xD8, head[2] == 0xFF {
      self = .jpeg
    } else {
      return nil
    }
  }

  /// The usual file extension, without the dot.
  public var fileExtension: String {
    switch self {
    case .png: "png"
    case .jpeg: "jpg"
    }
  }

  public var mimeType: String {
    switch self {
    case .png: "image/png"
    case .jpeg: "image/jpeg"
    }
  }

  static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
}
