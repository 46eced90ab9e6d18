import Foundation
import Testing
import TesseraImage
import TesseraTestSupport

/// `tessera demo` end to end on a tiny Fashion-MNIST look-alike (two classes told apart by a bar's
/// orientation) with a budget of two trials: every step runs for real, only smaller.
@Suite struct DemoCLITests {
  static let side = 8

  /// Writes the four gzip IDX files: labels 0 (T-shirt_top: horizontal bar) and 1 (Trouser: vertical bar).
  static func writeSource(in dir: TemporaryDirectory, train: Int = 40, test: Int = 10) throws {
    var state: UInt64 = 99
    func next(_ bound: Int) -> Int {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Int((state >> 33) % UInt64(bound))
    }
    for (prefix, count) in [("train", train), ("t10k", test)] {
      var labels: [UInt8] = [], pixels: [UInt8] = []
      for i in 0..<count {
        let label = i % 2
        var image = (0..<(side * side)).map { _ in UInt8(next(30)) }
        let p = 1 + next(side - 2)
        for t in 0..<side { image[label == 0 ? p * side + t : t * side + p] = UInt8(200 + next(56)) }
        labels.append(UInt8(label))
        pixels += image
      }
      try dir.write(Gzip.compress(IDXFile(dimensions: [count, side, side], data: pixels).encoded()),
                    to: "src/\(prefix)-images-idx3-ubyte.gz")
      try dir.write(Gzip.compress(IDXFile(dimensions: [count], data: labels).encoded()),
                    to: "src/\(prefix)-labels-idx1-ubyte.gz")
    }
  }

  static func demoArguments(_ dir: TemporaryDirectory, out: String = "out") -> [String] {
    ["demo", "--from", dir.url.appendingPathComponent("src").path, "--out", dir.url.appendingPathComponent(out).path,
     "--budget", "2trials", "--subset", "30", "--epochs", "1", "--seeds", "2", "--model", "mlp", "--threads", "1"]
  }

  @Test func runsEveryStepAndLeavesAReportWithPictures() throws {
    try withTemporaryDirectory { dir in
      try Self.writeSource(in: dir)
      let result = try runTessera(Self.demoArguments(dir) + ["--json"])
      #expect(result.status == 0, "\(result.stderr)")
      // Progress (stderr with --json) names every step; the table has the winner and all four baselines.
      for step in 1...6 { #expect(result.stderr.contains("[\(step)/6]"), "\(result.stderr)") }
      for row in ["winner: ", "no augmentation", "TrivialAugmentWide", "RandAugment(2, 9)", "AutoAugment CIFAR-10"] {
        #expect(result.stderr.contains(row), "missing row \(row)")
      }
      #expect(result.stderr.contains("TrivialAugmentWide"))
      let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
      #expect((summary["final"] as! [Any]).count == 5)
      let verdict = summary["verdict"] as! String
      #expect(verdict.contains("TrivialAugmentWide"))

      let out = dir.url.appendingPathComponent("out")
      let report = try String(contentsOf: out.appendingPathComponent("REPORT.md"), encoding: .utf8)
      #expect(report.contains("## 4. The winner against the baselines"))
      #expect(report.contains(verdict))
      for picture in ["samples.png", "mval.png", "pareto.png"] {
        #expect(report.contains("](search/\(picture))"), "REPORT.md does not show \(picture)")
        let image = try decodeImage(contentsOf: out.appendingPathComponent("search/\(picture)"))
        #expect(image.width > 50 && image.height > 20)
      }
      let exported = try String(contentsOfFile: summary["torchvisionExport"] as! String, encoding: .utf8)
      #expect(exported.contains("torchvision"))

      // The applied version is v1 plus one augmented copy of each training image, with its provenance.
      let store = out.appendingPathComponent("fashion-mnist")
      let branch = summary["augmentedBranch"] as! String
      let diff = try runTessera(["diff", "v1", branch, "--json"], in: store)
      #expect(diff.status == 0, "\(diff.stderr)")
      let changes = try JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as! [String: Any]
      let added = changes["added"] as! [[String: Any]]
      #expect(added.count == 40)
      #expect(added.allSatisfy { ($0["path"] as! String).contains(".aug1.png") })
      let show = try runTessera(["show", branch], in: store)
      #expect(show.stdout.contains("policy"), "\(show.stdout)")
      #expect(show.stdout.contains(summary["version"] as! String))

      // Running again in the same folder reuses the version and adds a second search and branch.
      let again = try runTessera(Self.demoArguments(dir))
      #expect(again.status == 0, "\(again.stderr)")
      #expect(again.stdout.contains("reusing version v1"), "\(again.stdout)")
      #expect(again.stdout.contains("[6/6] Report"))
    }
  }

  @Test func refusesAFolderItDidNotMake() throws {
    try withTemporaryDirectory { dir in
      try Self.writeSource(in: dir)
      try dir.write(Array("keep me".utf8), to: "mine/notes.txt")
      let result = try runTessera(Self.demoArguments(dir, out: "mine"))
      #expect(result.status != 0)
      #expect(result.stderr.contains("mine: folder is not empty and was not made by tessera demo"), "\(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count == 1)
      #expect(try String(contentsOf: dir.url.appendingPathComponent("mine/notes.txt"), encoding: .utf8) == "keep me")

      let badBudget = try runTessera(Self.demoArguments(dir) + ["--budget", "soon"])
      #expect(badBudget.status != 0)
      #expect(badBudget.stderr.contains("soon"), "\(badBudget.stderr)")
    }
  }
}
