import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter, 2019), with PyTorch's update rule
/// (`torch.optim.AdamW`): `w ← w·(1 − lr·λ)`, then the bias-corrected Adam step.
public struct AdamW: Optimizer, Equatable {
  public var beta1: Float
  public var beta2: Float
  public var epsilon: Float
  public var weightDecay: Float
  public var steps = 0
  public var firstMoment: [Float] = []
  public var secondMoment: [Float] = []

  public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
    precondition((0..<1).contains(beta1) && (0..<1).contains(beta2) && epsilon > 0 && weightDecay >= 0)
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
  }

  public mutating func step(parameters w: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                            layout: ParameterLayout, learningRate lr: Float) {
    if firstMoment.count != layout.count {
      firstMoment = [Float](repeating: 0, count: layout.count)
      secondMoment = [Float](repeating: 0, count: layout.count)
    }
    steps += 1
    let b1 = beta1, b2 = beta2, eps = epsilon
    let correction1 = 1 - Float(pow(Double(b1), Double(steps)))
    let correction2 = 1 - Float(pow(Double(b2), Double(steps)))
    let stepSize = lr / correction1
    let root2 = correction2.squareRoot()
    firstMoment.withUnsafeMutableBufferPointer { mb in
      secondMoment.withUnsafeMutableBufferPointer { vb in
        let m = mb.baseAddress!, v = vb.baseAddress!
        for entry in layout.entries {
          let shrink = entry.decays ? 1 - lr * weightDecay : 1
          for i in entry.offset..<(entry.offset + entry.count) {
            w[i] *= shrink
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
            w[i] -= stepSize * m[i] / (v[i].squareRoot() / root2 + eps)
          }
        }
      }
    }
  }
}
