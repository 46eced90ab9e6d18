import ArgumentParser
import Foundation
import TesseraSearch

/// `tessera trial run SPEC`: what a worker (a Slurm node, another process) runs for one trial of a search.
struct TrialCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trial",
    abstract: "Run one trial of a search from its spec file (what a search's workers run).",
    discussion: "Example:\n  tessera trial run .tessera/search/1a2b3c4d/trials/random-3.a1.json --result /tmp/random-3.json",
    subcommands: [TrialRunCommand.self])
}

struct TrialRunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Train and score one trial from a spec; write its result atomically.",
    discussion: """
      The spec (JSON, written by the search) names the store, the pinned version, the augmentation per epoch, \
      the seed and the fidelity. The result (JSON) holds the metrics or the error. Exits 1 when the trial failed.
      Example:
        tessera trial run .tessera/search/1a2b3c4d/trials/asha-c3-r1.a1.json
      """)

  @Argument(help: "The trial spec (JSON).") var spec: String
  @Option(help: "Where to write the result (default: SPEC with .result.json in place of .json).") var result: String?

  func run() throws {
    let out = result ?? (spec.hasSuffix(".json") ? String(spec.dropLast(5)) : spec) + ".result.json"
    let r = try TrialResult.runSpecFile(spec, resultPath: out)
    if let error = r.error { throw ValidationErrorMessage("trial \(r.key) failed: \(error)") }
    if let o = r.outcome {
      print(String(format: "trial %@: M %.4f, accuracy %.2f%%, %.1f CPU-s", r.key as NSString, o.score, o.metrics.accuracy * 100, o.cpuSeconds))
    }
  }
}

/// An error whose description is the whole message.
struct ValidationErrorMessage: Error, CustomStringConvertible {
  var description: String
  init(_ message: String) { description = message }
}
