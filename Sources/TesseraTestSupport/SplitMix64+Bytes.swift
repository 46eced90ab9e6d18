import TesseraAugment

extension SplitMix64 {
  /// `n` pseudo-random bytes, for test inputs.
  public mutating func bytes(_ n: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: (n + 7) & ~7)
    out.withUnsafeMutableBytes { raw in
      for i in 0..<(raw.count / 8) { raw.storeBytes(of: next(), toByteOffset: i * 8, as: UInt64.self) }
    }
    return Array(out.prefix(n))
  }
}
