import Foundation
import TesseraAugment

/// What one trial trains with: a per-image policy, a per-batch mixer, both, or neither
/// (no augmentation). Stored in the ledger as JSON in the policy-file form.
public struct Candidate: Sendable, Hashable, Codable {
  /// Short human-readable label for tables and plots.
  public var name: String
  public var policy: Policy?
  public var mixer: BatchMixer?

  public init(name: String, policy: Policy? = nil, mixer: BatchMixer? = nil) {
    self.name = name
    self.policy = policy
    self.mixer = mixer
  }

  /// The candidate as canonical JSON (sorted keys), for the ledger.
  public func json() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  public static func decode(json: String) throws -> Candidate {
    try JSONDecoder().decode(Candidate.self, from: Data(json.utf8))
  }
}
