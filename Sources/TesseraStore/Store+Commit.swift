import CGit2
import Foundation

/// A version as `log` and `show` list it.
public struct VersionInfo: Sendable, Codable, Hashable {
  public var id: String
  public var parents: [String]
  public var author: String
  public var date: Date
  public var message: String
  /// The first line of the message.
  public var summary: String { message.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? "" }
}

extension Store {
  /// Records the staged files as a new version on the current branch (or detached HEAD).
  /// Objects were synced by `add`; git's pack for this commit is written in one piece and synced before the ref moves.
  @discardableResult
  public func commit(message: String, allowEmpty: Bool = false) throws -> VersionInfo {
    guard !message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
      throw StoreError(.badInput, "commit message is empty; pass -m MESSAGE")
    }
    let lock = try lockForWriting()
    defer { withExtendedLifetime(lock) {} }
    let index = try StagingIndex.load(indexPath)
    for entry in index.entries.values where !objects.contains(entry.file.object) {
      throw StoreError(.missingObject, "\(entry.file.path): its object \(entry.file.object.hex) is missing; run 'tessera add' again")
    }
    return try withGit {
      // A private handle: the in-memory pack backend is attached to its object database for this commit only.
      let writeRepo = try GitRepository.open(gitDirectory)
      let parent = try writeRepo.headCommit()
      var odb: OpaquePointer?
      try git("git_repository_odb") { git_repository_odb(&odb, writeRepo.handle) }
      defer { git_odb_free(odb) }
      var mempack: UnsafeMutablePointer<git_odb_backend>?
      try git("git_mempack_new") { git_mempack_new(&mempack) }
      try git("git_odb_add_backend") { git_odb_add_backend(odb, mempack, 1000) }

      let files = index.files
      let tree = try writeTree(files, repo: writeRepo)
      if let parent, !allowEmpty {
        let parentTree = try writeRepo.withCommit(parent) { GitOID(git_commit_tree_id($0).pointee) }
        if parentTree == tree { throw StoreError(.nothingToCommit, "nothing to commit: the staged files are the current version") }
      }
      let changes = try treeChanges(from: parent, to: tree, repo: writeRepo)
      let fullMessage = Self.commitMessage(message, files: files, changes: changes)

      var signature: UnsafeMutablePointer<git_signature>?
      let env = ProcessInfo.processInfo.environment
      if let name = env["TESSERA_AUTHOR_NAME"] ?? env["GIT_AUTHOR_NAME"] {
        let email = env["TESSERA_AUTHOR_EMAIL"] ?? env["GIT_AUTHOR_EMAIL"] ?? "tessera@localhost"
        try git("git_signature_now") { git_signature_now(&signature, name, email) }
      } else if git_signature_default(&signature, writeRepo.handle) != 0 {
        try git("git_signature_now") { git_signature_now(&signature, "Tessera", "tessera@localhost") }
      }
      defer { git_signature_free(signature) }

      var treeOID = tree.raw
      var treeHandle: OpaquePointer?
      try git("git_tree_lookup") { git_tree_lookup(&treeHandle, writeRepo.handle, &treeOID) }
      defer { git_tree_free(treeHandle) }
      var parentHandle: OpaquePointer?
      if let parent {
        var p = parent.raw
        try git("git_commit_lookup") { git_commit_lookup(&parentHandle, writeRepo.handle, &p) }
      }
      defer { git_commit_free(parentHandle) }
      var parents: [OpaquePointer?] = parentHandle.map { [$0] } ?? []
      var commitOID = git_oid()
      try git("git_commit_create") {
        git_commit_create(&commitOID, writeRepo.handle, nil, signature, signature, "UTF-8", fullMessage, treeHandle,
                          parents.count, &parents)
      }

      // One pack for every new git object of this commit, then one sync, then the ref.
      var buffer = git_buf()
      defer { git_buf_dispose(&buffer) }
      try git("git_mempack_dump") { git_mempack_dump(&buffer, writeRepo.handle, mempack) }
      var writepack: UnsafeMutablePointer<git_odb_writepack>?
      try git("git_odb_write_pack") { git_odb_write_pack(&writepack, odb, nil, nil) }
      var stats = git_indexer_progress()
      do {
        try git("git_odb_writepack.append") { writepack!.pointee.append(writepack, buffer.ptr, buffer.size, &stats) }
        try git("git_odb_writepack.commit") { writepack!.pointee.commit(writepack, &stats) }
      } catch {
        writepack!.pointee.free(writepack)
        throw error
      }
      writepack!.pointee.free(writepack)
      git_mempack_reset(mempack)
      try syncFilesystem(containing: meta)

      let newCommit = GitOID(commitOID)
      try moveHead(to: newCommit, expecting: parent, repo: writeRepo, reflog: "commit: \(Self.firstLine(message))")
      var synced = index
      synced.base = newCommit.hex
      synced.touched = []
      try? synced.write(indexPath)  // only a cache for status: a stale one costs time, never correctness
      return try versionInfo(newCommit, repo: writeRepo)
    }
  }

  static func firstLine(_ s: String) -> String { s.split(separator: "\n").first.map(String.init) ?? s }

  static func commitMessage(_ message: String, files: [TrackedFile], changes: (added: Int, deleted: Int, modified: Int)) -> String {
    var text = message.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n"
    let bytes = files.reduce(Int64(0)) { $0 + $1.size }
    text += "Tessera version: \(files.count) files, \(ByteFormat.string(bytes)); "
    text += "\(changes.added) added, \(changes.deleted) removed, \(changes.modified) modified\n"
    var splits: [String: Int] = [:]
    for f in files { splits[f.split ?? "(none)", default: 0] += 1 }
    if splits.count > 1 || splits["(none)"] == nil {
      text += "Splits: " + splits.keys.sorted().map { "\($0) \(splits[$0]!)" }.joined(separator: ", ") + "\n"
    }
    return text
  }

  /// Moves the current branch (compare-and-swap on its old value) or a detached HEAD to `commit`.
  func moveHead(to commit: GitOID, expecting old: GitOID?, repo: GitRepository, reflog: String) throws {
    var oid = commit.raw
    if let branch = try repo.currentBranch() {
      var ref: OpaquePointer?
      if var current = old?.raw {
        try git("git_reference_create_matching") {
          git_reference_create_matching(&ref, repo.handle, "refs/heads/\(branch)", &oid, 1, &current, reflog)
        }
      } else {
        try git("git_reference_create") { git_reference_create(&ref, repo.handle, "refs/heads/\(branch)", &oid, 0, reflog) }
      }
      git_reference_free(ref)
    } else {
      try git("git_repository_set_head_detached") { git_repository_set_head_detached(repo.handle, &oid) }
    }
  }

  /// Writes pointer blobs and trees mirroring the folders; unchanged pointers and folders reuse existing objects.
  func writeTree(_ files: [TrackedFile], repo: GitRepository) throws -> GitOID {
    final class Node {
      var blobs: [(String, git_oid)] = []
      var children: [String: Node] = [:]
    }
    let top = Node()
    for file in files {
      let parts = file.path.split(separator: "/")
      var node = top
      for dir in parts.dropLast() {
        if let child = node.children[String(dir)] { node = child } else {
          let child = Node()
          node.children[String(dir)] = child
          node = child
        }
      }
      let pointer = Pointer.render(file)
      var oid = git_oid()
      try git("git_blob_create_from_buffer") {
        pointer.withUnsafeBytes { git_blob_create_from_buffer(&oid, repo.handle, $0.baseAddress, $0.count) }
      }
      node.blobs.append((String(parts.last!), oid))
    }
    func write(_ node: Node) throws -> git_oid {
      var builder: OpaquePointer?
      try git("git_treebuilder_new") { git_treebuilder_new(&builder, repo.handle, nil) }
      defer { git_treebuilder_free(builder) }
      for (name, var oid) in node.blobs {
        try git("git_treebuilder_insert") { git_treebuilder_insert(nil, builder, name, &oid, GIT_FILEMODE_BLOB) }
      }
      for (name, child) in node.children {
        var oid = try write(child)
        try git("git_treebuilder_insert") { git_treebuilder_insert(nil, builder, name, &oid, GIT_FILEMODE_TREE) }
      }
      var out = git_oid()
      try git("git_treebuilder_write") { git_treebuilder_write(&out, builder) }
      return out
    }
    return GitOID(try write(top))
  }

  /// Counts of files added, deleted and modified between a commit's tree and another tree (identical folders are skipped).
  func treeChanges(from parent: GitOID?, to tree: GitOID, repo: GitRepository) throws -> (added: Int, deleted: Int, modified: Int) {
    var oldTree: OpaquePointer?
    if let parent {
      let id = try repo.withCommit(parent) { GitOID(git_commit_tree_id($0).pointee) }
      var raw = id.raw
      try git("git_tree_lookup") { git_tree_lookup(&oldTree, repo.handle, &raw) }
    }
    defer { git_tree_free(oldTree) }
    var raw = tree.raw
    var newTree: OpaquePointer?
    try git("git_tree_lookup") { git_tree_lookup(&newTree, repo.handle, &raw) }
    defer { git_tree_free(newTree) }
    var diff: OpaquePointer?
    try git("git_diff_tree_to_tree") { git_diff_tree_to_tree(&diff, repo.handle, oldTree, newTree, nil) }
    defer { git_diff_free(diff) }
    var counts = (added: 0, deleted: 0, modified: 0)
    for i in 0..<git_diff_num_deltas(diff) {
      switch git_diff_get_delta(diff, i).pointee.status {
      case GIT_DELTA_ADDED: counts.added += 1
      case GIT_DELTA_DELETED: counts.deleted += 1
      default: counts.modified += 1
      }
    }
    return counts
  }

  func versionInfo(_ id: GitOID, repo: GitRepository) throws -> VersionInfo {
    try repo.withCommit(id) { c in
      let author = git_commit_author(c)!.pointee
      var parents: [String] = []
      for i in 0..<git_commit_parentcount(c) { parents.append(GitOID(git_commit_parent_id(c, i).pointee).hex) }
      return VersionInfo(id: id.hex, parents: parents,
                         author: "\(String(cString: author.name)) <\(String(cString: author.email))>",
                         date: Date(timeIntervalSince1970: TimeInterval(author.when.time)),
                         message: String(cString: git_commit_message(c)))
    }
  }
}

/// Human-readable byte counts (1000-based, as `ls -h --si` and DVC print them).
public enum ByteFormat {
  public static func string(_ bytes: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = Double(bytes), unit = 0
    while value >= 1000 && unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
  }
}
