/// How much training one trial gets: epochs over a nested prefix of the training images.
public struct Fidelity: Sendable, Hashable, Codable, CustomStringConvertible {
  public var epochs: Int
  /// The first `trainImages` of the search's fixed training order (smaller subsets are prefixes
  /// of larger ones, so a promoted trial sees a superset).
  public var trainImages: Int

  public init(epochs: Int, trainImages: Int) {
    self.epochs = epochs
    self.trainImages = trainImages
  }

  public var description: String { "\(epochs) ep × \(trainImages) img" }
}
