import CGit2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension GitRepository {
  /// The packs in `objects/pack`, by name (`pack-<hex>`), that have both their `.pack` and `.idx`.
  func packNames() -> [String] {
    let folder = objectsFolder + "/pack"
    let names = Set((try? listDirectory(folder)) ?? [])
    return names.filter { $0.hasPrefix("pack-") && $0.hasSuffix(".idx") }.map { String($0.dropLast(4)) }
      .filter { names.contains($0 + ".pack") }.sorted()
  }

  /// Writes one pack of every object the references and HEAD reach — each ref's own target (an annotated tag
  /// object too) and the whole history below it — through libgit2's pack builder, which fsyncs it before it
  /// returns (fsync is on for the process). Returns the new pack's name (`pack-<hex>`).
  func writePackOfReachableObjects() throws -> String {
    var builder: OpaquePointer?
    try git("git_packbuilder_new") { git_packbuilder_new(&builder, handle) }
    defer { git_packbuilder_free(builder) }
    git_packbuilder_set_threads(builder, 0)  // 0: one per core

    var walker: OpaquePointer?
    try git("git_revwalk_new") { git_revwalk_new(&walker, handle) }
    defer { git_revwalk_free(walker) }
    var roots = try directReferences().map(\.target)
    if let head = try headCommit() { roots.append(head) }
    var pushed = false
    for root in roots {
      var oid = root.raw
      var object: OpaquePointer?
      try git("git_object_lookup") { git_object_lookup(&object, handle, &oid, GIT_OBJECT_ANY) }
      defer { git_object_free(object) }
      // A tag object (or a ref to a tree or blob, which plain git can make) is packed with what it names; a
      // history walk visits commits only, and refuses anything that does not peel to one.
      if git_object_type(object) != GIT_OBJECT_COMMIT {
        try git("git_packbuilder_insert_recur") { git_packbuilder_insert_recur(builder, &oid, nil) }
      }
      var commit: OpaquePointer?
      if git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0 {
        var commitID = git_object_id(commit).pointee
        git_object_free(commit)
        try git("git_revwalk_push") { git_revwalk_push(walker, &commitID) }
        pushed = true
      }
    }
    if pushed { try git("git_packbuilder_insert_walk") { git_packbuilder_insert_walk(builder, walker) } }
    try git("git_packbuilder_write") { git_packbuilder_write(builder, nil, 0, nil, nil) }
    guard let name = git_packbuilder_name(builder) else { throw GitError(function: "git_packbuilder_name", code: -1, message: "no pack was written") }
    return "pack-" + String(cString: name)
  }

  /// Removes the loose objects that pack `name` holds (git's `prune-packed`), and loose folders left empty.
  /// Returns how many it removed.
  @discardableResult
  func removeLooseObjects(heldBy name: String) throws -> Int {
    var odb: OpaquePointer?
    try git("git_odb_new") { git_odb_new(&odb) }
    defer { git_odb_free(odb) }
    var backend: UnsafeMutablePointer<git_odb_backend>?
    try git("git_odb_backend_one_pack") { git_odb_backend_one_pack(&backend, objectsFolder + "/pack/" + name + ".idx") }
    let added = git_odb_add_backend(odb, backend, 1)
    if added < 0 { backend?.pointee.free(backend) }
    try git("git_odb_add_backend") { added }
    var removed = 0
    for folder in (try? listDirectory(objectsFolder)) ?? [] where folder.count == 2 {
      let path = objectsFolder + "/" + folder
      for file in (try? listDirectory(path)) ?? [] {
        guard file.count == 38, let id = GitOID(hex: folder + file) else { continue }
        var oid = id.raw
        if git_odb_exists(odb, &oid) == 1, unlink(path + "/" + file) == 0 { removed += 1 }
      }
      rmdir(path)  // fails, harmlessly, while anything is left in it
    }
    return removed
  }

  /// Each direct reference's target as stored (not peeled), symbolic references skipped.
  /// `objects/` of the repository (its path ends in a slash).
  private var objectsFolder: String { String(cString: git_repository_path(handle)) + "objects" }
}
