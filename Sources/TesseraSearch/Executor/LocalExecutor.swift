import Foundation

/// Runs trials one at a time in this process, with the search's own trial runner (data and normalisation
/// loaded once): the plain sequential search. `ProcessExecutor` runs several at once.
final class LocalExecutor: TrialExecutor {
  let maxParallel = 1
  private let run: (TrialSpec) throws -> TrialOutcome
  private var ended: [EndedTrial] = []

  init(run: @escaping (TrialSpec) throws -> TrialOutcome) { self.run = run }

  func worker(of key: String) -> String? { "local" }

  func submit(_ specs: [(spec: TrialSpec, attempt: Int)]) throws {
    for (spec, attempt) in specs {
      let result: TrialResult
      do { result = TrialResult(key: spec.key, outcome: try run(spec), error: nil) } catch {
        result = TrialResult(key: spec.key, outcome: nil, error: "\(error)")
      }
      ended.append(EndedTrial(key: spec.key, attempt: attempt, result: result, reason: nil))
    }
  }

  func adopt(_ spec: TrialSpec, attempt: Int, worker: String) throws -> Bool { false }

  func waitForEnded(until deadline: Date?) throws -> [EndedTrial] {
    defer { ended = [] }
    return ended
  }

  func cancelAll() {}
}
