import TesseraAugment

extension SplitMix64 {
  /// Uniform in [0, 1) with 24 random bits: exactly representable as a Float, never 1.
  @inline(__always) mutating func nextUnitFloat() -> Float {
    Float(next() >> 40) * (1.0 / 16_777_216.0)
  }
}
