import CGit2
import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraStore

@Suite struct GitPackBuilderTests {
  /// The ids Tessera computes itself (plain SHA-1 over git's object header) are the ones git computes.
  @Test func objectIdsMatchGitHashObject() throws {
    try withTemporaryDirectory { dir in
      for (name, text) in [("empty", ""), ("pointer", "tessera-object 1\nsha256 00\nsize 12345\n"), ("long", String(repeating: "x", count: 70_000))] {
        try dir.write(Array(text.utf8), to: name)
        let git = try runShell("git hash-object \(name)", in: dir.url)
        #expect(git.status == 0)
        let ours = GitOID(GitPackBuilder.hash(GIT_OBJECT_BLOB, Array(text.utf8))).hex
        #expect(ours == git.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "\(name)")
      }
    }
  }

  /// A pack of many objects (one of them appended twice) with the index Tessera writes itself passes
  /// `git verify-pack`, lists each object once, and every object reads back through libgit2.
  @Test func packAndIndexPassGitVerifyPack() throws {
    try withTemporaryDirectory { dir in
      let store = try Store.initialize(at: dir.path)
      var builder = GitPackBuilder()
      var ids: [GitOID] = []
      for i in 0..<600 {
        let data = Array("object \(i)\n".utf8) + Array(repeating: UInt8(i % 251), count: i * 7)
        try builder.append(GIT_OBJECT_BLOB, data)
        ids.append(GitOID(GitPackBuilder.hash(GIT_OBJECT_BLOB, data)))
      }
      try builder.append(GIT_OBJECT_BLOB, Array("object 0\n".utf8))
      #expect(builder.count == 600)
      try store.withGit { repo in
        var odb: OpaquePointer?
        try git("git_repository_odb") { git_repository_odb(&odb, repo.handle) }
        defer { git_odb_free(odb) }
        try builder.write(gitDirectory: store.gitDirectory, odb: odb)
        for id in ids {
          var raw = id.raw
          #expect(git_odb_exists(odb, &raw) == 1, "\(id.hex)")
        }
      }
      let verify = try runShell("git verify-pack -v .tessera/git/objects/pack/*.idx", in: dir.url)
      #expect(verify.status == 0, "\(verify.stderr)")
      #expect(verify.stdout.contains("non delta: 600 objects"), "\(verify.stdout.suffix(300))")
    }
  }

  @Test func layoutLabelsReadTheFirstTwoFolders() {
    #expect(TrackedFile.layoutLabels(for: "train/Coat/1.png") == ("train", "Coat"))
    #expect(TrackedFile.layoutLabels(for: "train/Coat/deep/1.png") == ("train", "Coat"))
    #expect(TrackedFile.layoutLabels(for: "Coat/1.png") == (nil, "Coat"))
    #expect(TrackedFile.layoutLabels(for: "1.png") == (nil, nil))
    #expect(TrackedFile.layoutLabels(for: "a//b") == ("a", ""))
  }

  /// Tree entries in git's order (a folder's name compared as if it ended in "/"), checked against that rule
  /// spelled out with keys, on names that are prefixes of each other around "/" (0x2F): "-" and "." sort before it,
  /// "0" after.
  @Test func treeEntriesSortInGitsOrder() {
    let names = ["a", "a-b", "a.b", "a0", "ab", "b", "a.", "é", "Z", ""]
    let entries = names.filter { !$0.isEmpty }.flatMap { [($0, false), ($0, true)] }
    func key(_ e: (String, Bool)) -> [UInt8] { Array(e.0.utf8) + (e.1 ? [0x2F] : []) }
    for a in entries {
      for b in entries {
        #expect(Store.gitOrder(a.0, a.1, b.0, b.1) == key(a).lexicographicallyPrecedes(key(b)), "\(a) < \(b)")
      }
    }
  }
}
