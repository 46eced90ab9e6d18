import TesseraImage

/// Pure dropout ops: paint a rectangle with a constant colour (Cutout, Random Erasing).
public enum Dropout {
  /// Fills `box` (clipped to the image) with `fill` (one value, or one per channel).
  public static func fillBox(_ image: Image, box: Box, fill: [UInt8]) -> Image {
    let b = box.clipped(width: image.width, height: image.height)
    if b.area == 0 { return image }
    let c = image.channels
    let samples = Geometry.fillSamples(fill, channels: c)
    var out = image
    out.pixels.withUnsafeMutableBufferPointer { dst in
      for y in b.y..<(b.y + b.height) {
        fillPixels(dst, from: (y * image.width + b.x) * c, pixels: b.width, fill: samples)
      }
    }
    return out
  }

  /// The AutoAugment code's Cutout box (`cutout_numpy`): a `size`-pixel square centred on (cx, cy),
  /// spanning [c − size//2, c + size//2) and clipped to the image.
  public static func cutoutBox(centerX: Int, centerY: Int, size: Int, width: Int, height: Int) -> Box {
    let half = size / 2
    let x0 = max(0, centerX - half), y0 = max(0, centerY - half)
    let x1 = min(width, centerX + half), y1 = min(height, centerY + half)
    return Box(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0))
  }
}
