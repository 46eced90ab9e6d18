/// What the store records about an image file: read from its header, never by decoding pixels.
public struct ImageInfo: Sendable, Hashable, Codable {
  public var format: String
  public var width: Int
  public var height: Int
  public var channels: Int

  public init(format: String, width: Int, height: Int, channels: Int) {
    self.format = format
    self.width = width
    self.height = height
    self.channels = channels
  }

  /// Reads a PNG's IHDR or a JPEG's SOF marker; nil for anything else or a header that does not parse.
  public static func sniff(_ bytes: [UInt8]) -> ImageInfo? {
    if bytes.count >= 26, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
       bytes[12..<16].elementsEqual(Array("IHDR".utf8)) {
      func be32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
      let channels: Int
      switch bytes[25] {
      case 0: channels = 1
      case 2: channels = 3
      case 3: channels = 3  // palette; 4 once a tRNS chunk adds alpha, which the header alone cannot tell
      case 4: channels = 2
      case 6: channels = 4
      default: return nil
      }
      return ImageInfo(format: "png", width: be32(16), height: be32(20), channels: channels)
    }
    if bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 {
      var i = 2
      while i + 9 < bytes.count {
        guard bytes[i] == 0xFF else { return nil }
        let marker = bytes[i + 1]
        if marker == 0xFF { i += 1; continue }
        if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { i += 2; continue }
        let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
        let isSOF = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
        if isSOF {
          let height = Int(bytes[i + 5]) << 8 | Int(bytes[i + 6])
          let width = Int(bytes[i + 7]) << 8 | Int(bytes[i + 8])
          return ImageInfo(format: "jpeg", width: width, height: height, channels: Int(bytes[i + 9]))
        }
        i += 2 + length
      }
    }
    return nil
  }
}
