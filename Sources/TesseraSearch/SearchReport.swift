/// Everything a finished search reports; written as `report.json` and rendered as `report.md`.
public struct SearchReport: Sendable, Codable {
  public struct Winner: Sendable, Codable {
    public var name: String
    public var trialKey: String
    /// M_val of the winning trial (validation split).
    public var validationScore: Double
    /// PBT: the candidate names per generation (the policy file holds the last).
    public var schedule: [String]?
    /// CPU microseconds per image of its augmentation.
    public var augmentMicrosPerImage: Double
  }

  public struct Trial: Sendable, Codable {
    public var number: Int
    public var key: String
    public var name: String
    public var rung: Int?
    public var epochs: Int
    public var trainImages: Int
    public var score: Double
    public var accuracy: Double
    public var cpuSeconds: Double
    public var augmentMicrosPerImage: Double
  }

  /// The winner or a baseline re-trained with every final seed and scored on the test split.
  public struct FinalResult: Sendable, Codable {
    public var name: String
    public var isWinner: Bool
    public var seeds: [UInt64]
    /// The objective on test, per seed.
    public var scores: [Double]
    public var accuracies: [Double]
    public var score: Statistics.Interval
    public var accuracy: Statistics.Interval
    public var macroF1: Double
    public var ece: Double
    public var augmentMicrosPerImage: Double
    public var cpuSeconds: Double
  }

  public struct Comparison: Sendable, Codable {
    public var baseline: String
    /// Winner minus baseline in the objective on test (Welch 95 % interval).
    public var difference: Statistics.Interval
    public var winnerIsBetter: Bool
    public var significant: Bool
    public var verdict: String
  }

  public var searchId: String
  public var revision: String
  public var datasetVersion: String
  public var origin: String
  public var objective: String
  public var configuration: SearchConfiguration
  public var trainImages: Int
  public var validationImages: Int
  public var testImages: Int
  public var classNames: [String]
  public var winner: Winner
  public var trials: [Trial]
  public var final: [FinalResult]
  public var versusTrivialAugment: Comparison?
  /// The winner against every baseline, in report order.
  public var comparisons: [Comparison]
  /// All search candidates (at their highest fidelity) and the front among them, when asked for.
  public var paretoPoints: [ParetoFront.Point]?
  public var paretoFront: [ParetoFront.Point]?
  public var bill: ComputeBill
  /// Output file names, relative to the report folder.
  public var files: [String: String]
}
