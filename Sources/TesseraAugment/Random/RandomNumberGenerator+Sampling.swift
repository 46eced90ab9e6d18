#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Sampling primitives written out explicitly (rather than `Double.random(in:using:)`), so the mapping from a
/// generator's 64-bit outputs to values is fixed by this file and cannot drift with the standard library.
extension RandomNumberGenerator {
  /// A uniform double in [0, 1) with 53 random bits.
  @inlinable public mutating func nextUnitDouble() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// A uniform double in [lower, upper).
  @inlinable public mutating func nextDouble(in lower: Double, _ upper: Double) -> Double {
    lower + (upper - lower) * nextUnitDouble()
  }

  /// A uniform integer in 0..<bound (Lemire's multiply-and-reject, unbiased). `bound` must be positive.
  @inlinable public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive")
    let n = UInt64(bound)
    var product = next().multipliedFullWidth(by: n)
    if product.low < n {
      let threshold = (0 &- n) % n
      while product.low < threshold { product = next().multipliedFullWidth(by: n) }
    }
    return Int(product.high)
  }

  /// A uniform integer in `range` (inclusive).
  @inlinable public mutating func nextInt(in range: ClosedRange<Int>) -> Int {
    range.lowerBound + nextInt(below: range.upperBound - range.lowerBound + 1)
  }

  /// True with probability `p` (p ≤ 0 never, p ≥ 1 always; one draw is consumed either way so that
  /// the stream of later draws does not depend on the probability's value).
  @inlinable public mutating func nextBool(probability p: Double) -> Bool {
    nextUnitDouble() < p
  }

  /// A standard normal deviate (Marsaglia's polar method).
  @inlinable public mutating func nextStandardNormal() -> Double {
    while true {
      let u = 2 * nextUnitDouble() - 1
      let v = 2 * nextUnitDouble() - 1
      let s = u * u + v * v
      if s > 0 && s < 1 {
        return u * (-2 * log(s) / s).squareRoot()
      }
    }
  }
}

