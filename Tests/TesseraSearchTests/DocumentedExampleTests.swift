import Foundation
import Testing
import TesseraAugment
import TesseraStore
import TesseraTrain

/// The online-use example of docs/APPLY.md, compiled and run on a tiny store. A second test checks
/// that the example in the document is, line for line, the code below, so the two cannot drift.
@Suite struct DocumentedExampleTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  @Test func onlineLoaderExampleRuns() throws {
    let fixture = try SearchFixture(trainPerClass: 6, testPerClass: 2)
    defer { fixture.remove() }
    let storePath = fixture.directory.path
    let policyPath = Self.repository.appendingPathComponent("policies/trivialaugment-wide.json").path
    var batchesSeen = 0
    // BEGIN docs/APPLY.md
    let store = try Store.open(at: storePath)
    // Pin the version: a tag, branch or commit id. `TrainingData.store` resolves it to the commit once.
    let data = try TrainingData.store(store, revision: "v1", trainSplit: "train", testSplit: "test")
    let policy = try PolicyFile.load(contentsOf: URL(fileURLWithPath: policyPath))

    let loader = DataLoader(
      source: data.train,                                   // an EncodedSampleSource over the version's objects
      batchSize: 128,
      sampleShape: try data.sampleShape(),                  // 1×28×28 for Fashion-MNIST
      normalization: try Normalization.estimate(from: data.train, channels: 1),
      shuffle: true,
      seed: 42,
      policy: policy.policy,                                // any AugmentationPolicy; nil trains without augmentation
      mixer: BatchMixer(mixUpAlpha: 0.2, cutMixAlpha: 1.0), // optional, per batch
      threads: 1)                                           // background loader threads (0: on the caller's thread)

    for epoch in 0..<5 {
      let batches = loader.batches(epoch: epoch)
      while let batch = try batches.next() {
        // batch.inputs: [Float], count × C × H × W, normalised
        // batch.targets: [Float], count × classes, soft labels after mixing
        // batch.labels / batch.indices: the samples' original classes and positions in the source
        _ = batch
        // END docs/APPLY.md
        #expect(batch.count == 24)
        #expect(batch.inputs.count == 24 * 8 * 8)
        #expect(batch.targets.count == 24 * 4)
        batchesSeen += 1
      }
    }
    #expect(batchesSeen == 5)
  }

  @Test func documentShowsTheCompiledExample() throws {
    let doc = try String(contentsOf: Self.repository.appendingPathComponent("docs/APPLY.md"), encoding: .utf8)
    let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
    func codeLines(_ text: some StringProtocol) -> [String] {
      text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty && !$0.hasPrefix("import ") && $0 != "}" }
    }
    let block = doc.components(separatedBy: "```swift\n")[1].components(separatedBy: "```")[0]
      .replacingOccurrences(of: "\"fashion-mnist\"", with: "storePath")
      .replacingOccurrences(of: "\"policies/trivialaugment-wide.json\"", with: "policyPath")
    let compiled = source.components(separatedBy: "// BEGIN docs/APPLY.md\n")[1]
      .components(separatedBy: "// END docs/APPLY.md")[0]
    #expect(codeLines(block) == codeLines(compiled))
  }
}
