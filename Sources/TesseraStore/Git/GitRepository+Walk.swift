import CGit2

/// One entry of a git tree, copied out while the tree is alive.
struct GitTreeEntry {
  var name: String
  var id: GitOID
  var isTree: Bool
}

extension GitRepository {
  /// The entries of a tree, in git's order.
  func treeEntries(_ tree: GitOID) throws -> [GitTreeEntry] {
    try withTree(tree) { handle in
      (0..<git_tree_entrycount(handle)).map { i in
        let entry = git_tree_entry_byindex(handle, i)
        return GitTreeEntry(name: String(cString: git_tree_entry_name(entry)), id: GitOID(git_tree_entry_id(entry).pointee),
                            isTree: git_tree_entry_type(entry) == GIT_OBJECT_TREE)
      }
    }
  }

  func treeID(ofCommit commit: GitOID) throws -> GitOID {
    try withCommit(commit) { GitOID(git_commit_tree_id($0).pointee) }
  }

  /// Calls `commit` for every commit reachable from any ref or from HEAD, each once, and `tree` for each tree a
  /// ref names directly (plain git can tag a tree): both reach pointers. A ref whose object is missing, or an
  /// annotated tag whose target is, goes to `unreadable` when given (verify lists it and goes on) and throws
  /// otherwise: what it reaches is unknown, so gc must not guess.
  func forEachReachableVersion(commit: (GitOID) throws -> Void, tree: (_ ref: String, GitOID) throws -> Void,
                               unreadable: ((_ ref: String, any Error) -> Void)? = nil) throws {
    var roots = try directReferences()
    if let head = try headCommit() { roots.append(("HEAD", head)) }
    var commits: [GitOID] = []
    for root in roots {
      do {
        if let found = try peeledTarget(of: root, tree: tree) { commits.append(found) }
      } catch {
        guard let unreadable else {
          let reason = (error as? GitError)?.message ?? "\(error)"
          throw StoreError(.missingObject, "\(root.name) names object \(root.target.hex), which cannot be read (\(reason)): what it reaches is unknown")
        }
        unreadable(root.name, error)
      }
    }
    try forEachCommit(reachableFrom: commits, commit)
  }

  /// The commit `root` names (through annotated tags), or nil after passing a tree to `tree`; a blob is neither.
  private func peeledTarget(of root: (name: String, target: GitOID), tree: (_ ref: String, GitOID) throws -> Void) throws -> GitOID? {
    var oid = root.target.raw
    var object: OpaquePointer?
    try git("git_object_lookup") { git_object_lookup(&object, handle, &oid, GIT_OBJECT_ANY) }
    defer { git_object_free(object) }
    var peeled: OpaquePointer?
    defer { if peeled != nil { git_object_free(peeled) } }
    var target = object
    if git_object_type(object) == GIT_OBJECT_TAG {
      // GIT_OBJECT_ANY peels annotated tags down to the first object that is not one.
      try git("git_object_peel") { git_object_peel(&peeled, object, GIT_OBJECT_ANY) }
      target = peeled
    }
    switch git_object_type(target) {
    case GIT_OBJECT_COMMIT: return GitOID(git_object_id(target).pointee)
    case GIT_OBJECT_TREE: try tree(root.name, GitOID(git_object_id(target).pointee))
    default: break  // a blob: no version, no pointers of one
    }
    return nil
  }

  /// Calls `body` for every commit in the history of `roots`, each once.
  func forEachCommit(reachableFrom roots: [GitOID], _ body: (GitOID) throws -> Void) throws {
    guard !roots.isEmpty else { return }
    var walker: OpaquePointer?
    try git("git_revwalk_new") { git_revwalk_new(&walker, handle) }
    defer { git_revwalk_free(walker) }
    for root in roots {
      var oid = root.raw
      try git("git_revwalk_push") { git_revwalk_push(walker, &oid) }
    }
    var next = git_oid()
    while true {
      let status = git_revwalk_next(&next, walker)
      if status == GIT_ITEROVER.rawValue { return }
      try git("git_revwalk_next") { status }
      try body(GitOID(next))
    }
  }
}
