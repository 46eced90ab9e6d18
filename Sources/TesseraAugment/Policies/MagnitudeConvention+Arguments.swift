/// Turning (op, magnitude) into a fully parameterised `AppliedOp`.
extension MagnitudeConvention {
  /// What the op needs to know about the image and the batch.
  public struct Target: Sendable, Hashable {
    public var width: Int
    public var height: Int
    public var channels: Int
    /// How many partner images SamplePairing may choose from.
    public var partnerCount: Int

    public init(width: Int, height: Int, channels: Int, partnerCount: Int = 0) {
      self.width = width
      self.height = height
      self.channels = channels
      self.partnerCount = partnerCount
    }
  }

  /// Samples the op's random parts (sign, Cutout centre, SamplePairing partner) and computes its argument.
  /// Random draws happen in a fixed order (sign first, then positions), so records replay identically.
  public func makeOp(_ op: OpName, magnitude: Double, geometry: Geometry, target: Target,
                     using rng: inout some RandomNumberGenerator) -> AppliedOp {
    let signed = isSigned(op)
    let negate = signed ? rng.nextBool(probability: 0.5) : false
    let a = argument(op, magnitude: magnitude, target: target)
    let v = negate ? -a : a
    switch op {
    case .identity: return .identity
    case .shearX: return .shearX(factor: v, geometry: geometry)
    case .shearY: return .shearY(factor: v, geometry: geometry)
    case .translateX: return .translateX(pixels: v, geometry: geometry)
    case .translateY: return .translateY(pixels: v, geometry: geometry)
    case .rotate: return .rotate(degrees: v, geometry: geometry)
    case .autoContrast: return .autoContrast
    case .invert: return .invert
    case .equalize: return .equalize
    case .solarize: return .solarize(threshold: v)
    case .solarizeAdd: return .solarizeAdd(addition: Int(v), threshold: 128)
    case .posterize: return .posterize(bits: Int(v))
    case .contrast: return .contrast(factor: enhanceFactor(v))
    case .color: return .color(factor: enhanceFactor(v))
    case .brightness: return .brightness(factor: enhanceFactor(v))
    case .sharpness: return .sharpness(factor: enhanceFactor(v))
    case .cutout:
      let cx = rng.nextInt(below: max(target.width, 1)), cy = rng.nextInt(below: max(target.height, 1))
      let box = Dropout.cutoutBox(centerX: cx, centerY: cy, size: Int(v), width: target.width, height: target.height)
      return .cutout(box: box, fill: geometry.fill)
    case .samplePairing:
      guard target.partnerCount > 0 else { return .identity }
      return .samplePairing(partner: rng.nextInt(below: target.partnerCount), alpha: v)
    case .flipHorizontal: return .flipHorizontal
    case .flipVertical: return .flipVertical
    case .padCrop, .randomErasing, .resize:
      // Not magnitude ops: policy validation rejects them before sampling gets here.
      return .identity
    }
  }

  /// Enhance ops: torchvision stores the signed offset m and applies 1 + m; the TF conventions store the factor.
  private func enhanceFactor(_ v: Double) -> Double {
    if case .torchvision = self { return 1.0 + v }
    return v
  }

  /// Whether the convention negates this op's argument with probability ½.
  public func isSigned(_ op: OpName) -> Bool {
    switch op {
    case .shearX, .shearY, .translateX, .translateY, .rotate: return true
    case .contrast, .color, .brightness, .sharpness:
      if case .torchvision = self { return true }
      return false
    default: return false
    }
  }

  /// The unsigned argument for `magnitude` (for enhance ops under torchvision: the offset from 1).
  public func argument(_ op: OpName, magnitude m: Double, target: Target) -> Double {
    switch self {
    case let .torchvision(bins, ranges):
      return torchvisionArgument(op, bin: m, bins: bins, ranges: ranges, target: target)
    case let .tfLevel(translatePixels, cutoutPixels):
      let f = m / 10
      switch op {
      case .shearX, .shearY: return f * 0.3
      case .translateX, .translateY: return f * translatePixels
      case .rotate: return f * 30
      case .contrast, .color, .brightness, .sharpness: return f * 1.8 + 0.1
      case .posterize: return Double(Int(f * 4))
      case .solarize: return Double(Int(f * 256))
      case .solarizeAdd: return Double(Int(f * 110))
      case .cutout: return Double(Int(f * cutoutPixels))
      case .samplePairing: return f * 0.4
      default: return 0
      }
    case .aaOriginal:
      // float_parameter(level, max) = level·max/10; int_parameter truncates (augmentation_transforms.py).
      func float(_ max: Double) -> Double { m * max / 10 }
      func int(_ max: Double) -> Double { Double(Int(m * max / 10)) }
      switch op {
      case .shearX, .shearY: return float(0.3)
      case .translateX, .translateY: return int(10)
      case .rotate: return int(30)
      case .contrast, .color, .brightness, .sharpness: return float(1.8) + 0.1
      case .posterize: return 4 - int(4)
      case .solarize: return 256 - int(256)
      case .solarizeAdd: return int(110)
      case .cutout: return int(20)
      case .samplePairing: return float(0.4)
      default: return 0
      }
    }
  }

  private func torchvisionArgument(_ op: OpName, bin k: Double, bins n: Int, ranges: TorchvisionRanges,
                                   target: Target) -> Double {
    let w = Double(target.width), h = Double(target.height)
    let size = Double(min(target.width, target.height))
    func lin(_ start: Double, _ end: Double) -> Double { MagnitudeConvention.linspace(start, end, n, k) }
    switch (op, ranges) {
    case (.shearX, .wide), (.shearY, .wide): return lin(0, 0.99)
    case (.shearX, _), (.shearY, _): return lin(0, 0.3)
    case (.translateX, .standard): return Double(Int(lin(0, 150.0 / 331.0 * w)))
    case (.translateY, .standard): return Double(Int(lin(0, 150.0 / 331.0 * h)))
    case (.translateX, .wide), (.translateY, .wide): return Double(Int(lin(0, 32)))
    case (.translateX, .augMix): return Double(Int(lin(0, w / 3.0)))
    case (.translateY, .augMix): return Double(Int(lin(0, h / 3.0)))
    case (.rotate, .wide): return lin(0, 135)
    case (.rotate, _): return lin(0, 30)
    case (.contrast, .wide), (.color, .wide), (.brightness, .wide), (.sharpness, .wide): return lin(0, 0.99)
    case (.contrast, _), (.color, _), (.brightness, _), (.sharpness, _): return lin(0, 0.9)
    case (.posterize, .standard): return 8 - MagnitudeConvention.roundedBinRatio(k, Double(n - 1) / 4)
    case (.posterize, .wide): return 8 - MagnitudeConvention.roundedBinRatio(k, Double(n - 1) / 6)
    case (.posterize, .augMix): return 4 - MagnitudeConvention.roundedBinRatio(k, Double(n - 1) / 4)
    case (.solarize, .augMix): return 255.0 * lin(1, 0)
    case (.solarize, _): return lin(255, 0)
    case (.solarizeAdd, _): return Double(Int(lin(0, 110)))
    case (.cutout, .wide): return Double(Int(lin(0, 0.6 * size)))
    case (.cutout, _): return Double(Int(lin(0, 60.0 / 331.0 * size)))
    case (.samplePairing, _): return lin(0, 0.4)
    default: return 0
    }
  }

  /// `torch.linspace(start, end, n)[k]` in float32 (torch's scalar kernel: from the start for the first half,
  /// from the end for the second). A fractional k (UniformAugment) interpolates in double.
  public static func linspace(_ start: Double, _ end: Double, _ n: Int, _ k: Double) -> Double {
    if n <= 1 { return start }
    guard k == k.rounded(), k >= 0, k <= Double(n - 1) else {
      return start + (end - start) * k / Double(n - 1)
    }
    let s = Float(start), e = Float(end)
    let step = (e - s) / Float(n - 1)
    let i = Int(k)
    let v: Float = i < n / 2 ? s + step * Float(i) : e - step * Float(n - i - 1)
    return Double(v)
  }

  /// `(torch.arange(n) / d).round()` for one element: float32 division, round half to even.
  static func roundedBinRatio(_ k: Double, _ d: Double) -> Double {
    Double((Float(k) / Float(d)).rounded(.toNearestOrEven))
  }
}
