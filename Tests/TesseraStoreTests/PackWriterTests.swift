import Foundation
import Synchronization
import Testing
import TesseraAugment
import TesseraTestSupport
@testable import TesseraStore

/// Hashing threads write the pack between them: every object must land once, at the offset its index says,
/// whichever thread claimed it, across roll-overs to new packs.
@Suite struct PackWriterTests {
  @Test func batchesFromManyThreadsLandOnceEach() throws {
    try withTemporaryDirectory { dir in
      var random = SplitMix64(seed: 5)
      let contents = (0..<300).map { random.bytes(100 + $0 * 7) }
      // Each round holds its hundred contents three times over, so threads race to claim the same id; the
      // last round repeats the first's, so its pack would be empty and must not be written.
      let objects = (0..<1200).map { (i: Int) -> [UInt8] in contents[(i / 300 % 3) * 100 + i % 100] }
      let writer = try PackWriter(directory: dir.path + "/pack", rollOverBytes: 16 << 10)
      try writer.append(ObjectID.hashing(contents[0]), contents[0])  // the one-thread path before batches
      let stored = Mutex(0)
      for round in 0..<4 {
        try writer.prepareForBatches()
        let slice = Array(objects[(round * 300)..<((round + 1) * 300)])
        _ = try parallelMap(30) { job in
          var batch = PackBatch()
          for data in slice[(job * 10)..<((job + 1) * 10)] {
            let id = ObjectID.hashing(data)
            if writer.claim(id) {
              batch.add(id, data)
              stored.withLock { $0 += 1 }
            }
          }
          try writer.append(batch: &batch)
        }
        try writer.sealIfFull()
      }
      let packs = try writer.finish()
      #expect(stored.withLock { $0 } == 299)
      #expect(packs.count == 3, "16 KiB packs roll over after each round but the last")
      var found = [ObjectID: [UInt8]]()
      for name in packs {
        let indexPath = dir.path + "/pack/" + name + ".tpi"
        let index = try PackIndex(bytes: readFile(indexPath), path: indexPath)
        let data = try readFile(dir.path + "/pack/" + name + ".tpk")
        #expect(Array(data.prefix(4)) == PackWriter.magic)
        for e in index.entries {
          #expect(found[e.id] == nil, "\(e.id.hex) stored twice")
          found[e.id] = Array(data[Int(e.offset)..<Int(e.offset + e.size)])
        }
      }
      #expect(found.count == 300)
      for c in contents { #expect(found[ObjectID.hashing(c)] == c) }
    }
  }

  /// An empty file is an object of no bytes: a batch holding only it still records it.
  @Test func anEmptyFileIsStoredAndCommitted() throws {
    try withTemporaryDirectory { dir in
      let store = try makeDataset(dir, files: ["empty.txt": "", "train/c/.keep": "", "train/c/1.txt": "one"])
      let report = try store.add([])
      #expect(report.added == 3 && report.newObjects == 2)
      try store.commit(message: "v1")
      #expect(try store.verify().isClean)
      #expect(try store.readObject(ObjectID.hashing([])) == [])
    }
  }

  @Test func addStoresEachDistinctContentOnce() throws {
    try withTemporaryDirectory { dir in
      var files: [String: String] = [:]
      for i in 0..<600 { files["train/c\(i % 3)/\(i).txt"] = "content \(i % 200)" }
      let store = try makeDataset(dir, files: files)
      let report = try store.add([])
      #expect(report.added == 600 && report.newObjects == 200)
      try store.commit(message: "v1")
      #expect(try store.verify().isClean)
      for file in try store.entries(revision: "HEAD") {
        #expect(try store.readObject(file.object) == Array(files[file.path]!.utf8))
      }
    }
  }
}
