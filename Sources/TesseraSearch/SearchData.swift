import TesseraImage
import TesseraStore
import TesseraTrain

/// The three splits of a search, read from a pinned store version and kept decoded in memory:
/// training (minus validation, in a fixed hash order), validation (carved from the training split)
/// and test (the version's own `test` split, touched only by the final report).
public struct SearchData: Sendable {
  public var train: any SampleSource
  public var validation: any SampleSource
  public var test: any SampleSource
  public var classNames: [String]
  /// Paths of the training samples in training order (for the report's sample grid).
  public var trainPaths: [String]
  public var origin: String

  public init(train: any SampleSource, validation: any SampleSource, test: any SampleSource,
              trainPaths: [String], origin: String) {
    self.train = train
    self.validation = validation
    self.test = test
    self.classNames = train.classNames
    self.trainPaths = trainPaths
    self.origin = origin
  }

  /// Reads `commit` of `store`: files under `train/<class>/` and `test/<class>/`.
  public static func load(_ store: Store, commit: String, validationFraction: Double, subset: Int?,
                          trainSplit: String = "train", testSplit: String = "test") throws -> SearchData {
    let entries = try store.entries(revision: commit)
    let trainEntries = entries.filter { $0.split == trainSplit && $0.label != nil }
    let testEntries = entries.filter { $0.split == testSplit && $0.label != nil }
    guard !trainEntries.isEmpty else {
      throw SearchError.badInput("version \(commit.prefix(12)): no training files (expected \(trainSplit)/<class>/<image>)")
    }
    guard !testEntries.isEmpty else {
      throw SearchError.badInput("version \(commit.prefix(12)): no test files (expected \(testSplit)/<class>/<image>)")
    }
    let classes = Array(Set(trainEntries.compactMap(\.label))).sorted()
    let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
    func source(_ list: [VersionEntry]) throws -> EncodedSampleSource {
      let samples = try list.map { entry -> EncodedSample in
        guard let label = entry.label.flatMap({ index[$0] }) else {
          throw SearchError.badInput("\(entry.path): class '\(entry.label ?? "")' is not among the training classes \(classes)")
        }
        let id = entry.object
        return EncodedSample(label: label, name: entry.path) { try store.readObject(id) }
      }
      return EncodedSampleSource(samples: samples, classNames: classes)
    }
    var validation: [VersionEntry] = [], train: [VersionEntry] = []
    for e in trainEntries {
      if ValidationSplit.isValidation(e.path, fraction: validationFraction) { validation.append(e) } else { train.append(e) }
    }
    train.sort { (ValidationSplit.orderKey($0.path), $0.path) < (ValidationSplit.orderKey($1.path), $1.path) }
    validation.sort { $0.path < $1.path }
    if let subset, subset < train.count { train = Array(train.prefix(subset)) }
    guard train.count >= 2, !validation.isEmpty else {
      throw SearchError.badInput("version \(commit.prefix(12)): \(trainEntries.count) training files leave \(train.count) for training and \(validation.count) for validation; add files or change --validation-fraction")
    }
    return SearchData(train: try source(train).cached(), validation: try source(validation).cached(),
                      test: try source(testEntries.sorted { $0.path < $1.path }).cached(),
                      trainPaths: train.map(\.path), origin: "store \(store.root) @ \(commit.prefix(12))")
  }

  /// The first `count` training samples (a prefix of the fixed order).
  func trainPrefix(_ count: Int) -> any SampleSource {
    count >= train.count ? train : train.subset(Array(0..<count))
  }
}
