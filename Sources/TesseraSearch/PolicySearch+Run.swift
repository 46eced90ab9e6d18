import Foundation
import TesseraAugment
import TesseraImage
import TesseraTrain

extension PolicySearch {
  /// Runs (or finishes) the search, re-trains the winner and the baselines on every final seed,
  /// and writes the policy file, report and plots into `outputDirectory`.
  @discardableResult
  public func run(outputDirectory: URL) throws -> SearchReport {
    let c = configuration
    log("search \(id): \(c.space.rawValue) space, \(c.algorithm.rawValue), budget \(c.budget), M_val = \(c.objective) on \(c.model)")
    log("  data \(data.origin): \(data.train.count) train / \(data.validation.count) validation / \(data.test.count) test images, \(data.classNames.count) classes")
    let outcome: SearchOutcome
    switch c.algorithm {
    case .random: outcome = try runRandom()
    case .asha: outcome = try runASHA()
    case .pbt: outcome = try runPBT()
    }
    guard var record = try ledger.search(id) else { throw SearchError.unknownSearch(id) }
    record.winner = try outcome.winner.json()
    try ledger.update(record)
    log(String(format: "winner: %@ (M_val %.4f, trial %@)", outcome.winner.name as NSString, outcome.validationScore,
               outcome.winnerKey as NSString))
    let final = c.skipFinal ? [] : try finalEvaluation(outcome)
    let report = try writeReport(outcome: outcome, final: final, to: outputDirectory)
    record.status = .finished
    record.reportPath = outputDirectory.path
    try ledger.update(record)
    // Population checkpoints are only needed to continue unfinished trials; none are left. The trials'
    // specs, results and logs stay: `tessera trial run` replays any of them.
    for name in (try? FileManager.default.contentsOfDirectory(atPath: workDirectory.path)) ?? [] where name.hasSuffix(".ckpt") {
      try? FileManager.default.removeItem(at: workDirectory.appendingPathComponent(name))
    }
    return report
  }

  /// The winner's augmentation for epoch `e` of a run of `epochs`: its PBT schedule stretched over
  /// the run, or the winner itself.
  func winnerPlanCandidate(_ outcome: SearchOutcome, epochs: Int) -> (Int) -> Candidate {
    guard let schedule = outcome.schedule, !schedule.isEmpty else { return { _ in outcome.winner } }
    return { e in schedule[min(schedule.count - 1, e * schedule.count / max(epochs, 1))] }
  }

  /// `RandAugment(2, 9)` → `randaugment-2-9`.
  static func slug(_ name: String) -> String {
    name.lowercased().split { !($0.isLetter || $0.isNumber) }.joined(separator: "-")
  }

  /// Winner and baselines, each trained on the search's training images with every final seed
  /// (the same seeds for all, so runs are paired) and scored on the test split.
  func finalEvaluation(_ outcome: SearchOutcome) throws -> [SearchReport.FinalResult] {
    let c = configuration
    let seeds = (0..<c.seeds).map { c.seed &+ 1000 &+ UInt64($0) }
    let fidelity = Fidelity(epochs: c.finalEpochCount, trainImages: data.train.count)
    log("final evaluation on the test split: winner and \(Baselines.all.count) baselines × \(seeds.count) seeds, \(fidelity)")
    var entries: [(name: String, slug: String, winner: Bool, candidate: Candidate, plan: (Int) -> Candidate)] = [
      ("winner: " + outcome.winner.name, "winner", true, outcome.winner, winnerPlanCandidate(outcome, epochs: fidelity.epochs)),
    ]
    for b in Baselines.all { entries.append((b.name, Self.slug(b.name), false, b, { _ in b })) }
    // Every (entry, seed) run is independent: they go out together, up to `maxParallel` at once.
    var runs: [(entry: Int, seed: Int)] = []
    for e in entries.indices { for k in seeds.indices { runs.append((e, k)) } }
    var recordsByEntry = [[TrialRecord]](repeating: [], count: entries.count)
    var position = 0
    try dispatch(next: {
      guard position < runs.count else { return nil }
      defer { position += 1 }
      let (e, k) = runs[position]
      let entry = entries[e]
      var plan = TrialRunner.Plan(candidate: entry.plan, seed: seeds[k], fidelity: fidelity)
      plan.onTest = true
      return TrialRequest(key: "final-\(entry.slug)-s\(k)", phase: .final, name: entry.name, candidate: entry.candidate, plan: plan)
    }, tell: { request, record in
      if let e = entries.firstIndex(where: { request.key.hasPrefix("final-\($0.slug)-s") }) { recordsByEntry[e].append(record) }
    }, ignoreBudget: true)
    var results: [SearchReport.FinalResult] = []
    for (e, entry) in entries.enumerated() {
      // A seed whose run failed for good is left out (its failure is in the ledger); seeds and scores stay paired.
      let finished = recordsByEntry[e].filter { $0.outcome != nil }
      guard !finished.isEmpty else {
        log("final evaluation: every run of \(entry.name) failed; it is left out of the report (see 'tessera trials ls \(id)')")
        continue
      }
      let outcomes = finished.compactMap(\.outcome)
      let scores = outcomes.map(\.score), accuracies = outcomes.map(\.metrics.accuracy)
      results.append(SearchReport.FinalResult(
        name: entry.name, isWinner: entry.winner, seeds: finished.map { UInt64(bitPattern: $0.seed) }, scores: scores,
        accuracies: accuracies,
        score: Statistics.interval(scores), accuracy: Statistics.interval(accuracies),
        macroF1: Statistics.mean(outcomes.map(\.metrics.macroF1)),
        ece: Statistics.mean(outcomes.map(\.metrics.expectedCalibrationError)),
        augmentMicrosPerImage: outcomes.first?.augmentMicrosPerImage ?? 0,
        cpuSeconds: outcomes.reduce(0) { $0 + $1.cpuSeconds }))
    }
    return results
  }

  /// Plain words on whether the winner beat the baseline `name` on test (Welch's interval of the
  /// difference of the objective over the final seeds).
  func compare(_ final: [SearchReport.FinalResult], with name: String = Baselines.trivialAugmentWide.name)
    -> SearchReport.Comparison? {
    guard let w = final.first(where: \.isWinner), let b = final.first(where: { $0.name == name && !$0.isWinner }) else {
      return nil
    }
    let d = Statistics.difference(w.scores, b.scores)
    let better = d.mean > 0, significant = d.low > 0 || d.high < 0
    let range = String(format: "%+.4f (95%% interval %+.4f … %+.4f, %d seeds each)", d.mean, d.low, d.high, w.scores.count)
    let verdict: String
    if better && significant {
      verdict = "The searched policy beats \(name) on the test split: difference \(range)."
    } else if better {
      verdict = "The searched policy does not clearly beat \(name): it is ahead on average by \(range), but the interval includes zero."
    } else {
      verdict = "The searched policy does NOT beat \(name): difference \(range)."
    }
    return SearchReport.Comparison(baseline: name, difference: d, winnerIsBetter: better, significant: significant,
                                   verdict: verdict)
  }
}
