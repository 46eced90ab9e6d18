extension PolicySearch {
  /// Random search: independent candidates at full fidelity until the budget is spent, up to
  /// `maxParallel` at once.
  func runRandom() throws -> SearchOutcome {
    var best: (TrialRecord, Candidate)?
    var index = 0
    try dispatch(next: {
      let candidate = sampledCandidate(index)
      defer { index += 1 }
      return TrialRequest(key: "random-\(index)", phase: .search, name: candidate.name, candidate: candidate,
                          plan: constantPlan(candidate, seed: configuration.seed, fidelity: fullFidelity))
    }, tell: { request, record in
      guard record.status == .finished else { return }
      if best == nil || (record.score ?? -.infinity) > (best!.0.score ?? -.infinity) { best = (record, request.candidate) }
    })
    guard let best else { throw SearchError.badInput("every search trial failed; see 'tessera trials ls \(id)'") }
    return SearchOutcome(winner: best.1, validationScore: best.0.score ?? 0, winnerKey: best.0.key)
  }
}
