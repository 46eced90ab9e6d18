import Foundation
import Testing
import TesseraAugment
import TesseraImage
@testable import TesseraSearch

/// Each algorithm end to end on the fixture store with a tiny budget.
@Suite(.serialized)
struct AlgorithmTests {
  func outputs(_ dir: URL) throws -> (PolicyFile, [String: Any]) {
    let policy = try PolicyFile.load(contentsOf: dir.appendingPathComponent("best-policy.json"))
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("report.json")))
    for png in ["mval.png", "samples.png"] {
      let image = try decodeImage(bytes: [UInt8](try Data(contentsOf: dir.appendingPathComponent(png))))
      #expect(image.width > 50 && image.height > 20, "\(png) is \(image.width)x\(image.height)")
    }
    let markdown = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
    #expect(markdown.contains("TrivialAugmentWide") && markdown.contains("CPU-s") && markdown.contains("W per busy core"))
    return (policy, json as! [String: Any])
  }

  @Test func randomSearchRunsItsTrialsAndReportsWinnerBesideBaselines() throws {
    let fixture = try SearchFixture()
    defer { fixture.remove() }
    let c = SearchFixture.configuration(space: .randAugment, algorithm: .random, budget: .trials(3))
    let search = try PolicySearch.start(store: fixture.store, configuration: c)
    let out = fixture.directory.url.appendingPathComponent("out")
    let report = try search.run(outputDirectory: out)

    let trials = try search.ledger.trials(of: search.id)
    let searchTrials = trials.filter { $0.phase == .search }
    #expect(searchTrials.map(\.key) == ["random-0", "random-1", "random-2"])
    #expect(searchTrials.allSatisfy { $0.status == .finished && $0.epochs == 2 && ($0.cpuSeconds ?? 0) > 0 })
    #expect(searchTrials.allSatisfy { $0.datasetVersion == c.commit || $0.datasetVersion.count == 40 })
    #expect(Set(searchTrials.map(\.name)).count >= 2, "candidates differ")
    // Winner + 4 baselines × 2 seeds, scored on test.
    let finals = trials.filter { $0.phase == .final }
    #expect(finals.count == 10 && finals.allSatisfy { $0.status == .finished })
    #expect(report.final.map(\.name).dropFirst() == Baselines.all.map(\.name)[...])
    #expect(report.final.allSatisfy { $0.scores.count == 2 && $0.score.low <= $0.score.mean })
    #expect(report.versusTrivialAugment?.baseline == "TrivialAugmentWide")
    #expect(report.comparisons.map(\.baseline) == Baselines.all.map(\.name))
    #expect(report.comparisons.allSatisfy { $0.verdict.contains($0.baseline) })
    let best = searchTrials.max { ($0.score ?? 0) < ($1.score ?? 0) }!
    #expect(report.winner.validationScore == best.score)
    // The bill adds up from the ledger.
    let cpu = searchTrials.reduce(0) { $0 + ($1.cpuSeconds ?? 0) }
    #expect(abs(report.bill.searchCPUSeconds - cpu) < 1e-9)
    #expect(report.bill.finalCPUSeconds > 0 && report.bill.energyWattHours > 0)

    let (policy, json) = try outputs(out)
    let provenance = try #require(policy.provenance)
    #expect(provenance.searchId == search.id)
    #expect(provenance.datasetVersion == (try fixture.store.resolve("v1")))
    #expect(provenance.metric == "accuracy" && provenance.value == report.winner.validationScore)
    guard case .randAugment = policy.policy else { Issue.record("winner is not a RandAugment policy"); return }
    #expect(json["searchId"] as? String == search.id)
    #expect(try search.ledger.search(search.id)?.status == .finished)
  }

  @Test func ashaPromotesTheTopThirdToMoreEpochsAndImages() throws {
    let fixture = try SearchFixture()
    defer { fixture.remove() }
    var c = SearchFixture.configuration(space: .trivialAugment, algorithm: .asha, budget: .trials(8))
    c.epochs = 4
    c.eta = 2
    c.rungs = 3
    c.skipFinal = true
    c.pareto = true
    let search = try PolicySearch.start(store: fixture.store, configuration: c)
    let out = fixture.directory.url.appendingPathComponent("out")
    let report = try search.run(outputDirectory: out)
    let trials = try search.ledger.trials(of: search.id)
    #expect(trials.count == 8)
    let fidelity = (0..<3).map { search.ashaFidelity(rung: $0) }
    #expect(fidelity[0].epochs < fidelity[2].epochs && fidelity[0].trainImages < fidelity[2].trainImages)
    #expect(fidelity[2] == search.fullFidelity)
    for t in trials {
      #expect(t.fidelity == fidelity[t.rung ?? -1])
      guard let rung = t.rung, rung > 0 else { continue }
      // A promoted trial was, when promoted, in the top 1/η of the rung below among trials started before it.
      let parent = try #require(trials.first { $0.key == t.parentKey })
      let before = trials.filter { $0.rung == rung - 1 && $0.number < t.number }
      let rank = before.filter { ($0.score ?? 0) > (parent.score ?? 0) }.count
      #expect(rank < before.count / c.eta, "\(t.key) promoted from rank \(rank) of \(before.count)")
      #expect(parent.name == t.name)
    }
    #expect(trials.contains { $0.rung == 1 })
    #expect(report.final.isEmpty)
    #expect(report.paretoFront.map { !$0.isEmpty } == true)
    #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("pareto.png").path))
  }

  @Test func pbtExploitCopiesWeightsAndBuildsASchedule() throws {
    let fixture = try SearchFixture()
    defer { fixture.remove() }
    var c = SearchFixture.configuration(space: .randAugment, algorithm: .pbt, budget: .trials(100))
    c.epochs = 3
    c.population = 4
    c.interval = 1
    c.seeds = 1
    let search = try PolicySearch.start(store: fixture.store, configuration: c)
    let report = try search.run(outputDirectory: fixture.directory.url.appendingPathComponent("out"))
    let trials = try search.ledger.trials(of: search.id).filter { $0.phase == .search }
    #expect(trials.count == 12)
    for g in 1..<3 {
      let generation = trials.filter { $0.rung == g }
      let previous = trials.filter { $0.rung == g - 1 }
      #expect(generation.count == 4)
      // Exactly one member (the worst quarter of 4) continues from another member's weights: the best's.
      let exploited = generation.filter { $0.parentKey != "pbt-g\(g - 1)-m\($0.key.split(separator: "m").last!)" }
      #expect(exploited.count == 1)
      let best = previous.max { (($0.score ?? 0), -$0.number) < (($1.score ?? 0), -$1.number) }!
      #expect(exploited.first?.parentKey == best.key)
      // Continuing, not restarting: every member of a later generation warm-starts from a checkpoint.
      #expect(generation.allSatisfy { $0.parentKey != nil })
    }
    #expect(report.winner.schedule?.count == 3)
    #expect(report.final.count == 5 && report.final.allSatisfy { $0.scores.count == 1 })
  }

  @Test func pbtWarmStartContinuesTheParentsWeights() throws {
    // A member continued from a checkpoint after one epoch ends in a different place than a fresh
    // one-epoch run and the same place as an uninterrupted two-epoch run.
    let fixture = try SearchFixture(trainPerClass: 20, testPerClass: 4)
    defer { fixture.remove() }
    var c = SearchFixture.configuration(space: .randAugment, algorithm: .pbt, budget: .trials(1))
    c.commit = try fixture.store.resolve("v1")
    let data = try SearchData.load(fixture.store, commit: c.commit, validationFraction: 0.2, subset: nil)
    let runner = try TrialRunner(data: data, configuration: c)
    let candidate = Baselines.randAugmentDefault
    let full = Fidelity(epochs: 2, trainImages: data.train.count)
    let checkpoint = fixture.directory.url.appendingPathComponent("half.ckpt")
    _ = try runner.run(.init(candidate: { _ in candidate }, seed: 3, fidelity: full, stopAfter: 1, saveTo: checkpoint))
    let continued = try runner.run(.init(candidate: { _ in candidate }, seed: 3, fidelity: full, warmStart: checkpoint))
    let straight = try runner.run(.init(candidate: { _ in candidate }, seed: 3, fidelity: full))
    #expect(continued.metrics == straight.metrics)
  }

  @Test func mixSpaceWritesTheMixerBesideThePolicy() throws {
    let fixture = try SearchFixture(trainPerClass: 30, testPerClass: 5)
    defer { fixture.remove() }
    var c = SearchFixture.configuration(space: .mix, algorithm: .random, budget: .trials(2))
    c.skipFinal = true
    let search = try PolicySearch.start(store: fixture.store, configuration: c)
    let out = fixture.directory.url.appendingPathComponent("out")
    try search.run(outputDirectory: out)
    let mixer = try JSONDecoder().decode(BatchMixer.self, from: Data(contentsOf: out.appendingPathComponent("best-mixing.json")))
    #expect(mixer.mixUpAlpha > 0 || mixer.cutMixAlpha > 0)
    let policy = try PolicyFile.load(contentsOf: out.appendingPathComponent("best-policy.json"))
    #expect(policy.description?.contains("MixUp") == true)
  }

  @Test func resumingAFinishedOrInterruptedSearchRedoesNothingFinished() throws {
    let fixture = try SearchFixture(trainPerClass: 30, testPerClass: 5)
    defer { fixture.remove() }
    var c = SearchFixture.configuration(space: .autoAugment, algorithm: .asha, budget: .trials(5))
    c.skipFinal = true
    let search = try PolicySearch.start(store: fixture.store, configuration: c)
    let out = fixture.directory.url.appendingPathComponent("out")
    let first = try search.run(outputDirectory: out)
    #expect(search.ranCount == 5)
    let before = try search.ledger.trials(of: search.id)

    // Pretend the last trial was cut off by a crash: its row is back to running.
    var last = before.last!
    last.status = .running
    try search.ledger.queue.write { db in try last.update(db) }

    let again = try PolicySearch.resume(store: fixture.store, id: search.id)
    let second = try again.run(outputDirectory: out)
    #expect(again.reusedCount == 4 && again.ranCount == 1)
    let after = try again.ledger.trials(of: search.id)
    #expect(after.map(\.key) == before.map(\.key))
    #expect(zip(before, after).dropLast().allSatisfy { $0.finishedAt == $1.finishedAt && $0.score == $1.score })
    #expect(second.winner.name == first.winner.name)
    #expect(throws: SearchError.self) { try PolicySearch.resume(store: fixture.store, id: "nope") }
  }
}
