import CGit2

/// A libgit2 object database over the repository's packs alone. Tessera writes every tree, blob and
/// commit into packs, so "is this object new?" needs only them; the repository's full database would
/// also probe the loose-object folder with one `access()` per miss — 70,000 system calls per commit.
/// A loose-only object (an annotated tag) merely gets packed again, which is harmless.
final class GitPackedObjects {
  let handle: OpaquePointer

  init(gitDirectory: String) throws {
    _ = LibGit2.initialised
    var odb: OpaquePointer?
    try git("git_odb_new") { git_odb_new(&odb) }
    var backend: UnsafeMutablePointer<git_odb_backend>?
    let status = git_odb_backend_pack(&backend, gitDirectory + "/objects")
    if status < 0 { git_odb_free(odb) }
    try git("git_odb_backend_pack") { status }
    let added = git_odb_add_backend(odb, backend, 1)
    if added < 0 {
      backend?.pointee.free(backend)
      git_odb_free(odb)
    }
    try git("git_odb_add_backend") { added }
    handle = odb!
  }

  deinit { git_odb_free(handle) }
}
