import Foundation
import Testing
import TesseraImage
import TesseraTestSupport

/// End-to-end runs of the built `tessera` binary: `op`, `policy show|validate`, `preview`.
struct AugmentCLITests {
  static let policies = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("policies")

  func writeInput(_ dir: TemporaryDirectory, name: String = "in.png", width: Int = 12, height: Int = 12,
                  channels: Int = 3) throws -> Image {
    let pixels: [UInt8] = (0..<(width * height * channels)).map { (i: Int) -> UInt8 in
      UInt8((i * 37 + i / 7) % 251)
    }
    let image = Image(width: width, height: height, channels: channels, pixels: pixels)
    try dir.write(try encodePNG(image), to: name)
    return image
  }

  func read(_ dir: TemporaryDirectory, _ name: String) throws -> Image {
    try decodeImage(contentsOf: dir.url.appendingPathComponent(name))
  }

  @Test func opInvertAndQuarterTurnGiveExactPixels() throws {
    try withTemporaryDirectory { dir in
      let image = try writeInput(dir)
      let invert = try runTessera(["op", "Invert", "in.png", "-o", "inv.png"], in: dir.url)
      #expect(invert.status == 0, "\(invert.stderr)")
      #expect(try read(dir, "inv.png").pixels == image.pixels.map { 255 - $0 })

      let rotate = try runTessera(["op", "rotate", "--value", "90", "in.png", "-o", "rot.png"], in: dir.url)
      #expect(rotate.status == 0, "\(rotate.stderr)")
      let rotated = try read(dir, "rot.png")
      // Counter-clockwise: output (x, y) = input (W−1−y, x).
      for y in 0..<12 {
        for x in 0..<12 {
          #expect(rotated[x, y, 0] == image[11 - y, x, 0])
        }
      }
    }
  }

  @Test func opShearFillsWithTheGivenColour() throws {
    try withTemporaryDirectory { dir in
      _ = try writeInput(dir)
      let r = try runTessera(["op", "ShearX", "--value", "0.5", "--fill", "10,20,30", "in.png", "-o", "s.png"],
                             in: dir.url)
      #expect(r.status == 0, "\(r.stderr)")
      let out = try read(dir, "s.png")
      // The bottom-right pixel maps to x + 0.5·y ≥ 12: outside, so filled.
      #expect([out[11, 11, 0], out[11, 11, 1], out[11, 11, 2]] == [10, 20, 30])
    }
  }

  @Test func opRefusesToOverwriteWithoutForceAndRejectsBadInput() throws {
    try withTemporaryDirectory { dir in
      _ = try writeInput(dir)
      try dir.write([1, 2, 3], to: "out.png")
      let refused = try runTessera(["op", "Equalize", "in.png", "-o", "out.png"], in: dir.url)
      #expect(refused.status != 0)
      #expect(refused.stderr.contains("already exists"))
      #expect(try Data(contentsOf: dir.url.appendingPathComponent("out.png")) == Data([1, 2, 3]))
      let forced = try runTessera(["op", "Equalize", "--force", "in.png", "-o", "out.png"], in: dir.url)
      #expect(forced.status == 0, "\(forced.stderr)")
      #expect(try read(dir, "out.png").width == 12)

      let unknown = try runTessera(["op", "Blur", "in.png", "-o", "b.png"], in: dir.url)
      #expect(unknown.status != 0 && unknown.stderr.contains("unknown op 'Blur'"))
      let missing = try runTessera(["op", "Solarize", "in.png", "-o", "b.png"], in: dir.url)
      #expect(missing.status != 0 && missing.stderr.contains("needs --value"))
      let range = try runTessera(["op", "Posterize", "--value", "12", "in.png", "-o", "b.png"], in: dir.url)
      #expect(range.status != 0 && range.stderr.contains("outside"))
    }
  }

  @Test func policyShowAndValidate() throws {
    try withTemporaryDirectory { dir in
      let cifar = Self.policies.appendingPathComponent("autoaugment-cifar10.json").path
      let show = try runTessera(["policy", "show", cifar], in: dir.url)
      #expect(show.status == 0, "\(show.stderr)")
      #expect(show.stdout.contains("25 sub-policies"))
      #expect(show.stdout.contains("Invert(p=0.1) → Contrast(p=0.2, m=6)"))

      let json = try runTessera(["policy", "show", "--json", cifar], in: dir.url)
      #expect(json.stdout == (try String(contentsOfFile: cifar, encoding: .utf8)))

      try dir.write(Array("""
        {"format": 1, "name": "bad", "policy": {"kind": "autoaugment",
         "magnitude": {"convention": "torchvision-bins", "bins": 10},
         "subPolicies": [[{"op": "Rotate", "p": 0.5, "magnitude": 40}]]}}
        """.utf8), to: "bad.json")
      let validate = try runTessera(["policy", "validate", cifar, "bad.json"], in: dir.url)
      #expect(validate.status == 1)
      #expect(validate.stdout.contains("ok (autoaugment 'autoaugment-cifar10')"))
      #expect(validate.stderr.contains("bad.json: policy.subPolicies[0][0].magnitude: magnitude 40"))
    }
  }

  @Test func previewWritesAReproducibleGrid() throws {
    try withTemporaryDirectory { dir in
      _ = try writeInput(dir, name: "a.png")
      _ = try writeInput(dir, name: "b.png", width: 10, height: 14, channels: 1)
      let policy = Self.policies.appendingPathComponent("trivialaugment-wide.json").path
      let args = ["preview", "--policy", policy, "--seed", "3", "--samples", "4", "--zoom", "2", "a.png", "b.png"]
      let first = try runTessera(args + ["-o", "g1.png"], in: dir.url)
      #expect(first.status == 0, "\(first.stderr)")
      let second = try runTessera(args + ["-o", "g2.png"], in: dir.url)
      #expect(second.status == 0, "\(second.stderr)")
      let g1 = try read(dir, "g1.png"), g2 = try read(dir, "g2.png")
      // 5 columns of 24-px cells and 2 rows of 28-px cells, 2-px gaps.
      #expect(g1.width == 5 * 24 + 6 * 2 && g1.height == 2 * 28 + 3 * 2 && g1.channels == 3)
      #expect(g1 == g2)
      let again = try runTessera(args + ["-o", "g1.png"], in: dir.url)
      #expect(again.status != 0 && again.stderr.contains("already exists"))
    }
  }

  @Test func everyAugmentCommandHasHelpWithAnExample() throws {
    for command in [["op"], ["policy"], ["policy", "show"], ["policy", "validate"], ["preview"]] {
      let r = try runTessera(command + ["--help"])
      #expect(r.status == 0)
      #expect(r.stdout.contains("Example"), "\(command.joined(separator: " ")) --help has no example")
    }
  }
}
