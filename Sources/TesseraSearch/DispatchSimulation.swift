import Foundation
import TesseraStore

/// How wall time shrinks with more workers: the real search algorithms (random, ASHA, PBT) and the real
/// dispatcher run against a virtual clock. Each simulated trial takes the time a trial of its fidelity took in a
/// real search's ledger (cost per epoch×image, times the spread of the real trials) and scores what a real trial
/// scored, so the algorithms make real-looking decisions. Results are taken in start order, as in a real run,
/// so the cost of that ordering shows too.
public struct DispatchSimulation: Sendable, Codable {
  public struct Row: Sendable, Codable {
    public var algorithm: String
    /// `start` or `finish` (the search's `resultOrder`).
    public var order: String
    public var workers: Int
    public var trials: Int
    /// Virtual wall time from the first trial's start to the last one's end.
    public var wallSeconds: Double
    public var speedup: Double
    /// Busy worker time over workers × wall time.
    public var utilisation: Double
  }

  public var sourceSearch: String
  public var secondsPerEpochImage: Double
  public var rows: [Row] = []

  /// Simulates `trials` trials of random search and ASHA and a PBT population of 16 for 8 steps, on each
  /// worker count, with `overhead` seconds of dispatch cost added to every trial.
  public static func run(store: Store, sourceSearch id: String, workers: [Int], trials: Int, overhead: Double = 0,
                         progress: (String) -> Void = { _ in }) throws -> DispatchSimulation {
    let ledger = try Ledger(storeRoot: store.root)
    guard let record = try ledger.search(id) else { throw SearchError.unknownSearch(id) }
    let samples = try ledger.trials(of: id).filter { $0.phase == .search }.compactMap { r in r.outcome.map { (r, $0) } }
    guard samples.count >= 2 else {
      throw SearchError.badInput("search \(id) has \(samples.count) finished search trial(s); the simulation needs at least 2 to draw from")
    }
    let rates = samples.map { $0.1.wallSeconds / Double(max(1, $0.0.epochs * $0.0.trainImages)) }.sorted()
    let median = rates[rates.count / 2]
    var result = DispatchSimulation(sourceSearch: id, secondsPerEpochImage: median)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-simulation-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    var base = try record.decodedConfiguration()
    base.skipFinal = true
    base.executor = .local
    for algorithm in SearchAlgorithm.allCases {
      for order in ResultOrder.allCases {
        var baseline: Double?
        for w in workers {
          var c = base
          c.resultOrder = order
          c.algorithm = algorithm
          c.maxParallel = w
          c.budget = .trials(trials)
          if algorithm == .pbt {
            c.population = 16
            c.epochs = 8
            c.interval = 1
            c.budget = .trials(1_000_000)
          }
          let simID = "sim-\(algorithm.rawValue)-\(order.rawValue)-\(w)"
          let search = try PolicySearch(id: simID, configuration: c, ledger: Ledger(path: scratch.appendingPathComponent("\(simID).sqlite").path),
                                        store: store, workDirectory: scratch.appendingPathComponent(simID), log: { _ in })
          try search.ledger.insert(SearchRecord(
            id: simID, createdAt: Date(), updatedAt: Date(), revision: c.revision, datasetVersion: c.commit, space: c.space.rawValue,
            algorithm: algorithm.rawValue, budget: c.budget.description, metric: c.objective.argument, configuration: "{}", status: .running))
          let clock = VirtualClockExecutor(workers: w, samples: samples.map(\.1), rates: rates.map { $0 / median },
                                           secondsPerEpochImage: median, overhead: overhead)
          search.executorOverride = clock
          switch algorithm {
          case .random: _ = try search.runRandom()
          case .asha: _ = try search.runASHA()
          case .pbt: _ = try search.runPBT()
          }
          if baseline == nil { baseline = clock.makespan }
          let speedup = clock.makespan > 0 ? baseline! / clock.makespan : 1
          result.rows.append(Row(algorithm: algorithm.rawValue, order: order.rawValue, workers: w, trials: clock.count, wallSeconds: clock.makespan,
                                 speedup: speedup, utilisation: clock.busy / (Double(w) * max(clock.makespan, 1e-9))))
          progress(String(format: "%@ (%@ order) with %d worker(s): %d trials in %.0f s", algorithm.rawValue, order.rawValue, w,
                          clock.count, clock.makespan))
        }
      }
    }
    return result
  }

  public var markdown: String {
    var out = "| algorithm | results taken in | workers | trials | wall time | speed-up | worker utilisation |\n|---|---|---|---|---|---|---|\n"
    for r in rows {
      out += String(format: "| %@ | %@ order | %d | %d | %.1f min | %.2f× | %.0f %% |\n", r.algorithm, r.order, r.workers, r.trials, r.wallSeconds / 60,
                    r.speedup, r.utilisation * 100)
    }
    return out
  }
}

/// An executor whose trials take virtual time: a trial starts when a worker is free (and not before the
/// controller asked), runs for the time a real trial of its size took, and returns a real trial's outcome.
final class VirtualClockExecutor: TrialExecutor {
  let maxParallel: Int
  private let samples: [TrialOutcome]
  private let rates: [Double]
  private let secondsPerEpochImage: Double
  private let overhead: Double
  private var now = 0.0
  private var free: [Double]
  private var running: [(end: Double, ended: EndedTrial)] = []
  private(set) var makespan = 0.0
  private(set) var busy = 0.0
  private(set) var count = 0

  init(workers: Int, samples: [TrialOutcome], rates: [Double], secondsPerEpochImage: Double, overhead: Double) {
    maxParallel = workers
    free = [Double](repeating: 0, count: workers)
    self.samples = samples
    self.rates = rates
    self.secondsPerEpochImage = secondsPerEpochImage
    self.overhead = overhead
  }

  /// A stable pick for a name: the same candidate (or member) draws the same real trial on every rung.
  private func pick(_ name: String, _ n: Int) -> Int {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
    return Int(h % UInt64(n))
  }

  func worker(of key: String) -> String? { "simulated" }

  func submit(_ specs: [(spec: TrialSpec, attempt: Int)]) throws {
    for (spec, attempt) in specs {
      let parts = spec.key.split(separator: "-")
      // asha-c7-r1 → c7; pbt-g2-m5 → m5-g2; random-3 → 3
      let identity = spec.key.hasPrefix("asha") ? String(parts[1]) : spec.key
      var outcome = samples[pick(identity, samples.count)]
      // Epochs this trial trains: all of them, or one PBT step of `interval` epochs after a warm start.
      let trained = spec.warmStart != nil || spec.stopAfter != nil
        ? min(spec.configuration.interval, spec.stopAfter ?? spec.fidelity.epochs) : spec.fidelity.epochs
      let duration = secondsPerEpochImage * Double(trained * spec.fidelity.trainImages) * rates[pick(spec.key + "/time", rates.count)]
        + overhead
      outcome.wallSeconds = duration
      outcome.cpuSeconds = duration
      let w = free.indices.min { free[$0] < free[$1] }!
      let start = max(now, free[w])
      free[w] = start + duration
      busy += duration
      count += 1
      makespan = max(makespan, start + duration)
      running.append((start + duration, EndedTrial(key: spec.key, attempt: attempt,
                                                   result: TrialResult(key: spec.key, outcome: outcome, error: nil), reason: nil)))
    }
  }

  func adopt(_ spec: TrialSpec, attempt: Int, worker: String) throws -> Bool { false }

  func waitForEnded(until deadline: Date?) throws -> [EndedTrial] {
    guard let i = running.indices.min(by: { running[$0].end < running[$1].end }) else { return [] }
    let next = running.remove(at: i)
    now = max(now, next.end)
    return [next.ended]
  }

  func cancelAll() { running = [] }
}
