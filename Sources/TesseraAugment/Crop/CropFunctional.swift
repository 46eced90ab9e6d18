#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
import CPixelKernels
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
      return resizeBilinear(image, width: width, height: height)
    }
  }

  /// Pillow's two-pass bilinear resize, in C (CPixelKernels); `vectorLevel` 0 forces the scalar loops so tests can
  /// compare the paths.
  static func resizeBilinear(_ image: Image, width: Int, height: Int, vectorLevel: Int32 = 1) -> Image {
    image.pixels.withUnsafeBufferPointer { src in
      makeImage(width: width, height: height, channels: image.channels) { dst in
        let ok = tessera_resize_bilinear(src.baseAddress!, image.width, image.height, image.channels,
                                         dst.baseAddress!, width, height, vectorLevel)
        precondition(ok != 0, "out of memory resizing \(image.width)×\(image.height) to \(width)×\(height)")
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
