import Foundation
import TesseraAugment

extension PolicySearch {
  func checkpointURL(generation g: Int, member m: Int) -> URL {
    workDirectory.appendingPathComponent("pbt-g\(g)-m\(m).ckpt")
  }

  /// Population-based schedule search in the spirit of PBA. Members train side by side for
  /// `epochs` in steps of `interval`; after each step the worst quarter (at least one) continues
  /// from a best-quarter member's checkpoint — its weights, optimizer state and schedule position —
  /// with a perturbed copy of that member's candidate. Each member-step is one trial.
  func runPBT() throws -> SearchOutcome {
    let p = configuration.population, interval = configuration.interval
    let generations = (configuration.epochs + interval - 1) / interval
    var candidate = (0..<p).map { sampledCandidate($0, stream: 0x5042_54) }
    var schedule = candidate.map { [$0] }
    var source = Array(0..<p)
    // A member's seed travels with its weights: an exploited member continues the winner's run.
    var seeds = (0..<p).map { configuration.seed &+ UInt64($0) }
    var lastScores: [(member: Int, record: TrialRecord)] = []
    for g in 0..<generations {
      if g > 0 && budgetExhausted { break }
      var scores: [(member: Int, record: TrialRecord)] = []
      // A generation's members run side by side (up to `maxParallel`); the next generation waits for all of
      // them, since each exploits the whole population's scores.
      var m = 0
      let generationCandidates = candidate, generationSchedules = schedule, generationSeeds = seeds, generationSources = source
      try dispatch(next: {
        guard m < p else { return nil }
        defer { m += 1 }
        let c = generationCandidates[m]
        let history = generationSchedules[m]
        let plan = TrialRunner.Plan(
          candidate: { epoch in history[min(epoch / interval, history.count - 1)] },
          seed: generationSeeds[m], fidelity: fullFidelity,
          warmStart: g > 0 ? checkpointURL(generation: g - 1, member: generationSources[m]) : nil,
          stopAfter: min(configuration.epochs, (g + 1) * interval),
          saveTo: checkpointURL(generation: g, member: m))
        return TrialRequest(
          key: "pbt-g\(g)-m\(m)", phase: .search, name: c.name, candidate: c, plan: plan, rung: g,
          parentKey: g > 0 ? "pbt-g\(g - 1)-m\(generationSources[m])" : nil)
      }, tell: { request, record in
        scores.append((Int(request.key.split(separator: "-m").last!)!, record))
      }, ignoreBudget: true)
      lastScores = scores
      if g >= 2 {
        for m in 0..<p { try? FileManager.default.removeItem(at: checkpointURL(generation: g - 2, member: m)) }
      }
      guard g < generations - 1 else { break }
      // Exploit and explore.
      let ranked = scores.sorted { ($0.record.score ?? -.infinity, -$0.member) > ($1.record.score ?? -.infinity, -$1.member) }
      let quarter = max(1, p / 4)
      source = Array(0..<p)
      var nextCandidate = candidate, nextSchedule = schedule, nextSeeds = seeds
      for i in 0..<quarter {
        let winner = ranked[i].member, loser = ranked[p - 1 - i].member
        guard winner != loser else { continue }
        var rng = SplitMix64(seed: configuration.seed ^ 0x4558_504C_4F52_45, index: UInt64(g * p + loser))
        source[loser] = winner
        nextCandidate[loser] = configuration.space.perturb(candidate[winner], using: &rng)
        nextSchedule[loser] = schedule[winner]
        nextSeeds[loser] = seeds[winner]
      }
      for m in 0..<p {
        nextSchedule[m].append(nextCandidate[m])
      }
      candidate = nextCandidate
      schedule = nextSchedule
      seeds = nextSeeds
    }
    let best = lastScores.max { ($0.record.score ?? -.infinity, -$0.member) < ($1.record.score ?? -.infinity, -$1.member) }!
    return SearchOutcome(winner: candidate[best.member], validationScore: best.record.score ?? 0,
                         winnerKey: best.record.key, schedule: schedule[best.member])
  }
}
