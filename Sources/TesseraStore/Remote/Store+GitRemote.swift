import CGit2
import Foundation

/// Version metadata travels through an ordinary git remote, by libgit2: the commits, trees and pointer blobs
/// of the versions, never the dataset's bytes (those go through the object remote first).
extension Store {
  /// Creates an empty bare git repository for versions at a local path, unless one is there. Made beside it and
  /// renamed into place: a push killed inside libgit2's init left a half-made repository holding `config.lock`,
  /// which every later push then failed to lock.
  package static func createGitRemote(at path: String) throws {
    if fileExists(path + "/HEAD") { return }
    let url = URL(fileURLWithPath: path)
    let parent = url.deletingLastPathComponent().path, name = url.lastPathComponent
    if let inside = try? FileManager.default.contentsOfDirectory(atPath: path), !inside.isEmpty {
      throw StoreError(.badInput, "\(path): exists and is not a git repository (no HEAD); give an empty or new folder")
    }
    try makeDirectories(parent)
    let prefix = ".\(name).tessera-tmp-"
    // Left by a creation killed before its rename: removed once the process that made it is gone.
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(prefix) {
      if let pid = Int32(entry.dropFirst(prefix.count).prefix { $0 != "-" }), kill(pid, 0) != 0, errno == ESRCH {
        try? FileManager.default.removeItem(atPath: parent + "/" + entry)
      }
    }
    let tmp = parent + "/" + prefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    do {
      _ = try GitRepository.create(tmp)
      try syscall("rename", path) { rename(tmp, path) }
    } catch {
      try? FileManager.default.removeItem(atPath: tmp)
      throw error
    }
  }

  /// The folder a local URL names — a path, or `file://` with no host or `localhost`, percent-decoded as libgit2
  /// decodes it — or nil for any other URL.
  package static func localPath(ofURL url: String) -> String? {
    if url.hasPrefix("/") { return url }
    guard url.hasPrefix("file://") else { return nil }
    guard let parsed = URL(string: url) else { return String(url.dropFirst(7)) }
    guard parsed.host == nil || parsed.host == "" || parsed.host == "localhost" else { return nil }
    return parsed.path
  }

  /// The references a git remote advertises (HEAD included, with its target branch).
  package func remoteReferences(gitURL: String) throws -> [RemoteReference] {
    try withGit { repo in try repo.remoteReferences(url: gitURL) }
  }

  /// Fetches every branch of the git remote into `refs/remotes/<name>/` and its tags into `refs/tags/`
  /// (an existing local tag is never moved). Returns the branches and tags the remote advertised.
  /// Holds the writer lock (waiting up to 30 s for a writer to finish): it writes references, and a writer takes
  /// any reference `.lock` it finds as abandoned.
  @discardableResult
  package func fetchVersions(gitURL: String, remoteName: String) throws -> [RemoteReference] {
    try withWriterLock(waitSeconds: 30) { try withGit { repo in
      try repo.fetch(url: gitURL, refspecs: ["+refs/heads/*:refs/remotes/\(remoteName)/*"], prune: true)
      let advertised = try repo.remoteReferences(url: gitURL)
        .filter { ($0.name.hasPrefix("refs/heads/") || $0.name.hasPrefix("refs/tags/")) && !$0.name.hasSuffix("^{}") }
      let local = Set(try repo.references().map(\.name))
      let missing = advertised.map(\.name).filter { $0.hasPrefix("refs/tags/") && !local.contains($0) }
      if !missing.isEmpty { try repo.fetch(url: gitURL, refspecs: missing.map { "\($0):\($0)" }, prune: false) }
      return advertised
    } }
  }

  /// `refs/remotes/<name>/<branch>` → commit, as last fetched.
  package func remoteTrackingReferences(_ remoteName: String) throws -> [String: String] {
    let prefix = "refs/remotes/\(remoteName)/"
    var out: [String: String] = [:]
    for ref in try withGit({ repo in try repo.references() }) where ref.name.hasPrefix(prefix) { out[ref.name] = ref.target.hex }
    return out
  }

  /// Pushes local references (full names: `refs/heads/main`, `refs/tags/v1`) to the same names on the remote.
  /// A branch that is not a fast-forward of the remote's is refused unless `force`.
  /// A local remote (a path) is shared by every store that pushes to it: pushes take turns on an exclusive
  /// `flock` there, so the reference locks a killed push left can be removed as abandoned.
  package func pushVersions(gitURL: String, references: [String], force: Bool) throws -> [PushedReference] {
    var turn: Int32 = -1
    defer { if turn >= 0 { close(turn) } }
    // Another store's own repository is guarded by that store's writer lock, not by this one.
    if let local = Self.localPath(ofURL: gitURL), !local.hasSuffix("/.tessera/git"), fileExists(local + "/HEAD") {
      let path = local + "/" + Self.pushLockName
      // Read-only is enough for flock, and works for every member of a group sharing the remote.
      turn = try syscall("open", path) { Glibc.open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0o664) }
      _ = try syscall("flock", path) { flock(turn, LOCK_EX) }
      // A push by plain git does not take this turn; its reference locks live for milliseconds, so only a lock
      // untouched for 2 s is taken as abandoned.
      Self.removeAbandonedGitLocks(inGitDirectory: local, untouchedFor: 2)
    }
    return try withGit { repo in
      try repo.push(url: gitURL, refspecs: references.map { (force ? "+" : "") + "\($0):\($0)" })
    }
  }

  /// Full names of local references matching `name`: a branch, a tag, or both.
  package func fullReferenceNames(_ name: String) throws -> [String] {
    let all = Set(try withGit { repo in try repo.references() }.map(\.name))
    if name.hasPrefix("refs/") { return all.contains(name) ? [name] : [] }
    return ["refs/heads/\(name)", "refs/tags/\(name)"].filter { all.contains($0) }
  }

  /// Every local branch and tag.
  package func allBranchesAndTags() throws -> [String] {
    try withGit { repo in try repo.references() }.map(\.name).filter { $0.hasPrefix("refs/heads/") || $0.hasPrefix("refs/tags/") }.sorted()
  }

  /// Whether `ancestor` is in the history of `descendant` (or the same commit).
  package func isAncestor(_ ancestor: String, of descendant: String) throws -> Bool {
    try withGit { repo in try repo.isAncestor(repo.resolveCommit(ancestor), of: repo.resolveCommit(descendant)) }
  }

  /// Points a local branch at a commit, creating it if needed (for clone and pull).
  package func setBranch(_ name: String, to commit: String) throws {
    try withWriterLock { try withGit { repo in
      let target = try repo.resolveCommit(commit)
      var oid = target.raw
      var ref: OpaquePointer?
      try git("git_reference_create") { git_reference_create(&ref, repo.handle, "refs/heads/\(name)", &oid, 1, "tessera: \(commit)") }
      git_reference_free(ref)
    } }
  }

  /// Points HEAD at a branch without touching files (a new clone's HEAD, before its first checkout).
  package func setHead(branch: String) throws {
    _ = try withWriterLock { try withGit { repo in
      try git("git_repository_set_head") { git_repository_set_head(repo.handle, "refs/heads/\(branch)") }
    } }
  }
}
