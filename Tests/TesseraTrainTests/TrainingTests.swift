import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraTrain

struct TrainingTests {
  @Test func cnnSLearnsTheShapesFixture() throws {
    let train = Shapes.source(perClass: 48, seed: 1), test = Shapes.source(perClass: 16, seed: 2)
    let trainer = try Shapes.trainer(Shapes.configuration(epochs: 8), source: train)
    let loader = trainer.trainingLoader(train)
    var losses: [Double] = []
    for _ in 0..<8 { losses.append(try trainer.trainEpoch(loader).loss) }
    let metrics = try trainer.evaluate(test)
    #expect(losses.last! < losses.first! / 3, "losses \(losses)")
    #expect(metrics.accuracy >= 0.9, "test accuracy \(metrics.accuracy), losses \(losses)")
    #expect(metrics.count == 64)
    #expect(metrics.confusion.joined().reduce(0, +) == 64)
  }

  @Test(arguments: ModelSpec.names)
  func everyModelTakesAStepWithFiniteLoss(model: String) throws {
    let train = Shapes.source(perClass: 4, seed: 3)
    let trainer = try Shapes.trainer(Shapes.configuration(model: model, epochs: 1), source: train)
    let report = try trainer.trainEpoch(trainer.trainingLoader(train))
    #expect(report.loss.isFinite && report.loss > 0)
    #expect(report.samples == 16)
    #expect(trainer.parameters.allSatisfy { $0.isFinite })
  }

  @Test func sameSeedGivesTheSameBitsWhateverTheThreadCounts() throws {
    let train = Shapes.source(perClass: 12, seed: 4)
    func run(seed: UInt64, threads: Int, loaderThreads: Int) throws -> ([Float], [Double]) {
      var c = Shapes.configuration(model: "resnet8", epochs: 2, seed: seed)
      c.threads = threads
      c.loaderThreads = loaderThreads
      let trainer = try Shapes.trainer(c, source: train)
      let loader = trainer.trainingLoader(train)
      let losses = try (0..<2).map { _ in try trainer.trainEpoch(loader).loss }
      return (trainer.parameters + trainer.runningStatistics, losses)
    }
    let a = try run(seed: 11, threads: 2, loaderThreads: 2)
    let b = try run(seed: 11, threads: 1, loaderThreads: 0)
    let c = try run(seed: 12, threads: 2, loaderThreads: 1)
    #expect(a.0 == b.0)
    #expect(a.1 == b.1)
    #expect(a.0 != c.0)
  }

  @Test(arguments: [TrainingConfiguration.OptimizerKind.sgd, .adamw])
  func resumingFromACheckpointMatchesAnUninterruptedRun(optimizer: TrainingConfiguration.OptimizerKind) throws {
    let train = Shapes.source(perClass: 8, seed: 5)
    var c = Shapes.configuration(model: "resnet8", epochs: 3, seed: 21)
    c.optimizer = optimizer
    c.nesterov = true
    c.learningRate = optimizer == .sgd ? 0.05 : 0.003
    c.warmupEpochs = 0.5
    let straight = try Shapes.trainer(c, source: train)
    for _ in 0..<3 { try straight.trainEpoch(straight.trainingLoader(train)) }

    try withTemporaryDirectory { dir in
      let file = dir.url.appendingPathComponent("run.ckpt")
      let first = try Shapes.trainer(c, source: train)
      try first.trainEpoch(first.trainingLoader(train))
      try first.saveCheckpoint(to: file)
      try first.trainEpoch(first.trainingLoader(train))  // progress after the save must not leak in
      let resumed = try Trainer.resume(from: file, threads: 1)
      #expect(resumed.completedEpochs == 1)
      for _ in 0..<2 { try resumed.trainEpoch(resumed.trainingLoader(train)) }
      #expect(resumed.parameters == straight.parameters)
      #expect(resumed.runningStatistics == straight.runningStatistics)
      #expect(resumed.history.map(\.loss) == straight.history.map(\.loss))
      #expect(resumed.step == straight.step)
    }
  }

  @Test func corruptCheckpointsFailWithTheFileName() throws {
    try withTemporaryDirectory { dir in
      try dir.write(Array("not a checkpoint".utf8), to: "bad.ckpt")
      let url = dir.url.appendingPathComponent("bad.ckpt")
      #expect { try Trainer.resume(from: url) } throws: { error in
        "\(error)".contains("bad.ckpt") && "\(error)".contains("not a Tessera checkpoint")
      }
      let train = Shapes.source(perClass: 2, seed: 6)
      let trainer = try Shapes.trainer(Shapes.configuration(model: "mlp", epochs: 1), source: train)
      let good = dir.url.appendingPathComponent("good.ckpt")
      try trainer.saveCheckpoint(to: good)
      let bytes = try Data(contentsOf: good)
      try bytes.prefix(bytes.count - 10).write(to: good)
      #expect { try Trainer.resume(from: good) } throws: { "\($0)".contains("good.ckpt") }
    }
  }

  @Test func badConfigurationsNameTheField() {
    var c = TrainingConfiguration()
    c.model = "vgg"
    #expect { try c.validate() } throws: { "\($0)".hasPrefix("model:") }
    c = TrainingConfiguration()
    c.labelSmoothing = 1
    #expect { try c.validate() } throws: { "\($0)".hasPrefix("label smoothing:") }
  }
}
