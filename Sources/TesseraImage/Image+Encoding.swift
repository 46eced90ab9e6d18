import CCodecShims

/// How libpng picks each row's filter: `none` is fastest; `adaptive` tries all five and keeps the one
/// that compresses best (smaller files for photos and gradients, about 2x the encoding time).
public enum PNGRowFilter: Sendable, Hashable {
  case none
  case adaptive
}

/// Encodes `image` as an 8-bit, non-interlaced PNG (grey, RGB or RGBA as its channels say), through
/// `CCodecShims_encode_png` (libpng). `compressionLevel` is zlib's 0 (store) ... 9 (smallest).
public func encodePNG(
  _ image: Image, compressionLevel: Int = 6, filter: PNGRowFilter = .adaptive
) throws(ImageCodecError) -> [UInt8] {
  try image.pixels.withUnsafeBufferPointer { pixels throws(ImageCodecError) in
    try encodePNG(pixels: pixels, width: image.width, height: image.height, channels: image.channels,
                  compressionLevel: compressionLevel, filter: filter)
  }
}

/// Encodes `image` as a baseline JPEG (4:2:0 chroma for RGB) of `quality` 1...100, through
/// `CCodecShims_encode_jpeg` (libjpeg-turbo).
///
/// - Throws: `ImageCodecError` with code `.invalidArgument` for 4-channel images (JPEG has no alpha:
///   drop or composite it first) or a quality outside 1...100.
public func encodeJPEG(_ image: Image, quality: Int = 90) throws(ImageCodecError) -> [UInt8] {
  guard let width = UInt32(exactly: image.width), let height = UInt32(exactly: image.height) else {
    throw sizeError(image, .jpeg)
  }
  let result = try image.pixels.withUnsafeBufferPointer { pixels throws(ImageCodecError) in
    try ShimResult.run(format: .jpeg) {
      CCodecShims_encode_jpeg(pixels.baseAddress, width, height, Int32(image.channels),
                              Int32(clamping: quality), $0)
    }
  }
  return result.bytes()
}

/// Encodes raw interleaved pixels without first building an `Image` (used by dataset importers).
func encodePNG(
  pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, channels: Int,
  compressionLevel: Int, filter: PNGRowFilter
) throws(ImageCodecError) -> [UInt8] {
  guard let w = UInt32(exactly: width), let h = UInt32(exactly: height), pixels.count == width * height * channels
  else {
    throw ImageCodecError(code: .invalidArgument, format: .png, function: "encodePNG",
                          message: "\(pixels.count) samples do not make a \(width) x \(height) x \(channels) image")
  }
  let result = try ShimResult.run(format: .png) {
    CCodecShims_encode_png(pixels.baseAddress, w, h, Int32(channels), Int32(clamping: compressionLevel),
                           filter == .adaptive ? 1 : 0, $0)
  }
  return result.bytes()
}

private func sizeError(_ image: Image, _ format: ImageFormat) -> ImageCodecError {
  ImageCodecError(code: .invalidArgument, format: format, function: "encode",
                  message: "\(image.width) x \(image.height) is too large")
}
