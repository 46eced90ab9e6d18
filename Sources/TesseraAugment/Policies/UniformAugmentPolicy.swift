/// UniformAugment: `numOps` ops drawn uniformly with replacement; for each, p ~ U(0, 1) and the op is applied
/// when a second uniform falls below p; its magnitude is continuous, uniform over [0, max] of the convention
/// (the sign, for signed ops, makes the argument uniform over the symmetric range).
public struct UniformAugmentPolicy: AugmentationPolicy, Hashable {
  public var magnitude: MagnitudeConvention
  public var geometry: Geometry
  public var numOps: Int
  public var ops: [OpName]

  public init(magnitude: MagnitudeConvention = .tfLevel(translatePixels: 100, cutoutPixels: 40),
              geometry: Geometry = .pillowDefault, numOps: Int = 2, ops: [OpName]) {
    self.magnitude = magnitude
    self.geometry = geometry
    self.numOps = numOps
    self.ops = ops
  }

  public func sample(for target: MagnitudeConvention.Target,
                     using rng: inout some RandomNumberGenerator) -> [AppliedOp] {
    guard !ops.isEmpty else { return [] }
    var applied: [AppliedOp] = []
    for _ in 0..<numOps {
      let op = ops[rng.nextInt(below: ops.count)]
      let p = rng.nextUnitDouble()
      guard rng.nextUnitDouble() < p else { continue }
      let level = rng.nextUnitDouble() * magnitude.maxMagnitude
      applied.append(magnitude.makeOp(op, magnitude: level, geometry: geometry, target: target, using: &rng))
    }
    return applied
  }
}
