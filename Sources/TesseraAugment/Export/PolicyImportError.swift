/// A spec `tessera policy import` cannot turn into a policy; names the offending token.
public struct PolicyImportError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The whole spec as given.
  public var spec: String
  /// The section or name that is wrong.
  public var token: String
  public var message: String

  public init(spec: String, token: String, message: String) {
    self.spec = spec
    self.token = token
    self.message = message
  }

  public var description: String {
    token == spec ? "\(spec): \(message)" : "\(spec): '\(token)': \(message)"
  }
}
