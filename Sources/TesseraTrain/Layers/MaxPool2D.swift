/// Max pooling over `kernelSize × kernelSize` windows (no padding). The backward pass routes
/// each gradient to the input that won its window (the first one on ties, as PyTorch does).
public final class MaxPool2D: Layer, SquarePooling {
  public let kernelSize: Int
  public let stride: Int
  public var computesInputGradient = true
  private let output = FloatBuffer()
  private let inputGradient = FloatBuffer()
  private var winners: [Int32] = []
  private var inputShape = ActivationShape(n: 0, c: 0)

  public init(kernelSize: Int = 2, stride: Int? = nil) {
    precondition(kernelSize > 0)
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
  }

  public var name: String { "maxpool\(kernelSize)/\(stride)" }

  /// 2×2 windows with stride 2 that tile the input exactly: the common case, with a loop that
  /// keeps both rows in registers and writes the backward pass without a zero-fill sweep.
  private func isTiled2x2(_ s: ActivationShape) -> Bool {
    kernelSize == 2 && stride == 2 && s.h % 2 == 0 && s.w % 2 == 0
  }

  public func forward(_ x: Activation, _ context: PassContext) -> Activation {
    inputShape = x.shape
    let g = geometry(x.shape)
    let planes = x.shape.c * x.shape.n
    let inPlane = x.shape.plane, outPlane = g.outH * g.outW
    let y = output.reserve(planes * outPlane)
    if winners.count < planes * outPlane { winners = [Int32](repeating: 0, count: planes * outPlane) }
    if isTiled2x2(x.shape) {
      let w = x.shape.w, outW = g.outW
      winners.withUnsafeMutableBufferPointer { win in
        for p in 0..<planes {
          let src = x.data + p * inPlane
          for oy in 0..<g.outH {
            let r0 = src + 2 * oy * w, r1 = r0 + w
            let o = p * outPlane + oy * outW
            for ox in 0..<outW {
              // First maximum in scan order wins ties, as in PyTorch.
              // Selects, not branches: which corner wins is random, so branches mispredict.
              let a = r0[2 * ox], b = r0[2 * ox + 1], c = r1[2 * ox], d = r1[2 * ox + 1]
              let ab = b > a, cd = d > c
              let top = ab ? b : a, bottom = cd ? d : c
              let lower = bottom > top
              let best = lower ? bottom : top
              let arg = (2 * oy + (lower ? 1 : 0)) * w + 2 * ox + ((lower ? cd : ab) ? 1 : 0)
              y[o + ox] = best
              win.baseAddress![o + ox] = Int32(arg)
            }
          }
        }
      }
      return Activation(shape: ActivationShape(n: x.shape.n, c: x.shape.c, h: g.outH, w: g.outW), data: y)
    }
    winners.withUnsafeMutableBufferPointer { win in
      for p in 0..<planes {
        let src = x.data + p * inPlane
        for oy in 0..<g.outH {
          for ox in 0..<g.outW {
            var best = -Float.infinity
            var arg = 0
            for ki in 0..<kernelSize {
              let rowStart = (oy * stride + ki) * g.inW + ox * stride
              for kj in 0..<kernelSize where src[rowStart + kj] > best {
                best = src[rowStart + kj]
                arg = rowStart + kj
              }
            }
            let o = p * outPlane + oy * g.outW + ox
            y[o] = best
            win[o] = Int32(arg)
          }
        }
      }
    }
    return Activation(shape: ActivationShape(n: x.shape.n, c: x.shape.c, h: g.outH, w: g.outW), data: y)
  }

  public func backward(_ dy: Activation, _ context: PassContext) -> Activation {
    if isTiled2x2(inputShape) {
      let dx = inputGradient.reserve(inputShape.count)
      let planes = inputShape.c * inputShape.n, w = inputShape.w
      let inPlane = inputShape.plane, outW = w / 2, outPlane = dy.shape.plane
      winners.withUnsafeBufferPointer { win in
        for p in 0..<planes {
          let d = dx + p * inPlane, g = dy.data + p * outPlane
          for oy in 0..<(inputShape.h / 2) {
            let r0 = d + 2 * oy * w, r1 = r0 + w
            for ox in 0..<outW {
              let o = p * outPlane + oy * outW + ox
              let v = g[oy * outW + ox], arg = Int(win[o])
              r0[2 * ox] = 0
              r0[2 * ox + 1] = 0
              r1[2 * ox] = 0
              r1[2 * ox + 1] = 0
              d[arg] = v
            }
          }
        }
      }
      return Activation(shape: inputShape, data: dx)
    }
    let dx = inputGradient.zeroed(inputShape.count)
    let planes = inputShape.c * inputShape.n
    let inPlane = inputShape.plane, outPlane = dy.shape.plane
    winners.withUnsafeBufferPointer { win in
      for p in 0..<planes {
        let d = dx + p * inPlane
        let g = dy.data + p * outPlane
        for o in 0..<outPlane { d[Int(win[p * outPlane + o])] += g[o] }
      }
    }
    return Activation(shape: inputShape, data: dx)
  }
}
