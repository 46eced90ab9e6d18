import Crypto
import Foundation

/// AWS Signature Version 4 for S3 requests (header form). The payload is always hashed, never sent as
/// `UNSIGNED-PAYLOAD`, so the server checks every byte that arrives.
struct SigV4 {
  let settings: S3Settings

  /// Adds `x-amz-date`, `x-amz-content-sha256`, the session token and `Authorization` to `headers`.
  /// `path` must already be percent-encoded and `query` in canonical form (sorted, encoded).
  func sign(method: String, host: String, path: String, query: String, headers: inout [String: String],
            payloadHash: String, date: Date = Date()) {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    let amzDate = formatter.string(from: date)
    let day = String(amzDate.prefix(8))
    headers["x-amz-date"] = amzDate
    headers["x-amz-content-sha256"] = payloadHash
    if let token = settings.sessionToken { headers["x-amz-security-token"] = token }
    // Every header the request carries is signed (Range too), so none can be altered on the way.
    var signed = headers.filter { $0.key.lowercased() != "authorization" }.map { ($0.key.lowercased(), $0.value) }
    signed.append(("host", host))
    signed.sort { $0.0 < $1.0 }
    let canonicalHeaders = signed.map { "\($0.0):\($0.1.trimmingCharacters(in: .whitespaces))\n" }.joined()
    let signedHeaders = signed.map(\.0).joined(separator: ";")
    let canonicalRequest = [method, path, query, canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
    let scope = "\(day)/\(settings.region)/s3/aws4_request"
    let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))]
      .joined(separator: "\n")
    var key = SymmetricKey(data: Data(("AWS4" + settings.secretKey).utf8))
    for part in [day, settings.region, "s3", "aws4_request"] {
      key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
    }
    let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=\(settings.accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
  }

  static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
    digest.map { String(format: "%02x", $0) }.joined()
  }

  static let emptyPayloadHash = hex(SHA256.hash(data: Data()))

  /// RFC 3986 encoding as SigV4 wants it: unreserved characters stay, everything else is %XX (upper case);
  /// `/` stays when `keepSlash` (object keys in paths).
  static func encode(_ text: String, keepSlash: Bool) -> String {
    var out = ""
    for byte in text.utf8 {
      if unreserved.contains(byte) || (keepSlash && byte == 0x2F) {
        out.unicodeScalars.append(UnicodeScalar(byte))
      } else {
        out += String(format: "%%%02X", byte)
      }
    }
    return out
  }

  private static let unreserved: Set<UInt8> = {
    let characters: String = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
    return Set(characters.utf8)
  }()

  /// `a=1&b=2`, sorted by name, names and values encoded.
  static func canonicalQuery(_ items: [(String, String)]) -> String {
    let encoded: [(name: String, value: String)] = items.map { item in
      (encode(item.0, keepSlash: false), encode(item.1, keepSlash: false))
    }
    let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
    let pairs: [String] = sorted.map { pair in pair.name + "=" + pair.value }
    return pairs.joined(separator: "&")
  }
}
