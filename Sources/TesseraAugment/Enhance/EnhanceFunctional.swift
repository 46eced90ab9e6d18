import CPixelKernels
import TesseraImage

/// Pure enhance ops reproducing `PIL.ImageEnhance`: `enhance(f) = Image.blend(degenerate, image, f)`.
///
/// Pillow passes the factor to C as a 32-bit float and computes `in1 + α·(in2 − in1)` in float arithmetic,
/// truncating to UInt8 (and clipping when α is outside [0, 1]); these functions do exactly that, so results
/// match Pillow byte for byte. α = 0 returns the degenerate image, α = 1 the input. Alpha is left unchanged.
public enum Enhance {
  /// One sample of `Image.blend(degenerate, image, alpha)` (libImaging/Blend.c).
  @inline(__always) public static func blendSample(_ degenerate: UInt8, _ value: UInt8, _ alpha: Float) -> UInt8 {
    let base = Int32(degenerate)
    let t: Float = Float(base) + alpha * Float(Int32(value) - base)
    if alpha >= 0 && alpha <= 1 { return UInt8(t) }
    if t <= 0 { return 0 }
    if t >= 255 { return 255 }
    return UInt8(t)
  }

  /// `ImageEnhance.Brightness`: blend with black; a lookup table.
  public static func brightness(_ image: Image, factor: Double) -> Image {
    let alpha = Float(factor)
    if alpha == 1 { return image }
    // A 256-entry table beats the vectorised float kernel for a constant degenerate.
    return Pixel.applyLookupTables(image, [(0..<256).map { blendSample(0, UInt8($0), alpha) }])
  }

  /// `ImageEnhance.Contrast`: blend with a grey image at `int(mean(L) + 0.5)`, L being Pillow's luma.
  public static func contrast(_ image: Image, factor: Double) -> Image {
    let alpha = Float(factor)
    if alpha == 1 { return image }
    let mean = UInt8(min(255, Int(lumaMean(image) + 0.5)))
    return Pixel.applyLookupTables(image, [(0..<256).map { blendSample(mean, UInt8($0), alpha) }])
  }

  /// `ImageEnhance.Color`: blend with the image converted to L and back (identity on grey images).
  public static func color(_ image: Image, factor: Double) -> Image {
    let alpha = Float(factor)
    let c = image.channels
    if alpha == 1 || c == 1 { return image }
    // Pillow's degenerate is convert("L").convert(RGB): the luma replicated into every colour channel, blended
    // pixel by pixel in C (compiled for the CPU's vector width).
    return mapImage(image) { src, dst in
      tessera_color_blend(src.baseAddress!, dst.baseAddress!, image.pixelCount, c, alpha)
    }
  }

  /// `ImageEnhance.Sharpness`: blend with `filter(SMOOTH)` (3×3 kernel [[1,1,1],[1,5,1],[1,1,1]]/13, the
  /// one-pixel border copied unchanged), so the border never changes.
  public static func sharpness(_ image: Image, factor: Double) -> Image {
    let alpha = Float(factor)
    if alpha == 1 { return image }
    let w = image.width, h = image.height, c = image.channels
    if w < 3 || h < 3 { return image }  // Pillow's filter copies images under 3×3, and blend(x, x) = x.
    if alpha == 0 { return smoothed(image) }
    // Smoothing and blending row by row in C, compiled for the CPU's vector width.
    var scratch = [UInt8](repeating: 0, count: w * c)
    return scratch.withUnsafeMutableBufferPointer { row in
      mapImage(image) { src, dst in
        tessera_sharpness(src.baseAddress!, dst.baseAddress!, row.baseAddress!, w, h, c, alpha)
      }
    }
  }

  /// Mean of Pillow's L conversion (`ImageStat.Stat(image.convert("L")).mean[0]`).
  public static func lumaMean(_ image: Image) -> Double {
    guard image.pixelCount > 0 else { return 0 }
    var sum = 0
    image.pixels.withUnsafeBufferPointer { src in
      if image.channels == 1 {
        for v in src { sum &+= Int(v) }
      } else {
        sum = Int(tessera_luma_sum(src.baseAddress!, image.pixelCount, image.channels))
      }
    }
    return Double(sum) / Double(image.pixelCount)
  }

  /// `image.filter(ImageFilter.SMOOTH)` (libImaging/Filter.c `ImagingFilter3x3`): float32 kernel k/13,
  /// rows summed bottom-to-top from an offset of 0.5, clipped and truncated; images under 3×3 are copied.
  public static func smoothed(_ image: Image) -> Image {
    let w = image.width, h = image.height, c = image.channels
    if w < 3 || h < 3 { return image }
    let cc = colorChannels(c)
    return mapImage(image) { src, dst in
      let rowBytes = w * c
      let s = src.baseAddress!, d = dst.baseAddress!
      // First and last rows, and the first and last pixel of every row, are copied.
      d.update(from: s, count: rowBytes)
      (d + (h - 1) * rowBytes).update(from: s + (h - 1) * rowBytes, count: rowBytes)
      for y in 1..<(h - 1) {
        let above = s + (y - 1) * rowBytes, here = s + y * rowBytes, below = s + (y + 1) * rowBytes
        let out = d + y * rowBytes
        out.update(from: here, count: c)
        (out + (w - 1) * c).update(from: here + (w - 1) * c, count: c)
        // Interior samples of a row are contiguous, and a sample's horizontal neighbours are ±c away for
        // every channel, so one flat loop covers all channels (alpha is restored below).
        BlendKernels.smoothRow(above: above, here: here, below: below, into: out, from: c, to: (w - 1) * c, step: c)
        if cc != c {
          for x in 1..<(w - 1) { out[x * c + 3] = here[x * c + 3] }
        }
      }
    }
  }
}
