import ArgumentParser
import Foundation
import TesseraStore

struct Init: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Create a Tessera store (.tessera/) in a folder of files.",
    discussion: "Example:\n  cd fashion-mnist && tessera init")

  @Argument(help: "The dataset folder (default: the current folder).")
  var directory: String = "."

  func run() throws {
    let store = try Store.initialize(at: directory)
    print("Initialised an empty Tessera store in \(store.root)/.tessera")
  }
}

struct Add: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Stage files for the next version: hash what changed and store each distinct content once.",
    discussion: """
      Folders are added recursively; files that were tracked below a given path and are gone are staged as deleted.
      Labels come from the folder layout (split/class/file) or from labels.csv at the root.
      Example:
        tessera add train test
      """)

  @Argument(help: "Files or folders to add (default: the whole dataset).")
  var paths: [String] = []

  @Flag(help: "Print the report as JSON.") var json = false

  func run() throws {
    let store = try Store.open()
    let relative = try paths.map { try store.relativePath($0) }
    let progress = ProgressLine("hashing")
    let report = try store.add(relative, progress: { progress.update($0, $1) })
    progress.finish()
    if json { return try printJSON(report) }
    for link in report.skippedLinks { FileHandle.standardError.write(Data("warning: skipped symbolic link \(link)\n".utf8)) }
    print("\(report.added) added, \(report.modified) modified, \(report.removed) removed, \(report.unchanged) unchanged; "
          + "\(report.newObjects) new objects, \(ByteFormat.string(report.hashedBytes)) hashed")
  }
}

struct Commit: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Record the staged files as a new version (a git commit in .tessera/git).",
    discussion: "Example:\n  tessera commit -m \"Fashion-MNIST as published\"")

  @Option(name: .shortAndLong, help: "The version's message.") var message: String
  @Flag(help: "Print the new version as JSON.") var json = false

  func run() throws {
    let store = try Store.open()
    let version = try store.commit(message: message)
    if json { return try printJSON(version) }
    let branch = (try? store.currentBranch()).flatMap { $0 } ?? "detached HEAD"
    print("[\(branch) \(version.id.prefix(12))] \(version.summary)")
  }
}
