/// A decoded image: 8-bit samples, interleaved (HWC), with 1 (grey), 3 (RGB) or 4 (RGBA) channels.
///
/// A value type that crosses threads freely; pixel functions take one and return a new one.
public struct Image: Sendable, Equatable, Hashable {
  public var width: Int
  public var height: Int
  public var channels: Int
  /// `height * width * channels` samples, row-major, channels interleaved.
  public var pixels: [UInt8]

  public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
    precondition(width >= 0 && height >= 0, "image size must not be negative")
    precondition([1, 3, 4].contains(channels), "channels must be 1, 3 or 4")
    precondition(pixels.count == width * height * channels, "pixel count does not match the size")
    self.width = width
    self.height = height
    self.channels = channels
    self.pixels = pixels
  }

  /// An image of one colour (`value` repeated in every sample).
  public init(width: Int, height: Int, channels: Int, filledWith value: UInt8 = 0) {
    self.init(width: width, height: height, channels: channels,
              pixels: [UInt8](repeating: value, count: width * height * channels))
  }

  @inlinable public var pixelCount: Int { width * height }

  @inlinable public subscript(x: Int, y: Int, c: Int) -> UInt8 {
    get { pixels[(y * width + x) * channels + c] }
    set { pixels[(y * width + x) * channels + c] = newValue }
  }
}
