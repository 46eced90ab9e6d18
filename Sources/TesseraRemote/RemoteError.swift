/// A remote operation that failed, as one line for a person: what, where, and what to do.
public struct RemoteError: Error, Sendable, CustomStringConvertible, Equatable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
