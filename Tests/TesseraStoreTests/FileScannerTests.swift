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

  /// A first add's scan leaves regular files unstat'ed (hashing fstats them), in the same order as a full scan;
  /// links are still reported and a FIFO, which readdir does not call regular, is still stat'ed and skipped.
  @Test func scanWithoutStatsListsTheSameFilesInTheSameOrder() throws {
    try withTemporaryDirectory { dir in
      for path in ["a.txt", "b/c.txt", "b/d/e.txt", "z.txt"] { try dir.write([1], to: path) }
      try FileManager.default.createSymbolicLink(atPath: dir.path + "/b/link", withDestinationPath: "../a.txt")
      #expect(mkfifo(dir.path + "/b/pipe", 0o644) == 0)
      var full = FileScanner(root: dir.path)
      let stated = try full.scan("")
      var quick = FileScanner(root: dir.path)
      quick.statsRegularFiles = false
      let listed = try quick.scan("")
      #expect(listed.map(\.path) == stated.map(\.path))
      #expect(listed.map(\.path) == ["a.txt", "z.txt", "b/c.txt", "b/d/e.txt"])
      #expect(stated.allSatisfy(\.statKnown) && stated.allSatisfy { $0.stat.size == 1 })
      #expect(listed.allSatisfy { !$0.statKnown && $0.stat == .untrusted })
      #expect(quick.skippedLinks == ["b/link"])
    }
  }
}

/// readdir's entries are packed by their real length: a name must be read in place, never by copying the 256
/// bytes `dirent.d_name` declares (which crashed the monitor when the last entry of readdir's buffer ended just
/// before an unmapped page).
@Suite struct DirectoryEntryTests {
  @Test func aShortEntryRightBeforeAnUnmappedPageIsReadWithoutCrossingIt() throws {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let mapping = try #require(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
    #expect(mapping != MAP_FAILED)
    defer { munmap(mapping, 2 * page) }
    #expect(mprotect(mapping + page, page, PROT_NONE) == 0)
    let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
    let name = Array("a.png".utf8) + [0]
    let length = (nameOffset + name.count + 7) & ~7  // as the kernel pads d_reclen
    let entry = mapping + page - length
    memset(entry, 0, length)
    entry.storeBytes(of: UInt16(length), toByteOffset: MemoryLayout<dirent>.offset(of: \dirent.d_reclen)!, as: UInt16.self)
    entry.storeBytes(of: UInt8(DT_REG), toByteOffset: MemoryLayout<dirent>.offset(of: \dirent.d_type)!, as: UInt8.self)
    name.withUnsafeBytes { (entry + nameOffset).copyMemory(from: $0.baseAddress!, byteCount: name.count) }
    let read: String = directoryEntryName(UnsafePointer(entry.assumingMemoryBound(to: dirent.self)))
    #expect(read == "a.png")
  }
}
