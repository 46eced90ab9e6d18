import Foundation
import TesseraAugment
import TesseraImage

/// Turns a `SampleSource` into batches: read and decode, per-sample augmentation policy,
/// per-batch MixUp/CutMix, channel conversion and normalisation; shuffled per epoch; built
/// ahead on background threads.
///
/// Batch `k` of epoch `e` depends only on the seed, `e` and `k` — every random draw comes from
/// a generator keyed by (seed, epoch, sample) or (seed, epoch, batch) — so any number of loader
/// threads yields the same batches in the same order. The policy and mixer are TesseraAugment's
/// (`AugmentationPolicy`, `BatchMixer`); they work on 8-bit images, before normalisation, so a
/// policy means here what it means in TesseraAugment's previews and exports.
public struct DataLoader: Sendable {
  public var source: any SampleSource
  public var batchSize: Int
  /// The model's input: every sample is converted to these channels and must have this size.
  public var sampleShape: ActivationShape
  public var normalization: Normalization
  public var shuffle: Bool
  public var seed: UInt64
  /// Applied to each training image; SamplePairing partners are the other images of its batch.
  public var policy: (any AugmentationPolicy)?
  /// Mixes each batch. Its `labelSmoothing` is ignored: the loss smooths labels.
  public var mixer: BatchMixer?
  /// Background threads building batches; 0 builds them on the consuming thread.
  public var threads: Int
  /// Batches built ahead of the consumer.
  public var prefetch: Int

  public init(source: any SampleSource, batchSize: Int, sampleShape: ActivationShape, normalization: Normalization,
              shuffle: Bool, seed: UInt64, policy: (any AugmentationPolicy)? = nil, mixer: BatchMixer? = nil,
              threads: Int = 1, prefetch: Int = 3) {
    precondition(batchSize > 0, "batch size must be positive")
    precondition(normalization.mean.count == sampleShape.c, "normalisation needs one mean per channel")
    self.source = source
    self.batchSize = batchSize
    self.sampleShape = ActivationShape(n: 1, c: sampleShape.c, h: sampleShape.h, w: sampleShape.w)
    self.normalization = normalization
    self.shuffle = shuffle
    self.seed = seed
    self.policy = policy
    self.mixer = mixer
    self.threads = max(0, threads)
    self.prefetch = max(1, prefetch)
  }

  public var batchCount: Int { (source.count + batchSize - 1) / batchSize }

  /// The order samples are visited in `epoch`: a seeded Fisher–Yates shuffle, or 0..<count.
  public func order(epoch: Int) -> [Int] {
    var order = Array(0..<source.count)
    guard shuffle else { return order }
    var rng = SplitMix64(seed: seed ^ 0x5348_5546_464C_45, index: UInt64(epoch))
    for i in stride(from: order.count - 1, to: 0, by: -1) {
      order.swapAt(i, rng.nextInt(below: i + 1))
    }
    return order
  }

  /// Builds batch `index` of `epoch` given that epoch's `order`.
  public func makeBatch(_ index: Int, epoch: Int, order: [Int]) throws -> Batch {
    let lo = index * batchSize, hi = min(order.count, lo + batchSize)
    let members = Array(order[lo..<hi])
    let classes = source.classNames.count
    let epochKey = UInt64(truncatingIfNeeded: epoch) << 32
    var images = try members.map { try source.image(at: $0) }
    let labels = members.map { source.label(at: $0) }
    if let policy {
      let partners = images
      for (slot, sampleIndex) in members.enumerated() {
        var rng = SplitMix64(seed: seed ^ 0x504F_4C49_4359, index: epochKey | UInt64(sampleIndex))
        images[slot] = policy.augment(partners[slot], partners: partners, using: &rng).image
      }
    }
    for (slot, sampleIndex) in members.enumerated() {
      let image = images[slot]
      guard image.width == sampleShape.w, image.height == sampleShape.h else {
        throw LoaderError.wrongSize(source.describe(sampleIndex), width: image.width, height: image.height,
                                    expectedWidth: sampleShape.w, expectedHeight: sampleShape.h)
      }
      images[slot] = try SampleConversion.convert(image, channels: sampleShape.c)
    }
    var targets = [Float](repeating: 0, count: members.count * classes)
    for (slot, label) in labels.enumerated() { targets[slot * classes + label] = 1 }
    if let mixer, members.count > 1 {
      var rng = SplitMix64(seed: seed ^ 0x4D49_5845_52, index: epochKey | UInt64(index))
      let rows = (0..<members.count).map { Array(targets[($0 * classes)..<(($0 + 1) * classes)]) }
      let mixed = mixer.mix(images, softLabels: rows, using: &rng)
      images = mixed.images
      targets = Array(mixed.labels.joined())
    }
    return Batch(sampleShape: sampleShape, classes: classes, inputs: normalize(images), targets: targets,
                 labels: labels, indices: members)
  }

  /// HWC bytes → NCHW floats, `(x/255 − mean)/std` in one pass.
  func normalize(_ images: [Image]) -> [Float] {
    let per = sampleShape.perSample, plane = sampleShape.plane, channels = sampleShape.c
    let scale = (0..<channels).map { 1 / (255 * normalization.std[$0]) }
    let offset = (0..<channels).map { -normalization.mean[$0] / normalization.std[$0] }
    var inputs = [Float](repeating: 0, count: images.count * per)
    inputs.withUnsafeMutableBufferPointer { dst in
      for (slot, image) in images.enumerated() {
        image.pixels.withUnsafeBufferPointer { px in
          let base = dst.baseAddress! + slot * per
          for c in 0..<channels {
            let out = base + c * plane, a = scale[c], b = offset[c]
            for p in 0..<plane { out[p] = Float(px[p * channels + c]) * a + b }
          }
        }
      }
    }
    return inputs
  }

  /// The batches of `epoch` in order, from `startBatch` on, built ahead on background threads.
  public func batches(epoch: Int, startingAt startBatch: Int = 0) -> BatchStream {
    BatchStream(loader: self, epoch: epoch, start: startBatch)
  }
}
