import TesseraAugment
import TesseraImage

/// Per-channel `(x/255 − mean) / std`, the usual input scaling for image models.
public struct Normalization: Sendable, Codable, Equatable {
  public var mean: [Float]
  public var std: [Float]

  public init(mean: [Float], std: [Float]) {
    precondition(mean.count == std.count && !mean.isEmpty, "one mean and one std per channel")
    precondition(std.allSatisfy { $0 > 0 }, "std must be positive")
    self.mean = mean
    self.std = std
  }

  /// Mean and standard deviation of `source`'s pixels (as `channels` channels), measured on up
  /// to `limit` samples chosen by `seed`: cheap, and the same for the same data and seed.
  public static func estimate(from source: any SampleSource, channels: Int, limit: Int = 5000,
                              seed: UInt64 = 0) throws -> Normalization {
    guard source.count > 0 else { throw LoaderError.emptyDataset("normalisation estimate") }
    var indices = Array(0..<source.count)
    if indices.count > limit {
      var rng = SplitMix64(seed: seed, index: 0x4E4F_524D)
      for i in 0..<limit {
        let j = i + rng.nextInt(below: indices.count - i)
        indices.swapAt(i, j)
      }
      indices = Array(indices[0..<limit])
    }
    var sum = [Double](repeating: 0, count: channels), sq = [Double](repeating: 0, count: channels)
    var n = 0.0
    for i in indices {
      let image = try SampleConversion.convert(try source.image(at: i), channels: channels)
      let c = channels
      image.pixels.withUnsafeBufferPointer { px in
        for p in 0..<image.pixelCount {
          for ch in 0..<c {
            let v = Double(px[p * c + ch]) / 255
            sum[ch] += v
            sq[ch] += v * v
          }
        }
      }
      n += Double(image.pixelCount)
    }
    let mean = sum.map { $0 / n }
    let std = zip(sq, mean).map { max(($0 / n - $1 * $1), 1e-12).squareRoot() }
    return Normalization(mean: mean.map { Float($0) }, std: std.map { Float(max($0, 1e-6)) })
  }
}

/// Channel conversions applied when an image's channels differ from the model's.
enum SampleConversion {
  /// Grey → RGB repeats the sample; RGB(A) → grey uses Pillow's `convert("L")` luma; RGBA → RGB
  /// drops alpha.
  static func convert(_ image: Image, channels: Int) throws -> Image {
    if image.channels == channels { return image }
    let n = image.pixelCount
    var out = [UInt8](repeating: 0, count: n * channels)
    let src = image.pixels
    for p in 0..<n {
      switch (image.channels, channels) {
      case (1, _):
        for c in 0..<channels { out[p * channels + c] = src[p] }
        if channels == 4 { out[p * 4 + 3] = 255 }
      case (_, 1):
        out[p] = pillowLuma(src[p * image.channels], src[p * image.channels + 1], src[p * image.channels + 2])
      default:
        for c in 0..<min(3, channels) { out[p * channels + c] = src[p * image.channels + c] }
        if channels == 4 { out[p * 4 + 3] = 255 }
      }
    }
    return Image(width: image.width, height: image.height, channels: channels, pixels: out)
  }
}
