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

  /// Calls `body` for every commit reachable from any ref or from HEAD, each once.
  func forEachReachableCommit(_ body: (GitOID) throws -> Void) throws {
    var roots = try references().map(\.target)
    if let head = try headCommit() { roots.append(head) }
    try forEachCommit(reachableFrom: roots, body)
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
