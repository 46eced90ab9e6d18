import CPixelKernels
import TesseraImage

/// Pure point ops (one lookup table per channel), reproducing `PIL.ImageOps` (reference §1.4).
///
/// Every function here matches Pillow byte for byte on grey and RGB images; alpha is left unchanged.
public enum Pixel {
  /// Applies one 256-entry table per colour channel (`luts.count` is 1 or the number of colour channels).
  public static func applyLookupTables(_ image: Image, _ luts: [[UInt8]]) -> Image {
    let c = image.channels, cc = colorChannels(c)
    precondition(luts.count == 1 || luts.count == cc, "one table, or one per colour channel")
    precondition(luts.allSatisfy { $0.count == 256 }, "lookup tables have 256 entries")
    if luts.count == 1 || c == 1 {
      let lut = luts[0]
      if cc == c {
        return lut.withUnsafeBufferPointer { table in
          mapImage(image) { src, dst in tessera_lut_u8(src.baseAddress!, dst.baseAddress!, src.count, table.baseAddress!) }
        }
      }
    }
    let flat = (0..<cc).flatMap { luts.count == 1 ? luts[0] : luts[$0] }
    return flat.withUnsafeBufferPointer { table in
      mapImage(image) { src, dst in
        let t0 = table.baseAddress!, t1 = t0 + 256, t2 = t0 + 512
        var s = src.baseAddress!, d = dst.baseAddress!
        // Pointer stepping, one table per channel: no per-sample index arithmetic.
        for _ in 0..<image.pixelCount {
          d[0] = t0[Int(s[0])]
          d[1] = t1[Int(s[1])]
          d[2] = t2[Int(s[2])]
          if c == 4 { d[3] = s[3] }
          s += c
          d += c
        }
      }
    }
  }

  /// Per-channel 256-bin histograms of the colour channels (`Image.histogram()`).
  public static func histograms(_ image: Image) -> [[Int]] {
    let c = image.channels, cc = colorChannels(c)
    // Four interleaved partial histograms (summed at the end) so runs of equal values do not serialise on one
    // counter's store-to-load latency.
    var counts = [UInt32](repeating: 0, count: 4 * 256 * cc)
    image.pixels.withUnsafeBufferPointer { src in
      counts.withUnsafeMutableBufferPointer { hist in
        let h = hist.baseAddress!
        var p = src.baseAddress!
        if c == 1 {
          let n = src.count
          var i = 0
          while i &+ 4 <= n {
            h[Int(p[0])] &+= 1
            h[256 &+ Int(p[1])] &+= 1
            h[512 &+ Int(p[2])] &+= 1
            h[768 &+ Int(p[3])] &+= 1
            p += 4
            i &+= 4
          }
          while i < n {
            h[Int(p[0])] &+= 1
            p += 1
            i &+= 1
          }
        } else {
          // Channel k of pixel i goes to partial (i mod 2)·… — two partials per channel.
          let stride = 256 * cc
          var i = 0
          for _ in 0..<image.pixelCount {
            let base = (i & 1) &* stride
            h[base &+ Int(p[0])] &+= 1
            h[base &+ 256 &+ Int(p[1])] &+= 1
            h[base &+ 512 &+ Int(p[2])] &+= 1
            p += c
            i &+= 1
          }
        }
      }
    }
    return (0..<cc).map { k in
      (0..<256).map { v in
        (0..<4).reduce(0) { $0 + Int(counts[$1 * 256 * cc + k * 256 + v]) }
      }
    }
  }

  /// `ImageOps.invert`: 255 − v.
  public static func invert(_ image: Image) -> Image {
    elementwise(image) { ~$0 }
  }

  /// `ImageOps.solarize(threshold)`: v if v < threshold else 255 − v.
  public static func solarize(_ image: Image, threshold: Double) -> Image {
    // For whole v, v < threshold ⇔ v < ⌈threshold⌉; as a UInt16 compare the loop vectorises.
    let t = UInt16(min(max(threshold.rounded(.up), 0), 256))
    return elementwise(image) { UInt16($0) < t ? $0 : ~$0 }
  }

  /// Applies `f` to every colour sample with a plain loop the compiler vectorises (no table lookups).
  @inline(__always)
  static func elementwise(_ image: Image, _ f: (UInt8) -> UInt8) -> Image {
    let c = image.channels
    return mapImage(image) { src, dst in
      let n = src.count
      let s = src.baseAddress!, d = dst.baseAddress!
      if c != 4 {
        for i in 0..<n { d[i] = f(s[i]) }
      } else {
        var i = 0
        while i < n {
          d[i] = f(s[i])
          d[i + 1] = f(s[i + 1])
          d[i + 2] = f(s[i + 2])
          d[i + 3] = s[i + 3]
          i += 4
        }
      }
    }
  }

  /// timm's `solarize_add`: min(255, v + addition) for v < threshold, else v (clamped at 0 for negative additions).
  public static func solarizeAdd(_ image: Image, addition: Int, threshold: Int = 128) -> Image {
    let lut = (0..<256).map { i -> UInt8 in
      i < threshold ? UInt8(clamping: i + addition) : UInt8(i)
    }
    return applyLookupTables(image, [lut])
  }

  /// `ImageOps.posterize(bits)`: keeps the top `bits` bits (0 bits gives black, 8 the identity).
  public static func posterize(_ image: Image, bits: Int) -> Image {
    let kept = min(max(bits, 0), 8)
    let mask = ~UInt8(truncatingIfNeeded: (1 << (8 - kept)) - 1)
    return elementwise(image) { $0 & mask }
  }

  /// `ImageOps.autocontrast()` with cutoff 0: each channel stretched from its [lo, hi] to [0, 255].
  public static func autoContrast(_ image: Image) -> Image {
    applyLookupTables(image, histograms(image).map(autoContrastTable))
  }

  /// `ImageOps.equalize()`: per-channel histogram equalisation with Pillow's integer steps.
  public static func equalize(_ image: Image) -> Image {
    applyLookupTables(image, histograms(image).map(equalizeTable))
  }

  // MARK: - Tables

  static let identityTable: [UInt8] = (0..<256).map { UInt8($0) }
  static let invertTable: [UInt8] = (0..<256).map { UInt8(255 - $0) }

  public static func solarizeTable(threshold: Double) -> [UInt8] {
    (0..<256).map { Double($0) < threshold ? UInt8($0) : UInt8(255 - $0) }
  }

  /// Pillow: lo/hi are the first/last non-empty bins; scale = 255/(hi−lo), offset = −lo·scale,
  /// lut[i] = clamp(int(i·scale + offset)) with Python's truncating `int`.
  public static func autoContrastTable(_ histogram: [Int]) -> [UInt8] {
    guard let lo = histogram.firstIndex(where: { $0 != 0 }),
          let hi = histogram.lastIndex(where: { $0 != 0 }), hi > lo else { return identityTable }
    let scale = 255.0 / Double(hi - lo)
    let offset = -Double(lo) * scale
    return (0..<256).map { i in
      let v = Int((Double(i) * scale + offset).rounded(.towardZero))
      return UInt8(min(max(v, 0), 255))
    }
  }

  /// Pillow: step = (Σ non-zero bins − last non-zero bin) // 255; lut[i] = (step//2 + Σ_{j<i} h[j]) // step.
  public static func equalizeTable(_ histogram: [Int]) -> [UInt8] {
    let nonZero = histogram.filter { $0 != 0 }
    guard nonZero.count > 1 else { return identityTable }
    let step = (nonZero.reduce(0, +) - nonZero[nonZero.count - 1]) / 255
    guard step != 0 else { return identityTable }
    var n = step / 2
    var lut = [UInt8](repeating: 0, count: 256)
    for i in 0..<256 {
      lut[i] = UInt8(min(n / step, 255))
      n += histogram[i]
    }
    return lut
  }
}
