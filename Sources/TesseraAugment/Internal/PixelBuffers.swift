import TesseraImage

/// Builds a new image of the given shape by letting `body` write every sample of an uninitialised buffer.
///
/// Pixel functions use this instead of `[UInt8](repeating:count:)` so that each output sample is written once.
@inline(__always)
func makeImage(width: Int, height: Int, channels: Int,
               _ body: (UnsafeMutableBufferPointer<UInt8>) -> Void) -> Image {
  let count = width * height * channels
  let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
    body(buffer)
    initialized = count
  }
  return Image(width: width, height: height, channels: channels, pixels: pixels)
}

/// Same shape as `image`; `body` gets the source samples and the output buffer.
@inline(__always)
func mapImage(_ image: Image,
              _ body: (UnsafeBufferPointer<UInt8>, UnsafeMutableBufferPointer<UInt8>) -> Void) -> Image {
  image.pixels.withUnsafeBufferPointer { src in
    makeImage(width: image.width, height: image.height, channels: image.channels) { dst in body(src, dst) }
  }
}

/// Number of channels that colour ops touch: alpha (the 4th channel) is carried through unchanged.
@inline(__always) func colorChannels(_ channels: Int) -> Int { channels == 4 ? 3 : channels }

/// Writes `fill` (one sample per channel) into every pixel of `dst[start..<start+count*channels]`.
@inline(__always)
func fillPixels(_ dst: UnsafeMutableBufferPointer<UInt8>, from start: Int, pixels count: Int, fill: [UInt8]) {
  let channels = fill.count
  if channels == 1 {
    let base = dst.baseAddress! + start
    base.update(repeating: fill[0], count: count)
    return
  }
  var o = start
  for _ in 0..<count {
    for k in 0..<channels { dst[o + k] = fill[k] }
    o += channels
  }
}
