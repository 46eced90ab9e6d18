import Foundation
import Testing
import TesseraImage
import TesseraTestSupport

/// End-to-end runs of `tessera import fashion-mnist` on tiny synthetic IDX files.
@Suite struct ImportTests {
  static let rows = 4, columns = 3
  static let trainLabels: [UInt8] = [9, 0, 9]
  static let testLabels: [UInt8] = [3, 7]

  /// Image i of a split: every sample distinct, so a swapped or shifted image shows.
  static func pixels(split: Int, index: Int) -> [UInt8] {
    (0..<(rows * columns)).map { UInt8((split * 100 + index * 20 + $0 * 3) & 0xFF) }
  }

  /// Writes the four gzip IDX files into `dir`; `mutate` may break one before it is written.
  static func writeSource(in dir: TemporaryDirectory, mutate: (String, inout [UInt8]) -> Void = { _, _ in }) throws {
    let splits: [(String, String, [UInt8])] = [("train-images-idx3-ubyte", "train-labels-idx1-ubyte", trainLabels),
                                                ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", testLabels)]
    for (s, (imagesName, labelsName, labels)) in splits.enumerated() {
      let images = IDXFile(dimensions: [labels.count, rows, columns],
                           data: (0..<labels.count).flatMap { pixels(split: s, index: $0) })
      var imageBytes = images.encoded(), labelBytes = IDXFile(dimensions: [labels.count], data: labels).encoded()
      mutate(imagesName, &imageBytes)
      mutate(labelsName, &labelBytes)
      try dir.write(Gzip.compress(imageBytes), to: "src/\(imagesName).gz")
      try dir.write(Gzip.compress(labelBytes), to: "src/\(labelsName).gz")
    }
  }

  @Test func importsEveryImageIntoItsClassFolder() throws {
    try withTemporaryDirectory { dir in
      try Self.writeSource(in: dir)
      let result = try runTessera(["import", "fashion-mnist", "--from", "src", "--out", "out"], in: dir.url)
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.contains("Wrote 5 PNGs (3 train, 2 test"))
      #expect(!result.stderr.contains("\r"), "no progress line when stderr is not a terminal")

      let expected = [
        "train/Ankle_boot/0.png": (0, 0), "train/T-shirt_top/1.png": (0, 1), "train/Ankle_boot/2.png": (0, 2),
        "test/Dress/0.png": (1, 0), "test/Sneaker/1.png": (1, 1),
      ]
      let out = dir.url.appendingPathComponent("out")
      let files = FileManager.default.enumerator(atPath: out.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".png") }
      #expect(Set(files) == Set(expected.keys))
      for (path, (split, index)) in expected {
        let image = try decodeImage(contentsOf: out.appendingPathComponent(path))
        #expect(image.width == Self.columns && image.height == Self.rows && image.channels == 1, "\(path)")
        #expect(image.pixels == Self.pixels(split: split, index: index), "\(path)")
      }
      // All ten class folders exist in both splits, even those with no images.
      for split in ["train", "test"] {
        let folders = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent(split).path)
        #expect(Set(folders) == Set(FashionMNIST.classNames))
      }
    }
  }

  @Test func refusesANonEmptyOutputUnlessForced() throws {
    try withTemporaryDirectory { dir in
      try Self.writeSource(in: dir)
      try dir.write(Array("keep me".utf8), to: "out/notes.txt")
      let refused = try runTessera(["import", "fashion-mnist", "--from", "src", "--out", "out"], in: dir.url)
      #expect(refused.status != 0)
      #expect(refused.stderr.contains("is not empty (1 entries)") && refused.stderr.contains("--force"), "\(refused.stderr)")
      #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/train").path))

      let forced = try runTessera(["import", "fashion-mnist", "--from", "src", "--out", "out", "--force", "--json"], in: dir.url)
      #expect(forced.status == 0, "\(forced.stderr)")
      let summary = try JSONDecoder().decode(ImportSummary.self, from: Data(forced.stdout.utf8))
      #expect(summary.files == 5 && summary.images == ["train": 3, "test": 2])
      #expect(summary.classes["train"]?["Ankle_boot"] == 2 && summary.classes["test"]?["Bag"] == 0)
      #expect(summary.bytes > 0)
      #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/notes.txt").path))
    }
  }

  @Test func badInputsFailWithTheFileNamed() throws {
    let cases: [(String, (String, inout [UInt8]) -> Void, String)] = [
      ("bad magic", { name, bytes in if name == "train-labels-idx1-ubyte" { bytes[2] = 0x0D } },
       "train-labels-idx1-ubyte.gz: magic number 0x00000D01: element type 0xd is not 0x08"),
      ("count mismatch", { name, bytes in if name == "t10k-labels-idx1-ubyte" { bytes[7] = 3; bytes.append(1) } },
       "t10k-labels-idx1-ubyte.gz: has 3 labels but t10k-images-idx3-ubyte.gz has 2 images"),
      ("label out of range", { name, bytes in if name == "train-labels-idx1-ubyte" { bytes[9] = 12 } },
       "train-labels-idx1-ubyte.gz: label 12 at index 1 is not a class 0...9"),
    ]
    for (what, mutate, message) in cases {
      try withTemporaryDirectory { dir in
        try Self.writeSource(in: dir, mutate: mutate)
        let result = try runTessera(["import", "fashion-mnist", "--from", "src", "--out", "out"], in: dir.url)
        #expect(result.status != 0, "\(what)")
        #expect(result.stderr.contains(message), "\(what): \(result.stderr)")
      }
    }
    try withTemporaryDirectory { dir in
      let result = try runTessera(["import", "fashion-mnist", "--from", "nowhere", "--out", "out"], in: dir.url)
      #expect(result.status != 0)
      #expect(result.stderr.contains("train-images-idx3-ubyte.gz: not found"), "\(result.stderr)")
    }
  }

  @Test func helpShowsTheExample() throws {
    let result = try runTessera(["import", "fashion-mnist", "--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("tessera import fashion-mnist --out fashion-mnist"))
    #expect(result.stdout.contains("Ankle_boot"))
  }
}
