/// A small, fast, seedable generator (Steele, Lea & Flood's SplitMix64).
///
/// Every random choice in Tessera's augmentation comes from one of these, passed in explicitly,
/// so that a given seed and sample index yield the same bytes on every run and any thread count.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
  public private(set) var state: UInt64

  public init(seed: UInt64) { state = seed }

  /// A generator for one sample of a stream: independent of how samples are spread over threads.
  public init(seed: UInt64, index: UInt64) {
    var mixer = SplitMix64(seed: seed ^ 0x9E37_79B9_7F4A_7C15)
    state = mixer.next() &+ index &* 0xD1B5_4A32_D192_ED03
    _ = next()
  }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
