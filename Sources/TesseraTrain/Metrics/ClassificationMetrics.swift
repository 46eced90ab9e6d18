import Foundation

/// How well predicted class probabilities match true labels.
public struct ClassificationMetrics: Sendable, Codable, Equatable {
  public var count: Int
  public var classNames: [String]
  public var accuracy: Double
  /// Mean negative log-likelihood of the true class.
  public var loss: Double
  /// Per class: of the samples predicted as this class, the fraction that are (0 if none predicted).
  public var precision: [Double]
  /// Per class: of the samples of this class, the fraction predicted as it (0 if none present).
  public var recall: [Double]
  public var f1: [Double]
  /// Unweighted mean of the per-class F1 over classes present in labels or predictions.
  public var macroF1: Double
  /// `confusion[true][predicted]` counts.
  public var confusion: [[Int]]
  /// Expected calibration error over `bins` equal-width confidence bins (Guo et al., 2017):
  /// `Σ_b |B_b|/N · |accuracy(B_b) − confidence(B_b)|`, confidence being the top probability.
  public var expectedCalibrationError: Double
  public var bins: Int

  /// - Parameters:
  ///   - probabilities: `labels.count × classNames.count`, row per sample.
  public init(probabilities: [Float], labels: [Int], classNames: [String], bins: Int = 15) {
    let k = classNames.count, n = labels.count
    precondition(probabilities.count == n * k, "one probability row per label")
    precondition(bins > 0)
    self.count = n
    self.classNames = classNames
    self.bins = bins
    var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
    var binCount = [Int](repeating: 0, count: bins)
    var binCorrect = [Int](repeating: 0, count: bins)
    var binConfidence = [Double](repeating: 0, count: bins)
    var nll = 0.0
    for s in 0..<n {
      let row = probabilities[(s * k)..<(s * k + k)]
      var best = row.startIndex
      for j in row.indices where row[j] > row[best] { best = j }
      let predicted = best - row.startIndex
      let confidence = Double(row[best])
      let truth = labels[s]
      confusion[truth][predicted] += 1
      nll -= log(max(Double(row[row.startIndex + truth]), 1e-12))
      // Bin b holds confidences in (b/B, (b+1)/B]; 0 goes to the first bin.
      let b = min(bins - 1, max(0, Int((confidence * Double(bins)).rounded(.up)) - 1))
      binCount[b] += 1
      binConfidence[b] += confidence
      if predicted == truth { binCorrect[b] += 1 }
    }
    self.confusion = confusion
    let correct = (0..<k).reduce(0) { $0 + confusion[$1][$1] }
    accuracy = n > 0 ? Double(correct) / Double(n) : 0
    loss = n > 0 ? nll / Double(n) : 0
    var precision = [Double](repeating: 0, count: k), recall = precision, f1 = precision
    var present = 0
    var f1Sum = 0.0
    for c in 0..<k {
      let tp = Double(confusion[c][c])
      let predictedAs = Double((0..<k).reduce(0) { $0 + confusion[$1][c] })
      let actual = Double(confusion[c].reduce(0, +))
      precision[c] = predictedAs > 0 ? tp / predictedAs : 0
      recall[c] = actual > 0 ? tp / actual : 0
      let denominator = precision[c] + recall[c]
      f1[c] = denominator > 0 ? 2 * precision[c] * recall[c] / denominator : 0
      if predictedAs > 0 || actual > 0 {
        present += 1
        f1Sum += f1[c]
      }
    }
    self.precision = precision
    self.recall = recall
    self.f1 = f1
    macroF1 = present > 0 ? f1Sum / Double(present) : 0
    var ece = 0.0
    for b in 0..<bins where binCount[b] > 0 {
      let m = Double(binCount[b])
      ece += m / Double(max(n, 1)) * abs(Double(binCorrect[b]) / m - binConfidence[b] / m)
    }
    expectedCalibrationError = ece
  }
}
