/// One copy of a model's layers that runs one shard of each batch on one thread.
///
/// Parameter values and running statistics are shared with the other replicas (read-only
/// during a pass); gradients, batch statistics and every activation buffer are this replica's own.
/// `@unchecked Sendable` because a replica moves between threads, but the trainer hands it to
/// exactly one thread per pass and waits for that pass to finish before touching it again.
final class Replica: @unchecked Sendable {
  let network: Sequential
  let classes: Int
  let gradients: SharedFloats
  let batchStatistics: SharedFloats
  let profiler = LayerProfiler()
  var profiling = false
  private let input = FloatBuffer()
  private let lossGradient = FloatBuffer()

  init(spec: ModelSpec, layout: ParameterLayout) throws {
    var rebuilt = ParameterLayout()
    network = try spec.build(layout: &rebuilt)
    precondition(rebuilt == layout, "model \(spec.name) did not rebuild to the same parameter layout")
    classes = spec.classes
    gradients = SharedFloats(count: layout.count)
    batchStatistics = SharedFloats(count: layout.stateCount)
  }

  /// Copies samples `range` of an NCHW batch into this replica's channel-major input.
  private func load(_ inputs: UnsafePointer<Float>, sampleShape: ActivationShape, range: Range<Int>) -> Activation {
    let n = range.count, c = sampleShape.c, plane = sampleShape.plane
    let x = input.reserve(n * c * plane)
    for s in 0..<n {
      let src = inputs + (range.lowerBound + s) * c * plane
      for ch in 0..<c { (x + (ch * n + s) * plane).update(from: src + ch * plane, count: plane) }
    }
    return Activation(shape: ActivationShape(n: n, c: c, h: sampleShape.h, w: sampleShape.w), data: x)
  }

  private func context(_ model: ModelParameters, training: Bool, seed: UInt64) -> PassContext {
    PassContext(parameters: model.values.pointer, gradients: gradients.pointer, state: model.state.pointer,
                batchStatistics: batchStatistics.pointer, training: training, seed: seed,
                profiler: profiling ? profiler : nil)
  }

  /// Forward and backward over samples `range` of `batch`; gradients are overwritten (not
  /// accumulated across steps). Returns the summed loss and the number of samples whose top
  /// prediction matches their label.
  func trainStep(_ batch: Batch, range: Range<Int>, model: ModelParameters, loss: SoftmaxCrossEntropy,
                 seed: UInt64) -> (loss: Double, correct: Int) {
    gradients.zero()
    let ctx = context(model, training: true, seed: seed)
    let logits = batch.inputs.withUnsafeBufferPointer { inputs in
      network.forward(load(inputs.baseAddress!, sampleShape: batch.sampleShape, range: range), ctx)
    }
    let n = range.count
    let dz = lossGradient.reserve(n * classes)
    let total = batch.targets.withUnsafeBufferPointer { t in
      loss.evaluate(logits: logits, targets: t.baseAddress! + range.lowerBound * classes,
                    normalizer: Float(batch.count), gradient: dz)
    }
    let correct = countCorrect(logits, labels: batch.labels, range: range)
    _ = network.backward(Activation(shape: logits.shape, data: dz), ctx)
    return (total, correct)
  }

  /// Class probabilities (`N × K`, row per sample) for samples `range` in evaluation mode.
  func predict(_ batch: Batch, range: Range<Int>, model: ModelParameters,
               into probabilities: UnsafeMutablePointer<Float>, loss: SoftmaxCrossEntropy) -> Double {
    let ctx = context(model, training: false, seed: 0)
    let logits = batch.inputs.withUnsafeBufferPointer { inputs in
      network.forward(load(inputs.baseAddress!, sampleShape: batch.sampleShape, range: range), ctx)
    }
    return batch.targets.withUnsafeBufferPointer { t in
      loss.evaluate(logits: logits, targets: t.baseAddress! + range.lowerBound * classes,
                    normalizer: 1, gradient: nil, probabilities: probabilities)
    }
  }

  private func countCorrect(_ logits: Activation, labels: [Int], range: Range<Int>) -> Int {
    let n = logits.shape.n
    var correct = 0
    for s in 0..<n {
      var best = 0
      for j in 1..<classes where logits.data[j * n + s] > logits.data[best * n + s] { best = j }
      if best == labels[range.lowerBound + s] { correct += 1 }
    }
    return correct
  }
}
