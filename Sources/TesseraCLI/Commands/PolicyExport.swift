import ArgumentParser
import Foundation
import TesseraAugment
import TesseraStore

extension ExportTarget: ExpressibleByArgument {}

/// `tessera policy export FILE --to torchvision|timm|albumentations [-o OUT]`.
struct PolicyExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a policy as torchvision Python code, a timm augmentation string or albumentations JSON.",
    discussion: """
      What the target library cannot express is printed on stderr and written into the \
      output (a docstring, '#' comment lines after the timm string, or the "tessera" \
      field of the albumentations JSON). Exits 1 when nothing sensible can be written \
      (e.g. an arbitrary AutoAugment table as a timm string, AugMix in albumentations).

      Examples:
        tessera policy export policies/randaugment-default.json --to torchvision -o ra.py
        tessera policy export policies/autoaugment-imagenet.json --to timm | head -n1
        tessera policy export policies/cifar-crop-flip-cutout.json --to albumentations -o aug.json
      """)

  @Argument(help: "Policy file (JSON).")
  var file: String

  @Option(help: "Target library: torchvision, timm or albumentations.")
  var to: ExportTarget

  @Option(name: .shortAndLong, help: "Output file (default: stdout).")
  var output: String?

  @Flag(help: "Replace OUT if it exists.")
  var force = false

  @Flag(help: "Print {target, fidelity, limitations, text} as JSON instead of the text.")
  var json = false

  func run() throws {
    let policy = try PolicyFile.load(contentsOf: URL(fileURLWithPath: file))
    let exported = try policy.export(to: to)
    for note in exported.limitations {
      FileHandle.standardError.write(Data("\(to.rawValue) cannot express: \(note)\n".utf8))
    }
    if let output {
      try refuseOverwrite(output, force: force)
      try writeFileAtomically(Data(exported.text.utf8), to: URL(fileURLWithPath: output))
      FileHandle.standardError.write(Data("Wrote \(output) (\(exported.fidelity.rawValue), \(exported.limitations.count) limitations)\n".utf8))
    } else if json {
      try printJSON(ExportReport(target: to.rawValue, policy: policy.name, fidelity: exported.fidelity.rawValue,
                                 limitations: exported.limitations, text: exported.text))
    } else {
      FileHandle.standardOutput.write(Data(exported.text.utf8))
    }
  }

  struct ExportReport: Encodable {
    var target: String
    var policy: String
    var fidelity: String
    var limitations: [String]
    var text: String
  }
}

/// `tessera policy import SPEC [-o FILE]`.
struct PolicyImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Turn a timm augmentation string or a torchvision AutoAugmentPolicy name into a policy file.",
    discussion: """
      SPEC is a timm string (rand-m9-n2-mstd0.5, rand-m9-n2-mstd0.5-inc1, augmix-m3-w3, \
      original, originalr, v0, v0r, each optionally with -mstd<x>), a torchvision \
      AutoAugmentPolicy name (imagenet, cifar10, svhn) or trivialaugment (torchvision's \
      TrivialAugmentWide). What Tessera's policy model cannot say about the spec is \
      printed on stderr and kept in the file's description and provenance.

      Examples:
        tessera policy import rand-m9-n2-mstd0.5 -o timm-ra.json
        tessera policy import cifar10 -o aa-cifar10.json
      """)

  @Argument(help: "timm string or torchvision policy name.")
  var spec: String

  @Option(name: .shortAndLong, help: "Output policy file (default: stdout).")
  var output: String?

  @Option(help: "Image size that timm's relative translate (0.45 of the size) is fixed for.")
  var imageSize: Int = 224

  @Flag(help: "Replace OUT if it exists.")
  var force = false

  func run() throws {
    let imported = try PolicyImporter.importSpec(spec, imageSize: imageSize)
    for note in imported.limitations {
      FileHandle.standardError.write(Data("not expressible in Tessera: \(note)\n".utf8))
    }
    let data = try imported.file.encoded()
    if let output {
      try refuseOverwrite(output, force: force)
      try writeFileAtomically(data, to: URL(fileURLWithPath: output))
      FileHandle.standardError.write(Data("Wrote \(output) (\(imported.file.policy.kind) '\(imported.file.name)')\n".utf8))
    } else {
      FileHandle.standardOutput.write(data)
    }
  }
}
