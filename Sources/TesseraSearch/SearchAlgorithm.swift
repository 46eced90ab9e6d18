/// How a search spends its budget.
///
/// - `random`: independent candidates, each trained at full fidelity.
/// - `asha`: asynchronous successive halving (Li et al., 2020) run on one machine: a trial in the
///   top 1/η of its rung is promoted to the next rung (η× the fidelity) as soon as it is known to
///   be there; otherwise a new candidate starts at the lowest rung.
/// - `pbt`: a population trained side by side in the spirit of PBA (Ho et al., 2019): after each
///   interval the worst quarter copies the weights of the best quarter (a warm start, not a
///   restart) and perturbs their policy, so the search yields a policy schedule.
public enum SearchAlgorithm: String, Sendable, Hashable, Codable, CaseIterable {
  case random
  case asha
  case pbt
}
