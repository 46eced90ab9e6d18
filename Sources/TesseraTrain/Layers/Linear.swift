/// A fully connected layer: `y = W·x + b` with `W` of shape `[out, in]`, as one `cblas_sgemm`
/// over the whole batch. Takes flattened input (`h == w == 1`; put a `Flatten` before it).
public final class Linear: Layer {
  public let inFeatures: Int
  public let outFeatures: Int
  public var computesInputGradient = true

  let weightOffset: Int
  let biasOffset: Int
  private let output = FloatBuffer()
  private let inputGradient = FloatBuffer()
  private var input: Activation?

  public init(inFeatures: Int, outFeatures: Int, initialization: ParameterLayout.Scheme = .pytorchDefault,
              layout: inout ParameterLayout, name: String = "fc") {
    precondition(inFeatures > 0 && outFeatures > 0)
    self.inFeatures = inFeatures
    self.outFeatures = outFeatures
    weightOffset = layout.add("\(name).weight", count: outFeatures * inFeatures,
                              initializer: initialization.weight(fanIn: inFeatures), decays: true)
    biasOffset = layout.add("\(name).bias", count: outFeatures, initializer: initialization.bias(fanIn: inFeatures),
                            decays: false)
  }

  public var name: String { "fc(\(inFeatures)→\(outFeatures))" }

  public func outputShape(for input: ActivationShape) throws -> ActivationShape {
    guard input.h == 1, input.w == 1 else {
      throw ShapeError("\(name): input \(input) is not flat; add a flatten layer before it")
    }
    guard input.c == inFeatures else {
      throw ShapeError("\(name): expected \(inFeatures) input features, got \(input.c)")
    }
    return ActivationShape(n: input.n, c: outFeatures)
  }

  public func forward(_ x: Activation, _ context: PassContext) -> Activation {
    let n = x.shape.n
    let y = output.reserve(outFeatures * n)
    input = x
    BLAS.gemm(transA: false, transB: false, m: outFeatures, n: n, k: inFeatures,
              a: context.parameters + weightOffset, lda: inFeatures, b: x.data, ldb: n, beta: 0, c: y, ldc: n)
    for o in 0..<outFeatures {
      let b = context.parameters[biasOffset + o]
      let row = y + o * n
      for i in 0..<n { row[i] += b }
    }
    return Activation(shape: ActivationShape(n: n, c: outFeatures), data: y)
  }

  public func backward(_ dy: Activation, _ context: PassContext) -> Activation {
    guard let x = input else { preconditionFailure("\(name): backward before forward") }
    let n = x.shape.n
    for o in 0..<outFeatures {
      let row = dy.data + o * n
      var sum: Float = 0
      for i in 0..<n { sum += row[i] }
      context.gradients[biasOffset + o] += sum
    }
    BLAS.gemm(transA: false, transB: true, m: outFeatures, n: inFeatures, k: n, a: dy.data, lda: n,
              b: x.data, ldb: n, beta: 1, c: context.gradients + weightOffset, ldc: inFeatures)
    let dx = inputGradient.reserve(inFeatures * n)
    if computesInputGradient {
      BLAS.gemm(transA: true, transB: false, m: inFeatures, n: n, k: outFeatures,
                a: context.parameters + weightOffset, lda: inFeatures, b: dy.data, ldb: n, beta: 0, c: dx, ldc: n)
    }
    return Activation(shape: x.shape, data: dx)
  }

  public func forwardFLOPs(for input: ActivationShape) -> Double {
    2 * Double(input.n) * Double(inFeatures * outFeatures)
  }

  public func backwardFLOPs(for input: ActivationShape) -> Double {
    forwardFLOPs(for: input) * (computesInputGradient ? 2 : 1)
  }
}
