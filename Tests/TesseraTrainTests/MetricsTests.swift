import Foundation
import Testing
@testable import TesseraTrain

struct MetricsTests {
  @Test func confusionPrecisionRecallAndF1() {
    // True: 0 0 0 1 1 2; predicted: 0 0 1 1 2 2.
    let labels = [0, 0, 0, 1, 1, 2]
    let predicted = [0, 0, 1, 1, 2, 2]
    var p = [Float](repeating: 0.1, count: 18)
    for (s, c) in predicted.enumerated() { p[s * 3 + c] = 0.8 }
    let m = ClassificationMetrics(probabilities: p, labels: labels, classNames: ["a", "b", "c"])
    #expect(m.confusion == [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
    #expect(abs(m.accuracy - 4.0 / 6) < 1e-12)
    #expect(m.precision.map { ($0 * 1000).rounded() } == [1000, 500, 500])
    #expect(m.recall.map { ($0 * 1000).rounded() } == [667, 500, 1000])
    let f1a: Double = 2.0 * (2.0 / 3.0) / (1.0 + 2.0 / 3.0)
    let f1c: Double = 2.0 * 0.5 / 1.5
    let macro: Double = (f1a + 0.5 + f1c) / 3.0
    #expect(abs(m.macroF1 - macro) < 1e-12)
    let expectedLoss: Double = (-log(Double(Float(0.8))) * 4 - log(Double(Float(0.1))) * 2) / 6
    #expect(abs(m.loss - expectedLoss) < 1e-9)
  }

  @Test func expectedCalibrationErrorUsesFifteenBins() {
    // Four samples at confidence 0.9 (bin 14), three right; two at 0.5 (bin 7), one right.
    // ECE = 4/6·|0.75 − 0.9| + 2/6·|0.5 − 0.5| = 0.1.
    let labels = [0, 0, 0, 1, 0, 1]
    let p: [Float] = [0.9, 0.1, 0.9, 0.1, 0.9, 0.1, 0.9, 0.1, 0.5, 0.5, 0.5, 0.5]
    let m = ClassificationMetrics(probabilities: p, labels: labels, classNames: ["a", "b"])
    #expect(m.bins == 15)
    #expect(abs(m.expectedCalibrationError - 0.1) < 1e-6)
  }

  @Test func absentClassesDoNotCountInMacroF1() {
    let m = ClassificationMetrics(probabilities: [0.9, 0.05, 0.05], labels: [0], classNames: ["a", "b", "c"])
    #expect(m.macroF1 == 1)
    #expect(m.recall == [1, 0, 0])
  }
}
