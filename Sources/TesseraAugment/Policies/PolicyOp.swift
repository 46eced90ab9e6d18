/// One (op, probability, magnitude) entry of an AutoAugment sub-policy or a RandAugment-style op list.
public struct PolicyOp: Sendable, Hashable {
  public var op: OpName
  public var probability: Double
  /// Bin index or level in the policy's convention; nil for ops without a magnitude.
  public var magnitude: Double?

  public init(_ op: OpName, probability: Double, magnitude: Double? = nil) {
    self.op = op
    self.probability = probability
    self.magnitude = magnitude
  }
}
