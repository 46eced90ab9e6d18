import TesseraImage

/// A mixed batch: images, soft label rows, and the parameters used.
public struct MixedBatch: Sendable, Hashable {
  public var images: [Image]
  public var labels: [[Float]]
  public var applied: AppliedMix
}
