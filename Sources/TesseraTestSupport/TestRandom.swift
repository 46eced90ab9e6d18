/// SplitMix64 for test inputs: small, fast and fully determined by its seed.
public struct TestRandom: Sendable {
  public var state: UInt64
  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// `n` pseudo-random bytes.
  public mutating func bytes(_ n: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: (n + 7) & ~7)
    out.withUnsafeMutableBytes { raw in
      for i in 0..<(raw.count / 8) { raw.storeBytes(of: next(), toByteOffset: i * 8, as: UInt64.self) }
    }
    return Array(out.prefix(n))
  }
}
