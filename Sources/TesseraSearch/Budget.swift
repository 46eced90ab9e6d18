import Foundation

/// How much a search may spend on its trials (the final evaluation is billed but not limited).
public enum Budget: Sendable, Hashable, Codable, CustomStringConvertible {
  /// Wall-clock seconds of search trials (summed; with several workers, real time since the dispatch began).
  case wallSeconds(Double)
  /// CPU-seconds (user + system, all threads) of search trials.
  case cpuSeconds(Double)
  /// Number of search trials (each rung of successive halving and each population step counts one).
  case trials(Int)

  /// Parses `30m`, `2h`, `90s`, `3600cpu`, `50trials`.
  public init(parsing text: String) throws {
    let t = text.trimmingCharacters(in: .whitespaces).lowercased()
    func number(_ suffix: String) -> Double? {
      guard t.hasSuffix(suffix) else { return nil }
      return Double(t.dropLast(suffix.count))
    }
    if let n = number("trials") ?? number("trial") {
      guard n >= 1, n == n.rounded() else { throw SearchError.badInput("--budget: '\(text)': the trial count must be a whole number of at least 1") }
      self = .trials(Int(n))
    } else if let n = number("cpu") {
      guard n > 0 else { throw SearchError.badInput("--budget: '\(text)': CPU-seconds must be positive") }
      self = .cpuSeconds(n)
    } else if let n = number("h") {
      self = .wallSeconds(n * 3600)
    } else if let n = number("m") {
      self = .wallSeconds(n * 60)
    } else if let n = number("s") {
      self = .wallSeconds(n)
    } else {
      throw SearchError.badInput("--budget: '\(text)' is not a budget; use e.g. 30m, 2h, 3600cpu or 50trials")
    }
    if case .wallSeconds(let s) = self, !(s > 0) {
      throw SearchError.badInput("--budget: '\(text)': the wall time must be positive")
    }
  }

  /// Whether another trial may start (checked before each new trial): a budget is a cap, so a time or CPU
  /// budget must still cover the costliest trial so far. The search then ends within the budget unless its
  /// last trial costs more than every earlier one (or a first trial alone exceeds it).
  public func isExhausted(by usage: Usage) -> Bool {
    switch self {
    case .wallSeconds(let s): return usage.wallSeconds + usage.maxWallSeconds > s
    case .cpuSeconds(let s): return usage.cpuSeconds + usage.maxCPUSeconds > s
    case .trials(let n): return usage.trials >= n
    }
  }

  public var description: String {
    switch self {
    case .wallSeconds(let s): return s.truncatingRemainder(dividingBy: 60) == 0 ? "\(Int(s / 60))m" : "\(s)s"
    case .cpuSeconds(let s): return "\(s == s.rounded() ? String(Int(s)) : String(s))cpu"
    case .trials(let n): return "\(n)trials"
    }
  }

  /// What the search trials have spent so far (summed from the ledger, so a resumed search
  /// continues with the same account).
  public struct Usage: Sendable, Hashable, Codable {
    public var trials = 0
    public var cpuSeconds = 0.0
    public var wallSeconds = 0.0
    /// The costliest single trial so far.
    public var maxCPUSeconds = 0.0
    public var maxWallSeconds = 0.0

    public init() {}

    mutating func add(_ outcome: TrialOutcome) {
      trials += 1
      cpuSeconds += outcome.cpuSeconds
      wallSeconds += outcome.wallSeconds
      maxCPUSeconds = max(maxCPUSeconds, outcome.cpuSeconds)
      maxWallSeconds = max(maxWallSeconds, outcome.wallSeconds)
    }
  }
}
