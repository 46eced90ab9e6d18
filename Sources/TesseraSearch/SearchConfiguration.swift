import TesseraRemote
import TesseraTrain

/// The order in which a dispatch hands results to the algorithm.
public enum ResultOrder: String, Sendable, Hashable, Codable, CaseIterable {
  /// Trials' start order: the same decisions on every executor and at any speed.
  case start
  /// As trials end: no worker waits for an older trial, but the decisions depend on timing.
  case finish
}

/// Everything that decides a search's result; stored in the ledger so `--resume` continues with
/// exactly the same settings.
public struct SearchConfiguration: Sendable, Hashable, Codable {
  /// The revision as given (tag, branch, commit) and the commit it resolved to.
  public var revision: String
  public var commit = ""
  public var space: SearchSpace
  public var algorithm: SearchAlgorithm
  public var budget: Budget
  public var objective = Objective(.accuracy)
  /// Model name (`ModelSpec.names`).
  public var model = "cnn-s"
  /// Full search fidelity: epochs of a random-search trial, of the top ASHA rung and of a PBT run.
  public var epochs = 5
  /// Epochs of the final re-training of the winner and the baselines (defaults to `epochs`).
  public var finalEpochs: Int?
  /// Training images used (search and final); nil uses the whole training split.
  public var subset: Int?
  /// Seeds of the final re-training (at least 3 for an interval worth reading).
  public var seeds = 3
  /// Drives candidate sampling, trial seeds and the training order.
  public var seed: UInt64 = 0
  /// Fraction of the training split carved off for validation (by a hash of each path).
  public var validationFraction = 0.1
  /// ASHA: reduction factor and number of rungs.
  public var eta = 3
  public var rungs = 3
  /// PBT: population size and epochs between exploit/explore steps.
  public var population = 4
  public var interval = 1
  /// Record and report the Pareto front of M_val against augmentation CPU cost per image.
  public var pareto = false
  public var batchSize = 128
  public var learningRate: Float = 0.05
  /// Batch shards (part of the result) and training threads (speed only).
  public var shards = 2
  public var threads = availableCores()
  public var loaderThreads = 1
  /// Where trials run and how many at once. More than one in flight changes which results each decision sees
  /// (results are taken in start order), so `maxParallel` is part of the result; the executor is not: local and
  /// Slurm with the same settings record the same trials and scores.
  public var executor: ExecutorKind?
  public var maxParallel: Int?
  public var slurmPartition: String?
  public var slurmArguments: [String]?
  /// Workers read the version through this remote of the store (into a store cached on each node) instead of
  /// opening the store itself: for nodes that do not see the store's filesystem. Speed only.
  public var dataRemote: RemoteConfiguration?
  public var nodeCache: String?
  /// In which order results reach the algorithm (default: start order, reproducible on any executor).
  public var resultOrder: ResultOrder?
  /// Attempts per trial before it is recorded as failed.
  public var maxAttempts: Int?
  /// Skip the final re-training on the test split (for quick experiments; the report then has no
  /// test numbers).
  public var skipFinal = false

  public init(revision: String, space: SearchSpace, algorithm: SearchAlgorithm, budget: Budget) {
    self.revision = revision
    self.space = space
    self.algorithm = algorithm
    self.budget = budget
  }

  public var finalEpochCount: Int { finalEpochs ?? epochs }

  /// Checks ranges; the message names the option.
  public func validate() throws {
    func fail(_ m: String) throws -> Never { throw SearchError.badInput(m) }
    guard ModelSpec.names.contains(model) else {
      try fail("--model: unknown '\(model)' (known: \(ModelSpec.names.joined(separator: ", ")))")
    }
    guard epochs >= 1 else { try fail("--epochs: must be at least 1, got \(epochs)") }
    guard finalEpochCount >= 1 else { try fail("--final-epochs: must be at least 1, got \(finalEpochCount)") }
    if let subset, subset < 2 { try fail("--subset: must be at least 2, got \(subset)") }
    guard seeds >= 1 else { try fail("--seeds: must be at least 1, got \(seeds)") }
    guard validationFraction > 0 && validationFraction < 1 else {
      try fail("--validation-fraction: must be between 0 and 1, got \(validationFraction)")
    }
    guard eta >= 2 else { try fail("--eta: must be at least 2, got \(eta)") }
    guard rungs >= 1 else { try fail("--rungs: must be at least 1, got \(rungs)") }
    guard population >= 2 else { try fail("--population: must be at least 2, got \(population)") }
    guard interval >= 1 else { try fail("--interval: must be at least 1 epoch, got \(interval)") }
    guard batchSize >= 2 else { try fail("--batch-size: must be at least 2, got \(batchSize)") }
    guard learningRate > 0 else { try fail("--lr: must be positive, got \(learningRate)") }
    guard threads >= 1 else { try fail("--threads: must be at least 1, got \(threads)") }
    if let n = maxParallel, n < 1 { try fail("--max-parallel: must be at least 1, got \(n)") }
    if let n = maxAttempts, n < 1 { try fail("--max-attempts: must be at least 1, got \(n)") }
  }

  /// The trainer settings of a trial with `seed` and `epochs`.
  func training(seed: UInt64, epochs: Int) -> TrainingConfiguration {
    var c = TrainingConfiguration()
    c.model = model
    c.epochs = epochs
    c.batchSize = batchSize
    c.learningRate = learningRate
    c.seed = seed
    c.shards = min(shards, batchSize)
    c.threads = threads
    c.loaderThreads = loaderThreads
    return c
  }
}
