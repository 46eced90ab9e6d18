import ArgumentParser
import Foundation
import TesseraAugment
import TesseraStore

/// `tessera augment --policy FILE --rev REV`: an augmented copy of a version, committed on a branch of its own.
struct Augment: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write K augmented copies of every image of a split as a new version on a new branch.",
    discussion: """
      Each image of the split gets --copies augmented copies next to it (train/Coat/00017.png →
      train/Coat/00017.aug1.png, same label), encoded as PNG, or JPEG when the source is JPEG,
      drawn from (seed, image index, copy) so that the same command gives the same bytes. The new
      version is the source version plus the copies, committed on --branch (default
      augmented/<policy name>-s<seed>) with the provenance in its message: source version,
      policy SHA-256, name, seed, copies and split. HEAD and the folder are not touched; check
      the branch out to use it.

      Example:
        tessera augment --policy policies/trivialaugment-wide.json --rev v1 --copies 2 --seed 7
        tessera checkout augmented/trivialaugment-wide-s7
      """)

  @Option(help: "Policy file (JSON).")
  var policy: String

  @Option(help: "The version to augment (commit, tag, branch, HEAD~N).")
  var rev: String = "HEAD"

  @Option(help: "Augmented copies per image.")
  var copies: Int = 1

  @Option(help: "Seed of the augmentation.")
  var seed: UInt64 = 0

  @Option(help: "The split whose images are augmented.")
  var split: String = "train"

  @Option(help: "Branch for the new version (default: augmented/<policy name>-s<seed>).")
  var branch: String?

  @Flag(help: "Move the branch if it already exists.")
  var force = false

  @Flag(help: "Print the report as JSON.")
  var json = false

  func validate() throws {
    if !(1...100).contains(copies) { throw ValidationError("--copies must be in 1...100") }
    if split.isEmpty || split.contains("/") { throw ValidationError("--split must be a top-level folder name") }
  }

  func run() throws {
    let started = Date()
    let policyURL = URL(fileURLWithPath: policy)
    let policyBytes: Data
    do { policyBytes = try Data(contentsOf: policyURL) } catch { throw CLIMessage("\(policy): cannot read the policy file") }
    let file = try PolicyFile.decode(policyBytes, file: policy)
    let store = try Store.open()
    let source = try store.resolve(rev)
    let sources = try store.entries(revision: source).filter { $0.split == split && $0.image != nil }
    guard !sources.isEmpty else {
      throw CLIMessage("version \(rev) (\(source.prefix(12))): split '\(split)' has no images (files must sit under \(split)/)")
    }
    let job = VersionAugmentation(policy: file, policySHA256: ObjectID.hashing(policyBytes).hex, seed: seed,
                                  copies: copies, split: split)
    let branchName = branch ?? job.defaultBranch
    let writer = try store.versionWriter(base: source)
    let progress = ProgressLine("augmenting")
    var written = 0, bytes = 0, newObjects = Set<ObjectID>()
    let base = Set(writer.baseFiles.values.map(\.object))
    var start = 0
    while start < sources.count {
      let chunk = sources[start..<min(sources.count, start + VersionAugmentation.chunkSize)]
      let inputs = try chunk.map { entry in
        VersionAugmentation.Source(path: entry.path, label: entry.label, bytes: try store.readObject(entry.object))
      }
      for output in try job.augment(inputs, firstIndex: start) {
        let tracked = try writer.add(path: output.path, bytes: output.bytes, split: split, label: output.label)
        if !base.contains(tracked.object) { newObjects.insert(tracked.object) }
        written += 1
        bytes += output.bytes.count
      }
      start += chunk.count
      progress.update(start, sources.count)
    }
    progress.finish()
    let message = job.commitMessage(sourceVersion: source, policyPath: policy, images: sources.count)
    let version = try writer.commit(message: message, branch: branchName, replaceBranch: force)
    let report = AugmentReport(
      version: version.id, branch: branchName, sourceVersion: source, policy: file.name, policySHA256: job.policySHA256,
      seed: seed, copies: copies, split: split, sourceImages: sources.count, augmentedFiles: written,
      distinctNewObjects: newObjects.count, bytes: bytes, seconds: Date().timeIntervalSince(started))
    if json { return try printJSON(report) }
    print("[\(branchName) \(version.id.prefix(12))] \(written) augmented copies of \(sources.count) \(split) images "
          + "(\(newObjects.count) new objects, \(ByteFormat.string(Int64(bytes)))) with \(file.name), seed \(seed)")
    print("HEAD is unchanged; use it with: tessera checkout \(branchName)")
  }

  struct AugmentReport: Encodable {
    var version: String
    var branch: String
    var sourceVersion: String
    var policy: String
    var policySHA256: String
    var seed: UInt64
    var copies: Int
    var split: String
    var sourceImages: Int
    var augmentedFiles: Int
    var distinctNewObjects: Int
    var bytes: Int
    var seconds: Double
  }
}
