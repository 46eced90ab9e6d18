import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraStore

@Suite struct FileScannerTests {
  /// The parallel scan returns what a sequential depth-first walk would: every regular file once, each
  /// folder's files by name before its subfolders, links reported and not followed, a folder of more
  /// than one stat job (4,096 names) complete and in order.
  @Test func scanMatchesASequentialDepthFirstWalk() throws {
    try withTemporaryDirectory { dir in
      var expected: [String] = []
      for i in 0..<5000 { expected.append(String(format: "big/%05d.bin", i)) }
      expected += ["a.txt", "b/c.txt", "b/d/e.txt", "b/d/f/g.txt", "b/z.txt", "top.txt"]
      for path in expected { try dir.write([1], to: path) }
      try FileManager.default.createDirectory(atPath: dir.path + "/empty/deeper", withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(atPath: dir.path + "/b/link", withDestinationPath: "../a.txt")
      try dir.write([2], to: ".tessera/ignored")
      try dir.write([3], to: "b/.tessera-tmp-123-4")

      var scanner = FileScanner(root: dir.path)
      let files = try scanner.scan("").map(\.path)
      // Depth first: a folder's own files (sorted) come before its subfolders (sorted).
      let order = ["a.txt", "top.txt"] + ["b/c.txt", "b/z.txt", "b/d/e.txt", "b/d/f/g.txt"]
        + (0..<5000).map { String(format: "big/%05d.bin", $0) }
      #expect(files.count == expected.count)
      #expect(Set(files) == Set(expected))
      #expect(files == order)
      #expect(scanner.skippedLinks == ["b/link"])
      #expect(scanner.leftoverTemporaries == ["b/.tessera-tmp-123-4"])
    }
  }
}
