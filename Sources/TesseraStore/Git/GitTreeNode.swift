import CGit2

/// A folder of a version being committed: its pointer blobs, its sub-folders, and the git ids of all of them,
/// computed in memory before anything is written.
final class GitTreeNode {
  var blobs: [(name: String, data: [UInt8], oid: git_oid)] = []
  var children: [String: GitTreeNode] = [:]
  var oid = git_oid()
  var bytes: [UInt8] = []
  var fileCount = 0
}

extension Store {
  /// Pointer blobs and trees mirroring the folders, hashed bottom-up (nothing is stored yet).
  func buildTree(_ files: [TrackedFile]) throws -> GitTreeNode {
    let top = GitTreeNode()
    // Rendering and SHA-1-hashing 70,000 pointers is most of the work: on every core.
    let pointers = try parallelMap(files.count, chunk: 512) { i in
      let pointer = Pointer.render(files[i])
      return (pointer, try GitPackBuilder.hash(GIT_OBJECT_BLOB, pointer))
    }
    for (file, (pointer, oid)) in zip(files, pointers) {
      let parts = file.path.split(separator: "/")
      var node = top
      for dir in parts.dropLast() {
        if let child = node.children[String(dir)] { node = child } else {
          let child = GitTreeNode()
          node.children[String(dir)] = child
          node = child
        }
      }
      node.blobs.append((String(parts.last!), pointer, oid))
    }
    try hashTree(top)
    return top
  }

  private func hashTree(_ node: GitTreeNode) throws {
    // git orders entries by name, comparing a folder's name as if it ended in "/".
    var entries: [(key: [UInt8], mode: String, name: String, oid: git_oid)] = []
    for b in node.blobs { entries.append((Array(b.name.utf8), "100644", b.name, b.oid)) }
    for (name, child) in node.children {
      try hashTree(child)
      entries.append((Array(name.utf8) + [0x2F], "40000", name, child.oid))
    }
    entries.sort { $0.key.lexicographicallyPrecedes($1.key) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(entries.count * 40)
    for e in entries {
      bytes.append(contentsOf: Array("\(e.mode) \(e.name)".utf8))
      bytes.append(0)
      withUnsafeBytes(of: e.oid.id) { bytes.append(contentsOf: $0) }
    }
    node.bytes = bytes
    node.oid = try GitPackBuilder.hash(GIT_OBJECT_TREE, bytes)
    node.fileCount = node.blobs.count + node.children.values.reduce(0) { $0 + $1.fileCount }
  }

  /// Adds the trees and blobs the repository lacks; a folder whose tree exists is skipped whole.
  func collectNewObjects(_ node: GitTreeNode, odb: OpaquePointer?, into pack: inout GitPackBuilder) throws {
    var oid = node.oid
    if Self.exists(odb, &oid) { return }
    try pack.append(GIT_OBJECT_TREE, node.bytes)
    var written = Set<GitOID>()
    for b in node.blobs {
      var blob = b.oid
      if Self.exists(odb, &blob) || !written.insert(GitOID(blob)).inserted { continue }
      try pack.append(GIT_OBJECT_BLOB, b.data)
    }
    for child in node.children.values { try collectNewObjects(child, odb: odb, into: &pack) }
  }

  /// Whether the repository has an object, without re-reading the pack folder on a miss (libgit2's default,
  /// which made 70,000 misses cost a second). A stale answer only means an object is packed twice.
  static func exists(_ odb: OpaquePointer?, _ oid: inout git_oid) -> Bool {
    git_odb_exists_ext(odb, &oid, GIT_ODB_LOOKUP_NO_REFRESH.rawValue) == 1
  }

  /// Files added, deleted and modified against the parent's tree; identical folders are skipped.
  func countChanges(_ node: GitTreeNode, old: GitOID?) throws -> (added: Int, deleted: Int, modified: Int) {
    var counts = (added: 0, deleted: 0, modified: 0)
    guard let old else { return (node.fileCount, 0, 0) }
    if old == GitOID(node.oid) { return counts }
    var oldEntries: [String: (GitOID, Bool)] = [:]
    for entry in try repo.treeEntries(old) { oldEntries[entry.name] = (entry.id, entry.isTree) }
    for b in node.blobs {
      switch oldEntries.removeValue(forKey: b.name) {
      case nil: counts.added += 1
      case let (id, isTree)?:
        if isTree {
          counts.added += 1
          counts.deleted += try countFiles(id)
        } else if id != GitOID(b.oid) {
          counts.modified += 1
        }
      }
    }
    for (name, child) in node.children {
      switch oldEntries.removeValue(forKey: name) {
      case nil: counts.added += child.fileCount
      case let (id, isTree)?:
        if isTree {
          let c = try countChanges(child, old: id)
          counts = (counts.added + c.added, counts.deleted + c.deleted, counts.modified + c.modified)
        } else {
          counts.added += child.fileCount
          counts.deleted += 1
        }
      }
    }
    for (id, isTree) in oldEntries.values { counts.deleted += isTree ? try countFiles(id) : 1 }
    return counts
  }

  func countFiles(_ tree: GitOID) throws -> Int {
    try repo.treeEntries(tree).reduce(0) { $0 + ($1.isTree ? try countFiles($1.id) : 1) }
  }
}
