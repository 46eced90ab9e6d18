import TesseraImage

/// Deterministic test images (integer arithmetic only).
enum TestImages {
  static func gradient(width: Int, height: Int, channels: Int, seed: Int = 1) -> Image {
    var state = UInt32(truncatingIfNeeded: seed &* 2_654_435_761 &+ 12345)
    var pixels = [UInt8]()
    pixels.reserveCapacity(width * height * channels)
    for y in 0..<height {
      for x in 0..<width {
        for c in 0..<channels {
          state = state &* 1_103_515_245 &+ 12345
          let noise = Int((state >> 16) & 0xFF)
          let g = ((x * 255 / max(width - 1, 1)) * (c + 1) + (y * 255 / max(height - 1, 1)) * (3 - c)) / 4
          pixels.append(UInt8(20 + (g * 3 + noise) / 4 * 215 / 255))
        }
      }
    }
    return Image(width: width, height: height, channels: channels, pixels: pixels)
  }
}
