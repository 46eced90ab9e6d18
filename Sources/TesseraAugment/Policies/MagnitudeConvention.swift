/// How a policy's magnitude (bin index or level) becomes an op argument. Three conventions exist in the
/// literature and they disagree (reference §1.1, §7):
///
/// - `torchvision(bins:ranges:)` — "torchvision-bins": bin k of n selects `linspace(0, max, n)[k]`, i.e.
///   k/(n−1)·max, computed in float32 as `torch.linspace` does. Shear, translate, rotate and the enhance ops are
///   negated with probability ½; enhance factors are 1 ± m (bin 0 is the identity). Posterize keeps
///   `8 − round(k/((n−1)/4))` bits, Solarize's threshold is `linspace(255, 0, n)[k]`. With 10 bins this is
///   torchvision's AutoAugment; with 31 bins RandAugment (m = 9 → 9/30 of the range) and TrivialAugmentWide.
///   `ranges` picks the table: `.standard` (AA/RA), `.wide` (TrivialAugmentWide) or `.augMix` (torchvision v2 AugMix).
/// - `tfLevel(translatePixels:cutoutPixels:)` — "tf-level": level L in [0, 10] gives (L/10)·max (AA-TPU, timm).
///   Only geometric ops are signed; enhance factors are (L/10)·1.8 + 0.1 (L = 5 is the identity); Posterize keeps
///   int((L/10)·4) bits (0 = black); Solarize's threshold is int((L/10)·256), weaker as L rises.
/// - `aaOriginal` — "aa-original": the released AutoAugment CIFAR code, levels 0–9 (`PARAMETER_MAX = 10`) with
///   int truncation: translate int(L) px, rotate int(3L)°, Posterize keeps 4 − int(0.4L) bits, Solarize 256 − int(25.6L),
///   Cutout int(2L) px; only geometric ops are signed.
///
/// At magnitude 9 the three give shear 0.3 (tv, 10 bins), 0.27 (tf-level and aa-original) and 0.09 (tv, 31 bins).
public enum MagnitudeConvention: Sendable, Hashable {
  case torchvision(bins: Int, ranges: TorchvisionRanges)
  case tfLevel(translatePixels: Double, cutoutPixels: Double)
  case aaOriginal

  /// Argument tables of the torchvision family.
  public enum TorchvisionRanges: String, Sendable, Hashable, Codable, CaseIterable {
    /// AutoAugment / RandAugment: shear 0.3, translate 150/331 of the size, rotate 30°, enhance ±0.9, posterize 8→4.
    case standard
    /// TrivialAugmentWide: shear 0.99, translate 32 px, rotate 135°, enhance ±0.99, posterize 8→2.
    case wide
    /// torchvision v2 AugMix: shear 0.3, translate size/3, rotate 30°, enhance ±0.9, posterize 4→0, solarize 255·(1→0).
    case augMix
  }

  /// torchvision AutoAugment (10 bins), RandAugment/TrivialAugmentWide (31 bins) and AugMix (10 bins).
  public static let torchvisionAutoAugment = MagnitudeConvention.torchvision(bins: 10, ranges: .standard)
  public static let torchvisionRandAugment = MagnitudeConvention.torchvision(bins: 31, ranges: .standard)
  public static let torchvisionTrivialAugmentWide = MagnitudeConvention.torchvision(bins: 31, ranges: .wide)
  public static let torchvisionAugMix = MagnitudeConvention.torchvision(bins: 10, ranges: .augMix)
  /// AA-TPU's AutoAugment constants (RandAugment there uses translate 100, cutout 40).
  public static let tfAutoAugment = MagnitudeConvention.tfLevel(translatePixels: 250, cutoutPixels: 100)

  /// The largest magnitude the convention accepts (the smallest is 0).
  public var maxMagnitude: Double {
    switch self {
    case let .torchvision(bins, _): return Double(bins - 1)
    case .tfLevel, .aaOriginal: return 10
    }
  }

  /// Whether magnitudes must be whole numbers (bin indices).
  public var requiresIntegerMagnitude: Bool {
    if case .torchvision = self { return true }
    return false
  }

  /// The file name of the convention ("torchvision-bins", "tf-level", "aa-original").
  public var identifier: String {
    switch self {
    case .torchvision: return "torchvision-bins"
    case .tfLevel: return "tf-level"
    case .aaOriginal: return "aa-original"
    }
  }
}
