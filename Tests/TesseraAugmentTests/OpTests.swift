import Testing
import TesseraImage
@testable import TesseraAugment

struct OpTests {
  let rgb = TestImages.gradient(width: 9, height: 7, channels: 3)
  let rgba = TestImages.gradient(width: 6, height: 5, channels: 4)

  @Test func flipsAndQuarterTurnsCompose() {
    #expect(Geometric.flipHorizontal(Geometric.flipHorizontal(rgb)) == rgb)
    #expect(Geometric.flipVertical(Geometric.flipVertical(rgb)) == rgb)
    #expect(Geometric.rotate180(rgb) == Geometric.flipHorizontal(Geometric.flipVertical(rgb)))
    let r = Geometric.rotate90(rgb)
    #expect(r.width == 7 && r.height == 9)
    #expect(Geometric.rotate270(r) == rgb)
    #expect(Geometric.rotate(rgb, degrees: 360, geometry: .pillowDefault) == rgb)
  }

  @Test func cutoutAndPadCropPaintTheFill() {
    let box = Dropout.cutoutBox(centerX: 1, centerY: 1, size: 4, width: 9, height: 7)
    #expect(box == Box(x: 0, y: 0, width: 3, height: 3))
    let cut = Dropout.fillBox(rgb, box: box, fill: [1, 2, 3])
    #expect(Array(cut.pixels[0..<3]) == [1, 2, 3])
    #expect(cut[3, 0, 0] == rgb[3, 0, 0])
    // Crop at (0, 0) of the 2-padded image shifts content by 2 right and down.
    let shifted = Crop.padCrop(rgb, padding: 2, x: 0, y: 0, fill: [9])
    #expect(shifted[2, 2, 1] == rgb[0, 0, 1])
    #expect(shifted[1, 5, 2] == 9)
    #expect(Crop.padCrop(rgb, padding: 2, x: 2, y: 2, fill: [0]) == rgb)
  }

  @Test func randomErasingBoxesFitAndFollowTheScale() {
    var rng = SplitMix64(seed: 2)
    for _ in 0..<200 {
      guard let box = OpStep.erasingBox(width: 28, height: 28, scale: 0.02...0.33, ratio: 0.3...3.3, using: &rng)
      else { continue }
      #expect(box.clipped(width: 28, height: 28) == box)
      #expect(box.width < 28 && box.height < 28)
      #expect(Double(box.area) <= 0.33 * 784 * 1.3)
    }
  }

  @Test func alphaIsCarriedThrough() {
    let alpha = stride(from: 3, to: rgba.pixels.count, by: 4).map { rgba.pixels[$0] }
    for op: AppliedOp in [.invert, .equalize, .autoContrast, .posterize(bits: 2), .solarize(threshold: 100),
                          .contrast(factor: 1.6), .color(factor: 0.3), .brightness(factor: 1.4),
                          .sharpness(factor: 1.9)] {
      let out = op.apply(to: rgba)
      #expect(stride(from: 3, to: out.pixels.count, by: 4).map { out.pixels[$0] } == alpha, "\(op.name)")
    }
  }

  @Test func posterizeZeroBitsIsBlackAndEightIsIdentity() {
    #expect(Pixel.posterize(rgb, bits: 0).pixels.allSatisfy { $0 == 0 })
    #expect(Pixel.posterize(rgb, bits: 8) == rgb)
  }

  @Test func samplePairingNeedsAMatchingPartner() {
    let other = Pixel.invert(rgb)
    #expect(AppliedOp.samplePairing(partner: 0, alpha: 0.4).apply(to: rgb, partners: [other])
              == Mixing.blend(rgb, other, alpha: 0.4))
    #expect(AppliedOp.samplePairing(partner: 3, alpha: 0.4).apply(to: rgb, partners: [other]) == rgb)
  }

  @Test func policyOpStepsSampleIntegersFromRanges() {
    var rng = SplitMix64(seed: 6)
    var seen = Set<Int>()
    for _ in 0..<200 {
      if case let .posterize(bits) = OpStep(.posterize, range: 4...8).makeOp(
        geometry: .pillowDefault, target: .init(width: 4, height: 4, channels: 1), using: &rng) {
        seen.insert(bits)
      }
    }
    #expect(seen == [4, 5, 6, 7, 8])
  }

  /// The C kernels (compiled per vector width) against plain definitions: every channel count, odd and even
  /// widths, sizes that leave a partial vector at the end.
  @Test(arguments: [1, 3, 4], [1, 7, 8, 33, 130])
  func flipsMirrorEveryRow(channels: Int, width: Int) {
    let image = TestImages.gradient(width: width, height: 3, channels: channels, seed: 4)
    let flipped = Geometric.flipHorizontal(image)
    for y in 0..<3 {
      for x in 0..<width {
        for k in 0..<channels { #expect(flipped[x, y, k] == image[width - 1 - x, y, k]) }
      }
    }
  }

  @Test(arguments: [3, 4], [1, 5, 67, 1000])
  func colorAndLumaKernelsMatchTheirDefinition(channels: Int, width: Int) {
    let image = TestImages.gradient(width: width, height: 2, channels: channels, seed: 9)
    var lumaSum = 0
    for alpha: Float in [0, 0.3, 1.7, -0.5] {
      let out = Enhance.color(image, factor: Double(alpha))
      for y in 0..<2 {
        for x in 0..<width {
          let l = Int(pillowLuma(image[x, y, 0], image[x, y, 1], image[x, y, 2]))
          if alpha == 0 { lumaSum += l }
          for k in 0..<3 { #expect(out[x, y, k] == Enhance.blendSample(UInt8(l), image[x, y, k], alpha)) }
          if channels == 4 { #expect(out[x, y, 3] == image[x, y, 3]) }
        }
      }
    }
    #expect(Enhance.lumaMean(image) == Double(lumaSum) / Double(width * 2))
  }

  @Test(arguments: [1, 63, 64, 65, 1000])
  func lookupTablesMapEveryByte(count: Int) {
    let image = TestImages.gradient(width: count, height: 1, channels: 1, seed: 2)
    let table = (0..<256).map { UInt8((($0 * 7) ^ 0x5A) & 0xFF) }
    let out = Pixel.applyLookupTables(image, [table])
    #expect(out.pixels == image.pixels.map { table[Int($0)] })
  }

  @Test func fixedPointSpansMatchBruteForce() {
    var rng = SplitMix64(seed: 17)
    for _ in 0..<2000 {
      let count = rng.nextInt(in: 1...40)
      let limit = rng.nextInt(in: 1...40) << 16
      let base = rng.nextInt(in: -(60 << 16)...(60 << 16))
      let step = rng.nextInt(in: -(3 << 16)...(3 << 16))
      let inside = (0..<count).filter { base + $0 * step >= 0 && base + $0 * step < limit }
      let (lo, hi) = Geometric.span(base: base, step: step, limit: limit, count: count)
      #expect(Array(lo..<hi) == inside, "base \(base) step \(step) limit \(limit) count \(count)")
    }
  }
}
