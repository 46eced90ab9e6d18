import Testing
@testable import TesseraSearch

struct StatisticsTests {
  @Test func tIntervalMatchesTheTextbook() {
    // mean 2, sd 1, n 3: half-width t(0.975, 2) · 1/√3 = 4.303 / 1.732.
    let i = Statistics.interval([1, 2, 3])
    #expect(i.mean == 2)
    #expect(abs(i.standardDeviation - 1) < 1e-12)
    #expect(abs(i.halfWidth - 4.303 / 3.0.squareRoot()) < 1e-9)
    #expect(Statistics.interval([5]).high == .infinity)
    #expect(abs(Statistics.tQuantile975(df: 1000) - 1.962) < 0.002)
    #expect(Statistics.tQuantile975(df: 2.5) < 4.303 && Statistics.tQuantile975(df: 2.5) > 3.182)
  }

  @Test func welchDifferenceSeesClearAndUnclearGaps() {
    let clear = Statistics.difference([0.90, 0.91, 0.92], [0.80, 0.81, 0.82])
    #expect(abs(clear.mean - 0.1) < 1e-12)
    #expect(clear.low > 0)
    let unclear = Statistics.difference([0.90, 0.80, 0.85], [0.84, 0.86, 0.85])
    #expect(unclear.low < 0 && unclear.high > 0)
  }

  @Test func paretoFrontKeepsOnlyUndominatedPoints() {
    func p(_ k: String, _ cost: Double, _ score: Double) -> ParetoFront.Point {
      ParetoFront.Point(key: k, name: k, cost: cost, score: score)
    }
    let points = [p("a", 1, 0.5), p("b", 2, 0.7), p("c", 3, 0.6), p("d", 4, 0.9), p("e", 2, 0.4), p("f", 5, 0.9)]
    #expect(ParetoFront.front(points).map(\.key) == ["a", "b", "d"])
  }
}
