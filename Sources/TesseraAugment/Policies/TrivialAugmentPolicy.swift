/// TrivialAugment: one op per image, uniform over `ops`, at a magnitude drawn uniformly from the convention's
/// levels (31 bins for torchvision's TrivialAugmentWide; levels 0…10 for the TF conventions).
public struct TrivialAugmentPolicy: AugmentationPolicy, Hashable {
  public var magnitude: MagnitudeConvention
  public var geometry: Geometry
  public var ops: [OpName]

  public init(magnitude: MagnitudeConvention = .torchvisionTrivialAugmentWide, geometry: Geometry = .pillowDefault,
              ops: [OpName] = OpName.torchvisionRandAugmentOps) {
    self.magnitude = magnitude
    self.geometry = geometry
    self.ops = ops
  }

  public func sample(for target: MagnitudeConvention.Target,
                     using rng: inout some RandomNumberGenerator) -> [AppliedOp] {
    guard !ops.isEmpty else { return [] }
    let op = ops[rng.nextInt(below: ops.count)]
    let level = Double(rng.nextInt(below: Int(magnitude.maxMagnitude) + 1))
    return [magnitude.makeOp(op, magnitude: level, geometry: geometry, target: target, using: &rng)]
  }
}
