#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
import TesseraImage

/// Pure crop and resize functions.
public enum Crop {
  /// Pads every side by `padding` pixels of `fill`, then crops the original size at (x, y) of the padded image
  /// (x, y ∈ [0, 2·padding]) — the CIFAR "pad 4 and random crop" augmentation.
  public static func padCrop(_ image: Image, padding: Int, x: Int, y: Int, fill: [UInt8]) -> Image {
    let w = image.width, h = image.height, c = image.channels
    let samples = Geometry.fillSamples(fill, channels: c)
    let dx = x - padding, dy = y - padding  // output (i, j) shows input (i + dx, j + dy)
    if dx == 0 && dy == 0 { return image }
    return image.pixels.withUnsafeBufferPointer { src in
      makeImage(width: w, height: h, channels: c) { dst in
        let x0 = min(max(-dx, 0), w), x1 = max(min(w - dx, w), x0)
        for j in 0..<h {
          let row = j * w * c
          let sy = j + dy
          guard sy >= 0 && sy < h else {
            fillPixels(dst, from: row, pixels: w, fill: samples)
            continue
          }
          fillPixels(dst, from: row, pixels: x0, fill: samples)
          if x1 > x0 {
            (dst.baseAddress! + row + x0 * c)
              .update(from: src.baseAddress! + (sy * w + x0 + dx) * c, count: (x1 - x0) * c)
          }
          fillPixels(dst, from: row + x1 * c, pixels: w - x1, fill: samples)
        }
      }
    }
  }

  /// A plain crop of `box` (which must lie inside the image).
  public static func crop(_ image: Image, box: Box) -> Image {
    precondition(box.clipped(width: image.width, height: image.height) == box, "crop box outside the image")
    let c = image.channels
    return image.pixels.withUnsafeBufferPointer { src in
      makeImage(width: box.width, height: box.height, channels: c) { dst in
        for j in 0..<box.height {
          (dst.baseAddress! + j * box.width * c)
            .update(from: src.baseAddress! + ((box.y + j) * image.width + box.x) * c, count: box.width * c)
        }
      }
    }
  }

  /// `Image.resize((width, height), resample)`: nearest uses Pillow's affine scale tables; bilinear uses Pillow's
  /// separable, antialiased convolution (libImaging/Resample.c) with 22-bit fixed-point coefficients.
  /// Tolerance: nearest and single-axis bilinear resizes match Pillow 13 exactly; when both axes change, Pillow 13
  /// sometimes runs the vertical pass first, and results then differ by at most 1 level on some samples.
  public static func resize(_ image: Image, width: Int, height: Int, interpolation: Interpolation) -> Image {
    precondition(width > 0 && height > 0, "resize needs a positive size")
    if width == image.width && height == image.height { return image }
    switch interpolation {
    case .nearest:
      let a = [Double(image.width) / Double(width), 0, 0, 0, Double(image.height) / Double(height), 0]
      return scaleNearestResize(image, a, width: width, height: height)
    case .bilinear:
      var current = image
      let horizontal = coefficients(inSize: image.width, outSize: width)
      let vertical = coefficients(inSize: image.height, outSize: height)
      // Pillow first restricts the horizontal pass to the rows the vertical pass will read.
      let firstRow = vertical.bounds[0]
      let lastRow = vertical.bounds[(height - 1) * 2] + vertical.bounds[(height - 1) * 2 + 1]
      var verticalBounds = vertical.bounds
      if width != image.width {
        for i in 0..<height { verticalBounds[i * 2] -= firstRow }
        current = resampleHorizontal(current, horizontal, rows: firstRow..<lastRow)
      }
      if height != image.height {
        current = resampleVertical(current, Coefficients(size: vertical.size, bounds: verticalBounds,
                                                          weights: vertical.weights), outHeight: height)
      }
      return current
    }
  }

  // MARK: - Pillow's resampling internals

  struct Coefficients {
    var size: Int  // taps per output sample
    var bounds: [Int]  // (first input index, count) per output sample
    var weights: [Int32]  // size per output sample, 22-bit fixed point
  }

  static let precisionBits = 32 - 8 - 2

  /// `precompute_coeffs` + `normalize_coeffs_8bpc` for the bilinear (triangle) filter, support 1.
  static func coefficients(inSize: Int, outSize: Int) -> Coefficients {
    let scale = Double(inSize) / Double(outSize)
    let filterScale = max(scale, 1.0)
    let support = 1.0 * filterScale
    let size = Int(ceil(support)) * 2 + 1
    var bounds = [Int](repeating: 0, count: outSize * 2)
    var weights = [Int32](repeating: 0, count: outSize * size)
    var k = [Double](repeating: 0, count: size)
    for xx in 0..<outSize {
      let center = 0.0 + (Double(xx) + 0.5) * scale
      var ww = 0.0
      let ss = 1.0 / filterScale
      let xmin = max(Int(center - support + 0.5), 0)
      let xmax = min(Int(center + support + 0.5), inSize) - xmin
      for x in 0..<size { k[x] = 0 }
      for x in 0..<max(xmax, 0) {
        var t = (Double(x + xmin) - center + 0.5) * ss
        if t < 0 { t = -t }
        let w = t < 1 ? 1 - t : 0
        k[x] = w
        ww += w
      }
      for x in 0..<max(xmax, 0) where ww != 0 { k[x] /= ww }
      for x in 0..<size {
        let v = k[x] * Double(1 << precisionBits)
        weights[xx * size + x] = Int32(k[x] < 0 ? (-0.5 + v).rounded(.towardZero) : (0.5 + v).rounded(.towardZero))
      }
      bounds[xx * 2] = xmin
      bounds[xx * 2 + 1] = max(xmax, 0)
    }
    return Coefficients(size: size, bounds: bounds, weights: weights)
  }

  @inline(__always) static func clip8(_ v: Int) -> UInt8 {
    let s = v >> precisionBits
    return s < 0 ? 0 : (s > 255 ? 255 : UInt8(s))
  }

  static func resampleHorizontal(_ image: Image, _ co: Coefficients, rows: Range<Int>) -> Image {
    let outW = co.bounds.count / 2, c = image.channels, inW = image.width
    return image.pixels.withUnsafeBufferPointer { src in
      co.weights.withUnsafeBufferPointer { kk in
        co.bounds.withUnsafeBufferPointer { bounds in
          makeImage(width: outW, height: rows.count, channels: c) { dst in
            let half = Int32(1 << (precisionBits - 1))
            for (yy, y) in rows.enumerated() {
              let line = src.baseAddress! + y * inW * c
              let out = dst.baseAddress! + yy * outW * c
              for xx in 0..<outW {
                let xmin = bounds[xx * 2], xmax = bounds[xx * 2 + 1]
                let k = kk.baseAddress! + xx * co.size
                let p = line + xmin * c
                // Int32 sums as in Pillow (which relies on them not overflowing for 8-bit input).
                switch c {
                case 1:
                  var s0 = half
                  for x in 0..<xmax { s0 &+= Int32(p[x]) &* k[x] }
                  out[xx] = clip8(Int(s0))
                case 3:
                  var s0 = half, s1 = half, s2 = half
                  var q = p
                  for x in 0..<xmax {
                    let kx = k[x]
                    s0 &+= Int32(q[0]) &* kx
                    s1 &+= Int32(q[1]) &* kx
                    s2 &+= Int32(q[2]) &* kx
                    q += 3
                  }
                  let o = out + xx &* 3
                  o[0] = clip8(Int(s0))
                  o[1] = clip8(Int(s1))
                  o[2] = clip8(Int(s2))
                default:
                  for b in 0..<c {
                    var s0 = half
                    for x in 0..<xmax { s0 &+= Int32(p[x * c + b]) &* k[x] }
                    out[xx * c + b] = clip8(Int(s0))
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  static func resampleVertical(_ image: Image, _ co: Coefficients, outHeight: Int) -> Image {
    let w = image.width, c = image.channels
    let rowLength = w * c
    var accumulator = [Int32](repeating: 0, count: rowLength)
    return image.pixels.withUnsafeBufferPointer { src in
      co.weights.withUnsafeBufferPointer { kk in
        accumulator.withUnsafeMutableBufferPointer { acc in
          makeImage(width: w, height: outHeight, channels: c) { dst in
            let a = acc.baseAddress!
            for yy in 0..<outHeight {
              let ymin = co.bounds[yy * 2], ymax = co.bounds[yy * 2 + 1]
              // Row-at-a-time accumulation: the same sums as Pillow's per-sample loop, but vectorisable.
              a.update(repeating: Int32(1 << (precisionBits - 1)), count: rowLength)
              for y in 0..<ymax {
                let k = kk[yy * co.size + y]
                let line = src.baseAddress! + (y + ymin) * rowLength
                for i in 0..<rowLength { a[i] &+= Int32(line[i]) &* k }
              }
              let out = dst.baseAddress! + yy * rowLength
              for i in 0..<rowLength {
                let v = a[i] >> Int32(precisionBits)
                out[i] = UInt8(truncatingIfNeeded: min(max(v, 0), 255))
              }
            }
          }
        }
      }
    }
  }

  /// `ImagingScaleAffine` into a differently sized output (nearest resize).
  static func scaleNearestResize(_ image: Image, _ a: [Double], width: Int, height: Int) -> Image {
    let c = image.channels
    var table = [Int](repeating: 0, count: width)
    var xo = a[2] + a[0] * 0.5
    for x in 0..<width {
      table[x] = min(max(Geometric.coord(xo), 0), image.width - 1)
      xo += a[0]
    }
    var yo = a[5] + a[4] * 0.5
    return image.pixels.withUnsafeBufferPointer { src in
      makeImage(width: width, height: height, channels: c) { dst in
        for y in 0..<height {
          let yi = min(max(Geometric.coord(yo), 0), image.height - 1)
          for x in 0..<width {
            let s = (yi * image.width + table[x]) * c, d = (y * width + x) * c
            for k in 0..<c { dst[d + k] = src[s + k] }
          }
          yo += a[4]
        }
      }
    }
  }
}
