import Foundation
import TesseraAugment
import TesseraStore

/// The training and test samples of one run, with where they came from.
public struct TrainingData: Sendable {
  public var train: any SampleSource
  public var test: any SampleSource
  /// "folder /path" or "store /path @ revision (commit)", for reports.
  public var origin: String

  public init(train: any SampleSource, test: any SampleSource, origin: String) {
    self.train = train
    self.test = test
    self.origin = origin
  }

  /// `root/<trainSplit>/<class>/…` and `root/<testSplit>/<class>/…`.
  public static func folder(_ root: URL, trainSplit: String = "train", testSplit: String = "test") throws -> TrainingData {
    let train = try ImageFolder.load(root, split: trainSplit)
    let test = try ImageFolder.load(root, split: testSplit, classNames: train.classNames)
    return TrainingData(train: train, test: test, origin: "folder \(root.path)")
  }

  /// The splits of a pinned store version, read from its objects (no checkout needed).
  public static func store(_ store: Store, revision: String, trainSplit: String = "train",
                           testSplit: String = "test") throws -> TrainingData {
    let commit = try store.resolve(revision)
    let train = try StoreSamples.load(store, revision: commit, split: trainSplit)
    let test = try StoreSamples.load(store, revision: commit, split: testSplit, classNames: train.classNames)
    return TrainingData(train: train, test: test, origin: "store \(store.root) @ \(revision) (\(commit.prefix(12)))")
  }

  /// The first `count` training samples of a seeded shuffle (the same subset for the same seed).
  public func trainSubset(_ count: Int, seed: UInt64) -> TrainingData {
    guard count < train.count else { return self }
    var order = Array(0..<train.count)
    var rng = SplitMix64(seed: seed ^ 0x5355_4253_4554, index: 0)
    for i in 0..<count { order.swapAt(i, i + rng.nextInt(below: order.count - i)) }
    return TrainingData(train: train.subset(Array(order[0..<count]).sorted()), test: test, origin: origin)
  }

  /// Both splits with decoded images kept in memory, when that is estimated to take at most
  /// `budget` bytes (from the first image's size), decoded up front on `threads` threads: the
  /// epochs then neither read nor decode, and epoch times measure training alone.
  public func cachedIfSmall(budget: Int = 1 << 30, threads: Int = availableCores()) throws -> TrainingData {
    guard train.count > 0 else { return self }
    let first = try train.image(at: 0)
    let bytes = (train.count + test.count) * (first.pixels.count + 64)
    guard bytes <= budget else { return self }
    let cachedTrain = train.cached(), cachedTest = test.cached()
    try cachedTrain.warm(threads: threads)
    try cachedTest.warm(threads: threads)
    return TrainingData(train: cachedTrain, test: cachedTest, origin: origin)
  }

  /// The model input: the first training image's size and channels.
  public func sampleShape() throws -> ActivationShape {
    guard train.count > 0 else { throw LoaderError.emptyDataset("training split") }
    let image = try train.image(at: 0)
    return ActivationShape(n: 1, c: image.channels == 4 ? 3 : image.channels, h: image.height, w: image.width)
  }
}
