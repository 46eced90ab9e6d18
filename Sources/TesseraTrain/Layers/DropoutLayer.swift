import TesseraAugment

/// Inverted dropout: in training, zeroes each value with probability `rate` and scales the rest
/// by `1 / (1 − rate)`; in evaluation, passes values through.
///
/// The mask comes from the pass's seed and this layer's stream id, so a step replays exactly.
public final class DropoutLayer: Layer {
  public let rate: Float
  public var computesInputGradient = true
  let stream: UInt64
  private let output = FloatBuffer()
  private let mask = FloatBuffer()
  private let inputGradient = FloatBuffer()
  private var inputShape = ActivationShape(n: 0, c: 0)
  private var trainedPass = false

  public init(rate: Float, layout: inout ParameterLayout) {
    precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1)")
    self.rate = rate
    stream = layout.nextStreamID()
  }

  public var name: String { "dropout(\(rate))" }

  public func outputShape(for input: ActivationShape) throws -> ActivationShape { input }

  public func forward(_ x: Activation, _ context: PassContext) -> Activation {
    inputShape = x.shape
    trainedPass = context.training && rate > 0
    guard trainedPass else { return x }
    let count = x.shape.count
    let y = output.reserve(count), keep = mask.reserve(count)
    var rng = SplitMix64(seed: context.seed, index: stream)
    let scale = 1 / (1 - rate)
    for i in 0..<count {
      keep[i] = rng.nextUnitFloat() < rate ? 0 : scale
      y[i] = x.data[i] * keep[i]
    }
    return Activation(shape: x.shape, data: y)
  }

  public func backward(_ dy: Activation, _ context: PassContext) -> Activation {
    guard trainedPass else { return dy }
    let count = inputShape.count
    let dx = inputGradient.reserve(count), keep = mask.pointer
    for i in 0..<count { dx[i] = dy.data[i] * keep[i] }
    return Activation(shape: inputShape, data: dx)
  }
}
