import Foundation
import Testing
@testable import TesseraImage
import TesseraTestSupport

@Suite struct DatasetTests {
  @Test func idxRoundTripsThroughBytesAndGzip() throws {
    let file = IDXFile(dimensions: [2, 3, 2], data: Array(0..<12))
    #expect(file.encoded().prefix(8) == [0, 0, 8, 3, 0, 0, 0, 2])
    #expect(try IDXFile(parsing: file.encoded(), path: "x") == file)
    #expect(try IDXFile(parsing: Gzip.decompress(file.gzipped(), path: "x"), path: "x") == file)
    try withTemporaryDirectory { dir in
      try dir.write(file.gzipped(), to: "a.gz")
      try dir.write(file.encoded(), to: "a")
      #expect(try IDXFile.read(at: dir.url.appendingPathComponent("a.gz")) == file)
      #expect(try IDXFile.read(at: dir.url.appendingPathComponent("a")) == file)
    }
  }

  @Test func idxHeaderErrorsSayWhatIsWrong() {
    let good = IDXFile(dimensions: [2, 2], data: [1, 2, 3, 4]).encoded()
    let cases: [([UInt8], String)] = [
      ([0, 0], "2 bytes is too short for an IDX header"),
      ([1] + good.dropFirst(), "magic number 0x01000802 is not an IDX file's"),
      ([0, 0, 0x0B] + good.dropFirst(3), "element type 0xb is not 0x08"),
      (Array(good.prefix(9)), "IDX header with 2 dimensions is cut short"),
      (Array(good.dropLast()), "holds 3 bytes of data but its header promises 4 (2 x 2)"),
      (good + [9], "holds 5 bytes of data but its header promises 4 (2 x 2)"),
    ]
    for (bytes, message) in cases {
      let error = #expect(throws: DatasetImportError.self) { try IDXFile(parsing: bytes, path: "f.idx") }
      #expect(error?.description.hasPrefix("f.idx: ") == true)
      #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error"), wanted \(message)")
    }
  }

  @Test func gzipErrorsAreCaught() throws {
    let packed = Gzip.compress(Array(repeating: 7, count: 5000))
    #expect(try Gzip.decompress(packed + packed, path: "g") == Array(repeating: 7, count: 10000))
    let cases: [([UInt8], String)] = [
      (Array("plain text, not gzip".utf8), "not a gzip file"),
      (Array(packed.prefix(packed.count - 12)), "ends early"),
      (packed + [0, 1, 2], "garbage after the gzip data"),
      (Array(packed.prefix(10)) + Array(repeating: 0xFF, count: 20), "inflate: "),
    ]
    for (bytes, message) in cases {
      let error = #expect(throws: DatasetImportError.self) { try Gzip.decompress(bytes, path: "g.gz") }
      #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error"), wanted \(message)")
    }
    let bomb = #expect(throws: DatasetImportError.self) { try Gzip.decompress(packed, path: "g.gz", limit: 4096) }
    #expect(bomb?.message.contains("more than 4096 bytes") == true)
  }

  /// The real files from Debian's dataset-fashion-mnist (installed by scripts/setup.sh).
  @Test(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultSourcePath)))
  func loadsThePublishedFashionMNIST() throws {
    let splits = try FashionMNIST.load(from: URL(fileURLWithPath: FashionMNIST.defaultSourcePath))
    #expect(splits.map(\.name) == ["train", "test"])
    #expect(splits.map(\.count) == [60000, 10000])
    for split in splits {
      #expect(split.rows == 28 && split.columns == 28)
      var perClass = [Int](repeating: 0, count: 10)
      for label in split.labels { perClass[Int(label)] += 1 }
      #expect(Set(perClass) == [split.count / 10], "Fashion-MNIST is balanced")
    }
    let first = splits[0].image(at: 0)
    #expect(first.width == 28 && first.channels == 1 && first.pixels.contains { $0 > 200 })
  }
}
