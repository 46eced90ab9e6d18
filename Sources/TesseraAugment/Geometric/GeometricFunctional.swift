#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
import CPixelKernels
import TesseraImage

/// Pure geometric pixel functions, written to reproduce Pillow's `Image.transform(AFFINE)`, `Image.rotate` and
/// `Image.transpose` (libImaging/Geometry.c) sample for sample.
///
/// Conventions (reference §1.3): the six coefficients (a, b, c, d, e, f) map each *output* pixel centre
/// (x + 0.5, y + 0.5) to the input point (a·x + b·y + c, d·x + e·y + f); pixels that land outside the input get
/// the fill colour. Nearest uses Pillow's three code paths — pure scale/translate tables, 16.16 fixed point when
/// every corner fits in ±32768, floating point otherwise — because they round differently at pixel edges.
/// Bilinear truncates the interpolated value to UInt8 and clamps the second tap at the border, as Pillow does.
///
/// Tolerance against Pillow 13 (Tests/TesseraAugmentTests/PillowReferenceTests.swift): identical bytes are
/// expected; the tests accept at most 1 level of difference on at most 0.5 % of samples, to absorb libm
/// differences in `cos`/`sin` across platforms.
public enum Geometric {
  /// Pillow's AFFINE transform of `image` into an output of the same size.
  public static func affine(_ image: Image, coefficients a: [Double], interpolation: Interpolation,
                            fill: [UInt8]) -> Image {
    precondition(a.count == 6, "an affine transform takes six coefficients")
    let fillSamples = Geometry.fillSamples(fill, channels: image.channels)
    switch interpolation {
    case .nearest:
      if a[1] == 0 && a[3] == 0 { return scaleNearest(image, a, fillSamples) }
      let w = Double(image.width), h = Double(image.height)
      func fits(_ x: Double, _ y: Double) -> Bool {
        abs(x * a[0] + y * a[1] + a[2]) < 32768.0 && abs(x * a[3] + y * a[4] + a[5]) < 32768.0
      }
      if fits(0, 0) && fits(w, h) && fits(0, h) && fits(w, 0) {
        return fixedPointNearest(image, a, fillSamples)
      }
      return floatNearest(image, a, fillSamples)
    case .bilinear:
      return bilinear(image, a, fillSamples)
    }
  }

  /// ShearX as in the AutoAugment code: `transform(AFFINE, (1, s, 0, 0, 1, 0))`, about the top-left corner.
  public static func shearX(_ image: Image, factor: Double, geometry: Geometry) -> Image {
    affine(image, coefficients: [1, factor, 0, 0, 1, 0], interpolation: geometry.interpolation, fill: geometry.fill)
  }

  /// ShearY: `transform(AFFINE, (1, 0, 0, s, 1, 0))`.
  public static func shearY(_ image: Image, factor: Double, geometry: Geometry) -> Image {
    affine(image, coefficients: [1, 0, 0, factor, 1, 0], interpolation: geometry.interpolation, fill: geometry.fill)
  }

  /// TranslateX: `transform(AFFINE, (1, 0, t, 0, 1, 0))` — output pixel x shows input x + t.
  public static func translateX(_ image: Image, pixels: Double, geometry: Geometry) -> Image {
    affine(image, coefficients: [1, 0, pixels, 0, 1, 0], interpolation: geometry.interpolation, fill: geometry.fill)
  }

  /// TranslateY: `transform(AFFINE, (1, 0, 0, 0, 1, t))`.
  public static func translateY(_ image: Image, pixels: Double, geometry: Geometry) -> Image {
    affine(image, coefficients: [1, 0, 0, 0, 1, pixels], interpolation: geometry.interpolation, fill: geometry.fill)
  }

  /// `Image.rotate(degrees, resample, fillcolor=fill)`: counter-clockwise about the centre (w/2, h/2), same size.
  /// Multiples of 90° that Pillow handles by transposition are transposed here too.
  public static func rotate(_ image: Image, degrees: Double, geometry: Geometry) -> Image {
    var angle = fmod(degrees, 360.0)
    if angle != 0 && angle < 0 { angle += 360.0 }  // Python's float `%` takes the divisor's sign.
    if angle == 0 { return image }
    if angle == 180 { return rotate180(image) }
    if angle == 90 && image.width == image.height { return rotate90(image) }
    if angle == 270 && image.width == image.height { return rotate270(image) }
    let radians = -(angle * (Double.pi / 180.0))
    let cosine = roundToDecimals15(cos(radians))
    let sine = roundToDecimals15(sin(radians))
    var m = [cosine, sine, 0.0, roundToDecimals15(-sin(radians)), cosine, 0.0]
    let cx = Double(image.width) / 2, cy = Double(image.height) / 2
    m[2] = m[0] * -cx + m[1] * -cy + 0.0
    m[5] = m[3] * -cx + m[4] * -cy + 0.0
    m[2] += cx
    m[5] += cy
    return affine(image, coefficients: m, interpolation: geometry.interpolation, fill: geometry.fill)
  }

  /// Mirror left-right (`Transpose.FLIP_LEFT_RIGHT`).
  public static func flipHorizontal(_ image: Image) -> Image {
    // In C, compiled for the CPU's vector width (Swift code here is compiled for baseline SSE2).
    mapImage(image) { src, dst in
      tessera_flip_rows(src.baseAddress!, dst.baseAddress!, image.width, image.height, image.channels)
    }
  }

  /// Mirror top-bottom (`Transpose.FLIP_TOP_BOTTOM`).
  public static func flipVertical(_ image: Image) -> Image {
    let rowBytes = image.width * image.channels
    return mapImage(image) { src, dst in
      for y in 0..<image.height {
        let s = src.baseAddress! + y * rowBytes
        let d = dst.baseAddress! + (image.height - 1 - y) * rowBytes
        d.update(from: s, count: rowBytes)
      }
    }
  }

  /// 180° rotation (`Transpose.ROTATE_180`).
  public static func rotate180(_ image: Image) -> Image {
    let c = image.channels, n = image.pixelCount
    return mapImage(image) { src, dst in
      for i in 0..<n {
        let s = i * c, d = (n - 1 - i) * c
        for k in 0..<c { dst[d + k] = src[s + k] }
      }
    }
  }

  /// 90° counter-clockwise (`Transpose.ROTATE_90`); the output is height × width.
  public static func rotate90(_ image: Image) -> Image {
    let w = image.width, h = image.height, c = image.channels
    return image.pixels.withUnsafeBufferPointer { src in
      makeImage(width: h, height: w, channels: c) { dst in
        for y in 0..<h {
          for x in 0..<w {
            let s = (y * w + x) * c, d = ((w - 1 - x) * h + y) * c
            for k in 0..<c { dst[d + k] = src[s + k] }
          }
        }
      }
    }
  }

  /// 90° clockwise (`Transpose.ROTATE_270`); the output is height × width.
  public static func rotate270(_ image: Image) -> Image {
    let w = image.width, h = image.height, c = image.channels
    return image.pixels.withUnsafeBufferPointer { src in
      makeImage(width: h, height: w, channels: c) { dst in
        for y in 0..<h {
          for x in 0..<w {
            let s = (y * w + x) * c, d = (x * h + (h - 1 - y)) * c
            for k in 0..<c { dst[d + k] = src[s + k] }
          }
        }
      }
    }
  }

  // MARK: - Pillow's resampling paths

  /// Pillow's `COORD`: negative coordinates map to -1 (outside), others truncate.
  @inline(__always) static func coord(_ v: Double) -> Int { v < 0 ? -1 : Int(v) }

  /// `ImagingScaleAffine`: a[1] == a[3] == 0, so source columns can be tabulated once.
  static func scaleNearest(_ image: Image, _ a: [Double], _ fill: [UInt8]) -> Image {
    let w = image.width, h = image.height, c = image.channels
    var xTable = [Int](repeating: 0, count: w)
    var xo = a[2] + a[0] * 0.5
    var yo = a[5] + a[4] * 0.5
    var xmin = w, xmax = 0
    for x in 0..<w {
      let xin = coord(xo)
      if xin >= 0 && xin < w {
        xmax = x + 1
        if x < xmin { xmin = x }
        xTable[x] = xin
      }
      xo += a[0]
    }
    return image.pixels.withUnsafeBufferPointer { src in
      xTable.withUnsafeBufferPointer { table in
        makeImage(width: w, height: h, channels: c) { dst in
          for y in 0..<h {
            let yi = coord(yo)
            let row = y * w * c
            if yi >= 0 && yi < h && xmin < xmax {
              fillPixels(dst, from: row, pixels: xmin, fill: fill)
              let srcRow = yi * w * c
              if a[0] == 1 {
                // Pure translation: the source columns are consecutive.
                (dst.baseAddress! + row + xmin * c)
                  .update(from: src.baseAddress! + srcRow + table[xmin] * c, count: (xmax - xmin) * c)
              } else {
                withChannelSpecialization(c) { c in
                  for x in xmin..<xmax {
                    copyPixel(dst.baseAddress! + row + x * c, src.baseAddress! + srcRow + table[x] * c, channels: c)
                  }
                }
              }
              fillPixels(dst, from: row + xmax * c, pixels: w - xmax, fill: fill)
            } else {
              fillPixels(dst, from: row, pixels: w, fill: fill)
            }
            yo += a[4]
          }
        }
      }
    }
  }

  /// `affine_fixed`: coordinates in 16.16 fixed point, stepped incrementally along rows and columns.
  /// `vectorLevel` 0 forces the scalar copy so tests can compare the paths.
  ///
  /// The stepping is exact integer arithmetic, so each row's in-image span is solved for directly and the copy
  /// loop runs without bounds tests.
  static func fixedPointNearest(_ image: Image, _ a: [Double], _ fill: [UInt8], vectorLevel: Int32 = 1) -> Image {
    @inline(__always) func fix(_ v: Double) -> Int { Int(floor(v * 65536.0 + 0.5)) }
    let w = image.width, h = image.height, c = image.channels
    let a0 = fix(a[0]), a1 = fix(a[1]), a3 = fix(a[3]), a4 = fix(a[4])
    var xo = fix(a[2] + a[1] * 0.5 + a[0] * 0.5)
    var yo = fix(a[5] + a[4] * 0.5 + a[3] * 0.5)
    return image.pixels.withUnsafeBufferPointer { src in
      makeImage(width: w, height: h, channels: c) { dst in
        let s0 = src.baseAddress!, d0 = dst.baseAddress!
        for y in 0..<h {
          let row = y * w * c
          // x such that 0 ≤ xo + x·a0 < w·2¹⁶ and 0 ≤ yo + x·a3 < h·2¹⁶.
          let (xl, xr) = span(base: xo, step: a0, limit: w << 16, count: w)
          let (yl, yr) = span(base: yo, step: a3, limit: h << 16, count: w)
          let x0 = max(xl, yl), x1 = max(min(xr, yr), x0)
          fillPixels(dst, from: row, pixels: x0, fill: fill)
          let xx = xo + x0 * a0, yy = yo + x0 * a3
          let o = row + x0 * c
          if a3 == 0 && a0 == 1 << 16 {
            // Unit step along x and none along y (ShearX, and any pure shift): (xx + k·2¹⁶) >> 16 is
            // (xx >> 16) + k, so the row's span is one contiguous run of the source row.
            if x1 > x0 {
              (d0 + o).update(from: s0 + ((yy >> 16) * w + (xx >> 16)) * c, count: (x1 - x0) * c)
            }
            fillPixels(dst, from: row + x1 * c, pixels: w - x1, fill: fill)
            xo += a1
            yo += a4
            continue
          }
          // The span guarantees in-range indices; the copy runs in C (sixteen pixels a step with AVX-512 VBMI).
          if x1 > x0 {
            tessera_affine_nearest_span(s0, w, h, c, d0 + o, xx, yy, a0, a3, x1 - x0, vectorLevel)
          }
          fillPixels(dst, from: row + x1 * c, pixels: w - x1, fill: fill)
          xo += a1
          yo += a4
        }
      }
    }
  }

  /// The half-open range of x in 0..<count with 0 ≤ base + x·step < limit (an interval, as the value is linear).
  @inline(__always) static func span(base: Int, step: Int, limit: Int, count: Int) -> (Int, Int) {
    @inline(__always) func floorDiv(_ a: Int, _ b: Int) -> Int {  // b > 0
      a >= 0 ? a / b : -((-a + b - 1) / b)
    }
    var lo: Int, hi: Int
    if step == 0 {
      return base >= 0 && base < limit ? (0, count) : (0, 0)
    } else if step > 0 {
      lo = -floorDiv(base, step)  // ceil(-base / step)
      hi = -floorDiv(base - limit, step)  // ceil((limit - base) / step)
    } else {
      let s = -step
      lo = floorDiv(base - limit, s) + 1
      hi = floorDiv(base, s) + 1
    }
    lo = min(max(lo, 0), count)
    hi = min(max(hi, lo), count)
    return (lo, hi)
  }

  /// Pillow's floating-point nearest path, used when coordinates exceed the fixed-point range.
  static func floatNearest(_ image: Image, _ a: [Double], _ fill: [UInt8]) -> Image {
    let w = image.width, h = image.height, c = image.channels
    var xo = a[2] + a[1] * 0.5 + a[0] * 0.5
    var yo = a[5] + a[4] * 0.5 + a[3] * 0.5
    return image.pixels.withUnsafeBufferPointer { src in
      makeImage(width: w, height: h, channels: c) { dst in
        var o = 0
        for _ in 0..<h {
          var xx = xo, yy = yo
          for _ in 0..<w {
            let xin = coord(xx), yin = coord(yy)
            if xin >= 0 && xin < w && yin >= 0 && yin < h {
              let s = (yin * w + xin) * c
              for k in 0..<c { dst[o + k] = src[s + k] }
            } else {
              for k in 0..<c { dst[o + k] = fill[k] }
            }
            o += c
            xx += a[0]
            yy += a[3]
          }
          xo += a[1]
          yo += a[4]
        }
      }
    }
  }

  /// `ImagingGenericTransform` with `affine_transform` and the bilinear filter, in C (CPixelKernels): double
  /// precision in Pillow's order, with AVX-512 or AVX2 where the CPU has them (same bytes either way).
  /// `vectorLevel` (0 scalar, 1 up to AVX2, 2 up to AVX-512) exists so tests can compare the paths.
  static func bilinear(_ image: Image, _ a: [Double], _ fill: [UInt8], vectorLevel: Int32 = 2) -> Image {
    let w = image.width, h = image.height, c = image.channels
    return image.pixels.withUnsafeBufferPointer { src in
      makeImage(width: w, height: h, channels: c) { dst in
        a.withUnsafeBufferPointer { coefficients in
          fill.withUnsafeBufferPointer { fillSamples in
            tessera_affine_bilinear(src.baseAddress!, dst.baseAddress!, w, h, c, coefficients.baseAddress!,
                                    fillSamples.baseAddress!, vectorLevel)
          }
        }
      }
    }
  }

  /// Python's `round(x, 15)`: correctly rounded to 15 decimal places (Pillow rounds the rotation matrix so).
  static func roundToDecimals15(_ x: Double) -> Double {
    var buffer = [CChar](repeating: 0, count: 64)
    let written = withVaList([x]) { vsnprintf(&buffer, buffer.count, "%.15f", $0) }
    guard written > 0 && written < buffer.count else { return x }
    return buffer.withUnsafeBufferPointer { strtod($0.baseAddress!, nil) }
  }
}
