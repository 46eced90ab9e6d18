import Foundation

extension PolicySearch {
  /// The fidelity of ASHA rung `r` of `rungs`: the resource ρ = η^(r − (rungs − 1)) is split
  /// evenly (√ρ each) between epochs and training images, so both shrink on lower rungs.
  func ashaFidelity(rung r: Int) -> Fidelity {
    let rho = pow(Double(configuration.eta), Double(r - (configuration.rungs - 1)))
    let share = rho.squareRoot()
    let epochs = max(1, Int((Double(configuration.epochs) * share).rounded()))
    let minimumImages = min(data.train.count, max(2 * configuration.batchSize, 2))
    let images = max(minimumImages, Int((Double(data.train.count) * share).rounded()))
    return Fidelity(epochs: min(epochs, configuration.epochs), trainImages: min(images, data.train.count))
  }

  /// Asynchronous successive halving: whenever a worker is free, promote the best not-yet-promoted
  /// trial of the highest rung where it is in the top 1/η, else start a new candidate on rung 0.
  func runASHA() throws -> SearchOutcome {
    let rungCount = configuration.rungs, eta = configuration.eta
    var rungs = [[(candidate: Int, record: TrialRecord)]](repeating: [], count: rungCount)
    var promoted = [Set<Int>](repeating: [], count: rungCount)
    var candidates: [Int: Candidate] = [:]
    var nextCandidate = 0
    try dispatch(next: {
      var job: (rung: Int, candidate: Int)?
      for r in stride(from: rungCount - 2, through: 0, by: -1) {
        let ranked = rungs[r].filter { $0.record.status == .finished }
          .sorted { ($0.record.score ?? -.infinity, -$0.candidate) > ($1.record.score ?? -.infinity, -$1.candidate) }
        let top = ranked.prefix(rungs[r].count / eta)
        if let entry = top.first(where: { !promoted[r].contains($0.candidate) }) {
          job = (r + 1, entry.candidate)
          promoted[r].insert(entry.candidate)
          break
        }
      }
      if job == nil {
        candidates[nextCandidate] = sampledCandidate(nextCandidate)
        job = (0, nextCandidate)
        nextCandidate += 1
      }
      let (rung, c) = job!
      let candidate = candidates[c]!
      return TrialRequest(
        key: "asha-c\(c)-r\(rung)", phase: .search, name: candidate.name, candidate: candidate,
        plan: constantPlan(candidate, seed: configuration.seed, fidelity: ashaFidelity(rung: rung)),
        rung: rung, parentKey: rung > 0 ? "asha-c\(c)-r\(rung - 1)" : nil)
    }, tell: { request, record in
      guard let rung = request.rung, let c = Int(request.key.split(separator: "-")[1].dropFirst()) else { return }
      rungs[rung].append((c, record))
    })
    // The winner is the best trial of the highest rung any trial reached.
    guard let top = rungs.last(where: { $0.contains { $0.record.status == .finished } })?.filter({ $0.record.status == .finished }) else {
      throw SearchError.badInput("every search trial failed; see 'tessera trials ls \(id)'")
    }
    let best = top.max { ($0.record.score ?? -.infinity, -$0.candidate) < ($1.record.score ?? -.infinity, -$1.candidate) }!
    return SearchOutcome(winner: candidates[best.candidate]!, validationScore: best.record.score ?? 0,
                         winnerKey: best.record.key)
  }
}
