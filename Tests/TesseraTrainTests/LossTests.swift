import Foundation
import Testing
@testable import TesseraTrain

struct LossTests {
  /// Sum of the loss over samples, from logits in channel-major `[K, N]` layout.
  func loss(_ fn: SoftmaxCrossEntropy, logits: [Float], targets: [Float], k: Int, n: Int,
            gradient: inout [Float]) -> Double {
    var z = logits
    return z.withUnsafeMutableBufferPointer { zb in
      targets.withUnsafeBufferPointer { tb in
        gradient.withUnsafeMutableBufferPointer { gb in
          fn.evaluate(logits: Activation(shape: ActivationShape(n: n, c: k), data: zb.baseAddress!),
                      targets: tb.baseAddress!, normalizer: 1, gradient: gb.baseAddress!)
        }
      }
    }
  }

  @Test(arguments: [Float(0), 0.1])
  func gradientMatchesFiniteDifferencesOnSoftTargets(smoothing: Float) {
    let k = 5, n = 3
    let fn = SoftmaxCrossEntropy(labelSmoothing: smoothing)
    let logits = randomInput(k * n, seed: 21).map { $0 * 3 }
    // Soft targets: row per sample, summing to 1 (as MixUp makes them).
    var targets = [Float](repeating: 0, count: n * k)
    for s in 0..<n {
      targets[s * k + s] = 0.7
      targets[s * k + (s + 2) % k] = 0.3
    }
    var grad = [Float](repeating: 0, count: k * n), scratch = grad
    _ = loss(fn, logits: logits, targets: targets, k: k, n: n, gradient: &grad)
    let eps: Float = 1e-2
    for i in logits.indices {
      var plus = logits, minus = logits
      plus[i] += eps
      minus[i] -= eps
      let numeric = (loss(fn, logits: plus, targets: targets, k: k, n: n, gradient: &scratch)
        - loss(fn, logits: minus, targets: targets, k: k, n: n, gradient: &scratch)) / Double(2 * eps)
      #expect(abs(numeric - Double(grad[i])) < 1e-3, "logit \(i): analytic \(grad[i]), numeric \(numeric)")
    }
  }

  @Test func valueMatchesTheFormula() {
    // Two classes, one sample, logits (0, ln 3): p = (1/4, 3/4). Target class 1 with smoothing 0.2
    // becomes (0.1, 0.9): loss = −0.1·ln(1/4) − 0.9·ln(3/4).
    let fn = SoftmaxCrossEntropy(labelSmoothing: 0.2)
    var grad: [Float] = [0, 0]
    let value = loss(fn, logits: [0, Float(log(3.0))], targets: [0, 1], k: 2, n: 1, gradient: &grad)
    #expect(abs(value - (-0.1 * log(0.25) - 0.9 * log(0.75))) < 1e-5)
    #expect(abs(grad[0] - (0.25 - 0.1)) < 1e-6 && abs(grad[1] - (0.75 - 0.9)) < 1e-6)
  }

  @Test func largeLogitsStayFinite() {
    var grad: [Float] = [0, 0]
    let value = loss(SoftmaxCrossEntropy(), logits: [1000, -1000], targets: [0, 1], k: 2, n: 1, gradient: &grad)
    #expect(value.isFinite && abs(value - 2000) < 1e-2)
    #expect(grad.allSatisfy { $0.isFinite })
  }
}
