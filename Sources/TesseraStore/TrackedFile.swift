/// One file of a version: where it sits, which object holds its bytes, and its label.
public struct TrackedFile: Sendable, Hashable, Codable {
  /// Relative to the dataset root, `/`-separated.
  public var path: String
  public var object: ObjectID
  public var size: Int64
  public var image: ImageInfo?
  /// The split (`train`, `test`, ...) from the first folder of `split/class/file`.
  public var split: String?
  /// The class, from the folder layout or from `labels.csv`.
  public var label: String?

  public init(path: String, object: ObjectID, size: Int64, image: ImageInfo?, split: String?, label: String?) {
    self.path = path
    self.object = object
    self.size = size
    self.image = image
    self.split = split
    self.label = label
  }

  /// Split and label implied by the folder layout: `split/class/file` or `class/file`.
  public static func layoutLabels(for path: String) -> (split: String?, label: String?) {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    if parts.count >= 3 { return (String(parts[0]), String(parts[1])) }
    if parts.count == 2 { return (nil, String(parts[0])) }
    return (nil, nil)
  }
}

/// A version's file as the trainer reads it (same shape as a tracked file).
public typealias VersionEntry = TrackedFile
