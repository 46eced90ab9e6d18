import CGit2
import CStoreShims

/// A folder of a version being committed: its pointer blobs, its sub-folders, and the git ids of all of them,
/// computed in memory before anything is written.
final class GitTreeNode {
  var blobs: [(name: String, data: [UInt8], oid: git_oid)] = []
  var children: [String: GitTreeNode] = [:]
  var oid = git_oid()
  var bytes: [UInt8] = []
  /// The tree's pack entry, when the build made it beside the tree (on the core that built it).
  var packed: GitPackBuilder.Entry?
  /// Files below this node, for full builds (`countChanges` relies on it); an incremental build knows its
  /// counts as it goes (`changes`) and leaves this 0.
  var fileCount = 0
  /// Files added, deleted and modified against the parent version, when the build already knew them (the
  /// incremental build counts them as it goes; `countChanges` would read every folder of the parent again).
  var changes: (added: Int, deleted: Int, modified: Int)?
}

extension Store {
  /// Pointer blobs and trees mirroring the folders, hashed bottom-up (nothing is stored yet). `files` are sorted
  /// by path, so a folder's files come in runs and only a new run walks the folder path.
  func buildTree(_ files: [TrackedFile]) throws -> GitTreeNode {
    let top = GitTreeNode()
    let pointers = try renderPointers(files)
    var runFolder: Substring? = nil
    var node = top
    for (i, file) in files.enumerated() {
      let path = file.path
      let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
      let folder = slash.map { path[..<$0] } ?? ""
      if runFolder != folder {
        runFolder = folder
        node = top
        for dir in folder.split(separator: "/") {
          let name = String(dir)
          if let child = node.children[name] { node = child } else {
            let child = GitTreeNode()
            node.children[name] = child
            node = child
          }
        }
      }
      let name = slash.map { String(path[path.utf8.index(after: $0)...]) } ?? path
      node.blobs.append((name, pointers[i].0, pointers[i].1))
    }
    hashTree(top)
    return top
  }

  /// The tree of the staged files built onto the parent version's tree: only folders holding a path staged
  /// since the index matched the parent (`staged.touched`) are rebuilt, and only touched pointers are rendered;
  /// every other file and folder keeps the parent's git id. Valid when `staged.base` is the parent commit.
  func buildTree(_ staged: StagedChanges, onto parentTree: GitOID, trace: inout PerformanceTrace) throws -> GitTreeNode {
    var touchedByFolder: [String: [String]] = [:]
    var rebuild: Set<String> = [""]
    for path in staged.touched {
      touchedByFolder[parentDirectory(path), default: []].append(path)
      var folder = parentDirectory(path)
      while !folder.isEmpty && rebuild.insert(folder).inserted { folder = parentDirectory(folder) }
    }
    var rebuildBelow: [String: [String]] = [:]
    for folder in rebuild where !folder.isEmpty { rebuildBelow[parentDirectory(folder), default: []].append(folder) }
    let files = staged.entries.values.map(\.file)
    var pointers: [String: ([UInt8], git_oid)] = [:]
    for (file, pointer) in zip(files, try renderPointers(files)) { pointers[file.path] = pointer }
    let name = Self.lastComponent
    var counts = (added: 0, deleted: 0, modified: 0)

    let odb = try repo.objectDatabase()
    defer { git_odb_free(odb) }
    nonisolated(unsafe) let database = odb
    // libgit2 checks each object it reads against its id with its collision-detecting SHA-1, at ~250 MB/s: two
    // thirds of reading a commit's 2.5 MB of touched trees. The same check with the hardware SHA-1 below costs a
    // fifth of that. (No other thread reads through libgit2 meanwhile: commit holds the writer lock.)
    CStoreShims_git_strict_hash_verification(0)
    defer { CStoreShims_git_strict_hash_verification(1) }

    // The rebuilt folders level by level, the root first: a level's folders (Fashion-MNIST's twenty class folders,
    // 2.5 MB of trees) are read, and then rebuilt, on both cores.
    var levels: [[String]] = []
    for folder in rebuild {
      let depth = folder.isEmpty ? 0 : folder.utf8.reduce(1) { $1 == UInt8(ascii: "/") ? $0 + 1 : $0 }
      while levels.count <= depth { levels.append([]) }
      levels[depth].append(folder)
    }
    // Top-down: each rebuilt folder's tree in the parent version, where it had one (its id is in its parent's).
    var oldIDs: [String: GitOID] = ["": parentTree]
    var oldTrees: [String: RawTree] = [:]
    for level in levels {
      let present = level.filter { oldIDs[$0] != nil }
      let ids = present.map { oldIDs[$0]! }
      let trees = try parallelMap(present.count) { i in
        let object = try GitObjectBytes(ids[i], odb: database)
        let actual = GitOID(GitPackBuilder.hash(GIT_OBJECT_TREE, object.bytes))
        guard actual == ids[i] else {
          throw StoreError(.git, "tree \(ids[i].hex) of the parent version is corrupt: its bytes hash to \(actual.hex); run 'tessera verify'")
        }
        return try RawTree(object)
      }
      for (folder, tree) in zip(present, trees) {
        oldTrees[folder] = tree
        for sub in rebuildBelow[folder] ?? [] {
          if let i = tree.find(name(sub), isTree: true) { oldIDs[sub] = GitOID(tree.oid(i)) }
        }
      }
    }
    trace.mark("read trees")
    // Bottom-up: each folder is its parent version's tree with the touched entries taken out and the new ones put
    // in, edited as bytes: only the changes are decoded, and unchanged runs of entries are copied whole.
    var built: [String: GitTreeNode] = [:]  // a rebuilt folder missing here was left empty, and disappears
    for level in levels.reversed() {
      nonisolated(unsafe) let below = built
      let edits = touchedByFolder, subfolders = rebuildBelow, rendered = pointers, trees = oldTrees
      let results = try parallelMap(level.count) { i -> FolderEdit in
        let folder = level[i]
        var children: [String: GitTreeNode?] = [:]
        for sub in subfolders[folder] ?? [] { children[name(sub)] = below[sub] }
        return try Self.rebuildFolder(folder, old: trees[folder], children: children,
                                  touched: (edits[folder] ?? []).map { (name($0), rendered[$0]) })
      }
      for (folder, result) in zip(level, results) {
        built[folder] = result.node
        counts = (counts.added + result.counts.added, counts.deleted + result.counts.deleted,
                  counts.modified + result.counts.modified)
      }
    }
    let top = built[""]!  // the root is always rebuilt, and kept even when empty
    top.changes = counts
    return top
  }

  @Sendable static func lastComponent(_ path: String) -> String {
    path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
  }

  /// One folder rebuilt by `buildTree(_:onto:)`, and the files it added, deleted and modified.
  private struct FolderEdit: @unchecked Sendable {  // the node is handed from its worker to the caller, never shared
    var node: GitTreeNode?
    var counts: (added: Int, deleted: Int, modified: Int)
  }

  /// `old` with its sub-folders replaced by `children` (nil: the sub-folder is gone) and its touched files by their
  /// new pointers (nil: removed); nil when the folder is left empty (the caller keeps the root regardless).
  private static func rebuildFolder(_ folder: String, old oldTree: RawTree?, children: [String: GitTreeNode?],
                                    touched: [(name: String, pointer: ([UInt8], git_oid)?)]) throws -> FolderEdit {
    let node = GitTreeNode()
    var counts = (added: 0, deleted: 0, modified: 0)
    var dropped = Set<Int>()
    var fresh: [(name: String, isTree: Bool, oid: git_oid)] = []
    for (subName, child) in children {
      if let i = oldTree?.find(subName, isTree: true) { dropped.insert(i) }
      if let child {
        node.children[subName] = child
        fresh.append((subName, true, child.oid))
      }
    }
    for (fileName, pointer) in touched {
      let i = oldTree?.find(fileName, isTree: false)
      if let i { dropped.insert(i) }
      if let (data, oid) = pointer {
        node.blobs.append((fileName, data, oid))
        fresh.append((fileName, false, oid))
        if let i { if GitOID(oid) != GitOID(oldTree!.oid(i)) { counts.modified += 1 } } else { counts.added += 1 }
      } else if i != nil {
        counts.deleted += 1
      }
    }
    // A folder left empty disappears, as in git (the root stays, as the empty tree).
    if !folder.isEmpty && (oldTree?.count ?? 0) - dropped.count + fresh.count == 0 { return FolderEdit(node: nil, counts: counts) }
    fresh.sort { gitOrder($0.name, $0.isTree, $1.name, $1.isTree) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity((oldTree?.bytes.count ?? 0) + fresh.count * 64)
    var next = 0  // the first old entry not yet written
    // The dropped entries in order, walked with a cursor: a set lookup per old entry cost more than the copy.
    let droppedInOrder = dropped.sorted()
    var nextDropped = 0
    func copyOld(upTo end: Int) {
      guard let oldTree else { return }
      func copy(_ entries: Range<Int>) {
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: oldTree.bytes[oldTree.entryRange(entries)]))
      }
      var run = next
      while nextDropped < droppedInOrder.count && droppedInOrder[nextDropped] < end {
        let i = droppedInOrder[nextDropped]
        nextDropped += 1
        copy(run..<i)
        run = i + 1
      }
      if run < end { copy(run..<end) }
      next = max(next, end)
    }
    for entry in fresh {
      copyOld(upTo: oldTree?.insertionPoint(entry.name, isTree: entry.isTree) ?? 0)
      bytes += entry.isTree ? "40000 ".utf8 : "100644 ".utf8
      bytes += entry.name.utf8
      bytes.append(0)
      withUnsafeBytes(of: entry.oid.id) { bytes += $0 }
    }
    copyOld(upTo: oldTree?.count ?? 0)
    node.bytes = bytes
    node.oid = GitPackBuilder.hash(GIT_OBJECT_TREE, bytes)
    node.packed = try GitPackBuilder.Entry(GIT_OBJECT_TREE, bytes, oid: node.oid)
    return FolderEdit(node: node, counts: counts)
  }

  /// Each file's pointer blob and its git id. Rendering and SHA-1-hashing 70,000 pointers is most of a full
  /// build: on every core.
  private func renderPointers(_ files: [TrackedFile]) throws -> [([UInt8], git_oid)] {
    try parallelMap(files.count, chunk: 256) { i in
      let pointer = Pointer.render(files[i])
      return (pointer, GitPackBuilder.hash(GIT_OBJECT_BLOB, pointer))
    }
  }

  private func hashTree(_ node: GitTreeNode) {
    for child in node.children.values { hashTree(child) }
    hashNode(node)
  }

  /// The git tree object of one folder whose sub-folders are already hashed.
  private func hashNode(_ node: GitTreeNode) {
    // Blobs come in path order; sorting (a stable merge sort, linear on sorted runs) compares names in place
    // rather than building a key per entry.
    var entries: [(name: String, isTree: Bool, oid: git_oid)] = []
    entries.reserveCapacity(node.blobs.count + node.children.count)
    for b in node.blobs { entries.append((b.name, false, b.oid)) }
    for (name, child) in node.children { entries.append((name, true, child.oid)) }
    entries.sort { Self.gitOrder($0.name, $0.isTree, $1.name, $1.isTree) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(entries.reduce(0) { $0 + $1.name.utf8.count + 29 })
    for e in entries {
      bytes.append(contentsOf: e.isTree ? "40000 ".utf8 : "100644 ".utf8)
      bytes.append(contentsOf: e.name.utf8)
      bytes.append(0)
      withUnsafeBytes(of: e.oid.id) { bytes.append(contentsOf: $0) }
    }
    node.bytes = bytes
    node.oid = GitPackBuilder.hash(GIT_OBJECT_TREE, bytes)
    node.fileCount = node.blobs.count + node.children.values.reduce(0) { $0 + $1.fileCount }
  }

  /// git's order of tree entries: by name bytes, a folder's name compared as if it ended in "/".
  static func gitOrder(_ a: String, _ aIsTree: Bool, _ b: String, _ bIsTree: Bool) -> Bool {
    var a = a, b = b
    return a.withUTF8 { x in
      b.withUTF8 { y in
        // One name is a prefix of the other: compare the next byte, "/" after a folder's name, -1 at the end.
        compareBytes(x.baseAddress, x.count, y.baseAddress, y.count) { n in
          (x.count > n ? Int(x[n]) : (aIsTree ? 0x2F : -1)) - (y.count > n ? Int(y[n]) : (bIsTree ? 0x2F : -1))
        } < 0
      }
    }
  }

  /// Adds the trees and blobs the repository lacks; a folder whose tree exists is skipped whole.
  func collectNewObjects(_ tree: GitTreeNode, into pack: inout GitPackBuilder) throws {
    pack.reserve(Self.preparedBytes(tree))
    let packed = try GitPackedObjects(gitDirectory: gitDirectory)
    try withExtendedLifetime(packed) { try collectNewObjects(tree, odb: packed.handle, into: &pack) }
  }

  /// About the bytes the pack entries of a tree and everything below it take (stored, not compressed), leaving
  /// out entries prepared beforehand, which the pack keeps as they are.
  private static func preparedBytes(_ node: GitTreeNode) -> Int {
    let own = (node.packed == nil ? node.bytes.count + 64 : 0) + node.blobs.reduce(0) { $0 + $1.data.count + 32 }
    return node.children.values.reduce(own) { $0 + preparedBytes($1) }
  }

  private func collectNewObjects(_ node: GitTreeNode, odb: OpaquePointer?, into pack: inout GitPackBuilder) throws {
    var oid = node.oid
    if Self.exists(odb, &oid) { return }
    if let entry = node.packed { pack.append(entry) } else { try pack.append(GIT_OBJECT_TREE, node.bytes, oid: oid) }
    for b in node.blobs {
      var blob = b.oid
      if Self.exists(odb, &blob) { continue }
      try pack.append(GIT_OBJECT_BLOB, b.data, oid: b.oid)  // the pack skips a second copy of the same blob
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
