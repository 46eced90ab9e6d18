import ArgumentParser
import Foundation
import TesseraAugment

/// `tessera policy show|validate FILE`: inspect and check policy files (docs/POLICY.md).
struct PolicyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "policy",
    abstract: "Show or validate augmentation policy files.",
    discussion: """
      Example:
        tessera policy show policies/autoaugment-cifar10.json
        tessera policy validate policies/*.json
      """,
    subcommands: [PolicyShow.self, PolicyValidate.self, PolicyExportCommand.self, PolicyImportCommand.self])
}

struct PolicyShow: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Print a readable summary of a policy file (or its canonical JSON).",
    discussion: """
      Example:
        tessera policy show policies/randaugment-default.json
        tessera policy show --json my-policy.json > canonical.json
      """)

  @Argument(help: "Policy file (JSON).")
  var file: String

  @Flag(help: "Print the canonical JSON encoding instead of the summary.")
  var json = false

  func run() throws {
    let policy = try PolicyFile.load(contentsOf: URL(fileURLWithPath: file))
    if json {
      FileHandle.standardOutput.write(try policy.encoded())
    } else {
      print(policy.summary)
    }
  }
}

struct PolicyValidate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check policy files; print 'ok' or the field path and problem for each; exit 1 if any is invalid.",
    discussion: """
      Example:
        tessera policy validate policies/autoaugment-cifar10.json search-output.json
      """)

  @Argument(help: "Policy files (JSON).")
  var files: [String]

  func run() throws {
    var failed = false
    for file in files {
      do {
        let policy = try PolicyFile.load(contentsOf: URL(fileURLWithPath: file))
        print("\(file): ok (\(policy.policy.kind) '\(policy.name)')")
      } catch let error as PolicyFileError {
        failed = true
        FileHandle.standardError.write(Data("\(error)\n".utf8))
      }
    }
    if failed { throw ExitCode(1) }
  }
}
