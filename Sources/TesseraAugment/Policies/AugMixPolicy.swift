/// AugMix (torchvision v2 semantics): `width` chains of `depth` random ops (depth ≤ 0: 1…3 per chain), mixed as
/// m₀·x + m₁·Σ wᵢ·chainᵢ(x) with (m₀, m₁) ~ Dirichlet(α, α) and w ~ Dirichlet(α, …, α); each op's magnitude
/// is a bin drawn uniformly from 0..<severity (torchvision-bins) or a level ~ U(0.1, severity) (TF conventions,
/// as in the original AugMix code).
public struct AugMixPolicy: AugmentationPolicy, Hashable {
  public var magnitude: MagnitudeConvention
  public var geometry: Geometry
  public var severity: Int
  public var width: Int
  public var depth: Int
  public var alpha: Double
  public var ops: [OpName]

  public init(magnitude: MagnitudeConvention = .torchvisionAugMix,
              geometry: Geometry = Geometry(interpolation: .bilinear, fill: [0]),
              severity: Int = 3, width: Int = 3, depth: Int = -1, alpha: Double = 1,
              ops: [OpName] = OpName.augMixAllOps) {
    self.magnitude = magnitude
    self.geometry = geometry
    self.severity = severity
    self.width = width
    self.depth = depth
    self.alpha = alpha
    self.ops = ops
  }

  public func sample(for target: MagnitudeConvention.Target,
                     using rng: inout some RandomNumberGenerator) -> [AppliedOp] {
    guard !ops.isEmpty, width > 0 else { return [] }
    let m = rng.nextDirichlet([alpha, alpha])
    let w = rng.nextDirichlet([Double](repeating: alpha, count: width))
    var chains: [AppliedOp.WeightedChain] = []
    for i in 0..<width {
      let length = depth > 0 ? depth : rng.nextInt(in: 1...3)
      var chainOps: [AppliedOp] = []
      for _ in 0..<length {
        let op = ops[rng.nextInt(below: ops.count)]
        let level: Double
        if magnitude.requiresIntegerMagnitude {
          level = Double(rng.nextInt(below: max(severity, 1)))
        } else {
          level = rng.nextDouble(in: 0.1, Double(severity))
        }
        chainOps.append(magnitude.makeOp(op, magnitude: level, geometry: geometry, target: target, using: &rng))
      }
      chains.append(.init(weight: w[i] * m[1], ops: chainOps))
    }
    return [.augMix(originalWeight: m[0], chains: chains)]
  }
}
