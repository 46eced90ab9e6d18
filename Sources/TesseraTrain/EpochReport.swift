/// What one training epoch did.
public struct EpochReport: Sendable, Codable, Equatable {
  /// 1-based.
  public var epoch: Int
  /// Mean training loss over the epoch's samples (against mixed targets when mixing).
  public var loss: Double
  /// Fraction of samples whose top prediction was their (unmixed) label, during training.
  public var accuracy: Double
  public var samples: Int
  public var seconds: Double
  /// CPU time of the whole process during the epoch (all threads): unlike wall time, it does not
  /// grow when other processes take the cores.
  public var cpuSeconds: Double
  public var samplesPerSecond: Double
  /// The rate at the epoch's last step.
  public var learningRate: Float
}
