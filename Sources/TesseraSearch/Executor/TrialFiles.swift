import Foundation
import TesseraStore

/// Where a search keeps the spec, result and log of each trial attempt: `.tessera/search/<id>/trials/`.
/// Workers read specs and write results there, so for Slurm it must be on a filesystem the nodes share.
struct TrialFiles: Sendable {
  let directory: URL

  init(workDirectory: URL) throws {
    directory = workDirectory.appendingPathComponent("trials", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  func spec(_ key: String, attempt: Int) -> URL { directory.appendingPathComponent("\(key).a\(attempt).json") }
  func result(_ key: String, attempt: Int) -> URL { directory.appendingPathComponent("\(key).a\(attempt).result.json") }
  func log(_ key: String, attempt: Int) -> URL { directory.appendingPathComponent("\(key).a\(attempt).log") }

  func write(_ spec: TrialSpec, attempt: Int) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    try writeFileAtomically(encoder.encode(spec), to: self.spec(spec.key, attempt: attempt))
  }

  /// The result an attempt left, if it wrote one (results are written atomically, so a file is whole).
  func readResult(_ key: String, attempt: Int) -> TrialResult? {
    guard let data = FileManager.default.contents(atPath: result(key, attempt: attempt).path) else { return nil }
    return try? JSONDecoder().decode(TrialResult.self, from: data)
  }

  /// The `tessera` binary workers run: this very executable, found through /proc (shared filesystem assumed).
  static var executable: String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
  }
}
