import Foundation
import TesseraAugment
import TesseraStore
import TesseraTrain

/// One augmentation-policy search on a pinned dataset version: the outer loop.
///
/// Every trial goes through ``trial(_:)``, which returns the ledger's record when that trial
/// already finished (so `--resume` after a crash redoes nothing finished) and otherwise trains,
/// scores and records it. The algorithms are deterministic functions of the configuration and the
/// recorded scores, so a resumed search walks the same path and picks up where it stopped.
public final class PolicySearch {
  public let id: String
  public let configuration: SearchConfiguration
  public let ledger: Ledger
  public let store: Store
  let data: SearchData
  let runner: TrialRunner
  /// `.tessera/search/<id>/`: checkpoints of population members.
  let workDirectory: URL
  let log: (String) -> Void
  /// What the search trials have spent, counted in the order the algorithm meets them.
  var usage = Budget.Usage()
  /// Trials this process ran and trials it found finished in the ledger.
  public internal(set) var ranCount = 0
  public internal(set) var reusedCount = 0
  /// The executor of the dispatch in progress, so an interrupt can cancel what it started.
  var activeExecutor: TrialExecutor?
  /// Replaces the configured executor (the dispatch simulation runs the real algorithms on a virtual clock).
  var executorOverride: TrialExecutor?
  let processCPUAtStart = CPUClock.processSeconds()
  let processStart = Date()

  init(id: String, configuration: SearchConfiguration, ledger: Ledger, store: Store,
       workDirectory: URL? = nil, log: @escaping (String) -> Void) throws {
    self.id = id
    self.configuration = configuration
    self.ledger = ledger
    self.store = store
    self.log = log
    self.workDirectory = workDirectory ?? URL(fileURLWithPath: store.root + "/.tessera/search/" + id, isDirectory: true)
    data = try SearchData.load(store, commit: configuration.commit, validationFraction: configuration.validationFraction,
                               subset: configuration.subset)
    runner = try TrialRunner(data: data, configuration: configuration)
    try FileManager.default.createDirectory(at: self.workDirectory, withIntermediateDirectories: true)
  }

  /// Starts a new search: resolves the revision, records the search in the ledger.
  public static func start(store: Store, configuration: SearchConfiguration,
                           log: @escaping (String) -> Void = { _ in }) throws -> PolicySearch {
    var configuration = configuration
    try configuration.validate()
    do { configuration.commit = try store.resolve(configuration.revision) } catch {
      throw SearchError.badInput("--rev: '\(configuration.revision)' is not a version of \(store.root): \(error)")
    }
    let ledger = try Ledger(storeRoot: store.root)
    var generator = SystemRandomNumberGenerator()
    let id = String(format: "%08x", UInt32.random(in: 0...UInt32.max, using: &generator))
    // Read the data before recording the search, so a version without usable splits leaves no entry.
    let search = try PolicySearch(id: id, configuration: configuration, ledger: ledger, store: store, log: log)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let now = Date()
    try ledger.insert(SearchRecord(
      id: id, createdAt: now, updatedAt: now, revision: configuration.revision, datasetVersion: configuration.commit,
      space: configuration.space.rawValue, algorithm: configuration.algorithm.rawValue,
      budget: configuration.budget.description, metric: configuration.objective.argument,
      configuration: String(decoding: try encoder.encode(configuration), as: UTF8.self), status: .running))
    return search
  }

  /// Continues search `id` with its recorded configuration; `threads` may differ (speed only).
  public static func resume(store: Store, id: String, threads: Int? = nil,
                            log: @escaping (String) -> Void = { _ in }) throws -> PolicySearch {
    let ledger = try Ledger(storeRoot: store.root)
    guard let record = try ledger.search(id) else { throw SearchError.unknownSearch(id) }
    var configuration = try record.decodedConfiguration()
    if let threads { configuration.threads = threads }
    return try PolicySearch(id: id, configuration: configuration, ledger: ledger, store: store, log: log)
  }

  /// One unit of work for ``trial(_:)``.
  struct TrialRequest {
    var key: String
    var phase: TrialRecord.Phase
    var name: String
    /// Recorded as the trial's policy; for a population member, its current candidate.
    var candidate: Candidate
    var plan: TrialRunner.Plan
    var rung: Int?
    var parentKey: String?
  }

  var budgetExhausted: Bool { configuration.budget.isExhausted(by: usage) }

  /// Full search fidelity: all epochs on every training image.
  var fullFidelity: Fidelity { Fidelity(epochs: configuration.epochs, trainImages: data.train.count) }

  /// The `index`-th candidate a sampling algorithm draws.
  func sampledCandidate(_ index: Int, stream: UInt64 = 0) -> Candidate {
    var rng = SplitMix64(seed: configuration.seed ^ stream ^ 0x43_414E_4449_4441, index: UInt64(index))
    return configuration.space.sample(using: &rng)
  }

  func constantPlan(_ candidate: Candidate, seed: UInt64, fidelity: Fidelity) -> TrialRunner.Plan {
    TrialRunner.Plan(candidate: { _ in candidate }, seed: seed, fidelity: fidelity)
  }
}
