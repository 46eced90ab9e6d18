extension PolicySearch {
  /// Random search: independent candidates at full fidelity until the budget is spent.
  func runRandom() throws -> SearchOutcome {
    var best: (TrialRecord, Candidate)?
    var index = 0
    repeat {
      let candidate = sampledCandidate(index)
      let record = try trial(TrialRequest(
        key: "random-\(index)", phase: .search, name: candidate.name, candidate: candidate,
        plan: constantPlan(candidate, seed: configuration.seed, fidelity: fullFidelity)))
      if best == nil || (record.score ?? -.infinity) > (best!.0.score ?? -.infinity) { best = (record, candidate) }
      index += 1
    } while !budgetExhausted
    return SearchOutcome(winner: best!.1, validationScore: best!.0.score ?? 0, winnerKey: best!.0.key)
  }
}
