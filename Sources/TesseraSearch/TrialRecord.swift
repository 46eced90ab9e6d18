import Foundation
import GRDB
import TesseraTrain

/// One row of the ledger's `trial` table: a trial of a search or a final re-training run.
public struct TrialRecord: Sendable, Codable, Hashable, FetchableRecord, MutablePersistableRecord {
  public static let databaseTableName = "trial"

  public enum Phase: String, Sendable, Codable, Hashable {
    /// Scored on validation, spends the budget.
    case search
    /// Winner and baselines re-trained with several seeds, scored on test.
    case final
  }

  public enum Status: String, Sendable, Codable, Hashable {
    case running
    case finished
    /// Failed on every attempt (the reason is in `failure`), or cancelled at the budget's end.
    case failed
  }

  public var id: Int64?
  public var searchId: String
  /// Unique within the search and deterministic (e.g. `random-7`, `asha-r1-c4`, `pbt-g2-m0`,
  /// `final-TrivialAugmentWide-s1`): a resumed search finds finished trials by it.
  public var key: String
  /// Order of first start within the search, from 1.
  public var number: Int
  public var phase: Phase
  public var name: String
  /// The candidate (policy and mixing) as JSON.
  public var policy: String
  public var datasetVersion: String
  public var seed: Int64
  public var epochs: Int
  public var trainImages: Int
  /// ASHA rung or PBT generation.
  public var rung: Int?
  /// The trial this one continued from (PBT exploit) or was promoted from (ASHA).
  public var parentKey: String?
  public var status: Status
  public var score: Double?
  public var accuracy: Double?
  public var macroF1: Double?
  public var ece: Double?
  /// The full `ClassificationMetrics` as JSON.
  public var metrics: String?
  public var cpuSeconds: Double?
  public var wallSeconds: Double?
  public var augmentMicros: Double?
  public var startedAt: Date
  public var finishedAt: Date?
  /// Where it ran (`local`, `slurm:<job id>`), attempts made, and why the last one failed.
  public var worker: String?
  public var attempts: Int?
  public var failure: String?

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

  /// The recorded outcome of a finished trial.
  public var outcome: TrialOutcome? {
    guard status == .finished, let metrics, let score, let cpuSeconds, let wallSeconds,
          let m = try? JSONDecoder().decode(ClassificationMetrics.self, from: Data(metrics.utf8)) else { return nil }
    return TrialOutcome(metrics: m, score: score, cpuSeconds: cpuSeconds, wallSeconds: wallSeconds,
                        augmentMicrosPerImage: augmentMicros ?? 0)
  }

  public var candidate: Candidate? { try? Candidate.decode(json: policy) }
  public var fidelity: Fidelity { Fidelity(epochs: epochs, trainImages: trainImages) }
}
