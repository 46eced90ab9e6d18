import Crypto
import Foundation

/// The SHA-256 of an object's raw bytes: the same id `sha256sum` prints. An object's name proves its content.
public struct ObjectID: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
  /// The 32 digest bytes, as four big-endian words (cheap to hash and compare).
  public let w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

  public init(digest: SHA256.Digest) {
    var words = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
    digest.withUnsafeBytes { raw in
      func word(_ i: Int) -> UInt64 {
        var w: UInt64 = 0
        for b in 0..<8 { w = (w << 8) | UInt64(raw[i * 8 + b]) }
        return w
      }
      words = (word(0), word(1), word(2), word(3))
    }
    (w0, w1, w2, w3) = words
  }

  /// Parses 64 lowercase or uppercase hex digits; nil for anything else.
  public init?(hex: some StringProtocol) {
    let utf8 = Array(hex.utf8)
    guard utf8.count == 64 else { return nil }
    var words: [UInt64] = [0, 0, 0, 0]
    for (i, c) in utf8.enumerated() {
      let v: UInt64
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt64(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): v = UInt64(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): v = UInt64(c - UInt8(ascii: "A") + 10)
      default: return nil
      }
      words[i / 16] = (words[i / 16] << 4) | v
    }
    (w0, w1, w2, w3) = (words[0], words[1], words[2], words[3])
  }

  /// SHA-256 of `bytes`.
  public static func hashing(_ bytes: some DataProtocol) -> ObjectID {
    ObjectID(digest: SHA256.hash(data: bytes))
  }

  public var hex: String {
    var out = [UInt8]()
    out.reserveCapacity(64)
    appendHex(to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// The 64 lowercase hex digits, appended to `out`.
  func appendHex(to out: inout [UInt8]) {
    let digits: StaticString = "0123456789abcdef"
    let d = digits.utf8Start
    for w in [w0, w1, w2, w3] {
      for shift in stride(from: 60, through: 0, by: -4) { out.append(d[Int((w >> UInt64(shift)) & 0xF)]) }
    }
  }

  public var description: String { hex }

  public static func < (a: ObjectID, b: ObjectID) -> Bool {
    (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3)
  }

  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let id = ObjectID(hex: text) else {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a SHA-256 hex id: \(text)"))
    }
    self = id
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(hex)
  }
}
