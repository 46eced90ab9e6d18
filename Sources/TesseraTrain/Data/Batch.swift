/// A batch as the loader hands it to the trainer: inputs NCHW, one target distribution per sample.
public struct Batch: Sendable {
  /// Shape of one sample (`n` is 1).
  public var sampleShape: ActivationShape
  public var classes: Int
  /// `count × C × H × W`, normalised.
  public var inputs: [Float]
  /// `count × classes`, each row summing to 1 (one-hot unless mixed).
  public var targets: [Float]
  /// The class each sample was before mixing (for training accuracy).
  public var labels: [Int]
  /// Index of each sample in its source.
  public var indices: [Int]

  public var count: Int { labels.count }

  public init(sampleShape: ActivationShape, classes: Int, inputs: [Float], targets: [Float], labels: [Int],
              indices: [Int]) {
    precondition(inputs.count == labels.count * sampleShape.perSample, "inputs do not match the sample shape")
    precondition(targets.count == labels.count * classes, "targets do not match the class count")
    self.sampleShape = sampleShape
    self.classes = classes
    self.inputs = inputs
    self.targets = targets
    self.labels = labels
    self.indices = indices
  }
}
