import Foundation

/// A policy read from another library's spec, with what Tessera's policy model cannot say about it.
public struct ImportedPolicy: Sendable, Hashable {
  public var file: PolicyFile
  /// One sentence per difference between the spec's meaning in its library and the imported policy.
  public var limitations: [String]
}

/// `tessera policy import SPEC`: timm strings (`rand-m9-n2-mstd0.5`, `rand-m9-n2-mstd0.5-inc1`, `augmix-m3-w3`,
/// `original`, `originalr`, `v0`, `v0r`), torchvision `AutoAugmentPolicy` names (`imagenet`, `cifar10`, `svhn`)
/// and `trivialaugment` (torchvision's TrivialAugmentWide; timm has no such string).
public enum PolicyImporter {
  /// Parses `spec` into a validated policy file.
  ///
  /// - Parameter imageSize: the image size timm's relative translate (0.45 of the size at level 10) is fixed for,
  ///   since Tessera's TF-style conventions translate by absolute pixels.
  /// - Throws: `PolicyImportError` naming the bad token.
  public static func importSpec(_ spec: String, imageSize: Int = 224) throws(PolicyImportError) -> ImportedPolicy {
    let text = spec.trimmingCharacters(in: .whitespaces)
    guard imageSize > 0 else { throw PolicyImportError(spec: spec, token: "\(imageSize)", message: "image size must be positive") }
    let lower = text.lowercased()
    let tvName = lower.hasPrefix("autoaugmentpolicy.") ? String(lower.dropFirst("autoaugmentpolicy.".count)) : lower
    let imported: ImportedPolicy
    if let table = PublishedPolicies.torchvision(tvName) {
      let policy = Policy.autoAugment(AutoAugmentPolicy(magnitude: .torchvisionAutoAugment, geometry: .pillowDefault,
                                                        subPolicies: table))
      imported = ImportedPolicy(
        file: PolicyFile(name: "autoaugment-\(tvName)",
                         description: "torchvision AutoAugment(AutoAugmentPolicy.\(tvName.uppercased())): 25 sub-policies of 2 ops; magnitudes are 10-bin indices.",
                         policy: policy,
                         provenance: Provenance(source: "torchvision AutoAugmentPolicy.\(tvName.uppercased())")),
        limitations: [])
    } else if ["trivialaugment", "trivialaugmentwide", "ta_wide", "ta-wide"].contains(lower) {
      imported = ImportedPolicy(
        file: PolicyFile(name: "trivialaugment-wide",
                         description: "torchvision TrivialAugmentWide(num_magnitude_bins=31): one op per image at a uniformly drawn strength.",
                         policy: .trivialAugment(TrivialAugmentPolicy()),
                         provenance: Provenance(source: "torchvision TrivialAugmentWide(num_magnitude_bins=31)")),
        limitations: ["timm has no 'trivialaugment' augmentation string; imported as torchvision's TrivialAugmentWide (31 bins, wide ranges)"])
    } else {
      imported = try timmPolicy(TimmSpec.parse(text), spec: text, imageSize: imageSize)
    }
    // Everything an import produces must pass the same validation as a file on disk.
    do {
      let data = try imported.file.encoded()
      _ = try PolicyFile.decode(data, file: imported.file.name)
    } catch {
      throw PolicyImportError(spec: spec, token: spec, message: "produced an invalid policy: \(error)")
    }
    return imported
  }

  static func timmPolicy(_ t: TimmSpec, spec: String, imageSize: Int) throws(PolicyImportError) -> ImportedPolicy {
    let canonical = t.description
    let geometry = Geometry(interpolation: .bilinear, fill: [128])
    var notes = [
      "timm picks bilinear or bicubic interpolation at random for every op; imported as bilinear (Tessera has no bicubic)",
      "timm fills uncovered pixels with img_mean, (128, 128, 128) unless create_transform passes the dataset mean; imported as 128",
    ]
    let target = MagnitudeConvention.Target(width: imageSize, height: imageSize, channels: 3)
    let policy: Policy
    let description: String
    switch t.family {
    case .rand:
      if let set = t.transforms {
        throw PolicyImportError(spec: spec, token: "t\(set)", message: "timm's op set '\(set)' (weighted choice without replacement, Desaturate, GaussianBlur) has no Tessera equivalent")
      }
      let mmax = t.magnitudeMax ?? 10
      let level = min(t.magnitude ?? 10, mmax)
      guard level <= 10 else {
        throw PolicyImportError(spec: spec, token: "m\(t.magnitude ?? 10)", message: "levels above 10 cannot be expressed (Tessera's level scale ends at 10)")
      }
      let increasing = t.increasing ?? false
      let names = increasing ? TimmOps.randIncreasing : TimmOps.rand
      let convention = increasing ? MagnitudeConvention.torchvision(bins: 11, ranges: .augMix)
                                  : .tfLevel(translatePixels: TimmOps.translatePercent * Double(imageSize), cutoutPixels: 100)
      let ops = names.compactMap(TimmOps.opName)
      policy = .randAugment(RandAugmentPolicy(magnitude: convention, geometry: geometry, numOps: t.numLayers ?? 2,
                                              level: Double(level), probability: t.probability ?? 0.5, ops: ops))
      description = "timm RandAugment '\(canonical)': \(t.numLayers ?? 2) of timm's 15 \(increasing ? "increasing " : "")ops per image at level \(level), each applied with p = \((t.probability ?? 0.5).formatted)."
      if let std = t.magnitudeStd, std > 0 {
        notes.append(std > 100 ? "timm draws each op's magnitude uniformly from [0, \(level)] (mstd > 100); Tessera's RandAugment uses the fixed level \(level)"
                               : "timm adds Gaussian noise (std \(std.formatted)) to each op's magnitude (mstd); Tessera's RandAugment uses the fixed level \(level)")
      }
      if t.magnitude.map({ $0 > mmax }) ?? false { notes.append("timm clamps m\(t.magnitude!) to \(mmax); imported at level \(level)") }
      notes += differences(names.map { ($0, Double(level)) }, convention: convention, target: target)
      if !increasing { notes.append(translateNote(imageSize)) }
    case .augMix:
      let severity = t.magnitude ?? 3
      guard (1...11).contains(severity) else {
        throw PolicyImportError(spec: spec, token: "m\(severity)", message: "severity must be in 1…11 for Tessera's 11-bin AugMix")
      }
      let convention = MagnitudeConvention.torchvision(bins: 11, ranges: .augMix)
      policy = .augMix(AugMixPolicy(magnitude: convention, geometry: geometry, severity: severity, width: t.width ?? 3,
                                    depth: t.depth ?? -1, alpha: t.alpha ?? 1,
                                    ops: TimmOps.augMix.compactMap(TimmOps.opName)))
      description = "timm AugMix '\(canonical)': \(t.width ?? 3) chains of \(t.depth.map(String.init) ?? "1-3") ops, severity \(severity), alpha \((t.alpha ?? 1).formatted)."
      if let std = t.magnitudeStd, std <= 100 {
        notes.append("timm adds Gaussian noise (std \(std.formatted)) to the magnitude; Tessera draws whole bins 0…\(severity - 1), i.e. level k is k/10 of each range")
      } else {
        notes.append("timm draws each op's level uniformly from [0, \(severity)] (continuous); Tessera draws whole bins 0…\(severity - 1) (k/10 of each range)")
      }
      if t.blended == true { notes.append("timm's blended mode (b1) approximates the mix; Tessera always mixes exactly (as b0)") }
      notes.append("timm quantises the mixed chains to 8 bits before blending with the original; Tessera blends in float32 and truncates once")
      notes += differences(TimmOps.augMix.map { ($0, Double(max(severity - 1, 0))) }, convention: convention, target: target)
    case let .autoAugment(name):
      guard let table = PublishedPolicies.timm(name) else {
        throw PolicyImportError(spec: spec, token: name, message: "unknown AutoAugment table")
      }
      let convention = MagnitudeConvention.tfLevel(translatePixels: TimmOps.translatePercent * Double(imageSize), cutoutPixels: 100)
      var subPolicies: [[PolicyOp]] = []
      for row in table {
        var ops: [PolicyOp] = []
        for entry in row {
          guard let op = TimmOps.opName(entry.op) else {
            throw PolicyImportError(spec: spec, token: entry.op, message: "timm op has no Tessera equivalent")
          }
          ops.append(PolicyOp(op, probability: entry.p, magnitude: op.isParameterless ? nil : entry.level))
        }
        subPolicies.append(ops)
      }
      policy = .autoAugment(AutoAugmentPolicy(magnitude: convention, geometry: geometry, subPolicies: subPolicies))
      description = "timm AutoAugment '\(canonical)': 25 sub-policies of 2 ops; magnitudes are levels on timm's /10 scale."
      if let std = t.magnitudeStd, std > 0 {
        notes.append("timm adds Gaussian noise (std \(std.formatted)) to each op's level (mstd); Tessera uses the table's levels as they are")
      }
      var pairs: [(String, Double)] = []
      for row in table { for entry in row where !pairs.contains(where: { $0 == (entry.op, entry.level) }) { pairs.append((entry.op, entry.level)) } }
      notes += differences(pairs, convention: convention, target: target)
      if table.joined().contains(where: { $0.op.hasSuffix("Rel") }) { notes.append(translateNote(imageSize)) }
    }
    let file = PolicyFile(name: "timm-\(canonical)", description: description, policy: policy,
                          provenance: Provenance(source: "timm \(canonical)"))
    return ImportedPolicy(file: file, limitations: notes)
  }

  static func translateNote(_ size: Int) -> String {
    "timm translates by 0.45 of the image size at level 10 (TranslateXRel/YRel); Tessera's tf-level translate is absolute, set to \((TimmOps.translatePercent * Double(size)).formatted) px for \(size)-pixel images (--image-size)"
  }

  /// "Posterize at level 8: timm 7, Tessera 3" for every (timm op, level) whose arguments differ under `convention`.
  static func differences(_ pairs: [(String, Double)], convention: MagnitudeConvention,
                          target: MagnitudeConvention.Target, tesseraLevel: ((Double) -> Double)? = nil) -> [String] {
    var out: [String] = []
    for (name, level) in pairs {
      guard let op = TimmOps.opName(name) else { continue }
      let theirs = TimmOps.arguments(name, level: level, size: target.width)
      let ours = ArgumentSet.tessera(op, magnitude: tesseraLevel?(level) ?? level, convention: convention, target: target)
      if !theirs.isClose(to: ours) {
        out.append("\(name) at level \(level.formatted): timm \(theirs), Tessera \(ours) (\(unit(op)), \(target.width)-pixel images)")
      }
    }
    return out
  }

  static func unit(_ op: OpName) -> String {
    switch op {
    case .rotate: return "degrees"
    case .shearX, .shearY: return "shear factor"
    case .translateX, .translateY, .cutout: return "pixels"
    case .posterize: return "bits kept"
    case .solarize: return "threshold"
    case .solarizeAdd: return "added to pixels below 128"
    case .contrast, .color, .brightness, .sharpness: return "enhance factor"
    default: return "argument"
    }
  }
}
