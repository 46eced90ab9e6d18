/// `max(x, 0)`, elementwise. The backward pass uses the output as its mask.
public final class ReLU: Layer {
  public var computesInputGradient = true
  private let output = FloatBuffer()
  private let inputGradient = FloatBuffer()
  private var shape = ActivationShape(n: 0, c: 0)

  public init() {}

  public var name: String { "relu" }

  public func outputShape(for input: ActivationShape) throws -> ActivationShape { input }

  public func forward(_ x: Activation, _ context: PassContext) -> Activation {
    shape = x.shape
    let count = x.shape.count
    let y = output.reserve(count)
    let src = x.data
    for i in 0..<count { y[i] = max(src[i], 0) }
    return Activation(shape: x.shape, data: y)
  }

  public func backward(_ dy: Activation, _ context: PassContext) -> Activation {
    let count = shape.count
    let dx = inputGradient.reserve(count)
    let y = output.pointer, g = dy.data
    for i in 0..<count { dx[i] = y[i] > 0 ? g[i] : 0 }
    return Activation(shape: shape, data: dx)
  }
}
