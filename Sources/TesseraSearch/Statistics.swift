import Foundation

/// Means and 95 % intervals from a handful of seeds (Student's t).
public enum Statistics {
  /// Two-sided 97.5 % quantiles of Student's t for 1…30 degrees of freedom.
  static let t975: [Double] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
  ]

  /// t_{0.975, df}; beyond the table, the normal quantile with the first Cornish–Fisher term.
  public static func tQuantile975(df: Double) -> Double {
    guard df >= 1 else { return .infinity }
    let whole = Int(df.rounded(.down))
    if whole <= 30 {
      // Welch's fractional df: interpolate between neighbours.
      let lo = t975[whole - 1]
      let hi = whole < 30 ? t975[whole] : 2.042
      return lo + (hi - lo) * (df - Double(whole))
    }
    let z = 1.959964
    return z + (z * z * z + z) / (4 * df)
  }

  public static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

  /// Sample standard deviation (n − 1).
  public static func standardDeviation(_ x: [Double]) -> Double {
    guard x.count > 1 else { return 0 }
    let m = mean(x)
    return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
  }

  /// A mean with its 95 % t-interval; the half-width is infinite for a single value.
  public struct Interval: Sendable, Codable, Hashable {
    public var mean: Double
    public var low: Double
    public var high: Double
    public var standardDeviation: Double
    public var count: Int
    public var halfWidth: Double { (high - low) / 2 }
  }

  public static func interval(_ x: [Double]) -> Interval {
    let m = mean(x), s = standardDeviation(x)
    guard x.count > 1 else { return Interval(mean: m, low: -.infinity, high: .infinity, standardDeviation: 0, count: x.count) }
    let h = tQuantile975(df: Double(x.count - 1)) * s / Double(x.count).squareRoot()
    return Interval(mean: m, low: m - h, high: m + h, standardDeviation: s, count: x.count)
  }

  /// Welch's 95 % interval for mean(a) − mean(b).
  public static func difference(_ a: [Double], _ b: [Double]) -> Interval {
    let d = mean(a) - mean(b)
    guard a.count > 1, b.count > 1 else {
      return Interval(mean: d, low: -.infinity, high: .infinity, standardDeviation: 0, count: min(a.count, b.count))
    }
    let va = pow(standardDeviation(a), 2) / Double(a.count), vb = pow(standardDeviation(b), 2) / Double(b.count)
    let se = (va + vb).squareRoot()
    guard se > 0 else { return Interval(mean: d, low: d, high: d, standardDeviation: 0, count: min(a.count, b.count)) }
    let df = (va + vb) * (va + vb) / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
    let h = tQuantile975(df: df) * se
    return Interval(mean: d, low: d - h, high: d + h, standardDeviation: se, count: min(a.count, b.count))
  }
}
