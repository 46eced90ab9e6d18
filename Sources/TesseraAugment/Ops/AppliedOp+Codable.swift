/// Records are flat objects: `{"op": "Rotate", "value": -12.5, "interpolation": "nearest", "fill": [0]}`.
/// `value` carries the op's one number (factor, pixels, degrees, threshold, bits, alpha or addition).
extension AppliedOp: Codable {
  private enum CodingKeys: String, CodingKey {
    case op, value, threshold, interpolation, fill, box, partner, padding, x, y, width, height
    case originalWeight, chains
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .op)
    func geometry(_ g: Geometry) throws {
      try c.encode(g.interpolation, forKey: .interpolation)
      try c.encode(g.fill, forKey: .fill)
    }
    switch self {
    case .identity, .autoContrast, .invert, .equalize, .flipHorizontal, .flipVertical: break
    case let .shearX(v, g), let .shearY(v, g), let .translateX(v, g), let .translateY(v, g), let .rotate(v, g):
      try c.encode(v, forKey: .value)
      try geometry(g)
    case let .solarize(v), let .contrast(v), let .color(v), let .brightness(v), let .sharpness(v):
      try c.encode(v, forKey: .value)
    case let .solarizeAdd(addition, threshold):
      try c.encode(addition, forKey: .value)
      try c.encode(threshold, forKey: .threshold)
    case let .posterize(bits): try c.encode(bits, forKey: .value)
    case let .cutout(box, fill), let .erase(box, fill):
      try c.encode(box, forKey: .box)
      try c.encode(fill, forKey: .fill)
    case let .samplePairing(partner, alpha):
      try c.encode(partner, forKey: .partner)
      try c.encode(alpha, forKey: .value)
    case let .padCrop(padding, x, y, fill):
      try c.encode(padding, forKey: .padding)
      try c.encode(x, forKey: .x)
      try c.encode(y, forKey: .y)
      try c.encode(fill, forKey: .fill)
    case let .resize(width, height, interpolation):
      try c.encode(width, forKey: .width)
      try c.encode(height, forKey: .height)
      try c.encode(interpolation, forKey: .interpolation)
    case let .augMix(originalWeight, chains):
      try c.encode(originalWeight, forKey: .originalWeight)
      try c.encode(chains, forKey: .chains)
    }
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let name = try c.decode(String.self, forKey: .op)
    func geometry() throws -> Geometry {
      Geometry(interpolation: try c.decodeIfPresent(Interpolation.self, forKey: .interpolation) ?? .nearest,
               fill: try c.decodeIfPresent([UInt8].self, forKey: .fill) ?? [0])
    }
    func value() throws -> Double { try c.decode(Double.self, forKey: .value) }
    if name == "AugMix" {
      self = .augMix(originalWeight: try c.decode(Double.self, forKey: .originalWeight),
                     chains: try c.decode([WeightedChain].self, forKey: .chains))
      return
    }
    guard let op = OpName(rawValue: name) else {
      throw DecodingError.dataCorruptedError(forKey: .op, in: c, debugDescription: "unknown op '\(name)'")
    }
    switch op {
    case .identity: self = .identity
    case .shearX: self = .shearX(factor: try value(), geometry: try geometry())
    case .shearY: self = .shearY(factor: try value(), geometry: try geometry())
    case .translateX: self = .translateX(pixels: try value(), geometry: try geometry())
    case .translateY: self = .translateY(pixels: try value(), geometry: try geometry())
    case .rotate: self = .rotate(degrees: try value(), geometry: try geometry())
    case .autoContrast: self = .autoContrast
    case .invert: self = .invert
    case .equalize: self = .equalize
    case .solarize: self = .solarize(threshold: try value())
    case .solarizeAdd:
      self = .solarizeAdd(addition: try c.decode(Int.self, forKey: .value),
                          threshold: try c.decodeIfPresent(Int.self, forKey: .threshold) ?? 128)
    case .posterize: self = .posterize(bits: try c.decode(Int.self, forKey: .value))
    case .contrast: self = .contrast(factor: try value())
    case .color: self = .color(factor: try value())
    case .brightness: self = .brightness(factor: try value())
    case .sharpness: self = .sharpness(factor: try value())
    case .cutout:
      self = .cutout(box: try c.decode(Box.self, forKey: .box), fill: try c.decode([UInt8].self, forKey: .fill))
    case .randomErasing:
      self = .erase(box: try c.decode(Box.self, forKey: .box), fill: try c.decode([UInt8].self, forKey: .fill))
    case .samplePairing:
      self = .samplePairing(partner: try c.decode(Int.self, forKey: .partner), alpha: try value())
    case .flipHorizontal: self = .flipHorizontal
    case .flipVertical: self = .flipVertical
    case .padCrop:
      self = .padCrop(padding: try c.decode(Int.self, forKey: .padding), x: try c.decode(Int.self, forKey: .x),
                      y: try c.decode(Int.self, forKey: .y), fill: try c.decode([UInt8].self, forKey: .fill))
    case .resize:
      self = .resize(width: try c.decode(Int.self, forKey: .width), height: try c.decode(Int.self, forKey: .height),
                     interpolation: try c.decodeIfPresent(Interpolation.self, forKey: .interpolation) ?? .bilinear)
    }
  }
}
