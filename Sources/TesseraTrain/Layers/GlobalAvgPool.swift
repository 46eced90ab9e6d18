/// The mean of each channel plane: `[C, N, H, W]` → `[C, N, 1, 1]`.
public final class GlobalAvgPool: Layer {
  public var computesInputGradient = true
  private let output = FloatBuffer()
  private let inputGradient = FloatBuffer()
  private var inputShape = ActivationShape(n: 0, c: 0)

  public init() {}

  public var name: String { "globalavgpool" }

  public func outputShape(for input: ActivationShape) throws -> ActivationShape {
    ActivationShape(n: input.n, c: input.c)
  }

  public func forward(_ x: Activation, _ context: PassContext) -> Activation {
    inputShape = x.shape
    let planes = x.shape.c * x.shape.n, plane = x.shape.plane
    let y = output.reserve(planes)
    let scale = 1 / Float(plane)
    for p in 0..<planes {
      let src = x.data + p * plane
      var sum: Float = 0
      for i in 0..<plane { sum += src[i] }
      y[p] = sum * scale
    }
    return Activation(shape: ActivationShape(n: x.shape.n, c: x.shape.c), data: y)
  }

  public func backward(_ dy: Activation, _ context: PassContext) -> Activation {
    let planes = inputShape.c * inputShape.n, plane = inputShape.plane
    let dx = inputGradient.reserve(inputShape.count)
    let scale = 1 / Float(plane)
    for p in 0..<planes {
      let v = dy.data[p] * scale
      (dx + p * plane).update(repeating: v, count: plane)
    }
    return Activation(shape: inputShape, data: dx)
  }
}
