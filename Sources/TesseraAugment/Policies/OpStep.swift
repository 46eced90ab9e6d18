#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// A leaf of a plain pipeline: one op with its argument given directly in the op's own units (degrees, factor,
/// pixels, bits, threshold, alpha), either fixed (`value`) or drawn uniformly from `range` per image.
///
/// Integer-valued arguments (Posterize bits, SolarizeAdd addition, Cutout size, PadCrop padding) draw a whole
/// number uniformly from the closed range. `randomSign` negates the argument with probability ½.
public struct OpStep: Sendable, Hashable {
  public var op: OpName
  public var probability: Double
  public var value: Double?
  public var range: ClosedRange<Double>?
  public var randomSign: Bool
  /// RandomErasing: fraction of the area and aspect-ratio range (torchvision defaults (0.02, 0.33), (0.3, 3.3)).
  public var scale: ClosedRange<Double>?
  public var ratio: ClosedRange<Double>?
  /// Resize: output size.
  public var width: Int?
  public var height: Int?

  public init(_ op: OpName, probability: Double = 1, value: Double? = nil, range: ClosedRange<Double>? = nil,
              randomSign: Bool = false, scale: ClosedRange<Double>? = nil, ratio: ClosedRange<Double>? = nil,
              width: Int? = nil, height: Int? = nil) {
    self.op = op
    self.probability = probability
    self.value = value
    self.range = range
    self.randomSign = randomSign
    self.scale = scale
    self.ratio = ratio
    self.width = width
    self.height = height
  }

  static let integerArgumentOps: Set<OpName> = [.posterize, .solarizeAdd, .cutout, .padCrop]

  /// Samples this step for one image (the probability has already been decided by the caller).
  public func makeOp(geometry: Geometry, target: MagnitudeConvention.Target,
                     using rng: inout some RandomNumberGenerator) -> AppliedOp {
    var v = value ?? 0
    if let range {
      if OpStep.integerArgumentOps.contains(op) {
        let lo = Int(range.lowerBound.rounded(.up)), hi = Int(range.upperBound.rounded(.down))
        v = Double(hi >= lo ? rng.nextInt(in: lo...hi) : lo)
      } else {
        v = rng.nextDouble(in: range.lowerBound, range.upperBound)
      }
    }
    if randomSign && rng.nextBool(probability: 0.5) { v = -v }
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
    case .contrast: return .contrast(factor: v)
    case .color: return .color(factor: v)
    case .brightness: return .brightness(factor: v)
    case .sharpness: return .sharpness(factor: v)
    case .cutout:
      let cx = rng.nextInt(below: max(target.width, 1)), cy = rng.nextInt(below: max(target.height, 1))
      let box = Dropout.cutoutBox(centerX: cx, centerY: cy, size: Int(v), width: target.width, height: target.height)
      return .cutout(box: box, fill: geometry.fill)
    case .samplePairing:
      guard target.partnerCount > 0 else { return .identity }
      return .samplePairing(partner: rng.nextInt(below: target.partnerCount), alpha: v)
    case .flipHorizontal: return .flipHorizontal
    case .flipVertical: return .flipVertical
    case .padCrop:
      let p = max(Int(v), 0)
      return .padCrop(padding: p, x: rng.nextInt(in: 0...(2 * p)), y: rng.nextInt(in: 0...(2 * p)),
                      fill: geometry.fill)
    case .randomErasing:
      guard let box = OpStep.erasingBox(width: target.width, height: target.height,
                                        scale: scale ?? 0.02...0.33, ratio: ratio ?? 0.3...3.3, using: &rng)
      else { return .identity }
      return .erase(box: box, fill: geometry.fill)
    case .resize:
      return .resize(width: width ?? target.width, height: height ?? target.height,
                     interpolation: geometry.interpolation)
    }
  }

  /// torchvision `RandomErasing.get_params`: up to 10 tries of area ~ U(scale)·area, log-ratio ~ U(log ratio),
  /// h = round(√(a·r)), w = round(√(a/r)); the first box that fits strictly inside wins, else nothing is erased.
  public static func erasingBox(width: Int, height: Int, scale: ClosedRange<Double>, ratio: ClosedRange<Double>,
                                using rng: inout some RandomNumberGenerator) -> Box? {
    let area = Double(width * height)
    let logLo = log(ratio.lowerBound), logHi = log(ratio.upperBound)
    for _ in 0..<10 {
      let eraseArea = area * rng.nextDouble(in: scale.lowerBound, scale.upperBound)
      let aspect = exp(rng.nextDouble(in: logLo, logHi))
      // Python's round() is half-to-even.
      let h = Int((eraseArea * aspect).squareRoot().rounded(.toNearestOrEven))
      let w = Int((eraseArea / aspect).squareRoot().rounded(.toNearestOrEven))
      guard h < height && w < width else { continue }
      let y = rng.nextInt(in: 0...(height - h)), x = rng.nextInt(in: 0...(width - w))
      return Box(x: x, y: y, width: w, height: h)
    }
    return nil
  }
}
