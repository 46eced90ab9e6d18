/// Selects part of a version: some paths (files or folders), some classes, some splits. Empty lists select
/// everything; a file must pass every list that is not empty.
public struct VersionFilter: Sendable, Hashable, Codable {
  public var paths: [String]
  public var splits: [String]
  public var classes: [String]

  public init(paths: [String] = [], splits: [String] = [], classes: [String] = []) {
    self.paths = paths.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    self.splits = splits
    self.classes = classes
  }

  /// True when the filter selects every file.
  public var isEverything: Bool { paths.isEmpty && splits.isEmpty && classes.isEmpty }

  public func matches(_ file: TrackedFile) -> Bool { matches(path: file.path, split: file.split, label: file.label) }

  public func matches(path: String, split: String?, label: String?) -> Bool {
    if !paths.isEmpty && !paths.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) { return false }
    if !splits.isEmpty && !splits.contains(where: { $0 == split }) { return false }
    if !classes.isEmpty && !classes.contains(where: { $0 == label }) { return false }
    return true
  }
}
