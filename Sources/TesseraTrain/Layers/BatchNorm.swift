/// Batch normalisation over each channel (Ioffe & Szegedy, 2015), for conv maps and flat features.
///
/// Training uses the statistics of the shard it sees and records them; the trainer folds the
/// shards' statistics into the running mean and variance after each step (momentum as in
/// PyTorch: `running = (1 − m)·running + m·batch`, unbiased batch variance). Evaluation
/// normalises with the running statistics.
public final class BatchNorm: Layer {
  public let channels: Int
  public let epsilon: Float
  public var computesInputGradient = true

  let scaleOffset: Int
  let shiftOffset: Int
  /// Running mean at `stateOffset`, running variance at `stateOffset + channels`.
  let stateOffset: Int
  private let output = FloatBuffer()
  private let normalized = FloatBuffer()
  private let inputGradient = FloatBuffer()
  private var inverseStd: [Float] = []
  private var inputShape = ActivationShape(n: 0, c: 0)
  private var trainedPass = true

  public init(channels: Int, epsilon: Float = 1e-5, layout: inout ParameterLayout, name: String = "bn") {
    precondition(channels > 0)
    self.channels = channels
    self.epsilon = epsilon
    scaleOffset = layout.add("\(name).weight", count: channels, initializer: .constant(1), decays: false)
    shiftOffset = layout.add("\(name).bias", count: channels, initializer: .constant(0), decays: false)
    stateOffset = layout.addState("\(name).running_mean", count: channels, initialValue: 0)
    _ = layout.addState("\(name).running_var", count: channels, initialValue: 1)
  }

  public var name: String { "batchnorm(\(channels))" }

  public func outputShape(for input: ActivationShape) throws -> ActivationShape {
    guard input.c == channels else { throw ShapeError("\(name): expected \(channels) channels, got \(input.c)") }
    return input
  }

  public func forward(_ x: Activation, _ context: PassContext) -> Activation {
    inputShape = x.shape
    trainedPass = context.training
    let m = x.shape.n * x.shape.plane
    let y = output.reserve(x.shape.count)
    let xhat = normalized.reserve(x.shape.count)
    if inverseStd.count != channels { inverseStd = [Float](repeating: 0, count: channels) }
    for c in 0..<channels {
      let src = x.data + c * m, dst = y + c * m, nrm = xhat + c * m
      let mean: Float, variance: Float
      if context.training {
        // Two passes with Double sums: one pass (E[x²] − E[x]²) loses the variance to
        // cancellation when the mean is large.
        var sum: Double = 0
        for i in 0..<m { sum += Double(src[i]) }
        let mu = sum / Double(m)
        var sq: Double = 0
        for i in 0..<m {
          let d = Double(src[i]) - mu
          sq += d * d
        }
        mean = Float(mu)
        variance = Float(sq / Double(m))
        context.batchStatistics[stateOffset + c] = mean
        context.batchStatistics[stateOffset + channels + c] = Float(sq / Double(max(m - 1, 1)))
      } else {
        mean = context.state[stateOffset + c]
        variance = context.state[stateOffset + channels + c]
      }
      let inv = 1 / (variance + epsilon).squareRoot()
      inverseStd[c] = inv
      let gamma = context.parameters[scaleOffset + c], beta = context.parameters[shiftOffset + c]
      for i in 0..<m {
        let h = (src[i] - mean) * inv
        nrm[i] = h
        dst[i] = gamma * h + beta
      }
    }
    return Activation(shape: x.shape, data: y)
  }

  public func backward(_ dy: Activation, _ context: PassContext) -> Activation {
    let m = inputShape.n * inputShape.plane
    let dx = inputGradient.reserve(inputShape.count)
    let xhat = normalized.pointer
    for c in 0..<channels {
      let g = dy.data + c * m, h = xhat + c * m, d = dx + c * m
      var sumDy: Float = 0, sumDyH: Float = 0
      for i in 0..<m {
        sumDy += g[i]
        sumDyH += g[i] * h[i]
      }
      context.gradients[scaleOffset + c] += sumDyH
      context.gradients[shiftOffset + c] += sumDy
      guard computesInputGradient else { continue }
      let k = context.parameters[scaleOffset + c] * inverseStd[c]
      if trainedPass {
        let meanDy = sumDy / Float(m), meanDyH = sumDyH / Float(m)
        for i in 0..<m { d[i] = k * (g[i] - meanDy - h[i] * meanDyH) }
      } else {
        for i in 0..<m { d[i] = k * g[i] }
      }
    }
    return Activation(shape: inputShape, data: dx)
  }
}
