/// What the search phase chose: the winner, with its schedule when the algorithm made one.
struct SearchOutcome {
  var winner: Candidate
  /// M_val of the winning trial.
  var validationScore: Double
  var winnerKey: String
  /// PBT: the winner's candidate per generation of `interval` epochs (the last is `winner`).
  var schedule: [Candidate]?
}
