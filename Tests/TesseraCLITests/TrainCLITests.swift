import Foundation
import Testing
import TesseraImage
import TesseraTestSupport

/// End-to-end runs of `tessera train` on a tiny image set: a bar's orientation is the class.
struct TrainCLITests {
  /// `train/<class>/*.png` and `test/<class>/*.png`, 12×12 grey: a bright horizontal or vertical
  /// bar at a varying position on a dark, slightly noisy background.
  func writeBars(into dir: TemporaryDirectory, train: Int = 24, test: Int = 8) throws {
    var state: UInt64 = 12345
    func next(_ bound: Int) -> Int {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Int((state >> 33) % UInt64(bound))
    }
    for (split, count) in [("train", train), ("test", test)] {
      for (label, name) in ["horizontal", "vertical"].enumerated() {
        for i in 0..<count {
          var pixels = (0..<144).map { _ in UInt8(next(40)) }
          let p = 2 + next(8)
          for t in 0..<12 { pixels[label == 0 ? p * 12 + t : t * 12 + p] = UInt8(200 + next(56)) }
          let png = try encodePNG(Image(width: 12, height: 12, channels: 1, pixels: pixels))
          try dir.write(png, to: "\(split)/\(name)/\(i).png")
        }
      }
    }
  }

  @Test func trainsOnAFolderWithProgressLinesMetricsAndJSON() throws {
    try withTemporaryDirectory { dir in
      try writeBars(into: dir)
      let report = dir.url.appendingPathComponent("run.json").path
      let result = try runTessera(["train", "--data", dir.path, "--model", "cnn-s", "--epochs", "4", "--batch-size",
                                   "8", "--seed", "3", "--json", report])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.contains("epoch 1/4  loss "))
      #expect(result.stdout.contains("epoch 4/4  loss "))
      #expect(result.stdout.contains("samples/s"))
      #expect(result.stdout.contains("test: accuracy"))
      #expect(result.stdout.contains("horizontal"))
      let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as! [String: Any]
      let test = json["test"] as! [String: Any]
      #expect((test["accuracy"] as! Double) >= 0.9, "\(result.stdout)")
      #expect((test["confusion"] as! [[Int]]).count == 2)
      #expect(test["expectedCalibrationError"] != nil && test["macroF1"] != nil)
      #expect((json["epochs"] as! [Any]).count == 4)
    }
  }

  /// The real thing: an inherited `OPENBLAS_CORETYPE=Haswell` on an AVX-512 CPU is replaced by the
  /// AVX-512 kernels, unless `TESSERA_BLAS_FAST_KERNELS=0` asks to keep it.
  @Test func runsAVX512KernelsDespiteAnInheritedHaswellSetting() throws {
    let flags = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
    let avx512 = ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy { flags.contains(" \($0)") }
    try withTemporaryDirectory { dir in
      try writeBars(into: dir, train: 4, test: 2)
      let arguments = ["train", "--data", dir.path, "--model", "mlp", "--epochs", "1", "--batch-size", "8"]
      let inherited = try runTessera(arguments, environment: ["OPENBLAS_CORETYPE": "Haswell"])
      #expect(inherited.status == 0, "\(inherited.stderr)")
      #expect(inherited.stdout.contains(avx512 ? "BLAS SkylakeX" : "BLAS Haswell"), "\(inherited.stdout)")
      let kept = try runTessera(arguments, environment: ["OPENBLAS_CORETYPE": "Haswell", "TESSERA_BLAS_FAST_KERNELS": "0"])
      #expect(kept.status == 0, "\(kept.stderr)")
      #expect(kept.stdout.contains("BLAS Haswell"), "\(kept.stdout)")
    }
  }

  /// OpenBLAS is loaded only by what multiplies matrices: the dynamic loader's own log (`LD_DEBUG=files`) names
  /// every library a process loads, linked or opened later.
  /// OpenBLAS, libcurl and libxml2 are loaded by the commands that use them, not by every process.
  @Test func onlyCommandsThatNeedThemLoadOpenBLASCurlAndXML() throws {
    try withTemporaryDirectory { dir in
      try writeBars(into: dir, train: 4, test: 2)
      for args in [["init"], ["add"], ["commit", "-m", "bars"], ["status"]] {
        let r = try runTessera(args, in: dir.url, environment: ["LD_DEBUG": "files"])
        #expect(r.status == 0, "\(args): \(r.stderr)")
        #expect(r.stderr.contains("file=libgit2"), "\(args): LD_DEBUG did not log the loaded libraries")
        #expect(!r.stderr.contains("libopenblas"), "\(args) loaded OpenBLAS")
        #expect(!r.stderr.contains("libcurl"), "\(args) loaded libcurl")
        #expect(!r.stderr.contains("libxml2"), "\(args) loaded libxml2")
      }
      let train = try runTessera(["train", "--rev", "HEAD", "--model", "mlp", "--epochs", "1", "--batch-size", "8"],
                                 in: dir.url, environment: ["LD_DEBUG": "files"])
      #expect(train.status == 0, "\(train.stderr.suffix(2000))")
      #expect(train.stderr.contains("file=libopenblas.so.0"), "train did not load OpenBLAS")
    }
  }

  @Test func trainsOnAStoreVersionAndResumesFromACheckpoint() throws {
    try withTemporaryDirectory { dir in
      try writeBars(into: dir, train: 8, test: 4)
      for args in [["init"], ["add", "train", "test"], ["commit", "-m", "bars"]] {
        let r = try runTessera(args, in: dir.url)
        #expect(r.status == 0, "\(args): \(r.stderr)")
      }
      let checkpoint = dir.url.appendingPathComponent("run.ckpt").path
      let first = try runTessera(["train", "--rev", "HEAD", "--epochs", "2", "--batch-size", "8", "--seed", "1",
                                  "--checkpoint", checkpoint, "--json", "-"], in: dir.url)
      #expect(first.status == 0, "\(first.stderr)")
      #expect(first.stderr.contains("training cnn-s on store"))
      #expect(first.stdout.contains("\"trainSamples\" : 16"))
      // Resuming after the last epoch trains nothing more and reports the same test metrics.
      let again = try runTessera(["train", "--rev", "HEAD", "--epochs", "2", "--batch-size", "8", "--seed", "1",
                                  "--resume", checkpoint, "--json", "-"], in: dir.url)
      #expect(again.status == 0, "\(again.stderr)")
      func accuracy(_ s: String) throws -> Double {
        let json = try JSONSerialization.jsonObject(with: Data(s.utf8)) as! [String: Any]
        return (json["test"] as! [String: Any])["accuracy"] as! Double
      }
      #expect(try accuracy(first.stdout) == (try accuracy(again.stdout)))
      #expect(!again.stderr.contains("epoch 1/2"))
    }
  }

  @Test func appliesAPolicyFileAndCutMix() throws {
    let policy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("policies/trivialaugment-wide.json").path
    try withTemporaryDirectory { dir in
      try writeBars(into: dir, train: 8, test: 4)
      let result = try runTessera(["train", "--data", dir.path, "--policy", policy, "--mix", "cutmix", "--epochs", "1",
                                   "--batch-size", "8", "--loader-threads", "2"])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.contains("epoch 1/1"))
      let missing = try runTessera(["train", "--data", dir.path, "--policy", dir.path + "/nope.json", "--epochs", "1"])
      #expect(missing.status != 0)
      #expect(missing.stderr.contains("nope.json"))
    }
  }

  @Test func helpHasAnExampleAndBadInputGetsAOneLineReason() throws {
    let help = try runTessera(["train", "--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("tessera train --rev v1 --model cnn-s"))
    let neither = try runTessera(["train", "--epochs", "1"])
    #expect(neither.status != 0)
    #expect(neither.stderr.contains("give exactly one of --rev"))
    let model = try runTessera(["train", "--data", "/nonexistent", "--model", "vgg"])
    #expect(model.stderr.contains("--model: unknown 'vgg'"))
    let folder = try runTessera(["train", "--data", "/nonexistent"])
    #expect(folder.status != 0)
    #expect(folder.stderr.contains("/nonexistent/train: no such folder"))
  }
}
