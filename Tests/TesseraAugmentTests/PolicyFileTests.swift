import Foundation
import Testing
@testable import TesseraAugment

struct PolicyFileTests {
  /// policies/ at the repository root, found from this file's location.
  static let policiesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("policies").resolvingSymlinksInPath()

  static func shippedFiles() throws -> [URL] {
    try FileManager.default.contentsOfDirectory(at: policiesDirectory, includingPropertiesForKeys: nil)
      .filter { $0.pathExtension == "json" }
      .sorted { $0.lastPathComponent < $1.lastPathComponent }
  }

  @Test func everyShippedPolicyLoadsRoundTripsExactlyAndSamples() throws {
    let files = try Self.shippedFiles()
    let names = Set(files.map { $0.deletingPathExtension().lastPathComponent })
    for required in ["autoaugment-cifar10", "autoaugment-svhn", "autoaugment-imagenet", "randaugment-default",
                     "trivialaugment-wide", "augmix-default"] {
      #expect(names.contains(required), "policies/\(required).json is missing")
    }
    let image = TestImages.gradient(width: 24, height: 20, channels: 3)
    for url in files {
      let bytes = try Data(contentsOf: url)
      let file = try PolicyFile.load(contentsOf: url)
      #expect(file.name == url.deletingPathExtension().lastPathComponent)
      #expect(try file.encoded() == bytes, "\(url.lastPathComponent) is not in canonical form")
      #expect(try PolicyFile.decode(file.encoded()) == file)
      var rng = SplitMix64(seed: 1, index: 0)
      for _ in 0..<20 {
        let (out, _) = file.policy.augment(image, partners: [image], using: &rng)
        #expect(out.width == image.width && out.height == image.height && out.channels == 3)
      }
    }
  }

  @Test func publishedTablesHaveTheirShape() throws {
    for name in ["autoaugment-cifar10", "autoaugment-svhn", "autoaugment-imagenet"] {
      let file = try PolicyFile.load(contentsOf: Self.policiesDirectory.appendingPathComponent(name + ".json"))
      guard case let .autoAugment(policy) = file.policy else {
        Issue.record("\(name) is not an AutoAugment policy")
        continue
      }
      #expect(policy.subPolicies.count == 25)
      #expect(policy.subPolicies.allSatisfy { $0.count == 2 })
      #expect(policy.magnitude == .torchvisionAutoAugment)
      #expect(file.provenance?.source?.contains("torchvision") == true)
    }
    let cifar = try PolicyFile.load(contentsOf: Self.policiesDirectory.appendingPathComponent("autoaugment-cifar10.json"))
    guard case let .autoAugment(policy) = cifar.policy else { return }
    #expect(policy.subPolicies[0] == [PolicyOp(.invert, probability: 0.1), PolicyOp(.contrast, probability: 0.2, magnitude: 6)])
    #expect(policy.subPolicies[24][0] == PolicyOp(.translateY, probability: 0.7, magnitude: 9))
  }

  static func everyKind() -> [PolicyFile] {
    let geometry = Geometry(interpolation: .bilinear, fill: [125, 122, 113])
    let pipeline = PipelineNode.sequence([
      .op(OpStep(.padCrop, value: 4)),
      .op(OpStep(.flipHorizontal, probability: 0.5)),
      .oneOf([.op(OpStep(.rotate, range: -15...15)), .op(OpStep(.shearX, value: 0.2, randomSign: true))],
             weights: [2, 1], probability: 0.8),
      .someOf([.op(OpStep(.posterize, range: 4...8)), .op(OpStep(.color, range: 0.5...1.5)),
               .op(OpStep(.sharpness, value: 1.7))], count: 2, probability: 1),
      .op(OpStep(.randomErasing, probability: 0.25, scale: 0.02...0.2, ratio: 0.3...3.3)),
      .op(OpStep(.resize, width: 16, height: 12)),
    ], probability: 1)
    return [
      PolicyFile(name: "aa", policy: .autoAugment(AutoAugmentPolicy(
        magnitude: .aaOriginal, geometry: geometry,
        subPolicies: [[PolicyOp(.cutout, probability: 0.3, magnitude: 8), PolicyOp(.equalize, probability: 1)]])),
                 provenance: Provenance(datasetVersion: "v3", searchId: "run-7", metric: "accuracy", value: 0.9137)),
      PolicyFile(name: "ra", description: "timm-style", policy: .randAugment(RandAugmentPolicy(
        magnitude: .tfLevel(translatePixels: 100, cutoutPixels: 40), numOps: 3, level: 7.5, probability: 0.5,
        ops: [.solarizeAdd, .invert, .samplePairing]))),
      PolicyFile(name: "ta", policy: .trivialAugment(TrivialAugmentPolicy())),
      PolicyFile(name: "am", policy: .augMix(AugMixPolicy())),
      PolicyFile(name: "ua", policy: .uniformAugment(UniformAugmentPolicy(ops: [.rotate, .contrast]))),
      PolicyFile(name: "pl", policy: .pipeline(PipelinePolicy(geometry: geometry, root: pipeline))),
    ]
  }

  @Test func everyKindRoundTripsExactly() throws {
    for file in Self.everyKind() {
      let bytes = try file.encoded()
      let decoded = try PolicyFile.decode(bytes)
      #expect(decoded == file, "\(file.name) changed through JSON")
      #expect(try decoded.encoded() == bytes)
    }
  }

  func error(for json: String) -> PolicyFileError? {
    do {
      _ = try PolicyFile.decode(Data(json.utf8), file: "bad.json")
      return nil
    } catch let error as PolicyFileError {
      return error
    } catch {
      Issue.record("unexpected error type \(error)")
      return nil
    }
  }

  static let aaPrefix = """
    {"format": 1, "name": "x", "policy": {"kind": "autoaugment",
     "magnitude": {"convention": "torchvision-bins", "bins": 10, "ranges": "standard"},
     "subPolicies": [[{"op": "Invert", "p": 0.1}, {"op": "Rotate", "p": 0.5, "magnitude": 3}],
    """

  @Test func errorsNameTheFieldPath() throws {
    let unknownOp = error(for: Self.aaPrefix + #"[{"op": "Rotat", "p": 0.5, "magnitude": 3}]]}}"#)
    #expect(unknownOp?.path == "policy.subPolicies[1][0].op")
    #expect(unknownOp?.description.hasPrefix("bad.json: policy.subPolicies[1][0].op: unknown op 'Rotat'") == true)

    let outOfRange = error(for: Self.aaPrefix + #"[{"op": "Rotate", "p": 0.5, "magnitude": 12}]]}}"#)
    #expect(outOfRange?.path == "policy.subPolicies[1][0].magnitude")
    #expect(outOfRange?.message.contains("outside 0…9") == true)

    let fractional = error(for: Self.aaPrefix + #"[{"op": "Rotate", "p": 0.5, "magnitude": 2.5}]]}}"#)
    #expect(fractional?.path == "policy.subPolicies[1][0].magnitude")

    let badP = error(for: Self.aaPrefix + #"[{"op": "Rotate", "p": 1.5, "magnitude": 2}]]}}"#)
    #expect(badP?.path == "policy.subPolicies[1][0].p")

    let missingMagnitude = error(for: Self.aaPrefix + #"[{"op": "Rotate", "p": 0.5}]]}}"#)
    #expect(missingMagnitude?.path == "policy.subPolicies[1][0].magnitude")

    let typo = error(for: Self.aaPrefix + #"[{"op": "Rotate", "prob": 0.5, "magnitude": 2}]]}}"#)
    #expect(typo?.path == "policy.subPolicies[1][0].prob")

    let version = error(for: #"{"format": 2, "name": "x", "policy": {"kind": "pipeline", "root": {"type": "sequence", "children": []}}}"#)
    #expect(version?.path == "format")

    let missing = error(for: #"{"format": 1, "policy": {"kind": "pipeline", "root": {"type": "sequence", "children": []}}}"#)
    #expect(missing?.path == "name")

    let raOp = error(for: """
      {"format": 1, "name": "x", "policy": {"kind": "randaugment", "magnitude": {"convention": "tf-level"},
       "numOps": 2, "level": 9, "ops": ["Rotate", "Blur"]}}
      """)
    #expect(raOp?.path == "policy.ops[1]")

    let raLevel = error(for: """
      {"format": 1, "name": "x", "policy": {"kind": "randaugment", "magnitude": {"convention": "tf-level"},
       "numOps": 2, "level": 11, "ops": ["Rotate"]}}
      """)
    #expect(raLevel?.path == "policy.level")

    let pipelineValue = error(for: """
      {"format": 1, "name": "x", "policy": {"kind": "pipeline", "root": {"type": "sequence", "children": [
        {"type": "op", "op": "FlipHorizontal", "p": 0.5},
        {"type": "op", "op": "Posterize", "value": 9}]}}}
      """)
    #expect(pipelineValue?.path == "policy.root.children[1].value")

    let fill = error(for: """
      {"format": 1, "name": "x", "policy": {"kind": "pipeline", "geometry": {"fill": [1, 2]},
       "root": {"type": "sequence", "children": []}}}
      """)
    #expect(fill?.path == "policy.geometry.fill")

    let convention = error(for: """
      {"format": 1, "name": "x", "policy": {"kind": "trivialaugment", "magnitude": {"convention": "tv"},
       "ops": ["Rotate"]}}
      """)
    #expect(convention?.path == "policy.magnitude.convention")

    let wrongType = error(for: #"{"format": "one", "name": "x", "policy": {}}"#)
    #expect(wrongType?.path == "format")
    #expect(wrongType?.message == "expected an integer")

    let notJSON = error(for: "{\"format\": 1,")
    #expect(notJSON != nil)
  }
}
