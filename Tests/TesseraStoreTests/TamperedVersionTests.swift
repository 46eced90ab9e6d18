import CGit2
import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraStore

/// Versions written behind Tessera's back (raw git objects) must not let checkout escape the folder.
@Suite struct TamperedVersionTests {
  /// Commits a tree with one entry of any name (even `..`), bypassing libgit2's name checks, and tags it.
  func plantVersion(_ store: Store, entryName: String, pointer: [UInt8], tag: String) throws {
    let repo = try GitRepository.open(store.gitDirectory)
    var odb: OpaquePointer?
    try git("git_repository_odb") { git_repository_odb(&odb, repo.handle) }
    defer { git_odb_free(odb) }
    var blob = git_oid()
    try git("git_odb_write") { pointer.withUnsafeBytes { git_odb_write(&blob, odb, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) } }
    var raw = Array("100644 \(entryName)\0".utf8)
    withUnsafeBytes(of: blob.id) { raw.append(contentsOf: $0) }
    var tree = git_oid()
    try git("git_odb_write") { raw.withUnsafeBytes { git_odb_write(&tree, odb, $0.baseAddress, $0.count, GIT_OBJECT_TREE) } }
    let commitText = "tree \(GitOID(tree).hex)\nauthor x <x@x> 0 +0000\ncommitter x <x@x> 0 +0000\n\nevil\n"
    var commit = git_oid()
    try git("git_odb_write") {
      Array(commitText.utf8).withUnsafeBytes { git_odb_write(&commit, odb, $0.baseAddress, $0.count, GIT_OBJECT_COMMIT) }
    }
    var ref: OpaquePointer?
    try git("git_reference_create") { git_reference_create(&ref, repo.handle, "refs/tags/\(tag)", &commit, 1, nil) }
    git_reference_free(ref)
  }

  @Test(arguments: ["..", "."])
  func checkoutRefusesDotDotEntries(name: String) throws {
    try withTemporaryDirectory { dir in
      try dir.write(Array("ok".utf8), to: "a/1.txt")
      let store = try Store.initialize(at: dir.path)
      try store.add([])
      try store.commit(message: "good")
      let file = TrackedFile(path: name, object: ObjectID.hashing(Array("ok".utf8)), size: 2, image: nil, split: nil, label: nil)
      try plantVersion(store, entryName: name, pointer: Pointer.render(file), tag: "evil")
      let error = #expect(throws: StoreError.self) { try store.checkout("evil", force: true) }
      #expect(error?.kind == .unsafePath)
      #expect(try String(contentsOfFile: dir.path + "/a/1.txt", encoding: .utf8) == "ok")
      #expect(try !store.verify().isClean)
    }
  }

  @Test func aTamperedPointerIsReportedNotTrusted() throws {
    try withTemporaryDirectory { dir in
      try dir.write(Array("ok".utf8), to: "a/1.txt")
      let store = try Store.initialize(at: dir.path)
      try store.add([])
      try store.commit(message: "good")
      try plantVersion(store, entryName: "x.txt", pointer: Array("tessera-object 1\nsha256 zz\nsize 2\n".utf8), tag: "bad")
      #expect(throws: StoreError.self) { try store.entries(revision: "bad") }
      let report = try store.verify()
      #expect(report.problems.contains { $0.contains("x.txt") && $0.contains("invalid sha256") })
      // gc refuses rather than collecting objects it cannot account for.
      #expect(throws: StoreError.self) { try store.gc() }
    }
  }
}
