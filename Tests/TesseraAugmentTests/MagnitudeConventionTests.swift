import Testing
@testable import TesseraAugment

struct MagnitudeConventionTests {
  let target = MagnitudeConvention.Target(width: 32, height: 32, channels: 3)

  @Test func torchvisionTenBinsReachTheFullRange() {
    let tv = MagnitudeConvention.torchvisionAutoAugment
    #expect(abs(tv.argument(.shearX, magnitude: 9, target: target) - 0.3) < 1e-7)
    #expect(abs(tv.argument(.rotate, magnitude: 9, target: target) - 30) < 1e-5)
    #expect(abs(tv.argument(.rotate, magnitude: 3, target: target) - 10) < 1e-5)
    // 150/331·32 = 14.5 → int() = 14 px at bin 9.
    #expect(tv.argument(.translateX, magnitude: 9, target: target) == 14)
    let bits = (0..<10).map { Int(tv.argument(.posterize, magnitude: Double($0), target: target)) }
    #expect(bits == [8, 8, 7, 7, 6, 6, 5, 5, 4, 4])
    #expect(tv.argument(.solarize, magnitude: 0, target: target) == 255)
    #expect(tv.argument(.solarize, magnitude: 9, target: target) == 0)
  }

  @Test func torchvisionRandAugmentMagnitudeNineIsNineThirtieths() {
    let ra = MagnitudeConvention.torchvisionRandAugment
    #expect(abs(ra.argument(.shearX, magnitude: 9, target: target) - 0.09) < 1e-7)
    #expect(abs(ra.argument(.rotate, magnitude: 9, target: target) - 9) < 1e-5)
    #expect(abs(ra.argument(.brightness, magnitude: 9, target: target) - 0.27) < 1e-6)
    #expect(abs(ra.argument(.solarize, magnitude: 9, target: target) - 178.5) < 1e-4)
  }

  @Test func wideRangesAndAugMixRanges() {
    let ta = MagnitudeConvention.torchvisionTrivialAugmentWide
    #expect(abs(ta.argument(.shearY, magnitude: 30, target: target) - 0.99) < 1e-6)
    #expect(ta.argument(.translateY, magnitude: 30, target: target) == 32)
    #expect(abs(ta.argument(.rotate, magnitude: 30, target: target) - 135) < 1e-4)
    #expect(ta.argument(.posterize, magnitude: 30, target: target) == 2)
    let am = MagnitudeConvention.torchvisionAugMix
    #expect(am.argument(.posterize, magnitude: 0, target: target) == 4)
    #expect(am.argument(.posterize, magnitude: 9, target: target) == 0)
    #expect(am.argument(.translateX, magnitude: 9, target: target) == 10)  // int(32/3)
  }

  @Test func tfLevelIsLevelOverTen() {
    let tf = MagnitudeConvention.tfAutoAugment
    #expect(abs(tf.argument(.shearX, magnitude: 9, target: target) - 0.27) < 1e-12)
    #expect(abs(tf.argument(.color, magnitude: 5, target: target) - 1.0) < 1e-12)
    #expect(tf.argument(.posterize, magnitude: 9, target: target) == 3)
    #expect(tf.argument(.solarize, magnitude: 9, target: target) == 230)
    #expect(tf.argument(.solarizeAdd, magnitude: 10, target: target) == 110)
    #expect(!tf.isSigned(.contrast) && tf.isSigned(.rotate))
  }

  @Test func aaOriginalFollowsTheReleasedCifarCode() {
    let aa = MagnitudeConvention.aaOriginal
    let bits = (0..<10).map { Int(aa.argument(.posterize, magnitude: Double($0), target: target)) }
    #expect(bits == [4, 4, 4, 3, 3, 2, 2, 2, 1, 1])
    let thresholds = (0..<10).map { Int(aa.argument(.solarize, magnitude: Double($0), target: target)) }
    #expect(thresholds == [256, 231, 205, 180, 154, 128, 103, 77, 52, 26])
    #expect(aa.argument(.rotate, magnitude: 9, target: target) == 27)
    #expect(aa.argument(.translateX, magnitude: 9, target: target) == 9)
    #expect(aa.argument(.cutout, magnitude: 8, target: target) == 16)
    #expect(abs(aa.argument(.sharpness, magnitude: 5, target: target) - 1.0) < 1e-12)
  }

  @Test func signedOpsAreNegatedAboutHalfTheTime() {
    var rng = SplitMix64(seed: 3)
    var negative = 0
    for _ in 0..<2000 {
      if case let .rotate(d, _) = MagnitudeConvention.torchvisionAutoAugment.makeOp(
        .rotate, magnitude: 5, geometry: .pillowDefault, target: target, using: &rng), d < 0 { negative += 1 }
    }
    #expect(abs(negative - 1000) < 120)
  }
}
