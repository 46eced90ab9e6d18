import ArgumentParser
import Foundation
import TesseraAugment
import TesseraStore
import TesseraTrain

/// `tessera train`: trains a compact model on a pinned dataset version (or an image folder) and
/// reports test metrics. All the work is `TrainingRun` in TesseraTrain.
struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "train", 
    abstract: "Train a compact model on a dataset version and report test metrics.",
    discussion: """
      Reads the train and test splits (files under train/<class>/ and test/<class>/) of a store version (--rev) \
      or of a plain folder (--data), trains for --epochs with one progress line per epoch (loss, accuracy, \
      samples/s), then reports test accuracy, macro-F1, per-class precision and recall and expected calibration \
      error (15 bins). The same seed, data and --shards give the same bits on any number of threads.

      Threads: --threads training threads (default: all cores) each run whole batch shards with \
      single-threaded OpenBLAS; --loader-threads decode and augment ahead at lower priority. Where the CPU has \
      AVX-512, tessera loads OpenBLAS with OPENBLAS_CORETYPE=SkylakeX (about twice the GEMM speed of the AVX2 \
      kernels OpenBLAS 0.3.21 falls back to on CPUs it does not know, same results) unless OPENBLAS_CORETYPE \
      already names newer kernels; TESSERA_BLAS_FAST_KERNELS=0 turns that off. See docs/TRAINING.md.

      Examples:
        tessera train --rev v1 --model cnn-s --epochs 5 --seed 0
        tessera train --rev v1 --model resnet8 --policy ta.json --mix cutmix
        tessera train --data fmnist --subset 10000 --json run.json
        tessera train --data fmnist --checkpoint run.ckpt  # then --resume run.ckpt
      """)

  @Option(help: "Store version to train on: a tag, branch or commit.")
  var rev: String?

  @Option(help: "Store to read --rev from (default: the store holding the current folder).")
  var store: String = "."

  @Option(help: "Plain image folder to train on instead of a store version (DIR/train/<class>/*, DIR/test/<class>/*).")
  var data: String?

  @Option(help: "Model: \(ModelSpec.names.joined(separator: ", ")).")
  var model: String = "cnn-s"

  @Option(help: "Augmentation policy file (JSON) applied to each training image.")
  var policy: String?

  @Option(help: "Batch mixing: mixup, cutmix or both (one chosen per batch).")
  var mix: MixChoice?

  @Option(help: "Beta(α, α) parameter of the mixing ratio.")
  var mixAlpha: Double = 1.0

  @Option(help: "Probability that a batch is mixed at all.")
  var mixProbability: Double = 1.0

  @Option(help: "Training epochs.")
  var epochs: Int = 5

  @Option(help: "Train on this many training images (a seeded random subset).")
  var subset: Int?

  @Option(help: "Seed for initialisation, shuffling, augmentation and mixing.")
  var seed: UInt64 = 0

  @Option(help: "Batch size.")
  var batchSize: Int = 128

  @Option(help: "Optimizer: sgd or adamw.")
  var optimizer: TrainingConfiguration.OptimizerKind = .sgd

  @Option(help: "Base learning rate (default 0.05 for SGD, 0.002 for AdamW).")
  var lr: Float?

  @Option(help: "SGD momentum.")
  var momentum: Float = 0.9

  @Flag(help: "Use Nesterov momentum.")
  var nesterov = false

  @Option(help: "Weight decay (L2 for SGD, decoupled for AdamW) on conv and linear weights.")
  var weightDecay: Float = 5e-4

  @Option(help: "Learning-rate schedule: cosine, step or constant.")
  var schedule: TrainingConfiguration.ScheduleKind = .cosine

  @Option(help: "Step schedule: decay every N epochs.")
  var stepEvery: Int = 30

  @Option(help: "Step schedule: decay factor.")
  var stepFactor: Float = 0.1

  @Option(help: "Linear warm-up length in epochs.")
  var warmup: Double = 0

  @Option(help: "Label smoothing ε.")
  var labelSmoothing: Float = 0

  @Option(help: "Batch shards (part of the result: batch norm statistics are per shard).")
  var shards: Int = 2

  @Option(help: "Training threads (default: all cores).")
  var threads: Int?

  @Option(help: "Loader threads.")
  var loaderThreads: Int = 1

  @Option(help: "Write a checkpoint here after every epoch.")
  var checkpoint: String?

  @Option(help: "Continue from this checkpoint.")
  var resume: String?

  @Flag(help: "Time every layer and compare convolution throughput with a measured sgemm peak.")
  var profile = false

  @Option(help: "Write the full report (configuration, epochs, test metrics) as JSON to this file ('-' for stdout).")
  var json: String?

  enum MixChoice: String, ExpressibleByArgument, CaseIterable { case mixup, cutmix, both }

  func validate() throws {
    guard (rev == nil) != (data == nil) else {
      throw ValidationError("give exactly one of --rev (a store version) and --data (an image folder)")
    }
    guard ModelSpec.names.contains(model) else {
      throw ValidationError("--model: unknown '\(model)' (known: \(ModelSpec.names.joined(separator: ", ")))")
    }
    if let subset, subset < 1 { throw ValidationError("--subset: must be at least 1, got \(subset)") }
    guard mixAlpha > 0 else { throw ValidationError("--mix-alpha: must be positive, got \(mixAlpha)") }
    guard (0...1).contains(mixProbability) else { throw ValidationError("--mix-probability: must be in [0, 1]") }
  }

  func run() throws {
    var configuration = TrainingConfiguration()
    configuration.model = model
    configuration.epochs = epochs
    configuration.batchSize = batchSize
    configuration.optimizer = optimizer
    configuration.learningRate = lr ?? (optimizer == .sgd ? 0.05 : 0.002)
    configuration.momentum = momentum
    configuration.nesterov = nesterov
    configuration.weightDecay = weightDecay
    configuration.schedule = schedule
    configuration.stepEvery = stepEvery
    configuration.stepFactor = stepFactor
    configuration.warmupEpochs = warmup
    configuration.labelSmoothing = labelSmoothing
    configuration.seed = seed
    configuration.shards = shards
    if let threads { configuration.threads = threads }
    configuration.loaderThreads = loaderThreads
    try configuration.validate()

    var dataset: TrainingData
    if let data {
      dataset = try TrainingData.folder(URL(fileURLWithPath: data))
    } else {
      dataset = try TrainingData.store(try Store.open(at: store), revision: rev!)
    }
    if let subset { dataset = dataset.trainSubset(subset, seed: seed) }
    dataset = try dataset.cachedIfSmall()

    let augmentation = try policy.map { try PolicyFile.load(contentsOf: URL(fileURLWithPath: $0)).policy }
    let mixer = mix.map { choice in
      BatchMixer(mixUpAlpha: choice == .cutmix ? 0 : mixAlpha, cutMixAlpha: choice == .mixup ? 0 : mixAlpha,
                 probability: mixProbability, labelSmoothing: 0)
    }
    let toStdout = json == "-"
    func say(_ line: String) {
      if toStdout { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { print(line) }
    }
    say("training \(model) on \(dataset.origin): \(dataset.train.count) train / \(dataset.test.count) test images, "
        + "\(dataset.train.classNames.count) classes; \(configuration.threads) threads, BLAS \(BLASRuntime.coreName)")
    let run = TrainingRun(configuration: configuration, data: dataset, policy: augmentation, mixer: mixer,
                          checkpoint: checkpoint.map { URL(fileURLWithPath: $0) },
                          resume: resume.map { URL(fileURLWithPath: $0) }, profile: profile)
    let report = try run.run { e in
      say(String(format: "epoch %d/%d  loss %.4f  accuracy %.2f%%  %.0f samples/s  lr %.5f  %.1f s",
                 e.epoch, configuration.epochs, e.loss, e.accuracy * 100, e.samplesPerSecond,
                 Double(e.learningRate), e.seconds))
    }
    let t = report.test
    say(String(format: "test: accuracy %.2f%%  macro-F1 %.4f  ECE %.4f  loss %.4f  (%d images)",
               t.accuracy * 100, t.macroF1, t.expectedCalibrationError, t.loss, t.count))
    let width = max(5, t.classNames.map(\.count).max() ?? 5)
    say("  " + "class".padding(toLength: width, withPad: " ", startingAt: 0) + "  precision  recall")
    for (i, name) in t.classNames.enumerated() {
      say("  " + name.padding(toLength: width, withPad: " ", startingAt: 0)
          + String(format: "  %9.4f  %6.4f", t.precision[i], t.recall[i]))
    }
    if let entries = report.profile, let peak = report.sgemmPeak {
      say("profile (CPU time over all shards):")
      for e in entries where e.seconds > 0 {
        say("  " + e.layer.padding(toLength: 28, withPad: " ", startingAt: 0)
            + String(format: " %8.2f s  %7.1f GFLOP/s", e.seconds, e.gflopsPerCoreSecond))
      }
      say(String(format: "sgemm peak %.1f GFLOP/s per core (%d threads, %@); convolutions %.1f GFLOP/s per core (%.0f%%)",
                 peak.gflopsPerCore, peak.threads, peak.core as NSString, report.convolutionGFLOPSPerCore ?? 0,
                 100 * (report.convolutionGFLOPSPerCore ?? 0) / max(peak.gflopsPerCore, 1e-9)))
    }
    if let json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      let bytes = try encoder.encode(report)
      if toStdout { print(String(decoding: bytes, as: UTF8.self)) } else { try bytes.write(to: URL(fileURLWithPath: json)) }
    }
  }
}

extension TrainingConfiguration.OptimizerKind: ExpressibleByArgument {}
extension TrainingConfiguration.ScheduleKind: ExpressibleByArgument {}

extension Tessera {
  /// Commands that train models, and so run sgemm.
  static let trainingCommands: Set<String> = ["train", "search", "demo", "trial"]

  /// Call first in `main`: commands that train load OpenBLAS here, before any thread starts, since choosing
  /// its kernels may set `OPENBLAS_CORETYPE` (see `BLASRuntime`); `trial` runs a search's trials in worker
  /// processes. Other commands load it only if they train after all (lazily, in `Trainer.init`). A failure to
  /// load is reported by the command itself, when it needs the library.
  public static func prepareProcess(arguments: [String] = CommandLine.arguments) {
    guard let command = arguments.dropFirst().first, trainingCommands.contains(command) else { return }
    try? BLASRuntime.load()
  }
}
