/// What a `BatchMixer` did to one batch.
public enum AppliedMix: Sendable, Hashable, Codable {
  case none
  case mixUp(lambda: Double)
  /// `lambda` is the area-corrected value used for the labels.
  case cutMix(lambda: Double, box: Box)

  /// Weight of each sample's own label (1 when unmixed).
  public var lambda: Double {
    switch self {
    case .none: return 1
    case let .mixUp(l), let .cutMix(l, _): return l
    }
  }
}
