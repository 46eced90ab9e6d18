import Foundation
import Testing
import TesseraAugment
import TesseraImage
import TesseraTestSupport
@testable import TesseraTrain

struct DataLoaderTests {
  func loader(_ source: some SampleSource, threads: Int, augment: Bool = true) -> DataLoader {
    DataLoader(source: source, batchSize: 12, sampleShape: ActivationShape(n: 1, c: 1, h: 8, w: 8),
               normalization: Shapes.normalization, shuffle: true, seed: 5,
               policy: augment ? Policy.trivialAugment(TrivialAugmentPolicy()) : nil,
               mixer: augment ? BatchMixer(mixUpAlpha: 0.4, cutMixAlpha: 1, labelSmoothing: 0) : nil,
               threads: threads, prefetch: 2)
  }

  func collect(_ loader: DataLoader, epoch: Int) throws -> [Batch] {
    let stream = loader.batches(epoch: epoch)
    defer { stream.cancel() }
    var out: [Batch] = []
    while let b = try stream.next() { out.append(b) }
    return out
  }

  @Test func batchesAreTheSameForAnyNumberOfLoaderThreads() throws {
    let source = Shapes.source(perClass: 10, seed: 8)
    let reference = try collect(loader(source, threads: 0), epoch: 3)
    #expect(reference.count == 4)  // 40 samples, batches of 12: 12, 12, 12, 4
    for threads in [1, 3] {
      let batches = try collect(loader(source, threads: threads), epoch: 3)
      #expect(batches.map(\.inputs) == reference.map(\.inputs))
      #expect(batches.map(\.targets) == reference.map(\.targets))
      #expect(batches.map(\.indices) == reference.map(\.indices))
    }
  }

  @Test func eachEpochVisitsEverySampleOnceInItsOwnOrder() throws {
    let source = Shapes.source(perClass: 10, seed: 8)
    let l = loader(source, threads: 2, augment: false)
    let first = try collect(l, epoch: 0).flatMap(\.indices)
    let second = try collect(l, epoch: 1).flatMap(\.indices)
    #expect(first.sorted() == Array(0..<40))
    #expect(second.sorted() == Array(0..<40))
    #expect(first != second)
  }

  @Test func augmentationChangesPixelsAndMixingGivesSoftTargets() throws {
    let source = Shapes.source(perClass: 10, seed: 8)
    let plain = try collect(loader(source, threads: 1, augment: false), epoch: 0)
    let mixed = try collect(loader(source, threads: 1), epoch: 0)
    #expect(plain.map(\.indices) == mixed.map(\.indices))
    #expect(plain.map(\.inputs) != mixed.map(\.inputs))
    for batch in mixed {
      for s in 0..<batch.count {
        let row = batch.targets[(s * 4)..<(s * 4 + 4)]
        #expect(abs(row.reduce(0, +) - 1) < 1e-5)
      }
    }
    #expect(mixed.contains { $0.targets.contains { $0 > 0 && $0 < 1 } })
    // Plain batches: one-hot targets on the sample's label, inputs normalised as (x/255 − mean)/std.
    let b = plain[0]
    #expect(b.targets[b.labels[0]] == 1)
    let image = try source.image(at: b.indices[0])
    #expect(abs(b.inputs[0] - (Float(image.pixels[0]) / 255 - 0.3) / 0.35) < 1e-5)
  }

  @Test func aWrongSizedImageNamesItsSample() throws {
    var images = (0..<4).map { _ in Image(width: 8, height: 8, channels: 1) }
    images[2] = Image(width: 9, height: 8, channels: 1)
    let source = InMemorySampleSource(images: images, labels: [0, 1, 0, 1], classNames: ["a", "b"])
    let l = DataLoader(source: source, batchSize: 4, sampleShape: ActivationShape(n: 1, c: 1, h: 8, w: 8),
                       normalization: Shapes.normalization, shuffle: false, seed: 0, threads: 1)
    #expect { try collect(l, epoch: 0) } throws: { "\($0)" == "sample 2: image is 9x8, but the model takes 8x8" }
  }

  @Test func greyImagesFeedRGBModelsAndBack() throws {
    let grey = Image(width: 2, height: 1, channels: 1, pixels: [10, 200])
    let rgb = try SampleConversion.convert(grey, channels: 3)
    #expect(rgb.pixels == [10, 10, 10, 200, 200, 200])
    #expect(try SampleConversion.convert(rgb, channels: 1).pixels == [10, 200])
  }

  @Test func imageFolderReadsSplitsWithTheTrainingClasses() throws {
    try withTemporaryDirectory { dir in
      var rng = SplitMix64(seed: 1)
      for (split, count) in [("train", 3), ("test", 2)] {
        for (label, name) in Shapes.classNames.enumerated() {
          for i in 0..<count {
            try dir.write(try encodePNG(Shapes.image(label: label, rng: &rng)), to: "\(split)/\(name)/\(i).png")
          }
        }
      }
      try dir.write(Array("not an image".utf8), to: "train/notes.txt")
      let data = try TrainingData.folder(dir.url)
      #expect(data.train.count == 12 && data.test.count == 8)
      #expect(data.train.classNames == Shapes.classNames.sorted())
      #expect(data.test.classNames == data.train.classNames)
      let first = try data.train.image(at: 0)
      #expect(first.width == 8 && first.channels == 1)
      #expect(try data.sampleShape() == ActivationShape(n: 1, c: 1, h: 8, w: 8))
      let cached = try data.cachedIfSmall(threads: 2)
      #expect(try cached.train.image(at: 5) == (try data.train.image(at: 5)))

      try dir.write(try encodePNG(Image(width: 8, height: 8, channels: 1)), to: "test/zebra/0.png")
      #expect { try TrainingData.folder(dir.url) } throws: { "\($0)".contains("zebra") }
      try dir.write(Array("garbage".utf8), to: "train/square/bad.png")
      let broken = try ImageFolder.load(dir.url, split: "train")
      let bad = broken.samples.firstIndex { $0.name.hasSuffix("bad.png") }!
      #expect { try broken.image(at: bad) } throws: { "\($0)".contains("bad.png") }
      #expect { try TrainingData.folder(dir.url, trainSplit: "validation") } throws: { "\($0)".contains("validation") }
    }
  }

  @Test func normalisationIsMeasuredFromTheData() throws {
    let images = [Image(width: 2, height: 1, channels: 1, pixels: [0, 255]),
                  Image(width: 2, height: 1, channels: 1, pixels: [0, 255])]
    let n = try Normalization.estimate(from: InMemorySampleSource(images: images, labels: [0, 1], classNames: ["a", "b"]),
                                       channels: 1)
    #expect(abs(n.mean[0] - 0.5) < 1e-6 && abs(n.std[0] - 0.5) < 1e-6)
  }

  @Test func aTrainSubsetIsSeededAndSized() {
    let data = TrainingData(train: Shapes.source(perClass: 25, seed: 1), test: Shapes.source(perClass: 1, seed: 2),
                            origin: "test")
    let a = data.trainSubset(30, seed: 4), b = data.trainSubset(30, seed: 4), c = data.trainSubset(30, seed: 5)
    #expect(a.train.count == 30)
    #expect(a.train.labels == b.train.labels)
    #expect((a.train as! SubsetSampleSource).indices != (c.train as! SubsetSampleSource).indices)
  }
}
