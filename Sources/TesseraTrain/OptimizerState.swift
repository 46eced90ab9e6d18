/// The optimizer a trainer runs, with its state, as one storable value.
public enum OptimizerState: Sendable, Codable, Equatable {
  case sgd(SGD)
  case adamw(AdamW)

  init(_ configuration: TrainingConfiguration) {
    switch configuration.optimizer {
    case .sgd:
      self = .sgd(SGD(momentum: configuration.momentum, nesterov: configuration.nesterov,
                      weightDecay: configuration.weightDecay))
    case .adamw:
      self = .adamw(AdamW(weightDecay: configuration.weightDecay))
    }
  }

  mutating func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                     layout: ParameterLayout, learningRate: Float) {
    switch self {
    case .sgd(var o):
      o.step(parameters: parameters, gradients: gradients, layout: layout, learningRate: learningRate)
      self = .sgd(o)
    case .adamw(var o):
      o.step(parameters: parameters, gradients: gradients, layout: layout, learningRate: learningRate)
      self = .adamw(o)
    }
  }
}
