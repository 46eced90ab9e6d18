import TesseraImage

/// Something that, for one image, samples the list of fully parameterised ops to apply.
///
/// Sampling and pixel work are kept apart: `sample` only draws from `rng`; `AppliedOp.apply` only computes.
public protocol AugmentationPolicy: Sendable {
  func sample(for target: MagnitudeConvention.Target, using rng: inout some RandomNumberGenerator) -> [AppliedOp]
}

extension AugmentationPolicy {
  /// Samples for `image`, applies, and returns the result with the record of what was applied.
  public func augment(_ image: Image, partners: [Image] = [],
                      using rng: inout some RandomNumberGenerator) -> (image: Image, applied: [AppliedOp]) {
    let target = MagnitudeConvention.Target(width: image.width, height: image.height, channels: image.channels,
                                            partnerCount: partners.count)
    let ops = sample(for: target, using: &rng)
    return (ops.apply(to: image, partners: partners), ops)
  }
}

