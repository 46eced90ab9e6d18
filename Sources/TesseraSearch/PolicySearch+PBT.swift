import Foundation
import TesseraAugment

extension PolicySearch {
  func checkpointURL(generation g: Int, member m: Int) -> URL {
    workDirectory.appendingPathComponent("pbt-g\(g)-m\(m).ckpt")
  }

  /// Population-based schedule search in the spirit of PBA, run asynchronously. Members train for `epochs` in
  /// steps of `interval`; each member-step is one trial. When a member is about to start step g, it looks at
  /// every member's latest score from a step before g: if it is in the worst quarter (at least one), it continues
  /// from the checkpoint of the member ranked as far from the top as it is from the bottom — that member's
  /// weights, optimizer state, schedule and seed — with a perturbed copy of its candidate. No step waits for
  /// the slowest member; one trial at a time gives the classic generation-by-generation PBT.
  func runPBT() throws -> SearchOutcome {
    let p = configuration.population, interval = configuration.interval
    let generations = (configuration.epochs + interval - 1) / interval
    /// What member m used for step g: its schedule (one candidate per step so far), seed and parent checkpoint.
    struct Step {
      var schedule: [Candidate]
      var seed: UInt64
      var parent: (generation: Int, member: Int)?
    }
    var steps = [[Step]](repeating: [], count: p)
    var scores = [[Double?]](repeating: [], count: p)  // scores[m][g], nil while running or failed
    var done = [Int](repeating: 0, count: p)           // steps told per member
    var busy = Set<Int>()
    var stopped = Set<Int>()
    var dropped = 0                                    // checkpoints of steps below this are deleted
    for m in 0..<p {
      steps[m].append(Step(schedule: [sampledCandidate(m, stream: 0x5042_54)], seed: configuration.seed &+ UInt64(m), parent: nil))
    }

    /// Member m's step g, deciding exploit/explore from the scores known now (steps before g only).
    func prepare(_ m: Int, _ g: Int) -> Step {
      let previous = steps[m][g - 1]
      let known: [(member: Int, score: Double, generation: Int)] = (0..<p).compactMap { x in
        let latest = min(done[x], g) - 1
        guard latest >= 0 else { return nil }
        return (x, scores[x][latest] ?? -.infinity, latest)
      }
      let ranked = known.sorted { ($0.score, -$0.member) > ($1.score, -$1.member) }
      let quarter = max(1, p / 4)
      if let position = ranked.firstIndex(where: { $0.member == m }), ranked.count == p, position >= p - quarter {
        let winner = ranked[p - 1 - position]
        if winner.member != m {
          var rng = SplitMix64(seed: configuration.seed ^ 0x4558_504C_4F52_45, index: UInt64((g - 1) * p + m))
          let source = steps[winner.member][winner.generation]
          let perturbed = configuration.space.perturb(source.schedule.last!, using: &rng)
          return Step(schedule: source.schedule + [perturbed], seed: source.seed, parent: (winner.generation, winner.member))
        }
      }
      return Step(schedule: previous.schedule + [previous.schedule.last!], seed: previous.seed, parent: (g - 1, m))
    }

    try dispatch(next: {
      // Once the budget is spent, no member starts another step (what runs still finishes).
      if budgetExhausted { for m in 0..<p where done[m] > 0 && !busy.contains(m) { stopped.insert(m) } }
      let idle = (0..<p).filter { !busy.contains($0) && !stopped.contains($0) && done[$0] < generations }
      guard let m = idle.min(by: { (done[$0], $0) < (done[$1], $1) }) else { return busy.isEmpty ? .done : .wait }
      let g = done[m]
      if g > 0 { steps[m].append(prepare(m, g)) }
      let step = steps[m][g]
      let history = step.schedule
      busy.insert(m)
      let plan = TrialRunner.Plan(
        candidate: { epoch in history[min(epoch / interval, history.count - 1)] },
        seed: step.seed, fidelity: fullFidelity,
        warmStart: step.parent.map { checkpointURL(generation: $0.generation, member: $0.member) },
        stopAfter: min(configuration.epochs, (g + 1) * interval),
        saveTo: checkpointURL(generation: g, member: m))
      let c = history.last!
      return .run(TrialRequest(
        key: "pbt-g\(g)-m\(m)", phase: .search, name: c.name, candidate: c, plan: plan, rung: g,
        parentKey: step.parent.map { "pbt-g\($0.generation)-m\($0.member)" }))
    }, tell: { request, record in
      guard let m = Int(request.key.split(separator: "m").last ?? "") else { return }
      busy.remove(m)
      scores[m].append(record.status == .finished ? record.score : nil)
      done[m] += 1
      // A checkpoint of step k can still be a parent while a member may start step k + 1 (some member has done
      // at most k + 1 steps) or a running step was given it; below that, drop it.
      let runningParents = busy.compactMap { b in steps[b][done[b]].parent?.generation }
      let keepFrom = min((done.min() ?? 0) - 1, runningParents.min() ?? Int.max)
      while dropped < keepFrom {
        for x in 0..<p { try? FileManager.default.removeItem(at: checkpointURL(generation: dropped, member: x)) }
        dropped += 1
      }
    }, ignoreBudget: true)

    // The winner: the best member among those that reached the furthest step.
    let furthest = done.max() ?? 0
    guard furthest > 0, let best = (0..<p).filter({ done[$0] == furthest && scores[$0][furthest - 1] != nil })
      .max(by: { (scores[$0][furthest - 1]!, -$0) < (scores[$1][furthest - 1]!, -$1) }) else {
      throw SearchError.badInput("every search trial failed; see 'tessera trials ls \(id)'")
    }
    let schedule = steps[best][furthest - 1].schedule
    return SearchOutcome(winner: schedule.last!, validationScore: scores[best][furthest - 1]!,
                         winnerKey: "pbt-g\(furthest - 1)-m\(best)", schedule: schedule)
  }
}
