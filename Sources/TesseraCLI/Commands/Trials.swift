import ArgumentParser
import Foundation
import TesseraSearch
import TesseraStore

/// `tessera trials ls|show`: reads the search ledger (.tessera/search.sqlite).
struct Trials: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "trials", 
    abstract: "List and show searches and their trials from the ledger.",
    discussion: """
      Examples:
        tessera trials ls                # every search
        tessera trials ls 1a2b3c4d       # the trials of one search
        tessera trials show 1a2b3c4d     # a search's settings and winner
        tessera trials show 1a2b3c4d random-3 --json
      """,
    subcommands: [TrialsList.self, TrialsShow.self, TrialsSimulate.self])
}

/// `tessera trials simulate ID`: how a search like ID would go with more workers.
struct TrialsSimulate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "simulate",
    abstract: "Simulate random search, ASHA and PBT on 1, 4, 16 and 64 workers with trial times from a real search.",
    discussion: """
      Runs the real algorithms and dispatcher on a virtual clock: each trial takes the time a trial of its size \
      took in search ID (per epoch and image, with the spread of its trials) and scores what one of its trials \
      scored. Random search and ASHA run --trials trials; PBT a population of 16 for 8 steps.
      Example:
        tessera trials simulate 1a2b3c4d --workers 1,4,16,64 --overhead 1.5
      """)

  @Argument(help: "A finished search whose trials give the durations.") var id: String
  @Option(help: "Worker counts, comma-separated.") var workers = "1,4,16,64"
  @Option(help: "Trials for random search and ASHA.") var trials = 128
  @Option(help: "Seconds of dispatch overhead added to every trial (e.g. what Slurm costs per job).") var overhead = 0.0
  @OptionGroup var ledgerOptions: LedgerOptions

  func run() throws {
    let counts = try workers.split(separator: ",").map { part -> Int in
      guard let n = Int(part.trimmingCharacters(in: .whitespaces)), n >= 1 else { throw ValidationError("--workers: '\(part)' is not a positive number") }
      return n
    }
    let store = try Store.open(at: ledgerOptions.store)
    let say: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    let sim = try DispatchSimulation.run(store: store, sourceSearch: id, workers: counts, trials: trials, overhead: overhead,
                                         progress: ledgerOptions.json ? { _ in } : say)
    if ledgerOptions.json { return try printJSON(sim) }
    print(String(format: "Trial times from search %@ (%.3g s per epoch and training image); %.1f s dispatch overhead per trial.",
                 id as NSString, sim.secondsPerEpochImage, overhead))
    print(sim.markdown, terminator: "")
  }
}

struct LedgerOptions: ParsableArguments {
  @Option(help: "Store whose ledger to read (default: the store holding the current folder).")
  var store: String = "."

  @Flag(help: "Print JSON.")
  var json = false

  func openLedger() throws -> Ledger {
    let store = try Store.open(at: self.store)
    let path = store.root + "/.tessera/search.sqlite"
    guard FileManager.default.fileExists(atPath: path) else {
      throw ValidationError("\(path): no searches yet (run 'tessera search')")
    }
    return try Ledger(path: path)
  }

  func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
  }
}

struct TrialsList: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ls", abstract: "List searches, or the trials of one search.")

  @Argument(help: "A search id: list its trials.")
  var search: String?

  @OptionGroup var options: LedgerOptions

  func run() throws {
    let ledger = try options.openLedger()
    if let search {
      guard try ledger.search(search) != nil else { throw ValidationError("no search '\(search)' in the ledger") }
      let trials = try ledger.trials(of: search)
      if options.json { return try options.printJSON(trials) }
      print("  #  key                        phase   status    fidelity         M      acc%    CPU-s  name")
      for t in trials {
        let score = t.score.map { String(format: "%.4f", $0) } ?? "-"
        let acc = t.accuracy.map { String(format: "%.2f", $0 * 100) } ?? "-"
        let cpu = t.cpuSeconds.map { String(format: "%.1f", $0) } ?? "-"
        print(String(format: "%3d  %@ %@ %@ %@ %6@ %6@ %8@  %@", t.number,
                     t.key.padding(toLength: 26, withPad: " ", startingAt: 0) as NSString,
                     t.phase.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0) as NSString,
                     t.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) as NSString,
                     "\(t.epochs) ep × \(t.trainImages)".padding(toLength: 16, withPad: " ", startingAt: 0) as NSString,
                     score as NSString, acc as NSString, cpu as NSString, t.name as NSString))
      }
      return
    }
    let searches = try ledger.searches()
    if options.json { return try options.printJSON(searches) }
    let formatter = ISO8601DateFormatter()
    for s in searches {
      let trials = try ledger.trials(of: s.id)
      let searchTrials = trials.filter { $0.phase == .search && $0.status == .finished }
      let best = searchTrials.compactMap(\.score).max().map { String(format: "%.4f", $0) } ?? "-"
      print("\(s.id)  \(formatter.string(from: s.createdAt))  \(s.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  rev \(s.revision) (\(s.datasetVersion.prefix(12)))  \(s.space)/\(s.algorithm)  budget \(s.budget)  \(searchTrials.count) trials  best M_val \(best) (\(s.metric))")
    }
  }
}

struct TrialsShow: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show", abstract: "Show a search (settings, winner, totals) or one of its trials.")

  @Argument(help: "Search id.")
  var search: String

  @Argument(help: "Trial key (as 'tessera trials ls ID' prints).")
  var key: String?

  @OptionGroup var options: LedgerOptions

  func run() throws {
    let ledger = try options.openLedger()
    guard let record = try ledger.search(search) else { throw ValidationError("no search '\(search)' in the ledger") }
    if let key {
      guard let trial = try ledger.trial(of: search, key: key) else {
        throw ValidationError("search \(search) has no trial '\(key)' (see 'tessera trials ls \(search)')")
      }
      if options.json { return try options.printJSON(trial) }
      print("trial \(trial.key) (#\(trial.number)) of search \(search): \(trial.phase.rawValue), \(trial.status.rawValue)")
      print("  candidate: \(trial.name)")
      print("  dataset version \(trial.datasetVersion), seed \(UInt64(bitPattern: trial.seed)), \(trial.epochs) epochs × \(trial.trainImages) images" + (trial.rung.map { ", rung/generation \($0)" } ?? "") + (trial.parentKey.map { ", from \($0)" } ?? ""))
      if let s = trial.score, let a = trial.accuracy, let f = trial.macroF1, let e = trial.ece {
        print(String(format: "  M %.4f  accuracy %.2f%%  macro-F1 %.4f  ECE %.4f", s, a * 100, f, e))
      }
      if let cpu = trial.cpuSeconds, let wall = trial.wallSeconds {
        print(String(format: "  %.1f CPU-s, %.1f s wall, augmentation %.1f µs CPU per image", cpu, wall, trial.augmentMicros ?? 0))
      }
      print("  policy: \(trial.policy)")
      return
    }
    let trials = try ledger.trials(of: search)
    let configuration = try record.decodedConfiguration()
    if options.json {
      struct Shown: Encodable { var search: SearchRecord; var configuration: SearchConfiguration; var trials: [TrialRecord] }
      return try options.printJSON(Shown(search: record, configuration: configuration, trials: trials))
    }
    let searchTrials = trials.filter { $0.phase == .search && $0.status == .finished }
    let finals = trials.filter { $0.phase == .final && $0.status == .finished }
    print("search \(record.id): \(record.status.rawValue), created \(ISO8601DateFormatter().string(from: record.createdAt))")
    print("  rev \(record.revision) = \(record.datasetVersion)")
    print("  \(record.space) space, \(record.algorithm), budget \(record.budget), metric \(record.metric), model \(configuration.model), \(configuration.epochs) epochs, \(configuration.seeds) final seeds")
    print(String(format: "  %d search trials (%.1f CPU-s), %d final runs (%.1f CPU-s), %d running/interrupted",
                 searchTrials.count, searchTrials.reduce(0) { $0 + ($1.cpuSeconds ?? 0) }, finals.count,
                 finals.reduce(0) { $0 + ($1.cpuSeconds ?? 0) }, trials.filter { $0.status == .running }.count))
    if let best = searchTrials.max(by: { ($0.score ?? 0) < ($1.score ?? 0) }) {
      print(String(format: "  best trial %@: M_val %.4f — %@", best.key as NSString, best.score ?? 0, best.name as NSString))
    }
    if let winner = record.winner, let c = try? Candidate.decode(json: winner) { print("  winner: \(c.name)") }
    if let path = record.reportPath { print("  report: \(path)") }
  }
}
