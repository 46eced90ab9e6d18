import Foundation

/// Policy → albumentations' serialized pipeline (`A.to_dict` JSON for albumentations 2.0; load with
/// `A.from_dict(json.load(f))`). Sampling maps onto `OneOf` / `SomeOf` / `Sequential` (a `OneOf` child's `p` is
/// its weight, and a chosen child is forced); random signs become a `OneOf` of the two signed transforms.
struct AlbumentationsExporter {
  typealias Node = [String: Any]
  let file: PolicyFile
  static let version = "2.0.8"

  func export() throws(PolicyExportError) -> PolicyExport {
    var notes = Notes()
    let root: Node
    switch file.policy {
    case let .autoAugment(p):
      let subs: [Node] = p.subPolicies.map { sub in
        sequential(sub.map { magnitudeOp($0.op, $0.magnitude ?? 0, p.magnitude, p.geometry, p: $0.probability, &notes) }, p: 1)
      }
      root = oneOf(subs, p: 1)
    case let .randAugment(p):
      root = someOf(p.ops.map { magnitudeOp($0, p.level, p.magnitude, p.geometry, p: p.probability, &notes) },
                    n: p.numOps, replace: true, p: 1)
      notes.add("SomeOf applies the drawn ops in list order; Tessera applies them in the order drawn")
    case let .trivialAugment(p):
      let levels = 0...Int(p.magnitude.maxMagnitude)
      root = oneOf(p.ops.map { op in
        weightedLevels(op, levels.map(Double.init), p.magnitude, p.geometry, &notes)
      }, p: 1)
    case let .uniformAugment(p):
      root = someOf(p.ops.map { rangeOp($0, 0, p.magnitude.maxMagnitude, p.magnitude, p.geometry, p: 0.5, &notes) },
                    n: p.numOps, replace: true, p: 1)
      notes.add("UniformAugment's p ~ U(0, 1) per op is the same as applying each op with probability 0.5, which is how it is written")
      notes.add("SomeOf applies the drawn ops in list order; Tessera applies them in the order drawn")
    case .augMix:
      throw PolicyExportError(policy: file.name, target: .albumentations,
                              reason: "albumentations has no AugMix: it cannot mix several augmented chains with the original image. Export to torchvision (v2.AugMix) or timm (augmix-…) instead")
    case let .pipeline(p):
      root = pipelineNode(p.root, p.geometry, &notes)
    }
    notes.add("albumentations works with OpenCV and NumPy, not Pillow: Equalize, AutoContrast, enhance ops and bilinear sampling round differently from Pillow (Tessera's reference), typically by a level or two")
    notes.add("randomness comes from albumentations' own generators (seed it with A.Compose(seed=...)), not Tessera's SplitMix64: the same distributions, different draws")
    let compose: Node = ["__class_fullname__": "Compose", "p": 1.0, "transforms": [root], "bbox_params": NSNull(),
                         "keypoint_params": NSNull(), "additional_targets": [String: Any](), "is_check_shapes": true]
    let document: Node = [
      "__version__": AlbumentationsExporter.version,
      "transform": compose,
      "tessera": ["policy": file.name, "kind": file.policy.kind,
                  "note": "Written by `tessera policy export --to albumentations`; load with A.from_dict. The limitations list what albumentations cannot express.",
                  "limitations": notes.list] as Node,
    ]
    let data = (try? JSONSerialization.data(withJSONObject: document,
                                            options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
    return PolicyExport(target: .albumentations, text: String(decoding: data, as: UTF8.self) + "\n",
                        fidelity: .approximate, limitations: notes.list)
  }

  /// Limitations, each once, in the order first met.
  struct Notes {
    private(set) var list: [String] = []
    mutating func add(_ s: String) { if !list.contains(s) { list.append(s) } }
  }

  // MARK: Compositions

  func oneOf(_ children: [Node], p: Double) -> Node {
    ["__class_fullname__": "OneOf", "p": p, "transforms": children]
  }
  func someOf(_ children: [Node], n: Int, replace: Bool, p: Double) -> Node {
    ["__class_fullname__": "SomeOf", "p": p, "n": n, "replace": replace, "transforms": children]
  }
  func sequential(_ children: [Node], p: Double) -> Node {
    ["__class_fullname__": "Sequential", "p": p, "transforms": children]
  }
  func withP(_ node: Node, _ p: Double) -> Node {
    var n = node
    n["p"] = p
    return n
  }

  // MARK: Magnitude ops

  /// `op` at a convention's magnitude, applied with probability `p` (signed ops: a OneOf of ±).
  func magnitudeOp(_ op: OpName, _ m: Double, _ c: MagnitudeConvention, _ g: Geometry, p: Double,
                   _ notes: inout Notes) -> Node {
    let values = signedValues(op, m, c)
    if values.count == 2 {
      return oneOf(values.map { fixedOp(op, $0, g, &notes) }, p: p)
    }
    return withP(fixedOp(op, values.first ?? .none, g, &notes), p)
  }

  /// All levels of a TrivialAugment op as one weighted OneOf (equal transforms merged, weights summed).
  func weightedLevels(_ op: OpName, _ levels: [Double], _ c: MagnitudeConvention, _ g: Geometry,
                      _ notes: inout Notes) -> Node {
    var children: [Node] = []
    var keys: [String] = []
    var weights: [Double] = []
    for level in levels {
      let values = signedValues(op, level, c)
      for v in values {
        let node = fixedOp(op, v, g, &notes)
        let key = String(describing: node.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        let w = 1.0 / Double(levels.count * values.count)
        if let i = keys.firstIndex(of: key) {
          weights[i] += w
        } else {
          keys.append(key)
          children.append(node)
          weights.append(w)
        }
      }
    }
    let total = weights.reduce(0, +)
    let weighted = zip(children, weights).map { withP($0, $1 / total) }
    return weighted.count == 1 ? withP(weighted[0], 1) : oneOf(weighted, p: 1)
  }

  /// A size-independent argument: pixels, or a fraction of the image size.
  enum Argument {
    case none
    case value(Double)
    case fraction(Double)
  }

  /// The one or two (random sign) arguments of `op` at magnitude `m`, enhance ops as factors.
  func signedValues(_ op: OpName, _ m: Double, _ c: MagnitudeConvention) -> [Argument] {
    if op.isParameterless || op == .identity { return [.none] }
    let a = sizeFreeArgument(op, m, c)
    let enhance: Set<OpName> = [.contrast, .color, .brightness, .sharpness]
    if enhance.contains(op), case .torchvision = c, case let .value(v) = a {
      return v == 0 ? [.value(1)] : [.value(1 + v), .value(1 - v)]
    }
    guard c.isSigned(op) else { return [a] }
    switch a {
    case let .value(v): return v == 0 ? [a] : [.value(v), .value(-v)]
    case let .fraction(f): return f == 0 ? [a] : [.fraction(f), .fraction(-f)]
    case .none: return [a]
    }
  }

  /// Tessera's argument, kept relative where torchvision's ranges scale with the image size.
  func sizeFreeArgument(_ op: OpName, _ m: Double, _ c: MagnitudeConvention) -> Argument {
    if case let .torchvision(bins, ranges) = c {
      func lin(_ end: Double) -> Double { MagnitudeConvention.linspace(0, end, bins, m) }
      switch (op, ranges) {
      case (.translateX, .standard), (.translateY, .standard): return .fraction(lin(150.0 / 331.0))
      case (.translateX, .augMix), (.translateY, .augMix): return .fraction(lin(1.0 / 3.0))
      case (.cutout, .wide): return .fraction(lin(0.6))
      case (.cutout, _): return .fraction(lin(60.0 / 331.0))
      default: break
      }
    }
    let target = MagnitudeConvention.Target(width: 224, height: 224, channels: 3)
    return .value(c.argument(op, magnitude: m, target: target))
  }

  /// One op with a fixed argument (Tessera semantics), probability 1.
  func fixedOp(_ op: OpName, _ arg: Argument, _ g: Geometry, _ notes: inout Notes) -> Node {
    var v = 0.0, fraction: Double? = nil
    switch arg {
    case let .value(x): v = x
    case let .fraction(f): fraction = f
    case .none: break
    }
    return rangedOp(op, v...v, fraction: fraction.map { $0...$0 }, g, compensateShear: true, &notes)
  }

  /// `op` with its argument uniform in [low, high] of the magnitude scale (signed ops symmetric).
  func rangeOp(_ op: OpName, _ low: Double, _ high: Double, _ c: MagnitudeConvention, _ g: Geometry, p: Double,
               _ notes: inout Notes) -> Node {
    if op.isParameterless || op == .identity { return withP(fixedOp(op, .none, g, &notes), p) }
    let target = MagnitudeConvention.Target(width: 224, height: 224, channels: 3)
    var lo = c.argument(op, magnitude: low, target: target), hi = c.argument(op, magnitude: high, target: target)
    let enhance: Set<OpName> = [.contrast, .color, .brightness, .sharpness]
    if enhance.contains(op), case .torchvision = c { (lo, hi) = (1 - hi, 1 + hi) }
    else if c.isSigned(op) { lo = -hi }
    if lo > hi { swap(&lo, &hi) }
    if [.shearX, .shearY].contains(op) { notes.add("a random shear is drawn uniformly in degrees (albumentations) rather than in shear factor, and is not shifted back to Pillow's top-left origin") }
    return withP(rangedOp(op, lo...hi, fraction: nil, g, compensateShear: false, &notes), p)
  }

  // MARK: Pipelines

  func pipelineNode(_ node: PipelineNode, _ g: Geometry, _ notes: inout Notes) -> Node {
    switch node {
    case let .sequence(children, p):
      return sequential(children.map { pipelineNode($0, g, &notes) }, p: p)
    case let .oneOf(children, weights, p):
      // A OneOf child's p is its weight and the chosen child is forced; wrapping keeps the child's own p.
      let w = weights ?? [Double](repeating: 1, count: children.count)
      return oneOf(zip(children, w).map { sequential([pipelineNode($0, g, &notes)], p: $1) }, p: p)
    case let .someOf(children, count, p):
      return someOf(children.map { pipelineNode($0, g, &notes) }, n: count, replace: false, p: p)
    case let .op(step):
      return stepNode(step, g, &notes)
    }
  }

  func stepNode(_ s: OpStep, _ g: Geometry, _ notes: inout Notes) -> Node {
    if s.op == .padCrop {
      let lo = s.range?.lowerBound ?? s.value ?? 0, hi = s.range?.upperBound ?? s.value ?? 0
      if s.range != nil { notes.add("PadCrop with a range of paddings is written as a shift up to the largest padding") }
      let pad = Int(max(lo, hi))
      return withP(affine(translatePx: (-pad...pad, -pad...pad), g), s.probability)
    }
    if s.op == .randomErasing {
      let scale = s.scale ?? 0.02...0.33, ratio = s.ratio ?? 0.3...3.3
      return ["__class_fullname__": "Erasing", "p": s.probability, "scale": [scale.lowerBound, scale.upperBound],
              "ratio": [ratio.lowerBound, ratio.upperBound], "fill": fillValue(g)]
    }
    if s.op == .resize {
      notes.add("Resize uses OpenCV's resampling, not Pillow's antialiased filter: pixels differ slightly")
      return ["__class_fullname__": "Resize", "p": s.probability, "height": s.height ?? 1, "width": s.width ?? 1,
              "interpolation": g.interpolation == .nearest ? 0 : 1]
    }
    let range = s.range ?? (s.value ?? 0)...(s.value ?? 0)
    let isFixed = s.range == nil
    let positive = rangedOp(s.op, range, fraction: nil, g, compensateShear: isFixed, &notes)
    if s.randomSign && !(range.lowerBound == 0 && range.upperBound == 0) {
      let negative = rangedOp(s.op, (-range.upperBound)...(-range.lowerBound), fraction: nil, g,
                              compensateShear: isFixed, &notes)
      return oneOf([positive, negative], p: s.probability)
    }
    return withP(positive, s.probability)
  }

  // MARK: Single transforms

  func fillValue(_ g: Geometry) -> Any {
    g.fill.count == 1 ? Double(g.fill[0]) as Any : g.fill.map { Double($0) } as Any
  }

  func affine(rotate: ClosedRange<Double> = 0...0, shear: (x: ClosedRange<Double>, y: ClosedRange<Double>) = (0...0, 0...0),
              translatePercent: (x: ClosedRange<Double>, y: ClosedRange<Double>)? = nil,
              translatePx: (x: ClosedRange<Int>, y: ClosedRange<Int>)? = nil, _ g: Geometry) -> Node {
    func pair<T>(_ r: ClosedRange<T>) -> [T] { [r.lowerBound, r.upperBound] }
    var node: Node = ["__class_fullname__": "Affine", "p": 1.0, "rotate": pair(rotate),
                      "shear": ["x": pair(shear.x), "y": pair(shear.y)], "scale": ["x": [1.0, 1.0], "y": [1.0, 1.0]],
                      "interpolation": g.interpolation == .nearest ? 0 : 1, "border_mode": 0, "fill": fillValue(g)]
    if let t = translatePercent { node["translate_percent"] = ["x": pair(t.x), "y": pair(t.y)] }
    if let t = translatePx { node["translate_px"] = ["x": pair(t.x), "y": pair(t.y)] }
    return node
  }

  func colorJitter(brightness: ClosedRange<Double> = 1...1, contrast: ClosedRange<Double> = 1...1,
                   saturation: ClosedRange<Double> = 1...1) -> Node {
    ["__class_fullname__": "ColorJitter", "p": 1.0, "brightness": [brightness.lowerBound, brightness.upperBound],
     "contrast": [contrast.lowerBound, contrast.upperBound], "saturation": [saturation.lowerBound, saturation.upperBound],
     "hue": [0.0, 0.0]]
  }

  static var noOp: Node { ["__class_fullname__": "NoOp", "p": 1.0] }

  /// One transform with its argument uniform in `r` (op units), or in `fraction` of the image size.
  func rangedOp(_ op: OpName, _ r: ClosedRange<Double>, fraction: ClosedRange<Double>?, _ g: Geometry,
                compensateShear: Bool, _ notes: inout Notes) -> Node {
    func degrees(_ s: Double) -> Double { atan(s) * 180 / .pi }
    func ints(_ r: ClosedRange<Double>) -> ClosedRange<Int> { Int(r.lowerBound.rounded())...Int(r.upperBound.rounded()) }
    switch op {
    case .identity, .samplePairing, .solarizeAdd:
      if op == .samplePairing { notes.add("SamplePairing (blending with another image of the batch) has no albumentations transform; written as NoOp") }
      if op == .solarizeAdd { notes.add("SolarizeAdd (adding to pixels below 128) has no albumentations transform; written as NoOp") }
      return AlbumentationsExporter.noOp
    case .shearX, .shearY:
      let d = degrees(r.lowerBound)...degrees(r.upperBound)
      var shift: ClosedRange<Double>? = nil
      if compensateShear && r.lowerBound == r.upperBound {
        // albumentations shears about the centre; Pillow about the top-left corner. Shift back by half the shear.
        shift = (-r.lowerBound / 2)...(-r.lowerBound / 2)
        notes.add("Pillow shears about the top-left corner, albumentations about the centre; the export shifts back by half the shear, exact for square images up to whole-pixel rounding of the shift")
      }
      if op == .shearX {
        return affine(shear: (d, 0...0), translatePercent: shift.map { ($0, 0...0) }, g)
      }
      return affine(shear: (0...0, d), translatePercent: shift.map { (0...0, $0) }, g)
    case .translateX, .translateY:
      // Pillow's TranslateX(t) samples x + t: the content moves left, albumentations' positive shift moves it right.
      if let f = fraction {
        let neg = (-f.upperBound)...(-f.lowerBound)
        notes.add("torchvision-style translate (a fraction of the image size, truncated to whole pixels) is written as translate_percent, which albumentations rounds instead of truncating")
        return affine(translatePercent: op == .translateX ? (neg, 0...0) : (0...0, neg), g)
      }
      if r.lowerBound != r.lowerBound.rounded() || r.upperBound != r.upperBound.rounded() {
        notes.add("fractional translations are rounded to whole pixels (translate_px)")
      }
      let neg = ints((-r.upperBound)...(-r.lowerBound))
      return affine(translatePx: op == .translateX ? (neg, 0...0) : (0...0, neg), g)
    case .rotate:
      return affine(rotate: r, g)
    case .autoContrast:
      return ["__class_fullname__": "AutoContrast", "p": 1.0, "cutoff": 0, "method": "pil"]
    case .invert:
      return ["__class_fullname__": "InvertImg", "p": 1.0]
    case .equalize:
      return ["__class_fullname__": "Equalize", "p": 1.0, "mode": "pil", "by_channels": true]
    case .solarize:
      if r.upperBound > 255 { notes.add("a Solarize threshold of 256 (no pixel inverted) becomes 255 in albumentations, which inverts pixels equal to 255") }
      let lo = min(max(r.lowerBound / 255, 0), 1), hi = min(max(r.upperBound / 255, 0), 1)
      return ["__class_fullname__": "Solarize", "p": 1.0, "threshold_range": [lo, hi]]
    case .posterize:
      let bits = ints(r)
      let lo = min(max(bits.lowerBound, 1), 8), hi = min(max(bits.upperBound, 1), 8)
      if bits.lowerBound < 1 { notes.add("Posterize to 0 bits (a black image) is not accepted by albumentations; written as 1 bit") }
      return ["__class_fullname__": "Posterize", "p": 1.0, "num_bits": lo == hi ? [lo, lo] : [lo, hi]]
    case .contrast:
      return colorJitter(contrast: max(r.lowerBound, 0)...max(r.upperBound, 0))
    case .color:
      return colorJitter(saturation: max(r.lowerBound, 0)...max(r.upperBound, 0))
    case .brightness:
      return colorJitter(brightness: max(r.lowerBound, 0)...max(r.upperBound, 0))
    case .sharpness:
      // Pillow: blur + f·(x − blur) with the 3×3 SMOOTH kernel = x + (f − 1)(8x − Σneighbours)/13, which is
      // albumentations' Sharpen kernel with lightness 1 and alpha (f − 1)/13; blurring (f < 1) has no equivalent.
      if r.lowerBound < 1 { notes.add("Sharpness below 1 (Pillow blurs towards its SMOOTH filter) has no albumentations equivalent; those factors are clamped to 1") }
      let lo = (max(r.lowerBound, 1) - 1) / 13, hi = min((max(r.upperBound, 1) - 1) / 13, 1)
      return ["__class_fullname__": "Sharpen", "p": 1.0, "alpha": [lo, hi], "lightness": [1.0, 1.0], "method": "kernel"]
    case .cutout:
      notes.add("Cutout's square is centred anywhere and clipped at the border in Tessera; CoarseDropout keeps its hole inside the image")
      let size: [Any]
      if let f = fraction { size = [f.lowerBound, f.upperBound] } else {
        let s = ints(r)
        if s.upperBound <= 0 { return AlbumentationsExporter.noOp }
        size = [max(s.lowerBound, 1), max(s.upperBound, 1)]
      }
      return ["__class_fullname__": "CoarseDropout", "p": 1.0, "num_holes_range": [1, 1], "hole_height_range": size,
              "hole_width_range": size, "fill": fillValue(g)]
    case .flipHorizontal:
      return ["__class_fullname__": "HorizontalFlip", "p": 1.0]
    case .flipVertical:
      return ["__class_fullname__": "VerticalFlip", "p": 1.0]
    case .padCrop, .randomErasing, .resize:
      return AlbumentationsExporter.noOp
    }
  }
}
