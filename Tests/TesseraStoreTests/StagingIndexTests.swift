import Crypto
import Testing
import TesseraAugment
import TesseraTestSupport
@testable import TesseraStore

/// The index keeps loaded entries as bytes and changes in an overlay: every read and every rewrite must agree with
/// a plain dictionary of the same entries, whatever mix of stored, changed and removed entries it holds.
@Suite struct StagingIndexTests {
  static let names = ["a", "a.txt", "a/b", "a/b.txt", "a/b/c", "b", "train/Shirt/00017.png", "train/Shirt/00018.png",
                      "train/T-shirt_top/1.png", "test/Bag/9.png", "é/1.png", "z/ü.png", "Z/upper.png", "labels.csv"]

  static func entry(_ path: String, _ random: inout SplitMix64) -> StagingIndex.Entry {
    let image = random.next() % 3 == 0 ? nil : ImageInfo(format: "png", width: Int(random.next() % 300),
                                                         height: Int(random.next() % 300), channels: 3)
    let (split, label) = TrackedFile.layoutLabels(for: path)
    let file = TrackedFile(path: path, object: ObjectID(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()),
                           size: Int64(random.next() % 100_000), image: image, split: split, label: label)
    let stat = FileStat(size: file.size, mtimeNs: Int64(random.next() >> 2), ctimeNs: Int64(random.next() >> 2), inode: random.next())
    return .init(file: file, stat: stat)
  }

  /// Every way of asking the index what it holds, against the model.
  func expectEqual(_ index: StagingIndex, _ model: [String: StagingIndex.Entry], _ round: Int) {
    let sortedPaths = model.keys.sorted { StagingIndex.pathLess($0, $1) }
    #expect(index.count == model.count, "count, round \(round)")
    #expect(index.paths == sortedPaths, "paths, round \(round)")
    #expect(index.allEntries() == sortedPaths.map { model[$0]! }, "entries, round \(round)")
    for path in Self.names { #expect(index[path] == model[path], "\(path), round \(round)") }
    let totals = index.totals(), expected = VersionTotals(model.values.map(\.file))
    #expect(totals == expected, "totals, round \(round)")
    // The totals kept in the files and corrected by the overlay agree with a count of every entry.
    #expect(index.countedTotals() == expected, "counted totals, round \(round)")
  }

  @Test func storedAndChangedEntriesReadAsOneDictionary() throws {
    try withTemporaryDirectory { dir in
      let path = dir.path + "/index"
      var random = SplitMix64(seed: 7)
      var model: [String: StagingIndex.Entry] = [:]
      var index = StagingIndex()
      for round in 0..<40 {
        // A handful of sets and removals, some of paths set or removed earlier in the same round.
        for _ in 0..<Int(random.next() % 6) {
          let name = Self.names[Int(random.next() % UInt64(Self.names.count))]
          if random.next() % 3 == 0 {
            index[name] = nil
            model[name] = nil
          } else {
            let e = Self.entry(name, &random)
            index[name] = e
            model[name] = e
          }
        }
        if round % 10 == 5 {
          // What a first add does: every entry at once, in the index's order or in any order.
          let all = Array(model.values)
          index.replaceAll(with: round % 20 == 5 ? all : all.sorted { StagingIndex.pathLess($0.file.path, $1.file.path) })
        }
        if random.next() % 2 == 0 { index.touched.insert(Self.names[round % Self.names.count]) }
        index.base = round % 4 == 0 ? nil : "commit \(round)"
        expectEqual(index, model, round)
        try index.write(path)
        let before = index
        index = try StagingIndex.load(path)
        expectEqual(index, model, round)
        #expect(index.base == before.base && index.touched == before.touched)
        // A load followed by a write without changes gives the same bytes (touched paths are a set, written in
        // any order, so they are left out of the comparison).
        var again = index, original = before
        again.touched = []
        original.touched = []
        #expect(again.serialize() == original.serialize(), "rewrite, round \(round)")
      }
    }
  }

  @Test func inPlaceReadsMatchDecodedEntries() throws {
    try withTemporaryDirectory { dir in
      var random = SplitMix64(seed: 11)
      var index = StagingIndex()
      for name in Self.names { index[name] = Self.entry(name, &random) }
      try index.write(dir.path + "/index")
      let loaded = try StagingIndex.load(dir.path + "/index")
      #expect(loaded.storedCount == Self.names.count)
      var previous = -1
      for path in loaded.paths {
        // Paths asked in index order are found through the hint; the answer is the same either way.
        let i = try #require(loaded.storedPosition(of: path, hint: previous + 1))
        #expect(loaded.storedPosition(of: path) == i && i == previous + 1)
        previous = i
        let e = loaded.storedEntry(i)
        #expect(e.file.path == path)
        let (stat, object) = loaded.storedStatAndObject(i)
        #expect(stat == e.stat && object == e.file.object)
        #expect(loaded.storedPath(i, isUnder: "a") == (path == "a" || path.hasPrefix("a/")))
        #expect(loaded.storedPath(i, isUnder: ""))
      }
      #expect(loaded.storedPosition(of: "a/") == nil && loaded.storedPosition(of: "missing") == nil)
      #expect(loaded.storedPosition(of: "") == nil)
    }
  }

  /// An index written by an older Tessera is in Swift's string order; a path listed twice is corruption.
  @Test func unsortedIndexIsSortedOnLoadAndDuplicatesAreRefused() throws {
    try withTemporaryDirectory { dir in
      var random = SplitMix64(seed: 3)
      let entries = ["b/1", "a/2", "a/1", "c"].map { Self.entry($0, &random) }
      func write(_ list: [StagingIndex.Entry]) throws -> String {
        var out = StagingIndex.legacyMagic  // as an older Tessera wrote it: no totals
        PackIndex.appendUInt64(&out, UInt64(list.count))
        for e in list { StagingIndex.encodeEntry(e, into: &out) }
        out.append(0)  // no base
        PackIndex.appendUInt64(&out, 0)
        out.append(contentsOf: SHA256.hash(data: out))
        let path = dir.path + "/index-\(list.count)"
        try writeFileAtomically(path, out)
        return path
      }
      var loaded = try StagingIndex.load(try write(entries))
      #expect(loaded.paths == ["a/1", "a/2", "b/1", "c"])
      #expect(loaded.totals() == VersionTotals(entries.map(\.file)))
      #expect(loaded["a/2"] == entries[1] && loaded["zz"] == nil)
      // Rewritten with a change (unchanged entries copied through) and without: both read back in the new order.
      let path = dir.path + "/rewritten"
      try loaded.write(path)
      #expect(try StagingIndex.load(path).allEntries() == [entries[2], entries[1], entries[0], entries[3]])
      let added = Self.entry("b/0", &random)
      loaded["b/0"] = added
      try loaded.write(path)
      #expect(try StagingIndex.load(path).allEntries() == [entries[2], entries[1], added, entries[0], entries[3]])
      #expect(throws: StoreError.self) { try StagingIndex.load(try write(entries + [entries[2]])) }
    }
  }

  /// A small change is written as `index.changes` beside an untouched full index; loading merges it, so every read
  /// (in-place ones included, which `add` relies on) sees the same entries; past the limit the full index is
  /// rewritten and the changes file goes.
  /// With 200 entries the index is read into memory, and the merge copies it beside its changes (and it is never
  /// compacted: a changes file holds up to 256 paths); with 3,000 it is mapped, and its changes go into the room
  /// reserved after the mapping: the same index either way.
  @Test(arguments: [200, 3000])
  func smallChangesGoToAChangesFileThatLoadsAsTheSameIndex(entries: Int) throws {
    try withTemporaryDirectory { dir in
      let path = dir.path + "/index", changesPath = IndexChanges.path(forIndex: path)
      var random = SplitMix64(seed: 21)
      let first = (0..<entries).map { Self.entry("train/c\($0 % 7)/\($0).png", &random) }
      var model = Dictionary(uniqueKeysWithValues: first.map { ($0.file.path, $0) })
      var index = StagingIndex()
      index.replaceAll(with: first.sorted { StagingIndex.pathLess($0.file.path, $1.file.path) })
      index.base = "commit 0"
      try index.write(path)
      #expect(!fileExists(changesPath))
      var full = try readFile(path)
      var sawChanges = false, sawCompaction = false, sawReference = false
      for round in 1...60 {
        index = try StagingIndex.load(path)
        // Sets of tracked and new paths, removals, and a path set then removed in the same round.
        for _ in 0..<Int(3 + random.next() % UInt64(entries / 40)) {
          let n = Int(random.next() % UInt64(entries + entries / 6))
          let name = "train/c\(n % 7)/\(n).png"
          if random.next() % 4 == 0 {
            index[name] = nil
            model[name] = nil
          } else {
            let e = Self.entry(name, &random)
            index[name] = e
            model[name] = e
          }
        }
        index.touched.insert("train/c1/\(round).png")
        index.base = "commit \(round)"
        let written = try index.write(path)
        if fileExists(changesPath) {
          sawChanges = true
          #expect(try readFile(path) == full, "round \(round): the full index is left alone")
          #expect(Array(try readFile(changesPath).suffix(32)) == written, "round \(round): named by the changes file")
        } else {
          sawCompaction = true
          #expect(try readFile(path) != full)
          full = try readFile(path)
        }
        let loaded = try StagingIndex.load(path)
        if loaded.mergedByReference { sawReference = true }
        #expect(loaded.checksum == written)
        #expect(loaded.base == "commit \(round)" && loaded.touched == index.touched)
        let sorted = model.keys.sorted { StagingIndex.pathLess($0, $1) }
        #expect(loaded.count == model.count && loaded.paths == sorted, "round \(round)")
        #expect(loaded.allEntries() == sorted.map { model[$0]! }, "round \(round)")
        #expect(loaded.storedCount == model.count)
        for (i, p) in sorted.enumerated() {
          #expect(loaded.storedPosition(of: p) == i)
          let (stat, object) = loaded.storedStatAndObject(i)
          if stat != model[p]!.stat || object != model[p]!.file.object { Issue.record("round \(round): \(p) in place") }
        }
        #expect(loaded.storedPositions(atOrUnder: "train/c3").count == sorted.filter { $0.hasPrefix("train/c3/") }.count)
        // The merged entries are byte for byte what a full write of the same index holds.
        var rewritten = loaded
        rewritten.touched = []
        var fromModel = StagingIndex()
        fromModel.replaceAll(with: sorted.map { model[$0]! })
        fromModel.base = loaded.base
        #expect(rewritten.serialize() == fromModel.serialize(), "round \(round)")
        // status's reading in place groups the same names by folder.
        let stats = try #require(try IndexStats.load(path))
        #expect(stats.entryCount == model.count && stats.folders["train/c3"]?.names.count == sorted.filter { $0.hasPrefix("train/c3/") }.count)
        let names = try #require(stats.folders["train/c5"]).names.map { range in
          stats.bytes.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[range.offset..<(range.offset + range.length)]), as: UTF8.self) }
        }
        #expect(names == sorted.filter { $0.hasPrefix("train/c5/") }.map { String($0.dropFirst("train/c5/".count)) }, "round \(round)")
      }
      #expect(sawChanges && sawCompaction == (entries > 256))
      #expect(sawReference == (entries > 256), "a mapped index's changes are merged by reference")
    }
  }

  /// An index changed and changed back is written as the same bytes it had before the change. A crash between
  /// that full write's rename and its removal of the changes file must not bring the change back: the changes
  /// file names exactly these bytes, so the write removes it first (and a committed record naming them too).
  @Test func aCrashAfterRewritingTheSameBytesDoesNotReapplyOldChanges() throws {
    try withTemporaryDirectory { dir in
      let path = dir.path + "/index", changesPath = IndexChanges.path(forIndex: path)
      var random = SplitMix64(seed: 9)
      let entries = (0..<300).map { Self.entry(String(format: "f/%04d", $0), &random) }
      var index = StagingIndex()
      index.replaceAll(with: entries)
      let original = try index.write(path)
      let expected = try StagingIndex.load(path).allEntries()
      index = try StagingIndex.load(path)
      index["f/0007"] = nil
      try index.write(path)
      #expect(fileExists(changesPath))
      #expect(try StagingIndex.load(path).allEntries().count == 299)
      try CommittedIndex(index: MonitorSnapshot.hex(original), commit: String(repeating: "a", count: 40)).write(forIndex: path)

      // The same entries again, written in full; the crash comes right after the rename.
      struct Crash: Error {}
      let target = path
      StagingIndex.afterFullRename.withLock { $0 = { if $0 == target { throw Crash() } } }
      defer { StagingIndex.afterFullRename.withLock { $0 = nil } }
      var again = StagingIndex()
      again.replaceAll(with: entries)
      #expect(throws: Crash.self) { try again.write(path) }
      StagingIndex.afterFullRename.withLock { $0 = nil }
      let loaded = try StagingIndex.load(path)
      #expect(loaded.checksum == original)
      let asWritten = loaded.allEntries() == expected
      #expect(asWritten, "the removed entry is back, as written (\(loaded.allEntries().count) entries)")
      #expect(loaded.base == nil, "no committed record speaks for these bytes any more")
    }
  }

  /// A crash between replacing the full index and removing the changes file leaves one that names the old full
  /// index: it is ignored. A torn or tampered changes file is refused, naming it.
  @Test func aStaleChangesFileIsIgnoredAndACorruptOneRefused() throws {
    try withTemporaryDirectory { dir in
      let path = dir.path + "/index", changesPath = IndexChanges.path(forIndex: path)
      var random = SplitMix64(seed: 5)
      var index = StagingIndex()
      index.replaceAll(with: (0..<300).map { Self.entry(String(format: "f/%04d", $0), &random) })
      try index.write(path)
      index = try StagingIndex.load(path)
      index["f/0001"] = nil
      try index.write(path)
      let stale = try readFile(changesPath)
      index = try StagingIndex.load(path)
      for i in 0..<300 { index[String(format: "g/%04d", i)] = Self.entry(String(format: "g/%04d", i), &random) }
      try index.write(path)  // past the limit: a full write
      #expect(!fileExists(changesPath))
      let expected = try StagingIndex.load(path).allEntries()
      #expect(expected.count == 599)
      try writeFileAtomically(changesPath, stale)
      #expect(try StagingIndex.load(path).allEntries() == expected)

      // Now a changes file that does belong to the full index, damaged.
      index = try StagingIndex.load(path)
      index["f/0002"] = nil
      try index.write(path)
      var bytes = try readFile(changesPath)
      bytes[bytes.count / 2] ^= 0x40
      try writeFileAtomically(changesPath, bytes)
      #expect {
        try StagingIndex.load(path)
      } throws: { error in
        let e = error as? StoreError
        return e?.kind == .corruptIndex && e!.message.contains("index.changes")
      }
      #expect(throws: StoreError.self) { try IndexStats.load(path) }
    }
  }

  /// Loading the index at `path` is refused as a checksum mismatch (and nothing else). Loaded with the check left
  /// running (`checkingLater`), it is refused then, or by `confirmChecksum` and by `write`, which leaves the file
  /// as it was.
  func expectChecksumMismatch(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) {
    func isMismatch(_ error: any Error) -> Bool {
      (error as? StoreError).map { $0.kind == .corruptIndex && $0.message.contains("checksum does not match") } ?? false
    }
    #expect(sourceLocation: sourceLocation) { try StagingIndex.load(path) } throws: { isMismatch($0) }
    let before = try? readFile(path)
    do {
      var index = try StagingIndex.load(path, checkingLater: true)
      #expect(sourceLocation: sourceLocation) { try index.confirmChecksum() } throws: { isMismatch($0) }
      var random = SplitMix64(seed: 5)
      index["new/file.png"] = Self.entry("new/file.png", &random)
      #expect(sourceLocation: sourceLocation) { try index.write(path) } throws: { isMismatch($0) }
      #expect((try? readFile(path)) == before, sourceLocation: sourceLocation)
    } catch {
      #expect(isMismatch(error), sourceLocation: sourceLocation)
    }
  }

  /// A damaged index is reported as a checksum mismatch wherever the damage is: in an entry's path, in the count,
  /// in a length field that would make a parse fail or read past an entry, in the trailer. Never a parse result
  /// of damaged bytes, and never a less telling parse error.
  @Test func aDamagedIndexIsAChecksumMismatchWhereverTheDamageIs() throws {
    try withTemporaryDirectory { dir in
      let path = dir.path + "/index"
      var random = SplitMix64(seed: 11)
      var index = StagingIndex()
      index.replaceAll(with: (0..<300).map { Self.entry(String(format: "train/c%d/%04d.png", $0 % 7, $0), &random) })
      try index.write(path)
      let good = try readFile(path)
      #expect(try StagingIndex.load(path).count == 300)
      for position in [4, 12, 13, 14, 20, good.count / 3, good.count / 2, good.count - 40, good.count - 33, good.count - 1] {
        for flip: UInt8 in [0x01, 0x80] {
          var bad = good
          bad[position] ^= flip
          try writeFileAtomically(path, bad)
          expectChecksumMismatch(path)
        }
      }
    }
  }

  /// The entries are laid out while the checksum is still being computed, so damage must not trap the parse first:
  /// two paths swapped out of order (which makes the loader decode every entry) and an image width with its top bit
  /// set (which no Int holds) is still only "checksum does not match".
  @Test func damageThatWouldTrapADecodeIsAChecksumMismatch() throws {
    try withTemporaryDirectory { dir in
      let path = dir.path + "/index"
      let png = ImageInfo(format: "png", width: 28, height: 28, channels: 1)
      var index = StagingIndex()
      index.replaceAll(with: ["a/1.png", "a/2.png"].map { name in
        StagingIndex.Entry(file: TrackedFile(path: name, object: ObjectID.hashing(Array(name.utf8)), size: 9, image: png,
                                             split: nil, label: "a"),
                           stat: FileStat(size: 9, mtimeNs: 1, ctimeNs: 1, inode: 1))
      })
      try index.write(path)
      var bad = try readFile(path)
      // First entry at 12: path (2 + 7 bytes), id 32, size 8, stat 32, image flag 1, format (2 + 3), then width.
      let first = 12
      let second = try #require((first + 1..<bad.count - 7).first { Array(bad[$0 + 2..<$0 + 9]) == Array("a/2.png".utf8) })
      #expect(bad[first + 2 + 2] == UInt8(ascii: "1") && bad[second + 2 + 2] == UInt8(ascii: "2"))
      (bad[first + 2 + 2], bad[second + 2 + 2]) = (UInt8(ascii: "2"), UInt8(ascii: "1"))
      bad[first + 2 + 7 + 32 + 8 + 32 + 1 + 2 + 3 + 7] |= 0x80
      try writeFileAtomically(path, bad)
      expectChecksumMismatch(path)
    }
  }

  /// A loaded index maps its file (when large) instead of reading it: a writer that replaces the file meanwhile,
  /// by rename as every writer does, must leave the loaded index reading its own entries, and the next load sees
  /// the new ones. Also the mapping outlives every copy of the index but the last.
  @Test func anIndexLoadedBeforeTheFileWasReplacedKeepsItsEntries() throws {
    try withTemporaryDirectory { dir in
      let path = dir.path + "/index"
      var random = SplitMix64(seed: 11)
      let paths = (0..<2000).map { "train/c\($0 % 7)/\($0).png" }
      let first = paths.map { Self.entry($0, &random) }.sorted { StagingIndex.pathLess($0.file.path, $1.file.path) }
      var index = StagingIndex()
      index.replaceAll(with: first)
      _ = try index.write(path)
      #expect(try FileBytes.contents(of: path).count >= FileBytes.mapThreshold, "the test needs a mapped index")
      var loaded: StagingIndex? = try StagingIndex.load(path)
      let copy = loaded!
      var second = StagingIndex()
      second.replaceAll(with: paths.map { Self.entry($0, &random) }.sorted { StagingIndex.pathLess($0.file.path, $1.file.path) })
      _ = try second.write(path)
      loaded = nil
      #expect(copy.allEntries() == first)
      #expect(try StagingIndex.load(path).allEntries() == second.allEntries())
    }
  }
}
