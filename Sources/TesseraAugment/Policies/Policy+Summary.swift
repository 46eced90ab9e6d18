/// A readable, multi-line description of a policy (what `tessera policy show` prints).
extension PolicyFile {
  public var summary: String {
    var lines = ["\(name) (format \(format), \(policy.kind))"]
    if let description { lines.append("  \(description)") }
    lines += policy.summaryLines.map { "  " + $0 }
    if let p = provenance {
      var parts: [String] = []
      if let s = p.source { parts.append("source: \(s)") }
      if let d = p.datasetVersion { parts.append("dataset version: \(d)") }
      if let s = p.searchId { parts.append("search: \(s)") }
      if let m = p.metric { parts.append("\(m)" + (p.value.map { " = \($0)" } ?? "")) }
      if !parts.isEmpty { lines.append("  provenance: " + parts.joined(separator: "; ")) }
    }
    return lines.joined(separator: "\n")
  }
}

extension Policy {
  var summaryLines: [String] {
    func geometryLine(_ g: Geometry) -> String {
      "geometry: \(g.interpolation.rawValue), fill \(g.fill.map(String.init).joined(separator: ","))"
    }
    switch self {
    case let .autoAugment(p):
      var lines = ["magnitude: \(p.magnitude.summary)", geometryLine(p.geometry),
                   "\(p.subPolicies.count) sub-policies (one drawn per image; each op applied with probability p):"]
      for (i, sub) in p.subPolicies.enumerated() {
        let ops = sub.map { op -> String in
          let m = op.magnitude.map { ", m=\($0.formatted)" } ?? ""
          return "\(op.op.rawValue)(p=\(op.probability.formatted)\(m))"
        }
        let number = String(i)
        lines.append(String(repeating: " ", count: max(0, 3 - number.count)) + number + "  " + ops.joined(separator: " → "))
      }
      return lines
    case let .randAugment(p):
      return ["magnitude: \(p.magnitude.summary)", geometryLine(p.geometry),
              "N = \(p.numOps) ops per image (with replacement), M = \(p.level.formatted), p = \(p.probability.formatted)",
              "ops: " + p.ops.map(\.rawValue).joined(separator: ", ")]
    case let .trivialAugment(p):
      return ["magnitude: \(p.magnitude.summary)", geometryLine(p.geometry),
              "1 op per image at a uniformly drawn magnitude",
              "ops: " + p.ops.map(\.rawValue).joined(separator: ", ")]
    case let .augMix(p):
      let depth = p.depth > 0 ? "\(p.depth)" : "1-3 (random)"
      return ["magnitude: \(p.magnitude.summary)", geometryLine(p.geometry),
              "severity \(p.severity), width \(p.width), depth \(depth), alpha \(p.alpha.formatted)",
              "ops: " + p.ops.map(\.rawValue).joined(separator: ", ")]
    case let .uniformAugment(p):
      return ["magnitude: \(p.magnitude.summary)", geometryLine(p.geometry),
              "\(p.numOps) ops per image, each with p ~ U(0,1) and a uniform magnitude",
              "ops: " + p.ops.map(\.rawValue).joined(separator: ", ")]
    case let .pipeline(p):
      return [geometryLine(p.geometry)] + p.root.summaryLines(indent: 0)
    }
  }
}

extension MagnitudeConvention {
  var summary: String {
    switch self {
    case let .torchvision(bins, ranges): return "torchvision-bins, \(bins) bins, \(ranges.rawValue) ranges"
    case let .tfLevel(t, c): return "tf-level (level/10), translate \(t.formatted) px, cutout \(c.formatted) px"
    case .aaOriginal: return "aa-original (released AutoAugment CIFAR code)"
    }
  }
}

extension PipelineNode {
  func summaryLines(indent: Int) -> [String] {
    let pad = String(repeating: "  ", count: indent)
    func p(_ v: Double) -> String { v == 1 ? "" : " (p=\(v.formatted))" }
    switch self {
    case let .sequence(children, prob):
      return ["\(pad)sequence\(p(prob)):"] + children.flatMap { $0.summaryLines(indent: indent + 1) }
    case let .oneOf(children, weights, prob):
      let w = weights.map { " weights " + $0.map(\.formatted).joined(separator: ",") } ?? ""
      return ["\(pad)one of\(w)\(p(prob)):"] + children.flatMap { $0.summaryLines(indent: indent + 1) }
    case let .someOf(children, count, prob):
      return ["\(pad)\(count) of\(p(prob)):"] + children.flatMap { $0.summaryLines(indent: indent + 1) }
    case let .op(step):
      var arg = ""
      if let v = step.value { arg = " \(v.formatted)" }
      if let r = step.range { arg = " [\(r.lowerBound.formatted), \(r.upperBound.formatted)]" }
      if step.randomSign { arg += " ±" }
      if let w = step.width, let h = step.height { arg = " \(w)x\(h)" }
      return ["\(pad)\(step.op.rawValue)\(arg)\(p(step.probability))"]
    }
  }
}
