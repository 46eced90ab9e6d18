/// Width, height and channels of a decoded image, before its pixels exist.
struct ImageShape: Hashable {
  var width: Int
  var height: Int
  var channels: Int

  /// width × height, or Int.max when that overflows (a PNG header may claim 2^32 - 1 by 2^32 - 1).
  var pixelCount: Int {
    let (product, overflow) = width.multipliedReportingOverflow(by: height)
    return overflow ? Int.max : product
  }

  /// pixelCount × channels, saturating like pixelCount.
  var byteCount: Int {
    let (product, overflow) = pixelCount.multipliedReportingOverflow(by: channels)
    return overflow ? Int.max : product
  }

  /// The shape the decoders will produce, read from the header without a library call, so the output
  /// buffer can be allocated once, at its final size, and decoded into directly. nil when the header is
  /// not where it should be; the decoder then reports the shape (or the error) itself. A wrong guess only
  /// costs a second call.
  static func peek(_ bytes: UnsafeBufferPointer<UInt8>, _ format: ImageFormat) -> ImageShape? {
    switch format {
    case .png: peekPNG(bytes)
    case .jpeg: peekJPEG(bytes)
    }
  }

  private static func peekPNG(_ b: UnsafeBufferPointer<UInt8>) -> ImageShape? {
    // Signature (8), IHDR length and type (8), width, height, bit depth, colour type.
    guard b.count >= 33, b[12] == 0x49, b[13] == 0x48, b[14] == 0x44, b[15] == 0x52 else { return nil }
    let width = be32(b, 16), height = be32(b, 20)
    let colourType = b[25]
    var channels: Int
    switch colourType {
    case 0: channels = 1
    case 2, 3: channels = 3
    case 4, 6: channels = 4
    default: return nil
    }
    if channels != 4 {
      // tRNS (which must come before IDAT) adds an alpha channel.
      var offset = 33
      while offset + 8 <= b.count {
        let length = be32(b, offset)
        let type = (b[offset + 4], b[offset + 5], b[offset + 6], b[offset + 7])
        if type == (0x74, 0x52, 0x4E, 0x53) { channels = 4; break }  // tRNS
        if type == (0x49, 0x44, 0x41, 0x54) { break }  // IDAT
        offset += 12 + length
      }
    }
    return ImageShape(width: width, height: height, channels: channels)
  }

  private static func peekJPEG(_ b: UnsafeBufferPointer<UInt8>) -> ImageShape? {
    var offset = 2
    while offset + 4 <= b.count {
      guard b[offset] == 0xFF else { return nil }
      let marker = b[offset + 1]
      if marker == 0xFF { offset += 1; continue }  // fill byte
      if marker == 0x01 || (0xD0...0xD8).contains(marker) { offset += 2; continue }  // no length
      let length = Int(b[offset + 2]) << 8 | Int(b[offset + 3])
      // SOF0...SOF15, except DHT (C4), JPG (C8) and DAC (CC).
      if (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
        guard offset + 10 <= b.count else { return nil }
        let height = Int(b[offset + 5]) << 8 | Int(b[offset + 6])
        let width = Int(b[offset + 7]) << 8 | Int(b[offset + 8])
        return ImageShape(width: width, height: height, channels: b[offset + 9] == 1 ? 1 : 3)
      }
      if marker == 0xDA || marker == 0xD9 { return nil }  // scan data or end before any frame header
      offset += 2 + length
    }
    return nil
  }

  private static func be32(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> Int {
    Int(b[at]) << 24 | Int(b[at + 1]) << 16 | Int(b[at + 2]) << 8 | Int(b[at + 3])
  }
}
