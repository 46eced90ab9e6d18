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
      // Everything else a policy file decodes is either a list or a JSON object.
      return "\(type)".hasPrefix("Array") ? "an array" : "an object"
    }
  }
}

