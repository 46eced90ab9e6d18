import Foundation
import TesseraAugment

extension SearchSpace {
  /// A candidate drawn uniformly from the space.
  public func sample(using rng: inout SplitMix64) -> Candidate {
    switch self {
    case .autoAugment:
      let subs = (0..<SearchSpace.subPolicies).map { _ in (0..<2).map { _ in Self.randomEntry(using: &rng) } }
      return Self.autoAugmentCandidate(subs)
    case .randAugment:
      return Self.randAugmentCandidate(n: 1 + rng.nextInt(below: 3), m: rng.nextInt(below: 31))
    case .trivialAugment:
      let wide = rng.nextBool(probability: 0.5)
      var ops = OpName.torchvisionRandAugmentOps.filter { _ in rng.nextBool(probability: 0.7) }
      if ops.count < 2 { ops = OpName.torchvisionRandAugmentOps }
      return Self.trivialAugmentCandidate(wide: wide, ops: ops)
    case .mix:
      var a = Self.mixAlphas[rng.nextInt(below: Self.mixAlphas.count)]
      let b = Self.mixAlphas[rng.nextInt(below: Self.mixAlphas.count)]
      if a == 0 && b == 0 { a = Self.mixAlphas[1 + rng.nextInt(below: Self.mixAlphas.count - 1)] }
      return Self.mixCandidate(mixUp: a, cutMix: b, probability: Double(1 + rng.nextInt(below: 10)) / 10)
    }
  }

  /// PBA's explore step: each parameter is resampled with probability 0.2, otherwise moved by
  /// 0…3 steps up or down (clamped).
  public func perturb(_ candidate: Candidate, using rng: inout SplitMix64) -> Candidate {
    func step(_ value: Int, in range: ClosedRange<Int>, stride: Int = 1) -> Int {
      if rng.nextBool(probability: 0.2) { return rng.nextInt(in: range) }
      let delta = rng.nextInt(in: 0...3) * stride * (rng.nextBool(probability: 0.5) ? 1 : -1)
      return min(max(value + delta, range.lowerBound), range.upperBound)
    }
    switch (self, candidate.policy, candidate.mixer) {
    case let (.autoAugment, .autoAugment(p)?, _):
      let subs = p.subPolicies.map { sub in
        sub.map { entry -> PolicyOp in
          if rng.nextBool(probability: 0.2) { return Self.randomEntry(using: &rng) }
          let probability = Double(step(Int((entry.probability * 10).rounded()), in: 0...10)) / 10
          let magnitude = entry.magnitude.map { Double(step(Int($0), in: 0...9)) }
          return PolicyOp(entry.op, probability: probability, magnitude: magnitude)
        }
      }
      return Self.autoAugmentCandidate(subs)
    case let (.randAugment, .randAugment(p)?, _):
      return Self.randAugmentCandidate(n: step(p.numOps, in: 1...3), m: step(Int(p.level), in: 0...30, stride: 2))
    case let (.trivialAugment, .trivialAugment(p)?, _):
      var wide = p.magnitude == .torchvisionTrivialAugmentWide
      if rng.nextBool(probability: 0.2) { wide.toggle() }
      var ops = OpName.torchvisionRandAugmentOps.filter { op in
        p.ops.contains(op) != rng.nextBool(probability: 0.1)
      }
      if ops.count < 2 { ops = p.ops }
      return Self.trivialAugmentCandidate(wide: wide, ops: ops)
    case let (.mix, _, m?):
      func alpha(_ a: Double) -> Double {
        let i = Self.mixAlphas.firstIndex(of: a) ?? 0
        return Self.mixAlphas[step(i, in: 0...(Self.mixAlphas.count - 1))]
      }
      var a = alpha(m.mixUpAlpha)
      let b = alpha(m.cutMixAlpha)
      if a == 0 && b == 0 { a = m.mixUpAlpha > 0 ? m.mixUpAlpha : 0.2 }
      let p = Double(step(Int((m.probability * 10).rounded()), in: 1...10)) / 10
      return Self.mixCandidate(mixUp: a, cutMix: b, probability: p)
    default:
      // A candidate from another space (a baseline) cannot be perturbed within this one.
      return sample(using: &rng)
    }
  }

  static func randomEntry(using rng: inout SplitMix64) -> PolicyOp {
    let op = autoAugmentOps[rng.nextInt(below: autoAugmentOps.count)]
    let probability = Double(rng.nextInt(in: 0...10)) / 10
    let magnitude: Double? = op.isParameterless ? nil : Double(rng.nextInt(below: 10))
    return PolicyOp(op, probability: probability, magnitude: magnitude)
  }

  static func autoAugmentCandidate(_ subs: [[PolicyOp]]) -> Candidate {
    let text = subs.map { sub in
      sub.map { "\($0.op.rawValue)(\($0.probability.short)\($0.magnitude.map { ",\(Int($0))" } ?? ""))" }
        .joined(separator: "+")
    }.joined(separator: " | ")
    return Candidate(name: "AA[\(text)]", policy: .autoAugment(AutoAugmentPolicy(subPolicies: subs)))
  }

  static func randAugmentCandidate(n: Int, m: Int) -> Candidate {
    Candidate(name: "RA(N=\(n), M=\(m))", policy: .randAugment(RandAugmentPolicy(numOps: n, level: Double(m))))
  }

  static func trivialAugmentCandidate(wide: Bool, ops: [OpName]) -> Candidate {
    let convention: MagnitudeConvention = wide ? .torchvisionTrivialAugmentWide : .torchvisionRandAugment
    let left = OpName.torchvisionRandAugmentOps.filter { !ops.contains($0) }
    let name = "TA(\(wide ? "wide" : "standard")" + (left.isEmpty ? "" : ", without \(left.map(\.rawValue).joined(separator: ","))") + ")"
    return Candidate(name: name, policy: .trivialAugment(TrivialAugmentPolicy(magnitude: convention, ops: ops)))
  }

  static func mixCandidate(mixUp: Double, cutMix: Double, probability: Double) -> Candidate {
    let mixer = BatchMixer(mixUpAlpha: mixUp, cutMixAlpha: cutMix, probability: probability, labelSmoothing: 0)
    return Candidate(name: "mix(MixUp α=\(mixUp.short), CutMix α=\(cutMix.short), p=\(probability.short))", mixer: mixer)
  }
}

extension Double {
  /// At most 3 decimals, no trailing zeros.
  var short: String {
    var s = String(format: "%.3f", self)
    while s.contains(".") && (s.hasSuffix("0") || s.hasSuffix(".")) { s.removeLast() }
    return s
  }
}
