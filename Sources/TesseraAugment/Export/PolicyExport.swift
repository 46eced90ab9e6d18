/// A policy written for another library: the text to save and, in plain words, what that library cannot express.
public struct PolicyExport: Sendable, Hashable {
  public enum Fidelity: String, Sendable, Hashable, Codable {
    /// The target's own implementation of the same policy (e.g. torchvision's `RandAugment`); pixel math may
    /// still differ by rounding.
    case builtin
    /// The same sampling and op arguments, written with the target's ops.
    case equivalent
    /// The closest the target can say; `limitations` lists every difference.
    case approximate
  }

  public var target: ExportTarget
  /// The file contents (Python, a timm string plus newline, or JSON).
  public var text: String
  public var fidelity: Fidelity
  /// One sentence per thing the target cannot express or does differently. Also written into `text`.
  public var limitations: [String]

  public init(target: ExportTarget, text: String, fidelity: Fidelity, limitations: [String]) {
    self.target = target
    self.text = text
    self.fidelity = fidelity
    self.limitations = limitations
  }
}

/// No sensible export exists: names the policy, the target and why.
public struct PolicyExportError: Error, CustomStringConvertible, Sendable, Equatable {
  public var policy: String
  public var target: ExportTarget
  public var reason: String

  public init(policy: String, target: ExportTarget, reason: String) {
    self.policy = policy
    self.target = target
    self.reason = reason
  }

  public var description: String { "\(policy): cannot export to \(target.rawValue): \(reason)" }
}
