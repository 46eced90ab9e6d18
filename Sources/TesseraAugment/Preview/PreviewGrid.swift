import TesseraImage

/// A contact sheet of augmented samples: one row per input image, the original first, then `samples`
/// augmentations, each cell upscaled by `zoom` (nearest) and separated by a grey gap.
///
/// Cell (row r, column c ≥ 1) uses `SplitMix64(seed: seed, index: r·samples + c − 1)`, so a grid is reproducible
/// and its cells are the same as `augmentBatch` would produce for those indices with the inputs as partners.
public enum PreviewGrid {
  public static func make(images: [Image], policy: some AugmentationPolicy, seed: UInt64, samples: Int,
                          zoom: Int = 1, gap: Int = 2) -> Image {
    precondition(!images.isEmpty && samples >= 0 && zoom >= 1 && gap >= 0)
    let channels = images.contains { $0.channels >= 3 } ? 3 : 1
    var rows: [[Image]] = []
    for (r, image) in images.enumerated() {
      var row = [image]
      for c in 0..<samples {
        var rng = SplitMix64(seed: seed, index: UInt64(r * samples + c))
        row.append(policy.augment(image, partners: images, using: &rng).image)
      }
      rows.append(row.map { converted($0, channels: channels) })
    }
    let cellW = rows.flatMap { $0 }.map(\.width).max()! * zoom
    let cellH = rows.flatMap { $0 }.map(\.height).max()! * zoom
    let columns = samples + 1
    let width = columns * cellW + (columns + 1) * gap
    let height = rows.count * cellH + (rows.count + 1) * gap
    var grid = Image(width: width, height: height, channels: channels, filledWith: 128)
    grid.pixels.withUnsafeMutableBufferPointer { dst in
      for (r, row) in rows.enumerated() {
        for (c, cell) in row.enumerated() {
          let x0 = gap + c * (cellW + gap), y0 = gap + r * (cellH + gap)
          cell.pixels.withUnsafeBufferPointer { src in
            for y in 0..<(cell.height * zoom) {
              for x in 0..<(cell.width * zoom) {
                let s = ((y / zoom) * cell.width + x / zoom) * channels
                let d = ((y0 + y) * width + x0 + x) * channels
                for k in 0..<channels { dst[d + k] = src[s + k] }
              }
            }
          }
        }
      }
    }
    return grid
  }

  /// Grey → RGB by replication; RGBA → RGB by dropping alpha; RGB → grey by Pillow's luma.
  static func converted(_ image: Image, channels: Int) -> Image {
    if image.channels == channels { return image }
    var pixels = [UInt8]()
    pixels.reserveCapacity(image.pixelCount * channels)
    for i in 0..<image.pixelCount {
      let s = i * image.channels
      if channels == 1 {
        pixels.append(pillowLuma(image.pixels[s], image.pixels[s + 1], image.pixels[s + 2]))
      } else if image.channels == 1 {
        pixels += [image.pixels[s], image.pixels[s], image.pixels[s]]
      } else {
        pixels += image.pixels[s..<(s + 3)]
      }
    }
    return Image(width: image.width, height: image.height, channels: channels, pixels: pixels)
  }
}
