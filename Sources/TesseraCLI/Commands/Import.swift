import ArgumentParser
import Foundation
import TesseraImage

/// `tessera import <dataset>`: turns a published dataset into an image folder Tessera can version.
struct Import: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "import", 
    abstract: "Convert a published dataset into a folder of images (split/class/file).",
    subcommands: [FashionMNISTImport.self])
}

struct FashionMNISTImport: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fashion-mnist",
    abstract: "Write Fashion-MNIST as 70,000 28x28 grey PNGs in OUT/{train,test}/<class>/<index>.png.",
    // Paragraphs are single lines: the help printer wraps them to the terminal itself.
    discussion: """
      Reads train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and \
      t10k-labels-idx1-ubyte (each .gz or uncompressed) from --from, checks their magic numbers, dimensions, \
      counts and labels, and writes each image as <index>.png (its position in its split, from 0) into one \
      folder per class, using every core.

      Class folders: T-shirt_top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle_boot \
      (the published names with '/' and ' ' replaced by '_').

      Example:
        tessera import fashion-mnist --out fashion-mnist
        cd fashion-mnist && tessera init && tessera add && tessera commit -m "Fashion-MNIST as published"
      """)

  @Option(help: "Folder holding the four IDX files.")
  var from: String = FashionMNIST.defaultSourcePath

  @Option(help: "Folder to write the images into; created if missing.")
  var out: String

  @Flag(help: "Write into OUT even when it is not empty (files with the same names are replaced).")
  var force = false

  @Flag(help: "Print a summary as JSON.")
  var json = false

  func run() throws {
    let importer = FashionMNISTImporter(
      source: URL(fileURLWithPath: from), destination: URL(fileURLWithPath: out), overwrite: force)
    let progress = ProgressLine("writing PNGs")
    let summary = try importer.run(progress: { progress.update($0, $1) })
    progress.finish()
    if json { return try printJSON(summary) }
    let split = summary.images.sorted { $0.key > $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    print("Wrote \(summary.files) PNGs (\(split); \(summary.bytes / 1024) KiB) to \(summary.destination) "
          + "in \(String(format: "%.2f", summary.seconds)) s")
  }
}
