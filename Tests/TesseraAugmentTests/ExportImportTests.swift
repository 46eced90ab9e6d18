import Foundation
import Testing
@testable import TesseraAugment

/// timm strings and torchvision names → policy files, and back.
struct ExportImportTests {
  @Test func randAugmentStringBecomesATfLevelPolicy() throws {
    let imported = try PolicyImporter.importSpec("rand-m9-n2-mstd0.5")
    guard case let .randAugment(p) = imported.file.policy else { Issue.record("not RandAugment"); return }
    #expect(p.numOps == 2 && p.level == 9 && p.probability == 0.5)
    #expect(p.magnitude == .tfLevel(translatePixels: 0.45 * 224, cutoutPixels: 100))
    #expect(p.ops.count == 15 && p.ops.contains(.solarizeAdd) && !p.ops.contains(.identity))
    #expect(p.geometry == Geometry(interpolation: .bilinear, fill: [128]))
    #expect(imported.file.name == "timm-rand-m9-n2-mstd0.5")
    #expect(imported.file.provenance?.source == "timm rand-m9-n2-mstd0.5")
    #expect(imported.limitations.contains { $0.contains("Gaussian noise (std 0.5)") })
    // Same formulas as timm's non-increasing ops: no per-op difference at 224 px.
    #expect(!imported.limitations.contains { $0.contains(" at level ") && $0.contains(": timm ") }, "\(imported.limitations)")
  }

  @Test func increasingVariantUsesSignedEnhanceAndSaysWherePosterizeDiffers() throws {
    let imported = try PolicyImporter.importSpec("rand-m9-n2-mstd0.5-inc1", imageSize: 32)
    guard case let .randAugment(p) = imported.file.policy else { Issue.record("not RandAugment"); return }
    #expect(p.magnitude == .torchvision(bins: 11, ranges: .augMix))
    #expect(imported.limitations.contains { $0.hasPrefix("PosterizeIncreasing at level 9: timm 1, Tessera 0") },
            "\(imported.limitations)")
    #expect(!imported.limitations.contains { $0.hasPrefix("ColorIncreasing") })
  }

  @Test func augmixAndAutoAugmentNames() throws {
    guard case let .augMix(a) = try PolicyImporter.importSpec("augmix-m3-w3").file.policy else {
      Issue.record("not AugMix"); return
    }
    #expect(a.severity == 3 && a.width == 3 && a.depth == -1 && a.alpha == 1 && Set(a.ops) == Set(OpName.augMixAllOps))

    let original = try PolicyImporter.importSpec("original")
    guard case let .autoAugment(o) = original.file.policy else { Issue.record("not AutoAugment"); return }
    #expect(o.subPolicies.count == 25 && o.subPolicies[0][0] == PolicyOp(.posterize, probability: 0.4, magnitude: 8))
    #expect(original.limitations.contains { $0.hasPrefix("PosterizeOriginal at level 8: timm 7, Tessera 3") })

    let cifar = try PolicyImporter.importSpec("cifar10")
    #expect(cifar.limitations.isEmpty)
    #expect(cifar.file.policy == .autoAugment(AutoAugmentPolicy(subPolicies: PublishedPolicies.torchvision("cifar10")!)))
    #expect(try PolicyImporter.importSpec("AutoAugmentPolicy.SVHN").file.name == "autoaugment-svhn")
    #expect(try PolicyImporter.importSpec("trivialaugment").file.policy == .trivialAugment(TrivialAugmentPolicy()))
  }

  @Test(arguments: [
    ("rand-m9-x2", "x2", "unknown section 'x'"),
    ("rand-mfoo", "mfoo", "section has no number"),
    ("rand-m9-n", "n", "section has no number"),
    ("rand-m9-p1.5", "p1.5", "p must be in [0, 1]"),
    ("rand-m9--n2", "", "empty section"),
    ("rand-m9-m3", "m3", "'m' is given twice"),
    ("rand-m9-tweights", "tweights", "no Tessera equivalent"),
    ("rand-m12-mmax15", "m12", "levels above 10"),
    ("augmix-m3-x1", "x1", "unknown section 'x' for augmix"),
    ("randaug-m9", "randaug", "unknown timm augmentation 'randaug'"),
    ("v1", "v1", "unknown timm augmentation 'v1'"),
    ("original-m3", "m3", "unknown section 'm' for original"),
    ("rand-inc2", "inc2", "'2' must be 0 or 1"),
  ])
  func invalidSpecsNameTheBadToken(spec: String, token: String, message: String) {
    do {
      _ = try PolicyImporter.importSpec(spec)
      Issue.record("\(spec) was accepted")
    } catch {
      #expect(error.token == token, "\(error)")
      #expect(error.description.contains(message), "\(error)")
      #expect(error.description.hasPrefix(spec + ":"))
    }
  }

  @Test(arguments: ["rand-m9-n2-mstd0.5", "rand-m9-n2-mstd0.5-inc1", "rand-m7-n3", "rand-m9-n2-p1-inc1",
                    "rand-m5-n1-mstd0.5", "augmix-m3-w3", "augmix-m5-w4-d2", "augmix-m3-w3-mstd0.5",
                    "original", "originalr-mstd0.5", "v0", "v0r"])
  func timmStringsRoundTripThroughImportAndExport(spec: String) throws {
    #expect(try TimmSpec.parse(spec).description == spec)
    let imported = try PolicyImporter.importSpec(spec)
    // The imported file is valid on disk too.
    #expect(try PolicyFile.decode(imported.file.encoded()) == imported.file)
    let exported = try imported.file.export(to: .timm)
    #expect(exported.text.split(separator: "\n").first.map(String.init) == spec, "\(exported.text)")
  }

  @Test func importedRandAugmentSamplesLikeTimmsStructure() throws {
    // Two ops drawn per image, each kept with p = 0.5: over many draws, about one op per image.
    let file = try PolicyImporter.importSpec("rand-m9-n2").file
    let target = MagnitudeConvention.Target(width: 28, height: 28, channels: 1)
    var total = 0
    for i in 0..<2000 {
      var rng = SplitMix64(seed: 3, index: UInt64(i))
      total += file.policy.sample(for: target, using: &rng).count
    }
    #expect(abs(Double(total) / 2000 - 1.0) < 0.08)
  }
}
