import TesseraImage

/// The result of augmenting one batch: images in input order and, per image, what was applied.
public struct AugmentedBatch: Sendable, Hashable {
  public var images: [Image]
  public var applied: [[AppliedOp]]
}
