import Testing
import TesseraTrain
@testable import TesseraSearch

struct BudgetTests {
  @Test(arguments: [
    ("30m", Budget.wallSeconds(1800)), ("2h", .wallSeconds(7200)), ("90s", .wallSeconds(90)),
    ("3600cpu", .cpuSeconds(3600)), ("50trials", .trials(50)), ("1trial", .trials(1)),
  ])
  func parsesEveryForm(text: String, expected: Budget) throws {
    #expect(try Budget(parsing: text) == expected)
  }

  @Test(arguments: ["", "30", "fast", "0trials", "2.5trials", "-5m", "0cpu", "m"])
  func rejectsNonsenseNamingTheOption(text: String) {
    #expect {
      try Budget(parsing: text)
    } throws: { error in
      "\(error)".hasPrefix("--budget: ")
    }
  }

  @Test func exhaustionCountsWhatTheBudgetIsIn() {
    var usage = Budget.Usage()
    usage.trials = 3
    usage.cpuSeconds = 100
    usage.wallSeconds = 50
    #expect(Budget.trials(3).isExhausted(by: usage))
    #expect(!Budget.trials(4).isExhausted(by: usage))
    // A time or CPU budget is a cap: another trial starts only if the budget covers the costliest trial so
    // far (here 40 CPU-s and 20 s), so the search does not end a whole trial over it.
    usage.maxCPUSeconds = 40
    usage.maxWallSeconds = 20
    #expect(Budget.cpuSeconds(139).isExhausted(by: usage))
    #expect(!Budget.cpuSeconds(140).isExhausted(by: usage))
    #expect(Budget.wallSeconds(69).isExhausted(by: usage))
    #expect(!Budget.wallSeconds(70).isExhausted(by: usage))
    // The first trial always runs.
    #expect(!Budget.cpuSeconds(1).isExhausted(by: Budget.Usage()))
  }

  @Test func objectivesParseAndScoreHigherIsBetter() throws {
    // Two classes, four samples: three right with confidence 0.9, one wrong with 0.6.
    let p: [Float] = [0.9, 0.1, 0.1, 0.9, 0.9, 0.1, 0.6, 0.4]
    let metrics = ClassificationMetrics(probabilities: p, labels: [0, 1, 0, 1], classNames: ["a", "b"])
    #expect(try Objective(parsing: "accuracy").score(metrics) == 0.75)
    #expect(try Objective(parsing: "macro-f1").score(metrics) == metrics.macroF1)
    #expect(abs(try Objective(parsing: "ece").score(metrics) - (1 - metrics.expectedCalibrationError)) < 1e-12)
    let mixed = try Objective(parsing: "accuracy=3,ece=1")
    let expected = (3 * 0.75 + (1 - metrics.expectedCalibrationError)) / 4
    #expect(abs(mixed.score(metrics) - expected) < 1e-12)
    #expect(mixed.argument == "accuracy=3.0,ece=1.0")
    #expect(throws: SearchError.self) { try Objective(parsing: "accurcy") }
    #expect(throws: SearchError.self) { try Objective(parsing: "accuracy=-1") }
    #expect(throws: SearchError.self) { try Objective(parsing: "ece,ece") }
  }
}
