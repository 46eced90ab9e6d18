/// Average pooling over `kernelSize × kernelSize` windows (no padding).
public final class AvgPool2D: Layer, SquarePooling {
  public let kernelSize: Int
  public let stride: Int
  public var computesInputGradient = true
  private let output = FloatBuffer()
  private let inputGradient = FloatBuffer()
  private var inputShape = ActivationShape(n: 0, c: 0)

  public init(kernelSize: Int = 2, stride: Int? = nil) {
    precondition(kernelSize > 0)
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
  }

  public var name: String { "avgpool\(kernelSize)/\(stride)" }

  public func forward(_ x: Activation, _ context: PassContext) -> Activation {
    inputShape = x.shape
    let g = geometry(x.shape)
    let planes = x.shape.c * x.shape.n
    let inPlane = x.shape.plane, outPlane = g.outH * g.outW
    let y = output.reserve(planes * outPlane)
    let scale = 1 / Float(kernelSize * kernelSize)
    for p in 0..<planes {
      let src = x.data + p * inPlane
      for oy in 0..<g.outH {
        for ox in 0..<g.outW {
          var sum: Float = 0
          for ki in 0..<kernelSize {
            let row = src + (oy * stride + ki) * g.inW + ox * stride
            for kj in 0..<kernelSize { sum += row[kj] }
          }
          y[p * outPlane + oy * g.outW + ox] = sum * scale
        }
      }
    }
    return Activation(shape: ActivationShape(n: x.shape.n, c: x.shape.c, h: g.outH, w: g.outW), data: y)
  }

  public func backward(_ dy: Activation, _ context: PassContext) -> Activation {
    let g = geometry(inputShape)
    let dx = inputGradient.zeroed(inputShape.count)
    let planes = inputShape.c * inputShape.n
    let inPlane = inputShape.plane, outPlane = g.outH * g.outW
    let scale = 1 / Float(kernelSize * kernelSize)
    for p in 0..<planes {
      let d = dx + p * inPlane
      for oy in 0..<g.outH {
        for ox in 0..<g.outW {
          let v = dy.data[p * outPlane + oy * g.outW + ox] * scale
          for ki in 0..<kernelSize {
            let row = d + (oy * stride + ki) * g.inW + ox * stride
            for kj in 0..<kernelSize { row[kj] += v }
          }
        }
      }
    }
    return Activation(shape: inputShape, data: dx)
  }
}
