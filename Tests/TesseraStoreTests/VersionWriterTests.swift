import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraStore

@Suite struct VersionWriterTests {
  @Test func derivedVersionKeepsTheBaseAndLeavesHEADAlone() throws {
    try withTemporaryDirectory { dir in
      try dir.write(Array("a".utf8), to: "train/x/1.txt")
      let store = try Store.initialize(at: dir.path)
      try store.add([])
      let base = try store.commit(message: "base")
      let writer = try store.versionWriter(base: "HEAD")
      try writer.add(path: "train/x/1.aug.txt", bytes: Array("a'".utf8))
      try writer.add(path: "train/y/dup.txt", bytes: Array("a".utf8), label: "relabelled")
      #expect(throws: StoreError.self) { try writer.add(path: "train/x/1.txt", bytes: [1]) }
      #expect(throws: StoreError.self) { try writer.add(path: "../evil", bytes: [1]) }
      let derived = try writer.commit(message: "augmented\n\nsource: \(base.id)", branch: "aug")
      #expect(derived.parents == [base.id])
      #expect(try store.resolve("HEAD") == base.id)
      let files = try store.entries(revision: "aug")
      #expect(files.map(\.path) == ["train/x/1.aug.txt", "train/x/1.txt", "train/y/dup.txt"])
      #expect(files.last?.label == "relabelled")
      #expect(try store.readObject(files[0].object) == Array("a'".utf8))
      #expect(try store.verify().isClean)
      #expect(throws: StoreError.self) { try store.versionWriter(base: "HEAD").commit(message: "again", branch: "aug") }
    }
  }
}
