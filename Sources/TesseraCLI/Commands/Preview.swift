import ArgumentParser
import Foundation
import TesseraAugment
import TesseraImage

/// `tessera preview --policy FILE IMAGE... -o grid.png`: a grid of augmented samples.
struct Preview: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "preview", 
    abstract: "Render a grid of augmented samples: one row per image, the original first.",
    discussion: """
      Cell (r, c) uses sample index r*samples + c of --seed, so a grid is \
      reproducible. Small images are enlarged (nearest) to cells of at least \
      96 pixels unless --zoom is given.

      Example:
        tessera preview --policy policies/trivialaugment-wide.json \\
          --samples 8 a.png b.png -o grid.png
      """)

  @Option(help: "Policy file (JSON).")
  var policy: String

  @Option(help: "Seed for the samples.")
  var seed: UInt64 = 0

  @Option(help: "Augmented samples per image.")
  var samples: Int = 8

  @Option(help: "Integer enlargement of every cell (default: automatic).")
  var zoom: Int?

  @Argument(help: "Input images (PNG or JPEG).")
  var images: [String]

  @Option(name: .shortAndLong, help: "Output grid (.png or .jpg).")
  var output: String

  @Flag(help: "Replace OUT if it exists.")
  var force = false

  func validate() throws {
    if images.isEmpty { throw ValidationError("give at least one image") }
    if !(1...64).contains(samples) { throw ValidationError("--samples must be in 1...64") }
    if let zoom, !(1...32).contains(zoom) { throw ValidationError("--zoom must be in 1...32") }
  }

  func run() throws {
    try refuseOverwrite(output, force: force)
    let file = try PolicyFile.load(contentsOf: URL(fileURLWithPath: policy))
    let inputs = try images.map { try decodeImage(contentsOf: URL(fileURLWithPath: $0)) }
    let largest = inputs.map { max($0.width, $0.height) }.max() ?? 1
    let scale = zoom ?? max(1, min(8, 96 / max(largest, 1)))
    let grid = PreviewGrid.make(images: inputs, policy: file.policy, seed: seed, samples: samples, zoom: scale)
    try writeImage(grid, to: output)
    print("Wrote \(grid.width)x\(grid.height) grid of \(inputs.count) x \(samples) samples to \(output)")
  }
}
