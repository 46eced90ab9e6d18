/// `[C, N, H, W]` → `[C·H·W, N, 1, 1]`, features ordered `(c, h, w)` as PyTorch's `flatten(1)`
/// orders an NCHW tensor, so weights carry over between the two.
public final class Flatten: Layer {
  public var computesInputGradient = true
  private let output = FloatBuffer()
  private let inputGradient = FloatBuffer()
  private var inputShape = ActivationShape(n: 0, c: 0)

  public init() {}

  public var name: String { "flatten" }

  public func outputShape(for input: ActivationShape) throws -> ActivationShape {
    ActivationShape(n: input.n, c: input.perSample)
  }

  public func forward(_ x: Activation, _ context: PassContext) -> Activation {
    inputShape = x.shape
    let s = x.shape
    let outShape = ActivationShape(n: s.n, c: s.perSample)
    if s.plane == 1 { return Activation(shape: outShape, data: x.data) }
    let y = output.reserve(s.count)
    let plane = s.plane
    for c in 0..<s.c {
      for n in 0..<s.n {
        let src = x.data + (c * s.n + n) * plane
        let dst = y + (c * plane) * s.n + n
        for p in 0..<plane { dst[p * s.n] = src[p] }
      }
    }
    return Activation(shape: outShape, data: y)
  }

  public func backward(_ dy: Activation, _ context: PassContext) -> Activation {
    let s = inputShape
    if s.plane == 1 { return Activation(shape: s, data: dy.data) }
    let dx = inputGradient.reserve(s.count)
    let plane = s.plane
    for c in 0..<s.c {
      for n in 0..<s.n {
        let dst = dx + (c * s.n + n) * plane
        let src = dy.data + (c * plane) * s.n + n
        for p in 0..<plane { dst[p] = src[p * s.n] }
      }
    }
    return Activation(shape: s, data: dx)
  }
}
