import Foundation
import Testing
@testable import TesseraSearch

/// The dispatch simulation drives the real algorithms on a virtual clock with trial times from a real ledger.
@Suite struct DispatchSimulationTests {
  @Test func moreWorkersShortenTheWallTimeAndFinishOrderNeverWaits() throws {
    let fixture = try SearchFixture(trainPerClass: 20, testPerClass: 4)
    defer { fixture.remove() }
    var c = SearchFixture.configuration(space: .randAugment, algorithm: .random, budget: .trials(4))
    c.epochs = 1
    c.skipFinal = true
    let search = try PolicySearch.start(store: fixture.store, configuration: c)
    _ = try search.run(outputDirectory: fixture.directory.url.appendingPathComponent("out"))
    let sim = try DispatchSimulation.run(store: fixture.store, sourceSearch: search.id, workers: [1, 4], trials: 24)
    #expect(sim.rows.count == 3 * 2 * 2)
    for row in sim.rows {
      #expect(row.utilisation > 0 && row.utilisation <= 1.000001, "\(row)")
      if row.workers == 1 { #expect(abs(row.utilisation - 1) < 1e-6 && row.speedup == 1) }
    }
    func row(_ a: String, _ o: String, _ w: Int) -> DispatchSimulation.Row { sim.rows.first { $0.algorithm == a && $0.order == o && $0.workers == w }! }
    // Independent trials: four workers are close to four times as fast.
    #expect(row("random", "finish", 4).speedup > 3)
    #expect(row("random", "start", 4).speedup > 2)
    // Taking results as they come never leaves a worker waiting on an older trial.
    #expect(row("asha", "finish", 4).utilisation >= row("asha", "start", 4).utilisation - 1e-9)
    #expect(row("random", "start", 4).trials == 24 && row("pbt", "start", 4).trials == 128)
  }
}
