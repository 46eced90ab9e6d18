/// AutoAugment: a list of sub-policies; per image one is drawn uniformly and each of its ops is applied
/// independently with its probability (torchvision `AutoAugment.forward`).
public struct AutoAugmentPolicy: AugmentationPolicy, Hashable {
  public var magnitude: MagnitudeConvention
  public var geometry: Geometry
  public var subPolicies: [[PolicyOp]]

  public init(magnitude: MagnitudeConvention = .torchvisionAutoAugment, geometry: Geometry = .pillowDefault,
              subPolicies: [[PolicyOp]]) {
    self.magnitude = magnitude
    self.geometry = geometry
    self.subPolicies = subPolicies
  }

  public func sample(for target: MagnitudeConvention.Target,
                     using rng: inout some RandomNumberGenerator) -> [AppliedOp] {
    guard !subPolicies.isEmpty else { return [] }
    let chosen = subPolicies[rng.nextInt(below: subPolicies.count)]
    var ops: [AppliedOp] = []
    for entry in chosen where rng.nextBool(probability: entry.probability) {
      ops.append(magnitude.makeOp(entry.op, magnitude: entry.magnitude ?? 0, geometry: geometry, target: target,
                                  using: &rng))
    }
    return ops
  }
}
