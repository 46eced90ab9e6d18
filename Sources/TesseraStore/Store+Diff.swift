import Foundation

/// One side of a comparison: a version, or the folder as it is now.
public enum DatasetState: Sendable, CustomStringConvertible {
  case revision(String)
  case workingFolder

  public var description: String {
    switch self {
    case .revision(let r): return r
    case .workingFolder: return "working folder"
    }
  }
}

/// What changed between two states of a dataset, file by file and class by class.
public struct DatasetDiff: Sendable, Codable {
  public struct FileChange: Sendable, Codable, Hashable {
    public var path: String
    public var from: String?  // the old path, for a file that moved
    public var oldLabel: String?
    public var newLabel: String?
    public var oldObject: String?
    public var newObject: String?
  }

  public struct ClassCount: Sendable, Codable, Hashable {
    public var split: String
    public var label: String
    public var before: Int
    public var after: Int
  }

  public var from: String
  public var to: String
  public var added: [FileChange] = []
  public var removed: [FileChange] = []
  public var modified: [FileChange] = []
  /// Same bytes, different label: moved between class folders, or relabelled in labels.csv.
  public var relabelled: [FileChange] = []
  /// Same bytes and label at a new path.
  public var moved: [FileChange] = []
  /// Every (split, class) whose count changed.
  public var classCounts: [ClassCount] = []

  public var isEmpty: Bool { added.isEmpty && removed.isEmpty && modified.isEmpty && relabelled.isEmpty && moved.isEmpty }
}

extension Store {
  /// The files of a state, by path.
  func trackedFiles(_ state: DatasetState) throws -> [String: TrackedFile] {
    switch state {
    case .revision(let rev):
      return try Self.byPath(try entries(revision: rev), where: "in version \(rev)")
    case .workingFolder:
      let w = try scanWorktree()
      var files = try Self.byPath(w.index.files, where: "in the staging index")
      for (path, file) in w.changed { files[path] = file }
      for path in w.deleted { files[path] = nil }
      return files
    }
  }

  public func diff(from: DatasetState, to: DatasetState) throws -> DatasetDiff {
    let old = try trackedFiles(from), new = try trackedFiles(to)
    var diff = DatasetDiff(from: from.description, to: to.description)
    var removedByObject: [ObjectID: [TrackedFile]] = [:]
    for (path, o) in old where new[path] == nil { removedByObject[o.object, default: []].append(o) }
    for key in removedByObject.keys { removedByObject[key]!.sort { $0.path < $1.path } }
    for path in new.keys.sorted() {
      let n = new[path]!
      if let o = old[path] {
        if o.object != n.object {
          diff.modified.append(.init(path: path, oldLabel: o.label, newLabel: n.label, oldObject: o.object.hex, newObject: n.object.hex))
        } else if o.label != n.label || o.split != n.split {
          diff.relabelled.append(.init(path: path, oldLabel: o.label, newLabel: n.label, oldObject: o.object.hex, newObject: n.object.hex))
        }
      } else if var candidates = removedByObject[n.object], !candidates.isEmpty {
        let o = candidates.removeFirst()
        removedByObject[n.object] = candidates
        let change = DatasetDiff.FileChange(path: path, from: o.path, oldLabel: o.label, newLabel: n.label,
                                            oldObject: o.object.hex, newObject: n.object.hex)
        if o.label != n.label || o.split != n.split { diff.relabelled.append(change) } else { diff.moved.append(change) }
      } else {
        diff.added.append(.init(path: path, newLabel: n.label, newObject: n.object.hex))
      }
    }
    for o in removedByObject.values.flatMap({ $0 }).sorted(by: { $0.path < $1.path }) {
      diff.removed.append(.init(path: o.path, oldLabel: o.label, oldObject: o.object.hex))
    }
    struct Key: Hashable { var split: String, label: String }
    var before: [Key: Int] = [:], after: [Key: Int] = [:]
    for f in old.values { before[Key(split: f.split ?? "-", label: f.label ?? "-"), default: 0] += 1 }
    for f in new.values { after[Key(split: f.split ?? "-", label: f.label ?? "-"), default: 0] += 1 }
    for key in Set(before.keys).union(after.keys) where before[key, default: 0] != after[key, default: 0] {
      diff.classCounts.append(.init(split: key.split, label: key.label, before: before[key, default: 0], after: after[key, default: 0]))
    }
    diff.classCounts.sort { ($0.split, $0.label) < ($1.split, $1.label) }
    return diff
  }
}
