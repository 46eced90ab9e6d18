/// Any of the policy kinds a policy file can hold.
public enum Policy: AugmentationPolicy, Hashable {
  case autoAugment(AutoAugmentPolicy)
  case randAugment(RandAugmentPolicy)
  case trivialAugment(TrivialAugmentPolicy)
  case augMix(AugMixPolicy)
  case uniformAugment(UniformAugmentPolicy)
  case pipeline(PipelinePolicy)

  /// The `"kind"` string of policy files.
  public var kind: String {
    switch self {
    case .autoAugment: return "autoaugment"
    case .randAugment: return "randaugment"
    case .trivialAugment: return "trivialaugment"
    case .augMix: return "augmix"
    case .uniformAugment: return "uniformaugment"
    case .pipeline: return "pipeline"
    }
  }

  public func sample(for target: MagnitudeConvention.Target,
                     using rng: inout some RandomNumberGenerator) -> [AppliedOp] {
    switch self {
    case let .autoAugment(p): return p.sample(for: target, using: &rng)
    case let .randAugment(p): return p.sample(for: target, using: &rng)
    case let .trivialAugment(p): return p.sample(for: target, using: &rng)
    case let .augMix(p): return p.sample(for: target, using: &rng)
    case let .uniformAugment(p): return p.sample(for: target, using: &rng)
    case let .pipeline(p): return p.sample(for: target, using: &rng)
    }
  }
}
