import Foundation
import TesseraStore

/// One named remote of a store: where objects go (`s3://bucket/prefix` or a folder) and, when not the default,
/// the git remote that carries the versions.
public struct RemoteConfiguration: Codable, Sendable, Hashable {
  public var name: String
  public var url: String
  /// The git URL for versions; nil means the folder remote's own `git/`, or what the remote's descriptor says.
  public var git: String?

  public init(name: String, url: String, git: String? = nil) {
    self.name = name
    self.url = url
    self.git = git
  }
}

/// The remotes of a store, kept in `.tessera/remotes.json` (written atomically).
public struct RemoteList: Codable, Sendable, Equatable {
  public var format = "tessera-remotes 1"
  public var remotes: [RemoteConfiguration] = []

  public init() {}

  static func path(_ store: Store) -> String { store.metaDirectory + "/remotes.json" }

  public static func load(_ store: Store) throws -> RemoteList {
    let file = path(store)
    guard FileManager.default.fileExists(atPath: file) else { return RemoteList() }
    let list: RemoteList
    do {
      list = try JSONDecoder().decode(RemoteList.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
    } catch {
      throw RemoteError("\(file): not a valid remotes file (\(error.localizedDescription))")
    }
    guard list.format == "tessera-remotes 1" else { throw RemoteError("\(file): unknown format '\(list.format)'") }
    return list
  }

  public func save(_ store: Store) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try writeFileAtomically(encoder.encode(self), to: URL(fileURLWithPath: Self.path(store)))
  }

  public func named(_ name: String) throws -> RemoteConfiguration {
    guard let found = remotes.first(where: { $0.name == name }) else {
      let known = remotes.map(\.name).joined(separator: ", ")
      throw RemoteError("no remote named '\(name)'" + (known.isEmpty ? "; add one with 'tessera remote add NAME URL'" : " (known: \(known))"))
    }
    return found
  }

  /// Adds a remote after checking its name and URL; refuses a name already taken.
  public mutating func add(_ remote: RemoteConfiguration) throws {
    guard !remote.name.isEmpty, remote.name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !remote.name.hasPrefix(".") else {
      throw RemoteError("remote name '\(remote.name)': use letters, digits, '-', '_' and '.' only")
    }
    guard !remotes.contains(where: { $0.name == remote.name }) else { throw RemoteError("remote '\(remote.name)' already exists") }
    // Paths are kept absolute, so the remote means the same folder from any subfolder or clone.
    var saved = remote
    if case .folder(let path) = try RemoteLocation(remote.url) { saved.url = path }
    saved.git = remote.git.map(Remote.absoluteGit)
    remotes.append(saved)
  }

  public mutating func remove(_ name: String) throws {
    _ = try named(name)
    remotes.removeAll { $0.name == name }
  }
}

/// A parsed remote URL.
public enum RemoteLocation: Sendable, Equatable {
  case s3(bucket: String, prefix: String)
  case folder(String)

  public init(_ url: String) throws {
    if url.hasPrefix("s3://") {
      let rest = url.dropFirst(5)
      let bucket = String(rest.prefix { $0 != "/" })
      let prefix = String(rest.dropFirst(bucket.count).drop { $0 == "/" })
      guard bucket.count >= 3, bucket.count <= 63,
            bucket.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." }) else {
        throw RemoteError("\(url): '\(bucket)' is not a valid S3 bucket name (3-63 lowercase letters, digits, '-' or '.')")
      }
      self = .s3(bucket: bucket, prefix: prefix)
    } else if url.hasPrefix("file://") {
      guard let path = Store.localPath(ofURL: url) else { throw RemoteError("\(url): a file:// URL must name this machine (no host, or localhost)") }
      self = .folder(path)
    } else if url.contains("://") {
      throw RemoteError("\(url): unsupported remote; use s3://bucket/prefix or a folder path")
    } else {
      let absolute = url.hasPrefix("/") ? url : FileManager.default.currentDirectoryPath + "/" + url
      self = .folder((absolute as NSString).standardizingPath)
    }
  }

  /// The backend that reads and writes this location.
  package func backend(settings: () throws -> S3Settings = { try S3Settings.fromEnvironment() }) throws -> any ObjectBackend {
    switch self {
    case .s3(let bucket, let prefix): return S3Backend(client: S3Client(settings: try settings()), bucket: bucket, prefix: prefix)
    case .folder(let path): return FolderBackend(root: path)
    }
  }
}
