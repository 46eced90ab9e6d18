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
    try Self.checkMessage(message)
    let lock = try lockForWriting()
    defer { withExtendedLifetime(lock) {} }
    var trace = PerformanceTrace("commit")
    // After a small change the changes file says all a commit onto the base needs.
    if let staged = try StagedChanges.loadFromChangesFile(forIndex: indexPath) {
      trace.mark("load changes")
      return try commit(.changes(staged), message: message, allowEmpty: allowEmpty, trace: &trace)
    }
    let index = try StagingIndex.load(indexPath)
    trace.mark("load index")
    return try commit(.index(index, checksum: index.checksum), message: message, allowEmpty: allowEmpty, trace: &trace)
  }

  /// `commit --all`: stages every change in the folder as `add([])` does — new files too, unlike `git commit -a` —
  /// and commits, under one lock (nothing slips in between) and loading the index once.
  @discardableResult
  public func commitEverything(message: String, allowEmpty: Bool = false,
                               progress: ProgressHandler? = nil) throws -> (staged: AddReport, version: VersionInfo) {
    try Self.checkMessage(message)
    let lock = try lockForWriting()
    defer { withExtendedLifetime(lock) {} }
    var trace = PerformanceTrace("commit --all")
    var index = try StagingIndex.load(indexPath, checkingLater: true)  // confirmed by stage
    trace.mark("load index")
    let (report, checksum) = try stage([], in: &index, trace: &trace, progress: progress)
    return (report, try commit(.index(index, checksum: checksum), message: message, allowEmpty: allowEmpty, trace: &trace))
  }

  /// What a commit reads the staged files from.
  private enum StagedSource {
    /// The whole index, whose file on disk has `checksum`.
    case index(StagingIndex, checksum: [UInt8])
    /// Only the changes since the index's base (`StagedChanges.loadFromChangesFile`).
    case changes(StagedChanges)

    /// The checksum that names the index (for `index.committed`).
    var checksum: [UInt8] {
      switch self {
      case .index(_, let checksum): checksum
      case .changes(let changes): changes.checksum
      }
    }
  }

  static func checkMessage(_ message: String) throws {
    guard !message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
      throw StoreError(.badInput, "commit message is empty; pass -m MESSAGE")
    }
  }

  /// Commits the staged files; the caller holds the writer lock.
  private func commit(_ source: StagedSource, message: String, allowEmpty: Bool,
                      trace: inout PerformanceTrace) throws -> VersionInfo {
    try withGit { repo in
      let parent = try repo.headCommit()
      trace.mark("open versions")
      // With the index synced to the parent, cost follows the change: files unchanged since then were checked when
      // the parent was committed, and only touched folders are rebuilt. Otherwise every entry, decoded once.
      var source = source
      if case .changes(let changes) = source, changes.base != parent?.hex {
        let index = try StagingIndex.load(indexPath)  // HEAD moved since the index was synced: the full build
        source = .index(index, checksum: index.checksum)
      }
      let staged: StagedChanges?, all: [StagingIndex.Entry], totals: VersionTotals
      switch source {
      case .changes(let changes):
        (staged, all, totals) = (changes, [], changes.totals)
      case .index(let index, let checksum):
        staged = index.base == parent?.hex ? index.stagedChanges(checksum: checksum) : nil
        all = staged == nil ? index.allEntries() : []
        totals = index.totals()
      }
      let parentTree = try parent.map { try repo.treeID(ofCommit: $0) }
      for entry in staged.map({ Array($0.entries.values) }) ?? all where !objects.contains(entry.file.object) {
        throw StoreError(.missingObject, "\(entry.file.path): its object \(entry.file.object.hex) is missing; run 'tessera add' again")
      }
      var odb: OpaquePointer?
      try git("git_repository_odb") { git_repository_odb(&odb, repo.handle) }
      defer { git_odb_free(odb) }

      let tree: GitTreeNode
      if let staged, let parentTree {  // a staged base is the parent: there is a parent tree
        tree = try buildTree(staged, onto: parentTree, trace: &trace)
      } else {
        tree = try buildTree(all.map(\.file))
      }
      trace.mark("build trees")
      var pack = GitPackBuilder()
      try collectNewObjects(tree, into: &pack)
      if let parentTree, parentTree == GitOID(tree.oid), !allowEmpty {
        throw StoreError(.nothingToCommit, "nothing to commit: the staged files are the current version")
      }
      trace.mark("collect objects")
      let changes = try tree.changes ?? countChanges(tree, old: parentTree)
      let fullMessage = Self.commitMessage(message, totals: totals, changes: changes)
      trace.mark("count changes")

      let commitText = try Self.commitObject(tree: GitOID(tree.oid), parent: parent, message: fullMessage, repo: repo)
      let commitOID = GitPackBuilder.hash(GIT_OBJECT_COMMIT, commitText)
      try pack.append(GIT_OBJECT_COMMIT, commitText, oid: commitOID)
      // Objects first (one pack), one sync, then the ref: a crash leaves the previous version or this one.
      try pack.write(gitDirectory: gitDirectory, odb: odb)  // synced before it is renamed into place
      trace.mark("write pack")

      let newCommit = GitOID(commitOID)
      try moveHead(to: newCommit, expecting: parent, repo: repo, reflog: "commit: \(Self.firstLine(message))")
      trace.mark("move head")
      // The index now equals the new version. Recorded beside it rather than by rewriting it; only a cache for
      // status and the next commit: lost, it costs time, never correctness.
      try? CommittedIndex(index: MonitorSnapshot.hex(source.checksum), commit: newCommit.hex).write(forIndex: indexPath)
      trace.mark("record base")
      return try versionInfo(newCommit, repo: repo)
    }
  }

  /// The raw commit object, signed by TESSERA_AUTHOR_NAME / GIT_AUTHOR_NAME, git's user.name, or "Tessera".
  static func commitObject(tree: GitOID, parent: GitOID?, message: String, repo: GitRepository) throws -> [UInt8] {
    let env = ProcessInfo.processInfo.environment
    var name = env["TESSERA_AUTHOR_NAME"] ?? env["GIT_AUTHOR_NAME"]
    var email = env["TESSERA_AUTHOR_EMAIL"] ?? env["GIT_AUTHOR_EMAIL"]
    if name == nil {
      var signature: UnsafeMutablePointer<git_signature>?
      if git_signature_default(&signature, repo.handle) == 0, let sig = signature {
        name = String(cString: sig.pointee.name)
        email = email ?? String(cString: sig.pointee.email)
        git_signature_free(signature)
      }
    }
    let who = "\(Self.clean(name ?? "Tessera")) <\(Self.clean(email ?? "tessera@localhost"))> \(Int(Date().timeIntervalSince1970)) +0000"
    var text = "tree \(tree.hex)\n"
    if let parent { text += "parent \(parent.hex)\n" }
    text += "author \(who)\ncommitter \(who)\n\n\(message)"
    return Array(text.utf8)
  }

  static func clean(_ s: String) -> String { s.filter { $0 != "<" && $0 != ">" && $0 != "\n" } }

  static func firstLine(_ s: String) -> String { s.split(separator: "\n").first.map(String.init) ?? s }

  static func commitMessage(_ message: String, totals: VersionTotals, changes: (added: Int, deleted: Int, modified: Int)) -> String {
    var text = message.trimmingCharacters(in: .whitespacesAndNewlines) + "\n\n"
    text += "Tessera version: \(totals.count) files, \(ByteFormat.string(totals.bytes)); "
    text += "\(changes.added) added, \(changes.deleted) removed, \(changes.modified) modified\n"
    let splits = totals.splits
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
