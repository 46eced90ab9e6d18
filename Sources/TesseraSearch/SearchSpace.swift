import TesseraAugment

/// Which augmentation parameters a search explores.
///
/// - `autoAugment`: AutoAugment sub-policies — `subPolicies` lists of 2 × (op, probability, magnitude)
///   over the paper's 16 ops, probability in steps of 0.1, magnitude a 10-bin index (torchvision-bins).
/// - `randAugment`: (N, M) with N in 1…3 and M a bin in 0…30 of 31 (torchvision-bins, standard ranges).
/// - `trivialAugment`: TrivialAugment's range table (standard or wide) and its op set.
/// - `mix`: MixUp / CutMix — each α in a grid, and the probability of mixing a batch at all.
public enum SearchSpace: String, Sendable, Hashable, Codable, CaseIterable {
  case autoAugment = "autoaugment"
  case randAugment = "randaugment"
  case trivialAugment = "trivialaugment"
  case mix

  /// The AutoAugment paper's search space: torchvision AutoAugment's 14 ops plus Cutout and SamplePairing.
  public static let autoAugmentOps: [OpName] = [
    .shearX, .shearY, .translateX, .translateY, .rotate, .autoContrast, .invert, .equalize, .solarize,
    .posterize, .contrast, .color, .brightness, .sharpness, .cutout, .samplePairing,
  ]
  /// The α values the `mix` space chooses from (0 switches that op off).
  public static let mixAlphas: [Double] = [0, 0.1, 0.2, 0.4, 0.8, 1.0, 2.0]
  /// Sub-policies per AutoAugment candidate.
  public static let subPolicies = 5
}
