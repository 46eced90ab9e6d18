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
func im2col(_ x: UnsafePointer<Float>, channels: Int, batch: Int, geometry g: WindowGeometry,
            samples: Range<Int>, into cols: UnsafeMutablePointer<Float>, ld: Int) {
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
              dst.update(repeating: 0, count: outW)
              continue
            }
            let srcRow = src + iy * g.inW
            if valid.lowerBound > 0 { dst.update(repeating: 0, count: valid.lowerBound) }
            if valid.upperBound < outW { (dst + valid.upperBound).update(repeating: 0, count: outW - valid.upperBound) }
            if g.stride == 1 {
              let ix0 = valid.lowerBound - g.padding + kj
              (dst + valid.lowerBound).update(from: srcRow + ix0, count: valid.count)
            } else {
              for ox in valid { dst[ox] = srcRow[ox * g.stride - g.padding + kj] }
            }
          }
        }
      }
    }
  }
}

/// The adjoint of `im2col`: adds each column entry back onto the input position it came from.
/// `dx` must be zeroed by the caller for the samples concerned.
func col2im(_ cols: UnsafePointer<Float>, ld: Int, channels: Int, batch: Int, geometry g: WindowGeometry,
            samples: Range<Int>, into dx: UnsafeMutablePointer<Float>) {
  let inPlane = g.inH * g.inW
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
            if g.stride == 1 {
              let d = dstRow + (valid.lowerBound - g.padding + kj)
              let s = src + valid.lowerBound
              for i in 0..<valid.count { d[i] += s[i] }
            } else {
              for ox in valid { dstRow[ox * g.stride - g.padding + kj] += src[ox] }
            }
          }
        }
      }
    }
  }
}
