import TesseraAugment

/// The baselines every search is compared with, under the same protocol (reference §2.1–2.2).
public enum Baselines {
  /// The AutoAugment CIFAR-10 policy of the paper's appendix as torchvision ports it
  /// (`AutoAugmentPolicy.CIFAR10`; 25 sub-policies of 2 ops, 10-bin magnitudes). Transcribed from
  /// policies/autoaugment-cifar10.json so the binary needs no file at run time.
  public static let autoAugmentCIFAR10 = AutoAugmentPolicy(
    magnitude: .torchvisionAutoAugment, geometry: .pillowDefault, subPolicies: autoAugmentCIFAR10Rows)

  static let autoAugmentCIFAR10Rows: [[PolicyOp]] = [
    [.init(.invert, probability: 0.1), .init(.contrast, probability: 0.2, magnitude: 6)],
    [.init(.rotate, probability: 0.7, magnitude: 2), .init(.translateX, probability: 0.3, magnitude: 9)],
    [.init(.sharpness, probability: 0.8, magnitude: 1), .init(.sharpness, probability: 0.9, magnitude: 3)],
    [.init(.shearY, probability: 0.5, magnitude: 8), .init(.translateY, probability: 0.7, magnitude: 9)],
    [.init(.autoContrast, probability: 0.5), .init(.equalize, probability: 0.9)],
    [.init(.shearY, probability: 0.2, magnitude: 7), .init(.posterize, probability: 0.3, magnitude: 7)],
    [.init(.color, probability: 0.4, magnitude: 3), .init(.brightness, probability: 0.6, magnitude: 7)],
    [.init(.sharpness, probability: 0.3, magnitude: 9), .init(.brightness, probability: 0.7, magnitude: 9)],
    [.init(.equalize, probability: 0.6), .init(.equalize, probability: 0.5)],
    [.init(.contrast, probability: 0.6, magnitude: 7), .init(.sharpness, probability: 0.6, magnitude: 5)],
    [.init(.color, probability: 0.7, magnitude: 7), .init(.translateX, probability: 0.5, magnitude: 8)],
    [.init(.equalize, probability: 0.3), .init(.autoContrast, probability: 0.4)],
    [.init(.translateY, probability: 0.4, magnitude: 3), .init(.sharpness, probability: 0.2, magnitude: 6)],
    [.init(.brightness, probability: 0.9, magnitude: 6), .init(.color, probability: 0.2, magnitude: 8)],
    [.init(.solarize, probability: 0.5, magnitude: 2), .init(.invert, probability: 0)],
    [.init(.equalize, probability: 0.2), .init(.autoContrast, probability: 0.6)],
    [.init(.equalize, probability: 0.2), .init(.equalize, probability: 0.6)],
    [.init(.color, probability: 0.9, magnitude: 9), .init(.equalize, probability: 0.6)],
    [.init(.autoContrast, probability: 0.8), .init(.solarize, probability: 0.2, magnitude: 8)],
    [.init(.brightness, probability: 0.1, magnitude: 3), .init(.color, probability: 0.7, magnitude: 0)],
    [.init(.solarize, probability: 0.4, magnitude: 5), .init(.autoContrast, probability: 0.9)],
    [.init(.translateY, probability: 0.9, magnitude: 9), .init(.translateY, probability: 0.7, magnitude: 9)],
    [.init(.autoContrast, probability: 0.9), .init(.solarize, probability: 0.8, magnitude: 3)],
    [.init(.equalize, probability: 0.8), .init(.invert, probability: 0.1)],
    [.init(.translateY, probability: 0.7, magnitude: 9), .init(.autoContrast, probability: 0.9)],
  ]

  /// No augmentation at all.
  public static let none = Candidate(name: "no augmentation")
  /// torchvision TrivialAugmentWide (31 bins, wide ranges, 14 ops).
  public static let trivialAugmentWide = Candidate(
    name: "TrivialAugmentWide", policy: .trivialAugment(TrivialAugmentPolicy()))
  /// torchvision RandAugment defaults: N = 2, M = 9 of 31 bins.
  public static let randAugmentDefault = Candidate(
    name: "RandAugment(2, 9)", policy: .randAugment(RandAugmentPolicy()))
  /// The published AutoAugment CIFAR-10 policy.
  public static let autoAugment = Candidate(
    name: "AutoAugment CIFAR-10", policy: .autoAugment(autoAugmentCIFAR10))

  /// In report order.
  public static let all: [Candidate] = [none, trivialAugmentWide, randAugmentDefault, autoAugment]
}
