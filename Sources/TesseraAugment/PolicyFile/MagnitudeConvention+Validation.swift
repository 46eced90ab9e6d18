extension MagnitudeConvention {
  /// Why `m` is not a valid magnitude here, or nil.
  func problem(with m: Double) -> String? {
    guard m.isFinite, m >= 0, m <= maxMagnitude else {
      return "magnitude \(m) is outside 0…\(maxMagnitude.formatted) for \(identifier)"
    }
    if requiresIntegerMagnitude && m != m.rounded() { return "magnitude \(m) must be a whole bin index" }
    return nil
  }
}
