/// `{"convention": "torchvision-bins", "bins": 10, "ranges": "standard"}`,
/// `{"convention": "tf-level", "translatePixels": 250, "cutoutPixels": 100}` or `{"convention": "aa-original"}`.
extension MagnitudeConvention: Codable {
  private enum CodingKeys: String, CodingKey { case convention, bins, ranges, translatePixels, cutoutPixels }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let name = try c.decode(String.self, forKey: .convention)
    switch name {
    case "torchvision-bins":
      try decoder.rejectUnknownFields(["convention", "bins", "ranges"])
      let bins = try c.decodeInt(.bins, in: 2...1000)
      let raw = try c.decodeIfPresent(String.self, forKey: .ranges) ?? "standard"
      guard let ranges = TorchvisionRanges(rawValue: raw) else {
        let known = TorchvisionRanges.allCases.map(\.rawValue).joined(separator: ", ")
        throw c.invalid(.ranges, "unknown ranges '\(raw)' (known: \(known))")
      }
      self = .torchvision(bins: bins, ranges: ranges)
    case "tf-level":
      try decoder.rejectUnknownFields(["convention", "translatePixels", "cutoutPixels"])
      let translate = try c.decodeIfPresent(Double.self, forKey: .translatePixels) ?? 250
      let cutout = try c.decodeIfPresent(Double.self, forKey: .cutoutPixels) ?? 100
      guard translate >= 0 else { throw c.invalid(.translatePixels, "must not be negative") }
      guard cutout >= 0 else { throw c.invalid(.cutoutPixels, "must not be negative") }
      self = .tfLevel(translatePixels: translate, cutoutPixels: cutout)
    case "aa-original":
      try decoder.rejectUnknownFields(["convention"])
      self = .aaOriginal
    default:
      throw c.invalid(.convention,
                      "unknown convention '\(name)' (known: torchvision-bins, tf-level, aa-original)")
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(identifier, forKey: .convention)
    switch self {
    case let .torchvision(bins, ranges):
      try c.encode(bins, forKey: .bins)
      try c.encode(ranges, forKey: .ranges)
    case let .tfLevel(translatePixels, cutoutPixels):
      try c.encode(translatePixels, forKey: .translatePixels)
      try c.encode(cutoutPixels, forKey: .cutoutPixels)
    case .aaOriginal: break
    }
  }
}

