import Testing
@testable import TesseraAugment

@Test func splitMixMatchesPublishedSequence() {
  // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
  var rng = SplitMix64(seed: 0)
  #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
  #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
}

@Test func perSampleStreamsAreIndependentOfOrder() {
  var a = SplitMix64(seed: 42, index: 7)
  var b = SplitMix64(seed: 42, index: 7)
  var c = SplitMix64(seed: 42, index: 8)
  let x = a.next()
  #expect(x == b.next())
  #expect(x != c.next())
}
