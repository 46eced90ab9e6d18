import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraStore

/// HEAD read from the repository's files (no libgit2 set-up) must agree with libgit2, and leave anything but the
/// plain layout to it.
@Suite struct GitHeadTests {
  func libgit2Head(_ store: Store) throws -> GitHead? {
    try store.withGit { repo in try repo.headCommit().map { GitHead(commit: $0.hex, branch: try repo.currentBranch()) } }
  }

  @Test func agreesWithLibgit2OnABranchAndDetached() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      #expect(GitHead.read(gitDirectory: store.gitDirectory) == nil, "an unborn branch is left to libgit2")
      #expect(try store.headAndBranch() == nil)
      try store.add([])
      try store.commit(message: "first")
      let onMain = try #require(GitHead.read(gitDirectory: store.gitDirectory))
      #expect(onMain.branch == "main")
      #expect(try onMain == libgit2Head(store))
      try store.createBranch("team/relabel")
      try store.checkout("team/relabel")
      #expect(try GitHead.read(gitDirectory: store.gitDirectory) == libgit2Head(store))
      #expect(GitHead.read(gitDirectory: store.gitDirectory)?.branch == "team/relabel")
      try store.checkout(onMain.commit)
      let detached = try #require(GitHead.read(gitDirectory: store.gitDirectory))
      #expect(detached.branch == nil && detached.commit == onMain.commit)
      #expect(try detached == libgit2Head(store))
    }
  }

  @Test func leavesPackedRefsAndOddHeadsToLibgit2() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: sampleFiles)
      try store.add([])
      try store.commit(message: "first")
      let head = try #require(GitHead.read(gitDirectory: store.gitDirectory))
      // git pack-refs: the branch moves into packed-refs and its loose file goes.
      try Data("# pack-refs with: peeled fully-peeled sorted \n\(head.commit) refs/heads/main\n".utf8)
        .write(to: URL(fileURLWithPath: store.gitDirectory + "/packed-refs"))
      try FileManager.default.removeItem(atPath: store.gitDirectory + "/refs/heads/main")
      #expect(GitHead.read(gitDirectory: store.gitDirectory) == nil)
      #expect(try store.headAndBranch() == head, "libgit2 reads packed-refs")
      #expect(try store.status().isClean)
      for odd in ["ref: refs/heads/../packed-refs\n", "ref: refs/tags/v1\n", "ref: refs/heads/main", String(head.commit.uppercased()) + "\n"] {
        try Data(odd.utf8).write(to: URL(fileURLWithPath: store.gitDirectory + "/HEAD"))
        #expect(GitHead.read(gitDirectory: store.gitDirectory) == nil, "\(odd)")
      }
    }
  }
}
