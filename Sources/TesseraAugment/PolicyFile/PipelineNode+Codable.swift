/// Pipeline nodes: `{"type": "sequence" | "oneOf" | "someOf", "p": 1, "children": [...]}` (oneOf may carry
/// `"weights"`, someOf a `"count"`), or an op step
/// `{"type": "op", "op": "Rotate", "p": 0.5, "range": [-15, 15]}` (see docs/POLICY.md for every op's argument).
extension PipelineNode: Codable {
  private enum CodingKeys: String, CodingKey { case type, p, children, weights, count }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let type = try c.decode(String.self, forKey: .type)
    if type == "op" {
      self = .op(try OpStep(from: decoder))
      return
    }
    let allowed: [String: Set<String>] = [
      "sequence": ["type", "p", "children"], "oneOf": ["type", "p", "children", "weights"],
      "someOf": ["type", "p", "children", "count"],
    ]
    guard let fields = allowed[type] else {
      throw c.invalid(.type, "unknown node type '\(type)' (known: sequence, oneOf, someOf, op)")
    }
    try decoder.rejectUnknownFields(fields)
    let p = try c.decodeProbability(.p)
    let children = try c.decode([PipelineNode].self, forKey: .children)
    switch type {
    case "sequence":
      self = .sequence(children, probability: p)
    case "oneOf":
      guard !children.isEmpty else { throw c.invalid(.children, "oneOf needs at least one child") }
      let weights = try c.decodeIfPresent([Double].self, forKey: .weights)
      if let weights {
        guard weights.count == children.count else {
          throw c.invalid(.weights, "needs one weight per child (\(children.count)), found \(weights.count)")
        }
        guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }), weights.reduce(0, +) > 0 else {
          throw c.invalid(.weights, "weights must be non-negative and not all zero")
        }
      }
      self = .oneOf(children, weights: weights, probability: p)
    default:
      self = .someOf(children, count: try c.decodeInt(.count, in: 0...children.count), probability: p)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    if case let .op(step) = self {
      try step.encode(to: encoder)
      return
    }
    var c = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case let .sequence(children, p):
      try c.encode("sequence", forKey: .type)
      try c.encode(p, forKey: .p)
      try c.encode(children, forKey: .children)
    case let .oneOf(children, weights, p):
      try c.encode("oneOf", forKey: .type)
      try c.encode(p, forKey: .p)
      try c.encode(children, forKey: .children)
      try c.encodeIfPresent(weights, forKey: .weights)
    case let .someOf(children, count, p):
      try c.encode("someOf", forKey: .type)
      try c.encode(p, forKey: .p)
      try c.encode(children, forKey: .children)
      try c.encode(count, forKey: .count)
    case .op: break
    }
  }
}

extension OpStep: Codable {
  private enum CodingKeys: String, CodingKey, CaseIterable {
    case type, op, p, value, range, randomSign, scale, ratio, width, height
  }

  /// The range of valid arguments for each op, in its own units.
  public static func validArguments(_ op: OpName) -> ClosedRange<Double>? {
    switch op {
    case .shearX, .shearY: return -10...10
    case .translateX, .translateY: return -100_000...100_000
    case .rotate: return -360...360
    case .solarize: return 0...256
    case .solarizeAdd: return -255...255
    case .posterize: return 0...8
    case .contrast, .color, .brightness, .sharpness: return 0...100
    case .cutout, .padCrop: return 0...100_000
    case .samplePairing: return 0...1
    default: return nil
    }
  }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownFields(Set(CodingKeys.allCases.map(\.rawValue)))
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let op = try c.decodeOpName(.op)
    let p = try c.decodeProbability(.p)
    let value = try c.decodeIfPresent(Double.self, forKey: .value)
    let rangeValues = try c.decodeIfPresent([Double].self, forKey: .range)
    func pair(_ values: [Double]?, _ key: CodingKeys) throws -> ClosedRange<Double>? {
      guard let values else { return nil }
      guard values.count == 2, values[0] <= values[1], values.allSatisfy(\.isFinite) else {
        throw c.invalid(key, "needs [low, high] with low ≤ high")
      }
      return values[0]...values[1]
    }
    let range = try pair(rangeValues, .range)
    if let valid = OpStep.validArguments(op) {
      if value == nil && range == nil {
        throw c.invalid(.value, "\(op.rawValue) needs a \"value\" or a \"range\"")
      }
      if value != nil && range != nil { throw c.invalid(.range, "give either \"value\" or \"range\", not both") }
      if let value, !valid.contains(value) {
        throw c.invalid(.value, "\(value) is outside \(valid.lowerBound.formatted)…\(valid.upperBound.formatted) for \(op.rawValue)")
      }
      if let range, !(valid.contains(range.lowerBound) && valid.contains(range.upperBound)) {
        throw c.invalid(.range, "[\(range.lowerBound), \(range.upperBound)] is outside \(valid.lowerBound.formatted)…\(valid.upperBound.formatted) for \(op.rawValue)")
      }
    } else if value != nil || range != nil {
      throw c.invalid(value != nil ? .value : .range, "\(op.rawValue) takes no argument")
    }
    let scale = try pair(try c.decodeIfPresent([Double].self, forKey: .scale), .scale)
    let ratio = try pair(try c.decodeIfPresent([Double].self, forKey: .ratio), .ratio)
    if op == .randomErasing {
      if let scale, !(scale.lowerBound > 0 && scale.upperBound <= 1) { throw c.invalid(.scale, "must lie in (0, 1]") }
      if let ratio, !(ratio.lowerBound > 0) { throw c.invalid(.ratio, "must be positive") }
    } else if scale != nil || ratio != nil {
      throw c.invalid(scale != nil ? .scale : .ratio, "only RandomErasing takes scale and ratio")
    }
    var width: Int?, height: Int?
    if op == .resize {
      width = try c.decodeInt(.width, in: 1...65_536)
      height = try c.decodeInt(.height, in: 1...65_536)
    } else if c.contains(.width) || c.contains(.height) {
      throw c.invalid(c.contains(.width) ? .width : .height, "only Resize takes a width and height")
    }
    self.init(op, probability: p, value: value, range: range,
              randomSign: try c.decodeIfPresent(Bool.self, forKey: .randomSign) ?? false,
              scale: scale, ratio: ratio, width: width, height: height)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode("op", forKey: .type)
    try c.encode(op, forKey: .op)
    try c.encode(probability, forKey: .p)
    try c.encodeIfPresent(value, forKey: .value)
    try c.encodeIfPresent(range.map { [$0.lowerBound, $0.upperBound] }, forKey: .range)
    if randomSign { try c.encode(true, forKey: .randomSign) }
    try c.encodeIfPresent(scale.map { [$0.lowerBound, $0.upperBound] }, forKey: .scale)
    try c.encodeIfPresent(ratio.map { [$0.lowerBound, $0.upperBound] }, forKey: .ratio)
    try c.encodeIfPresent(width, forKey: .width)
    try c.encodeIfPresent(height, forKey: .height)
  }
}
