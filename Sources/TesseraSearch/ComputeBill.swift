/// What a search cost: CPU-seconds from `getrusage` (user + system, all threads), summed from the
/// ledger so that work done before a resume is billed too, and an energy estimate.
public struct ComputeBill: Sendable, Codable {
  /// Assumed average power of one busy core, for the energy estimate only. A 2020s server CPU
  /// draws roughly 150–250 W over 16–32 cores under load; 10 W per core is a round middle value.
  public static let assumedWattsPerCore = 10.0

  public var searchTrials: Int
  public var searchCPUSeconds: Double
  public var searchWallSeconds: Double
  public var finalTrials: Int
  public var finalCPUSeconds: Double
  public var finalWallSeconds: Double
  /// This process outside trials: reading and decoding the dataset, estimating normalisation,
  /// measuring augmentation cost, writing the report.
  public var overheadCPUSeconds: Double
  public var wattsPerCore: Double
  public var totalCPUSeconds: Double { searchCPUSeconds + finalCPUSeconds + overheadCPUSeconds }
  /// CPU-seconds × watts per core, in watt-hours.
  public var energyWattHours: Double { totalCPUSeconds * wattsPerCore / 3600 }

  private enum CodingKeys: String, CodingKey {
    case searchTrials, searchCPUSeconds, searchWallSeconds, finalTrials, finalCPUSeconds, finalWallSeconds,
         overheadCPUSeconds, wattsPerCore, totalCPUSeconds, energyWattHours
  }

  public init(searchTrials: Int, searchCPUSeconds: Double, searchWallSeconds: Double, finalTrials: Int,
              finalCPUSeconds: Double, finalWallSeconds: Double, overheadCPUSeconds: Double,
              wattsPerCore: Double = ComputeBill.assumedWattsPerCore) {
    self.searchTrials = searchTrials
    self.searchCPUSeconds = searchCPUSeconds
    self.searchWallSeconds = searchWallSeconds
    self.finalTrials = finalTrials
    self.finalCPUSeconds = finalCPUSeconds
    self.finalWallSeconds = finalWallSeconds
    self.overheadCPUSeconds = overheadCPUSeconds
    self.wattsPerCore = wattsPerCore
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    searchTrials = try c.decode(Int.self, forKey: .searchTrials)
    searchCPUSeconds = try c.decode(Double.self, forKey: .searchCPUSeconds)
    searchWallSeconds = try c.decode(Double.self, forKey: .searchWallSeconds)
    finalTrials = try c.decode(Int.self, forKey: .finalTrials)
    finalCPUSeconds = try c.decode(Double.self, forKey: .finalCPUSeconds)
    finalWallSeconds = try c.decode(Double.self, forKey: .finalWallSeconds)
    overheadCPUSeconds = try c.decode(Double.self, forKey: .overheadCPUSeconds)
    wattsPerCore = try c.decode(Double.self, forKey: .wattsPerCore)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(searchTrials, forKey: .searchTrials)
    try c.encode(searchCPUSeconds, forKey: .searchCPUSeconds)
    try c.encode(searchWallSeconds, forKey: .searchWallSeconds)
    try c.encode(finalTrials, forKey: .finalTrials)
    try c.encode(finalCPUSeconds, forKey: .finalCPUSeconds)
    try c.encode(finalWallSeconds, forKey: .finalWallSeconds)
    try c.encode(overheadCPUSeconds, forKey: .overheadCPUSeconds)
    try c.encode(wattsPerCore, forKey: .wattsPerCore)
    try c.encode(totalCPUSeconds, forKey: .totalCPUSeconds)
    try c.encode(energyWattHours, forKey: .energyWattHours)
  }

  /// One paragraph for the terminal and the Markdown report.
  public var summary: String {
    String(format: "compute: search %.1f CPU-s (%d trials, %.1f s wall), final evaluation %.1f CPU-s (%d runs, %.1f s wall), overhead %.1f CPU-s; total %.1f CPU-s ≈ %.3f Wh at an assumed %.0f W per busy core",
           searchCPUSeconds, searchTrials, searchWallSeconds, finalCPUSeconds, finalTrials, finalWallSeconds,
           overheadCPUSeconds, totalCPUSeconds, energyWattHours, wattsPerCore)
  }
}
