/// `{"interpolation": "nearest" | "bilinear", "fill": [v] | [r, g, b] | [r, g, b, a]}`.
extension Geometry: Codable {
  private enum CodingKeys: String, CodingKey, CaseIterable { case interpolation, fill }

  public init(from decoder: any Decoder) throws {
    try decoder.rejectUnknownFields(Set(CodingKeys.allCases.map(\.rawValue)))
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let raw = try c.decodeIfPresent(String.self, forKey: .interpolation) ?? "nearest"
    guard let interpolation = Interpolation(rawValue: raw) else {
      throw c.invalid(.interpolation, "unknown interpolation '\(raw)' (known: nearest, bilinear)")
    }
    let fillValues = try c.decodeIfPresent([Int].self, forKey: .fill) ?? [0]
    guard [1, 3, 4].contains(fillValues.count) else {
      throw c.invalid(.fill, "needs 1, 3 or 4 values, found \(fillValues.count)")
    }
    guard fillValues.allSatisfy({ (0...255).contains($0) }) else {
      throw c.invalid(.fill, "values must be in 0…255")
    }
    self.init(interpolation: interpolation, fill: fillValues.map { UInt8($0) })
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(interpolation, forKey: .interpolation)
    try c.encode(fill.map { Int($0) }, forKey: .fill)
  }
}
