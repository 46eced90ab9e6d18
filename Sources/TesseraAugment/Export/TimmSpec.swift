/// A timm augmentation config string (`timm/data/auto_augment.py`), parsed: `rand-m9-n2-mstd0.5-inc1`,
/// `augmix-m3-w3`, `original-mstd0.5`, `v0`.
///
/// Sections are split on `-`; each is a key followed by a number (timm's `re.split(r'(\d.*)', section)`).
/// Unlike timm, unknown or malformed sections are errors rather than assertions or silently skipped.
/// `description` writes the canonical form: sections in a fixed order, only those that were given.
public struct TimmSpec: Sendable, Hashable, CustomStringConvertible {
  public enum Family: Sendable, Hashable {
    /// `rand-…`: RandAugment.
    case rand
    /// `augmix-…`: AugMix.
    case augMix
    /// `original`, `originalr`, `v0`, `v0r`: a named AutoAugment table.
    case autoAugment(String)
  }

  public var family: Family
  /// `m`: magnitude (rand, default 10) or severity (augmix, default 3).
  public var magnitude: Int?
  /// `n`: ops per image (rand, default 2).
  public var numLayers: Int?
  /// `p`: probability of each op (rand, default 0.5).
  public var probability: Double?
  /// `mstd`: standard deviation of Gaussian noise on the magnitude; above 100 means uniform in [0, m].
  public var magnitudeStd: Double?
  /// `mmax`: upper clamp of the magnitude (default 10).
  public var magnitudeMax: Int?
  /// `inc1`: the "increasing" op variants.
  public var increasing: Bool?
  /// `t<name>`: a named op set (`weights`, `3a`, `3aw`).
  public var transforms: String?
  /// `w`, `d`, `a`, `b` (augmix): chains, depth (−1: 1…3), Dirichlet α, blended mode.
  public var width: Int?
  public var depth: Int?
  public var alpha: Double?
  public var blended: Bool?

  public init(family: Family) { self.family = family }

  /// The AutoAugment table names timm knows.
  public static let autoAugmentNames = ["original", "originalr", "v0", "v0r"]

  /// Parses a timm string.
  /// - Throws: `PolicyImportError` naming the bad section.
  public static func parse(_ text: String) throws(PolicyImportError) -> TimmSpec {
    let sections = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
    guard let head = sections.first, !head.isEmpty else {
      throw PolicyImportError(spec: text, token: text, message: "empty spec")
    }
    var spec: TimmSpec
    let allowed: [String]
    switch head {
    case "rand":
      spec = TimmSpec(family: .rand)
      allowed = ["m", "n", "p", "mstd", "mmax", "inc", "t"]
    case "augmix":
      spec = TimmSpec(family: .augMix)
      allowed = ["m", "w", "d", "a", "b", "mstd"]
    case _ where autoAugmentNames.contains(head):
      spec = TimmSpec(family: .autoAugment(head))
      allowed = ["mstd"]
    default:
      throw PolicyImportError(
        spec: text, token: head,
        message: "unknown timm augmentation '\(head)' (known: rand, augmix, \(autoAugmentNames.joined(separator: ", ")))")
    }
    var seen: Set<String> = []
    for section in sections.dropFirst() {
      func fail(_ message: String) -> PolicyImportError {
        PolicyImportError(spec: text, token: section, message: message)
      }
      if section.isEmpty { throw fail("empty section (two dashes in a row or a trailing dash)") }
      let key: String, value: String
      if allowed.contains("t"), section.hasPrefix("t") {
        key = "t"
        value = String(section.dropFirst())
      } else {
        guard let digit = section.firstIndex(where: { $0.isNumber }) else {
          throw fail("section has no number (expected one of \(allowed.map { "\($0)<number>" }.joined(separator: ", ")))")
        }
        key = String(section[..<digit])
        value = String(section[digit...])
      }
      guard allowed.contains(key) else {
        throw fail("unknown section '\(key)' for \(head) (known: \(allowed.joined(separator: ", ")))")
      }
      guard seen.insert(key).inserted else { throw fail("'\(key)' is given twice") }
      func int() throws(PolicyImportError) -> Int {
        guard let v = Int(value) else { throw fail("'\(value)' is not a whole number") }
        return v
      }
      func double() throws(PolicyImportError) -> Double {
        guard let v = Double(value), v.isFinite else { throw fail("'\(value)' is not a number") }
        return v
      }
      func flag() throws(PolicyImportError) -> Bool {
        guard value == "0" || value == "1" else { throw fail("'\(value)' must be 0 or 1") }
        return value == "1"
      }
      switch key {
      case "m":
        spec.magnitude = try int()
        guard spec.magnitude! >= 0 else { throw fail("magnitude must not be negative") }
      case "n":
        spec.numLayers = try int()
        guard (0...64).contains(spec.numLayers!) else { throw fail("n must be in 0…64") }
      case "p":
        spec.probability = try double()
        guard (0...1).contains(spec.probability!) else { throw fail("p must be in [0, 1]") }
      case "mstd":
        spec.magnitudeStd = try double()
        guard spec.magnitudeStd! >= 0 else { throw fail("mstd must not be negative") }
      case "mmax": spec.magnitudeMax = try int()
      case "inc": spec.increasing = try flag()
      case "t":
        guard !value.isEmpty else { throw fail("t needs an op-set name (weights, 3a, 3aw)") }
        spec.transforms = value
      case "w":
        spec.width = try int()
        guard (1...64).contains(spec.width!) else { throw fail("w must be in 1…64") }
      case "d":
        spec.depth = try int()
        guard (1...64).contains(spec.depth!) else { throw fail("d must be in 1…64 (leave it out for 1…3 at random)") }
      case "a":
        spec.alpha = try double()
        guard spec.alpha! > 0 else { throw fail("a (alpha) must be positive") }
      case "b": spec.blended = try flag()
      default: break
      }
    }
    return spec
  }

  public var description: String {
    var parts: [String]
    func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(v) }
    switch family {
    case .rand:
      parts = ["rand"]
      if let magnitude { parts.append("m\(magnitude)") }
      if let numLayers { parts.append("n\(numLayers)") }
      if let probability { parts.append("p\(number(probability))") }
      if let magnitudeStd { parts.append("mstd\(number(magnitudeStd))") }
      if let magnitudeMax { parts.append("mmax\(magnitudeMax)") }
      if let increasing { parts.append("inc\(increasing ? 1 : 0)") }
      if let transforms { parts.append("t\(transforms)") }
    case .augMix:
      parts = ["augmix"]
      if let magnitude { parts.append("m\(magnitude)") }
      if let width { parts.append("w\(width)") }
      if let depth { parts.append("d\(depth)") }
      if let alpha { parts.append("a\(number(alpha))") }
      if let blended { parts.append("b\(blended ? 1 : 0)") }
      if let magnitudeStd { parts.append("mstd\(number(magnitudeStd))") }
    case let .autoAugment(name):
      parts = [name]
      if let magnitudeStd { parts.append("mstd\(number(magnitudeStd))") }
    }
    return parts.joined(separator: "-")
  }
}
