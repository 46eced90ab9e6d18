/// One op with every parameter fixed: what a policy sampled for one image, and all that is needed to replay it.
///
/// Sampling (policies, `MagnitudeConvention`) produces these from a seeded generator; `apply(to:partners:)` then
/// runs the pure pixel functions, so a recorded list of `AppliedOp`s reproduces the same bytes without the
/// generator. The Codable form is documented in docs/POLICY.md ("Applied-op records").
public indirect enum AppliedOp: Sendable, Hashable {
  case identity
  /// Pillow affine (1, factor, 0, 0, 1, 0).
  case shearX(factor: Double, geometry: Geometry)
  /// Pillow affine (1, 0, 0, factor, 1, 0).
  case shearY(factor: Double, geometry: Geometry)
  /// Pillow affine (1, 0, pixels, 0, 1, 0): output x shows input x + pixels.
  case translateX(pixels: Double, geometry: Geometry)
  /// Pillow affine (1, 0, 0, 0, 1, pixels).
  case translateY(pixels: Double, geometry: Geometry)
  /// Counter-clockwise, about the image centre (`Image.rotate`).
  case rotate(degrees: Double, geometry: Geometry)
  case autoContrast
  case invert
  case equalize
  case solarize(threshold: Double)
  case solarizeAdd(addition: Int, threshold: Int)
  /// Bits kept, 0...8.
  case posterize(bits: Int)
  case contrast(factor: Double)
  case color(factor: Double)
  case brightness(factor: Double)
  case sharpness(factor: Double)
  case cutout(box: Box, fill: [UInt8])
  /// `Image.blend(image, partners[partner], alpha)`.
  case samplePairing(partner: Int, alpha: Double)
  case flipHorizontal
  case flipVertical
  /// Pad by `padding`, crop the original size at (x, y) of the padded image.
  case padCrop(padding: Int, x: Int, y: Int, fill: [UInt8])
  case erase(box: Box, fill: [UInt8])
  case resize(width: Int, height: Int, interpolation: Interpolation)
  /// AugMix: originalWeight·image + Σ weight·chain(image), each chain a list of ops applied in order.
  case augMix(originalWeight: Double, chains: [WeightedChain])

  /// One AugMix chain and its weight in the mixture.
  public struct WeightedChain: Sendable, Hashable, Codable {
    public var weight: Double
    public var ops: [AppliedOp]
    public init(weight: Double, ops: [AppliedOp]) {
      self.weight = weight
      self.ops = ops
    }
  }

  /// The op's name as in policy files ("AugMix" for a mixture).
  public var name: String {
    switch self {
    case .identity: return OpName.identity.rawValue
    case .shearX: return OpName.shearX.rawValue
    case .shearY: return OpName.shearY.rawValue
    case .translateX: return OpName.translateX.rawValue
    case .translateY: return OpName.translateY.rawValue
    case .rotate: return OpName.rotate.rawValue
    case .autoContrast: return OpName.autoContrast.rawValue
    case .invert: return OpName.invert.rawValue
    case .equalize: return OpName.equalize.rawValue
    case .solarize: return OpName.solarize.rawValue
    case .solarizeAdd: return OpName.solarizeAdd.rawValue
    case .posterize: return OpName.posterize.rawValue
    case .contrast: return OpName.contrast.rawValue
    case .color: return OpName.color.rawValue
    case .brightness: return OpName.brightness.rawValue
    case .sharpness: return OpName.sharpness.rawValue
    case .cutout: return OpName.cutout.rawValue
    case .samplePairing: return OpName.samplePairing.rawValue
    case .flipHorizontal: return OpName.flipHorizontal.rawValue
    case .flipVertical: return OpName.flipVertical.rawValue
    case .padCrop: return OpName.padCrop.rawValue
    case .erase: return OpName.randomErasing.rawValue
    case .resize: return OpName.resize.rawValue
    case .augMix: return "AugMix"
    }
  }
}
