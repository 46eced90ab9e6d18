import TesseraTrain

/// The validation metric M_val a search maximises: one metric or a weighted sum of several.
///
/// Every term is oriented so that higher is better: ECE enters as `1 − ECE`.
public struct Objective: Sendable, Hashable, Codable, CustomStringConvertible {
  public enum Metric: String, Sendable, Hashable, Codable, CaseIterable {
    case accuracy
    case macroF1 = "macro-f1"
    case ece

    /// The metric's value, higher is better.
    public func score(_ m: ClassificationMetrics) -> Double {
      switch self {
      case .accuracy: return m.accuracy
      case .macroF1: return m.macroF1
      case .ece: return 1 - m.expectedCalibrationError
      }
    }
  }

  public struct Term: Sendable, Hashable, Codable {
    public var metric: Metric
    public var weight: Double
  }

  public var terms: [Term]

  public init(_ metric: Metric) { terms = [Term(metric: metric, weight: 1)] }

  /// Parses `accuracy`, `macro-f1`, `ece`, or a weighted sum `accuracy=0.7,ece=0.3`.
  public init(parsing text: String) throws {
    var terms: [Term] = []
    for part in text.split(separator: ",") {
      let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      guard let metric = Metric(rawValue: pieces[0].lowercased()) else {
        throw SearchError.badInput("--metric: unknown metric '\(pieces[0])' (known: accuracy, macro-f1, ece, or a weighted sum like accuracy=0.7,ece=0.3)")
      }
      var weight = 1.0
      if pieces.count == 2 {
        guard let w = Double(pieces[1]), w > 0, w.isFinite else {
          throw SearchError.badInput("--metric: weight '\(pieces[1])' of \(metric.rawValue) must be a positive number")
        }
        weight = w
      }
      guard !terms.contains(where: { $0.metric == metric }) else {
        throw SearchError.badInput("--metric: \(metric.rawValue) is named twice")
      }
      terms.append(Term(metric: metric, weight: weight))
    }
    guard !terms.isEmpty else { throw SearchError.badInput("--metric: empty") }
    self.terms = terms
  }

  /// Σ weight · metric, normalised by the total weight (so a single metric scores as itself).
  public func score(_ m: ClassificationMetrics) -> Double {
    let total = terms.reduce(0) { $0 + $1.weight }
    return terms.reduce(0) { $0 + $1.weight * $1.metric.score(m) } / total
  }

  public var description: String {
    if terms.count == 1 { return terms[0].metric == .ece ? "1 − ECE" : terms[0].metric.rawValue }
    return terms.map { "\($0.weight)·\($0.metric == .ece ? "(1 − ECE)" : $0.metric.rawValue)" }.joined(separator: " + ")
  }

  /// The form `--metric` takes.
  public var argument: String {
    terms.count == 1 ? terms[0].metric.rawValue : terms.map { "\($0.metric.rawValue)=\($0.weight)" }.joined(separator: ",")
  }
}
