import Testing
@testable import TesseraAugment

struct RandomSamplingTests {
  func moments(_ n: Int, _ draw: (inout SplitMix64) -> Double) -> (mean: Double, variance: Double) {
    var rng = SplitMix64(seed: 2024)
    var sum = 0.0, sumSq = 0.0
    for _ in 0..<n {
      let x = draw(&rng)
      sum += x
      sumSq += x * x
    }
    let mean = sum / Double(n)
    return (mean, sumSq / Double(n) - mean * mean)
  }

  @Test(arguments: [(0.2, 0.2), (0.4, 0.4), (1.0, 1.0), (2.0, 5.0), (8.0, 3.0)])
  func betaMomentsMatchTheory(a: Double, b: Double) {
    let n = 40_000
    let (mean, variance) = moments(n) { $0.nextBeta(a, b) }
    let expectedMean = a / (a + b)
    let expectedVariance = a * b / ((a + b) * (a + b) * (a + b + 1))
    // Five standard errors of the mean; variance within 5 % relative.
    #expect(abs(mean - expectedMean) < 5 * (expectedVariance / Double(n)).squareRoot())
    #expect(abs(variance - expectedVariance) / expectedVariance < 0.05)
  }

  @Test(arguments: [0.3, 1.0, 2.5, 9.0])
  func gammaMomentsMatchTheory(shape: Double) {
    let (mean, variance) = moments(40_000) { $0.nextGamma(shape: shape) }
    #expect(abs(mean - shape) < 5 * (shape / 40_000).squareRoot())
    #expect(abs(variance - shape) / shape < 0.06)
  }

  @Test func betaStaysInTheUnitIntervalAndDirichletSumsToOne() {
    var rng = SplitMix64(seed: 5)
    for _ in 0..<2000 {
      let x = rng.nextBeta(0.1, 0.1)
      #expect(x >= 0 && x <= 1)
      let d = rng.nextDirichlet([1, 1, 1])
      #expect(abs(d.reduce(0, +) - 1) < 1e-12)
    }
  }

  @Test func integersAreUniformAndInRange() {
    var rng = SplitMix64(seed: 9)
    var counts = [Int](repeating: 0, count: 7)
    for _ in 0..<70_000 { counts[rng.nextInt(below: 7)] += 1 }
    for c in counts { #expect(abs(c - 10_000) < 500) }
    for _ in 0..<1000 { #expect((3...5).contains(rng.nextInt(in: 3...5))) }
  }
}
