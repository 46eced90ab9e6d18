import TesseraAugment
import TesseraImage
@testable import TesseraTrain

/// A small synthetic image set with four visually distinct classes on a noisy background:
/// a horizontal bar, a vertical bar, a diagonal, a small square — each at a random position.
enum Shapes {
  static let classNames = ["horizontal", "vertical", "diagonal", "square"]

  static func image(label: Int, size: Int = 8, rng: inout SplitMix64) -> Image {
    var pixels = (0..<(size * size)).map { _ in UInt8(rng.nextInt(below: 60)) }
    func set(_ x: Int, _ y: Int) {
      guard (0..<size).contains(x), (0..<size).contains(y) else { return }
      pixels[y * size + x] = UInt8(190 + rng.nextInt(below: 66))
    }
    let p = rng.nextInt(below: size - 2) + 1
    switch label {
    case 0: for x in 0..<size { set(x, p) }
    case 1: for y in 0..<size { set(p, y) }
    case 2: for i in 0..<size { set((i + p) % size, i) }
    default:
      let q = rng.nextInt(below: size - 2)
      for dy in 0..<2 { for dx in 0..<2 { set(p - 1 + dx, q + dy) } }
    }
    return Image(width: size, height: size, channels: 1, pixels: pixels)
  }

  static func source(perClass: Int, seed: UInt64, size: Int = 8) -> InMemorySampleSource {
    var rng = SplitMix64(seed: seed)
    var images: [Image] = [], labels: [Int] = []
    for i in 0..<(perClass * classNames.count) {
      let label = i % classNames.count
      images.append(image(label: label, size: size, rng: &rng))
      labels.append(label)
    }
    return InMemorySampleSource(images: images, labels: labels, classNames: classNames)
  }

  static let normalization = Normalization(mean: [0.3], std: [0.35])

  static func configuration(model: String = "cnn-s", epochs: Int, seed: UInt64 = 7) -> TrainingConfiguration {
    var c = TrainingConfiguration()
    c.model = model
    c.epochs = epochs
    c.batchSize = 16
    c.learningRate = 0.05
    c.seed = seed
    c.threads = 2
    c.loaderThreads = 1
    return c
  }

  static func trainer(_ configuration: TrainingConfiguration, source: some SampleSource) throws -> Trainer {
    let spec = ModelSpec(name: configuration.model, channels: 1, height: 8, width: 8, classes: classNames.count)
    let steps = (source.count + configuration.batchSize - 1) / configuration.batchSize
    return try Trainer(configuration: configuration, spec: spec, classNames: classNames,
                       normalization: normalization, stepsPerEpoch: steps)
  }
}
