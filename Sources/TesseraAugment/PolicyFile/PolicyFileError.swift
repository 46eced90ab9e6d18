import Foundation

/// A policy file that cannot be read: names the file (when known), the JSON field path and what is wrong,
/// e.g. `cifar.json: policy.subPolicies[3][1].op: unknown op 'Rotat'`.
public struct PolicyFileError: Error, CustomStringConvertible, Sendable, Equatable {
  public var file: String?
  /// Dotted path with array indices, e.g. `policy.subPolicies[3][1].magnitude`; empty for the whole document.
  public var path: String
  public var message: String

  public init(file: String? = nil, path: String, message: String) {
    self.file = file
    self.path = path
    self.message = message
  }

  public var description: String {
    let location = path.isEmpty ? "" : "\(path): "
    if let file { return "\(file): \(location)\(message)" }
    return "\(location)\(message)"
  }

  /// "a.b[2].c" from a coding path.
  static func format(_ path: [any CodingKey]) -> String {
    var out = ""
    for key in path {
      if let index = key.intValue {
        out += "[\(index)]"
      } else {
        out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
      }
    }
    return out
  }

  /// Translates Foundation's decoding errors into the same one-line form.
  static func from(_ error: DecodingError) -> PolicyFileError {
    switch error {
    case let .keyNotFound(key, context):
      return PolicyFileError(path: format(context.codingPath + [key]), message: "missing required field")
    case let .typeMismatch(type, context):
      return PolicyFileError(path: format(context.codingPath), message: "expected \(describe(type))")
    case let .valueNotFound(type, context):
      return PolicyFileError(path: format(context.codingPath), message: "expected \(describe(type)), found null")
    case let .dataCorrupted(context):
      var detail = context.debugDescription
      if let underlying = context.underlyingError as NSError?,
         let reason = underlying.userInfo[NSDebugDescriptionErrorKey] as? String {
        detail += ": " + reason
      }
      return PolicyFileError(path: format(context.codingPath), message: detail.isEmpty ? "invalid JSON" : detail)
    @unknown default:
      return PolicyFileError(path: "", message: "\(error)")
    }
  }

  private static func describe(_ type: Any.Type) -> String {
    switch type {
    case is Double.Type, is Float.Type: return "a number"
    case is Int.Type, is UInt8.Type: return "an integer"
    case is String.Type: return "a string"
    case is Bool.Type: return "true or false"
    default:
      let name = "\(type)"
      if name.hasPrefix("Array") { return "an array" }
      if name.hasPrefix("Dictionary") { return "an object" }
      return "a \(name)"
    }
  }
}

/// Coding key for any string, used to reject unknown fields.
struct AnyCodingKey: CodingKey {
  var stringValue: String
  var intValue: Int?
  init(_ string: String) { stringValue = string }
  init?(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) {
    stringValue = "\(intValue)"
    self.intValue = intValue
  }
}

extension Decoder {
  /// Throws if the current object has a field not in `allowed` — a misspelt field should not be silently ignored.
  func rejectUnknownFields(_ allowed: Set<String>) throws {
    let c = try container(keyedBy: AnyCodingKey.self)
    for key in c.allKeys where !allowed.contains(key.stringValue) {
      throw PolicyFileError(path: PolicyFileError.format(codingPath + [key]),
                            message: "unknown field (expected one of: \(allowed.sorted().joined(separator: ", ")))")
    }
  }
}

extension KeyedDecodingContainer {
  /// A validation error at `key` of this object.
  func invalid(_ key: Key, _ message: String) -> PolicyFileError {
    PolicyFileError(path: PolicyFileError.format(codingPath + [key]), message: message)
  }

  /// Decodes an op name, with an error that names the field and lists nothing but the bad value.
  func decodeOpName(_ key: Key) throws -> OpName {
    let raw = try decode(String.self, forKey: key)
    guard let op = OpName(rawValue: raw) else {
      let suggestion = OpName.allCases.first { $0.rawValue.lowercased() == raw.lowercased() }
      let hint = suggestion.map { " (did you mean '\($0.rawValue)'?)" } ?? ""
      throw invalid(key, "unknown op '\(raw)'\(hint)")
    }
    return op
  }

  func decodeProbability(_ key: Key, default value: Double = 1) throws -> Double {
    guard let p = try decodeIfPresent(Double.self, forKey: key) else { return value }
    guard p >= 0 && p <= 1 else { throw invalid(key, "probability \(p) is outside [0, 1]") }
    return p
  }

  func decodeInt(_ key: Key, in range: ClosedRange<Int>) throws -> Int {
    let v = try decode(Int.self, forKey: key)
    guard range.contains(v) else {
      throw invalid(key, "\(v) is outside \(range.lowerBound)…\(range.upperBound)")
    }
    return v
  }
}
