/// Deterministic, version-stable assignment of training files to the validation split and to a
/// fixed training order, from a hash of each file's path alone: adding or changing other files in
/// a later version never moves a file between splits.
public enum ValidationSplit {
  /// 64-bit FNV-1a of the path's UTF-8 bytes and a salt, then SplitMix64's finaliser for good
  /// low bits.
  public static func hash(_ path: String, salt: UInt64 = 0) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ salt
    for byte in path.utf8 {
      h ^= UInt64(byte)
      h = h &* 0x0000_0100_0000_01B3
    }
    h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
    h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
    return h ^ (h >> 31)
  }

  /// Whether the training file at `path` is held out for validation.
  public static func isValidation(_ path: String, fraction: Double) -> Bool {
    let bucket = hash(path, salt: 0x5641_4C49_4441_5445) % 1_000_000
    return Double(bucket) < fraction * 1_000_000
  }

  /// The key that orders the remaining training files; subsets are prefixes of this order.
  public static func orderKey(_ path: String) -> UInt64 { hash(path, salt: 0x4F52_4445_52) }
}
