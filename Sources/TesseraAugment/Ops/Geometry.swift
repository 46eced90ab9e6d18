/// Interpolation and fill colour for ops that move pixels (shear, translate, rotate) or paint areas
/// (Cutout, pad-and-crop, Random Erasing).
public struct Geometry: Sendable, Hashable {
  public var interpolation: Interpolation
  /// One value (used for every channel) or one per channel. Pillow and torchvision fill with 0 by default;
  /// the original AutoAugment code effectively filled with the dataset mean, AA-TPU with 128.
  public var fill: [UInt8]

  public init(interpolation: Interpolation = .nearest, fill: [UInt8] = [0]) {
    self.interpolation = interpolation
    self.fill = fill
  }

  public static let pillowDefault = Geometry()

  /// The fill expanded to `channels` samples. A colour fill on a grey image becomes its Pillow luma
  /// (ITU-R 601-2, rounded), and alpha is opaque unless given.
  public func fillSamples(channels: Int) -> [UInt8] {
    Geometry.fillSamples(fill, channels: channels)
  }

  public static func fillSamples(_ fill: [UInt8], channels: Int) -> [UInt8] {
    switch (fill.count, channels) {
    case (0, _): return [UInt8](repeating: 0, count: channels)
    case (1, _): return [UInt8](repeating: fill[0], count: channels)
    case (_, 1): return [pillowLuma(fill[0], fill[1], fill.count > 2 ? fill[2] : 0)]
    case (3, 4): return fill + [255]
    default:
      return (0..<channels).map { $0 < fill.count ? fill[$0] : 255 }
    }
  }
}

/// Pillow's RGB → L conversion (Convert.c `L24`): fixed-point ITU-R 601-2 weights, rounded.
@inline(__always) public func pillowLuma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
  UInt8(truncatingIfNeeded: (UInt32(r) &* 19595 &+ UInt32(g) &* 38470 &+ UInt32(b) &* 7471 &+ 0x8000) >> 16)
}
