/// The name of every single-image op, spelled as in the AutoAugment papers and torchvision.
///
/// These strings are the `"op"` values of policy files (docs/POLICY.md); keep them stable.
public enum OpName: String, CaseIterable, Sendable, Hashable, Codable {
  case identity = "Identity"
  case shearX = "ShearX"
  case shearY = "ShearY"
  case translateX = "TranslateX"
  case translateY = "TranslateY"
  case rotate = "Rotate"
  case autoContrast = "AutoContrast"
  case invert = "Invert"
  case equalize = "Equalize"
  case solarize = "Solarize"
  case solarizeAdd = "SolarizeAdd"
  case posterize = "Posterize"
  case contrast = "Contrast"
  case color = "Color"
  case brightness = "Brightness"
  case sharpness = "Sharpness"
  case cutout = "Cutout"
  case samplePairing = "SamplePairing"
  case flipHorizontal = "FlipHorizontal"
  case flipVertical = "FlipVertical"
  case padCrop = "PadCrop"
  case randomErasing = "RandomErasing"
  case resize = "Resize"

  /// Ops that magnitude-driven policies (AutoAugment, RandAugment, TrivialAugment, AugMix, UniformAugment)
  /// may name: the AutoAugment search space plus SolarizeAdd and Identity.
  public var takesMagnitude: Bool {
    switch self {
    case .flipHorizontal, .flipVertical, .padCrop, .randomErasing, .resize: return false
    default: return true
    }
  }

  /// Ops whose result does not depend on a magnitude (it is ignored when given).
  public var isParameterless: Bool {
    switch self {
    case .identity, .autoContrast, .invert, .equalize, .flipHorizontal, .flipVertical: return true
    default: return false
    }
  }

  /// torchvision's RandAugment / TrivialAugmentWide op list (14 ops, with Identity, without Invert).
  public static let torchvisionRandAugmentOps: [OpName] = [
    .identity, .shearX, .shearY, .translateX, .translateY, .rotate, .brightness, .color, .contrast,
    .sharpness, .posterize, .solarize, .autoContrast, .equalize,
  ]

  /// torchvision v2 AugMix's op list with `all_ops=True` (the original paper's 9 plus the 4 enhance ops).
  public static let augMixAllOps: [OpName] = [
    .autoContrast, .equalize, .posterize, .rotate, .solarize, .shearX, .shearY, .translateX, .translateY,
    .brightness, .color, .contrast, .sharpness,
  ]

  /// The 9 ops of the AugMix paper (enhance ops left out because they overlap ImageNet-C).
  public static let augMixPaperOps: [OpName] = Array(augMixAllOps.prefix(9))
}
