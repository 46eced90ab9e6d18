#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

extension RandomNumberGenerator {
  /// A Gamma(shape, 1) deviate by Marsaglia & Tsang (2000), "A simple method for generating gamma variables".
  ///
  /// For shape < 1 the boost Gamma(shape + 1)·U^(1/shape) is used, as the paper recommends.
  public mutating func nextGamma(shape: Double) -> Double {
    precondition(shape > 0 && shape.isFinite, "gamma shape must be positive and finite")
    if shape < 1 {
      let boosted = nextGamma(shape: shape + 1)
      // U in (0, 1]: 1 − [0, 1) avoids pow(0, 1/shape) = 0 collapsing the sample.
      let u = 1 - nextUnitDouble()
      return boosted * pow(u, 1 / shape)
    }
    let d = shape - 1.0 / 3.0
    let c = 1 / (9 * d).squareRoot()
    while true {
      var x: Double
      var v: Double
      repeat {
        x = nextStandardNormal()
        v = 1 + c * x
      } while v <= 0
      v = v * v * v
      let u = 1 - nextUnitDouble()
      let x2 = x * x
      if u < 1 - 0.0331 * x2 * x2 { return d * v }
      if log(u) < 0.5 * x2 + d * (1 - v + log(v)) { return d * v }
    }
  }

  /// A Beta(a, b) deviate as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
  public mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
    let x = nextGamma(shape: a)
    let y = nextGamma(shape: b)
    let sum = x + y
    // Both gammas underflow to 0 only for tiny shapes; fall back to a fair coin like numpy does in the limit.
    if sum == 0 { return nextBool(probability: a / (a + b)) ? 1 : 0 }
    return x / sum
  }

  /// A Dirichlet(alphas) draw: independent gammas, normalised to sum to one.
  public mutating func nextDirichlet(_ alphas: [Double]) -> [Double] {
    var draws = alphas.map { nextGamma(shape: $0) }
    let sum = draws.reduce(0, +)
    if sum == 0 { return [Double](repeating: 1 / Double(alphas.count), count: alphas.count) }
    for i in draws.indices { draws[i] /= sum }
    return draws
  }
}
