import Foundation
import Testing
import TesseraImage
import TesseraStore
import TesseraTestSupport

/// End-to-end runs of the built binary: `tessera augment` on a tiny store, `policy export` and `policy import`.
struct ApplyCLITests {
  static let policies = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("policies")

  /// train/{Coat,Shirt}/0000{0,1}.png (12x12 grey) and test/Coat/00000.png, committed as the first version.
  func makeStore(_ dir: TemporaryDirectory) throws {
    var n = 0
    for path in ["train/Coat/00000.png", "train/Coat/00001.png", "train/Shirt/00000.png", "train/Shirt/00001.png",
                 "test/Coat/00000.png"] {
      n += 1
      let pixels = (0..<144).map { UInt8(($0 * (7 + n) + n * 31) % 256) }
      try dir.write(try encodePNG(Image(width: 12, height: 12, channels: 1, pixels: pixels)), to: path)
    }
    for args in [["init"], ["add"], ["commit", "-m", "tiny"]] {
      let r = try runTessera(args, in: dir.url)
      #expect(r.status == 0, "\(args): \(r.stderr)")
    }
  }

  @Test func augmentWritesCopiesOnABranchWithProvenanceAndLeavesHeadAlone() throws {
    try withTemporaryDirectory { dir in
      try makeStore(dir)
      let head = try Store.open(at: dir.path).resolve("HEAD")
      let policy = Self.policies.appendingPathComponent("trivialaugment-wide.json").path
      let r = try runTessera(["augment", "--policy", policy, "--rev", "HEAD", "--copies", "2", "--seed", "7", "--json"],
                             in: dir.url)
      #expect(r.status == 0, "\(r.stderr)")
      let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
      #expect(report["branch"] as? String == "augmented/trivialaugment-wide-s7")
      #expect(report["augmentedFiles"] as? Int == 8 && report["sourceImages"] as? Int == 4)
      // Opened after the run: a Store instance reads the packs that existed when it was opened.
      let store = try Store.open(at: dir.path)

      // HEAD did not move, and the folder holds no augmented copies.
      #expect(try store.resolve("HEAD") == head)
      #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("train/Coat/00000.aug1.png").path))

      let entries = try store.entries(revision: "augmented/trivialaugment-wide-s7")
      let byPath = Dictionary(uniqueKeysWithValues: entries.map { ($0.path, $0) })
      #expect(entries.count == 5 + 8)
      for source in ["train/Coat/00000", "train/Coat/00001", "train/Shirt/00000", "train/Shirt/00001"] {
        for copy in 1...2 {
          let entry = try #require(byPath["\(source).aug\(copy).png"], "\(source).aug\(copy).png missing")
          #expect(entry.label == byPath["\(source).png"]?.label && entry.split == "train")
          let image = try decodeImage(bytes: try store.readObject(entry.object))
          #expect(image.width == 12 && image.height == 12 && image.channels == 1)
        }
      }
      #expect(byPath["test/Coat/00000.aug1.png"] == nil, "only the train split is augmented")

      // The commit message carries the provenance.
      let message = try #require(try store.log(from: "augmented/trivialaugment-wide-s7", limit: 1).first?.message)
      let hash = ObjectID.hashing(Array(try Data(contentsOf: URL(fileURLWithPath: policy)))).hex
      #expect(message.contains("Policy-SHA256: \(hash)"))
      #expect(message.contains("Seed: 7") && message.contains("Copies: 2") && message.contains("Split: train"))
      #expect(message.contains("Source-Version: \(head)"))
      #expect(message.contains("Policy-Name: trivialaugment-wide"))

      // The same command again, on another branch, gives the same objects.
      let again = try runTessera(["augment", "--policy", policy, "--rev", head, "--copies", "2", "--seed", "7",
                                  "--branch", "again"], in: dir.url)
      #expect(again.status == 0, "\(again.stderr)")
      let second = try store.entries(revision: "again")
      #expect(second.map(\.object) == entries.map(\.object))
      #expect(second.map(\.path) == entries.map(\.path))
      // Another seed changes at least one copy.
      _ = try runTessera(["augment", "--policy", policy, "--copies", "2", "--seed", "8"], in: dir.url)
      let other = try store.entries(revision: "augmented/trivialaugment-wide-s8")
      #expect(other.map(\.object) != entries.map(\.object))
    }
  }

  @Test func augmentErrorsNameTheProblem() throws {
    try withTemporaryDirectory { dir in
      try makeStore(dir)
      let policy = Self.policies.appendingPathComponent("randaugment-default.json").path
      let noSplit = try runTessera(["augment", "--policy", policy, "--split", "val"], in: dir.url)
      #expect(noSplit.status != 0 && noSplit.stderr.contains("split 'val' has no images"), "\(noSplit.stderr)")
      try dir.write(Array(#"{"format": 1, "name": "x", "policy": {"kind": "randaugment"}}"#.utf8), to: "bad.json")
      let bad = try runTessera(["augment", "--policy", "bad.json"], in: dir.url)
      #expect(bad.status != 0 && bad.stderr.contains("bad.json") && bad.stderr.contains("policy.magnitude"), "\(bad.stderr)")
      let first = try runTessera(["augment", "--policy", policy], in: dir.url)
      #expect(first.status == 0, "\(first.stderr)")
      let twice = try runTessera(["augment", "--policy", policy], in: dir.url)
      #expect(twice.status != 0 && twice.stderr.contains("already exists"), "\(twice.stderr)")
    }
  }

  @Test func exportAndImportFromTheCommandLine() throws {
    try withTemporaryDirectory { dir in
      let ra = Self.policies.appendingPathComponent("randaugment-default.json").path
      let timm = try runTessera(["policy", "export", ra, "--to", "timm"], in: dir.url)
      #expect(timm.status == 0)
      #expect(timm.stdout.hasPrefix("rand-m3-n2-p1-inc1\n"))
      #expect(timm.stderr.contains("timm cannot express: "))

      let cifar = Self.policies.appendingPathComponent("autoaugment-cifar10.json").path
      let refused = try runTessera(["policy", "export", cifar, "--to", "timm"], in: dir.url)
      #expect(refused.status != 0 && refused.stderr.contains("cannot export to timm"))

      let imported = try runTessera(["policy", "import", "rand-m9-n2-mstd0.5", "-o", "ra.json"], in: dir.url)
      #expect(imported.status == 0, "\(imported.stderr)")
      #expect(imported.stderr.contains("not expressible in Tessera: "))
      let validated = try runTessera(["policy", "validate", "ra.json"], in: dir.url)
      #expect(validated.status == 0, "\(validated.stderr)")
      let back = try runTessera(["policy", "export", "ra.json", "--to", "timm"], in: dir.url)
      #expect(back.stdout.hasPrefix("rand-m9-n2-mstd0.5\n"))

      let badToken = try runTessera(["policy", "import", "rand-m9-q3"], in: dir.url)
      #expect(badToken.status != 0 && badToken.stderr.contains("'q3'"), "\(badToken.stderr)")
    }
  }
}
