import ArgumentParser
import Foundation
import TesseraAugment
import TesseraStore
import TesseraTrain

/// `tessera augment --policy FILE --rev REV`: an augmented copy of a version, committed on a branch of its own.
struct Augment: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "augment", 
    abstract: "Write K augmented copies of every image of a split as a new version on a new branch.",
    discussion: """
      Each image of the split gets --copies augmented copies next to it (train/Coat/00017.png → \
      train/Coat/00017.aug1.png, same label), encoded as PNG, or JPEG when the source is JPEG, \
      drawn from (seed, image index, copy) so that the same command gives the same bytes. The new \
      version is the source version plus the copies, committed on --branch (default \
      augmented/<policy name>-s<seed>) with the provenance in its message: source version, \
      policy SHA-256, name, seed, copies and split. HEAD and the folder are not touched; check \
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
    let policyBytes: Data
    do { policyBytes = try Data(contentsOf: URL(fileURLWithPath: policy)) } catch {
      throw CLIMessage("\(policy): cannot read the policy file")
    }
    let file = try PolicyFile.decode(policyBytes, file: policy)
    let store = try Store.open()
    let job = VersionAugmentation(policy: file, policySHA256: ObjectID.hashing(policyBytes).hex, seed: seed,
                                  copies: copies, split: split)
    let progress = ProgressLine("augmenting")
    let report: AugmentedVersion
    do {
      report = try job.apply(to: store, revision: rev, policyPath: policy, branch: branch, replaceBranch: force,
                             progress: { progress.update($0, $1) })
    } catch let error as AugmentApplyError {
      progress.finish()
      throw CLIMessage(error.message)
    }
    progress.finish()
    if json { return try printJSON(report) }
    print("[\(report.branch) \(report.version.prefix(12))] \(report.augmentedFiles) augmented copies of "
          + "\(report.sourceImages) \(split) images (\(report.distinctNewObjects) new objects, "
          + "\(ByteFormat.string(Int64(report.bytes)))) with \(file.name), seed \(seed)")
    print("HEAD is unchanged; use it with: tessera checkout \(report.branch)")
  }
}
