import CGit2

/// Owns a libgit2 repository handle. Not thread-safe (libgit2 objects are single-threaded):
/// the store uses one from one thread at a time and hands out only value types.
final class GitRepository {
  let handle: OpaquePointer

  private init(handle: OpaquePointer) { self.handle = handle }

  deinit { git_repository_free(handle) }

  static func open(_ path: String) throws -> GitRepository {
    _ = LibGit2.initialised
    var repo: OpaquePointer?
    try git("git_repository_open_bare") { git_repository_open_bare(&repo, path) }
    return GitRepository(handle: repo!)
  }

  /// A new bare repository whose HEAD points at `refs/heads/main`.
  static func create(_ path: String) throws -> GitRepository {
    _ = LibGit2.initialised
    var repo: OpaquePointer?
    try git("git_repository_init") { git_repository_init(&repo, path, 1) }
    let created = GitRepository(handle: repo!)
    try git("git_repository_set_head") { git_repository_set_head(created.handle, "refs/heads/main") }
    return created
  }

  /// The commit a revision names (`main`, `v1`, `HEAD~2`, a hex prefix), or nil when HEAD is unborn.
  func resolveCommit(_ revision: String) throws -> GitOID {
    var object: OpaquePointer?
    do {
      try git("git_revparse_single") { git_revparse_single(&object, handle, revision) }
    } catch let error as GitError {
      throw StoreError(.badRevision, "unknown revision '\(revision)': \(error.message)")
    }
    defer { git_object_free(object) }
    var commit: OpaquePointer?
    do {
      try git("git_object_peel") { git_object_peel(&commit, object, GIT_OBJECT_COMMIT) }
    } catch {
      throw StoreError(.badRevision, "revision '\(revision)' does not name a version")
    }
    defer { git_object_free(commit) }
    return GitOID(git_object_id(commit).pointee)
  }

  /// The commit HEAD points at, or nil before the first commit.
  func headCommit() throws -> GitOID? {
    var ref: OpaquePointer?
    let status = git_repository_head(&ref, handle)
    if status == GIT_EUNBORNBRANCH.rawValue || status == GIT_ENOTFOUND.rawValue { return nil }
    try git("git_repository_head") { status }
    defer { git_reference_free(ref) }
    guard let target = git_reference_target(ref) else { return nil }
    return GitOID(target.pointee)
  }

  /// The branch HEAD is on (`main`), or nil when HEAD is detached.
  func currentBranch() throws -> String? {
    var ref: OpaquePointer?
    try git("git_reference_lookup") { git_reference_lookup(&ref, handle, "HEAD") }
    defer { git_reference_free(ref) }
    guard git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC, let target = git_reference_symbolic_target(ref) else { return nil }
    let name = String(cString: target)
    return name.hasPrefix("refs/heads/") ? String(name.dropFirst("refs/heads/".count)) : name
  }

  func withCommit<T>(_ id: GitOID, _ body: (OpaquePointer) throws -> T) throws -> T {
    var oid = id.raw
    var commit: OpaquePointer?
    try git("git_commit_lookup") { git_commit_lookup(&commit, handle, &oid) }
    defer { git_commit_free(commit) }
    return try body(commit!)
  }

  func withTree<T>(_ id: GitOID, _ body: (OpaquePointer) throws -> T) throws -> T {
    var oid = id.raw
    var tree: OpaquePointer?
    try git("git_tree_lookup") { git_tree_lookup(&tree, handle, &oid) }
    defer { git_tree_free(tree) }
    return try body(tree!)
  }

  func blobBytes(_ id: GitOID) throws -> [UInt8] {
    var oid = id.raw
    var blob: OpaquePointer?
    try git("git_blob_lookup") { git_blob_lookup(&blob, handle, &oid) }
    defer { git_blob_free(blob) }
    let size = Int(git_blob_rawsize(blob))
    guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
    return Array(UnsafeRawBufferPointer(start: content, count: size))
  }

  /// All references: (full name, target commit). Symbolic references are skipped.
  func references() throws -> [(name: String, target: GitOID)] {
    var out: [(String, GitOID)] = []
    try forEachReference { ref in
      var resolved: OpaquePointer?
      guard git_reference_resolve(&resolved, ref) == 0 else { return }
      defer { git_reference_free(resolved) }
      guard let target = git_reference_target(resolved) else { return }
      var peeled: OpaquePointer?
      var oid = target.pointee
      if git_object_lookup(&peeled, handle, &oid, GIT_OBJECT_ANY) == 0 {
        defer { git_object_free(peeled) }
        var commit: OpaquePointer?
        if git_object_peel(&commit, peeled, GIT_OBJECT_COMMIT) == 0 {
          out.append((String(cString: git_reference_name(ref)), GitOID(git_object_id(commit).pointee)))
          git_object_free(commit)
        }
      }
    }
    return out
  }

  /// The references that name an object themselves (not symbolic ones): (full name, the object, unpeeled).
  func directReferences() throws -> [(name: String, target: GitOID)] {
    var out: [(String, GitOID)] = []
    try forEachReference { ref in
      if git_reference_type(ref) == GIT_REFERENCE_DIRECT, let target = git_reference_target(ref) {
        out.append((String(cString: git_reference_name(ref)), GitOID(target.pointee)))
      }
    }
    return out
  }

  /// Calls `body` with each reference, symbolic ones included; the handle is freed after `body` returns.
  func forEachReference(_ body: (OpaquePointer?) throws -> Void) throws {
    var iterator: OpaquePointer?
    try git("git_reference_iterator_new") { git_reference_iterator_new(&iterator, handle) }
    defer { git_reference_iterator_free(iterator) }
    while true {
      var ref: OpaquePointer?
      let status = git_reference_next(&ref, iterator)
      if status == GIT_ITEROVER.rawValue { return }
      try git("git_reference_next") { status }
      defer { git_reference_free(ref) }
      try body(ref)
    }
  }
}
