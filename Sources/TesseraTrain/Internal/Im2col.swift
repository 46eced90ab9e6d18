/// Geometry of a 2-D convolution or pooling window over one channel plane.
struct WindowGeometry: Equatable {
  var inH: Int, inW: Int
  var kernelH: Int, kernelW: Int
  var stride: Int, padding: Int

  var outH: Int { (inH + 2 * padding - kernelH) / stride + 1 }
  var outW: Int { (inW + 2 * padding - kernelW) / stride + 1 }

  /// Output columns `ox` whose input column `ox·stride − padding + kj` lies inside the row.
  @inline(__always) func validColumns(kj: Int) -> Range<Int> {
    // ix = ox*s - p + kj >= 0  ⇔  ox >= ceil((p - kj) / s)
    let lo = max(0, (padding - kj + stride - 1) / stride)
    // ix <= inW - 1  ⇔  ox <= floor((inW - 1 + p - kj) / s)
    let top = inW - 1 + padding - kj
    let hi = top < 0 ? 0 : min(outW, top / stride + 1)
    return lo..<max(lo, hi)
  }
}

/// Unfolds input windows into GEMM columns.
///
/// Input is channel-major `[C, N, H, W]` (`batch` samples in total); rows of the result are
/// `(c, ki, kj)` and columns `(n − n0, oy, ox)` for samples `n0..<n1`, each row `ld` floats apart.
/// `bordersAreZero`: the caller guarantees that entries for windows over the top and bottom
/// border already hold zero (same-size path only; they are then not written).
func im2col(_ x: UnsafePointer<Float>, channels: Int, batch: Int, geometry g: WindowGeometry,
            samples: Range<Int>, into cols: UnsafeMutablePointer<Float>, ld: Int, bordersAreZero: Bool = false) {
  if g.isSameSizeStride1 {
    im2colSameSize(x, channels: channels, batch: batch, geometry: g, samples: samples, into: cols, ld: ld,
                   bordersAreZero: bordersAreZero)
    return
  }
  let inPlane = g.inH * g.inW
  let outH = g.outH, outW = g.outW
  for c in 0..<channels {
    for ki in 0..<g.kernelH {
      for kj in 0..<g.kernelW {
        let row = cols + ((c * g.kernelH + ki) * g.kernelW + kj) * ld
        let valid = g.validColumns(kj: kj)
        for n in samples {
          let src = x + (c * batch + n) * inPlane
          for oy in 0..<outH {
            let dst = row + ((n - samples.lowerBound) * outH + oy) * outW
            let iy = oy * g.stride - g.padding + ki
            if iy < 0 || iy >= g.inH {
              for ox in 0..<outW { dst[ox] = 0 }
              continue
            }
            let srcRow = src + iy * g.inW
            for ox in 0..<valid.lowerBound { dst[ox] = 0 }
            for ox in valid { dst[ox] = srcRow[ox * g.stride - g.padding + kj] }
            for ox in valid.upperBound..<outW { dst[ox] = 0 }
          }
        }
      }
    }
  }
}

extension WindowGeometry {
  /// Stride 1 with "same" padding: every unfolded row is the input plane shifted by
  /// (ki − p, kj − p), which one contiguous copy per plane produces.
  var isSameSizeStride1: Bool { stride == 1 && outH == inH && outW == inW }
}

/// `im2col` for stride 1, same size: one `memcpy` of the whole shifted plane per row and sample,
/// then zeros where the shift crossed the border. Row-by-row copies of 14–28 floats spend more
/// time in call overhead than in copying.
private func im2colSameSize(_ x: UnsafePointer<Float>, channels: Int, batch: Int, geometry g: WindowGeometry,
                            samples: Range<Int>, into cols: UnsafeMutablePointer<Float>, ld: Int,
                            bordersAreZero: Bool) {
  let h = g.inH, w = g.inW, plane = h * w
  for c in 0..<channels {
    for ki in 0..<g.kernelH {
      let dy = ki - g.padding
      for kj in 0..<g.kernelW {
        let dx = kj - g.padding
        let row = cols + ((c * g.kernelH + ki) * g.kernelW + kj) * ld
        let offset = dy * w + dx
        // Destination indices whose source index d + offset lies inside the plane.
        let d0 = min(plane, max(0, -offset)), d1 = max(d0, min(plane, plane - offset))
        // Columns whose shifted source wrapped into the neighbouring row.
        let wrapLo = max(0, -dx), wrapHi = min(w, w - dx)
        for n in samples {
          let src = x + (c * batch + n) * plane
          let dst = row + (n - samples.lowerBound) * plane
          if d0 > 0 && !bordersAreZero { dst.update(repeating: 0, count: d0) }
          if d1 > d0 { (dst + d0).update(from: src + d0 + offset, count: d1 - d0) }
          if d1 < plane && !bordersAreZero { (dst + d1).update(repeating: 0, count: plane - d1) }
          if dx != 0 {
            for oy in 0..<h {
              let r = dst + oy * w
              for ox in 0..<wrapLo { r[ox] = 0 }
              for ox in wrapHi..<w { r[ox] = 0 }
            }
          }
        }
      }
    }
  }
}

/// The adjoint of `im2col`: adds each column entry back onto the input position it came from.
/// `dx` must be zeroed by the caller for the samples concerned. For stride 1, same size, the
/// entries that `im2col` set to zero at the borders are zeroed in `cols` (the caller's scratch)
/// so that each row and sample is one contiguous add.
func col2im(_ cols: UnsafeMutablePointer<Float>, ld: Int, channels: Int, batch: Int, geometry g: WindowGeometry,
            samples: Range<Int>, into dx: UnsafeMutablePointer<Float>) {
  let inPlane = g.inH * g.inW
  if g.isSameSizeStride1 {
    let h = g.inH, w = g.inW
    for c in 0..<channels {
      for ki in 0..<g.kernelH {
        let dy = ki - g.padding
        for kj in 0..<g.kernelW {
          let dxShift = kj - g.padding
          let row = cols + ((c * g.kernelH + ki) * g.kernelW + kj) * ld
          let offset = dy * w + dxShift
          let d0 = min(inPlane, max(0, -offset)), d1 = max(d0, min(inPlane, inPlane - offset))
          let wrapLo = max(0, -dxShift), wrapHi = min(w, w - dxShift)
          for n in samples {
            let src = row + (n - samples.lowerBound) * inPlane
            if dxShift != 0 {
              for oy in 0..<h {
                let r = src + oy * w
                for ox in 0..<wrapLo { r[ox] = 0 }
                for ox in wrapHi..<w { r[ox] = 0 }
              }
            }
            let dst = dx + (c * batch + n) * inPlane + (d0 + offset), from = src + d0
            for i in 0..<(d1 - d0) { dst[i] += from[i] }
          }
        }
      }
    }
    return
  }
  let outH = g.outH, outW = g.outW
  for c in 0..<channels {
    for ki in 0..<g.kernelH {
      for kj in 0..<g.kernelW {
        let row = cols + ((c * g.kernelH + ki) * g.kernelW + kj) * ld
        let valid = g.validColumns(kj: kj)
        for n in samples {
          let dst = dx + (c * batch + n) * inPlane
          for oy in 0..<outH {
            let iy = oy * g.stride - g.padding + ki
            if iy < 0 || iy >= g.inH { continue }
            let src = row + ((n - samples.lowerBound) * outH + oy) * outW
            let dstRow = dst + iy * g.inW
            for ox in valid { dstRow[ox * g.stride - g.padding + kj] += src[ox] }
          }
        }
      }
    }
  }
}
