import Foundation
import TesseraAugment

/// Trains one model: owns its parameters, optimizer state and shard replicas, and counts epochs
/// and steps so that a checkpoint taken between epochs resumes to the same bits.
public final class Trainer {
  public let configuration: TrainingConfiguration
  public let spec: ModelSpec
  public let classNames: [String]
  public let normalization: Normalization
  /// The learning-rate schedule, fixed at creation from the epochs and batches per epoch.
  public let schedule: LearningRateSchedule
  public private(set) var completedEpochs = 0
  public private(set) var step = 0
  public private(set) var history: [EpochReport] = []
  /// Collect per-layer CPU time and GEMM work (costs two clock reads per layer per pass).
  public var profiling = false {
    didSet { for r in replicas { r.profiling = profiling } }
  }

  let model: ModelParameters
  var optimizer: OptimizerState
  let replicas: [Replica]
  let loss: SoftmaxCrossEntropy
  private let gradientSum: SharedFloats

  /// - Parameters:
  ///   - stepsPerEpoch: batches per training epoch, which fixes the schedule's length.
  public init(configuration: TrainingConfiguration, spec: ModelSpec, classNames: [String],
              normalization: Normalization, stepsPerEpoch: Int) throws {
    try configuration.validate()
    guard spec.classes == classNames.count else {
      throw ConfigurationError("classes: the model has \(spec.classes) outputs but the data has \(classNames.count) classes")
    }
    guard normalization.mean.count == spec.channels else {
      throw ConfigurationError("normalisation: \(normalization.mean.count) channels, the model takes \(spec.channels)")
    }
    try BLAS.useCallerThreadOnly()
    self.configuration = configuration
    self.spec = spec
    self.classNames = classNames
    self.normalization = normalization
    let steps = max(stepsPerEpoch, 1)
    let shape: LearningRateSchedule.Shape
    switch configuration.schedule {
    case .cosine: shape = .cosine(minimum: 0)
    case .step: shape = .step(everyEpochs: configuration.stepEvery, factor: configuration.stepFactor)
    case .constant: shape = .constant
    }
    schedule = LearningRateSchedule(
      base: configuration.learningRate, shape: shape, totalSteps: steps * configuration.epochs, stepsPerEpoch: steps,
      warmupSteps: Int((configuration.warmupEpochs * Double(steps)).rounded()))
    let model = try ModelParameters(spec: spec, seed: Trainer.derive(configuration.seed, 0x494E_4954))
    self.model = model
    replicas = try (0..<configuration.shards).map { _ in try Replica(spec: spec, layout: model.layout) }
    optimizer = OptimizerState(configuration)
    loss = SoftmaxCrossEntropy(labelSmoothing: configuration.labelSmoothing)
    gradientSum = SharedFloats(count: model.layout.count)
  }

  /// Number of trainable parameters.
  public var parameterCount: Int { model.layout.count }
  public var layout: ParameterLayout { model.layout }
  /// A copy of the current parameter values.
  public var parameters: [Float] { model.values.array }
  /// A copy of the running statistics (batch norm).
  public var runningStatistics: [Float] { model.state.array }

  static func derive(_ seed: UInt64, _ purpose: UInt64) -> UInt64 {
    var rng = SplitMix64(seed: seed, index: purpose)
    return rng.next()
  }

  /// Samples `lo..<hi` of a batch for each shard: as even as possible, earlier shards larger.
  func shardRanges(_ count: Int) -> [Range<Int>] {
    let shards = configuration.shards
    var ranges: [Range<Int>] = []
    var lo = 0
    for s in 0..<shards {
      let size = count / shards + (s < count % shards ? 1 : 0)
      ranges.append(lo..<(lo + size))
      lo += size
    }
    return ranges
  }

  /// One optimizer step on `batch`. Returns the summed loss and the correctly predicted count.
  @discardableResult
  public func trainStep(_ batch: Batch) -> (loss: Double, correct: Int) {
    precondition(batch.sampleShape.perSample == spec.inputShape.perSample && batch.classes == spec.classes,
                 "batch does not fit the model")
    let ranges = shardRanges(batch.count)
    let results = TaskSlots<(loss: Double, correct: Int)>(repeating: (0, 0), count: ranges.count)
    let replicas = self.replicas, model = self.model, loss = self.loss
    let stepSeed = Trainer.derive(configuration.seed ^ 0x4452_4F50, UInt64(step))
    parallelFor(ranges.count, threads: configuration.threads) { s in
      guard !ranges[s].isEmpty else { return }
      results[s] = replicas[s].trainStep(batch, range: ranges[s], model: model, loss: loss,
                                         seed: stepSeed &+ UInt64(s))
    }
    // Sum shard gradients in shard order, so the result does not depend on thread timing.
    let active = ranges.indices.filter { !ranges[$0].isEmpty }
    let sum = gradientSum.pointer, n = gradientSum.count
    sum.update(from: replicas[active[0]].gradients.pointer, count: n)
    for s in active.dropFirst() {
      let g = replicas[s].gradients.pointer
      for i in 0..<n { sum[i] += g[i] }
    }
    optimizer.step(parameters: model.values.pointer, gradients: sum, layout: model.layout,
                   learningRate: schedule.rate(at: step))
    mergeBatchStatistics(active)
    step += 1
    return results.all.reduce((0, 0)) { ($0.0 + $1.loss, $0.1 + $1.correct) }
  }

  /// running = (1 − m)·running + m·(mean of the shards' batch statistics), m = 0.1 as in PyTorch.
  private func mergeBatchStatistics(_ active: [Int]) {
    let count = model.state.count
    guard model.layout.stateCount > 0 else { return }
    let momentum: Float = 0.1
    let state = model.state.pointer
    let weight = 1 / Float(active.count)
    for i in 0..<count {
      var mean: Float = 0
      for s in active { mean += replicas[s].batchStatistics.pointer[i] }
      state[i] = (1 - momentum) * state[i] + momentum * (mean * weight)
    }
  }

  /// Trains one epoch over `loader`'s batches; `progress` sees each step number (1-based), the
  /// epoch's step count and the step's mean loss.
  @discardableResult
  public func trainEpoch(_ loader: DataLoader,
                         progress: ((_ step: Int, _ of: Int, _ loss: Double) -> Void)? = nil) throws -> EpochReport {
    let stream = loader.batches(epoch: completedEpochs)
    defer { stream.cancel() }
    let start = Date(), cpuStart = processCPUTime()
    var lossSum = 0.0, correct = 0, samples = 0, index = 0
    while let batch = try stream.next() {
      let r = trainStep(batch)
      lossSum += r.loss
      correct += r.correct
      samples += batch.count
      index += 1
      progress?(index, stream.batchCount, r.loss / Double(batch.count))
    }
    let seconds = Date().timeIntervalSince(start)
    completedEpochs += 1
    let report = EpochReport(
      epoch: completedEpochs, loss: samples > 0 ? lossSum / Double(samples) : 0,
      accuracy: samples > 0 ? Double(correct) / Double(samples) : 0, samples: samples, seconds: seconds,
      cpuSeconds: processCPUTime() - cpuStart, samplesPerSecond: seconds > 0 ? Double(samples) / seconds : 0,
      learningRate: schedule.rate(at: max(step - 1, 0)))
    history.append(report)
    return report
  }

  /// Class probabilities for every sample of `loader` (in order, no shuffling), `count × classes`.
  public func predict(_ loader: DataLoader) throws -> (probabilities: [Float], labels: [Int]) {
    let k = spec.classes
    var probabilities = [Float](repeating: 0, count: loader.source.count * k)
    var labels: [Int] = []
    labels.reserveCapacity(loader.source.count)
    let stream = loader.batches(epoch: 0)
    defer { stream.cancel() }
    let replicas = self.replicas, model = self.model, loss = self.loss
    while let batch = try stream.next() {
      let ranges = shardRanges(batch.count)
      let out = TaskSlots<[Float]>(repeating: [], count: ranges.count)
      parallelFor(ranges.count, threads: configuration.threads) { s in
        guard !ranges[s].isEmpty else { return }
        var p = [Float](repeating: 0, count: ranges[s].count * k)
        p.withUnsafeMutableBufferPointer { buffer in
          _ = replicas[s].predict(batch, range: ranges[s], model: model, into: buffer.baseAddress!, loss: loss)
        }
        out[s] = p
      }
      let base = labels.count * k
      var offset = base
      for p in out.all {
        probabilities.replaceSubrange(offset..<(offset + p.count), with: p)
        offset += p.count
      }
      labels += batch.labels
    }
    return (probabilities, labels)
  }

  /// Metrics of the model on `source`, in evaluation mode (running batch-norm statistics, no dropout).
  public func evaluate(_ source: any SampleSource, batchSize: Int? = nil) throws -> ClassificationMetrics {
    let loader = DataLoader(source: source, batchSize: batchSize ?? configuration.batchSize,
                            sampleShape: spec.inputShape, normalization: normalization, shuffle: false,
                            seed: 0, threads: configuration.loaderThreads)
    let (p, labels) = try predict(loader)
    return ClassificationMetrics(probabilities: p, labels: labels, classNames: classNames)
  }

  func restoreProgress(completedEpochs: Int, step: Int, history: [EpochReport]) {
    self.completedEpochs = completedEpochs
    self.step = step
    self.history = history
  }

  /// A loader for training batches with this trainer's batch size, seed, normalisation and threads.
  public func trainingLoader(_ source: any SampleSource, policy: (any AugmentationPolicy)? = nil,
                             mixer: BatchMixer? = nil) -> DataLoader {
    DataLoader(source: source, batchSize: configuration.batchSize, sampleShape: spec.inputShape,
               normalization: normalization, shuffle: true, seed: Trainer.derive(configuration.seed, 0x4C4F_4144),
               policy: policy, mixer: mixer, threads: configuration.loaderThreads)
  }

  /// Per-layer CPU time and GEMM throughput over all shards since profiling was switched on.
  public var profile: [LayerProfiler.Entry] {
    let merged = LayerProfiler()
    for r in replicas { merged.merge(r.profiler) }
    return merged.report
  }
}
