import Testing
import TesseraImage
@testable import TesseraAugment

struct MixingTests {
  static let images: [Image] = (0..<4).map { Image(width: 10, height: 8, channels: 1, filledWith: UInt8($0 * 60)) }

  @Test func mixUpBlendsImagesAndLabelsWithTheSameLambda() {
    let mixer = BatchMixer(mixUpAlpha: 0.4, cutMixAlpha: 0, labelSmoothing: 0)
    var rng = SplitMix64(seed: 3)
    let out = mixer.mix(Self.images, labels: [0, 1, 2, 3], classCount: 4, using: &rng)
    guard case let .mixUp(lambda) = out.applied else { Issue.record("expected MixUp"); return }
    for i in 0..<4 {
      let j = 3 - i  // flip partner
      let expected = (lambda * Double(i * 60) + (1 - lambda) * Double(j * 60)).rounded()
      #expect(abs(Double(out.images[i].pixels[0]) - expected) <= 1)
      #expect(abs(Double(out.labels[i][i]) - lambda) < 1e-6)
      #expect(abs(Double(out.labels[i][j]) - (1 - lambda)) < 1e-6)
      #expect(abs(out.labels[i].reduce(0, +) - 1) < 1e-6)
    }
  }

  @Test func cutMixCorrectsLambdaByTheBoxArea() {
    let mixer = BatchMixer(mixUpAlpha: 0, cutMixAlpha: 1, labelSmoothing: 0)
    var rng = SplitMix64(seed: 9)
    for _ in 0..<50 {
      let out = mixer.mix(Self.images, labels: [0, 1, 2, 3], classCount: 4, using: &rng)
      guard case let .cutMix(lambda, box) = out.applied else { continue }
      #expect(abs(lambda - (1 - Double(box.area) / 80)) < 1e-12)
      // Pixels inside the box come from the partner, outside stay.
      let pasted = out.images[0].pixels.filter { $0 == 180 }.count
      #expect(pasted == box.area)
      #expect(abs(Double(out.labels[0][0]) - lambda) < 1e-6)
    }
  }

  @Test func labelSmoothingAndSwitchProbability() {
    let mixer = BatchMixer(mixUpAlpha: 1, cutMixAlpha: 1, probability: 1, switchProbability: 0.25,
                           labelSmoothing: 0.1)
    var rng = SplitMix64(seed: 1)
    var cut = 0
    for _ in 0..<2000 {
      if case .cutMix = mixer.sample(width: 10, height: 8, using: &rng) { cut += 1 }
    }
    #expect(abs(cut - 500) < 80)
    let none = BatchMixer(mixUpAlpha: 1, cutMixAlpha: 0, probability: 0, labelSmoothing: 0.1)
    let out = none.mix(Self.images, labels: [2, 0, 1, 3], classCount: 4, using: &rng)
    #expect(out.applied == .none)
    #expect(out.images == Self.images)
    // off = 0.1/4 = 0.025, on = 0.9 + 0.025.
    #expect(out.labels[0] == [0.025, 0.025, 0.925, 0.025])
  }

  @Test func partnerRules() {
    let flip = BatchMixer(partner: .flip), roll = BatchMixer(partner: .roll)
    #expect((0..<4).map { flip.partnerIndex(of: $0, count: 4) } == [3, 2, 1, 0])
    #expect((0..<4).map { roll.partnerIndex(of: $0, count: 4) } == [3, 0, 1, 2])
  }

  @Test func recordedMixReplays() {
    let mixer = BatchMixer()
    var rng = SplitMix64(seed: 12)
    let labels: [[Float]] = (0..<4).map { i in (0..<4).map { $0 == i ? 1 : 0 } }
    let out = mixer.mix(Self.images, softLabels: labels, using: &rng)
    #expect(mixer.apply(out.applied, to: Self.images, softLabels: labels) == out)
  }
}
