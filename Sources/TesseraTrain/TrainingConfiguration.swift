/// Everything that decides a training run's result, apart from the data.
///
/// Results are reproducible bit for bit for the same configuration, data and `shards`; the
/// number of `threads` changes speed only (each shard always runs whole on one thread, and
/// shard results are combined in shard order).
public struct TrainingConfiguration: Sendable, Codable, Equatable {
  public enum OptimizerKind: String, Sendable, Codable, CaseIterable { case sgd, adamw }
  public enum ScheduleKind: String, Sendable, Codable, CaseIterable { case cosine, step, constant }

  public var model = "cnn-s"
  public var epochs = 5
  public var batchSize = 128
  public var optimizer = OptimizerKind.sgd
  public var learningRate: Float = 0.05
  /// SGD momentum (β₁ is fixed at 0.9 for AdamW).
  public var momentum: Float = 0.9
  public var nesterov = false
  /// L2 for SGD, decoupled for AdamW; conv and linear weights only.
  public var weightDecay: Float = 5e-4
  public var schedule = ScheduleKind.cosine
  /// For `.step`: multiply the rate by `stepFactor` every `stepEvery` epochs.
  public var stepEvery = 30
  public var stepFactor: Float = 0.1
  /// Linear warm-up length, in epochs (fractions allowed).
  public var warmupEpochs: Double = 0
  public var labelSmoothing: Float = 0
  public var seed: UInt64 = 0
  /// Each batch is split into this many shards, each run forward and backward on its own; batch
  /// norm sees per-shard statistics. Part of the result, unlike `threads`.
  public var shards = 2
  /// Training threads (at most `shards` are busy).
  public var threads = availableCores()
  /// Loader threads (lower priority than training threads).
  public var loaderThreads = 1

  public init() {}

  /// Checks ranges; the message names the field.
  public func validate() throws {
    func fail(_ message: String) throws -> Never { throw ConfigurationError(message) }
    guard ModelSpec.names.contains(model) else {
      try fail("model: unknown '\(model)' (known: \(ModelSpec.names.joined(separator: ", ")))")
    }
    guard epochs > 0 else { try fail("epochs: must be at least 1, got \(epochs)") }
    guard batchSize > 0 else { try fail("batch size: must be at least 1, got \(batchSize)") }
    guard learningRate > 0, learningRate.isFinite else { try fail("learning rate: must be positive, got \(learningRate)") }
    guard (0..<1).contains(momentum) else { try fail("momentum: must be in [0, 1), got \(momentum)") }
    guard !nesterov || momentum > 0 else { try fail("nesterov: needs a momentum above 0") }
    guard weightDecay >= 0 else { try fail("weight decay: must not be negative, got \(weightDecay)") }
    guard (0..<1).contains(labelSmoothing) else { try fail("label smoothing: must be in [0, 1), got \(labelSmoothing)") }
    guard warmupEpochs >= 0 else { try fail("warm-up: must not be negative, got \(warmupEpochs)") }
    guard stepEvery > 0, stepFactor > 0 else { try fail("step schedule: needs a positive period and factor") }
    guard shards >= 1, shards <= batchSize else { try fail("shards: must be between 1 and the batch size, got \(shards)") }
    guard threads >= 1 else { try fail("threads: must be at least 1, got \(threads)") }
    guard loaderThreads >= 0 else { try fail("loader threads: must not be negative, got \(loaderThreads)") }
  }
}

/// A training setting out of range; the message names the setting.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}
