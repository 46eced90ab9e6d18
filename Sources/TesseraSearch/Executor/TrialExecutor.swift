import Foundation

/// Where a search's trials run: in this process (`local`) or as Slurm jobs (`slurm`).
public enum ExecutorKind: String, Sendable, Codable, CaseIterable {
  case local, slurm
}

/// A trial that stopped running: with its result file's content, or — when the job died without writing one
/// (node failure, time limit, cancellation) — with the scheduler's reason.
public struct EndedTrial: Sendable {
  public var key: String
  public var attempt: Int
  public var result: TrialResult?
  public var reason: String?
}

/// Runs trial specs somewhere and reports when they end. The search stays the controller: it decides what to
/// run, records everything in the ledger and feeds the algorithm.
public protocol TrialExecutor: AnyObject {
  /// How many trials may run at once.
  var maxParallel: Int { get }
  /// What the ledger records as the trial's worker (`local`, `slurm:1234_5`), once `submit` has returned.
  func worker(of key: String) -> String?
  /// Starts trials (each with its attempt number); returns at once.
  func submit(_ specs: [(spec: TrialSpec, attempt: Int)]) throws
  /// Takes over a trial a previous controller started (after a crash), if its job still runs or left a
  /// result; returns false when it is gone and must be submitted again.
  func adopt(_ spec: TrialSpec, attempt: Int, worker: String) throws -> Bool
  /// Blocks until at least one trial ended (or `deadline` passed); returns every trial that ended since the last call.
  func waitForEnded(until deadline: Date?) throws -> [EndedTrial]
  /// Cancels every trial still waiting or running.
  func cancelAll()
}
