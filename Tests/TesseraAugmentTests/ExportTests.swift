import Foundation
import Testing
import TesseraImage
@testable import TesseraAugment

/// Policy → torchvision / timm / albumentations text: golden-ish checks of what is generated and what is refused.
struct ExportTests {
  static func shipped(_ name: String) throws -> PolicyFile {
    try PolicyFile.load(contentsOf: PolicyFileTests.policiesDirectory.appendingPathComponent("\(name).json"))
  }

  @Test func publishedTablesMatchTheShippedPolicyFiles() throws {
    for name in PublishedPolicies.torchvisionNames {
      guard case let .autoAugment(p) = try Self.shipped("autoaugment-\(name)").policy else {
        Issue.record("autoaugment-\(name) is not an AutoAugment policy")
        continue
      }
      #expect(PublishedPolicies.torchvision(name) == p.subPolicies, "\(name)")
    }
    // timm's `original` is the paper's ImageNet table: same ops, probabilities and levels as torchvision's.
    let timm = try #require(PublishedPolicies.timm("original"))
    let tv = try #require(PublishedPolicies.torchvision("imagenet"))
    for (row, tvRow) in zip(timm, tv) {
      for (e, o) in zip(row, tvRow) {
        #expect(TimmOps.opName(e.op) == o.op && e.p == o.probability)
        if !o.op.isParameterless { #expect(o.magnitude == e.level) }
      }
    }
  }

  @Test(arguments: [
    ("randaugment-default", "v2.RandAugment(num_ops=2, magnitude=9, num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST, fill=None)"),
    ("trivialaugment-wide", "v2.TrivialAugmentWide(num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST, fill=None)"),
    ("augmix-default", "v2.AugMix(severity=3, mixture_width=3, chain_depth=-1, alpha=1.0, all_ops=True, interpolation=InterpolationMode.BILINEAR, fill=None)"),
    ("autoaugment-cifar10", "v2.AutoAugment(policy=AutoAugmentPolicy.CIFAR10, interpolation=InterpolationMode.NEAREST, fill=None)"),
    ("autoaugment-svhn", "v2.AutoAugment(policy=AutoAugmentPolicy.SVHN, interpolation=InterpolationMode.NEAREST, fill=None)"),
  ])
  func torchvisionBuiltinsAreUsedWhenThePolicyIsExactlyOne(name: String, call: String) throws {
    let export = try Self.shipped(name).export(to: .torchvision)
    #expect(export.fidelity == .builtin)
    #expect(export.text.contains("transform = v2.Compose([\n    \(call),\n])"), "\(export.text)")
    #expect(!export.text.contains("class TesseraPolicy"))
  }

  @Test func torchvisionCustomTransformEmbedsThePolicyAndStatesWhatItCannotDo() throws {
    // A RandAugment that torchvision's class cannot say: p = 0.5 and SamplePairing in the op list.
    let policy = PolicyFile(name: "ra-half", policy: .randAugment(RandAugmentPolicy(
      magnitude: .torchvisionRandAugment, numOps: 2, level: 9, probability: 0.5, ops: [.rotate, .samplePairing])))
    let export = try policy.export(to: .torchvision)
    #expect(export.fidelity == .equivalent)
    #expect(export.text.contains("class TesseraPolicy(v2.Transform):"))
    #expect(export.text.contains("from torchvision.transforms.v2 import functional as F"))
    #expect(export.text.contains("TesseraPolicy(POLICY[\"policy\"])"))
    #expect(export.text.contains("\"p\" : 0.5"))
    #expect(export.limitations.contains { $0.hasPrefix("SamplePairing") })
    #expect(export.text.contains("  - SamplePairing blends with another image"))
    // The embedded policy is the canonical document, so the Python side reads exactly what Tessera reads.
    let start = try #require(export.text.range(of: "json.loads(r'''"))
    let end = try #require(export.text.range(of: "''')", range: start.upperBound..<export.text.endIndex))
    let embedded = Data(export.text[start.upperBound..<end.lowerBound].utf8)
    #expect(try PolicyFile.decode(embedded) == policy)
  }

  @Test func timmStringsForShippedPolicies() throws {
    let ra = try Self.shipped("randaugment-default").export(to: .timm)
    #expect(ra.text.hasPrefix("rand-m3-n2-p1-inc1\n"))
    #expect(ra.fidelity == .approximate)
    #expect(ra.limitations.contains { $0.contains("lacks Identity") && $0.contains("Invert, SolarizeAdd") })
    #expect(ra.limitations.contains { $0.hasPrefix("PosterizeIncreasing at level 3: timm 3, Tessera 7") })
    #expect(ra.text.contains("#  - PosterizeIncreasing at level 3"))

    let aa = try Self.shipped("autoaugment-imagenet").export(to: .timm)
    #expect(aa.text.hasPrefix("original\n"))
    #expect(aa.limitations.contains { $0.hasPrefix("magnitude scale: this policy's bin k is k/9") })

    let augmix = try Self.shipped("augmix-default").export(to: .timm)
    #expect(augmix.text.hasPrefix("augmix-m3-w3\n"))

    let ua = try Self.shipped("uniformaugment-default").export(to: .timm)
    #expect(ua.text.hasPrefix("rand-m10-n2-mstd101-inc1\n"))
    #expect(ua.limitations.contains { $0.contains("crashes Pillow at 0 bits") })
  }

  @Test func aTfLevelRandAugmentExportsToThePlainTimmString() throws {
    let policy = PolicyFile(name: "ra-tf", policy: .randAugment(RandAugmentPolicy(
      magnitude: .tfLevel(translatePixels: 100.8, cutoutPixels: 100), geometry: Geometry(interpolation: .bilinear, fill: [128]),
      numOps: 2, level: 9, probability: 0.5, ops: TimmOps.rand.compactMap(TimmOps.opName))))
    let export = try policy.export(to: .timm)
    #expect(export.text.hasPrefix("rand-m9-n2\n"))
    // Same op list and the same formulas at level 9 for 224-pixel images: only geometry and Pillow notes remain.
    #expect(!export.limitations.contains { $0.contains(" at level ") && $0.contains(": timm ") }, "\(export.limitations)")
    #expect(!export.limitations.contains { $0.contains("fixed list") })
  }

  @Test(arguments: ["autoaugment-cifar10", "autoaugment-svhn", "cifar-crop-flip-cutout"])
  func timmRefusesWhatNoStringCanName(name: String) throws {
    #expect(throws: PolicyExportError.self) { try Self.shipped(name).export(to: .timm) }
    do {
      _ = try Self.shipped(name).export(to: .timm)
    } catch let error as PolicyExportError {
      #expect(error.description.hasPrefix("\(name): cannot export to timm: "))
    }
  }

  @Test func albumentationsJSONHasAToDictShapeAndStatesLimitations() throws {
    let export = try Self.shipped("cifar-crop-flip-cutout").export(to: .albumentations)
    let doc = try #require(try JSONSerialization.jsonObject(with: Data(export.text.utf8)) as? [String: Any])
    #expect(doc["__version__"] as? String == "2.0.8")
    let compose = try #require(doc["transform"] as? [String: Any])
    #expect(compose["__class_fullname__"] as? String == "Compose")
    let root = try #require((compose["transforms"] as? [[String: Any]])?.first)
    #expect(root["__class_fullname__"] as? String == "Sequential")
    let steps = try #require(root["transforms"] as? [[String: Any]])
    #expect(steps.map { $0["__class_fullname__"] as? String } == ["Affine", "HorizontalFlip", "CoarseDropout"])
    // PadCrop 4 = a whole-pixel shift of up to 4 in each direction.
    let shift = try #require(steps[0]["translate_px"] as? [String: [Int]])
    #expect(shift["x"] == [-4, 4] && shift["y"] == [-4, 4])
    #expect(steps[1]["p"] as? Double == 0.5)
    #expect(steps[2]["hole_height_range"] as? [Int] == [16, 16])
    let tessera = try #require(doc["tessera"] as? [String: Any])
    #expect((tessera["limitations"] as? [String])?.contains { $0.hasPrefix("Cutout's square") } == true)
  }

  @Test func albumentationsAutoAugmentIsAOneOfOfSequentialsWithSignedOneOfs() throws {
    let export = try Self.shipped("autoaugment-svhn").export(to: .albumentations)
    let doc = try #require(try JSONSerialization.jsonObject(with: Data(export.text.utf8)) as? [String: Any])
    let compose = try #require(doc["transform"] as? [String: Any])
    let root = try #require((compose["transforms"] as? [[String: Any]])?.first)
    #expect(root["__class_fullname__"] as? String == "OneOf")
    let subs = try #require(root["transforms"] as? [[String: Any]])
    #expect(subs.count == 25)
    // Row 1: (ShearX, 0.9, 4), (Invert, 0.2): a signed shear is a OneOf of ± with the op's probability.
    let first = try #require(subs[0]["transforms"] as? [[String: Any]])
    #expect(first[0]["__class_fullname__"] as? String == "OneOf" && first[0]["p"] as? Double == 0.9)
    let shears = try #require(first[0]["transforms"] as? [[String: Any]])
    let angles = shears.compactMap { (($0["shear"] as? [String: [Double]])?["x"])?.first }
    let expected = atan(Double(Float(0.3) / 9 * 4)) * 180 / .pi
    #expect(angles.count == 2 && abs(angles[0] - expected) < 1e-3 && abs(angles[1] + expected) < 1e-3, "\(angles)")
    #expect(first[1]["__class_fullname__"] as? String == "InvertImg" && first[1]["p"] as? Double == 0.2)
  }

  @Test func albumentationsRefusesAugMixAndNotesSolarizeAdd() throws {
    #expect(throws: PolicyExportError.self) { try Self.shipped("augmix-default").export(to: .albumentations) }
    let v0 = try PolicyImporter.importSpec("v0").file.export(to: .albumentations)
    #expect(v0.limitations.contains { $0.hasPrefix("SolarizeAdd") })
  }
}
