import ArgumentParser
import Foundation
import TesseraAugment
import TesseraImage
import TesseraStore

/// `tessera op NAME --value V IN -o OUT`: one augmentation op on one image.
struct Op: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "op", 
    abstract: "Apply one augmentation op to one image (Pillow-exact semantics).",
    discussion: """
      NAME is one of: \(OpName.allCases.map(\.rawValue).joined(separator: ", ")) \
      (case-insensitive).

      --value is in the op's own units: ShearX/Y factor, TranslateX/Y pixels, \
      Rotate degrees (counter-clockwise), Solarize threshold, SolarizeAdd \
      addition, Posterize bits kept, Contrast/Color/Brightness/Sharpness factor \
      (1 = unchanged), Cutout square size, SamplePairing alpha (with --partner), \
      PadCrop padding. Cutout, PadCrop and RandomErasing place their box from \
      --seed. The output format follows the extension of -o.

      Example:
        tessera op Rotate --value 30 --interpolation bilinear --fill 128 \\
          shirt.png -o rotated.png
      """)

  @Argument(help: "Op name, e.g. ShearX or Equalize.")
  var name: String

  @Argument(help: "Input image (PNG or JPEG).")
  var input: String

  @Option(name: .shortAndLong, help: "Output image (.png, .jpg or .jpeg).")
  var output: String

  @Option(help: "The op's argument (see above).")
  var value: Double?

  @Option(help: "Fill for uncovered pixels: one value or R,G,B (default 0).")
  var fill: String = "0"

  @Option(help: "Interpolation for geometric ops: nearest or bilinear.")
  var interpolation: Interpolation = .nearest

  @Option(help: "Seed for ops that place something at random.")
  var seed: UInt64 = 0

  @Option(help: "Partner image for SamplePairing (same size and channels).")
  var partner: String?

  @Option(help: "Resize: output width.")
  var width: Int?

  @Option(help: "Resize: output height.")
  var height: Int?

  @Flag(help: "Replace OUT if it exists.")
  var force = false

  func run() throws {
    guard let op = OpName.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
      throw CLIMessage("unknown op '\(name)' (known: \(OpName.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    try refuseOverwrite(output, force: force)
    let fillValues = try parseFill(fill)
    let image = try decodeImage(contentsOf: URL(fileURLWithPath: input))
    var partners: [Image] = []
    if op == .samplePairing {
      guard let partner else { throw CLIMessage("SamplePairing needs --partner IMAGE") }
      let other = try decodeImage(contentsOf: URL(fileURLWithPath: partner))
      guard other.width == image.width, other.height == image.height, other.channels == image.channels else {
        throw CLIMessage("\(partner): partner must be \(image.width)x\(image.height) with \(image.channels) channels")
      }
      partners = [other]
    }
    if let valid = OpStep.validArguments(op) {
      guard let value else { throw CLIMessage("\(op.rawValue) needs --value") }
      guard valid.contains(value) else {
        throw CLIMessage("--value \(value) is outside \(valid.lowerBound)...\(valid.upperBound) for \(op.rawValue)")
      }
    }
    if op == .resize {
      guard let width, let height, width > 0, height > 0 else {
        throw CLIMessage("Resize needs positive --width and --height")
      }
    }
    let step = OpStep(op, value: OpStep.validArguments(op) == nil ? nil : value, width: width, height: height)
    var rng = SplitMix64(seed: seed)
    let target = MagnitudeConvention.Target(width: image.width, height: image.height, channels: image.channels,
                                            partnerCount: partners.count)
    let applied = step.makeOp(geometry: Geometry(interpolation: interpolation, fill: fillValues), target: target,
                              using: &rng)
    try writeImage(applied.apply(to: image, partners: partners), to: output)
  }
}

extension Interpolation: ExpressibleByArgument {}

/// Stops before any work if `path` exists and `--force` was not given.
func refuseOverwrite(_ path: String, force: Bool) throws {
  if !force && FileManager.default.fileExists(atPath: path) {
    throw CLIMessage("\(path) already exists (use --force to replace it)")
  }
}

/// "128" or "125,122,113" → fill samples.
func parseFill(_ text: String) throws -> [UInt8] {
  let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
  let values = parts.compactMap { UInt8($0) }
  guard values.count == parts.count, [1, 3, 4].contains(values.count) else {
    throw CLIMessage("--fill must be one value or R,G,B in 0...255, got '\(text)'")
  }
  return values
}

/// Encodes by extension (.png, .jpg/.jpeg) and writes atomically.
func writeImage(_ image: Image, to path: String) throws {
  let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
  let bytes: [UInt8]
  switch ext {
  case "png": bytes = try encodePNG(image)
  case "jpg", "jpeg": bytes = try encodeJPEG(image)
  default: throw CLIMessage("\(path): output must end in .png, .jpg or .jpeg")
  }
  try writeFileAtomically(Data(bytes), to: URL(fileURLWithPath: path))
}
