/// RandAugment: `numOps` ops drawn uniformly with replacement, all at the same magnitude, each applied with
/// `probability` (1 in torchvision and AA-TPU, 0.5 in timm).
public struct RandAugmentPolicy: AugmentationPolicy, Hashable {
  public var magnitude: MagnitudeConvention
  public var geometry: Geometry
  public var numOps: Int
  /// M: a bin index (torchvision-bins) or level (tf-level, aa-original).
  public var level: Double
  public var probability: Double
  public var ops: [OpName]

  public init(magnitude: MagnitudeConvention = .torchvisionRandAugment, geometry: Geometry = .pillowDefault,
              numOps: Int = 2, level: Double = 9, probability: Double = 1,
              ops: [OpName] = OpName.torchvisionRandAugmentOps) {
    self.magnitude = magnitude
    self.geometry = geometry
    self.numOps = numOps
    self.level = level
    self.probability = probability
    self.ops = ops
  }

  public func sample(for target: MagnitudeConvention.Target,
                     using rng: inout some RandomNumberGenerator) -> [AppliedOp] {
    guard !ops.isEmpty else { return [] }
    var applied: [AppliedOp] = []
    for _ in 0..<numOps {
      let op = ops[rng.nextInt(below: ops.count)]
      guard rng.nextBool(probability: probability) else { continue }
      applied.append(magnitude.makeOp(op, magnitude: level, geometry: geometry, target: target, using: &rng))
    }
    return applied
  }
}
