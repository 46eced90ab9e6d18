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
    // Only the first two slashes matter; splitting the whole path cost a tenth of a 70,000-file add.
    let utf8 = path.utf8
    guard let first = utf8.firstIndex(of: UInt8(ascii: "/")) else { return (nil, nil) }
    let rest = utf8.index(after: first)
    guard let second = utf8[rest...].firstIndex(of: UInt8(ascii: "/")) else { return (nil, String(path[..<first])) }
    return (String(path[..<first]), String(path[rest..<second]))
  }
}

/// A version's file as the trainer reads it (same shape as a tracked file).
public typealias VersionEntry = TrackedFile
