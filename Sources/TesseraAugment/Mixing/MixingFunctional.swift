import TesseraImage

/// Pure functions that combine two or more images.
public enum Mixing {
  /// `Image.blend(image, other, alpha)` = image + α·(other − image), Pillow's float32 arithmetic and truncation
  /// (reference §1.4); SamplePairing uses it with the partner as `other`.
  public static func blend(_ image: Image, _ other: Image, alpha: Double) -> Image {
    precondition(image.width == other.width && image.height == other.height && image.channels == other.channels,
                 "blend needs two images of the same shape")
    let a = Float(alpha)
    if a == 0 { return image }
    if a == 1 { return other }
    return image.pixels.withUnsafeBufferPointer { src in
      other.pixels.withUnsafeBufferPointer { oth in
        makeImage(width: image.width, height: image.height, channels: image.channels) { dst in
          BlendKernels.blend(degenerate: src.baseAddress!, image: oth.baseAddress!, into: dst.baseAddress!,
                             count: src.count, alpha: a)
        }
      }
    }
  }

  /// MixUp of two images: λ·image + (1 − λ)·partner, computed in float and rounded to the nearest level.
  /// (torchvision and timm mix float tensors; rounding is the closest UInt8 rendering of that value.)
  public static func mixUp(_ image: Image, _ partner: Image, lambda: Double) -> Image {
    precondition(image.width == partner.width && image.height == partner.height
                   && image.channels == partner.channels, "MixUp needs two images of the same shape")
    let l = Float(lambda), m = 1 - Float(lambda)
    return image.pixels.withUnsafeBufferPointer { src in
      partner.pixels.withUnsafeBufferPointer { oth in
        makeImage(width: image.width, height: image.height, channels: image.channels) { dst in
          for i in 0..<src.count {
            let v = l * Float(src[i]) + m * Float(oth[i]) + 0.5
            dst[i] = v <= 0 ? 0 : (v >= 255 ? 255 : UInt8(v))
          }
        }
      }
    }
  }

  /// CutMix paste: `image` with `box` replaced by the same region of `partner`.
  public static func paste(_ image: Image, from partner: Image, box: Box) -> Image {
    precondition(image.width == partner.width && image.height == partner.height
                   && image.channels == partner.channels, "CutMix needs two images of the same shape")
    let b = box.clipped(width: image.width, height: image.height)
    if b.area == 0 { return image }
    let c = image.channels
    var out = image
    out.pixels.withUnsafeMutableBufferPointer { dst in
      partner.pixels.withUnsafeBufferPointer { src in
        for y in b.y..<(b.y + b.height) {
          let o = (y * image.width + b.x) * c
          (dst.baseAddress! + o).update(from: src.baseAddress! + o, count: b.width * c)
        }
      }
    }
    return out
  }

  /// AugMix's combination: Σ wᵢ·imageᵢ accumulated in float32 and truncated to UInt8, as torchvision v2 does
  /// (`mix = m0·x + Σ (m1·wᵢ)·chainᵢ(x)`, then `.to(uint8)`).
  public static func weightedSum(_ images: [Image], weights: [Double]) -> Image {
    precondition(!images.isEmpty && images.count == weights.count, "one weight per image")
    let first = images[0]
    var acc = [Float](repeating: 0, count: first.pixels.count)
    for (image, weight) in zip(images, weights) {
      precondition(image.width == first.width && image.height == first.height && image.channels == first.channels,
                   "weighted sum needs images of the same shape")
      let w = Float(weight)
      image.pixels.withUnsafeBufferPointer { src in
        acc.withUnsafeMutableBufferPointer { a in
          for i in 0..<src.count { a[i] += w * Float(src[i]) }
        }
      }
    }
    return acc.withUnsafeBufferPointer { a in
      makeImage(width: first.width, height: first.height, channels: first.channels) { dst in
        for i in 0..<a.count { dst[i] = a[i] <= 0 ? 0 : (a[i] >= 255 ? 255 : UInt8(a[i])) }
      }
    }
  }
}
