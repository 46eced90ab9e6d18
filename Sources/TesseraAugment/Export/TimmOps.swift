/// timm's level → argument functions (`LEVEL_TO_ARG` in `timm/data/auto_augment.py`), in Tessera's terms, so
/// that importers and exporters can say exactly where timm and a Tessera convention disagree.
enum TimmOps {
  /// timm op names of RandAugment (`_RAND_TRANSFORMS`, `_RAND_INCREASING_TRANSFORMS`) and AugMix
  /// (`_AUGMIX_TRANSFORMS`), in timm's order.
  static let rand = ["AutoContrast", "Equalize", "Invert", "Rotate", "Posterize", "Solarize", "SolarizeAdd", "Color",
                     "Contrast", "Brightness", "Sharpness", "ShearX", "ShearY", "TranslateXRel", "TranslateYRel"]
  static let randIncreasing = ["AutoContrast", "Equalize", "Invert", "Rotate", "PosterizeIncreasing",
                               "SolarizeIncreasing", "SolarizeAdd", "ColorIncreasing", "ContrastIncreasing",
                               "BrightnessIncreasing", "SharpnessIncreasing", "ShearX", "ShearY", "TranslateXRel",
                               "TranslateYRel"]
  static let augMix = ["AutoContrast", "ColorIncreasing", "ContrastIncreasing", "BrightnessIncreasing",
                       "SharpnessIncreasing", "Equalize", "Rotate", "PosterizeIncreasing", "SolarizeIncreasing",
                       "ShearX", "ShearY", "TranslateXRel", "TranslateYRel"]

  /// The Tessera op a timm op name is a variant of.
  static func opName(_ timmName: String) -> OpName? {
    for suffix in ["Increasing", "Original", "Rel"] where timmName.hasSuffix(suffix) {
      return OpName(rawValue: String(timmName.dropLast(suffix.count)))
    }
    return OpName(rawValue: timmName)
  }

  /// timm's fill when no `img_mean` hparam is given (`_FILL`).
  static let fill: [UInt8] = [128, 128, 128]
  /// timm's relative translate at level 10 (`translate_pct`), as a fraction of the image size.
  static let translatePercent = 0.45

  /// The values timm's op can take at `level` on a `size`-pixel image: one value, or ± a value when timm negates
  /// it at random. Enhance ops give factors (1 = unchanged), Posterize bits kept, Solarize thresholds.
  static func arguments(_ timmName: String, level: Double, size: Int) -> ArgumentSet {
    let l = level / 10
    switch timmName {
    case "Rotate": return .symmetric(l * 30)
    case "ShearX", "ShearY": return .symmetric(l * 0.3)
    case "TranslateX", "TranslateY": return .symmetric(l * 250)
    case "TranslateXRel", "TranslateYRel": return .symmetric(l * translatePercent * Double(size))
    case "Posterize": return .fixed(Double(Int(l * 4)))
    case "PosterizeIncreasing": return .fixed(Double(4 - Int(l * 4)))
    case "PosterizeOriginal": return .fixed(Double(Int(l * 4) + 4))
    case "Solarize": return .fixed(Double(Int(l * 256)))
    case "SolarizeIncreasing": return .fixed(Double(256 - Int(l * 256)))
    case "SolarizeAdd": return .fixed(Double(Int(l * 110)))
    case "Color", "Contrast", "Brightness", "Sharpness": return .fixed(l * 1.8 + 0.1)
    case "ColorIncreasing", "ContrastIncreasing", "BrightnessIncreasing", "SharpnessIncreasing":
      let v = l * 0.9
      return .either(max(0.1, 1 + v), max(0.1, 1 - v))
    default: return .none
    }
  }
}

/// What an op's argument can be for one magnitude: nothing, one value, or one of two (random sign).
enum ArgumentSet: Hashable, CustomStringConvertible {
  case none
  case fixed(Double)
  case either(Double, Double)

  static func symmetric(_ v: Double) -> ArgumentSet { v == 0 ? .fixed(0) : .either(v, -v) }

  /// Tessera's argument set for `op` at `magnitude` under `convention` (enhance ops as factors).
  static func tessera(_ op: OpName, magnitude: Double, convention: MagnitudeConvention,
                      target: MagnitudeConvention.Target) -> ArgumentSet {
    if op.isParameterless || op == .identity { return .none }
    let a = convention.argument(op, magnitude: magnitude, target: target)
    let enhance: Set<OpName> = [.contrast, .color, .brightness, .sharpness]
    if enhance.contains(op), case .torchvision = convention {
      return a == 0 ? .fixed(1) : .either(1 + a, 1 - a)
    }
    return convention.isSigned(op) ? .symmetric(a) : .fixed(a)
  }

  func isClose(to other: ArgumentSet, tolerance: Double = 1e-4) -> Bool {
    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= tolerance * max(1, abs(a), abs(b)) }
    switch (self, other) {
    case (.none, .none): return true
    case let (.fixed(a), .fixed(b)): return close(a, b)
    case let (.either(a, b), .either(c, d)): return (close(a, c) && close(b, d)) || (close(a, d) && close(b, c))
    default: return false
    }
  }

  var description: String {
    func f(_ v: Double) -> String {
      let r = (v * 1000).rounded() / 1000
      return r == r.rounded() ? String(Int(r)) : String(r)
    }
    switch self {
    case .none: return "no argument"
    case let .fixed(v): return f(v)
    case let .either(a, b):
      if abs(a + b) < 1e-9 { return "±" + f(abs(a)) }
      let mid = (a + b) / 2
      if abs(mid - 1) < 1e-9 { return "1 ± " + f(abs(a - 1)) }
      return "\(f(a)) or \(f(b))"
    }
  }
}
