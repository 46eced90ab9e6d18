/// The `"policy"` object. Its `"kind"` picks the remaining fields (docs/POLICY.md).
extension Policy: Codable {
  private enum CodingKeys: String, CodingKey {
    case kind, magnitude, geometry, subPolicies, numOps, level, p, ops, severity, width, depth, alpha, root
  }

  private static let fields: [String: Set<String>] = [
    "autoaugment": ["kind", "magnitude", "geometry", "subPolicies"],
    "randaugment": ["kind", "magnitude", "geometry", "numOps", "level", "p", "ops"],
    "trivialaugment": ["kind", "magnitude", "geometry", "ops"],
    "augmix": ["kind", "magnitude", "geometry", "severity", "width", "depth", "alpha", "ops"],
    "uniformaugment": ["kind", "magnitude", "geometry", "numOps", "ops"],
    "pipeline": ["kind", "geometry", "root"],
  ]

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let kind = try c.decode(String.self, forKey: .kind)
    guard let allowed = Policy.fields[kind] else {
      throw c.invalid(.kind, "unknown kind '\(kind)' (known: \(Policy.fields.keys.sorted().joined(separator: ", ")))")
    }
    try decoder.rejectUnknownFields(allowed)
    let geometry = try c.decodeIfPresent(Geometry.self, forKey: .geometry) ?? .pillowDefault
    if kind == "pipeline" {
      self = .pipeline(PipelinePolicy(geometry: geometry, root: try c.decode(PipelineNode.self, forKey: .root)))
      return
    }
    let magnitude = try c.decode(MagnitudeConvention.self, forKey: .magnitude)

    func ops() throws -> [OpName] {
      let entries = try c.decode([OpNameEntry].self, forKey: .ops)
      guard !entries.isEmpty else { throw c.invalid(.ops, "must list at least one op") }
      return entries.map(\.op)
    }
    func level(_ key: CodingKeys) throws -> Double {
      let m = try c.decode(Double.self, forKey: key)
      if let problem = magnitude.problem(with: m) { throw c.invalid(key, problem) }
      return m
    }

    switch kind {
    case "autoaugment":
      let raw = try c.decode([[RawPolicyOp]].self, forKey: .subPolicies)
      guard !raw.isEmpty else { throw c.invalid(.subPolicies, "must hold at least one sub-policy") }
      let subPolicies = try raw.map { try $0.map { try $0.validated(for: magnitude) } }
      self = .autoAugment(AutoAugmentPolicy(magnitude: magnitude, geometry: geometry, subPolicies: subPolicies))
    case "randaugment":
      self = .randAugment(RandAugmentPolicy(
        magnitude: magnitude, geometry: geometry, numOps: try c.decodeInt(.numOps, in: 0...64),
        level: try level(.level), probability: try c.decodeProbability(.p), ops: try ops()))
    case "trivialaugment":
      self = .trivialAugment(TrivialAugmentPolicy(magnitude: magnitude, geometry: geometry, ops: try ops()))
    case "augmix":
      let maxSeverity = Int(magnitude.maxMagnitude) + (magnitude.requiresIntegerMagnitude ? 1 : 0)
      let alpha = try c.decode(Double.self, forKey: .alpha)
      guard alpha > 0 && alpha.isFinite else { throw c.invalid(.alpha, "must be a positive number") }
      self = .augMix(AugMixPolicy(
        magnitude: magnitude, geometry: geometry, severity: try c.decodeInt(.severity, in: 1...maxSeverity),
        width: try c.decodeInt(.width, in: 1...64), depth: try c.decodeInt(.depth, in: -1...64),
        alpha: alpha, ops: try ops()))
    default:  // uniformaugment
      self = .uniformAugment(UniformAugmentPolicy(
        magnitude: magnitude, geometry: geometry, numOps: try c.decodeInt(.numOps, in: 0...64), ops: try ops()))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(kind, forKey: .kind)
    switch self {
    case let .autoAugment(p):
      try c.encode(p.magnitude, forKey: .magnitude)
      try c.encode(p.geometry, forKey: .geometry)
      try c.encode(p.subPolicies.map { $0.map(RawPolicyOp.init) }, forKey: .subPolicies)
    case let .randAugment(p):
      try c.encode(p.magnitude, forKey: .magnitude)
      try c.encode(p.geometry, forKey: .geometry)
      try c.encode(p.numOps, forKey: .numOps)
      try c.encode(p.level, forKey: .level)
      try c.encode(p.probability, forKey: .p)
      try c.encode(p.ops, forKey: .ops)
    case let .trivialAugment(p):
      try c.encode(p.magnitude, forKey: .magnitude)
      try c.encode(p.geometry, forKey: .geometry)
      try c.encode(p.ops, forKey: .ops)
    case let .augMix(p):
      try c.encode(p.magnitude, forKey: .magnitude)
      try c.encode(p.geometry, forKey: .geometry)
      try c.encode(p.severity, forKey: .severity)
      try c.encode(p.width, forKey: .width)
      try c.encode(p.depth, forKey: .depth)
      try c.encode(p.alpha, forKey: .alpha)
      try c.encode(p.ops, forKey: .ops)
    case let .uniformAugment(p):
      try c.encode(p.magnitude, forKey: .magnitude)
      try c.encode(p.geometry, forKey: .geometry)
      try c.encode(p.numOps, forKey: .numOps)
      try c.encode(p.ops, forKey: .ops)
    case let .pipeline(p):
      try c.encode(p.geometry, forKey: .geometry)
      try c.encode(p.root, forKey: .root)
    }
  }
}

/// An op name in an `ops` list; validated where it is decoded, so errors carry its index.
private struct OpNameEntry: Decodable {
  var op: OpName
  init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    let raw = try c.decode(String.self)
    let path = PolicyFileError.format(decoder.codingPath)
    guard let op = OpName(rawValue: raw) else {
      throw PolicyFileError(path: path, message: "unknown op '\(raw)'")
    }
    guard op.takesMagnitude else {
      throw PolicyFileError(path: path, message: "\(raw) has no magnitude; use it in a pipeline policy instead")
    }
    self.op = op
  }
}

/// `{"op": "Contrast", "p": 0.2, "magnitude": 6}` as read, before the magnitude is checked against the convention.
private struct RawPolicyOp: Codable {
  var op: OpName
  var p: Double
  var magnitude: Double?
  var path: String = ""

  private enum CodingKeys: String, CodingKey, CaseIterable { case op, p, magnitude }

  init(_ entry: PolicyOp) {
    op = entry.op
    p = entry.probability
    magnitude = entry.magnitude
  }

  init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownFields(Set(CodingKeys.allCases.map(\.rawValue)))
    let c = try decoder.container(keyedBy: CodingKeys.self)
    op = try c.decodeOpName(.op)
    guard op.takesMagnitude else { throw c.invalid(.op, "\(op.rawValue) cannot appear in an AutoAugment policy") }
    p = try c.decodeProbability(.p, default: .nan)
    guard !p.isNaN else { throw c.invalid(.p, "missing required field") }
    magnitude = try c.decodeIfPresent(Double.self, forKey: .magnitude)
    path = PolicyFileError.format(decoder.codingPath)
  }

  func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(op, forKey: .op)
    try c.encode(p, forKey: .p)
    try c.encodeIfPresent(magnitude, forKey: .magnitude)
  }

  func validated(for convention: MagnitudeConvention) throws -> PolicyOp {
    if let magnitude {
      if let problem = convention.problem(with: magnitude) {
        throw PolicyFileError(path: path + ".magnitude", message: problem)
      }
    } else if !op.isParameterless {
      throw PolicyFileError(path: path + ".magnitude", message: "\(op.rawValue) needs a magnitude")
    }
    return PolicyOp(op, probability: p, magnitude: magnitude)
  }
}
