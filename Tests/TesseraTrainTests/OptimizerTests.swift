import Foundation
import Testing
@testable import TesseraTrain

struct OptimizerTests {
  /// One decaying parameter and one that does not.
  var layout: ParameterLayout {
    var l = ParameterLayout()
    _ = l.add("w", count: 1, initializer: .constant(0), decays: true)
    _ = l.add("b", count: 1, initializer: .constant(0), decays: false)
    return l
  }

  func run(_ optimizer: inout some Optimizer, steps: [[Float]], lr: Float, start: [Float] = [1, 1]) -> [Float] {
    var w = start
    for g in steps {
      w.withUnsafeMutableBufferPointer { wb in
        g.withUnsafeBufferPointer { gb in
          optimizer.step(parameters: wb.baseAddress!, gradients: gb.baseAddress!, layout: layout, learningRate: lr)
        }
      }
    }
    return w
  }

  @Test func sgdMomentumFollowsPyTorch() {
    // torch.optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.5), w=1, grads 1 then 2:
    // g1 = 1 + 0.5 = 1.5, b = 1.5, w = 1 − 0.15 = 0.85
    // g2 = 2 + 0.425 = 2.425, b = 0.9·1.5 + 2.425 = 3.775, w = 0.85 − 0.3775 = 0.4725
    // The bias does not decay: b = 1, w = 0.9; b = 2.9, w = 0.61.
    var sgd = SGD(momentum: 0.9, weightDecay: 0.5)
    let w = run(&sgd, steps: [[1, 1], [2, 2]], lr: 0.1)
    #expect(abs(w[0] - 0.4725) < 1e-6)
    #expect(abs(w[1] - 0.61) < 1e-6)
  }

  @Test func sgdNesterovFollowsPyTorch() {
    // nesterov: step = g + μ·b. g1 = 1, b = 1, step 1.9, w = 0.81; g2 = 2, b = 2.9, step 4.61, w = 0.349.
    var sgd = SGD(momentum: 0.9, nesterov: true)
    let w = run(&sgd, steps: [[1, 1], [2, 2]], lr: 0.1)
    #expect(abs(w[0] - 0.349) < 1e-6)
  }

  @Test func adamWFollowsPyTorch() {
    // torch.optim.AdamW(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1), w=1, grad 1:
    // w ← 1·(1 − 0.01) = 0.99; m̂ = 1, v̂ = 1; w = 0.99 − 0.1 = 0.89.
    var adam = AdamW(weightDecay: 0.1)
    let w = run(&adam, steps: [[1, 1]], lr: 0.1)
    #expect(abs(w[0] - 0.89) < 1e-6)
    #expect(abs(w[1] - 0.9) < 1e-6)
    // Second step, grad −1: m = 0.09 − 0.1 = −0.01, v = 0.000999 + 0.001 = 0.001999;
    // m̂ = −0.01/0.19, v̂ = 0.001999/0.001999 = 1 → step = 0.1·(−0.0526316)/(1 + 1e-8).
    let w2 = run(&adam, steps: [[-1, -1]], lr: 0.1, start: w)
    let expected = 0.89 * (1 - 0.01) + 0.1 * 0.01 / 0.19
    #expect(abs(Double(w2[0]) - expected) < 1e-5)
  }

  @Test func schedulesHaveTheirShapes() {
    let cosine = LearningRateSchedule(base: 0.1, shape: .cosine(minimum: 0), totalSteps: 100, stepsPerEpoch: 10,
                                      warmupSteps: 10)
    #expect(abs(cosine.rate(at: 0) - 0.01) < 1e-7)  // warm-up from 0: step 1 of 10
    #expect(abs(cosine.rate(at: 9) - 0.1) < 1e-7)
    #expect(abs(cosine.rate(at: 10) - 0.1) < 1e-7)
    #expect(abs(cosine.rate(at: 55) - 0.05) < 1e-6)  // half-way through the cosine part
    #expect(cosine.rate(at: 100) < 1e-7)
    let step = LearningRateSchedule(base: 1, shape: .step(everyEpochs: 2, factor: 0.1), totalSteps: 60,
                                    stepsPerEpoch: 10)
    #expect(step.rate(at: 19) == 1)
    #expect(abs(step.rate(at: 20) - 0.1) < 1e-7)
    #expect(abs(step.rate(at: 45) - 0.01) < 1e-8)
    let constant = LearningRateSchedule(base: 0.3, shape: .constant, totalSteps: 5, stepsPerEpoch: 5)
    #expect(constant.rate(at: 4) == 0.3)
  }
}
