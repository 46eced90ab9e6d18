import Foundation
import TesseraAugment

/// One complete training run — the inner loop of a search, or `tessera train`: normalise, train
/// (or resume) for the configured epochs, checkpoint after each, and evaluate on the test split.
public struct TrainingRun: Sendable {
  public var configuration: TrainingConfiguration
  public var data: TrainingData
  public var policy: (any AugmentationPolicy)?
  public var mixer: BatchMixer?
  /// Written after every epoch (atomically).
  public var checkpoint: URL?
  /// Continue from this checkpoint instead of starting fresh (its configuration wins, except threads).
  public var resume: URL?
  /// Per-layer timing plus a measured sgemm peak in the report.
  public var profile = false

  public init(configuration: TrainingConfiguration, data: TrainingData, policy: (any AugmentationPolicy)? = nil,
              mixer: BatchMixer? = nil, checkpoint: URL? = nil, resume: URL? = nil, profile: Bool = false) {
    self.configuration = configuration
    self.data = data
    self.policy = policy
    self.mixer = mixer
    self.checkpoint = checkpoint
    self.resume = resume
    self.profile = profile
  }

  /// Runs to the last epoch; `onEpoch` sees each epoch's report as it finishes.
  public func run(onEpoch: (EpochReport) -> Void = { _ in }) throws -> TrainingReport {
    let trainer: Trainer
    if let resume {
      trainer = try Trainer.resume(from: resume, threads: configuration.threads,
                                   loaderThreads: configuration.loaderThreads)
      guard trainer.classNames == data.train.classNames else {
        throw ConfigurationError("resume: the checkpoint's classes \(trainer.classNames) differ from the data's \(data.train.classNames)")
      }
    } else {
      try configuration.validate()
      let shape = try data.sampleShape()
      let spec = ModelSpec(name: configuration.model, channels: shape.c, height: shape.h, width: shape.w,
                           classes: data.train.classNames.count)
      let normalization = try Normalization.estimate(from: data.train, channels: shape.c, seed: configuration.seed)
      let steps = (data.train.count + configuration.batchSize - 1) / configuration.batchSize
      trainer = try Trainer(configuration: configuration, spec: spec, classNames: data.train.classNames,
                            normalization: normalization, stepsPerEpoch: steps)
    }
    trainer.profiling = profile
    let loader = trainer.trainingLoader(data.train, policy: policy, mixer: mixer)
    guard loader.batchCount == trainer.schedule.stepsPerEpoch else {
      throw ConfigurationError("resume: the checkpoint was made with \(trainer.schedule.stepsPerEpoch) batches per epoch, this data gives \(loader.batchCount)")
    }
    while trainer.completedEpochs < trainer.configuration.epochs {
      let report = try trainer.trainEpoch(loader)
      if let checkpoint { try trainer.saveCheckpoint(to: checkpoint) }
      onEpoch(report)
    }
    let test = try trainer.evaluate(data.test)
    let profileEntries = profile ? trainer.profile : nil
    let peak = profile ? try SGEMMPeak.measure(threads: min(trainer.configuration.threads, trainer.configuration.shards)) : nil
    return TrainingReport(trainer: trainer, data: data, test: test, profile: profileEntries, sgemmPeak: peak)
  }
}

/// Everything a run did, as `tessera train --json` writes it.
public struct TrainingReport: Sendable, Codable {
  public var configuration: TrainingConfiguration
  public var model: ModelSpec
  public var parameterCount: Int
  public var data: String
  public var trainSamples: Int
  public var testSamples: Int
  public var normalization: Normalization
  public var epochs: [EpochReport]
  public var test: ClassificationMetrics
  /// Training samples per second over all epochs (loading included).
  public var samplesPerSecond: Double
  public var trainingSeconds: Double
  public var blasCore: String
  public var profile: [LayerProfiler.Entry]?
  public var sgemmPeak: SGEMMPeak?
  /// GEMM work of the convolution layers per CPU-second spent in them (im2col included), when profiled.
  public var convolutionGFLOPSPerCore: Double?

  init(trainer: Trainer, data: TrainingData, test: ClassificationMetrics, profile: [LayerProfiler.Entry]?,
       sgemmPeak: SGEMMPeak?) {
    configuration = trainer.configuration
    model = trainer.spec
    parameterCount = trainer.parameterCount
    self.data = data.origin
    trainSamples = data.train.count
    testSamples = data.test.count
    normalization = trainer.normalization
    epochs = trainer.history
    self.test = test
    trainingSeconds = trainer.history.reduce(0) { $0 + $1.seconds }
    samplesPerSecond = trainingSeconds > 0 ? Double(trainer.history.reduce(0) { $0 + $1.samples }) / trainingSeconds : 0
    blasCore = BLAS.coreName
    self.profile = profile
    self.sgemmPeak = sgemmPeak
    if let profile {
      let convs = profile.filter { $0.layer.hasPrefix("conv") }
      let flops = convs.reduce(0) { $0 + $1.flops }, seconds = convs.reduce(0) { $0 + $1.seconds }
      convolutionGFLOPSPerCore = seconds > 0 ? flops / seconds / 1e9 : nil
    }
  }
}
