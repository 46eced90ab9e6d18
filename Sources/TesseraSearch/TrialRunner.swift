import Foundation
import TesseraAugment
import TesseraImage
import TesseraTrain

/// Trains one model for a trial and scores it: the inner loop.
///
/// Uses `Trainer` directly rather than `TrainingRun`, because a search scores on its validation
/// split (not the test split), stops population members between epochs, and warm-starts them from
/// another member's checkpoint.
final class TrialRunner {
  let data: SearchData
  let configuration: SearchConfiguration
  let spec: ModelSpec
  /// Estimated once from the training images, shared by every trial so trials differ only in augmentation.
  let normalization: Normalization
  private var costCache: [Candidate: Double] = [:]

  init(data: SearchData, configuration: SearchConfiguration) throws {
    self.data = data
    self.configuration = configuration
    let image = try data.train.image(at: 0)
    let channels = image.channels == 4 ? 3 : image.channels
    spec = ModelSpec(name: configuration.model, channels: channels, height: image.height, width: image.width,
                     classes: data.classNames.count)
    normalization = try Normalization.estimate(from: data.train, channels: channels, seed: configuration.seed)
  }

  /// What to train: `candidate(epoch)` gives the augmentation of each 0-based epoch (a constant for
  /// ordinary trials, a schedule for population members).
  struct Plan {
    var candidate: (Int) -> Candidate
    var seed: UInt64
    var fidelity: Fidelity
    /// Continue this checkpoint (its weights, optimizer state and step count) instead of starting fresh.
    var warmStart: URL?
    /// Stop after this many completed epochs (of `fidelity.epochs`); nil trains to the end.
    var stopAfter: Int?
    /// Save the trainer here when stopping.
    var saveTo: URL?
    /// Score on the test split instead of validation (final runs only).
    var onTest = false
  }

  func run(_ plan: Plan) throws -> TrialOutcome {
    let cpu0 = CPUClock.processSeconds(), wall0 = CPUClock.wallSeconds()
    let source = data.trainPrefix(plan.fidelity.trainImages)
    let trainer: Trainer
    if let warmStart = plan.warmStart {
      trainer = try Trainer.resume(from: warmStart, threads: configuration.threads,
                                   loaderThreads: configuration.loaderThreads)
    } else {
      let training = configuration.training(seed: plan.seed, epochs: plan.fidelity.epochs)
      let steps = (source.count + training.batchSize - 1) / training.batchSize
      trainer = try Trainer(configuration: training, spec: spec, classNames: data.classNames,
                            normalization: normalization, stepsPerEpoch: steps)
    }
    let end = min(plan.stopAfter ?? trainer.configuration.epochs, trainer.configuration.epochs)
    var last = plan.candidate(max(trainer.completedEpochs, 0))
    while trainer.completedEpochs < end {
      let candidate = plan.candidate(trainer.completedEpochs)
      last = candidate
      let loader = trainer.trainingLoader(source, policy: candidate.policy, mixer: candidate.mixer)
      try trainer.trainEpoch(loader)
    }
    if let saveTo = plan.saveTo { try trainer.saveCheckpoint(to: saveTo) }
    let metrics = try trainer.evaluate(plan.onTest ? data.test : data.validation)
    let cpu = CPUClock.processSeconds() - cpu0, wall = CPUClock.wallSeconds() - wall0
    return TrialOutcome(metrics: metrics, score: configuration.objective.score(metrics), cpuSeconds: cpu,
                        wallSeconds: wall, augmentMicrosPerImage: try augmentCost(last))
  }

  /// CPU microseconds per image to augment up to 256 training images with `candidate` on this
  /// thread (policy per image, then mixing per batch), best of three passes.
  func augmentCost(_ candidate: Candidate) throws -> Double {
    if let cached = costCache[candidate] { return cached }
    let n = min(256, data.train.count)
    let images = try (0..<n).map { try data.train.image(at: $0) }
    var best = Double.infinity
    for pass in 0..<3 {
      let t0 = CPUClock.threadSeconds()
      var out = images
      if let policy = candidate.policy {
        for i in 0..<n {
          var rng = SplitMix64(seed: UInt64(pass), index: UInt64(i))
          out[i] = policy.augment(images[i], partners: images, using: &rng).image
        }
      }
      if let mixer = candidate.mixer {
        var rng = SplitMix64(seed: UInt64(pass), index: 0x4D49_58)
        out = mixer.mix(out, labels: Array(repeating: 0, count: n), classCount: max(data.classNames.count, 1),
                        using: &rng).images
      }
      best = min(best, CPUClock.threadSeconds() - t0)
      // Keep the work observable so the optimiser cannot drop it.
      if out.isEmpty { best = 0 }
    }
    let micros = best / Double(n) * 1e6
    costCache[candidate] = micros
    return micros
  }
}
