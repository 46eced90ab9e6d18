import Foundation
import TesseraAugment
import TesseraImage
import TesseraStore
import TesseraTestSupport
import TesseraTrain
@testable import TesseraSearch

/// A tiny dataset store built in code: 8×8 grey images of four classes (a horizontal bar, a
/// vertical bar, a diagonal, a small square at a random place on a noisy background), committed
/// as `train/<class>/*.png` and `test/<class>/*.png` and tagged `v1`.
struct SearchFixture {
  static let classNames = ["diagonal", "horizontal", "square", "vertical"]
  let directory: TemporaryDirectory
  let store: Store

  init(trainPerClass: Int = 50, testPerClass: Int = 12, seed: UInt64 = 1) throws {
    directory = try TemporaryDirectory(prefix: "tessera-search")
    store = try Store.initialize(at: directory.path)
    var rng = SplitMix64(seed: seed)
    for (split, count) in [("train", trainPerClass), ("test", testPerClass)] {
      for (label, name) in Self.classNames.enumerated() {
        for i in 0..<count {
          let image = Self.image(label: label, rng: &rng)
          try directory.write(try encodePNG(image), to: "\(split)/\(name)/\(String(format: "%04d", i)).png")
        }
      }
    }
    try store.add([])
    try store.commit(message: "fixture")
    try store.createTag("v1")
  }

  func remove() { directory.remove() }

  static func image(label: Int, size: Int = 8, rng: inout SplitMix64) -> Image {
    var pixels = (0..<(size * size)).map { _ in UInt8(rng.nextInt(below: 60)) }
    func set(_ x: Int, _ y: Int) {
      guard (0..<size).contains(x), (0..<size).contains(y) else { return }
      pixels[y * size + x] = UInt8(190 + rng.nextInt(below: 66))
    }
    let p = rng.nextInt(below: size - 2) + 1
    switch label {
    case 1: for x in 0..<size { set(x, p) }
    case 3: for y in 0..<size { set(p, y) }
    case 0: for i in 0..<size { set((i + p) % size, i) }
    default:
      let q = rng.nextInt(below: size - 2)
      for dy in 0..<2 { for dx in 0..<2 { set(p - 1 + dx, q + dy) } }
    }
    return Image(width: size, height: size, channels: 1, pixels: pixels)
  }

  /// Small, fast settings: 2 epochs, batch 32, 2 final seeds unless changed.
  static func configuration(space: SearchSpace, algorithm: SearchAlgorithm, budget: Budget) -> SearchConfiguration {
    var c = SearchConfiguration(revision: "v1", space: space, algorithm: algorithm, budget: budget)
    c.epochs = 2
    c.batchSize = 32
    c.learningRate = 0.05
    c.seeds = 2
    c.threads = 2
    c.validationFraction = 0.2
    return c
  }
}
