/// What an import wrote; `tessera import ... --json` prints it.
public struct ImportSummary: Sendable, Hashable, Codable {
  public var dataset: String
  public var source: String
  public var destination: String
  /// Images written per split ("train", "test").
  public var images: [String: Int]
  /// Images written per split and class folder.
  public var classes: [String: [String: Int]]
  public var files: Int
  /// Bytes of PNG written.
  public var bytes: Int
  public var seconds: Double
}
