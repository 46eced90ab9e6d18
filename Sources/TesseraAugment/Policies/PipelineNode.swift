/// A plain, hand-written pipeline: a tree of sequence / one-of / some-of nodes over op steps, each node with
/// its own probability of running at all (albumentations' `Compose`, `OneOf`, `SomeOf`).
public indirect enum PipelineNode: Sendable, Hashable {
  /// Every child in order.
  case sequence([PipelineNode], probability: Double)
  /// One child, chosen with `weights` (uniform when nil).
  case oneOf([PipelineNode], weights: [Double]?, probability: Double)
  /// `count` distinct children chosen uniformly, run in their listed order.
  case someOf([PipelineNode], count: Int, probability: Double)
  case op(OpStep)

  public var probability: Double {
    switch self {
    case let .sequence(_, p), let .oneOf(_, _, p), let .someOf(_, _, p): return p
    case let .op(step): return step.probability
    }
  }

  /// Samples the node into `ops`. The node's probability is drawn first, then its children.
  public func sample(into ops: inout [AppliedOp], geometry: Geometry, target: MagnitudeConvention.Target,
                     using rng: inout some RandomNumberGenerator) {
    guard rng.nextBool(probability: probability) else { return }
    switch self {
    case let .sequence(children, _):
      for child in children { child.sample(into: &ops, geometry: geometry, target: target, using: &rng) }
    case let .oneOf(children, weights, _):
      guard !children.isEmpty else { return }
      var index = 0
      if let weights, weights.count == children.count, weights.reduce(0, +) > 0 {
        var u = rng.nextUnitDouble() * weights.reduce(0, +)
        index = children.count - 1
        for (i, w) in weights.enumerated() {
          if u < w { index = i; break }
          u -= w
        }
      } else {
        index = rng.nextInt(below: children.count)
      }
      children[index].sample(into: &ops, geometry: geometry, target: target, using: &rng)
    case let .someOf(children, count, _):
      // Partial Fisher–Yates over indices, then restore the listed order.
      var indices = Array(children.indices)
      let k = min(max(count, 0), children.count)
      for i in 0..<k {
        let j = i + rng.nextInt(below: indices.count - i)
        indices.swapAt(i, j)
      }
      for i in indices.prefix(k).sorted() {
        children[i].sample(into: &ops, geometry: geometry, target: target, using: &rng)
      }
    case let .op(step):
      ops.append(step.makeOp(geometry: geometry, target: target, using: &rng))
    }
  }
}

