import TesseraImage

extension AppliedOp {
  /// Runs the op's pure pixel function. `partners` are the images SamplePairing may blend with (usually the other
  /// images of the batch); a SamplePairing whose partner is missing or of another shape leaves the image unchanged.
  public func apply(to image: Image, partners: [Image] = []) -> Image {
    switch self {
    case .identity: return image
    case let .shearX(factor, geometry): return Geometric.shearX(image, factor: factor, geometry: geometry)
    case let .shearY(factor, geometry): return Geometric.shearY(image, factor: factor, geometry: geometry)
    case let .translateX(pixels, geometry): return Geometric.translateX(image, pixels: pixels, geometry: geometry)
    case let .translateY(pixels, geometry): return Geometric.translateY(image, pixels: pixels, geometry: geometry)
    case let .rotate(degrees, geometry): return Geometric.rotate(image, degrees: degrees, geometry: geometry)
    case .autoContrast: return Pixel.autoContrast(image)
    case .invert: return Pixel.invert(image)
    case .equalize: return Pixel.equalize(image)
    case let .solarize(threshold): return Pixel.solarize(image, threshold: threshold)
    case let .solarizeAdd(addition, threshold):
      return Pixel.solarizeAdd(image, addition: addition, threshold: threshold)
    case let .posterize(bits): return Pixel.posterize(image, bits: bits)
    case let .contrast(factor): return Enhance.contrast(image, factor: factor)
    case let .color(factor): return Enhance.color(image, factor: factor)
    case let .brightness(factor): return Enhance.brightness(image, factor: factor)
    case let .sharpness(factor): return Enhance.sharpness(image, factor: factor)
    case let .cutout(box, fill): return Dropout.fillBox(image, box: box, fill: fill)
    case let .erase(box, fill): return Dropout.fillBox(image, box: box, fill: fill)
    case let .samplePairing(partner, alpha):
      guard partners.indices.contains(partner) else { return image }
      let other = partners[partner]
      guard other.width == image.width, other.height == image.height, other.channels == image.channels else {
        return image
      }
      return Mixing.blend(image, other, alpha: alpha)
    case .flipHorizontal: return Geometric.flipHorizontal(image)
    case .flipVertical: return Geometric.flipVertical(image)
    case let .padCrop(padding, x, y, fill): return Crop.padCrop(image, padding: padding, x: x, y: y, fill: fill)
    case let .resize(width, height, interpolation):
      return Crop.resize(image, width: width, height: height, interpolation: interpolation)
    case let .augMix(originalWeight, chains):
      var images = [image]
      var weights = [originalWeight]
      for chain in chains {
        images.append(chain.ops.apply(to: image, partners: partners))
        weights.append(chain.weight)
      }
      // A chain may resize; mixing then falls back to the unmixed original rather than failing.
      guard images.allSatisfy({ $0.width == image.width && $0.height == image.height }) else { return image }
      return Mixing.weightedSum(images, weights: weights)
    }
  }
}

extension Array where Element == AppliedOp {
  /// Applies the ops in order.
  public func apply(to image: Image, partners: [Image] = []) -> Image {
    reduce(image) { $1.apply(to: $0, partners: partners) }
  }
}
