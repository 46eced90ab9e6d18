import Foundation
import TesseraRemote
import TesseraStore

/// One trial, self-contained: everything a worker needs to train and score it from the store (on a shared
/// filesystem), so it can run in another process or on another machine (`tessera trial run SPEC`).
public struct TrialSpec: Sendable, Codable, Equatable {
  public static let currentFormat = "tessera-trial 1"
  public var format = TrialSpec.currentFormat
  public var searchId: String
  public var key: String
  /// The dataset store's root folder; the version is `configuration.commit`.
  public var storeRoot: String
  public var configuration: SearchConfiguration
  /// The augmentations the trial uses, and which one each epoch uses (a PBT schedule, or one for all).
  public var candidates: [Candidate]
  public var epochCandidates: [Int]
  public var seed: UInt64
  public var fidelity: Fidelity
  public var warmStart: String?
  public var stopAfter: Int?
  public var saveTo: String?
  public var onTest = false

  init(searchId: String, key: String, storeRoot: String, configuration: SearchConfiguration, plan: TrialRunner.Plan) {
    self.searchId = searchId
    self.key = key
    self.storeRoot = storeRoot
    self.configuration = configuration
    var candidates: [Candidate] = []
    var indices: [Int] = []
    for epoch in 0..<max(plan.fidelity.epochs, 1) {
      let c = plan.candidate(epoch)
      if let i = candidates.firstIndex(of: c) { indices.append(i) } else {
        candidates.append(c)
        indices.append(candidates.count - 1)
      }
    }
    self.candidates = candidates
    epochCandidates = indices
    seed = plan.seed
    fidelity = plan.fidelity
    warmStart = plan.warmStart?.path
    stopAfter = plan.stopAfter
    saveTo = plan.saveTo?.path
    onTest = plan.onTest
  }

  /// The plan this spec describes; checks that it is whole first.
  func plan() throws -> TrialRunner.Plan {
    guard format == Self.currentFormat else { throw SearchError.badInput("trial spec: unknown format '\(format)'") }
    let candidates = self.candidates, epochs = epochCandidates
    guard !candidates.isEmpty, !epochs.isEmpty, epochs.allSatisfy({ candidates.indices.contains($0) }) else {
      throw SearchError.badInput("trial spec \(key): epochCandidates must index candidates")
    }
    var plan = TrialRunner.Plan(candidate: { e in candidates[epochs[min(max(e, 0), epochs.count - 1)]] }, seed: seed,
                                fidelity: fidelity)
    plan.warmStart = warmStart.map { URL(fileURLWithPath: $0) }
    plan.stopAfter = stopAfter
    plan.saveTo = saveTo.map { URL(fileURLWithPath: $0) }
    plan.onTest = onTest
    return plan
  }

  /// Trains and scores the trial in this process.
  public func run() throws -> TrialOutcome {
    let plan = try plan()
    let store = try configuration.dataRemote.map { try NodeCache.store(from: $0, commit: configuration.commit, cacheRoot: configuration.nodeCache) }
      ?? Store.open(at: storeRoot)
    let data = try SearchData.load(store, commit: configuration.commit, validationFraction: configuration.validationFraction,
                                   subset: configuration.subset)
    return try TrialRunner(data: data, configuration: configuration).run(plan)
  }
}

/// What a trial run left behind: its outcome, or why it failed. Written atomically, so a reader sees a whole
/// result or none.
public struct TrialResult: Sendable, Codable, Equatable {
  public static let currentFormat = "tessera-trial-result 1"
  public var format = TrialResult.currentFormat
  public var key: String
  public var outcome: TrialOutcome?
  public var error: String?
  public var host: String

  public init(key: String, outcome: TrialOutcome?, error: String?) {
    self.key = key
    self.outcome = outcome
    self.error = error
    host = ProcessInfo.processInfo.hostName
  }

  /// Runs the spec at `specPath` and writes the result to `resultPath`; the result says whether it failed.
  public static func runSpecFile(_ specPath: String, resultPath: String) throws -> TrialResult {
    guard let bytes = FileManager.default.contents(atPath: specPath) else {
      throw SearchError.badInput("\(specPath): cannot read the trial spec (no such file, or not readable)")
    }
    let spec: TrialSpec
    do {
      spec = try JSONDecoder().decode(TrialSpec.self, from: bytes)
    } catch {
      throw SearchError.badInput("\(specPath): not a trial spec (\(String(describing: error).split(separator: "\n").first ?? ""))")
    }
    FaultInjection.dieIfAsked(key: spec.key, specPath: specPath)
    FaultInjection.sleepIfAsked(key: spec.key)
    let result: TrialResult
    do {
      result = TrialResult(key: spec.key, outcome: try spec.run(), error: nil)
    } catch {
      result = TrialResult(key: spec.key, outcome: nil, error: "\(error)")
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    try writeFileAtomically(encoder.encode(result), to: URL(fileURLWithPath: resultPath))
    return result
  }
}

/// For the failure tests: `TESSERA_FAULT_KILL_TRIAL=KEY` (or `KEY:N`) makes the first N attempts (default 1) of
/// trial KEY die without a result, as a worker whose node fails would. The attempt number is the `.aN.` of the
/// spec file's name.
enum FaultInjection {
  static func dieIfAsked(key: String, specPath: String) {
    guard let value = ProcessInfo.processInfo.environment["TESSERA_FAULT_KILL_TRIAL"] else { return }
    let parts = value.split(separator: ":")
    guard parts.first.map(String.init) == key else { return }
    let failures = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
    let name = (specPath as NSString).lastPathComponent
    guard let range = name.range(of: #"\.a([0-9]+)\."#, options: .regularExpression),
          let attempt = Int(name[range].dropFirst(2).dropLast()) else { return }
    if attempt <= failures { _exit(137) }
  }

  /// `TESSERA_FAULT_SLOW_TRIAL=KEY:SECONDS` makes trial KEY wait that long before it starts (a straggler).
  static func sleepIfAsked(key: String) {
    guard let value = ProcessInfo.processInfo.environment["TESSERA_FAULT_SLOW_TRIAL"] else { return }
    let parts = value.split(separator: ":")
    guard parts.count == 2, String(parts[0]) == key, let seconds = Double(parts[1]) else { return }
    Thread.sleep(forTimeInterval: seconds)
  }
}
