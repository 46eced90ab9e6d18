import Foundation
import TesseraAugment
import TesseraStore

/// What `VersionAugmentation.apply(to:revision:...)` wrote: the new version and its provenance.
public struct AugmentedVersion: Sendable, Encodable {
  public var version: String
  public var branch: String
  public var sourceVersion: String
  public var policy: String
  public var policySHA256: String
  public var seed: UInt64
  public var copies: Int
  public var split: String
  public var sourceImages: Int
  public var augmentedFiles: Int
  /// Objects the source version did not already hold.
  public var distinctNewObjects: Int
  public var bytes: Int
  public var seconds: Double
}

extension VersionAugmentation {
  /// Offline application: writes the version `revision` plus `copies` augmented copies of every
  /// image of the split as a new version on `branch` (default `defaultBranch`). HEAD and the
  /// working folder are not touched. Images are read, augmented and added in chunks, so memory
  /// stays flat on large versions. `policyPath` only goes into the commit message.
  public func apply(to store: Store, revision: String, policyPath: String, branch: String? = nil,
                    replaceBranch: Bool = false,
                    progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> AugmentedVersion {
    let started = Date()
    let source = try store.resolve(revision)
    let sources = try store.entries(revision: source).filter { $0.split == split && $0.image != nil }
    guard !sources.isEmpty else {
      throw AugmentApplyError(
        message: "version \(revision) (\(source.prefix(12))): split '\(split)' has no images (files must sit under \(split)/)")
    }
    let branchName = branch ?? defaultBranch
    let writer = try store.versionWriter(base: source)
    var written = 0, bytes = 0, newObjects = Set<ObjectID>()
    let base = Set(writer.baseFiles.values.map(\.object))
    var start = 0
    while start < sources.count {
      let chunk = sources[start..<min(sources.count, start + Self.chunkSize)]
      let inputs = try chunk.map { entry in
        Source(path: entry.path, label: entry.label, bytes: try store.readObject(entry.object))
      }
      for output in try augment(inputs, firstIndex: start) {
        let tracked = try writer.add(path: output.path, bytes: output.bytes, split: split, label: output.label)
        if !base.contains(tracked.object) { newObjects.insert(tracked.object) }
        written += 1
        bytes += output.bytes.count
      }
      start += chunk.count
      progress?(start, sources.count)
    }
    let message = commitMessage(sourceVersion: source, policyPath: policyPath, images: sources.count)
    let version = try writer.commit(message: message, branch: branchName, replaceBranch: replaceBranch)
    return AugmentedVersion(
      version: version.id, branch: branchName, sourceVersion: source, policy: policy.name, policySHA256: policySHA256,
      seed: seed, copies: copies, split: split, sourceImages: sources.count, augmentedFiles: written,
      distinctNewObjects: newObjects.count, bytes: bytes, seconds: Date().timeIntervalSince(started))
  }
}

/// A version cannot be augmented as asked (e.g. the split holds no images).
public struct AugmentApplyError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public var description: String { message }
}
