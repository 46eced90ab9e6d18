import CGit2
import Foundation

/// Builds a new version from an existing one plus files made in memory (augmented copies, converted images),
/// without a working folder: bytes go straight into a data pack, deduplicated, and the version is committed on a
/// branch of its own. HEAD, the index and the folder are left alone.
///
/// ```swift
/// let writer = try store.versionWriter(base: "v1")
/// try writer.add(path: "train/Coat/00017.aug1.png", bytes: png, label: "Coat")
/// let version = try writer.commit(message: "Augmented copies", branch: "augmented")
/// ```
public final class VersionWriter {
  let store: Store
  private let lock: WriterLock
  private let baseCommit: GitOID
  private var files: [String: TrackedFile]
  private var pack: PackWriter?
  private var added = 0

  init(store: Store, base: String) throws {
    self.store = store
    lock = try store.lockForWriting()
    let commit = try store.withGit { repo in try repo.resolveCommit(base) }
    baseCommit = commit
    let baseFiles = try store.withGit { try store.files(ofCommit: commit) }
    files = try Store.byPath(baseFiles, where: "in version \(base)")
    pack = try PackWriter(directory: store.objects.packDirectory)
  }

  /// The files of the base version, by path.
  public var baseFiles: [String: TrackedFile] { files }

  /// Adds a file; its split and label default to the folder layout. An existing path is an error.
  @discardableResult
  public func add(path: String, bytes: [UInt8], split: String? = nil, label: String? = nil) throws -> TrackedFile {
    try Store.checkSafe(path)
    guard files[path] == nil else { throw StoreError(.badInput, "\(path): already in the version") }
    let id = ObjectID.hashing(bytes)
    guard let pack else { throw StoreError(.badInput, "version writer already committed") }
    if !store.objects.contains(id) { try pack.append(id, bytes) }
    let layout = TrackedFile.layoutLabels(for: path)
    let file = TrackedFile(path: path, object: id, size: Int64(bytes.count), image: ImageInfo.sniff(bytes),
                           split: split ?? layout.split, label: label ?? layout.label)
    files[path] = file
    added += 1
    return file
  }

  /// Commits the base version plus the added files, with the base as parent, and points `branch` at it
  /// (a new branch unless `replaceBranch`). Objects are durable before the commit, the commit before the ref.
  public func commit(message: String, branch: String, replaceBranch: Bool = false) throws -> VersionInfo {
    try Store.validateRefName(branch, kind: "branch")
    guard let pack else { throw StoreError(.badInput, "version writer already committed") }
    try pack.finish()
    self.pack = nil
    try store.objects.reloadPacks()
    let all = files.values.sorted { $0.path < $1.path }
    return try store.withGit { repo in
      var odb: OpaquePointer?
      try git("git_repository_odb") { git_repository_odb(&odb, repo.handle) }
      defer { git_odb_free(odb) }
      var builder = GitPackBuilder()
      let tree = try store.buildTree(all)
      try store.collectNewObjects(tree, into: &builder)
      let parentTree = try repo.withCommit(baseCommit) { GitOID(git_commit_tree_id($0).pointee) }
      let changes = try store.countChanges(tree, old: parentTree)
      let text = try Store.commitObject(tree: GitOID(tree.oid), parent: baseCommit,
                                        message: Store.commitMessage(message, totals: VersionTotals(all), changes: changes), repo: repo)
      let commitOID = GitPackBuilder.hash(GIT_OBJECT_COMMIT, text)
      try builder.append(GIT_OBJECT_COMMIT, text, oid: commitOID)
      try builder.write(gitDirectory: store.gitDirectory, odb: odb)
      var oid = commitOID
      var ref: OpaquePointer?
      let status = git_reference_create(&ref, repo.handle, "refs/heads/\(branch)", &oid, replaceBranch ? 1 : 0,
                                        "augment: \(Store.firstLine(message))")
      if status == GIT_EEXISTS.rawValue { throw StoreError(.badInput, "branch '\(branch)' already exists; choose another name") }
      try git("git_reference_create") { status }
      git_reference_free(ref)
      withExtendedLifetime(lock) {}
      return try store.versionInfo(GitOID(commitOID), repo: repo)
    }
  }

  /// How many files were added so far.
  public var addedCount: Int { added }
}

extension Store {
  /// A writer for a new version derived from `base` (see ``VersionWriter``). Holds the writer lock until committed
  /// or released.
  public func versionWriter(base: String) throws -> VersionWriter { try VersionWriter(store: self, base: base) }
}
