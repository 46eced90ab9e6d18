/// Published AutoAugment tables that importers and exporters recognise by name.
///
/// torchvision's are transcribed from `torchvision.transforms.v2.AutoAugmentPolicy` (10-bin indices; the same
/// tables as `policies/autoaugment-*.json`, which a test checks). timm's are transcribed from
/// `timm/data/auto_augment.py` (`auto_augment_policy_original` / `_v0`; levels on timm's /10 scale) and keep
/// timm's op names, since its variants (`PosterizeOriginal`, `TranslateYRel`) have formulas of their own.
public enum PublishedPolicies {
  /// One entry of a timm AutoAugment table: timm op name, probability, level.
  public typealias TimmEntry = (op: String, p: Double, level: Double)

  /// The torchvision AutoAugmentPolicy names.
  public static let torchvisionNames = ["imagenet", "cifar10", "svhn"]

  /// torchvision's table for `imagenet`, `cifar10` or `svhn` (case-insensitive).
  public static func torchvision(_ name: String) -> [[PolicyOp]]? {
    switch name.lowercased() {
    case "imagenet": return torchvisionImageNet
    case "cifar10": return torchvisionCIFAR10
    case "svhn": return torchvisionSVHN
    default: return nil
    }
  }

  /// timm's table for `original`, `originalr`, `v0` or `v0r`; the `r` variants swap Posterize for
  /// PosterizeIncreasing, as timm's `auto_augment_policy_originalr` / `_v0r` do.
  public static func timm(_ name: String) -> [[TimmEntry]]? {
    func increasing(_ table: [[TimmEntry]]) -> [[TimmEntry]] {
      table.map { $0.map { $0.op.hasPrefix("Posterize") ? ("PosterizeIncreasing", $0.p, $0.level) : $0 } }
    }
    switch name {
    case "original": return timmOriginal
    case "originalr": return increasing(timmOriginal)
    case "v0": return timmV0
    case "v0r": return increasing(timmV0)
    default: return nil
    }
  }

  private static func e(_ op: OpName, _ p: Double, _ m: Double? = nil) -> PolicyOp {
    PolicyOp(op, probability: p, magnitude: m)
  }

  static let torchvisionImageNet: [[PolicyOp]] = [
    [e(.posterize, 0.4, 8), e(.rotate, 0.6, 9)],
    [e(.solarize, 0.6, 5), e(.autoContrast, 0.6)],
    [e(.equalize, 0.8), e(.equalize, 0.6)],
    [e(.posterize, 0.6, 7), e(.posterize, 0.6, 6)],
    [e(.equalize, 0.4), e(.solarize, 0.2, 4)],
    [e(.equalize, 0.4), e(.rotate, 0.8, 8)],
    [e(.solarize, 0.6, 3), e(.equalize, 0.6)],
    [e(.posterize, 0.8, 5), e(.equalize, 1)],
    [e(.rotate, 0.2, 3), e(.solarize, 0.6, 8)],
    [e(.equalize, 0.6), e(.posterize, 0.4, 6)],
    [e(.rotate, 0.8, 8), e(.color, 0.4, 0)],
    [e(.rotate, 0.4, 9), e(.equalize, 0.6)],
    [e(.equalize, 0), e(.equalize, 0.8)],
    [e(.invert, 0.6), e(.equalize, 1)],
    [e(.color, 0.6, 4), e(.contrast, 1, 8)],
    [e(.rotate, 0.8, 8), e(.color, 1, 2)],
    [e(.color, 0.8, 8), e(.solarize, 0.8, 7)],
    [e(.sharpness, 0.4, 7), e(.invert, 0.6)],
    [e(.shearX, 0.6, 5), e(.equalize, 1)],
    [e(.color, 0.4, 0), e(.equalize, 0.6)],
    [e(.equalize, 0.4), e(.solarize, 0.2, 4)],
    [e(.solarize, 0.6, 5), e(.autoContrast, 0.6)],
    [e(.invert, 0.6), e(.equalize, 1)],
    [e(.color, 0.6, 4), e(.contrast, 1, 8)],
    [e(.equalize, 0.8), e(.equalize, 0.6)],
  ]

  static let torchvisionCIFAR10: [[PolicyOp]] = [
    [e(.invert, 0.1), e(.contrast, 0.2, 6)],
    [e(.rotate, 0.7, 2), e(.translateX, 0.3, 9)],
    [e(.sharpness, 0.8, 1), e(.sharpness, 0.9, 3)],
    [e(.shearY, 0.5, 8), e(.translateY, 0.7, 9)],
    [e(.autoContrast, 0.5), e(.equalize, 0.9)],
    [e(.shearY, 0.2, 7), e(.posterize, 0.3, 7)],
    [e(.color, 0.4, 3), e(.brightness, 0.6, 7)],
    [e(.sharpness, 0.3, 9), e(.brightness, 0.7, 9)],
    [e(.equalize, 0.6), e(.equalize, 0.5)],
    [e(.contrast, 0.6, 7), e(.sharpness, 0.6, 5)],
    [e(.color, 0.7, 7), e(.translateX, 0.5, 8)],
    [e(.equalize, 0.3), e(.autoContrast, 0.4)],
    [e(.translateY, 0.4, 3), e(.sharpness, 0.2, 6)],
    [e(.brightness, 0.9, 6), e(.color, 0.2, 8)],
    [e(.solarize, 0.5, 2), e(.invert, 0)],
    [e(.equalize, 0.2), e(.autoContrast, 0.6)],
    [e(.equalize, 0.2), e(.equalize, 0.6)],
    [e(.color, 0.9, 9), e(.equalize, 0.6)],
    [e(.autoContrast, 0.8), e(.solarize, 0.2, 8)],
    [e(.brightness, 0.1, 3), e(.color, 0.7, 0)],
    [e(.solarize, 0.4, 5), e(.autoContrast, 0.9)],
    [e(.translateY, 0.9, 9), e(.translateY, 0.7, 9)],
    [e(.autoContrast, 0.9), e(.solarize, 0.8, 3)],
    [e(.equalize, 0.8), e(.invert, 0.1)],
    [e(.translateY, 0.7, 9), e(.autoContrast, 0.9)],
  ]

  static let torchvisionSVHN: [[PolicyOp]] = [
    [e(.shearX, 0.9, 4), e(.invert, 0.2)],
    [e(.shearY, 0.9, 8), e(.invert, 0.7)],
    [e(.equalize, 0.6), e(.solarize, 0.6, 6)],
    [e(.invert, 0.9), e(.equalize, 0.6)],
    [e(.equalize, 0.6), e(.rotate, 0.9, 3)],
    [e(.shearX, 0.9, 4), e(.autoContrast, 0.8)],
    [e(.shearY, 0.9, 8), e(.invert, 0.4)],
    [e(.shearY, 0.9, 5), e(.solarize, 0.2, 6)],
    [e(.invert, 0.9), e(.autoContrast, 0.8)],
    [e(.equalize, 0.6), e(.rotate, 0.9, 3)],
    [e(.shearX, 0.9, 4), e(.solarize, 0.3, 3)],
    [e(.shearY, 0.8, 8), e(.invert, 0.7)],
    [e(.equalize, 0.9), e(.translateY, 0.6, 6)],
    [e(.invert, 0.9), e(.equalize, 0.6)],
    [e(.contrast, 0.3, 3), e(.rotate, 0.8, 4)],
    [e(.invert, 0.8), e(.translateY, 0, 2)],
    [e(.shearY, 0.7, 6), e(.solarize, 0.4, 8)],
    [e(.invert, 0.6), e(.rotate, 0.8, 4)],
    [e(.shearY, 0.3, 7), e(.translateX, 0.9, 3)],
    [e(.shearX, 0.1, 6), e(.invert, 0.6)],
    [e(.solarize, 0.7, 2), e(.translateY, 0.6, 7)],
    [e(.shearY, 0.8, 4), e(.invert, 0.8)],
    [e(.shearX, 0.7, 9), e(.translateY, 0.8, 3)],
    [e(.shearY, 0.8, 5), e(.autoContrast, 0.7)],
    [e(.shearX, 0.7, 2), e(.invert, 0.1)],
  ]

  static let timmOriginal: [[TimmEntry]] = [
    [("PosterizeOriginal", 0.4, 8), ("Rotate", 0.6, 9)],
    [("Solarize", 0.6, 5), ("AutoContrast", 0.6, 5)],
    [("Equalize", 0.8, 8), ("Equalize", 0.6, 3)],
    [("PosterizeOriginal", 0.6, 7), ("PosterizeOriginal", 0.6, 6)],
    [("Equalize", 0.4, 7), ("Solarize", 0.2, 4)],
    [("Equalize", 0.4, 4), ("Rotate", 0.8, 8)],
    [("Solarize", 0.6, 3), ("Equalize", 0.6, 7)],
    [("PosterizeOriginal", 0.8, 5), ("Equalize", 1.0, 2)],
    [("Rotate", 0.2, 3), ("Solarize", 0.6, 8)],
    [("Equalize", 0.6, 8), ("PosterizeOriginal", 0.4, 6)],
    [("Rotate", 0.8, 8), ("Color", 0.4, 0)],
    [("Rotate", 0.4, 9), ("Equalize", 0.6, 2)],
    [("Equalize", 0.0, 7), ("Equalize", 0.8, 8)],
    [("Invert", 0.6, 4), ("Equalize", 1.0, 8)],
    [("Color", 0.6, 4), ("Contrast", 1.0, 8)],
    [("Rotate", 0.8, 8), ("Color", 1.0, 2)],
    [("Color", 0.8, 8), ("Solarize", 0.8, 7)],
    [("Sharpness", 0.4, 7), ("Invert", 0.6, 8)],
    [("ShearX", 0.6, 5), ("Equalize", 1.0, 9)],
    [("Color", 0.4, 0), ("Equalize", 0.6, 3)],
    [("Equalize", 0.4, 7), ("Solarize", 0.2, 4)],
    [("Solarize", 0.6, 5), ("AutoContrast", 0.6, 5)],
    [("Invert", 0.6, 4), ("Equalize", 1.0, 8)],
    [("Color", 0.6, 4), ("Contrast", 1.0, 8)],
    [("Equalize", 0.8, 8), ("Equalize", 0.6, 3)],
  ]

  static let timmV0: [[TimmEntry]] = [
    [("Equalize", 0.8, 1), ("ShearY", 0.8, 4)],
    [("Color", 0.4, 9), ("Equalize", 0.6, 3)],
    [("Color", 0.4, 1), ("Rotate", 0.6, 8)],
    [("Solarize", 0.8, 3), ("Equalize", 0.4, 7)],
    [("Solarize", 0.4, 2), ("Solarize", 0.6, 2)],
    [("Color", 0.2, 0), ("Equalize", 0.8, 8)],
    [("Equalize", 0.4, 8), ("SolarizeAdd", 0.8, 3)],
    [("ShearX", 0.2, 9), ("Rotate", 0.6, 8)],
    [("Color", 0.6, 1), ("Equalize", 1.0, 2)],
    [("Invert", 0.4, 9), ("Rotate", 0.6, 0)],
    [("Equalize", 1.0, 9), ("ShearY", 0.6, 3)],
    [("Color", 0.4, 7), ("Equalize", 0.6, 0)],
    [("Posterize", 0.4, 6), ("AutoContrast", 0.4, 7)],
    [("Solarize", 0.6, 8), ("Color", 0.6, 9)],
    [("Solarize", 0.2, 4), ("Rotate", 0.8, 9)],
    [("Rotate", 1.0, 7), ("TranslateYRel", 0.8, 9)],
    [("ShearX", 0.0, 0), ("Solarize", 0.8, 4)],
    [("ShearY", 0.8, 0), ("Color", 0.6, 4)],
    [("Color", 1.0, 0), ("Rotate", 0.6, 2)],
    [("Equalize", 0.8, 4), ("Equalize", 0.0, 8)],
    [("Equalize", 1.0, 4), ("AutoContrast", 0.6, 2)],
    [("ShearY", 0.4, 7), ("SolarizeAdd", 0.6, 7)],
    [("Posterize", 0.8, 2), ("Solarize", 0.6, 10)],
    [("Solarize", 0.6, 8), ("Equalize", 0.6, 1)],
    [("Color", 0.8, 6), ("Rotate", 0.4, 5)],
  ]
}
