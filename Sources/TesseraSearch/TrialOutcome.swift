import TesseraTrain

/// What one finished trial measured.
public struct TrialOutcome: Sendable, Codable, Equatable {
  /// Metrics on the split the trial was scored on (validation in the search, test in the final runs).
  public var metrics: ClassificationMetrics
  /// M_val (or M_test in final runs): the objective's value, higher is better.
  public var score: Double
  public var cpuSeconds: Double
  public var wallSeconds: Double
  /// CPU microseconds per image of the candidate's augmentation (policy + mixing), one thread.
  public var augmentMicrosPerImage: Double

  public init(metrics: ClassificationMetrics, score: Double, cpuSeconds: Double, wallSeconds: Double,
              augmentMicrosPerImage: Double) {
    self.metrics = metrics
    self.score = score
    self.cpuSeconds = cpuSeconds
    self.wallSeconds = wallSeconds
    self.augmentMicrosPerImage = augmentMicrosPerImage
  }
}
