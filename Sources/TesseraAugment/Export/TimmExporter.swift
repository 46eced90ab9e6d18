/// Policy → timm augmentation string. timm strings name RandAugment, AugMix or one of four AutoAugment tables,
/// with timm's own op lists and level formulas; everything else a policy says is either mapped to the nearest
/// section or listed as a limitation.
struct TimmExporter {
  let file: PolicyFile
  /// Arguments that depend on the image size are compared at this size in the limitations.
  let referenceSize = 224

  func export() throws(PolicyExportError) -> PolicyExport {
    var spec: TimmSpec
    var notes: [String] = []
    let target = MagnitudeConvention.Target(width: referenceSize, height: referenceSize, channels: 3)
    let fromSource = sourceSpec
    switch file.policy {
    case let .randAugment(p):
      let level = try timmLevel(p.level, p.magnitude, &notes)
      let increasing = usesIncreasingOps(p.magnitude) || avoidsZeroBitPosterize(lowestLevel: Double(level), &notes)
      spec = TimmSpec(family: .rand)
      spec.magnitude = level
      spec.numLayers = p.numOps
      if p.probability != 0.5 { spec.probability = p.probability }
      if increasing { spec.increasing = true }
      if let s = fromSource, s.family == .rand, s.magnitude ?? 10 == level, s.numLayers ?? 2 == p.numOps,
         (s.increasing ?? false) == increasing, s.probability ?? 0.5 == p.probability {
        spec.magnitudeStd = s.magnitudeStd
        spec.magnitudeMax = s.magnitudeMax
      }
      let names = increasing ? TimmOps.randIncreasing : TimmOps.rand
      notes += opSetNotes(p.ops, names)
      notes += PolicyImporter.differences(names.map { ($0, Double(level)) }, convention: p.magnitude, target: target,
                                          tesseraLevel: { _ in p.level })
    case let .trivialAugment(p):
      let increasing = usesIncreasingOps(p.magnitude) || avoidsZeroBitPosterize(lowestLevel: 0, &notes)
      spec = TimmSpec(family: .rand)
      spec.magnitude = 10
      spec.numLayers = 1
      spec.probability = 1
      spec.magnitudeStd = 101
      if increasing { spec.increasing = true }
      notes.append("expressed as timm RandAugment with one op per image, always applied, at a level drawn uniformly from [0, 10] (mstd > 100); TrivialAugment draws whole levels 0…\(p.magnitude.maxMagnitude.formatted) instead")
      let names = increasing ? TimmOps.randIncreasing : TimmOps.rand
      notes += opSetNotes(p.ops, names)
      notes += PolicyImporter.differences(names.map { ($0, 10) }, convention: p.magnitude, target: target,
                                          tesseraLevel: { _ in p.magnitude.maxMagnitude })
    case let .uniformAugment(p):
      let increasing = usesIncreasingOps(p.magnitude) || avoidsZeroBitPosterize(lowestLevel: 0, &notes)
      spec = TimmSpec(family: .rand)
      spec.magnitude = 10
      spec.numLayers = p.numOps
      spec.magnitudeStd = 101
      if increasing { spec.increasing = true }
      notes.append("UniformAugment's per-op probability p ~ U(0, 1) makes each op apply with probability 0.5, which is timm's default p; its uniform magnitude is timm's mstd > 100")
      let names = increasing ? TimmOps.randIncreasing : TimmOps.rand
      notes += opSetNotes(p.ops, names)
      notes += PolicyImporter.differences(names.map { ($0, 10) }, convention: p.magnitude, target: target,
                                          tesseraLevel: { _ in p.magnitude.maxMagnitude })
    case let .augMix(p):
      spec = TimmSpec(family: .augMix)
      let maxLevel: Double
      if case let .torchvision(bins, _) = p.magnitude {
        maxLevel = Double(p.severity) * 10 / Double(bins - 1)
        notes.append("Tessera draws whole bins 0…\(p.severity - 1) of \(bins) (bin k is k/\(bins - 1) of each range); timm draws a level uniformly from [0, m] on its /10 scale")
      } else {
        maxLevel = Double(p.severity)
        notes.append("Tessera draws levels from U(0.1, \(p.severity)); timm from U(0, \(p.severity))")
      }
      let m = max(1, Int(maxLevel.rounded()))
      if Double(m) != maxLevel { notes.append("severity \(p.severity) reaches \(maxLevel.formatted3) of timm's /10 scale; written as m\(m)") }
      spec.magnitude = m
      spec.width = p.width
      if p.depth > 0 { spec.depth = p.depth }
      if p.alpha != 1 { spec.alpha = p.alpha }
      if let s = fromSource, s.family == .augMix, let std = s.magnitudeStd { spec.magnitudeStd = std }
      notes += opSetNotes(p.ops, TimmOps.augMix)
      let top = Double(max(p.severity - 1, 0))
      let topLevel: Double
      if case let .torchvision(bins, _) = p.magnitude { topLevel = top * 10 / Double(bins - 1) } else { topLevel = top }
      notes += PolicyImporter.differences(TimmOps.augMix.map { ($0, topLevel) }, convention: p.magnitude, target: target,
                                          tesseraLevel: { _ in top })
      notes.append("timm quantises the mixed chains to 8 bits before blending with the original; Tessera blends in float32 and truncates once")
    case let .autoAugment(p):
      guard let name = matchingTimmTable(p.subPolicies) else {
        throw PolicyExportError(
          policy: file.name, target: .timm,
          reason: "a timm string can only name the AutoAugment tables \(TimmSpec.autoAugmentNames.joined(separator: ", ")) (and its RandAugment/AugMix); these \(p.subPolicies.count) sub-policies are none of them. Export to torchvision or albumentations instead")
      }
      spec = TimmSpec(family: .autoAugment(name))
      if let s = fromSource, case .autoAugment = s.family { spec.magnitudeStd = s.magnitudeStd }
      if case let .torchvision(bins, _) = p.magnitude {
        notes.append("magnitude scale: this policy's bin k is k/\(bins - 1) of each range, timm's level k is k/10 (the published tables are read both ways)")
      }
      var pairs: [(String, Double)] = []
      for row in PublishedPolicies.timm(name) ?? [] {
        for e in row where !pairs.contains(where: { $0 == (e.op, e.level) }) { pairs.append((e.op, e.level)) }
      }
      notes += PolicyImporter.differences(pairs, convention: p.magnitude, target: target)
    case .pipeline:
      throw PolicyExportError(
        policy: file.name, target: .timm,
        reason: "timm augmentation strings describe only RandAugment, AugMix and the AutoAugment tables; a pipeline's flips, crops and erasing are create_transform arguments (hflip, re_prob), not a string. Export to torchvision or albumentations instead")
    }
    notes += geometryNotes(file.policy)
    if let std = spec.magnitudeStd, fromSource != nil, spec.family == .rand || spec.family == .augMix || std >= 0 {
      notes.append("mstd\(std.formatted) comes from the policy's provenance (\(file.provenance?.source ?? "")); Tessera itself does not apply magnitude noise")
    }
    let line = spec.description
    var text = line + "\n"
    text += "# timm augmentation string for Tessera policy '\(file.name)' (\(file.policy.kind)); pass it as --aa or create_transform(auto_augment=...).\n"
    if notes.isEmpty {
      text += "# timm expresses this policy exactly.\n"
    } else {
      text += "# What timm cannot express or does differently:\n"
      text += notes.map { "#  - \($0)\n" }.joined()
    }
    return PolicyExport(target: .timm, text: text, fidelity: notes.isEmpty ? .equivalent : .approximate, limitations: notes)
  }

  /// The timm spec the policy was imported from, when its provenance says so.
  var sourceSpec: TimmSpec? {
    guard let source = file.provenance?.source, source.hasPrefix("timm ") else { return nil }
    return try? TimmSpec.parse(String(source.dropFirst(5)))
  }

  /// timm's increasing ops negate enhance offsets at random as torchvision does, and posterize/solarize harder as
  /// the level rises as aa-original does; tf-level matches timm's plain ops.
  func usesIncreasingOps(_ convention: MagnitudeConvention) -> Bool {
    if case .tfLevel = convention { return false }
    return true
  }

  /// timm's plain Posterize keeps int(0.4·level) bits, and Pillow rejects 0 bits (`ValueError: bits must be between
  /// or equal to 1 and 8`), so a plain `rand` string that reaches levels below 2.5 crashes timm; the increasing ops
  /// (4 − int(0.4·level) bits) do not. True when the export must switch to `inc1` for that reason.
  func avoidsZeroBitPosterize(lowestLevel: Double, _ notes: inout [String]) -> Bool {
    guard lowestLevel < 2.5 else { return false }
    notes.append("timm's plain Posterize keeps int(0.4·level) bits and crashes Pillow at 0 bits (levels below 2.5, which this policy reaches); written with inc1 (timm's increasing ops) instead")
    return true
  }

  /// The policy level on timm's integer /10 scale.
  func timmLevel(_ level: Double, _ convention: MagnitudeConvention, _ notes: inout [String]) throws(PolicyExportError) -> Int {
    var l = level
    if case let .torchvision(bins, _) = convention { l = level * 10 / Double(bins - 1) }
    let m = Int(l.rounded())
    if abs(Double(m) - l) > 1e-9 {
      notes.append("level \(level.formatted) is \(l.formatted3) on timm's /10 scale; timm takes whole levels, so it is written as m\(m)")
    }
    return m
  }

  func opSetNotes(_ ops: [OpName], _ timmNames: [String]) -> [String] {
    let theirs = timmNames.compactMap(TimmOps.opName)
    var notes: [String] = []
    let added = theirs.filter { !ops.contains($0) }, missing = Set(ops).subtracting(theirs)
    if !added.isEmpty || !missing.isEmpty {
      var parts: [String] = []
      if !missing.isEmpty { parts.append("lacks " + missing.map(\.rawValue).sorted().joined(separator: ", ")) }
      if !added.isEmpty { parts.append("adds " + added.map(\.rawValue).joined(separator: ", ")) }
      notes.append("timm draws from its fixed list of \(theirs.count) ops, which " + parts.joined(separator: " and ") + " compared with this policy")
    } else if Set(ops).count != ops.count {
      notes.append("this policy lists some ops more than once (weighting them); timm's list has each op once")
    }
    return notes
  }

  func geometryNotes(_ policy: Policy) -> [String] {
    let geometry: Geometry
    switch policy {
    case let .autoAugment(p): geometry = p.geometry
    case let .randAugment(p): geometry = p.geometry
    case let .trivialAugment(p): geometry = p.geometry
    case let .augMix(p): geometry = p.geometry
    case let .uniformAugment(p): geometry = p.geometry
    case let .pipeline(p): geometry = p.geometry
    }
    let fill = geometry.fill.map(String.init).joined(separator: ", ")
    let interp = geometry.interpolation == .nearest ? "Image.NEAREST" : "Image.BILINEAR"
    return ["interpolation and fill are not part of a timm string: timm picks bilinear or bicubic at random and fills with img_mean (128 by default); this policy uses \(geometry.interpolation.rawValue) and fill (\(fill)) — pass hparams=dict(interpolation=\(interp), img_mean=(\(geometry.fillSamples(channels: 3).map(String.init).joined(separator: ", ")))) to match",
            "timm works on PIL images with Pillow's ops, the same formulas Tessera follows; rounding of Pillow's bicubic/bilinear resampling may differ by a level"]
  }

  /// The timm table whose sub-policies (op family, probability, level) equal `subPolicies`, preferring the one
  /// the policy's provenance names.
  func matchingTimmTable(_ subPolicies: [[PolicyOp]]) -> String? {
    var candidates: [String] = []
    for name in TimmSpec.autoAugmentNames {
      guard let table = PublishedPolicies.timm(name), table.count == subPolicies.count else { continue }
      let same = zip(table, subPolicies).allSatisfy { row, ours in
        row.count == ours.count && zip(row, ours).allSatisfy { e, o in
          TimmOps.opName(e.op) == o.op && abs(e.p - o.probability) < 1e-9
            && (o.op.isParameterless || o.magnitude == e.level)
        }
      }
      if same { candidates.append(name) }
    }
    if let s = sourceSpec, case let .autoAugment(name) = s.family, candidates.contains(name) { return name }
    return candidates.first
  }
}

extension Double {
  /// Up to three decimals, without a trailing ".0".
  var formatted3: String {
    let r = (self * 1000).rounded() / 1000
    return r == r.rounded() ? String(Int(r)) : String(r)
  }
}
