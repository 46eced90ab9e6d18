/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, with
/// PyTorch's update rule (`torch.optim.SGD`, dampening 0):
///
///     g ← ∇ + λ·w;   b ← μ·b + g;   w ← w − lr·(Nesterov ? g + μ·b : b)
public struct SGD: Optimizer, Equatable {
  public var momentum: Float
  public var nesterov: Bool
  public var weightDecay: Float
  /// One momentum value per parameter (empty until the first step).
  public var velocity: [Float] = []

  public init(momentum: Float = 0.9, nesterov: Bool = false, weightDecay: Float = 0) {
    precondition(momentum >= 0 && weightDecay >= 0)
    precondition(!nesterov || momentum > 0, "Nesterov momentum needs a momentum above 0")
    self.momentum = momentum
    self.nesterov = nesterov
    self.weightDecay = weightDecay
  }

  public mutating func step(parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                            layout: ParameterLayout, learningRate lr: Float) {
    if velocity.count != layout.count { velocity = [Float](repeating: 0, count: layout.count) }
    let mu = momentum, nesterov = nesterov
    velocity.withUnsafeMutableBufferPointer { vb in
      let v = vb.baseAddress!
      for entry in layout.entries {
        let decay = entry.decays ? weightDecay : 0
        for i in entry.offset..<(entry.offset + entry.count) {
          let grad = g[i] + decay * w[i]
          if mu == 0 {
            w[i] -= lr * grad
          } else {
            v[i] = mu * v[i] + grad
            w[i] -= lr * (nesterov ? grad + mu * v[i] : v[i])
          }
        }
      }
    }
  }
}
