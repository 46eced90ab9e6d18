import CCodecShims
import Foundation

/// Decodes PNG or JPEG bytes, choosing the decoder from the leading magic bytes.
///
/// PNG: every colour type, bit depth and interlace. Palettes expand to RGB, any transparency (alpha
/// channel or tRNS) gives RGBA, so grey+alpha becomes RGBA (Image has no two-channel layout); 16-bit
/// samples keep their high byte (`v >> 8`, Pillow's choice for 16-bit colour; exact rounding would differ
/// by at most 1); gAMA, sRGB, iCCP and cHRM are ignored, so samples come back raw, as in Pillow,
/// torchvision and OpenCV. JPEG: grey (1 channel), YCbCr/RGB (3), Adobe CMYK and YCCK converted to RGB
/// with Pillow's formula. Calls `CCodecShims_decode_png` / `CCodecShims_decode_jpeg`; the returned
/// image owns its pixels.
///
/// - Throws: `ImageCodecError` for unknown formats, corrupt or truncated data (a JPEG cut short is an
///   error, not a grey-padded image) and sizes above `options.maxPixels`.
public func decodeImage(
  bytes: some ContiguousBytes, options: ImageDecodingOptions = ImageDecodingOptions()
) throws(ImageCodecError) -> Image {
  let outcome: Result<Image, ImageCodecError> = bytes.withUnsafeBytes { raw in
    let input = raw.assumingMemoryBound(to: UInt8.self)
    return Result { () throws(ImageCodecError) -> Image in
      try decode(input, as: sniff(input), options: options)
    }
  }
  return try outcome.get()
}

/// Reads and decodes one image file; codec errors carry the file's path.
///
/// - Throws: the `Foundation` error of a failed read, or `ImageCodecError` with `path` set.
public func decodeImage(
  contentsOf url: URL, options: ImageDecodingOptions = ImageDecodingOptions()
) throws -> Image {
  // Read, not mapped: a mapped file that shrinks under us would be a SIGBUS, not an error.
  let data = try Data(contentsOf: url)
  do {
    return try decodeImage(bytes: data, options: options)
  } catch {
    var named = error
    named.path = url.path
    throw named
  }
}

/// Decodes into `image`, reusing its pixel storage when the new image has the same number of samples
/// (and `image` holds the only reference to it): a loader decoding many same-size images then touches no
/// fresh memory, saving the page faults a new multi-megabyte buffer costs on every decode.
///
/// On success `image` is the decoded image. On error it has a valid but unspecified shape and content.
/// - Throws: as `decodeImage(bytes:options:)`.
public func decodeImage(
  bytes: some ContiguousBytes, into image: inout Image, options: ImageDecodingOptions = ImageDecodingOptions()
) throws(ImageCodecError) {
  let outcome: Result<Void, ImageCodecError> = bytes.withUnsafeBytes { raw in
    let input = raw.assumingMemoryBound(to: UInt8.self)
    return Result { () throws(ImageCodecError) in
      let format = try sniff(input)
      var shape = ImageShape.peek(input, format)
      for _ in 0..<2 {
        if let shape, shape.pixelCount <= options.maxPixels, image.pixels.count != shape.byteCount {
          image = Image(width: shape.width, height: shape.height, channels: shape.channels)
        }
        let result = try image.pixels.withUnsafeMutableBufferPointer { pixels throws(ImageCodecError) in
          try callDecoder(input, format, options, pixels)
        }
        if result.status == CCodecShims_ok.rawValue {
          let decoded = result.shape
          // The header suggested more channels than the decoder produced (an invalid tRNS it dropped).
          image.pixels.removeLast(image.pixels.count - decoded.byteCount)
          image.width = decoded.width
          image.height = decoded.height
          image.channels = decoded.channels
          return
        }
        shape = result.shape  // buffer too small: the header guess was wrong; now the decoder has said
      }
      throw ImageCodecError(code: .libraryError, format: format, function: "decodeImage",
                            message: "decoder asked for a different buffer twice")
    }
  }
  try outcome.get()
}

/// The format `input` starts with, or the error `decodeImage` reports for anything else.
private func sniff(_ input: UnsafeBufferPointer<UInt8>) throws(ImageCodecError) -> ImageFormat {
  if let format = ImageFormat(sniffing: input) { return format }
  let head = input.prefix(8).map { byte in
    let digits = String(byte, radix: 16, uppercase: true)
    return digits.count == 1 ? "0" + digits : digits
  }.joined(separator: " ")
  throw ImageCodecError(code: .unknownFormat, format: nil, function: "decodeImage",
                        message: input.isEmpty ? "no data" : "not a PNG or JPEG (starts with \(head))")
}

/// Decodes bytes already known to be `format` (no sniffing) into a new image sized from the header.
func decode(
  _ input: UnsafeBufferPointer<UInt8>, as format: ImageFormat, options: ImageDecodingOptions
) throws(ImageCodecError) -> Image {
  var shape = ImageShape.peek(input, format)
  for _ in 0..<2 {
    // Never allocate for a header above the limit: the decoder reports that without a buffer.
    let count = shape.map { $0.pixelCount <= options.maxPixels ? $0.byteCount : 0 } ?? 0
    var result: ShimResult?
    var failure: ImageCodecError?
    let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      do throws(ImageCodecError) {
        let call = try callDecoder(input, format, options, buffer)
        result = call
        initialized = call.status == CCodecShims_ok.rawValue ? call.shape.byteCount : 0
      } catch {
        failure = error
        initialized = 0
      }
    }
    if let failure { throw failure }
    guard let result else { break }
    let decoded = result.shape
    if result.status == CCodecShims_ok.rawValue {
      return Image(width: decoded.width, height: decoded.height, channels: decoded.channels, pixels: pixels)
    }
    shape = decoded  // buffer too small: allocate what the decoder asked for
  }
  throw ImageCodecError(code: .libraryError, format: format, function: "decodeImage",
                        message: "decoder asked for a different buffer twice")
}

/// One decoder call through the shim; `buffer too small` comes back as a result, every other failure
/// as an error.
private func callDecoder(
  _ input: UnsafeBufferPointer<UInt8>, _ format: ImageFormat, _ options: ImageDecodingOptions,
  _ output: UnsafeMutableBufferPointer<UInt8>
) throws(ImageCodecError) -> ShimResult {
  let maxPixels = UInt64(options.maxPixels)
  let tooSmall: Set<Int32> = [Int32(CCodecShims_buffer_too_small.rawValue)]
  switch format {
  case .png:
    return try ShimResult.run(format: .png, accepting: tooSmall) {
      CCodecShims_decode_png(input.baseAddress, input.count, maxPixels, output.baseAddress, output.count, $0)
    }
  case .jpeg:
    let maxScans = Int32(clamping: options.maxProgressiveScans)
    return try ShimResult.run(format: .jpeg, accepting: tooSmall) {
      CCodecShims_decode_jpeg(input.baseAddress, input.count, maxPixels, maxScans, output.baseAddress, output.count, $0)
    }
  }
}
