import Testing
import TesseraImage

@Suite struct CodecRoundTripTests {
  /// A smooth ramp (no wrap-around edges, which JPEG's chroma subsampling would smear).
  static func gradient(width: Int, height: Int, channels: Int) -> Image {
    var image = Image(width: width, height: height, channels: channels)
    for y in 0..<height {
      for x in 0..<width {
        for c in 0..<channels { image[x, y, c] = UInt8(min(255, x * 5 + y * 3 + c * 10)) }
      }
    }
    return image
  }

  @Test(arguments: [1, 3, 4], [PNGRowFilter.none, .adaptive])
  func pngRoundTripIsExact(channels: Int, filter: PNGRowFilter) throws {
    let image = Self.gradient(width: 19, height: 7, channels: channels)
    for level in [0, 1, 9] {
      let png = try encodePNG(image, compressionLevel: level, filter: filter)
      #expect(ImageFormat(sniffing: png) == .png)
      #expect(try decodeImage(bytes: png) == image)
    }
  }

  @Test(arguments: [1, 3])
  func jpegRoundTripIsCloseAndQualityMatters(channels: Int) throws {
    let image = Self.gradient(width: 32, height: 24, channels: channels)
    let fine = try encodeJPEG(image, quality: 95)
    let coarse = try encodeJPEG(image, quality: 10)
    #expect(coarse.count < fine.count)
    let decoded = try decodeImage(bytes: fine)
    #expect(decoded.width == 32 && decoded.height == 24 && decoded.channels == channels)
    let meanError = zip(decoded.pixels, image.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / image.pixels.count
    #expect(meanError <= 2)
  }

  @Test func encodersRejectWhatTheFormatCannotHold() {
    let rgba = Image(width: 4, height: 4, channels: 4, filledWith: 9)
    let alpha = #expect(throws: ImageCodecError.self) { try encodeJPEG(rgba) }
    #expect(alpha?.code == .invalidArgument)
    #expect(alpha?.message.contains("4 channels") == true)
    let grey = Image(width: 4, height: 4, channels: 1)
    #expect(throws: ImageCodecError.self) { try encodeJPEG(grey, quality: 0) }
    #expect(throws: ImageCodecError.self) { try encodePNG(grey, compressionLevel: 10) }
    let empty = Image(width: 0, height: 3, channels: 1)
    #expect(throws: ImageCodecError.self) { try encodePNG(empty) }
  }
}

@Suite struct DecodeIntoTests {
  @Test func decodeIntoReusesStorageAndFollowsShapeChanges() throws {
    let rgb = Fixtures.bytes("images/rgb420.jpg")  // 17 x 11 x 3
    let grey = Fixtures.bytes("images/grey.jpg")  // 17 x 11 x 1
    var image = Image(width: 1, height: 1, channels: 1)
    try decodeImage(bytes: rgb, into: &image)
    #expect(image == (try decodeImage(bytes: rgb)))
    let storage = image.pixels.withUnsafeBufferPointer { $0.baseAddress }
    try decodeImage(bytes: rgb, into: &image)
    #expect(image.pixels.withUnsafeBufferPointer { $0.baseAddress } == storage, "same size: same storage")
    try decodeImage(bytes: grey, into: &image)
    #expect(image == (try decodeImage(bytes: grey)))
    for name in ["palette_trns.png", "grey_trns.png", "palette_empty_trns.png", "rgba16.png"] {
      try decodeImage(bytes: Fixtures.bytes("images/" + name), into: &image)
      #expect(image == (try decodeImage(bytes: Fixtures.bytes("images/" + name))), "\(name)")
    }
    #expect(throws: ImageCodecError.self) { try decodeImage(bytes: Fixtures.bytes("corrupt/jpeg_bad_dqt.jpg"), into: &image) }
    #expect(image.pixels.count == image.width * image.height * image.channels, "still a valid image after an error")
  }
}
