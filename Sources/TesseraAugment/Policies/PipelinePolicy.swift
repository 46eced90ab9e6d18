/// A plain pipeline as a policy.
public struct PipelinePolicy: AugmentationPolicy, Hashable {
  public var geometry: Geometry
  public var root: PipelineNode

  public init(geometry: Geometry = .pillowDefault, root: PipelineNode) {
    self.geometry = geometry
    self.root = root
  }

  public func sample(for target: MagnitudeConvention.Target,
                     using rng: inout some RandomNumberGenerator) -> [AppliedOp] {
    var ops: [AppliedOp] = []
    root.sample(into: &ops, geometry: geometry, target: target, using: &rng)
    return ops
  }
}
