import Foundation

/// Softmax cross-entropy against soft targets (class distributions, as MixUp and CutMix
/// produce), with optional label smoothing: the target becomes `(1 − ε)·t + ε/K`.
public struct SoftmaxCrossEntropy: Sendable, Equatable, Codable {
  public var labelSmoothing: Float

  public init(labelSmoothing: Float = 0) {
    precondition(labelSmoothing >= 0 && labelSmoothing < 1, "label smoothing must be in [0, 1)")
    self.labelSmoothing = labelSmoothing
  }

  /// Loss summed over the shard's samples, and its gradient with respect to the logits scaled
  /// by `1 / normalizer` (the whole batch's size, so shard gradients add up to the batch mean).
  ///
  /// - Parameters:
  ///   - logits: `[K, N]` in the trainer's channel-major layout.
  ///   - targets: `N × K`, row per sample, each row summing to 1.
  ///   - gradient: `[K, N]`, overwritten.
  ///   - probabilities: if given, `N × K` softmax output, row per sample.
  func evaluate(logits: Activation, targets: UnsafePointer<Float>, normalizer: Float,
                gradient: UnsafeMutablePointer<Float>?, probabilities: UnsafeMutablePointer<Float>? = nil) -> Double {
    let k = logits.shape.c, n = logits.shape.n
    let z = logits.data
    let smooth = labelSmoothing / Float(k), keep = 1 - labelSmoothing
    var total: Double = 0
    var p = [Float](repeating: 0, count: k)
    for s in 0..<n {
      var m = -Float.infinity
      for j in 0..<k { m = max(m, z[j * n + s]) }
      var sum: Float = 0
      for j in 0..<k {
        p[j] = Foundation.exp(z[j * n + s] - m)
        sum += p[j]
      }
      let logSum = Foundation.log(sum)
      var loss: Float = 0
      for j in 0..<k {
        let t = keep * targets[s * k + j] + smooth
        loss -= t * (z[j * n + s] - m - logSum)
        let prob = p[j] / sum
        gradient?[j * n + s] = (prob - t) / normalizer
        probabilities?[s * k + j] = prob
      }
      total += Double(loss)
    }
    return total
  }
}
